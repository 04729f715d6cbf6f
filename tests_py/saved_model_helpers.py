"""A saved-model file of tens of MB (so that writing it takes a while), and the temporary files
the server writes beside a target."""
from __future__ import annotations

import os

import numpy as np


def write_big_model(path, hidden: int = 500_000) -> str:
    """Train (a few rows) a 4-input network with one `hidden`-unit layer and save it: about
    `hidden` x 96 bytes (weights, biases and ADADELTA state). Returns the model id."""
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    from h2o_backend.export import saved_model
    from h2o_backend.frames.frame import Column, Frame
    rng = np.random.default_rng(3)
    frame = Frame("f", [Column(f"x{i}", "real", rng.normal(size=40)) for i in range(4)]
                  + [Column("y", "enum", rng.integers(0, 2, 40).astype(np.int32), ["a", "b"])])
    p = DeepLearningParameters()
    p.hidden, p.response_column, p.epochs, p.score_training_samples = [hidden], "y", 0.1, 20
    p.model_id = "big_model"
    model = train_deeplearning(p, frame, model_id="big_model")
    saved_model.save(model.to_state(), "deeplearning", model.model_id, str(path), force=True)
    return model.model_id


def temp_files(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(".tmp_model_"))
