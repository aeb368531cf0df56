"""Targets files (schema cloudmarket-targets/1, docs/calibration.md): reading them with located
errors, and measuring their moments in a run's output.

A moment reduces one output variable (or the ratio of two) over a period of months to one number,
converted to the target's units: a vendor's revenue in 2023 in bn USD, its operating margin, its
y/y growth. `evaluate` gives every moment of one run; `fit_rows` compares replications' moments with
the targets, as `cloudmarket check` prints them and `cloudmarket calibrate` minimises them.
"""
import math
import os
import re

import numpy as np
import yaml

from cf_units import is_currency, readable, summed as is_summed, text_of
from sweeplib.collect import _RunFile
from sweeplib.fields import Field, Table
from sweeplib.sweepfile import (LABEL_DIMS, MAX_RUNS, OUTPUT_VARIABLES, _NAME_RE, _PATH_RE, _read_path,
                                did_you_mean, read_document)

SCHEMA = "cloudmarket-targets/1"
PRECISION_KEYS = ("se", "se_relative", "tolerance", "tolerance_relative")
REDUCTIONS = ("sum", "mean", "last", "growth")
ACROSS = ("sum", "mean")
GLOBAL_DESIGNS = ("sobol", "lhs")
LOCAL_METHODS = ("nelder-mead", "powell")
SCALES_OF_PARAMETERS = ("linear", "log")

# The keys of a targets file (docs/calibration.md), with their types and ranges: `load` reads them
# from here and tools/schema.py prints them as docs/schema/targets.schema.json.
_IDS = Field("list", item=Field("string"), min_items=1)
SELECT_FIELDS = Table("select", "Keep these labels of the variable's dimensions: {vendor: aws} or {vendor: [aws, azure]}.",
                      {dim: Field("scalar_or_list", f"the {dim} id(s) kept", item=_IDS) for dim in LABEL_DIMS})
