"""The problem kinds a model solves (DataInfo.problem, the output's model_category), named once."""
from __future__ import annotations

CLASSIFICATION = ("Binomial", "Multinomial")       # problems with a class response (softmax outputs)
PROBLEMS = (*CLASSIFICATION, "Regression", "AutoEncoder")
