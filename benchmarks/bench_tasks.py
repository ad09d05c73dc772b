"""The papers' tasks side by side with baselines measured in the same run.

* Lorenz63 (dt = 0.02, 2,000 training steps): the default ``Forecaster``
  (one reservoir per seed) against a linear autoregressive ridge model and,
  when ``reservoirpy`` is installed (``pip install -e ".[bench]"``), a
  ReservoirPy echo state network with the same number of units, lightly tuned
  on validation forecasts inside the training data. Every model sees the same
  training series and the same test windows (5 per seed, each after 100 true
  warm-up steps). Prints one-step NRMSE, closed-loop VPT at thresholds 0.1 and
  0.4 (steps and Lyapunov times, median and quartiles over seeds x windows)
  and wall time.
* Digits (scikit-learn's 8x8 digits, 30 % stratified test split,
  ``random_state=0``): the default classification pipeline with current and
  Poisson encodings against a ridge classifier on raw pixels.

Usage::

    python benchmarks/bench_tasks.py                  # everything, ~5-10 min
    python benchmarks/bench_tasks.py --tasks lorenz63 --seeds 2 --no-esn
"""

import argparse
import itertools
import time

import numpy as np
from sklearn.linear_model import Ridge

from data_loaders import LYAPUNOV_EXPONENTS, lorenz63
from hrsnn import Forecaster, forecasting_reservoir
from hrsnn.evaluation import compare_forecasters, select_alpha_by_forecast, validation_starts
from hrsnn.metrics import RIDGE_ALPHAS
from hrsnn.readout import AutoregressiveRidge

DT = 0.02
#: A rate-based ESN wants small penalties: the decades 1e-6 .. 1 of the library's grid.
ESN_ALPHAS = RIDGE_ALPHAS[0:13:4]
LAMBDA = LYAPUNOV_EXPONENTS["lorenz63"]


class ESNForecaster:
    """ReservoirPy echo state network with the Forecaster's protocol.

    States of a ``reservoirpy.nodes.Reservoir`` (plus the input) feed a ridge
    readout of the next standardised value; closed loop feeds predictions
    back. ``fit`` picks the ridge alpha on closed-loop validation forecasts in
    the last quarter of the training series, like ``Forecaster``.
    """

    def __init__(self, units, sr=1.0, lr=0.5, input_scaling=0.5, seed=0,
                 alphas=ESN_ALPHAS, washout=100):
        self.units, self.sr, self.lr, self.input_scaling = units, sr, lr, input_scaling
        self.seed, self.alphas, self.washout = seed, alphas, washout

    def fit(self, series):
        from reservoirpy.nodes import Reservoir
        self.mean_, self.scale_ = series.mean(0), series.std(0)
        z = (series - self.mean_) / self.scale_
        self.node_ = Reservoir(self.units, sr=self.sr, lr=self.lr,
                               input_scaling=self.input_scaling, seed=self.seed)
        features = self._features(self.node_.run(z), z)
        n_val = len(z) // 4

        def forecast(readout, start):
            self._reset()
            f = self._features(self.node_.run(z[start - 100:start]), z[start - 100:start])
            return self._loop(readout, f[-1], 100)

        self.alpha_, scores = select_alpha_by_forecast(
            self.alphas, lambda alpha: self._ridge(alpha, features, z, len(z) - n_val),
            forecast, z, validation_starts(len(z), n_val, 100, 4), horizon=100)
        self.validation_score_ = scores[self.alpha_][0]
        self.readout_ = self._ridge(self.alpha_, features, z, len(z))
        return self

    def predict(self, series):
        z = (series - self.mean_) / self.scale_
        self._reset()
        features = self._features(self.node_.run(z), z)
        self._last = features[-1]
        return self.readout_.predict(features) * self.scale_ + self.mean_

    def forecast(self, n_steps, warmup):
        self.predict(warmup)
        return self._loop(self.readout_, self._last, n_steps) * self.scale_ + self.mean_

    def _loop(self, readout, features, n_steps):
        out = np.empty((n_steps, len(self.mean_)))
        for k in range(n_steps):
            x = readout.predict(features[None])[0]
            out[k] = x
            features = np.concatenate([self.node_(x), x])
        return out

    def _ridge(self, alpha, features, z, n_used):
        rows = np.arange(self.washout, n_used - 1)
        return Ridge(alpha=alpha).fit(features[rows], z[rows + 1])

    def _reset(self):
        if self.node_.initialized:
            self.node_.reset()

    @staticmethod
    def _features(states, z):
        return np.hstack([states, z])