MEASUREMENT_FIELDS = Table("measurement", "One output variable, some labels kept, the rest combined.", {
    "variable": Field("choice", "an output variable with a time dimension (docs/output.md)",
                      choices=lambda: sorted(OUTPUT_VARIABLES), required=True),
    "select": Field("mapping", "labels kept", item=SELECT_FIELDS),
    "across": Field("choice", "how the other labels are combined", choices=ACROSS, default="sum"),
})
RATIO_FIELDS = Table("ratio", "A ratio of two measurements.", {
    "numerator": Field("mapping", "", item=MEASUREMENT_FIELDS, required=True),
    "denominator": Field("mapping", "", item=MEASUREMENT_FIELDS, required=True),
})
PERIOD_FIELDS = Table("period_range", "A range of months.", {
    "from": Field("string", "first month, YYYY-MM", pattern=r"^\d{4}-\d{2}$", required=True),
    "to": Field("string", "last month, YYYY-MM", pattern=r"^\d{4}-\d{2}$", required=True),
})
MOMENT_FIELDS = Table("moment", "A target figure and how to measure it in a run.", {
    "name": Field("string", "the moment's name", pattern=_NAME_RE.pattern, required=True),
    "variable": MEASUREMENT_FIELDS["variable"].optional(),
    "select": MEASUREMENT_FIELDS["select"],
    "across": MEASUREMENT_FIELDS["across"],
    "ratio": Field("mapping", "a ratio of two measurements instead of one variable", item=RATIO_FIELDS),
    "period": Field("period", "2023, 2023-Q2, 2023-07 or {from: 2023-07, to: 2024-06}", item=PERIOD_FIELDS,
                    pattern=r"^\d{4}(-Q[1-4]|-\d{2})?$", required=True),
    "reduce": Field("choice", "how the period's months are reduced", choices=REDUCTIONS, default="sum"),
    "value": Field("number", "the target value, in `units`", required=True),
    "units": Field("string", "\"1\", \"%\", or a scale and a unit: 'bn USD', 'mn CNY', 'gpu_hour/month'",
                   required=True),
    "se": Field("number", "standard error, in `units` (exactly one of se, se_relative, tolerance, "
                "tolerance_relative)", lo=0, hi=1e18, lo_open=True),
    "se_relative": Field("number", "standard error as a fraction of the value", lo=0, hi=1e18, lo_open=True),
    "tolerance": Field("number", "how far off still passes, in `units`", lo=0, hi=1e18, lo_open=True),
    "tolerance_relative": Field("number", "how far off still passes, as a fraction of the value", lo=0, hi=1e18,
                                lo_open=True),
    "weight": Field("number", "weight in the calibration's objective", lo=0, hi=1e12, default=1.0),
    "source": Field("string", "where the figure comes from", required=True),
    "note": Field("string", "a remark"),
})
CAL_PARAMETER_FIELDS = Table("calibrated_parameter",
                             "A calibrated parameter: one scenario value ('path'), or a factor on several "
                             "('name' and 'multiply').", {
    "path": Field("string", "the scenario value, as for --set", pattern=_PATH_RE.pattern),
    "name": Field("string", "the parameter's name (default: its path)"),
    "multiply": Field("list", "scenario values multiplied by the factor", item=Field("string", pattern=_PATH_RE.pattern),
                      min_items=1),
    "min": Field("number", "lower bound", required=True),
    "max": Field("number", "upper bound (> min)", required=True),
    "start": Field("number", "starting value of the local search (within min and max)"),
    "scale": Field("choice", "how the range is searched", choices=SCALES_OF_PARAMETERS, default="linear"),
    "from": Field("string", "the date of the dated schedule entry it sets, YYYY-MM-DD",
                  pattern=r"^\d{4}-\d{2}-\d{2}$"),
})
DERIVED_FIELDS = Table("derived", "A scenario value set to 1 minus the sum of others.", {
    "path": Field("string", "the derived value", pattern=_PATH_RE.pattern, required=True),
    "one_minus": Field("list", "the values it is 1 minus the sum of", item=Field("string", pattern=_PATH_RE.pattern),
                       min_items=1, required=True),
})
GLOBAL_FIELDS = Table("search_global", "The global stage: a space-filling design over the box.", {
    "design": Field("choice", "the design", choices=GLOBAL_DESIGNS, default="sobol"),
    "samples": Field("integer", "points (a sobol design: a power of 2; 0: no global stage)", lo=0, hi=MAX_RUNS),
})
LOCAL_FIELDS = Table("search_local", "The local stage: a derivative-free search from the best points.", {
    "method": Field("choice", "the method", choices=LOCAL_METHODS, default="nelder-mead"),
    "max_evaluations": Field("integer", "evaluations per start (default 100 x parameters)", lo=0, hi=10**7),
    "starts": Field("integer", "best global points searched from", lo=1, hi=1000, default=1),
    "xtol": Field("number", "tolerance on the parameters (in the unit box)", lo=0, hi=1, lo_open=True, default=1e-3),
    "ftol": Field("number", "tolerance on the objective", lo=0, hi=1, lo_open=True, default=1e-3),
})
SEARCH_FIELDS = Table("search", "How the objective is minimised.", {
    "global": Field("mapping", "", item=GLOBAL_FIELDS),
    "local": Field("mapping", "", item=LOCAL_FIELDS),
})
CALIBRATE_FIELDS = Table("calibrate", "What `cloudmarket calibrate` fits.", {
    "seed": Field("integer", "seed of the replications", lo=0, hi=2**63 - 1, default=0),
    "replications": Field("integer", "runs per evaluation", lo=1, hi=1000, default=1),
    "set": Field("mapping", "values fixed in every run: {PATH: VALUE}", values=Field("scalar")),
    "parameters": Field("list", "the calibrated parameters", item=CAL_PARAMETER_FIELDS, min_items=1, required=True),
    "derived": Field("list", "values derived from others", item=DERIVED_FIELDS),
    "search": Field("mapping", "the search", item=SEARCH_FIELDS),
})
TARGETS_FIELDS = Table("targets", "Target figures a scenario's runs are compared with (docs/calibration.md).", {
    "schema": Field("const", "the file's schema", choices=(SCHEMA,), required=True),
    "name": Field("string", "the targets' name"),
    "description": Field("string", "what they are"),
    "exchange_rates": Field("mapping", "currency units per unit of the scenario's currency: {CNY: 7.1}",
                            values=Field("number", lo=0, hi=1e15, lo_open=True)),
    "pass_within": Field("number", "a moment passes within this many standard errors", lo=0, hi=1e6, lo_open=True,
                         default=2.0),
    "moments": Field("list", "the target figures", item=MOMENT_FIELDS, required=True),
    "calibrate": Field("mapping", "what `cloudmarket calibrate` fits", item=CALIBRATE_FIELDS),
})
TOP_KEYS = TARGETS_FIELDS.keys()
MOMENT_KEYS = MOMENT_FIELDS.keys()
MEASUREMENT_KEYS = MEASUREMENT_FIELDS.keys()
CALIBRATE_KEYS = CALIBRATE_FIELDS.keys()
PARAMETER_KEYS = CAL_PARAMETER_FIELDS.keys()
DERIVED_KEYS = DERIVED_FIELDS.keys()
SEARCH_KEYS = SEARCH_FIELDS.keys()
GLOBAL_KEYS = GLOBAL_FIELDS.keys()
LOCAL_KEYS = LOCAL_FIELDS.keys()
SCALES = {"": 1.0, "k": 1e3, "mn": 1e6, "bn": 1e9, "tn": 1e12}
PERIOD_UNITS = {"month": 1, "quarter": 3, "year": 12}
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class MomentError(Exception):
    """A moment that cannot be measured in a run (located at the moment)."""


