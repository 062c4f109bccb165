#!/usr/bin/env python3
"""Makes the linear-SVM fixtures of @dcgan/probe ONCE with scikit-learn (the independent reference).

    apt-get install -y python3-sklearn   # Debian's scikit-learn, LIBLINEAR inside
    /usr/bin/python3 packages/probe/scripts/make-svm-fixtures.py   # Debian's python, which sees python3-sklearn

Writes packages/probe/fixtures/svm-fixtures.json: small problems (float32 features), LinearSVC's solution
(loss='squared_hinge', penalty='l2', dual=True, one-vs-rest), the primal objective of every binary
classifier, predictions and decision values on held-out points, and StandardScaler's statistics. The
x and xTest are float32 little-endian bytes in base64. The tests check @dcgan/probe's solver against these numbers; they never regenerate them.
"""
import base64
import json
import os

import numpy as np
import sklearn
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'svm-fixtures.json')


def make_problem(rng, n_train, n_test, dims, classes, separation, scale_spread):
    """Gaussian blobs with class means `separation` apart, per-feature scales spread over decades."""
    means = rng.normal(0.0, separation, size=(classes, dims))
    scales = 10.0 ** rng.uniform(-scale_spread, scale_spread, size=dims)
    offsets = rng.normal(0.0, 3.0, size=dims)

    def draw(n):
        labels = np.arange(n) % classes
        rng.shuffle(labels)
        x = means[labels] + rng.normal(0.0, 1.0, size=(n, dims))
        x = x * scales + offsets
        return x.astype(np.float32), labels.astype(np.int32)

    return draw(n_train), draw(n_test)


def float32_base64(values):
    """Little-endian float32 bytes in base64: exact and compact."""
    return base64.b64encode(np.ascontiguousarray(values, dtype='<f4').tobytes()).decode('ascii')


def primal_objective(w, w_bias, x, signs, c):
    margins = x.astype(np.float64) @ w + w_bias * BIAS_VALUE[0]
    slack = np.maximum(0.0, 1.0 - signs * margins)
    return 0.5 * (w @ w + w_bias * w_bias) + c * np.sum(slack * slack)


BIAS_VALUE = [1.0]


def solve(name, x, y, x_test, c, fit_intercept, intercept_scaling, label_values=None):
    if label_values is not None:
        y = np.asarray(label_values, dtype=np.int32)[y]
    model = LinearSVC(
        C=c,
        loss='squared_hinge',
        penalty='l2',
        dual=True,
        tol=1e-10,
        max_iter=200000,
        fit_intercept=fit_intercept,
        intercept_scaling=intercept_scaling,
        random_state=0,
    )
    model.fit(x.astype(np.float64), y)
    classes = model.classes_
    coef = model.coef_
    intercept = model.intercept_ if fit_intercept else np.zeros(coef.shape[0])
    BIAS_VALUE[0] = intercept_scaling if fit_intercept else 0.0
    objectives = []
    for k in range(coef.shape[0]):
        positive = classes[1] if len(classes) == 2 else classes[k]
        signs = np.where(y == positive, 1.0, -1.0)
        w_bias = intercept[k] / intercept_scaling if fit_intercept else 0.0
        objectives.append(float(primal_objective(coef[k].astype(np.float64), w_bias, x, signs, c)))
    return {
        'name': name,
        'cost': c,
        'fitIntercept': fit_intercept,
        'interceptScaling': intercept_scaling,
        'rows': int(x.shape[0]),
        'columns': int(x.shape[1]),
        'x': float32_base64(x),
        'y': [int(v) for v in y],
        'testRows': int(x_test.shape[0]),
        'xTest': float32_base64(x_test),
        'classes': [int(v) for v in classes],
        'coef': [[float(v) for v in row] for row in coef],
        'intercept': [float(v) for v in intercept],
        'objective': objectives,
        'predictTrain': [int(v) for v in model.predict(x.astype(np.float64))],
        'predictTest': [int(v) for v in model.predict(x_test.astype(np.float64))],
        'decisionTest': [float(v) for v in np.asarray(model.decision_function(x_test.astype(np.float64))).ravel()],
        'iterations': int(np.max(model.n_iter_)),
    }


def main():
    rng = np.random.default_rng(20151119)
    problems = []

    (x, y), (xt, _) = make_problem(rng, 60, 40, 8, 2, 1.0, 0.0)
    problems.append(solve('binary-overlapping', x, y, xt, 1.0, True, 1.0))

    (x, y), (xt, _) = make_problem(rng, 80, 40, 12, 2, 4.0, 0.0)
    problems.append(solve('binary-separable-large-cost', x, y, xt, 10.0, True, 1.0, label_values=[-1, 7]))

    (x, y), (xt, _) = make_problem(rng, 90, 45, 10, 3, 1.5, 0.5)
    problems.append(solve('three-classes-scaled-intercept', x, y, xt, 0.5, True, 2.5))

    (x, y), (xt, _) = make_problem(rng, 200, 100, 40, 10, 1.0, 0.0)
    problems.append(solve('ten-classes-small-cost', x, y, xt, 0.01, True, 1.0))

    (x, y), (xt, _) = make_problem(rng, 70, 30, 16, 4, 1.0, 0.0)
    problems.append(solve('four-classes-no-intercept', x, y, xt, 0.2, False, 1.0, label_values=[3, 5, 8, 11]))

    # More features than rows, as in the 1,000-label protocols.
    (x, y), (xt, _) = make_problem(rng, 40, 30, 300, 5, 0.3, 0.0)
    problems.append(solve('five-classes-wide', x, y, xt, 0.05, True, 1.0))

    # StandardScaler (population standard deviation; a constant column gets scale 1).
    sx = rng.normal(2.0, 3.0, size=(50, 6)).astype(np.float32)
    sx[:, 3] = 4.5
    scaler = StandardScaler().fit(sx.astype(np.float64))
    standardization = {
        'rows': 50,
        'columns': 6,
        'x': float32_base64(sx),
        'mean': [float(v) for v in scaler.mean_],
        'scale': [float(v) for v in scaler.scale_],
        'transformed': [float(v) for v in scaler.transform(sx.astype(np.float64)).ravel()],
    }

    with open(OUT, 'w') as handle:
        json.dump({'generator': f'scikit-learn {sklearn.__version__}, numpy {np.__version__}', 'problems': problems, 'standardization': standardization}, handle)
        handle.write('\n')
    print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
