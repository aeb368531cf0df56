"""The sweep file (schema `cloudmarket-sweep/1`): reading, validation, design points, run seeds.

A sweep file is checked as strictly as a scenario: unknown keys (with a "did you mean" hint),
duplicate keys, wrong types and out-of-range values are all reported, each as
`FILE:LINE:COL: error: message` (1-based), before anything runs. `load` checks the file on its
own; `check_with_binary` then asks the simulator (`cloudmarket validate BASE --set PATH=VALUE...`)
whether the base scenario takes every parameter path and, for each value a parameter takes, one
whole design point with that value; its complaints are relocated to the parameter's line (or the
value's) in the sweep file.

docs/sweep.md documents every key.
"""
import csv
import difflib
import hashlib
import io
import math
import os
import re
import stat
import subprocess

import yaml

# Variables of a run's output (schema cloudmarket-output/1) that metrics may summarise, with their
# dimensions; `time` always comes first. Asked of the simulator, whose run recorder declares them.
from .fields import Field, Table  # noqa: E402
from .output_variables import OUTPUT_VARIABLES  # noqa: E402

SCHEMA = "cloudmarket-sweep/1"
MANIFEST_SCHEMA = "cloudmarket-sweep-manifest/1"
DESIGNS = ("grid", "lhs", "saltelli", "morris", "csv")
REDUCTIONS = ("last", "mean", "max", "min", "sum")
DISTRIBUTIONS = ("uniform", "loguniform")
MAX_RUNS = 10_000_000
MAX_SEED = 10**15          # `cloudmarket run --seed` takes [0, 1e15]
MAX_FILE_BYTES = 16 << 20  # larger sweep or design files are refused (as the scenario loader does)
MAX_DEPTH = 64             # nesting of lists and mappings (as the scenario loader allows)
MAX_CHECKED_VALUES = 32    # values of one parameter checked with `cloudmarket validate`
DEFAULT_TIMEOUT_SECONDS = 3600.0

LABEL_DIMS = ("vendor", "product", "segment", "startup", "investor")
# Scenario lists whose ids label each dimension of the output.
LABEL_SOURCES = {"vendor": "vendors", "product": "products", "segment": "segments",
                 "startup": "startups", "investor": "investors"}

# A sweep's base may instead be a game file (the repeated pricing game, `cloudmarket game`); the
# binary tells the two apart by their `schema:` key, and so does the sweep.
SCENARIO_SCHEMA = "cloudmarket/1"
GAME_SCHEMA = "cloudmarket-game/1"

# Variables of a game's output (schema cloudmarket-game-output/1) that metrics may summarise, with
# their dimensions; `session` always comes first and metrics reduce over it. This table mirrors
# the C++ game writer (the `game` directory, documented in docs/game.md): a test
# (tests/python/test_game_sweep.py) compares it with what a game writes. The game-level
# variables (marginal_cost, price_grid, nash_price, nash_profit, monopoly_price, monopoly_profit,
# random_profit_gain) have no session dimension and are not listed: they are the same in every
# session. greedy_level is written only when the table is small, so it is not offered either.
GAME_VARIABLES = {
    "converged": ("session",),
    "periods": ("session",),
    "converged_at": ("session",),
    "cycle_length": ("session",),
    "price": ("session", "seller"),
    "profit": ("session", "seller"),
    "profit_gain": ("session", "seller"),
    "mean_profit_gain": ("session",),
    "impulse_price": ("session", "tau", "seller"),
    "impulse_profit": ("session", "tau", "seller"),
    "baseline_profit": ("session", "tau", "seller"),
    "deviation_gain": ("session",),
    "punishment": ("session",),
}
GAME_LEVEL_VARIABLES = ("marginal_cost", "price_grid", "nash_price", "nash_profit", "monopoly_price",
                        "monopoly_profit", "random_profit_gain")
GAME_LABEL_DIMS = ("seller", "tau")
# The game's list whose ids label the seller dimension (tau is numbered 0 .. impulse.periods + 1).
GAME_LABEL_SOURCES = {"seller": "sellers"}

# Used when the sweep file has no `metrics`.
DEFAULT_METRICS = [
    {"name": "hhi_final", "variable": "hhi", "reduce": "last"},
    {"name": "market_share_final", "variable": "market_share", "reduce": "last"},
    {"name": "vendor_profit_total", "variable": "vendor_profit", "reduce": "sum"},
    {"name": "cloud_adoption_final", "variable": "cloud_adoption", "reduce": "last", "across": "mean"},
]
# Used when the base is a game: Calvano et al.'s (2020) summaries of a batch of sessions.
DEFAULT_GAME_METRICS = [
    {"name": "profit_gain_mean", "variable": "mean_profit_gain", "reduce": "mean"},
    {"name": "converged_share", "variable": "converged", "reduce": "mean"},
    {"name": "converged_at_mean", "variable": "converged_at", "reduce": "mean"},
    {"name": "deviation_gain_mean", "variable": "deviation_gain", "reduce": "mean"},
]
# Names of the per-run variables of sweep.h5; metrics and parameters may not take them.
RESERVED_NAMES = {"run", "point", "replication", "seed", "status", "exit_code", "wall_seconds",
                  "time", "session", *LABEL_DIMS, *GAME_LABEL_DIMS}


def variables_of(game):
    """The table of summarisable output variables of a scenario's runs, or of a game's."""
    return GAME_VARIABLES if game else OUTPUT_VARIABLES

_PATH_RE = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------

class SweepFileError(Exception):
    """Invalid input; `messages` are complete `FILE:LINE:COL: error: ...` lines."""

    def __init__(self, messages):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


class Mark:
    """A place in a file, 1-based."""

    def __init__(self, file, line, col):
        self.file, self.line, self.col = file, line, col

    def __str__(self):
        return f"{self.file}:{self.line}:{self.col}"

    @classmethod
    def of(cls, file, node):
        return cls(file, node.start_mark.line + 1, node.start_mark.column + 1)