# ------------------------------------------------------------------------------------------------
# What a targets file holds
# ------------------------------------------------------------------------------------------------

class Measurement:
    """One variable, with labels kept (`select`) and the rest combined (`across`)."""

    def __init__(self, variable, select, across):
        self.variable, self.select, self.across = variable, select, across  # select: {dim: [ids]}


class Moment:
    def __init__(self, name, mark):
        self.name, self.mark = name, mark
        self.measurement = None          # or numerator/denominator for a ratio
        self.numerator = self.denominator = None
        self.period = None               # (first month, last month), as year * 12 + month - 1
        self.period_text = ""
        self.reduce = "sum"
        self.value = self.se = None
        self.units = "1"
        self.pass_within = None          # per moment: tolerance / se, or the file's pass_within
        self.weight = 1.0
        self.source = self.note = ""

    @property
    def is_ratio(self):
        return self.numerator is not None


class CalParameter:
    def __init__(self, name, path, multiply, lo, hi, start, scale, mark, since=None):
        self.name, self.path, self.multiply = name, path, multiply
        self.min, self.max, self.start, self.scale, self.mark = lo, hi, start, scale, mark
        self.since = since  # 'YYYY-MM-DD': the value of a dated key from this date on (docs/scenario.md)


class Derived:
    def __init__(self, path, one_minus, mark):
        self.path, self.one_minus, self.mark = path, one_minus, mark


class Calibration:
    def __init__(self):
        self.seed = 0
        self.replications = 1
        self.set = {}                    # path -> text, as `--set PATH=TEXT`
        self.parameters = []
        self.derived = []
        self.search = {}
        self.mark = None


class Targets:
    def __init__(self, file):
        self.file = file
        self.name = os.path.splitext(os.path.basename(file))[0]
        self.description = ""
        self.exchange_rates = {}
        self.pass_within = TARGETS_FIELDS["pass_within"].default
        self.moments = []
        self.calibration = None
        self.text = ""


# ------------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------------

def load(path):
    """Read and check a targets file on its own (no run involved); raises SweepFileError."""
    targets = Targets(path)
    targets.text, r, _, top = read_document(path, "targets file", SCHEMA, TOP_KEYS, TARGETS_FIELDS.required())
    for key in ("name", "description"):
        if key in top:
            value = r.string(top[key][1], key)
            if value is not None:
                setattr(targets, key, value)
    if "exchange_rates" in top:
        _read_rates(r, top["exchange_rates"][1], targets)
    if "pass_within" in top:
        value = r.number(top["pass_within"][1], "pass_within", *TARGETS_FIELDS["pass_within"].bounds, lo_open=True)
        if value is not None:
            targets.pass_within = float(value)
    if "moments" in top:
        _read_moments(r, top["moments"][1], targets)
    if "calibrate" in top:
        targets.calibration = _read_calibration(r, top["calibrate"][1])
    r.errors.raise_if_any()
    return targets


def _read_rates(r, node, targets):
    m = r.mapping(node, "exchange_rates", None)
    for key, (key_node, value_node) in (m or {}).items():
        if not is_currency(key):
            r.error(key_node, f"'{key}' in exchange_rates is not a currency code (three capital letters, e.g. USD)")
            continue
        value = r.number(value_node, f"exchange_rates.{key}", 0, 1e15, lo_open=True)
        if value is not None:
            targets.exchange_rates[key] = float(value)


def _read_moments(r, node, targets):
    items = r.sequence(node, "moments")
    if items is None:
        return
    if not items:
        r.error(node, "'moments' must list at least one moment")
    seen = {}
    for item in items:
        moment = _read_moment(r, item, targets)
        if moment is None:
            continue
        if moment.name in seen:
            r.error(item, f"duplicate moment name '{moment.name}' (first at line {seen[moment.name]})")
            continue
        seen[moment.name] = moment.mark.line
        targets.moments.append(moment)


