"""The house style of cloudmarket's figures, shared by tools/plot.py, plot_startups.py and plot_sweep.py.

Colours. Vendors take the colour-blind-safe palette of Okabe and Ito ("Color Universal Design",
https://jfly.uni-koeln.de/color/), one colour per vendor, by a fixed rule: the vendors of every file
in the figure, in the order of the command line and, within a file, in scenario order (the order of
its `vendor` coordinate), take the palette's colours in turn, first come first served. A vendor
therefore keeps its colour in every figure of one file, and in a comparison of runs whose first
file is the same. Vendors named `others` or `other` (the residual of a market) are grey. Past eight
vendors the colours repeat, with a marker on the line to tell the two apart.

Units. Money axes are labelled in readable units ("bn CNY / month") built from the file's `currency`
attribute and the variable's `units`, with the values scaled to that unit; shares are in percent.

Layout. Constrained layout, legends outside the data area, titles wrapped instead of cut, and
bbox_inches="tight" on saving so that no label is clipped.

Intervals. `mean_interval` and `confidence_band` give the mean and the Student-t 95 % interval of
the mean across replications, ignoring NaN (a run that did not finish, a ratio without denominator).
"""
import io
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors  # noqa: E402
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.patches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

# Okabe & Ito's eight colours, ordered so that the first vendors get the most distinct ones and the
# pale yellow (hard to see as a thin line on white) comes last.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#F0E442",  # yellow
)
RESIDUAL_GREY = "#8C8C8C"
RESIDUAL_IDS = ("others", "other")
# Markers that tell apart vendors sharing a colour when there are more vendors than colours.
REPEAT_MARKERS = (None, "o", "s", "^", "D", "v")
# One line style per run in a comparison: solid, dashed, dotted, dash-dot, then long dashes.
RUN_LINESTYLES = ("-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (10, 3)), (0, (3, 1, 1, 1, 1, 1)))
DPI = 150

STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.5,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
plt.rcParams.update(STYLE)


class VendorPalette:
    """Colour (and, past eight vendors, marker) of every vendor of one figure, by the module's rule."""

    def __init__(self, *vendor_lists):
        self.order = []
        for ids in vendor_lists:
            for v in ids:
                v = str(v)
                if v not in self.order:
                    self.order.append(v)
        self._style = {}
        k = 0
        for v in self.order:
            if v.lower() in RESIDUAL_IDS:
                self._style[v] = {"color": RESIDUAL_GREY}
                continue
            style = {"color": OKABE_ITO[k % len(OKABE_ITO)]}
            marker = REPEAT_MARKERS[(k // len(OKABE_ITO)) % len(REPEAT_MARKERS)]
            if marker:
                style.update(marker=marker, markersize=3.5, markevery=0.1)
            self._style[v] = style
            k += 1

    @classmethod
    def of(cls, *datasets):
        """The palette of the vendors of these run files (xarray datasets), in order."""
        return cls(*[[str(v) for v in ds["vendor"].values] for ds in datasets])

    def color(self, vendor):
        return self._style[str(vendor)]["color"]

    def style(self, vendor):
        """Keyword arguments of Axes.plot for this vendor's line."""
        return dict(self._style[str(vendor)])

    def handles(self, vendors=None):
        """Legend handles, one per vendor (all, or `vendors`), in palette order."""
        keep = self.order if vendors is None else [v for v in self.order if v in set(map(str, vendors))]
        return [plt.Line2D([], [], label=v, **{k: a for k, a in self.style(v).items() if k != "markevery"})
                for v in keep]


def segment_colours(n):
    """`n` colours for things that are not vendors (segments, startups): steps of viridis, a colour
    map readable with colour-vision deficiency (van der Walt & Smith, matplotlib's default since
    2.0, https://bids.github.io/colormap/), so that they are not taken for vendors."""
    cmap = plt.get_cmap("viridis")
    return [matplotlib.colors.to_hex(cmap(x)) for x in np.linspace(0.0, 0.88, max(n, 2))[:n]]


def line_handle(label, **style):
    return plt.Line2D([], [], label=label, **style)


def patch_handle(label, color, alpha=0.35):
    return matplotlib.patches.Patch(facecolor=color, alpha=alpha, edgecolor="none", label=label)


def figure_legend(fig, sections):
    """One legend right of all panels, in sections [(heading, handles)] with bold headings.

    It lies outside the figure's panels; save() (bbox_inches="tight") widens the image to hold it.
    """
    handles, headings = [], set()
    for heading, items in sections:
        if not items:
            continue
        if handles:
            handles.append(plt.Line2D([], [], linestyle="none", label=" "))
        handles.append(plt.Line2D([], [], linestyle="none", label=heading))
        headings.add(len(handles) - 1)
        handles.extend(items)
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.98), frameon=False,
                        handlelength=2.6, borderaxespad=0.2)
    for k, text in enumerate(legend.get_texts()):
        if k in headings:
            text.set_fontweight("bold")
    return legend


# ----------------------------------------------------------------------------------------- units

SCALES = ((1e12, "trillion"), (1e9, "bn"), (1e6, "million"), (1e3, "thousand"))
UNIT_WORDS = {"vcpu": "vCPU", "gpu": "GPU", "flop": "FLOP", "saas": "SaaS", "paas": "PaaS", "maas": "MaaS"}


def unit_name(unit):
    """A product unit as words: vcpu_hour -> vCPU hour, million_tokens -> million tokens."""
    return " ".join(UNIT_WORDS.get(w.lower(), w) for w in str(unit).split("_"))


def scale_of(values):
    """(factor, word) of the largest of thousand ... trillion not above the largest |value|."""
    a = np.abs(np.asarray(values, dtype=float))
    a = a[np.isfinite(a)]
    peak = float(a.max()) if a.size else 0.0
    for factor, word in SCALES:
        if peak >= factor:
            return factor, word
    return 1.0, ""


def money_label(units, currency, values, product_unit=None):
    """(factor, axis unit) for a variable of `units` such as 'CNY/month', 'CNY' or 'CNY/unit'.

    The values are to be divided by `factor`; the unit reads 'bn CNY / month', 'CNY per vCPU hour'.
    """
    units = str(units or "")
    money, _, per = units.partition("/")
    if currency and money != currency:  # not a money amount: leave it as it is
        return 1.0, units
    factor, word = scale_of(values)
    text = f"{word} {money}".strip()
    if per == "unit" and product_unit:
        return factor, f"{text} per {unit_name(product_unit)}"
    return factor, f"{text} / {per}" if per else text


def wrap(text, width=90):
    """Text broken into lines of at most `width` characters (never cut short)."""
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)) or str(text)


