#!/usr/bin/env python3
"""Times scikit-learn's LinearSVC on a feature file written by bench/suites/probe-svm.mjs.

    /usr/bin/python3 time-linear-svc.py FEATURES.f32 LABELS.i32 ROWS COLUMNS COST TOLERANCE MAX_ITER

FEATURES.f32 is row-major little-endian float32, LABELS.i32 little-endian int32. Prints one JSON line:
fit seconds, wall and CPU (LinearSVC.fit as a user calls it: validation, float64 copy, LIBLINEAR), passes, training
error and the summed primal objective of the one-vs-rest classifiers.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.svm import LinearSVC


def main():
    features_path, labels_path, rows, columns, cost, tolerance, max_iter = sys.argv[1:8]
    rows, columns, cost, tolerance, max_iter = int(rows), int(columns), float(cost), float(tolerance), int(max_iter)
    x = np.fromfile(features_path, dtype='<f4').reshape(rows, columns)
    y = np.fromfile(labels_path, dtype='<i4')
    model = LinearSVC(C=cost, loss='squared_hinge', penalty='l2', dual=True, tol=tolerance, max_iter=max_iter, random_state=0)
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.fit(x, y)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    predicted = model.predict(x)
    objective = 0.0
    for k, positive in enumerate(model.classes_):
        signs = np.where(y == positive, 1.0, -1.0)
        margins = x @ model.coef_[k].astype(np.float32) + model.intercept_[k]
        slack = np.maximum(0.0, 1.0 - signs * margins.astype(np.float64))
        objective += 0.5 * (float(model.coef_[k] @ model.coef_[k]) + float(model.intercept_[k]) ** 2) + cost * float(slack @ slack)
    print(json.dumps({
        'sklearn': sklearn.__version__,
        'fitSeconds': seconds,
        'cpuSeconds': cpu_seconds,
        'iterations': int(np.max(model.n_iter_)),
        'trainError': float(np.mean(predicted != y)),
        'objective': objective,
    }))


if __name__ == '__main__':
    main()