def _read_moment(r, node, targets):
    m = r.mapping(node, "a moment", MOMENT_KEYS, required=MOMENT_FIELDS.required())
    if m is None:
        return None
    name = r.string(m["name"][1], "name") if "name" in m else None
    if name is not None and not _NAME_RE.match(name):
        r.error(m["name"][1], f"'name' must be a word of letters, digits and '_', got '{name}'")
    moment = Moment(name or "?", r.mark(node))
    if "ratio" in m:
        for key in ("variable", "select", "across"):
            if key in m:
                r.error(m[key][0], f"'{key}' belongs inside 'numerator' and 'denominator' of a ratio moment")
        ratio = r.mapping(m["ratio"][1], "ratio", ("numerator", "denominator"),
                          required=("numerator", "denominator"))
        if ratio and "numerator" in ratio and "denominator" in ratio:
            moment.numerator = _read_measurement(r, ratio["numerator"][1], "numerator")
            moment.denominator = _read_measurement(r, ratio["denominator"][1], "denominator")
    elif "variable" in m:
        moment.measurement = _measurement(r, m)
    else:
        r.error(node, "a moment needs 'variable' (or 'ratio')")
    if "period" in m:
        period = _read_period(r, m["period"][1])
        if period is not None:
            moment.period, moment.period_text = period
    if "reduce" in m:
        moment.reduce = r.choice(m["reduce"][1], "reduce", REDUCTIONS) or "sum"
        if moment.reduce == "growth" and "ratio" in m:
            r.error(m["reduce"][1], "'reduce: growth' is for one variable, not a ratio")
    if "value" in m:
        value = r.number(m["value"][1], "value")
        moment.value = float(value) if value is not None else None
    if "units" in m:
        units = r.string(m["units"][1], "units")
        if units is not None:
            if parse_units(units) is None:
                r.error(m["units"][1], f"'units' must be \"1\", \"%\", or a scale and a unit such as 'bn USD', "
                                       f"'mn CNY', 'gpu_hour/month', got '{units}'")
            moment.units = units
    _read_precision(r, node, m, moment, targets)
    if "weight" in m:
        weight = r.number(m["weight"][1], "weight", *MOMENT_FIELDS["weight"].bounds)
        moment.weight = float(weight) if weight is not None else 1.0
    for key in ("source", "note"):
        if key in m:
            setattr(moment, key, r.string(m[key][1], key) or "")
    return moment if name is not None else None


def _read_precision(r, node, m, moment, targets):
    given = [k for k in PRECISION_KEYS if k in m]
    if len(given) != 1:
        where = m[given[1]][0] if len(given) > 1 else node
        r.error(where, "a moment needs exactly one of 'se', 'se_relative', 'tolerance', 'tolerance_relative'"
                       + (f", got {', '.join(given)}" if given else ""))
        return
    key = given[0]
    value = r.number(m[key][1], key, *MOMENT_FIELDS[key].bounds, lo_open=True)
    if value is None or moment.value is None:
        return
    amount = float(value) * (abs(moment.value) if key.endswith("_relative") else 1.0)
    if amount <= 0:
        r.error(m[key][1], f"'{key}' of a target of 0 must be given as an absolute 'se' or 'tolerance'")
        return
    if key.startswith("tolerance"):
        moment.se = amount / targets.pass_within
    else:
        moment.se = amount


def _measurement(r, m):
    variable = r.string(m["variable"][1], "variable")
    if variable is not None and variable not in OUTPUT_VARIABLES:
        r.error(m["variable"][1], f"unknown output variable '{variable}'{did_you_mean(variable, OUTPUT_VARIABLES)} "
                                  "(docs/output.md lists them)")
        variable = None
    select = {}
    if "select" in m:
        sm = r.mapping(m["select"][1], "select", LABEL_DIMS) or {}
        for dim, (key_node, value_node) in sm.items():
            if dim not in LABEL_DIMS:
                continue
            if variable is not None and dim not in OUTPUT_VARIABLES[variable]:
                r.error(key_node, f"variable '{variable}' has no dimension '{dim}' "
                                  f"(it has {', '.join(OUTPUT_VARIABLES[variable])})")
                continue
            ids = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            labels = [r.string(x, f"select.{dim}") for x in ids or []]
            if not labels:
                r.error(value_node, f"'select.{dim}' must name at least one id")
            if None not in labels:
                select[dim] = labels
    across = r.choice(m["across"][1], "across", ACROSS) if "across" in m else "sum"
    return Measurement(variable, select, across or "sum") if variable is not None else None


def _read_measurement(r, node, what):
    m = r.mapping(node, what, MEASUREMENT_KEYS, required=("variable",))
    if m is None or "variable" not in m:
        return None
    return _measurement(r, m)


def _month(year, month):
    return year * 12 + month - 1


