"""Backprop-trained heterogeneous recurrent SNNs (HeNB, HoNB) against the STDP reservoir.

The first paper's gradient-trained variants: a recurrent spiking network
whose recurrent, input and readout weights are trained end to end by
surrogate-gradient BPTT (``hrsnn.gradient``), with homogeneous membrane time
constants (HoNB: all 20 ms), heterogeneous ones (HeNB: gamma, shape 3, mean
20 ms, the reservoir's excitatory distribution) or heterogeneous and trained
(HeNB + tau). Against them, at the same neuron count, the STDP reservoir
with a ridge readout (``Reservoir()`` defaults).

- Lorenz63 one-step prediction: input x(t), target x(t + 1), standardised
  with the training part's statistics; 2,000 training steps, NRMSE on the
  next 600 after a 50-step washout, every model run from its rest state.
  BPTT models: ``fit_sequences`` (its defaults, chosen on a validation
  split: windows of 100 steps, 20 of washout, Adam at 1e-2, ``--epochs``);
  the reservoir: ``SequenceRegressor`` (ridge alpha on a validation tail).
- Digits: ``recurrent_snn`` (Poisson input over 16 steps, rate readout,
  30 epochs) against ``default_classifier`` (reservoir + ridge), stratified
  70/30 split.

Mean ± sample std over ``--seeds``; writes ``backprop_reservoir.json`` and
``backprop_reservoir.png``.

    python examples/backprop_reservoir.py [--n-neurons 200] [--seeds 3] [--epochs 150]
"""

import argparse
import json
import time
from pathlib import Path

VARIANTS = {"HoNB": {}, "HeNB": {"tau_shape": 3.0}, "HeNB + tau": {"tau_shape": 3.0,
                                                                      "train_tau": True}}
WASHOUT = 50


def lorenz_data():
    from data_loaders import lorenz63
    series = lorenz63(2601, dt=0.02, random_state=0)
    z = (series - series[:2000].mean(axis=0)) / series[:2000].std(axis=0)
    return z[:-1], z[1:]                                   # u(t) -> y(t) = u(t + 1)


def lorenz_records(seed, data, args):
    from hrsnn import Reservoir
    from hrsnn.gradient import fit_sequences, predict_sequence, sequence_snn
    from hrsnn.metrics import nrmse
    from hrsnn.readout import SequenceRegressor
    U, Y = data
    records = []
    for name, params in VARIANTS.items():
        model = sequence_snn(3, args.n_neurons, 3, random_state=seed, **params)
        began = time.perf_counter()
        fit_sequences(model, U[:2000], Y[:2000], epochs=args.epochs, random_state=seed,
                      progress=False)
        prediction = predict_sequence(model, U[2000:])
        records.append({"task": "lorenz63", "variant": name, "seed": seed,
                        "nrmse": float(nrmse(Y[2000 + WASHOUT:], prediction[WASHOUT:])),
                        "seconds": time.perf_counter() - began})
    began = time.perf_counter()
    reservoir = SequenceRegressor(Reservoir(args.n_neurons, random_state=seed),
                                  washout=WASHOUT).fit(U[:2000], Y[:2000])
    prediction = reservoir.predict(U[2000:])
    records.append({"task": "lorenz63", "variant": "STDP reservoir", "seed": seed,
                    "nrmse": float(nrmse(Y[2000 + WASHOUT:], prediction[WASHOUT:])),
                    "seconds": time.perf_counter() - began})
    records.append({"task": "lorenz63", "variant": "persistence", "seed": seed,
                    "nrmse": float(nrmse(Y[2000 + WASHOUT:], U[2000 + WASHOUT:])),
                    "seconds": 0.0})
    return records


def digits_records(seed, args):
    from hrsnn.classification import default_classifier, digits_dataset
    from hrsnn.gradient import fit, recurrent_snn, score
    from hrsnn.studies.dpap import digits_split
    X_train, X_test, y_train, y_test = digits_split()
    records = []
    for name, params in VARIANTS.items():
        model = recurrent_snn(n_hidden=args.n_neurons, random_state=seed, **params)
        began = time.perf_counter()
        fit(model, X_train, y_train, random_state=seed, progress=False)
        records.append({"task": "digits", "variant": name, "seed": seed,
                        "accuracy": score(model, X_test, y_test),
                        "seconds": time.perf_counter() - began})
    from sklearn.model_selection import train_test_split
    X, y = digits_dataset()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    began = time.perf_counter()
    model = default_classifier(n_neurons=args.n_neurons, random_state=seed).fit(Xtr, ytr)
    records.append({"task": "digits", "variant": "STDP reservoir", "seed": seed,
                    "accuracy": float(model.score(Xte, yte)),
                    "seconds": time.perf_counter() - began})
    return records


def plot(records, path, caption):
    import matplotlib.pyplot as plt

    from hrsnn.plotting import plot_study
    lorenz = [r for r in records if r["task"] == "lorenz63"]
    digits = [r for r in records if r["task"] == "digits"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    plot_study(lorenz, metrics=("nrmse",), labels={"nrmse": "Lorenz63 one-step NRMSE"},
               axes=[axes[0]])
    plot_study(digits, metrics=("accuracy",), labels={"accuracy": "digits test accuracy"},
               axes=[axes[1]])
    axes[1].set_ylim(0.8, 1.0)
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--n-neurons", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=150, help="BPTT epochs on Lorenz63")
    ap.add_argument("--out", default="results")
    args = ap.parse_args(argv)
    import matplotlib
    matplotlib.use("Agg")

    from hrsnn.studies import format_summary, summarize
    data, records = lorenz_data(), []
    for seed in range(args.seeds):
        records += lorenz_records(seed, data, args) + digits_records(seed, args)
        print(f"seed {seed} done", flush=True)
    caption = (f"N = {args.n_neurons} neurons, mean ± sample std over {args.seeds} seed"
               + ("s" if args.seeds != 1 else ""))
    for task, key in (("lorenz63", "nrmse"), ("digits", "accuracy")):
        chosen = [r for r in records if r["task"] == task]
        print(f"\n{task}, {caption}\n" + format_summary(summarize(chosen, [key, "seconds"])))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "backprop_reservoir.json").write_text(json.dumps(
        {"args": vars(args), "results": records}, indent=1))
    plot(records, out / "backprop_reservoir.png", caption)
    print(f"saved {out}/backprop_reservoir.json and .png")


if __name__ == "__main__":
    main()
