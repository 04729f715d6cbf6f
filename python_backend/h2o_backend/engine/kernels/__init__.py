"""numba kernels of the deep-learning engine (float32, cache=True): forward, backward, training
chunks (HOGWILD!) and batch scoring. Kernels take arrays and scalars only; see layout.py."""
