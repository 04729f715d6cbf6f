"""Checks of the network-structure options that need no data (H2O-3's
``DeepLearningParameters.validate`` rules for initial_weights / initial_biases, and the
supervised-only rule of pretrained_autoencoder). The frames' shapes and the pretrained model's
layers are checked when the network is created (engine/network_start.py)."""
from __future__ import annotations


def check_structure_settings(params, checkpoint, p) -> None:
    weights, biases = params.initial_weights, params.initial_biases
    n = len(list(params.hidden or [])) + 1
    restart = checkpoint is not None or bool(params.checkpoint)
    if (weights is not None or biases is not None) and restart:
        p.add("checkpoint", "Cannot specify initial weights or biases during checkpoint restart. Will use the "
                            "checkpoint model's weights and biases.")
    if weights is not None and len(weights) != n:
        p.add("initial_weights", f"The number of initial weights matrices must be {n} (some weight matrices "
                                 f"can be NULL/None/null).")
    if biases is not None and len(biases) != n:
        p.add("initial_biases", f"The number of initial bias vectors must be {n} (some bias vectors can be "
                                f"NULL/None/null).")
    if params.pretrained_autoencoder:
        if params.autoencoder:
            p.add("pretrained_autoencoder", "The pretrained model must be unsupervised (an autoencoder), and the "
                                            "model to be trained must be supervised.")
        if restart:
            p.warn("pretrained_autoencoder", "pretrained_autoencoder is not used on a checkpoint restart (the "
                                             "checkpoint's weights are)")
        elif weights is not None or biases is not None:
            p.warn("initial_weights", "initial_weights and initial_biases are not used with a "
                                      "pretrained_autoencoder (its weights are)")
