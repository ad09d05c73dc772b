"""Seconds per training epoch of hrsnn.gradient's networks on 8x8 digits, and test accuracy.

Data: scikit-learn's digits (``data_loaders.load_digits_images``, intensities
in [0, 1]), a stratified 70/30 split with seed 0: 1,257 training and 540 test
samples. An epoch is one pass of :func:`hrsnn.gradient.fit` (batches of 32,
Adam, BPTT) over the 1,257 training digits; the time is the median of
``--epochs-timed`` epochs after a first one (not counted). Printed:

1. seconds per epoch of ``fc_snn`` (64-300-10), ``conv_snn``
   (15C3-AvgPool2-40C3-Flatten-300FC-10FC) and their ReLU counterparts (T = 1),
   with one BLAS thread (``fit``'s default) and with the threads numpy has;
2. how ``fc_snn``'s epoch scales with the hidden size and the time steps T;
3. with ``--accuracy``: test accuracy of each of these networks trained with
   the defaults of ``fit`` (30 epochs, lr 2e-3, batches of 32), for ``--seeds``.

    python benchmarks/bench_gradient.py [--accuracy] [--seeds 0 1 2] [--epochs-timed 3]
"""

import argparse
import statistics
import time
from functools import partial


def digits():
    from sklearn.model_selection import train_test_split

    from data_loaders import load_digits_images

    X, y = load_digits_images()
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def seconds_per_epoch(build, X, y, loss, epochs_timed, blas_threads=1):
    """Median wall time of one epoch (after a first, untimed one)."""
    from hrsnn.gradient import fit

    model = build()
    history = fit(model, X, y, epochs=1 + epochs_timed, loss=loss, progress=False,
                  blas_threads=blas_threads)
    return statistics.median(history.seconds[1:])


def networks():
    """Name -> (builder taking ``random_state``, loss)."""
    from hrsnn.gradient import conv_relu, conv_snn, fc_relu, fc_snn

    current = {"n_steps": 8, "encoding": "current"}
    return {
        "fc_snn (T=16, Poisson)": (fc_snn, "mse"),
        "fc_snn (T=8, current)": (partial(fc_snn, **current), "mse"),
        "conv_snn (T=16, Poisson)": (conv_snn, "mse"),
        "conv_snn (T=8, current)": (partial(conv_snn, **current), "mse"),
        "fc_relu (T=1)": (fc_relu, "cross_entropy"),
        "conv_relu (T=1)": (conv_relu, "cross_entropy"),
    }


def timing_table(X, y, epochs_timed):
    from threadpoolctl import threadpool_info

    threads = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"),
                  default="?")
    print(f"\nSeconds per epoch ({len(X)} digits, batches of 32; fit's default "
          f"blas_threads=1, and numpy's {threads} BLAS threads)")
    print(f"{'network':28s} {'parameters':>10s} {'1 thread':>9s} {'numpy BLAS':>11s}")
    for name, (build, loss) in networks().items():
        single = seconds_per_epoch(build, X, y, loss, epochs_timed)
        default = seconds_per_epoch(build, X, y, loss, epochs_timed, blas_threads=None)
        print(f"{name:28s} {build().n_parameters():10d} {single:9.3f} {default:11.3f}",
              flush=True)


def scaling_table(X, y, epochs_timed):
    from hrsnn.gradient import fc_snn

    print("\nfc_snn seconds per epoch (1 BLAS thread, Poisson input): hidden size x T")
    steps = (4, 8, 16, 32)
    print(f"{'n_hidden':>8s} " + " ".join(f"{'T=' + str(t):>7s}" for t in steps))
    for n_hidden in (100, 300, 1000):
        row = [seconds_per_epoch(partial(fc_snn, n_hidden=n_hidden, n_steps=t), X, y, "mse",
                                 epochs_timed) for t in steps]
        print(f"{n_hidden:8d} " + " ".join(f"{s:7.3f}" for s in row), flush=True)


def accuracy_table(Xtr, Xte, ytr, yte, seeds):
    from hrsnn.gradient import fit, score

    print(f"\nTest accuracy ({len(Xte)} digits) after fit's defaults (30 epochs, lr 2e-3), "
          f"seeds {list(seeds)}")
    for name, (build, loss) in networks().items():
        accuracies, began = [], time.perf_counter()
        for seed in seeds:
            model = build(random_state=seed)
            fit(model, Xtr, ytr, loss=loss, random_state=seed, progress=False)
            accuracies.append(score(model, Xte, yte))
        text = " ".join(f"{a:.4f}" for a in accuracies)
        print(f"{name:28s} {text}  mean {statistics.mean(accuracies):.4f}  "
              f"({time.perf_counter() - began:.0f} s)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-timed", type=int, default=3)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    Xtr, Xte, ytr, yte = digits()
    timing_table(Xtr, ytr, args.epochs_timed)
    scaling_table(Xtr, ytr, args.epochs_timed)
    if args.accuracy:
        accuracy_table(Xtr, Xte, ytr, yte, args.seeds)


if __name__ == "__main__":
    main()