def _read_period(r, node):
    """((first month, last month), text) of `2023`, `2023-Q2`, `2023-07` or {from: 2023-07, to: 2024-06}."""
    data, text = r.scalar(node)
    if text is not None:
        text = str(text)
        for pattern, span in ((_YEAR, lambda g: (_month(int(g[0]), 1), _month(int(g[0]), 12))),
                              (_QUARTER, lambda g: (_month(int(g[0]), 3 * int(g[1]) - 2),
                                                    _month(int(g[0]), 3 * int(g[1])))),
                              (_MONTH, lambda g: (_month(int(g[0]), int(g[1])),) * 2)):
            match = pattern.match(text)
            if match and (pattern is not _MONTH or 1 <= int(match[2]) <= 12):
                return span(match.groups()), text
    elif isinstance(node, yaml.MappingNode):
        m = r.mapping(node, "period", ("from", "to"), required=("from", "to"))
        if m and "from" in m and "to" in m:
            ends = []
            for key in ("from", "to"):
                _, t = r.scalar(m[key][1])
                match = _MONTH.match(str(t)) if t is not None else None
                if not match or not 1 <= int(match[2]) <= 12:
                    r.error(m[key][1], f"'period.{key}' must be a month YYYY-MM, got {r.kind(m[key][1])}")
                    return None
                ends.append(_month(int(match[1]), int(match[2])))
            if ends[1] < ends[0]:
                r.error(node, "'period.to' is before 'period.from'")
                return None
            return (ends[0], ends[1]), f"{_month_text(ends[0])}..{_month_text(ends[1])}"
        return None
    r.error(node, "'period' must be a year (2023), a quarter (2023-Q2), a month (2023-07) or "
                  f"{{from: YYYY-MM, to: YYYY-MM}}, got {r.kind(node)}")
    return None


def _month_text(month):
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def parse_units(text):
    """(scale factor, base unit) of a units string: ('1', '%', 'bn USD', 'gpu_hour/month'), or None."""
    text = text.strip()
    if text == "1":
        return 1.0, "1"
    if text == "%":
        return 0.01, "1"
    parts = text.split()
    if len(parts) == 1:
        return 1.0, parts[0]
    if len(parts) == 2 and parts[0] in SCALES and parts[0]:
        return SCALES[parts[0]], parts[1]
    return None


# ------------------------------------------------------------------------------------------------
# The calibrate section
# ------------------------------------------------------------------------------------------------

def _read_calibration(r, node):
    m = r.mapping(node, "calibrate", CALIBRATE_KEYS, required=CALIBRATE_FIELDS.required())
    if m is None:
        return None
    cal = Calibration()
    cal.mark = r.mark(node)
    if "seed" in m:
        value = r.integer(m["seed"][1], "seed", *CALIBRATE_FIELDS["seed"].bounds)
        cal.seed = value if value is not None else 0
    if "replications" in m:
        value = r.integer(m["replications"][1], "replications", *CALIBRATE_FIELDS["replications"].bounds)
        cal.replications = value or 1
    if "set" in m:
        sm = r.mapping(m["set"][1], "set", None) or {}
        for key, (key_node, value_node) in sm.items():
            path = _read_path(r, key_node, "set")
            _, text = r.scalar(value_node)
            if text is None:
                r.error(value_node, f"the value of '{key}' in 'set' must be a number, string or boolean, "
                                    f"got {r.kind(value_node)}")
            elif path is not None:
                cal.set[path] = text
    if "parameters" in m:
        items = r.sequence(m["parameters"][1], "parameters")
        if items is not None and not items:
            r.error(m["parameters"][1], "'parameters' must list at least one parameter")
        for item in items or []:
            parameter = _read_parameter(r, item)
            if parameter is not None:
                cal.parameters.append(parameter)
    if "derived" in m:
        for item in r.sequence(m["derived"][1], "derived") or []:
            derived = _read_derived(r, item)
            if derived is not None:
                cal.derived.append(derived)
    _check_paths(r, cal)
    cal.search = _read_search(r, m["search"][1] if "search" in m else None, len(cal.parameters))
    return cal


