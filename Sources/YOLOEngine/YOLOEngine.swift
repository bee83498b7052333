// Predict, val, train, export engines.
