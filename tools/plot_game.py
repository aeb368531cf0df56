#!/usr/bin/python3
"""Plot a repeated pricing game's output, or a sweep over games as a heat map.

usage: tools/plot_game.py OUT.h5 -o OUT.png
       tools/plot_game.py --sweep DIR --metric NAME -o HEAT.png [--x PATH --y PATH] [--select DIM=ID]

OUT.h5 is written by `cloudmarket game` (schema cloudmarket-game-output/1). Left: the distribution
over sessions of the profit gain Delta (mean_profit_gain), with Delta = 0 (static Nash), 1
(monopoly), the Delta of uniformly random pricing and the sessions' mean marked. Right: the impulse
response (Calvano, Calzolari, Denicolo & Pastorello 2020's deviation experiment): the mean over
sessions of each seller's price against the periods tau around the deviation (tau 1), with the
interquartile range shaded and the Nash and monopoly prices dashed.

--sweep DIR: a sweep over a game (`cloudmarket sweep`): the mean of metric NAME at each pair of
values of two swept parameters, as a heat map with the values written in the cells. With exactly
two parameters they are the axes; otherwise name them with --x and --y (each cell then averages
over the other parameters too). Replications and runs that did not finish ok (NaN) are averaged
over / left out.

Exit codes: 0 written, 2 invalid input (a file that is not a game output or a sweep, an unknown
metric or parameter), 1 failure (the image cannot be written, a Python package missing).
Runs on Debian's /usr/bin/python3 (python3-xarray, python3-h5netcdf, python3-matplotlib).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sweeplib import deps  # noqa: E402

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: E402
    import matplotlib.ticker  # noqa: E402
    import numpy as np  # noqa: E402
    import xarray as xr  # noqa: E402
except ImportError as _error:
    print(f"plot_game.py: error: {deps.missing_message(_error)}", file=sys.stderr)
    sys.exit(1)

PROG = "plot_game.py"
GAME_OUTPUT_SCHEMA = "cloudmarket-game-output/1"
SWEEP_OUTPUT_SCHEMA = "cloudmarket-sweep-output/1"
MAX_CELLS = 40  # distinct values per heat-map axis; more means the parameter was not on a grid


class InputError(Exception):
    """Invalid input: exit 2 with this message."""


def _open(path, what):
    if not os.path.exists(path):
        raise InputError(f"{path}: error: no such file")
    if not os.path.isfile(path):
        raise InputError(f"{path}: error: not a regular file")
    try:
        return xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: error: cannot open it as {what}: {error}") from None


def _need(ds, path, names, what):
    missing = [n for n in names if n not in ds.variables]
    if missing:
        raise InputError(f"{path}: error: not {what}: no variable {', '.join(missing)}")


def _text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


# ------------------------------------------------------------------------------------------------
# One game
# ------------------------------------------------------------------------------------------------

def plot_game(path, output):
    ds = _open(path, "a game output")
    schema = _text(ds.attrs.get("schema", ""))
    if schema != GAME_OUTPUT_SCHEMA:
        hint = " (a sweep directory's sweep.h5? use --sweep DIR --metric NAME)" if schema == SWEEP_OUTPUT_SCHEMA else ""
        raise InputError(f"{path}: error: not a game output: its schema is '{schema or 'none'}', "
                         f"not '{GAME_OUTPUT_SCHEMA}'{hint}")
    _need(ds, path, ("mean_profit_gain", "impulse_price", "nash_price", "monopoly_price"), "a game output")
    delta = np.asarray(ds["mean_profit_gain"].values, dtype=float)
    finite = delta[np.isfinite(delta)]
    if finite.size == 0:
        raise InputError(f"{path}: error: the game output has no session with a finite profit gain")

    fig, (ax_h, ax_i) = plt.subplots(1, 2, figsize=(13, 6.2), gridspec_kw={"width_ratios": [1, 1.15]})
    _histogram(ax_h, ds, finite, delta.size)
    _impulse(ax_i, ds, path)
    name = _text(ds.attrs.get("game", os.path.basename(path)))
    converged = ""
    if "converged" in ds:
        c = np.asarray(ds["converged"].values)
        converged = f", {int(np.sum(c == 1))} converged"
    fig.suptitle(f"game {name}: {delta.size} session{'s' if delta.size != 1 else ''}{converged} (seed {ds.attrs.get('seed')}, "
                 f"{_text(ds.attrs.get('moves', '?'))} moves, {ds.attrs.get('grid_points', '?')} prices, "
                 f"{_text(ds.attrs.get('demand', '?'))} demand)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(output, dpi=110)
    plt.close(fig)


def _histogram(ax, ds, delta, sessions):
    lo, hi = min(-0.1, float(delta.min())), max(1.1, float(delta.max()))
    bins = int(min(40, max(10, math.sqrt(delta.size) * 2)))
    ax.hist(delta, bins=np.linspace(lo, hi, bins + 1), color="#8fb3d9", edgecolor="#35608f")
    ax.axvline(0.0, color="black", ls="--", lw=1.2, label="static Nash (Δ = 0)")
    ax.axvline(1.0, color="black", ls=":", lw=1.4, label="monopoly (Δ = 1)")
    if "random_profit_gain" in ds:
        r = float(ds["random_profit_gain"].values)
        if math.isfinite(r):
            ax.axvline(r, color="#2a9d3f", ls="-.", lw=1.4, label=f"random pricing (Δ = {r:.3f})")
    mean = float(np.mean(delta))
    ax.axvline(mean, color="#c0392b", lw=2, label=f"mean over sessions (Δ = {mean:.3f})")
    ax.set_xlabel("profit gain Δ = (π − π_Nash) / (π_monopoly − π_Nash), sellers' mean profit")
    ax.set_ylabel("sessions")
    left_out = sessions - delta.size
    ax.set_title("Profit gain over sessions" + (f" ({left_out} without a finite Δ left out)" if left_out else ""))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _legend_below(ax)
    ax.grid(alpha=0.3)


def _legend_below(ax):
    """Under the axes, where it hides neither bars nor bands."""
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)


def _impulse(ax, ds, path):
    imp = ds["impulse_price"]
    if imp.dims != ("session", "tau", "seller"):
        raise InputError(f"{path}: error: impulse_price has dimensions {imp.dims}, expected (session, tau, seller)")
    tau = np.asarray(ds["tau"].values) if "tau" in ds.variables else np.arange(imp.sizes["tau"])
    sellers = [_text(s) for s in ds["seller"].values]
    deviator = _text(imp.attrs.get("deviator", ""))
    data = np.asarray(imp.values, dtype=float)
    colors = plt.get_cmap("tab10").colors
    nash = np.asarray(ds["nash_price"].values, dtype=float)
    mono = np.asarray(ds["monopoly_price"].values, dtype=float)
    same = np.allclose(nash, nash[0]) and np.allclose(mono, mono[0])
    for k, seller in enumerate(sellers):
        color = colors[k % len(colors)]
        series = data[:, :, k]
        mean = np.nanmean(series, axis=0)
        q25, q75 = np.nanpercentile(series, [25, 75], axis=0)
        label = f"{seller} (deviator)" if seller == deviator else seller
        ax.fill_between(tau, q25, q75, color=color, alpha=0.18, lw=0)
        ax.plot(tau, mean, "-o", color=color, ms=3.5, label=f"{label}: mean, interquartile band")
        if not same:
            ax.axhline(nash[k], color=color, ls="--", lw=1, label=f"{seller}: Nash price {nash[k]:.3g}")
            ax.axhline(mono[k], color=color, ls=":", lw=1.2, label=f"{seller}: monopoly price {mono[k]:.3g}")
    if same:
        ax.axhline(nash[0], color="black", ls="--", lw=1, label=f"Nash price ({nash[0]:.3g})")
        ax.axhline(mono[0], color="black", ls=":", lw=1.2, label=f"monopoly price ({mono[0]:.3g})")
    if tau.size > 1:
        ax.axvline(1, color="grey", lw=0.8, alpha=0.6)
    ax.set_xlabel("τ (periods; 0 before the deviation, 1 the deviation)")
    units = _text(imp.attrs.get("units", ""))
    ax.set_ylabel("price" + (f" [{units}]" if units and units != "1" else ""))
    ax.set_title(f"Impulse response: {deviator or 'a seller'} deviates at τ = 1")
    ax.set_xticks(tau if tau.size <= 20 else tau[::max(1, tau.size // 10)])
    _legend_below(ax)
    ax.grid(alpha=0.3)


# ------------------------------------------------------------------------------------------------
# A sweep over games: heat map
# ------------------------------------------------------------------------------------------------

def _axis_values(column):
    """Distinct values of a design column, in a sensible order (numbers sorted, words as met)."""
    values = [_text(v) if isinstance(v, (bytes, str)) else v for v in column]
    if all(isinstance(v, str) for v in values):
        return list(dict.fromkeys(values)), values
    numbers = [float(v) for v in values]
    return sorted(set(numbers)), numbers


def _tick(v):
    return v if isinstance(v, str) else f"{v:g}"


def plot_heatmap(directory, metric, output, x=None, y=None, select=()):
    path = os.path.join(directory, "sweep.h5") if os.path.isdir(directory) else directory
    ds = _open(path, "a sweep's sweep.h5")
    if _text(ds.attrs.get("schema", "")) != SWEEP_OUTPUT_SCHEMA:
        raise InputError(f"{path}: error: not a sweep's sweep.h5 (run `cloudmarket sweep collect DIR`)")
    params = str(ds.attrs.get("parameters", "")).split()
    metrics = str(ds.attrs.get("metrics", "")).split()
    if metric not in metrics or metric not in ds:
        raise InputError(f"{path}: error: no metric '{metric}' in the sweep; its metrics are: {', '.join(metrics)}")
    for flag, name in (("--x", x), ("--y", y)):
        if name is not None and name not in params:
            raise InputError(f"{path}: error: {flag} '{name}' is not a parameter of the sweep; "
                             f"its parameters are: {', '.join(params)}")
    if x is None and y is None:
        if len(params) != 2:
            raise InputError(f"{path}: error: the sweep has {len(params)} parameters ({', '.join(params)}); "
                             "name the heat map's axes with --x PATH --y PATH")
        x, y = params
    elif x is None or y is None:
        raise InputError(f"{path}: error: give both --x and --y (or neither, for a sweep of two parameters)")
    if x == y:
        raise InputError(f"{path}: error: --x and --y must be two different parameters, got '{x}' twice")

    var = ds[metric]
    for item in select:
        dim, _, label = item.partition("=")
        if dim not in var.dims or dim == "run":
            raise InputError(f"{path}: error: --select {item}: metric '{metric}' has no dimension '{dim}'"
                             f" (its dimensions: {', '.join(d for d in var.dims if d != 'run') or 'none but run'})")
        labels = [_text(v) for v in var[dim].values]
        if label not in labels:
            raise InputError(f"{path}: error: --select {item}: no {dim} '{label}'; there are: {', '.join(labels)}")
        var = var.isel({dim: labels.index(label)})
    extra = [d for d in var.dims if d != "run"]
    if extra:
        choices = "; ".join(f"{d}: {', '.join(_text(v) for v in var[d].values)}" for d in extra)
        raise InputError(f"{path}: error: metric '{metric}' has a value per {', '.join(extra)}; "
                         f"choose one with --select DIM=ID ({choices})")

    z = np.asarray(var.values, dtype=float)
    xs, xcol = _axis_values(ds[x].values)
    ys, ycol = _axis_values(ds[y].values)
    for name, levels in ((x, xs), (y, ys)):
        if len(levels) > MAX_CELLS:
            raise InputError(f"{path}: error: parameter '{name}' takes {len(levels)} different values; a heat map "
                             f"needs a grid of at most {MAX_CELLS} values per axis (a grid design)")
    sums = np.zeros((len(ys), len(xs)))
    counts = np.zeros((len(ys), len(xs)))
    for xv, yv, zv in zip(xcol, ycol, z):
        if math.isfinite(zv):
            i, j = ys.index(yv), xs.index(xv)
            sums[i, j] += zv
            counts[i, j] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        cells = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    if not np.isfinite(cells).any():
        raise InputError(f"{path}: error: metric '{metric}' has no finite value (did any run finish ok?)")

    w = min(16, max(6.5, 1.1 * len(xs) + 3.5))
    h = min(12, max(4.8, 0.75 * len(ys) + 2.6))
    fig, ax = plt.subplots(figsize=(w, h))
    masked = np.ma.masked_invalid(cells)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#dddddd")
    image = ax.imshow(masked, origin="lower", aspect="auto", cmap=cmap)
    lo, hi = float(np.nanmin(cells)), float(np.nanmax(cells))
    fontsize = 9 if len(xs) <= 8 else 7
    for i in range(len(ys)):
        for j in range(len(xs)):
            v = cells[i, j]
            if not math.isfinite(v):
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=fontsize, color="black")
                continue
            # light text on the dark end of viridis, dark text on the light end
            frac = 0.5 if hi == lo else (v - lo) / (hi - lo)
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=fontsize,
                    color="white" if frac < 0.6 else "black")
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([_tick(v) for v in xs], rotation=30 if len(xs) > 6 else 0)
    ax.set_yticks(range(len(ys)))
    ax.set_yticklabels([_tick(v) for v in ys])
    ax.set_xlabel(_param_label(ds, x))
    ax.set_ylabel(_param_label(ds, y))
    long_name = _text(var.attrs.get("long_name", metric))
    units = _text(var.attrs.get("units", ""))
    bar = fig.colorbar(image, ax=ax)
    sel = "".join(f", {s}" for s in select)
    bar.set_label(f"{metric}{sel}" + (f" [{units}]" if units and units != "1" else ""))
    others = [p for p in params if p not in (x, y)]
    lo_n, hi_n = int(counts[counts > 0].min()), int(counts.max())
    runs = f"{hi_n}" if lo_n == hi_n else f"{lo_n} to {hi_n}"
    note = f"mean of {runs} run{'s' if hi_n != 1 else ''} per cell"
    if others:
        note += f", over {', '.join(others)}"
    title = _text(ds.attrs.get("title", "cloudmarket sweep"))
    ax.set_title(f"{title}\n{_wrap(long_name, 90)}{sel}\n({note})", fontsize=10)
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    plt.close(fig)


def _wrap(text, n):
    if len(text) <= n:
        return text
    cut = text.rfind(" ", 0, n)
    cut = cut if cut > 0 else n
    return text[:cut] + "\n" + _wrap(text[cut:].lstrip(), n)


def _param_label(ds, name):
    units = _text(ds[name].attrs.get("units", ""))
    return name + (f" [{units}]" if units and units != "1" else "")


# ------------------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", help="a game's output file (cloudmarket game ... -o OUT.h5)")
    parser.add_argument("-o", "--output", required=True, help="image to write (.png, .pdf, .svg)")
    parser.add_argument("--sweep", metavar="DIR", help="a sweep directory (or its sweep.h5): draw a heat map")
    parser.add_argument("--metric", help="with --sweep: the metric to draw")
    parser.add_argument("--x", metavar="PATH", help="with --sweep: the parameter along x")
    parser.add_argument("--y", metavar="PATH", help="with --sweep: the parameter along y")
    parser.add_argument("--select", metavar="DIM=ID", action="append", default=[],
                        help="with --sweep: one label of a metric's dimension, e.g. seller=firm1")
    args = parser.parse_args(argv)  # usage errors exit 2 (argparse)
    if args.sweep is not None:
        if args.input is not None:
            parser.error("give either a game output file or --sweep DIR, not both")
        if not args.metric:
            parser.error("--sweep needs --metric NAME")
        plot_heatmap(args.sweep, args.metric, args.output, args.x, args.y, args.select)
    else:
        if args.input is None:
            parser.error("give a game output file, or --sweep DIR --metric NAME")
        for flag in ("metric", "x", "y"):
            if getattr(args, flag) is not None:
                parser.error(f"--{flag} goes with --sweep")
        if args.select:
            parser.error("--select goes with --sweep")
        plot_game(args.input, args.output)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except InputError as error:
        print(f"{PROG}: {error}" if ": error: " not in str(error) else str(error), file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except ImportError as error:  # e.g. h5netcdf, which xarray loads only when it opens the file
        print(f"{PROG}: error: {deps.missing_message(error)}", file=sys.stderr)
        sys.exit(1)
    except OSError as error:  # the image cannot be written
        print(f"{PROG}: error: {error}", file=sys.stderr)
        sys.exit(1)