def _read_parameter(r, node):
    m = r.mapping(node, "a calibrated parameter", PARAMETER_KEYS, required=CAL_PARAMETER_FIELDS.required())
    if m is None:
        return None
    if ("path" in m) == ("multiply" in m):
        r.error(node, "a calibrated parameter needs either 'path' (one scenario value) or "
                      "'name' and 'multiply' (a factor on several)")
        return None
    path = name = None
    multiply = None
    since = None
    if "from" in m:
        _, text = r.scalar(m["from"][1])
        if text is None or not _DATE.match(str(text)):
            r.error(m["from"][1], f"'from' must be a date YYYY-MM-DD, got {r.kind(m['from'][1])}")
        elif "multiply" in m:
            r.error(m["from"][1], "'from' is for one scenario value ('path'), not a multiplier")
        else:
            since = str(text)
    if "path" in m:
        path = _read_path(r, m["path"][1], "path")
        name = path if since is None or path is None else f"{path}@{since}"
        if "name" in m:
            name = r.string(m["name"][1], "name")
    else:
        if "name" not in m:
            r.error(node, "a 'multiply' parameter needs a 'name'")
            return None
        name = r.string(m["name"][1], "name")
        items = r.sequence(m["multiply"][1], "multiply") or []
        multiply = [_read_path(r, x, "multiply") for x in items]
        if not multiply:
            r.error(m["multiply"][1], "'multiply' must list at least one scenario path")
        if None in multiply:
            return None
    lo = r.number(m["min"][1], "min") if "min" in m else None
    hi = r.number(m["max"][1], "max") if "max" in m else None
    if lo is None or hi is None or name is None:
        return None
    if not lo < hi:
        r.error(m["max"][1], f"'max' must be greater than 'min' ({lo})")
        return None
    scale = r.choice(m["scale"][1], "scale", SCALES_OF_PARAMETERS) if "scale" in m else "linear"
    if scale == "log" and lo <= 0:
        r.error(m["scale"][1], "'scale: log' needs 'min' > 0")
    start = None
    if "start" in m:
        start = r.number(m["start"][1], "start", lo, hi)
    return CalParameter(name, path, multiply, float(lo), float(hi),
                        None if start is None else float(start), scale or "linear", r.mark(node), since)


def _read_derived(r, node):
    m = r.mapping(node, "a derived value", DERIVED_KEYS, required=DERIVED_FIELDS.required())
    if m is None or "path" not in m or "one_minus" not in m:
        return None
    path = _read_path(r, m["path"][1], "path")
    terms = [_read_path(r, x, "one_minus") for x in r.sequence(m["one_minus"][1], "one_minus") or []]
    if not terms:
        r.error(m["one_minus"][1], "'one_minus' must list at least one scenario path")
    if path is None or None in terms:
        return None
    return Derived(path, terms, r.mark(node))


def _check_paths(r, cal):
    """Each scenario value is set once: by `set`, one parameter, a multiplier or a derived value."""
    owners = {path: "set" for path in cal.set}
    names = set()
    for p in cal.parameters:
        if p.name in names:
            r.errors.add(p.mark, f"duplicate parameter name '{p.name}'")
        names.add(p.name)
        for path in p.multiply or [p.path]:
            key = path if p.since is None else (path, p.since)  # dated entries of one path may differ
            if key in owners:
                r.errors.add(p.mark, f"'{path}'{'' if p.since is None else ' from ' + p.since} is already set by "
                                     f"{owners[key]}")
            elif p.since is not None and owners.get(path) == "set":
                r.errors.add(p.mark, f"'{path}' is already set by {owners[path]}")  # not by another parameter
            owners[key] = f"parameter '{p.name}'"
    dated = {p.path for p in cal.parameters if p.since is not None}
    for d in cal.derived:
        if d.path in owners:
            r.errors.add(d.mark, f"'{d.path}' is already set by {owners[d.path]}")
        owners[d.path] = "a derived value"
        if d.path in d.one_minus:
            r.errors.add(d.mark, f"'{d.path}' cannot be derived from itself")
        for term in d.one_minus:
            if term in dated:
                r.errors.add(d.mark, f"'{term}' has a dated parameter: a derived value needs one value, not a schedule")


def _read_search(r, node, d):
    d = max(d, 1)
    search = {"global": {"design": "sobol", "samples": 1 << max(1, math.ceil(math.log2(8 * d)))},
              "local": {"method": "nelder-mead", "max_evaluations": 100 * d, "starts": 1,
                        "xtol": 1e-3, "ftol": 1e-3}}
    if node is None:
        return search
    m = r.mapping(node, "search", SEARCH_KEYS) or {}
    if "global" in m:
        g = r.mapping(m["global"][1], "search.global", GLOBAL_KEYS) or {}
        if "design" in g:
            search["global"]["design"] = r.choice(g["design"][1], "design", GLOBAL_DESIGNS) or "sobol"
        if "samples" in g:
            n = r.integer(g["samples"][1], "samples", *GLOBAL_FIELDS["samples"].bounds)
            if n is not None:
                if search["global"]["design"] == "sobol" and n and n & (n - 1):
                    r.error(g["samples"][1], f"'samples' of a sobol design must be a power of 2, got {n}")
                search["global"]["samples"] = n
    if "local" in m:
        loc = r.mapping(m["local"][1], "search.local", LOCAL_KEYS) or {}
        if "method" in loc:
            search["local"]["method"] = r.choice(loc["method"][1], "method", LOCAL_METHODS) or "nelder-mead"
        for key in ("max_evaluations", "starts"):
            if key in loc:
                value = r.integer(loc[key][1], key, *LOCAL_FIELDS[key].bounds)
                if value is not None:
                    search["local"][key] = value
        for key in ("xtol", "ftol"):
            if key in loc:
                value = r.number(loc[key][1], key, *LOCAL_FIELDS[key].bounds, lo_open=True)
                if value is not None:
                    search["local"][key] = float(value)
    return search


