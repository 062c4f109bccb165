"""Makes test/fixtures/logistic-regression.json with scikit-learn, the independent reference for
fitLogisticRegression (Debian: apt-get install python3-sklearn). Run from packages/latent:

    /usr/bin/python3 scripts/make-logistic-fixture.py

Features look like ReLU feature-map activations: non-negative, many exact zeros, one map that never
fires (its weight must come out exactly 0), and labels that do not separate perfectly.
"""
import json

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(20151119)
cases = []
for name, rows, dimension, l2 in [("small", 40, 3, 1.0), ("maps", 300, 12, 0.5), ("strong-penalty", 120, 6, 25.0)]:
    features = np.maximum(rng.normal(0.0, 1.0, size=(rows, dimension)), 0.0)
    features[:, -1] = 0.0  # a dead feature map
    direction = rng.normal(0.0, 1.5, size=dimension)
    logits = features @ direction - 0.3 + rng.normal(0.0, 1.0, size=rows)
    labels = (logits > 0).astype(int)
    model = LogisticRegression(C=1.0 / l2, tol=1e-12, max_iter=100000, solver="newton-cg")
    model.fit(features, labels)
    cases.append(
        {
            "name": name,
            "l2": l2,
            "dimension": dimension,
            "features": [round(float(value), 6) for value in features.ravel()],
            "labels": [int(value) for value in labels],
            "weights": [float(value) for value in model.coef_[0]],
            "bias": float(model.intercept_[0]),
        }
    )
# The fixture stores features rounded to 6 decimals; refit on exactly those values.
for case in cases:
    features = np.array(case["features"]).reshape(-1, case["dimension"])
    model = LogisticRegression(C=1.0 / case["l2"], tol=1e-12, max_iter=100000, solver="newton-cg")
    model.fit(features, np.array(case["labels"]))
    case["weights"] = [float(value) for value in model.coef_[0]]
    case["bias"] = float(model.intercept_[0])

with open("test/fixtures/logistic-regression.json", "w") as file:
    json.dump({"generatedBy": f"scikit-learn {sklearn.__version__} LogisticRegression(newton-cg, tol 1e-12)", "cases": cases}, file)
    file.write("\n")