# ----------------------------------------------------------------------------------------- files


def open_run(path, prog):
    """The output file of a run, or None after telling the user why it cannot be opened."""
    try:
        return xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as error:
        print(f"{prog}: error: cannot open {path}: {error}", file=sys.stderr)
        return None


def _flatten(tree, prefix=""):
    """{dotted path: leaf} of a scenario tree; list elements with an `id` are addressed by it."""
    out = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.update(_flatten(v, f"{prefix}{k}."))
    elif isinstance(tree, list) and tree and all(isinstance(e, dict) and "id" in e for e in tree):
        for e in tree:
            out.update(_flatten({k: v for k, v in e.items() if k != "id"}, f"{prefix}{e['id']}."))
    else:
        out[prefix[:-1]] = tree
    return out


def scenario_values(ds):
    """{dotted path: value} of the resolved scenario stored in a run file (empty if unreadable)."""
    try:
        import yaml
        tree = yaml.safe_load(str(ds.attrs.get("scenario_yaml", ""))) or {}
    except Exception:  # an unreadable or missing scenario only costs the labels
        return {}
    return _flatten(tree) if isinstance(tree, dict) else {}


def _varying(values, ignore):
    """The paths whose values differ among the scenarios' {path: value} dicts `values`."""
    paths = sorted(set().union(*values)) if values else []
    return [p for p in paths if p not in ignore and len({repr(v.get(p)) for v in values}) > 1]


def run_differences(datasets, ignore=("seed",)):
    """For each run, the scenario values (`path=value`) in which the runs differ, as the --set a user
    would write to turn one into another; paths in `ignore` are left out."""
    values = [scenario_values(ds) for ds in datasets]
    return [[f"{p}={_shown(v[p])}" for p in _varying(values, ignore) if p in v] for v in values]


