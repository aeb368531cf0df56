"""DIR/fit.png: each moment's model value against its target, as a dot plot in standard errors.

One row per moment: the dot is z = (model − target)/se (0: on target), the shaded band is the
±pass_within·se a moment must fall in to pass, the whisker the spread (± one sd) of the model's
replications in the same units. Dots are green inside the band, red outside; the label at the
right gives the values in the moment's own units, so the plot reads without the table.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _fmt(x):
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}"


def _units(text):
    return "" if text in ("", "1") else f" {text}"


def plot_fit(path, targets, rows, title):
    names = [r.moment.name for r in rows]
    mean = np.array([r.mean for r in rows], dtype=float)
    sd = np.array([r.sd for r in rows], dtype=float)
    target = np.array([r.moment.value for r in rows], dtype=float)
    se = np.array([r.moment.se for r in rows], dtype=float)
    z = np.array([r.z for r in rows], dtype=float)
    spread = np.where(np.isfinite(sd), sd / se, 0.0)
    units = {r.moment.name: r.moment.units for r in rows}
    weights = {r.moment.name: r.moment.weight for r in rows}
    band = float(targets.pass_within)
    k = len(rows)
    reach = max(band * 1.6, float(np.nanmax(np.abs(z) + spread)) * 1.15 if np.isfinite(z).any() else 0.0, 3.0)

    fig, ax = plt.subplots(figsize=(10.5, 1.2 + 0.5 * k))
    y = np.arange(k)[::-1]
    ax.axvspan(-band, band, color="#dbeedb", zorder=0, label=f"target ± {band:g} se (pass)")
    ax.axvline(0.0, color="#2b6e2b", lw=1.0, zorder=1)
    ok = np.array([r.passed for r in rows])
    colours = np.where(ok, "#1f7a1f", "#c0392b")
    ax.errorbar(z, y, xerr=spread, fmt="none", ecolor="#555555", elinewidth=1, capsize=3, zorder=2,
                label="± 1 sd of the replications")
    ax.scatter(np.clip(z, -reach, reach), y, c=list(colours), s=46, zorder=3, edgecolors="black", linewidths=0.5)
    for yi, zi in zip(y, z):  # a dot off the scale is drawn at the edge, with an arrow
        if math.isfinite(zi) and abs(zi) > reach:
            ax.annotate("", xy=(math.copysign(reach, zi), yi), xytext=(math.copysign(reach * 0.88, zi), yi),
                        arrowprops={"arrowstyle": "->", "color": "#c0392b"})
    ax.set_yticks(y)
    ax.set_yticklabels([n + ("" if weights.get(n, 1) > 0 else "  (not fitted)") for n in names], fontsize=9)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-0.7, k - 0.3)
    ax.set_xlabel("(model − target) / se   (standard errors of the target)")
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(y)
    right.set_yticklabels([f"model {_fmt(m)} vs {_fmt(t)}{_units(units.get(n, ''))}  (z {zz:+.2f})"
                           for n, m, t, zz in zip(names, mean, target, z)], fontsize=8)
    right.tick_params(length=0)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False)
    fitted = [r for r in rows if r.moment.weight > 0]
    passed = sum(r.passed for r in fitted)
    fig.suptitle(f"{title}: {passed} of {len(fitted)} fitted moments within ±{band:g} se", fontsize=11,
                 x=0.01, ha="left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