# ------------------------------------------------------------------------------------------------
# Measuring moments in a run
# ------------------------------------------------------------------------------------------------

class _Run:
    """A run's output as moments read it: months of each output step, currency, labels."""

    def __init__(self, path):
        self.file = _RunFile(path)
        f = self.file.f
        start = text_of(f.attrs.get("start_date", ""))
        match = re.match(r"^(\d{4})-(\d{2})", start)
        if not match:
            raise MomentError(f"{path}: not a cloudmarket run (no start_date attribute)")
        self.start_month = _month(int(match[1]), int(match[2]))
        self.step = self.file.months_per_step
        self.steps = len(f["time"]) if "time" in f else 0
        self.currency = text_of(f.attrs.get("currency", ""))
        self.period_name = text_of(f.attrs.get("output_period", "month"))

    def close(self):
        self.file.close()

    def window(self, first, last):
        """Indices of the output steps covering months first..last exactly."""
        lo, hi = first - self.start_month, last - self.start_month + 1
        end = self.step * self.steps
        if lo < 0 or hi > end:
            raise MomentError(f"the period {_month_text(first)}..{_month_text(last)} is not inside the run "
                              f"({_month_text(self.start_month)}..{_month_text(self.start_month + end - 1)})")
        if lo % self.step or hi % self.step:
            raise MomentError(f"the period {_month_text(first)}..{_month_text(last)} does not fall on whole "
                              f"output periods ({self.period_name}s)")
        return slice(lo // self.step, hi // self.step)

    def series(self, measurement):
        """(values over time, units, summed) of a measurement: selected labels combined by `across`;
        its units with the product unit written out (cf_units.readable); summed: a flow summed over
        each output period."""
        ds, dims = self.file.variable(measurement.variable)
        data = np.asarray(ds[...], dtype=float)
        units = readable(ds.attrs)
        summed = is_summed(ds.attrs)
        for dim, ids in measurement.select.items():
            have = self.file.labels(dim)
            missing = [x for x in ids if x not in have]
            if missing:
                raise MomentError(f"no {dim} '{missing[0]}' in the run{did_you_mean(missing[0], have)}")
            axis = dims.index(dim)
            data = np.take(data, [have.index(x) for x in ids], axis=axis)
        combine = np.sum if measurement.across == "sum" else np.mean
        if data.ndim > 1:
            if data[0].size == 0:
                raise MomentError(f"'{measurement.variable}' has nothing to combine (an empty dimension)")
            data = combine(data.reshape(data.shape[0], -1), axis=1)
        return data, units, summed


def _reduce(series, window, how):
    part = series[window]
    if how == "sum":
        return float(np.sum(part))
    if how == "mean":
        return float(np.mean(part))
    return float(part[-1])


def _model_units(units, summed, reduce, period_name):
    """Units of a reduced measurement. A flow summed over each output period (cell_methods
    'time: sum') is an amount: its sum over a window too, its mean or last value an amount per
    period. A rate per month summed over monthly periods loses '/month'; files written before
    cell_methods gave flows as 'CUR/period' and lose '/period' the same way."""
    if summed:
        return units if reduce == "sum" else f"{units}/{period_name}"
    if reduce == "sum" and units.endswith("/" + period_name):
        return units[: -len(period_name) - 1]
    return units


def _convert(value, model_units, moment, run, targets):
    """`value` in the run's `model_units`, expressed in the moment's units."""
    scale, base = parse_units(moment.units)
    if base == "1":
        if model_units != "1":
            raise MomentError(f"the moment is in {model_units}, not a dimensionless '{moment.units}'")
        return value / scale
    if is_currency(base) and is_currency(model_units):
        if base != model_units:
            rates = targets.exchange_rates
            for code in (base, model_units):
                if code not in rates:
                    raise MomentError(f"no exchange rate for {code} in 'exchange_rates' (the run is in "
                                      f"{run.currency}, the target in {base})")
            value = value * rates[base] / rates[model_units]
        return value / scale
    if base != model_units:
        raise MomentError(f"the moment is in {model_units}, the target in '{moment.units}'")
    return value / scale


def measure(moment, run, targets):
    """The moment of one run, in the moment's units."""
    first, last = moment.period
    if moment.is_ratio:
        window = run.window(first, last)
        num, num_units, _ = run.series(moment.numerator)
        den, den_units, _ = run.series(moment.denominator)
        if num_units != den_units:
            raise MomentError(f"a ratio of {num_units} to {den_units}")
        d = _reduce(den, window, moment.reduce)
        value = _reduce(num, window, moment.reduce) / d if d != 0 else float("nan")
        return _convert(value, "1", moment, run, targets)
    series, units, summed = run.series(moment.measurement)
    if moment.reduce == "growth":
        now = _reduce(series, run.window(first, last), "sum")
        before = _reduce(series, run.window(first - 12, last - 12), "sum")
        value = now / before - 1.0 if before != 0 else float("nan")
        return _convert(value, "1", moment, run, targets)
    value = _reduce(series, run.window(first, last), moment.reduce)
    return _convert(value, _model_units(units, summed, moment.reduce, run.period_name), moment, run, targets)


def evaluate(targets, run_path):
    """Every moment of one run, in target units, as an array (K,). Raises MomentError (with the
    moment's place) when a moment cannot be measured in this run."""
    run = _Run(run_path)
    try:
        out = np.empty(len(targets.moments))
        for k, moment in enumerate(targets.moments):
            try:
                out[k] = measure(moment, run, targets)
            except (MomentError, KeyError) as error:
                message = error.args[0] if error.args else str(error)
                raise MomentError(f"{moment.mark}: error: moment '{moment.name}': {message}") from None
        return out
    finally:
        run.close()


# ------------------------------------------------------------------------------------------------
# The fit
# ------------------------------------------------------------------------------------------------

class FitRow:
    def __init__(self, moment, mean, sd, z, passed):
        self.moment, self.mean, self.sd, self.z, self.passed = moment, mean, sd, z, passed


def fit_rows(targets, values):
    """Rows of the fit of replications' moments `values` (R, K) to the targets."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    rows = []
    for k, moment in enumerate(targets.moments):
        column = values[:, k]
        mean = float(np.mean(column))
        sd = float(np.std(column, ddof=1)) if len(column) > 1 else float("nan")
        z = (mean - moment.value) / moment.se
        rows.append(FitRow(moment, mean, sd, z, bool(math.isfinite(z) and abs(z) <= targets.pass_within)))
    return rows


def all_pass(rows):
    """Every fitted moment (weight > 0) within its band; weight-0 moments are reported only."""
    return all(row.passed for row in rows if row.moment.weight > 0)


def objective(z, weights):
    """The SMM distance J = Σ weight z² over the fitted moments (weight > 0); inf when one of them
    could not be measured."""
    z, weights = np.asarray(z, dtype=float), np.asarray(weights, dtype=float)
    fitted = weights > 0
    if not np.all(np.isfinite(z[fitted])):
        return math.inf
    return float(np.sum(weights[fitted] * z[fitted] ** 2))


def distance(targets, rows):
    """J of a fit table's rows."""
    return objective([row.z for row in rows], [row.moment.weight for row in rows])


def _number(x):
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}" if abs(x) < 1e5 else f"{x:.3e}"


def format_fit(targets, rows, replications=1):
    """The fit table `check` prints, with a closing line of passes and J."""
    header = ["moment", "period", "model", "sd", "target", "units", "se", "z", "fit"]
    table = [header]
    for row in rows:
        m = row.moment
        table.append([m.name, m.period_text, _number(row.mean), _number(row.sd), _number(m.value), m.units,
                      _number(m.se), "n/a" if not math.isfinite(row.z) else f"{row.z:+.2f}",
                      ("pass" if row.passed else "FAIL") if m.weight > 0 else
                      ("(in)" if row.passed else "(out)")])
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    right = {2, 3, 4, 6, 7}
    lines = ["  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                       for i, cell in enumerate(line)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    fitted = [row for row in rows if row.moment.weight > 0]
    passed = sum(row.passed for row in fitted)
    shown = len(rows) - len(fitted)
    untargeted = f" ({shown} with weight 0 shown only: (in)/(out) of the band)" if shown else ""
    reps = f", {replications} replications (sd across them)" if replications > 1 else ""
    lines.append(f"{passed} of {len(fitted)} moments within {targets.pass_within:g} standard errors{reps}; "
                 f"J = {_number(distance(targets, rows))}{untargeted}")
    return "\n".join(lines)