def _shown(value):
    """A scenario value as a --set would spell it; a list of mappings (events) by its length."""
    if isinstance(value, list) and any(isinstance(e, (dict, list)) for e in value):
        if len(value) <= 2 and all(isinstance(e, dict) and "type" in e for e in value):  # events
            return "[" + ", ".join(f"{e['type']} {_shown(e.get('at', ''))}".strip() for e in value) + "]"
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(e) for e in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(e)}" for k, e in value.items()) + "}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def run_label(ds, changes, fallback):
    """Legend label of one run in a comparison: its scenario, and what sets it apart."""
    name = str(ds.attrs.get("scenario_name", fallback))
    if not changes:
        return f"{name}, seed {ds.attrs.get('seed')}"
    shown = [c for c in changes if not c.startswith("name=")]
    if len(shown) > 3:  # different scenarios rather than a change of one: the name says it
        shown = [] if len(shown) < len(changes) else shown[:3] + [f"and {len(shown) - 3} more"]
    return name + (": " + ", ".join(shown) if shown else "")


def run_title(datasets, what, changed=None):
    """Figure title: what is shown, the scenario(s), seed(s), what was changed (`changed`, as the
    user names it) and, for several runs, the scenario values in which they differ."""
    names = list(dict.fromkeys(str(ds.attrs.get("scenario_name", "?")) for ds in datasets))
    seeds = list(dict.fromkeys(str(ds.attrs.get("seed")) for ds in datasets))
    scenario = "scenario " + ", ".join(f"'{n}'" for n in names) if len(names) <= 3 else f"{len(names)} scenarios"
    seed = f"seed {seeds[0]}" if len(seeds) == 1 else f"{len(seeds)} seeds"
    title = f"{what}: {scenario} ({seed})"
    if changed:
        title += "; changed: " + ", ".join(changed)
    differ = varying_paths(datasets) if len(datasets) > 1 else []
    if differ and len(names) == 1:
        title += "; runs differ in " + (", ".join(differ) if len(differ) <= 3 else f"{len(differ)} scenario values")
    return wrap(title, 110)


# ----------------------------------------------------------------------------------------- drawing


def figure(n_panels, cols, panel_size=(3.5, 2.4), extra_height=0.5, **subplots):
    """A figure of `n_panels` axes on a grid of `cols` columns, with constrained layout; unused
    cells are removed; `subplots` go to plt.subplots (sharey=True, ...). Returns (fig, flat list of
    the used axes)."""
    cols = max(1, min(cols, n_panels))
    rows = -(-n_panels // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(panel_size[0] * cols, panel_size[1] * rows + extra_height),
                             squeeze=False, layout="constrained", **subplots)
    axes = list(grid.flat)
    for ax in axes[n_panels:]:
        ax.remove()
    return fig, axes[:n_panels]


def date_axis(ax):
    """Concise date ticks (years, then months) that need no rotation."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def legend_below(ax, handles=None, title=None, ncol=3, **kwargs):
    """A legend under `ax`, outside its data area."""
    kwargs.setdefault("frameon", False)
    if handles is not None:
        kwargs["handles"] = handles
    return ax.legend(title=title, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=ncol, **kwargs)


def empty_panel(ax, title, message):
    """A panel that says why it has nothing to show (never a blank one)."""
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="0.35", wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def save(fig, path, title=None):
    """Write the figure at DPI with nothing clipped. A PNG is stored with a palette of 256 colours
    (no dithering): a third of the bytes of full colour, with the same look for line art."""
    if title:
        fig.suptitle(title)
    if not str(path).lower().endswith(".png"):
        fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.1)
        plt.close(fig)
        return
    from PIL import Image  # matplotlib's own dependency (python3-pil)

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.1)
    plt.close(fig)
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(path, optimize=True,
                                                                                  dpi=(DPI, DPI))


def varying_paths(datasets, ignore=("seed", "name")):
    """The scenario values in which the runs differ (paths), for a title."""
    return _varying([scenario_values(ds) for ds in datasets], ignore)


# ----------------------------------------------------------------------------------------- intervals


from cf_units import period_units  # noqa: E402,F401  (units as the figures write them)

# One implementation of the Student-t interval for the plots, the comparisons and the sweeps'
# series: tools/cloudmarket/intervals.py (mean, lower, upper, count; NaN-aware).
from cloudmarket.intervals import confidence_band, mean_interval  # noqa: E402,F401
