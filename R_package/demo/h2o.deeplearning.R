# Demo of H2O's deep learning from R: a binary classifier that predicts whether a prostate
# tumour penetrated the capsule (CAPSULE) from the patient's other measurements.
library(h2o)

# Connect to H2O on localhost (it is started when none is running)
h2o_server = h2o.init()

# Upload the prostate data shipped with the package into H2O and summarise it
prostate_file = system.file("extdata", "prostate.csv", package = "h2o")
train = h2o.uploadFile(h2o_server, path = prostate_file, header = TRUE, sep = ",",
                       key = "prostate.hex")
summary(train)

# Train a deep learning model with 3 hidden layers of 10 Tanh neurons each for up to
# 10,000 epochs (training stops earlier once the training error is 0): predict
# CAPSULE (column 2) from AGE, RACE, DPROS, DCAPS, PSA, VOL and GLEASON (columns 3 to 9;
# column 1 is the patient ID)
model = h2o.deeplearning(x = 3:9, y = 2, data = train, activation = "Tanh",
                         hidden = c(10, 10, 10), epochs = 10000)
model

# Predict on the training data (for simplicity); the predictions stay in H2O
prediction = h2o.predict(model, newdata = train)

# Download the predictions into R: the label, then the probability of each class
pred = as.data.frame(prediction)
head(pred)
tail(pred)

# Predicted against actual labels
table(actual = as.data.frame(train)$CAPSULE, predicted = pred$predict)

# Performance of the predicted probability of class 1 (column 3) against the actual CAPSULE
# (column 2): AUC, the cutoff with the best F1 and the confusion matrix there
perf = h2o.performance(prediction[, 3], train[, 2], measure = "F1")
print(perf)
