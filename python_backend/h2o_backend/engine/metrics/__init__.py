"""Model metrics as H2O-3 names them (regression, binomial with AUC and gains/lift, multinomial,
autoencoder), their TwoDimTable shapes, scoring during training and variable importances.
Pure numpy; imports no server code."""
