"""The ``hrsnn`` command line: forecast a system, classify digits or SHD, run a study.

Examples
--------
::

    hrsnn forecast lorenz63                  # Lorenz63, 2,000 training steps
    hrsnn forecast mackey_glass --tune 12    # the reservoir tuned on validation first
    hrsnn classify digits --encoding poisson
    hrsnn classify shd --path shd_train.h5
    hrsnn study mc --n-neurons 500 --seeds 5
    hrsnn prune --n-neurons 500 --n-iter 4   # Lyapunov noise pruning, task-agnostic
    hrsnn dpap --network fc_snn --seeds 3    # DPAP during surrogate-gradient training

``python -m hrsnn ...`` does the same. Every subcommand prints its metrics,
writes figures and a JSON of the numbers into ``--out`` (default
``results/``) and shows a progress bar on the long parts.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from ._io import atomic_write_json, save_figure


def main(argv=None):
    """Entry point of the ``hrsnn`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        args.handler(args, out)
    except (ValueError, FileNotFoundError) as error:
        print(f"hrsnn {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


def _parser():
    from data_loaders import SYSTEMS

    parser = argparse.ArgumentParser(prog="hrsnn", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command",
                                     metavar="{forecast,classify,study,prune,dpap}")
    defaults_shown = {"formatter_class": argparse.ArgumentDefaultsHelpFormatter}

    forecast = commands.add_parser("forecast", help="closed-loop forecast of a chaotic system",
                                   **defaults_shown)
    forecast.add_argument("system", nargs="?", default="lorenz63",
                          help=f"one of {', '.join(SYSTEMS)}")
    forecast.add_argument("--n-train", type=int, default=2000, help="training steps")
    forecast.add_argument("--n-neurons", type=int, default=1000, help="reservoir neurons")
    forecast.add_argument("--seed", type=int, default=0, help="reservoir seed")
    forecast.add_argument("--series-seed", type=int, default=0,
                          help="seed of the system's initial state")
    forecast.add_argument("--dt", type=float, default=None,
                          help="sampling step of the system (default: the loader's)")
    forecast.add_argument("--n-starts", type=int, default=5, help="test forecasts")
    forecast.add_argument("--horizon", type=int, default=300, help="steps per test forecast")
    forecast.add_argument("--warmup", type=int, default=100,
                          help="true steps fed before each test forecast")
    forecast.add_argument("--tune", type=int, default=0, metavar="N",
                          help="first tune the reservoir with N fits scored on validation "
                               "forecasts inside the training part (0: the defaults)")
    forecast.set_defaults(handler=_forecast)

    classify = commands.add_parser("classify", help="classify digits or an SHD file",
                                   **defaults_shown)
    classify.add_argument("dataset", choices=("digits", "shd"), help="the data")
    classify.add_argument("--path", default=None, help="SHD HDF5 file (shd only)")
    classify.add_argument("--test-path", default=None,
                          help="separate SHD test file (default: 30%% split of --path)")
    classify.add_argument("--encoding", choices=("current", "poisson"), default="current",
                          help="digits only")
    classify.add_argument("--n-neurons", type=int, default=None,
                          help="reservoir neurons (None: the classifier's default)")
    classify.add_argument("--max-samples", type=int, default=None, help="SHD only")
    classify.add_argument("--seed", type=int, default=0, help="reservoir and split seed")
    classify.add_argument("--n-jobs", type=int, default=None,
                          help="threads of the reservoir (same results for any value)")
    classify.set_defaults(handler=_classify)

    study = commands.add_parser("study", **defaults_shown,
                                help="memory capacity or effective rank of the "
                                              "four heterogeneity variants")
    study.add_argument("kind", choices=("mc", "rank"),
                       help="memory capacity or effective rank")
    study.add_argument("--n-neurons", type=int, default=500, help="reservoir neurons")
    study.add_argument("--seeds", type=int, default=5, help="seeds per variant")
    study.set_defaults(handler=_study)

    prune = commands.add_parser("prune", help="prune a default network without a task "
                                              "(LNP, activity pruning or DPAP)",
                                **defaults_shown)
    prune.add_argument("--method", choices=("lnp", "activity", "dpap"), default="lnp",
                       help="dpap: during STDP passes over an i.i.d. U(-1, 1) input of "
                            "2,000 steps")
    prune.add_argument("--n-neurons", type=int, default=500, help="network neurons")
    prune.add_argument("--n-inputs", type=int, default=1, help="input channels")
    prune.add_argument("--n-iter", type=int, default=4, help="LNP / activity iterations")
    prune.add_argument("--density", type=float, default=0.45,
                       help="LNP: fraction of synapses kept per iteration; activity: "
                            "1 - sqrt(density) of the neurons removed per iteration")
    prune.add_argument("--epochs", type=int, default=20, help="DPAP: STDP passes")
    prune.add_argument("--seed", type=int, default=0, help="network and pruning seed")
    prune.set_defaults(handler=_prune)

    dpap = commands.add_parser("dpap", help="a gradient-trained network on the digits with "
                                            "and without DPAP", **defaults_shown)
    dpap.add_argument("--network", choices=("fc_snn", "conv_snn", "fc_relu", "conv_relu"),
                      default="fc_snn", help="64-300-10 SNN, the convolutional SNN, or ReLU")
    dpap.add_argument("--seeds", type=int, default=3, help="seeds (weights, order, inputs)")
    dpap.add_argument("--epochs", type=int, default=60, help="training epochs")
    dpap.add_argument("--epsilon", type=float, default=None,
                      help="DPAP's decay value (None: the paper's for the layer kind)")
    dpap.set_defaults(handler=_dpap)

    for sub in (forecast, classify, study, prune, dpap):
        sub.add_argument("--out", default="results", help="folder for figures and JSON")
        sub.set_defaults(defaults={a.dest: a.default for a in sub._actions})
    return parser


#: Arguments that never enter an output's name (where it goes, or already in it).
_UNNAMED = {"out", "help", "handler", "defaults", "command", "system", "dataset", "kind",
            "method", "network"}


def _output_name(base, args):
    """``base`` plus every setting that differs from its default, e.g.
    ``lorenz63_forecast_n-neurons500_seed3``, so that runs with other settings
    never overwrite each other's files (a rerun with the same settings, which
    gives the same numbers, does)."""
    changed = [(key, value) for key, value in vars(args).items()
               if key not in _UNNAMED and value != args.defaults.get(key, value)]
    parts = [f"{key.replace('_', '-')}{Path(str(value)).name}" for key, value in changed]
    return "_".join([base] + parts)


# ------------------------------------------------------------------ forecast
def _forecast(args, out):
    from data_loaders import DEFAULT_DT, LYAPUNOV_EXPONENTS, load_system

    from . import plotting
    from .evaluation import evaluate_forecaster, forecast_windows
    from .readout import AutoregressiveRidge, Forecaster
    from .reservoir import Reservoir

    _check_positive(args, ("n_train", "n_neurons", "n_starts", "horizon", "warmup"))
    if args.tune < 0:
        raise ValueError(f"--tune must be a non-negative integer; got {args.tune}.")
    if args.dt is not None and not args.dt > 0:
        raise ValueError(f"--dt must be a positive number; got {args.dt}.")
    reservoir = Reservoir(args.n_neurons, random_state=args.seed)
    model = Forecaster(reservoir)
    if args.n_train < model.min_training_steps():
        raise ValueError(f"--n-train must be at least {model.min_training_steps()}: the "
                         f"forecaster trains its readout after a washout of "
                         f"{model.washout} steps and holds out "
                         f"{model.validation_fraction:.0%} of the series to choose its "
                         f"ridge penalty by {model.validation_horizon}-step forecasts; got "
                         f"{args.n_train}.")
    n_total = args.n_train + args.n_starts * (args.warmup + args.horizon)
    params = {} if args.dt is None else {"dt": args.dt}
    series = load_system(args.system, n_total, random_state=args.series_seed, **params)
    starts = forecast_windows(len(series), args.n_train, args.n_starts, args.horizon,
                              args.warmup)
    dt = args.dt if args.dt is not None else DEFAULT_DT[args.system]
    lyapunov = LYAPUNOV_EXPONENTS.get(args.system)
    scale = series.std(axis=0)
    print(f"{args.system}: {len(series)} steps of dt = {dt}; training on {args.n_train}, "
          f"{args.n_starts} closed-loop forecasts of {args.horizon} steps")

    with _progress(None, "fit: STDP, readout chosen on validation forecasts"
                   + (f" ({args.tune} tuning fits)" if args.tune else ""), total=3) as bar:
        began = time.perf_counter()
        tuned = None
        if args.tune:
            from .optimize import tune_forecaster
            model, search = tune_forecaster(model, series[:args.n_train], n_iter=args.tune,
                                            n_initial=min(8, args.tune),
                                            random_state=args.seed)
            tuned = search.best_["params"]
        else:
            model.fit(series[:args.n_train])
        fit_seconds = time.perf_counter() - began
        baseline = AutoregressiveRidge().fit(series[:args.n_train])
        bar.update()
        bar.set_description("test forecasts")
        evaluations = {}
        for name, m in (("hrsnn", model), ("linear AR", baseline)):
            evaluations[name] = evaluate_forecaster(
                m, series, n_train=args.n_train, n_starts=args.n_starts,
                horizon=args.horizon, warmup=args.warmup, thresholds=(0.1, 0.4),
                scale=scale, fit=False)
            bar.update()
    layout = (f"{model.patches_.n_blocks} local reservoirs" if model.patches_.local
              else "one reservoir")
    print(f"fitted {model.reservoir_.network_.n_neurons} neurons ({layout}) in "
          f"{fit_seconds:.1f} s: {model.readout_kind_} readout, alpha = {model.alpha_:g}, "
          f"{model.refit_rounds_} closed-loop refit rounds")
    if tuned is not None:
        print("tuned reservoir: " + ", ".join(f"{k} = {v:.4g}" for k, v in tuned.items()))

    out_degree = model.reservoir_.network_.out_degree()
    summary = {name: _summarise(_scores(e, dt, lyapunov, out_degree))
               for name, e in evaluations.items()}
    _print_forecast_table(summary, lyapunov is not None)
    figure = plotting.plot_forecast(series[starts[0]:starts[0] + args.horizon],
                                    evaluations["hrsnn"].forecasts[0],
                                    dt=dt, lyapunov_exponent=lyapunov, threshold=0.4,
                                    scale=scale)
    name = _output_name(f"{args.system}_forecast", args)
    figure_path = out / f"{name}.png"
    save_figure(figure, figure_path, dpi=120)
    report = {"system": args.system, "dt": dt, "n_train": args.n_train,
              "n_neurons": args.n_neurons, "seed": args.seed, "alpha": model.alpha_,
              "readout": model.readout_kind_, "local_blocks": model.patches_.n_blocks
              if model.patches_.local else 0, "refit_rounds": model.refit_rounds_,
              "tuned_params": tuned,
              "fit_seconds": fit_seconds, "starts": starts.tolist(), "scores": summary}
    atomic_write_json(out / f"{name}.json", report, indent=2)
    print(f"wrote {figure_path} and {out / (name + '.json')}")


def _scores(evaluation, dt, lyapunov, out_degree):
    """Per-window scores of one model (SOPs only for models that count spikes)."""
    row = {"one_step_nrmse": evaluation.one_step_nrmse_windows}
    for column, threshold in enumerate(evaluation.thresholds):
        row[f"vpt_steps_{threshold}"] = evaluation.vpt_steps[:, column]
    for column, threshold in enumerate(evaluation.thresholds):
        if lyapunov is not None:
            row[f"vpt_lyapunov_{threshold}"] = (evaluation.vpt_lyapunov(dt, lyapunov)
                                                [:, column])
    sops = evaluation.sops_per_step(out_degree)
    if sops is not None:
        row["sops_per_step"] = sops
    return row


def _summarise(row):
    return {key: {"median": float(np.median(values)), "values": [float(v) for v in values]}
            for key, values in row.items() if len(values)}


def _print_forecast_table(summary, with_lyapunov):
    columns = ["one_step_nrmse", "vpt_steps_0.1", "vpt_steps_0.4"]
    if with_lyapunov:
        columns += ["vpt_lyapunov_0.1", "vpt_lyapunov_0.4"]
    columns.append("sops_per_step")
    print(f"{'median over windows':<20}" + "".join(f"{c:>18}" for c in columns))
    for name, scores in summary.items():
        cells = [f"{scores[c]['median']:>18.4g}" if c in scores else f"{'-':>18}"
                 for c in columns]
        print(f"{name:<20}" + "".join(cells))


# ------------------------------------------------------------------ classify
def _classify(args, out):
    _check_positive(args, ("n_neurons", "max_samples"))
    from . import plotting

    if args.dataset == "digits":
        report = _classify_digits(args)
    else:
        report = _classify_shd(args)
    name = _output_name(f"{args.dataset}_classification", args)
    figure = plotting.plot_confusion(report["confusion_matrix"], title=(
        f"HRSNN {args.dataset}: test accuracy {report['accuracy']:.1%} "
        f"({report['n_test']} samples)"))
    save_figure(figure, out / f"{name}.png", dpi=120)
    atomic_write_json(out / f"{name}.json", report, indent=2)
    print(f"wrote {out / name}.png and {out / name}.json")


def _classify_digits(args):
    from .classification import evaluate_digits

    kwargs = {} if args.n_neurons is None else {"n_neurons": args.n_neurons}
    print(f"digits, {args.encoding} encoding: 30 % stratified test split, "
          f"random_state={args.seed}")
    report = evaluate_digits(args.encoding, random_state=args.seed, n_jobs=args.n_jobs,
                             **kwargs)
    print(f"accuracy {report['accuracy']:.4f}   (ridge on raw pixels: "
          f"{report['baseline_accuracy']:.4f})   {report['wall_time_s']:.1f} s")
    return report


def _classify_shd(args):
    from .classification import evaluate_shd

    if args.path is None:
        raise ValueError("classify shd needs --path to a local SHD HDF5 file "
                         "(e.g. shd_train.h5); nothing is downloaded.")
    kwargs = {} if args.n_neurons is None else {"n_neurons": args.n_neurons}
    print(f"SHD {args.path}: reservoir + ridge, "
          + ("30 % stratified test split" if args.test_path is None else args.test_path))
    report = evaluate_shd(args.path, args.test_path, random_state=args.seed,
                          n_jobs=args.n_jobs, max_samples=args.max_samples, **kwargs)
    print(f"{report['n_train']} training and {report['n_test']} test samples, "
          f"{report['n_channels']} channels, bins of {report['bin_ms']:g} ms, "
          f"{report['n_neurons']} neurons")
    print(f"accuracy {report['accuracy']:.4f} ({report['n_classes']} classes)   "
          f"{report['wall_time_s']:.1f} s")
    return report


# --------------------------------------------------------------------- study
def _study(args, out):
    from . import plotting, studies

    _check_positive(args, ("n_neurons", "seeds"))
    run = {"mc": studies.memory_capacity_study, "rank": studies.effective_rank_study}
    study_name = {"mc": "memory_capacity_study", "rank": "effective_rank_study"}[args.kind]
    name = _output_name(study_name, args)
    print(f"{study_name}: variants {', '.join(studies.VARIANTS)}, N = {args.n_neurons}, "
          f"{args.seeds} seeds")
    began = time.perf_counter()
    records = run[args.kind](seeds=range(args.seeds), n_neurons=args.n_neurons,
                             progress=True)
    keys = (("mc", "spikes", "mc_per_spike", "rate_hz") if args.kind == "mc"
            else ("rank", "spikes", "rate_hz"))
    print(studies.format_summary(studies.summarize(records, keys), keys))
    print(f"{time.perf_counter() - began:.1f} s")
    figure = plotting.plot_study(records, metrics=keys)
    save_figure(figure, out / f"{name}.png", dpi=120)
    paths = studies.save_records(records, out / name)
    print(f"wrote {out / (name + '.png')}, {paths[0]} and {paths[1]}")


# --------------------------------------------------------------------- prune
def _prune(args, out):
    from . import build_network, plotting
    from .pruning import activity_prune, dpap_prune, lnp

    _check_positive(args, ("n_neurons", "n_inputs", "epochs"))
    if args.n_iter < 0:
        raise ValueError(f"--n-iter must be a non-negative integer; got {args.n_iter}.")
    if not 0 < args.density <= 1:
        raise ValueError(f"--density must lie in (0, 1]; got {args.density}.")
    network = build_network(args.n_neurons, args.n_inputs, args.seed)
    rounds = f"{args.epochs} epochs" if args.method == "dpap" else f"{args.n_iter} iterations"
    print(f"{args.method} pruning of a default network: N = {args.n_neurons}, "
          f"{network.n_synapses} synapses, {rounds}")
    began = time.perf_counter()
    if args.method == "lnp":
        result = lnp(network, n_iter=args.n_iter, density=args.density, random_state=args.seed)
    elif args.method == "dpap":
        u = np.random.default_rng(args.seed).uniform(-1.0, 1.0, (1, 2000, args.n_inputs))
        result = dpap_prune(network, u, n_epochs=args.epochs, random_state=args.seed)
    else:
        result = activity_prune(network, n_iter=args.n_iter, keep_inputs=False,
                                fraction=1 - np.sqrt(args.density), random_state=args.seed)
    keys = [key for key in result.history[0] if key != "iteration"]
    print("iteration " + "".join(f"{key:>18s}" for key in keys))
    for row in result.history:
        print(f"{row['iteration']:9d} " + "".join(f"{row[key]:18.6g}" for key in keys))
    print(f"{time.perf_counter() - began:.1f} s")
    name = _output_name(f"prune_{args.method}", args)
    report = {"args": {k: v for k, v in vars(args).items() if k not in ("handler", "defaults")},
              "history": result.history,
              "kept_neuron_ids": result.network.neuron_id.tolist()}
    atomic_write_json(out / f"{name}.json", report, indent=2, default=str)
    figure = plotting.plot_pruning_history(result.history, keys)
    save_figure(figure, out / f"{name}.png", dpi=120)
    print(f"wrote {out / (name + '.png')} and {out / (name + '.json')}")


# ---------------------------------------------------------------------- dpap
def _dpap(args, out):
    from . import plotting, studies
    from .studies.dpap import convergence_epoch, digits_split, dpap_record

    _check_positive(args, ("seeds", "epochs"))
    if args.epsilon is not None and not np.isfinite(args.epsilon):
        raise ValueError(f"--epsilon must be a finite number; got {args.epsilon}.")
    extra = {} if args.epsilon is None else {"epsilon": args.epsilon}
    data, records = digits_split(), []
    print(f"{args.network} on digits (1,257 train / 540 test), {args.epochs} epochs, "
          f"{args.seeds} seeds, without and with DPAP")
    with _progress(None, "training", total=2 * args.seeds) as bar:
        for seed in range(args.seeds):
            plain = dpap_record(args.network, seed, data, dpap=False, epochs=args.epochs)
            bar.update()
            pruned = dpap_record(args.network, seed, data, epochs=args.epochs, **extra)
            bar.update()
            for record, variant in ((plain, args.network), (pruned, f"{args.network} + DPAP")):
                epoch = convergence_epoch(record, plain)
                record.update(variant=variant, convergence=args.epochs + 1 if epoch is None
                              else epoch)
            records += [plain, pruned]
    keys = ("accuracy", "pruned_fraction", "sops_per_sample", "convergence")
    print(studies.format_summary(studies.summarize(records, keys), keys))
    name = _output_name(f"dpap_{args.network}", args)
    figure = plotting.plot_study(records, metrics=keys)
    save_figure(figure, out / f"{name}.png", dpi=120)
    atomic_write_json(out / f"{name}.json", {"results": records}, indent=1)
    print(f"wrote {out / name}.png and {out / name}.json")


def _progress(iterable, description, total=None):
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=description, total=total, leave=False, file=sys.stderr)


def _check_positive(args, names):
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive integer; "
                             f"got {value}.")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