def tune_esn(units, train, seed=0):
    """Light grid over spectral radius, leak rate and input scaling (validation score)."""
    best = None
    for sr, lr, scaling in itertools.product((0.9, 1.2), (0.3, 1.0), (0.1, 0.5)):
        model = ESNForecaster(units, sr=sr, lr=lr, input_scaling=scaling, seed=seed).fit(train)
        if best is None or model.validation_score_ > best[0]:
            best = (model.validation_score_, dict(sr=sr, lr=lr, input_scaling=scaling))
    return best[1]


def lorenz_task(args):
    warmup, horizon, n_starts = 100, 300, 5
    series = lorenz63(args.n_train + n_starts * (warmup + horizon), dt=DT, random_state=0)
    train = series[:args.n_train]
    models = {f"hrsnn Forecaster (N={args.n_neurons})":
              lambda seed: Forecaster(forecasting_reservoir(args.n_neurons, random_state=seed)),
              "linear AR (5 lags)": lambda seed: AutoregressiveRidge()}
    if not args.no_esn:
        try:
            import reservoirpy  # noqa: F401
        except ImportError:
            print("reservoirpy is not installed: no ESN baseline "
                  "(pip install -e '.[bench]')")
        else:
            began = time.perf_counter()
            config = tune_esn(args.esn_units, train)
            print(f"ESN tuned on validation forecasts in {time.perf_counter() - began:.0f} s: "
                  f"{config}")
            models[f"ReservoirPy ESN ({args.esn_units} units)"] = (
                lambda seed: ESNForecaster(args.esn_units, seed=seed, **config))
    print(f"\nLorenz63, dt={DT}, {args.n_train} training steps, {len(args.seeds)} seeds x "
          f"{n_starts} windows of {horizon} steps (after {warmup} warm-up steps); "
          f"1 Lyapunov time = {1 / (DT * LAMBDA):.1f} steps")
    header = (f"{'model':<32}{'1-step NRMSE':>13}{'VPT0.1 [LT]':>20}{'VPT0.4 [LT]':>20}"
              f"{'fit s':>8}{'test s':>8}")
    print(header)
    results = compare_forecasters(models, series, args.seeds,
                                  deterministic=[n for n in models if n.startswith("linear")],
                                  n_train=args.n_train, n_starts=n_starts, horizon=horizon,
                                  warmup=warmup)
    for name, result in results.items():
        vpt = result.vpt_lyapunov(DT, LAMBDA)
        print(f"{name:<32}{result.one_step_nrmse:>13.4f}{_quartiles(vpt[:, 0]):>20}"
              f"{_quartiles(vpt[:, 1]):>20}{result.fit_seconds:>8.1f}"
              f"{result.test_seconds:>8.1f}")


def _quartiles(values):
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return f"{q2:.2f} [{q1:.2f}-{q3:.2f}]"


def digits_task(args):
    from hrsnn.classification import evaluate_digits
    print("\nDigits (8x8, 30 % stratified test split, random_state=0)")
    print(f"{'pipeline':<32}{'accuracy':>10}{'raw-pixel ridge':>17}{'wall s':>8}")
    for encoding in ("current", "poisson"):
        result = evaluate_digits(encoding, random_state=0, n_jobs=args.n_jobs)
        print(f"{'Reservoir(' + encoding + ') + ridge':<32}{result['accuracy']:>10.4f}"
              f"{result['baseline_accuracy']:>17.4f}{result['wall_time_s']:>8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="lorenz63,digits")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-neurons", type=int, default=1000)
    parser.add_argument("--esn-units", type=int, default=2000)
    parser.add_argument("--no-esn", action="store_true")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    args.seeds = list(range(args.seeds))
    tasks = args.tasks.split(",")
    if "lorenz63" in tasks:
        lorenz_task(args)
    if "digits" in tasks:
        digits_task(args)


if __name__ == "__main__":
    main()