def did_you_mean(word, candidates):
    close = difflib.get_close_matches(str(word), [str(c) for c in candidates], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Errors:
    def __init__(self):
        self.messages = []

    def add(self, mark, message):
        self.messages.append(f"{mark}: error: {message}")

    def raise_if_any(self):
        if self.messages:
            raise SweepFileError(sorted(self.messages, key=_position))


_POSITION = re.compile(r"^(.*?):(\d+):(\d+): error: ")


def _position(message):
    """Sort key: file, then line and column (messages without a position keep their order, first)."""
    m = _POSITION.match(message)
    return (m[1], int(m[2]), int(m[3])) if m else ("", 0, 0)


# ------------------------------------------------------------------------------------------------
# Values
# ------------------------------------------------------------------------------------------------

class Value:
    """One parameter value: `text` goes to `--set PATH=text`, `data` into the design matrix."""

    __slots__ = ("text", "data", "mark")

    def __init__(self, text, data, mark=None):
        self.text, self.data, self.mark = text, data, mark

    def __repr__(self):
        return f"Value({self.text!r})"

    @classmethod
    def from_number(cls, x, integer):
        if integer:
            return cls(str(int(x)), int(x))
        x = float(x)
        return cls(repr(x), x)


def format_number(x):
    return str(int(x)) if isinstance(x, int) else repr(float(x))


def _plain_number(text):
    """The number a plain YAML scalar spells, or None (YAML 1.1 reads `1e6` as a string)."""
    try:
        return int(text, 10)
    except ValueError:
        pass
    try:
        x = float(text)
    except ValueError:
        return None
    if text.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return None
    return x


# ------------------------------------------------------------------------------------------------
# The YAML reader: nodes with their marks, duplicate keys, strict types
# ------------------------------------------------------------------------------------------------

_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Reader:
    def __init__(self, file, errors):
        self.file, self.errors = file, errors

    def mark(self, node):
        return Mark.of(self.file, node)

    def error(self, node, message):
        self.errors.add(self.mark(node), message)

    def mapping(self, node, what, allowed, required=()):
        """Dict key -> (key node, value node); reports duplicates, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, got {self.kind(node)}")
            return None
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, f"the keys of {what} must be plain words, got {self.kind(key_node)}")
                continue
            key = key_node.value
            if key in out:
                self.error(key_node, f"duplicate key '{key}' (first at line {out[key][0].start_mark.line + 1})")
                continue
            out[key] = (key_node, value_node)
            if allowed is not None and key not in allowed:
                self.error(key_node, f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}")
        for key in required:
            if key not in out:
                self.error(node, f"missing required key '{key}' in {what}")
        return out

    @staticmethod
    def kind(node):
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        value = node.value
        return f"'{value}'" if value != "" else "nothing"

    def scalar(self, node):
        """(python value, text) of a scalar node; value None for YAML null."""
        if not isinstance(node, yaml.ScalarNode):
            return None, None
        if node.style in ("'", '"'):
            return node.value, node.value
        data = _CONSTRUCTOR.construct_object(node, deep=True)
        if isinstance(data, str):
            number = _plain_number(data)
            if number is not None:
                data = number
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            # the original spelling goes to --set unchanged
            return data, node.value
        if isinstance(data, bool):
            return data, "true" if data else "false"
        if data is None:
            return None, None
        if isinstance(data, str):
            return data, data
        return str(data), node.value  # dates and the like: the text as written

    def string(self, node, name):
        data, _ = self.scalar(node)
        if not isinstance(data, str) or data == "":
            self.error(node, f"'{name}' must be a non-empty string, got {self.kind(node)}")
            return None
        return data

    def integer(self, node, name, lo=None, hi=None):
        data, _ = self.scalar(node)
        if isinstance(data, float) and data.is_integer() and abs(data) < 2**63:
            data = int(data)
        if not isinstance(data, int) or isinstance(data, bool):
            self.error(node, f"'{name}' must be an integer, got {self.kind(node)}")
            return None
        return self._in_range(node, name, data, lo, hi)

    def number(self, node, name, lo=None, hi=None, lo_open=False):
        data, _ = self.scalar(node)
        if not isinstance(data, (int, float)) or isinstance(data, bool):
            self.error(node, f"'{name}' must be a number, got {self.kind(node)}")
            return None
        if not math.isfinite(data):
            self.error(node, f"'{name}' must be a finite number, got {self.kind(node)}")
            return None
        if lo_open and data <= lo:
            self.error(node, f"'{name}' must be > {format_number(lo)}, got {node.value}")
            return None
        return self._in_range(node, name, data, None if lo_open else lo, hi)

    def boolean(self, node, name):
        data, _ = self.scalar(node)
        if not isinstance(data, bool) or node.value not in ("true", "false"):
            self.error(node, f"'{name}' must be true or false, got {self.kind(node)}")
            return None
        return data

    def choice(self, node, name, choices):
        data, _ = self.scalar(node)
        if not isinstance(data, str) or data not in choices:
            self.error(node, f"'{name}' must be one of {', '.join(choices)}, got {self.kind(node)}"
                             f"{did_you_mean(data, choices) if isinstance(data, str) else ''}")
            return None
        return data

    def sequence(self, node, name):
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{name}' must be a list, got {self.kind(node)}")
            return None
        return node.value

    def _in_range(self, node, name, data, lo, hi):
        if (lo is not None and data < lo) or (hi is not None and data > hi):
            if lo is not None and hi is not None:
                bound = f"in [{format_number(lo)}, {format_number(hi)}]"
            elif lo is not None:
                bound = f">= {format_number(lo)}"
            else:
                bound = f"<= {format_number(hi)}"
            self.error(node, f"'{name}' must be {bound}, got {node.value}")
            return None
        return data


def _check_aliases(root, reader, what="sweep file"):
    """Anchors and aliases are refused: they add nothing to a sweep file and can blow up."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            reader.error(node, f"anchors and aliases (&name, *name) are not allowed in a {what}")
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return True


def _file_type(mode):
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _line_col(text, offset):
    """1-based line and column (in characters) of `offset` into `text` (str or bytes)."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, offset) + 1
    start = text.rfind(newline, 0, offset) + 1
    head = text[start:offset]
    if isinstance(head, bytes):
        head = head.decode("utf-8", "replace")
    return line, len(head) + 1


def read_text(path, errors, what="sweep file", limit=MAX_FILE_BYTES):
    """The UTF-8 text of a regular file of at most `limit` bytes, or None after reporting why not.
    Never blocks (a FIFO is refused unopened for reading) and never reads more than limit + 1 bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as error:
        errors.messages.append(f"{path}: error: cannot read file: {error.strerror}")
        return None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            errors.messages.append(f"{path}: error: cannot read file: it is {_file_type(mode)}, not a regular file")
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        errors.messages.append(f"{path}: error: cannot read file: {error.strerror}")
        return None
    finally:
        os.close(fd)
    if size > limit:
        errors.messages.append(f"{path}: error: the {what} is larger than the limit of {limit} bytes")
        return None
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = _line_col(data, error.start)
        errors.add(Mark(path, line, col), f"the {what} is not UTF-8 text: byte 0x{data[error.start]:02x} "
                                          "cannot start or continue a character")
        return None


def _check_depth(text, path, errors, what):
    """Nesting deeper than MAX_DEPTH, reported at the first place it happens (PyYAML's composer
    recurses once per level and would end in a RecursionError). Parsing events is iterative."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    errors.add(Mark(path, event.start_mark.line + 1, event.start_mark.column + 1),
                               f"the {what} nests lists and mappings more than {MAX_DEPTH} levels deep")
                    return False
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        pass  # reported with its place by compose
    return True


def _yaml_error(path, errors, error, text):
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        errors.add(Mark(path, line, col), error.problem or str(error))
    elif isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow (NUL, controls)
        line, col = _line_col(text, error.position)
        char = error.character if isinstance(error.character, str) else chr(error.character)
        errors.add(Mark(path, line, col), f"character U+{ord(char):04X} is not allowed in YAML ({error.reason})")
    else:
        errors.add(Mark(path, 1, 1), str(error).replace("\n", " "))


def compose_file(path, errors, what="sweep file"):
    """(text, root node) of a YAML file, or (text, None) after reporting why not."""
    text = read_text(path, errors, what)
    if text is None:
        return None, None
    try:
        if not _check_depth(text, path, errors, what):
            return text, None
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        _yaml_error(path, errors, error, text)
        return text, None
    except RecursionError:  # cannot happen after _check_depth; kept so that it is never a traceback
        errors.add(Mark(path, 1, 1), f"the {what} nests too deep")
        return text, None
    if root is None:
        errors.add(Mark(path, 1, 1), f"the {what} is empty")
        return text, None
    return text, root


# ------------------------------------------------------------------------------------------------
# The sweep
# ------------------------------------------------------------------------------------------------

class Parameter:
    """One swept scenario value: `path` for --set, and either `values` or a range."""

    def __init__(self, path, mark, path_mark, path_plain=True):
        self.path, self.mark, self.path_mark, self.path_plain = path, mark, path_mark, path_plain
        self.values = None          # list of Value, or None for a range
        self.min = self.max = None
        self.min_mark = self.max_mark = None
        self.distribution = "uniform"
        self.integer = False
        self.units = "1"
        self.long_name = None

    def spec(self):
        """The description `designs.to_values` takes (values by index, mapped back later)."""
        if self.values is not None:
            return {"values": list(range(len(self.values)))}
        return {"min": self.min, "max": self.max, "distribution": self.distribution, "integer": self.integer}

    def to_json(self):
        out = {"path": self.path, "units": self.units, "long_name": self.long_name or f"scenario value {self.path}"}
        if self.values is not None:
            out["values"] = [v.data for v in self.values]
        elif self.min is not None:
            out.update(min=self.min, max=self.max, distribution=self.distribution, integer=self.integer)
        return out


class Metric:
    """A summary of one output variable: over time (a scenario's run) or over sessions (a game's,
    `game` true), the two tables having different variables, and `price` in both."""

    def __init__(self, name, variable, reduce="last", over=None, select=None, across=None,
                 units=None, long_name=None, mark=None, game=False):
        self.name, self.variable, self.reduce, self.over = name, variable, reduce, over
        self.select = dict(select or {})
        self.across, self.units, self.long_name, self.mark = across, units, long_name, mark
        self.game = bool(game)

    def variable_dims(self):
        """Dimensions of the variable in a run's output; the first is reduced."""
        return variables_of(self.game).get(self.variable, ("session",) if self.game else ("time",))

    def dims(self):
        """Dimensions of the metric for one run (those neither selected nor reduced across)."""
        if self.across:
            return ()
        return tuple(d for d in self.variable_dims()[1:] if d not in self.select)

    def to_json(self):
        out = {"name": self.name, "variable": self.variable, "reduce": self.reduce}
        for key in ("over", "across", "units", "long_name"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.select:
            out["select"] = dict(self.select)
        if self.game:  # only then, so that a scenario sweep's manifest stays as it was
            out["game"] = True
        return out

    @classmethod
    def from_json(cls, d):
        return cls(d["name"], d["variable"], d.get("reduce", "last"), d.get("over"), d.get("select"),
                   d.get("across"), d.get("units"), d.get("long_name"), game=d.get("game", False))


class Sweep:
    """A checked sweep file."""

    def __init__(self, file):
        self.file = file
        self.text = ""
        self.name = None
        self.description = None
        self.base = None            # path as given, joined to the sweep file's directory
        self.base_mark = None
        self.game = False           # the base is a game file (schema cloudmarket-game/1)
        self.seed = 0
        self.replications = 1
        self.seeds = None           # independent | common; default by design type
        self.design = {"type": "grid"}
        self.parameters = []
        self.fixed = []             # [(path, Value, path_mark, path_plain)] from `set`
        self.metrics = []
        self.metrics_given = False
        self.series = []  # time series averaged per design point into sweep.h5's group `series`
        self.timeout_seconds = DEFAULT_TIMEOUT_SECONDS
        self.jobs = None
        self.csv_rows = None        # csv design: list of rows of Value
        self.labels = {}            # dimension -> ids, from the resolved base scenario
        self._points = None
        self.parameters_mark = Mark(file, 1, 1)

    # -- design points ---------------------------------------------------------------------------

    def point_count(self):
        kind, d = self.design["type"], len(self.parameters)
        if kind == "grid":
            return math.prod(len(p.values) for p in self.parameters)
        if kind == "lhs":
            return self.design["samples"]
        if kind == "saltelli":
            return self.design["samples"] * (2 * d + 2)
        if kind == "morris":
            return self.design["trajectories"] * (d + 1)
        return len(self.csv_rows)

    def points(self):
        """(unit, rows): the design in [0, 1]^d (None for grid and csv) and each point's Values."""
        if self._points is None:
            self._points = self._make_points()
        return self._points

    def _make_points(self):
        kind, d = self.design["type"], len(self.parameters)
        if kind == "csv":
            return None, [list(row) for row in self.csv_rows]
        from . import designs  # imported here: scipy is slow to import and run-one does not need it
        if kind == "grid":
            index = designs.grid([list(range(len(p.values))) for p in self.parameters])
            return None, [[p.values[int(k)] for p, k in zip(self.parameters, row)] for row in index]
        design_seed = derive_seed(self.seed, "design")
        if kind == "lhs":
            unit = designs.lhs(self.design["samples"], d, design_seed)
        elif kind == "saltelli":
            unit = designs.saltelli(self.design["samples"], d, design_seed)
        else:
            unit = designs.morris(self.design["trajectories"], d, self.design["levels"], design_seed)
        mapped = designs.to_values(unit, [p.spec() for p in self.parameters])
        rows = []
        for row in mapped:
            values = []
            for p, x in zip(self.parameters, row):
                if p.values is not None:
                    values.append(p.values[int(x)])
                else:
                    value = Value.from_number(x, p.integer)
                    value.mark = p.min_mark if x - p.min <= p.max - x else p.max_mark
                    values.append(value)
            rows.append(values)
        return unit, rows

    def seed_group(self, point):
        """The group of design points whose runs share seeds (`seeds: common`), or the point."""
        if self.seeds == "independent":
            return point
        kind = self.design["type"]
        if kind == "saltelli":   # row j of every block comes from base sample j
            return point % self.design["samples"]
        if kind == "morris":     # the d + 1 points of one trajectory
            return point // (len(self.parameters) + 1)
        return 0                 # grid, lhs, csv: every point

    def run_seed(self, point, replication):
        if self.seeds == "independent":
            return run_seed(self.seed, point, replication)
        return derive_seed(self.seed, "group", self.seed_group(point), "replication", replication)

    def manifest(self, binary):
        """Everything a worker needs, with one entry per run (`index = point * replications + r`)."""
        unit, rows = self.points()
        points, runs = [], []
        fixed = [f"{path}={value.text}" for path, value, _, _ in self.fixed]
        for i, row in enumerate(rows):
            points.append({"point": i, "values": [v.data for v in row], "text": [v.text for v in row],
                           "unit": None if unit is None else [float(u) for u in unit[i]]})
            assignments = fixed + [f"{p.path}={v.text}" for p, v in zip(self.parameters, row)]
            for r in range(self.replications):
                runs.append({"index": len(runs), "point": i, "replication": r,
                             "seed": self.run_seed(i, r), "set": assignments})
        return {
            "schema": MANIFEST_SCHEMA,
            "sweep_file": os.path.abspath(self.file),
            "sweep_yaml": self.text,
            "name": self.name or os.path.splitext(os.path.basename(self.file))[0],
            "description": self.description,
            "base": os.path.abspath(self.base),
            **({"base_schema": GAME_SCHEMA} if self.game else {}),
            "binary": os.path.abspath(binary) if binary else None,
            "seed": self.seed,
            "seeds": self.seeds,
            "replications": self.replications,
            "design": {k: v for k, v in self.design.items() if not k.startswith("_")},
            "parameters": [p.to_json() for p in self.parameters],
            "set": [[path, value.text] for path, value, _, _ in self.fixed],
            "metrics": [m.to_json() for m in self.metrics],
            "series": list(self.series),
            "labels": self.labels,
            "timeout_seconds": self.timeout_seconds,
            "points": points,
            "runs": runs,
        }


def derive_seed(sweep_seed, *parts):
    """A stable 64-bit hash of the sweep seed and `parts`, reduced to the simulator's seed range."""
    text = "cloudmarket-sweep/1:" + ":".join(str(p) for p in (sweep_seed, *parts))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % MAX_SEED


def run_seed(sweep_seed, point, replication):
    """The seed of one run (`seeds: independent`): a function of (sweep seed, design point,
    replication) only, so how runs are spread over workers, or which of them ran before a resume,
    never changes a result. `seeds: common` hashes the point's group instead of the point."""
    return derive_seed(sweep_seed, "point", point, "replication", replication)


# ------------------------------------------------------------------------------------------------
# load
# ------------------------------------------------------------------------------------------------

SEED_SCHEMES = ("independent", "common")
METRIC_ACROSS = ("mean", "sum", "max", "min")
# The keys of a sweep file (docs/sweep.md), with their types and ranges: `load` reads them from
# here and tools/schema.py prints them as docs/schema/sweep.schema.json.
DESIGN_FIELDS = Table("design", "How the parameter space is sampled.", {
    "type": Field("choice", "the design", choices=DESIGNS, required=True),
    "samples": Field("integer", "lhs: points; saltelli: base samples N (a power of 2; N (d + 2) points)",
                     lo=1, hi=MAX_RUNS),
    "trajectories": Field("integer", "morris: trajectories r (r (d + 1) points)", lo=1, hi=MAX_RUNS),
    "levels": Field("integer", "morris: grid levels p (even)", lo=2, hi=1000, default=4),
    "file": Field("string", "csv: the design file, one row per point (a path relative to the sweep file)"),
}, discriminator="type", variants={"grid": (), "lhs": ("samples",), "saltelli": ("samples",),
                                    "morris": ("trajectories", "levels"), "csv": ("file",)},
    required_in={"lhs": ("samples",), "saltelli": ("samples",), "morris": ("trajectories",), "csv": ("file",)})
DESIGN_KEYS = {kind: ("type", *keys) for kind, keys in DESIGN_FIELDS.variants.items()}
PARAMETER_FIELDS = Table("parameter", "A swept parameter: a list of values, or a range (min, max).", {
    "path": Field("string", "the scenario value, as for --set (vendors.aws.pricing.markup)",
                  pattern=_PATH_RE.pattern, required=True),
    "values": Field("list", "the values it takes (grid designs, or any design)", item=Field("scalar"), min_items=1),
    "min": Field("number", "lower end of the range"),
    "max": Field("number", "upper end of the range (> min)"),
    "distribution": Field("choice", "how the range is sampled", choices=DISTRIBUTIONS, default="uniform"),
    "integer": Field("boolean", "round to whole numbers", default=False),
    "units": Field("string", "units, for sweep.h5", default="1"),
    "long_name": Field("string", "a description, for sweep.h5"),
})
PARAMETER_KEYS = PARAMETER_FIELDS.keys()
METRIC_FIELDS = Table("metric", "A summary of each run: one output variable reduced over time (or sessions).", {
    "name": Field("string", "the metric's name in sweep.h5", pattern=_NAME_RE.pattern, required=True),
    "variable": Field("choice", "an output variable with a time (or, for a game, session) dimension",
                      choices=lambda: sorted({*OUTPUT_VARIABLES, *GAME_VARIABLES}), required=True),
    "reduce": Field("choice", "how it is reduced over time (a game: over sessions)", choices=REDUCTIONS,
                    default="last"),
    "over": Field("integer", "the last this many output periods only", lo=1, hi=100_000),
    "select": Field("mapping", "keep one label of a dimension: {vendor: aws}",
                    values=Field("string")),
    "across": Field("choice", "how the remaining dimensions are combined", choices=METRIC_ACROSS),
    "units": Field("string", "units, for sweep.h5"),
    "long_name": Field("string", "a description, for sweep.h5"),
})
METRIC_KEYS = METRIC_FIELDS.keys()
SWEEP_FIELDS = Table("sweep", "A batch of runs of one base scenario or game (docs/sweep.md).", {
    "schema": Field("const", "the file's schema", choices=(SCHEMA,), required=True),
    "name": Field("string", "the sweep's name"),
    "description": Field("string", "what the sweep is for"),
    "base": Field("string", "the base scenario or game file (a path relative to the sweep file)", required=True),
    "seed": Field("integer", "the sweep's seed, from which every run's seed is derived", lo=0, hi=2**63 - 1,
                  default=0),
    "seeds": Field("choice", "independent seeds per point, or common random numbers across points",
                   choices=SEED_SCHEMES),
    "replications": Field("integer", "runs per design point", lo=1, hi=1_000_000, default=1),
    "design": Field("mapping", "how the parameters are sampled", item=DESIGN_FIELDS),
    "parameters": Field("list", "the swept parameters", item=PARAMETER_FIELDS),
    "set": Field("mapping", "values fixed in every run: {PATH: VALUE}", values=Field("scalar")),
    "metrics": Field("list", "the summaries of each run (absent: the default metrics)", item=METRIC_FIELDS,
                     min_items=1),
    "series": Field("list", "time series averaged per design point (mean and 95% interval over its "
                    "replications) into sweep.h5's group `series`", item=Field(
                        "choice", "a run's time series", choices=lambda: sorted(OUTPUT_VARIABLES)), min_items=1),
    "timeout_seconds": Field("number", "a run's time limit, seconds", lo=0, hi=10**9, lo_open=True,
                             default=DEFAULT_TIMEOUT_SECONDS),
    "jobs": Field("integer", "runs at a time (default: the CPU count)", lo=1, hi=4096),
})
TOP_KEYS = SWEEP_FIELDS.keys()


def read_document(path, what, schema, keys, required):
    """(text, reader, root node, top-level mapping) of one of the tools' YAML files (a sweep or targets file):
    read within the limits, composed, without aliases, its top-level keys and `schema` checked.
    Raises SweepFileError when nothing more can be read; later problems go to `reader.errors`."""
    errors = _Errors()
    text, root = compose_file(path, errors, what=what)
    errors.raise_if_any()
    r = _Reader(path, errors)
    if not _check_aliases(root, r, what=what):
        errors.raise_if_any()
    top = r.mapping(root, f"the {what}", keys, required=required)
    if top is None:
        errors.raise_if_any()
    if "schema" in top:
        node = top["schema"][1]
        value = r.string(node, "schema")
        if value is not None and value != schema:
            hint = f" ({what}s start with 'schema: {schema}')" if value.startswith("cloudmarket") \
                else did_you_mean(value, [schema])
            r.error(node, f"'schema' must be '{schema}', got '{value}'{hint}")
    return text, r, root, top


def load(path):
    """Read and check a sweep file on its own (no simulator involved); raises SweepFileError."""
    sweep = Sweep(path)
    sweep.text, r, root, top = read_document(path, "sweep file", SCHEMA, TOP_KEYS, SWEEP_FIELDS.required())
    errors = r.errors
    for key in ("name", "description"):
        if key in top:
            setattr(sweep, key, r.string(top[key][1], key))
    if "base" in top:
        node = top["base"][1]
        value = r.string(node, "base")
        if value is not None:
            sweep.base = os.path.join(os.path.dirname(path), value)
            sweep.base_mark = r.mark(node)
            if not os.path.exists(sweep.base):
                r.error(node, f"base scenario '{value}' not found (looked for {sweep.base})")
            elif not os.path.isfile(sweep.base):
                r.error(node, f"base scenario '{value}' is {_file_type(os.stat(sweep.base).st_mode)}, "
                              "not a regular file")
            else:
                sweep.game = base_schema(sweep.base) == GAME_SCHEMA
    if "seed" in top:
        value = r.integer(top["seed"][1], "seed", *SWEEP_FIELDS["seed"].bounds)
        sweep.seed = value if value is not None else 0
    if "seeds" in top:
        sweep.seeds = r.choice(top["seeds"][1], "seeds", SEED_SCHEMES)
    if "replications" in top:
        value = r.integer(top["replications"][1], "replications", *SWEEP_FIELDS["replications"].bounds)
        sweep.replications = value or 1
    if "timeout_seconds" in top:
        value = r.number(top["timeout_seconds"][1], "timeout_seconds", *SWEEP_FIELDS["timeout_seconds"].bounds,
                         lo_open=SWEEP_FIELDS["timeout_seconds"].lo_open)
        sweep.timeout_seconds = float(value) if value is not None else DEFAULT_TIMEOUT_SECONDS
    if "jobs" in top:
        sweep.jobs = r.integer(top["jobs"][1], "jobs", *SWEEP_FIELDS["jobs"].bounds)

    design_node = top["design"][1] if "design" in top else None
    if design_node is not None:
        _read_design(r, design_node, sweep)
    if "set" in top:
        _read_fixed(r, top["set"][1], sweep)
    if "parameters" in top:
        _read_parameters(r, top["parameters"][1], sweep, design_node)
    elif sweep.design["type"] != "csv":  # a csv design may take its parameters from its header
        r.error(root, "missing required key 'parameters' in the sweep file")
    if sweep.design["type"] == "csv" and "file" in sweep.design and not errors.messages:
        _read_csv(r, sweep)
    if "metrics" in top:
        sweep.metrics_given = True
        _read_metrics(r, top["metrics"][1], sweep)
    else:
        sweep.metrics = [Metric(**m, game=sweep.game) for m in (DEFAULT_GAME_METRICS if sweep.game else DEFAULT_METRICS)]
    if "series" in top:
        _read_series(r, top["series"][0], top["series"][1], sweep)

    if sweep.seeds is None:
        sweep.seeds = "common" if sweep.design["type"] in ("saltelli", "morris") else "independent"
    if not errors.messages:
        _check_design_fits(r, sweep, design_node or root)
    errors.raise_if_any()
    return sweep


_SCHEMA_LINE = re.compile(r"^schema:[ \t]*(['\"]?)([^'\"#\s]+)\1[ \t]*(#.*)?$", re.MULTILINE)


def base_schema(path):
    """The top-level `schema:` of a base file (what the binary dispatches on), or None. Only a
    line at the top level is read: the whole file is parsed by `cloudmarket validate` later."""
    errors = _Errors()
    text = read_text(path, errors, "base file")
    m = _SCHEMA_LINE.search(text) if text is not None else None
    return m[2] if m else None


def _read_design(r, node, sweep):
    m = r.mapping(node, "design", None, required=("type",))
    if m is None or "type" not in m:
        return
    kind = r.choice(m["type"][1], "type", DESIGNS)
    if kind is None:
        return
    allowed = DESIGN_KEYS[kind]
    for key, (key_node, _) in m.items():
        if key not in allowed:
            others = [k for k in DESIGN_KEYS if key in DESIGN_KEYS[k]]
            note = f"; it belongs to design type {', '.join(others)}" if others else did_you_mean(key, allowed)
            r.error(key_node, f"unknown key '{key}' in design of type {kind}{note}")
    design = {"type": kind}
    for key in DESIGN_FIELDS.required_in.get(kind, ()):
        if key not in m:
            r.error(node, f"missing required key '{key}' in design of type {kind}")
    if kind in ("lhs", "saltelli") and "samples" in m:
        n = r.integer(m["samples"][1], "samples", 2 if kind == "saltelli" else 1, DESIGN_FIELDS["samples"].hi)
        if n is not None and kind == "saltelli" and n & (n - 1):
            lower = 1 << (n.bit_length() - 1)
            r.error(m["samples"][1], f"'samples' of a saltelli design must be a power of 2, got {n}"
                                     f" (try {lower} or {lower * 2})")
            n = None
        design["samples"] = n
    if kind == "morris":
        if "trajectories" in m:
            design["trajectories"] = r.integer(m["trajectories"][1], "trajectories", *DESIGN_FIELDS["trajectories"].bounds)
        design["levels"] = DESIGN_FIELDS["levels"].default
        if "levels" in m:
            levels = r.integer(m["levels"][1], "levels", *DESIGN_FIELDS["levels"].bounds)
            if levels is not None and levels % 2:
                r.error(m["levels"][1], f"'levels' of a morris design must be even, got {levels}")
                levels = None
            design["levels"] = levels
    if kind == "csv" and "file" in m:
        value = r.string(m["file"][1], "file")
        if value is not None:
            design["file"] = value
            design["_path"] = os.path.join(os.path.dirname(sweep.file), value)
            design["_mark"] = r.mark(m["file"][1])
            if not os.path.exists(design["_path"]):
                r.error(m["file"][1], f"design file '{value}' not found (looked for {design['_path']})")
    sweep.design = design


def _read_path(r, node, name):
    value = r.string(node, name)
    if value is None:
        return None
    if not _PATH_RE.match(value):
        r.error(node, f"'{name}' must be a scenario path such as vendors.aws.pricing.undercut, got '{value}'")
        return None
    if value == "seed":
        r.error(node, "the sweep sets each run's seed itself (from the sweep's 'seed'); 'seed' cannot be swept")
        return None
    return value


def _read_fixed(r, node, sweep):
    m = r.mapping(node, "set", None)
    if m is None:
        return
    for key, (key_node, value_node) in m.items():
        path = _read_path(r, key_node, "set")
        if path is None:
            continue
        data, text = r.scalar(value_node)
        if text is None:
            r.error(value_node, f"the value of '{path}' in 'set' must be a number, string or boolean, "
                                f"got {r.kind(value_node)}")
            continue
        sweep.fixed.append((path, Value(text, data, r.mark(value_node)), r.mark(key_node),
                            key_node.style is None))


def _read_parameters(r, node, sweep, design_node):
    sweep.parameters_mark = r.mark(node)
    items = r.sequence(node, "parameters")
    if items is None:
        return
    kind = sweep.design["type"]
    if not items and kind != "csv":
        r.error(node, "'parameters' must list at least one parameter")
    fixed = {path: mark for path, _, mark, _ in sweep.fixed}
    seen = {}
    for item in items:
        m = r.mapping(item, "a parameter", PARAMETER_KEYS, required=PARAMETER_FIELDS.required())
        if m is None or "path" not in m:
            continue
        path_node = m["path"][1]
        path = _read_path(r, path_node, "path")
        if path is None:
            continue
        if path in fixed:
            r.error(path_node, f"parameter '{path}' is also fixed in 'set' (line {fixed[path].line}); "
                               "a value is either swept or fixed")
            continue
        if path in seen:
            r.error(path_node, f"parameter '{path}' is given twice (first at line {seen[path].line})")
            continue
        seen[path] = r.mark(path_node)
        p = Parameter(path, r.mark(item), r.mark(path_node), path_node.style is None)
        if "units" in m:
            p.units = r.string(m["units"][1], "units") or "1"
        if "long_name" in m:
            p.long_name = r.string(m["long_name"][1], "long_name")
        has_values = "values" in m
        range_keys = [k for k in ("min", "max", "distribution", "integer") if k in m]
        if kind == "csv":
            for key in (["values"] if has_values else []) + range_keys:
                r.error(m[key][0], f"'{key}' has no use with a csv design: the values come from the design file")
        elif has_values and range_keys:
            r.error(m[range_keys[0]][0], f"parameter '{path}' has both 'values' and '{range_keys[0]}'; "
                                         "give either a list of values or a range (min, max)")
        elif has_values:
            p.values = _read_values(r, m["values"][1], path)
        elif kind == "grid":
            r.error(item, f"parameter '{path}' needs 'values' in a grid design "
                          "(ranges with min and max are for lhs, saltelli and morris designs)")
        else:
            _read_range(r, m, item, p)
        sweep.parameters.append(p)


def _read_values(r, node, path):
    items = r.sequence(node, "values")
    if items is None:
        return None
    if not items:
        r.error(node, f"'values' of parameter '{path}' must not be empty")
        return None
    values, seen, ok = [], {}, True
    for item in items:
        data, text = r.scalar(item)
        if text is None:
            r.error(item, f"a value of parameter '{path}' must be a number, string or boolean, got {r.kind(item)}")
            ok = False
            continue
        if isinstance(data, float) and not math.isfinite(data):
            r.error(item, f"a value of parameter '{path}' must be finite, got {text}")
            ok = False
            continue
        if text in seen:
            r.error(item, f"value {text} of parameter '{path}' is listed twice (first at line {seen[text]})")
            ok = False
            continue
        seen[text] = item.start_mark.line + 1
        values.append(Value(text, data, r.mark(item)))
    return values if ok else None


def _read_range(r, m, item, p):
    for key in ("min", "max"):
        if key not in m:
            r.error(item, f"parameter '{p.path}' needs 'values', or 'min' and 'max'; '{key}' is missing")
    if "distribution" in m:
        p.distribution = r.choice(m["distribution"][1], "distribution", DISTRIBUTIONS) or "uniform"
    if "integer" in m:
        p.integer = bool(r.boolean(m["integer"][1], "integer"))
    if "min" not in m or "max" not in m:
        return
    lo = r.number(m["min"][1], "min")
    hi = r.number(m["max"][1], "max")
    if lo is None or hi is None:
        return
    if p.integer:
        for key, x in (("min", lo), ("max", hi)):
            if float(x) != math.floor(x):
                r.error(m[key][1], f"'{key}' of an integer parameter must be a whole number, got {m[key][1].value}")
                return
    if not lo < hi:
        r.error(m["max"][1], f"'max' must be greater than 'min' ({m['min'][1].value}), got {m['max'][1].value}")
        return
    if p.distribution == "loguniform" and lo <= 0:
        r.error(m["min"][1], f"'min' of a loguniform parameter must be > 0, got {m['min'][1].value}")
        return
    p.min, p.max = (int(lo), int(hi)) if p.integer else (float(lo), float(hi))
    p.min_mark, p.max_mark = r.mark(m["min"][1]), r.mark(m["max"][1])


def _csv_cells(line):
    """(1-based column, text) of each cell of one CSV line."""
    cells, start, quoted, i = [], 0, False, 0
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            cells.append(start)
            start = i + 1
    cells.append(start)
    values = next(csv.reader(io.StringIO(line)), [])
    return [(c + 1, v.strip()) for c, v in zip(cells, values)]


def _read_csv(r, sweep):
    path = sweep.design["_path"]
    errors = r.errors
    before = len(errors.messages)
    text = read_text(path, errors, "design file")
    if text is None:
        problems = errors.messages[before:]
        del errors.messages[before:]
        for problem in problems:  # report it at the design's `file:` too, where the user named it
            errors.add(sweep.design["_mark"], f"cannot use design file {sweep.design['file']}: "
                                              f"{problem.split(': error: ', 1)[-1]}")
            if re.match(r"^.+:\d+:\d+: error: ", problem):
                errors.messages.append(problem)
        return
    lines = text.splitlines()
    rows = [(n + 1, line) for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        errors.add(Mark(path, 1, 1), "the design file is empty: it needs a header of parameter paths and a row per point")
        return
    header_line, header = rows[0]
    columns = _csv_cells(header)
    names = [name for _, name in columns]
    given = {p.path: p for p in sweep.parameters}
    for col, name in columns:
        if not _PATH_RE.match(name) or name == "seed":
            errors.add(Mark(path, header_line, col), f"column '{name}' must be a scenario path such as "
                                                     "vendors.aws.pricing.undercut (and not 'seed')")
        elif names.count(name) > 1 and names.index(name) != columns.index((col, name)):
            errors.add(Mark(path, header_line, col), f"column '{name}' appears twice")
        elif given and name not in given:
            errors.add(Mark(path, header_line, col), f"column '{name}' is not a parameter of the sweep file"
                                                     f"{did_you_mean(name, given)}")
        elif any(name == fixed[0] for fixed in sweep.fixed):
            errors.add(Mark(path, header_line, col), f"column '{name}' is also fixed in 'set'")
    for p in sweep.parameters:
        if p.path not in names:
            errors.add(p.path_mark, f"parameter '{p.path}' has no column in the design file {sweep.design['file']}")
    if errors.messages:
        return
    if not given:
        sweep.parameters = [Parameter(name, Mark(path, header_line, col), Mark(path, header_line, col))
                            for col, name in columns]
    order = [names.index(p.path) for p in sweep.parameters]
    if len(rows) < 2:
        errors.add(Mark(path, header_line, 1), "the design file has a header but no rows")
        return
    sweep.csv_rows = []
    for line_no, line in rows[1:]:
        cells = _csv_cells(line)
        if len(cells) != len(columns):
            errors.add(Mark(path, line_no, 1), f"this row has {len(cells)} values, the header has {len(columns)}")
            continue
        row = []
        for j in order:
            col, text = cells[j]
            if text == "":
                errors.add(Mark(path, line_no, col), f"empty value for '{names[j]}'")
                continue
            number = _plain_number(text)
            row.append(Value(text, number if number is not None else text, Mark(path, line_no, col)))
        sweep.csv_rows.append(row)
    # The distinct values of each column, as if listed (check_with_binary tries each).
    for k, p in enumerate(sweep.parameters):
        seen, values = set(), []
        for row in sweep.csv_rows:
            if len(row) == len(sweep.parameters) and row[k].text not in seen:
                seen.add(row[k].text)
                values.append(row[k])
        p.values = values


def _read_metrics(r, node, sweep):
    items = r.sequence(node, "metrics")
    if items is None:
        return
    if not items:
        r.error(node, "'metrics' must list at least one metric (leave the key out for the default metrics)")
    names = {}
    for item in items:
        m = r.mapping(item, "a metric", METRIC_KEYS, required=METRIC_FIELDS.required())
        if m is None or "name" not in m or "variable" not in m:
            continue
        name = r.string(m["name"][1], "name")
        if name is not None:
            if not _NAME_RE.match(name):
                r.error(m["name"][1], f"a metric's 'name' must be a word of letters, digits and _, got '{name}'")
                name = None
            elif name in RESERVED_NAMES:
                r.error(m["name"][1], f"'{name}' is taken by sweep.h5 itself; choose another metric name")
                name = None
            elif name in names:
                r.error(m["name"][1], f"metric '{name}' is defined twice (first at line {names[name]})")
                name = None
            else:
                names[name] = m["name"][1].start_mark.line + 1
        variable = r.string(m["variable"][1], "variable")
        if variable is not None and sweep.game and variable not in GAME_VARIABLES:
            r.error(m["variable"][1], _unknown_game_variable(variable))
            variable = None
        elif variable is not None and not sweep.game and variable not in OUTPUT_VARIABLES:
            also = (f" ('{variable}' is a variable of a game's output; this sweep's base is a scenario)"
                    if variable in GAME_VARIABLES or variable in GAME_LEVEL_VARIABLES else "")
            r.error(m["variable"][1], f"unknown output variable '{variable}'{did_you_mean(variable, OUTPUT_VARIABLES)}; "
                                      "metrics summarise variables with a time dimension, such as hhi, "
                                      f"market_share, vendor_profit, cloud_adoption{also}")
            variable = None
        # A game's sessions are repetitions: their mean is the natural summary, not the last one.
        metric = Metric(name, variable, reduce="mean" if sweep.game else "last", mark=r.mark(item), game=sweep.game)
        if "reduce" in m:
            metric.reduce = r.choice(m["reduce"][1], "reduce", REDUCTIONS) or "last"
        if "over" in m and sweep.game:
            # a game's variables run over sessions, which are repetitions, not months
            r.error(m["over"][0], "'over' has no use in a sweep over a game: its metrics reduce over "
                                  "all the sessions (reduce: mean, min, max, sum or last)")
        elif "over" in m:
            metric.over = r.integer(m["over"][1], "over", *METRIC_FIELDS["over"].bounds)
            if metric.over is not None and metric.reduce == "last":
                r.error(m["over"][0], "'over' has no use with reduce: last (it takes the final month only)")
        if "across" in m:
            metric.across = r.choice(m["across"][1], "across", METRIC_ACROSS)
        for key in ("units", "long_name"):
            if key in m:
                setattr(metric, key, r.string(m[key][1], key))
        if "select" in m:
            sel = r.mapping(m["select"][1], "select", None)
            dims = variables_of(sweep.game).get(variable, ())[1:] if variable else None
            first = "session" if sweep.game else "time"
            for dim, (dim_node, label_node) in (sel or {}).items():
                if dims is not None and dim not in dims:
                    have = f"its dimensions are {', '.join(dims)}" if dims else f"it has no dimension but {first}"
                    r.error(dim_node, f"variable '{variable}' has no dimension '{dim}'{did_you_mean(dim, dims)}; {have}")
                    continue
                label = r.string(label_node, dim)
                if label is not None:
                    metric.select[dim] = label
                    metric.select_marks = getattr(metric, "select_marks", {})
                    metric.select_marks[dim] = r.mark(label_node)
        if name is not None and variable is not None:
            sweep.metrics.append(metric)
    if sweep.parameters:
        for metric in sweep.metrics:
            if metric.name in {p.path for p in sweep.parameters}:
                r.error(metric.mark, f"metric '{metric.name}' has the name of a parameter")


def _read_series(r, key_node, node, sweep):
    """`series: [market_share, hhi, ...]`: run output variables whose time series get a mean and a
    95% interval per design point (across its replications) in sweep.h5."""
    if sweep.game:
        r.error(key_node, "'series' is for sweeps over a scenario: a game's output has no time dimension")
        return
    items = r.sequence(node, "series")
    for item in items or ():
        name = r.string(item, "series")
        if name is None:
            continue
        if name not in OUTPUT_VARIABLES:
            r.error(item, f"unknown output variable '{name}'{did_you_mean(name, OUTPUT_VARIABLES)}; "
                          "series are time series of a run, such as market_share or hhi")
        elif name in sweep.series:
            r.error(item, f"'{name}' is listed twice in 'series'")
        else:
            sweep.series.append(name)


def _unknown_game_variable(variable):
    if variable in GAME_LEVEL_VARIABLES:
        why = "it is the same in every session, so a sweep cannot reduce it over sessions"
    elif variable in OUTPUT_VARIABLES:
        why = "it is a variable of a scenario's run; this sweep's base is a game"
    else:
        return (f"unknown game output variable '{variable}'{did_you_mean(variable, GAME_VARIABLES)}; metrics over "
                f"a game summarise variables with a session dimension: {', '.join(GAME_VARIABLES)}")
    return (f"unknown game output variable '{variable}' ({why}); metrics over a game summarise variables "
            f"with a session dimension: {', '.join(GAME_VARIABLES)}")


def _check_design_fits(r, sweep, node):
    kind, d = sweep.design["type"], len(sweep.parameters)
    if kind in ("saltelli", "morris") and d < 1:
        r.error(node, f"a {kind} design needs at least one parameter")
        return
    if any(v is None for k, v in sweep.design.items() if not k.startswith("_")):
        return
    points = sweep.point_count()
    if points * sweep.replications > MAX_RUNS:
        r.error(node, f"the sweep has {points} design points x {sweep.replications} replications = "
                      f"{points * sweep.replications} runs, more than {MAX_RUNS}")
    if kind == "grid" and points == 0:
        r.error(node, "the grid has no points")


# ------------------------------------------------------------------------------------------------
# Checking paths and values with the simulator
# ------------------------------------------------------------------------------------------------

_SET_ERROR = re.compile(r"^<--set (?P<assign>.*?)>:(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$")


def _validate_commands(binary, base, fixed):
    return [binary, "validate", base, *[x for path, v, _, _ in fixed for x in ("--set", f"{path}={v.text}")]]


def _run_all(commands, parallel):
    """Run commands, `parallel` at a time; returns CompletedProcess-like tuples (rc, out, err)."""
    results = [None] * len(commands)
    running = []
    pending = list(enumerate(commands))
    while pending or running:
        while pending and len(running) < parallel:
            i, cmd = pending.pop(0)
            try:
                proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            except OSError as error:
                results[i] = (127, "", f"cannot run {cmd[0]}: {error.strerror}")
                continue
            running.append((i, proc))
        if running:
            i, proc = running.pop(0)
            out, err = proc.communicate()
            results[i] = (proc.returncode, out, err)
    return results


def _relocate(line, path, value, path_mark, path_plain):
    """A `<--set PATH=VALUE>:1:COL: error: msg` line moved to the sweep file (other lines kept)."""
    m = _SET_ERROR.match(line)
    if not m:
        return line
    col = int(m["col"])
    if col <= len(path) or value.mark is None:
        mark = Mark(path_mark.file, path_mark.line, path_mark.col + (col - 1 if path_plain else 0))
    else:
        mark = value.mark
    return f"{mark}: error: {m['msg']} (with --set {m['assign']})"


def _points_to_check(sweep):
    """[(point index, row of Values)] that `check_with_binary` validates."""
    _, rows = sweep.points()
    chosen = {}
    for j, p in enumerate(sweep.parameters):
        first = {}
        for i, row in enumerate(rows):
            first.setdefault(row[j].text, i)
        if p.values is None:  # a range: its extreme draws
            if rows:
                picks = [min(range(len(rows)), key=lambda i: rows[i][j].data),
                         max(range(len(rows)), key=lambda i: rows[i][j].data)]
            else:
                picks = []
        else:
            picks = [first[v.text] for v in p.values if v.text in first]
            if len(picks) > MAX_CHECKED_VALUES:
                step = (len(picks) - 1) / (MAX_CHECKED_VALUES - 1)
                picks = [picks[round(k * step)] for k in range(MAX_CHECKED_VALUES)]
        for i in picks:
            chosen.setdefault(i, rows[i])
    return sorted(chosen.items())


def check_with_binary(sweep, binary, parallel=None):
    """Ask `cloudmarket validate` about the base scenario, the fixed values and each parameter's
    path and values; also reads the ids that label the output's dimensions (for metric selects).
    Raises SweepFileError with every complaint relocated to the sweep file where possible."""
    if not binary or not os.access(binary, os.X_OK):
        raise SweepFileError([f"error: cannot run the simulator '{binary}' (pass --binary PATH)"])
    parallel = parallel or max(2, min(8, 2 * (os.cpu_count() or 1)))
    errors = _Errors()
    base_cmd = _validate_commands(binary, sweep.base, sweep.fixed)
    rc, out, err = _run_all([base_cmd + ["--print"]], 1)[0]
    if rc != 0:
        for line in err.strip().splitlines() or [f"{sweep.base}: error: '{binary} validate' failed (exit {rc})"]:
            relocated = line
            for path, value, mark, plain in sweep.fixed:
                if line.startswith(f"<--set {path}={value.text}>:"):
                    relocated = _relocate(line, path, value, mark, plain)
            if relocated == line and not re.match(r"^.+:\d+:\d+: error: ", line):
                relocated = f"{sweep.base_mark}: error: {line}"
            errors.messages.append(relocated)
        errors.raise_if_any()
    try:
        resolved = yaml.safe_load(out) or {}
    except yaml.YAMLError:
        resolved = {}
    if not isinstance(resolved, dict):
        resolved = {}
    for dim, key in (GAME_LABEL_SOURCES if sweep.game else LABEL_SOURCES).items():
        if sweep.game and key not in resolved:
            continue  # a game always has sellers: the printed form differs, so leave selects unchecked
        items = resolved.get(key) or []
        sweep.labels[dim] = [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]
    if sweep.game:
        impulse = resolved.get("impulse")
        periods = impulse.get("periods") if isinstance(impulse, dict) else None
        if isinstance(periods, int) and not isinstance(periods, bool) and 0 <= periods <= 1_000_000:
            sweep.labels["tau"] = [str(t) for t in range(periods + 2)]  # 0 before, 1 the deviation, 2.. after

    # 1. Each parameter's path, alone, with its first value (a value error here may be only a
    #    combination the base scenario rejects, e.g. shares that must sum to one: step 2 judges it).
    _, rows = sweep.points()
    reported = set()

    def report(key, msg):
        if key not in reported:  # a bad path, or a bad end of a range, fails the same way everywhere
            reported.add(key)
            errors.messages.append(msg)

    firsts = [row for row in rows[:1]] or []
    commands = [base_cmd + ["--set", f"{p.path}={firsts[0][j].text}"] for j, p in enumerate(sweep.parameters)] \
        if firsts else []
    bad_paths = set()
    for j, (rc, _, err) in enumerate(_run_all(commands, parallel)):
        p, value = sweep.parameters[j], firsts[0][j]
        for line in err.strip().splitlines() if rc else []:
            m = _SET_ERROR.match(line)
            if m and m["assign"] == f"{p.path}={value.text}" and int(m["col"]) <= len(p.path):
                bad_paths.add(j)
                report(str(p.path_mark), _relocate(line, p.path, value, p.path_mark, p.path_plain))
            elif rc and not m and not re.match(r"^.+:\d+:\d+: error: ", line):
                bad_paths.add(j)
                report(str(p.path_mark), f"{p.path_mark}: error: {line} (with --set {p.path}={value.text})")

    # 2. Whole design points, so values that only make sense together are judged together: for
    #    each parameter, a point for each value it takes (a list's values up to a cap, a range's
    #    smallest and largest draws). Parameters with a bad path are left out.
    checks = _points_to_check(sweep)
    keep = [j for j in range(len(sweep.parameters)) if j not in bad_paths]
    commands = [base_cmd + [x for j in keep for x in ("--set", f"{sweep.parameters[j].path}={row[j].text}")]
                for _, row in checks]
    results = _run_all(commands, parallel) if keep else []
    for (point, row), (rc, _, err) in zip(checks, results):
        if rc == 0:
            continue
        by_assignment = {f"{sweep.parameters[j].path}={row[j].text}": (sweep.parameters[j], row[j]) for j in keep}
        assignments = ", ".join(by_assignment)
        for line in err.strip().splitlines() or [f"'{binary} validate' failed (exit {rc})"]:
            m = _SET_ERROR.match(line)
            if m and m["assign"] in by_assignment:
                p, value = by_assignment[m["assign"]]
                msg = _relocate(line, p.path, value, p.path_mark, p.path_plain)
                if len(keep) > 1:
                    msg = msg[:-1] + f", design point {point})"
                report(msg.split(": error: ")[0], msg)
            else:
                where = re.match(r"^(.+:\d+:\d+): error: (.*)$", line)
                text = f"{where[1]}: {where[2]}" if where else line
                report(where[1] if where else line,
                       f"{sweep.parameters_mark}: error: design point {point} ({assignments}) is invalid: {text}")

    for metric in sweep.metrics:
        for dim, label in metric.select.items():
            labels = sweep.labels.get(dim)
            if labels is not None and label not in labels:
                mark = getattr(metric, "select_marks", {}).get(dim, metric.mark)
                listed = ", ".join(labels) if labels else "none"
                what = {**LABEL_SOURCES, **GAME_LABEL_SOURCES}.get(dim, f"{dim} values")
                errors.add(mark, f"unknown {dim} '{label}'{did_you_mean(label, labels)}; "
                                 f"the base {'game' if sweep.game else 'scenario'}'s {what} are: {listed}")
    errors.raise_if_any()
