"""numba kernels of the deep-learning engine (float32, cache=True): forward, backward, training
chunks (HOGWILD!) and batch scoring. Kernels take arrays and scalars only (see layout.py) and
import only engine.activations and engine.schedules. Importing this package has no side effects;
cache.py keeps the on-disk cache in step with the sources when asked to.
"""
