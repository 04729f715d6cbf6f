"""Training on a Dask cluster (``h2o-backend --dask-workers N`` or ``--dask-scheduler ADDRESS``):
connect.py starts or joins the cluster and lists its workers for /3/Cloud; shards.py decides which
training rows each worker holds; session.py scatters them once per training and runs H2O's
model-averaging iterations (tasks.py runs on the workers, averaging.py combines their copies);
scoring.py scores a large frame's predictions on the workers, one row range each.

Imported only when the server was started with a Dask option: the single-process server never
imports dask. May import the engine; never the server, the web UI or the CLI.
"""
