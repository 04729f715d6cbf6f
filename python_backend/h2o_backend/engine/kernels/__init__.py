"""numba kernels of the deep-learning engine (float32, cache=True): forward, backward, training
chunks (HOGWILD!) and batch scoring. Kernels take arrays, scalars and the named structures of
structs.py (settings, dropout stream, per-layer arrays; layout.py for the flat layout) and
import only engine.activations and engine.schedules. Importing this package has no side effects;
cache.py keeps the on-disk cache in step with the sources when asked to.

The maths is written once and shared by the per-sample kernels (forward.py, backward.py,
train.py, predict.py) and the mini-batch ones (batch.py): act.py (activations and derivatives),
optim.py (the optimizers' update rules), loss.py (the output signal per loss/distribution, with
row weights and offsets), rng.py (the one dropout stream).
"""
