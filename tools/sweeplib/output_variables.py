"""The time series of a run's output (schema cloudmarket-output/1) with their dimensions, asked of
the simulator: `cloudmarket schema output-variables` lists what its run recorder declares, so the
sweep and calibration files are checked against the binary that will run them, with no copy of the
list kept here.

The binary is the one `use_binary` named, else $CLOUDMARKET (which `cloudmarket sweep`, `check`
and `calibrate` set to themselves), else the installed one beside these tools
(PREFIX/share/cloudmarket/tools -> PREFIX/bin), else the source tree's build/cloudmarket.
"""
import collections.abc
import json
import os
import subprocess

_chosen = None
_cache = {}


def use_binary(path):
    """Ask `path` from now on (the sweep's --binary)."""
    global _chosen
    _chosen = os.path.abspath(path) if path else None


def binary():
    """The simulator asked for the list, or None when none is found."""
    if _chosen and os.path.isfile(_chosen) and os.access(_chosen, os.X_OK):
        return _chosen
    from cloudmarket.binary import CloudmarketError, find_binary  # one search order for every tool
    try:
        return find_binary()
    except CloudmarketError:
        return None


class BinaryMissing(RuntimeError):
    pass


def output_variables():
    """{name: (dimensions...)} of every time series a run writes; `time` comes first."""
    path = binary()
    if path is None:
        raise BinaryMissing("no cloudmarket binary to ask for its output variables: set CLOUDMARKET or pass --binary")
    if path not in _cache:
        proc = subprocess.run([path, "schema", "output-variables"], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise BinaryMissing(f"'{path} schema output-variables' failed: {proc.stderr.strip()}")
        _cache[path] = {name: tuple(dims) for name, dims in json.loads(proc.stdout).items()}
    return _cache[path]


class _Lazy(collections.abc.Mapping):
    """OUTPUT_VARIABLES: read from the binary on first use."""

    def __getitem__(self, name):
        return output_variables()[name]

    def __iter__(self):
        return iter(output_variables())

    def __len__(self):
        return len(output_variables())


OUTPUT_VARIABLES = _Lazy()
