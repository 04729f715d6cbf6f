"""The deep-learning engine: plain Python + numba, run from a plain call
(``training.train_deeplearning``). It may import frames and its own subpackages (parameters,
data, metrics, kernels), never server, webui or jobs: a job is duck-typed (see notes/ENGINE_CONTRACT.md)."""
