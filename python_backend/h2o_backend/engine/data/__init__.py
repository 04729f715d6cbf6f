"""Data preparation kept with a model: how a frame becomes the network's input matrix (one-hot
encoding, standardisation, imputation) and class balancing. Imports frames and engine.parameters
only."""
