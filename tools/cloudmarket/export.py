"""Long CSV tables of a run, a game, a comparison or a sweep (the `cloudmarket export` command).

A file's root variables become one table per set of dimensions, named by them (time_vendor.csv,
time_vendor_product.csv, ...); each group (events/deals, strategies/q_learning, ...) gets its own
tables, prefixed by the group's path. A sweep directory gives sweep.csv (one row per run: design and
metrics), tables of its per-point series, and the chosen time series of every run stacked with the
run's design columns (run_time_vendor.csv, ...), as NetLogo's BehaviorSpace and the EMA Workbench
lay out experiments and outcomes."""
import os

from .frames import tables


def _name(prefix, dims):
    return "_".join([*([prefix] if prefix else []), *(dims or ("scalars",))]) + ".csv"


def _groups(path):
    """Paths of the netCDF groups of a file, root first."""
    import h5py
    found = [""]
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Group):
                found.append(name)
        f.visititems(visit)
    return found


def _write(frame, directory, name, written):
    path = os.path.join(directory, name)
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    written.append((name, len(frame)))


def export_file(path, directory, variables=None):
    """Tables of one output file (run, game or comparison) into `directory`; returns
    [(file name, rows)]."""
    from .runs import open_output
    with open_output(path) as root:
        unknown = [v for v in variables or () if v not in root.data_vars]
    if unknown:
        raise KeyError(f"no variable {', '.join(unknown)} in {path}")
    os.makedirs(directory, exist_ok=True)
    written = []
    for group in _groups(path):
        with open_output(path, group=group or None) as ds:
            chosen = [v for v in (variables or ds.data_vars) if v in ds.data_vars]
            if not chosen or (variables and group):
                continue
            found = tables(ds.load(), chosen)
            for dims, frame in found.items():
                prefix = group.replace("/", "_")
                # a group's single table takes the group's name: events_deals.csv
                name = prefix + ".csv" if group and len(found) == 1 else _name(prefix, dims)
                _write(frame, directory, name, written)
    return written


def export_sweep(sweep_directory, directory, variables=None):
    """Tables of a sweep directory into `directory`: its per-run table(s), its per-point series and
    the runs' time series `variables` (default: none but the per-run table) stacked along `run`."""
    from .sweeps import open_sweep
    os.makedirs(directory, exist_ok=True)
    written = []
    ds = open_sweep(sweep_directory, variables)
    for dims, frame in tables(ds, design=True).items():
        name = "sweep.csv" if dims == ("run",) else _name("", dims)
        _write(frame, directory, name, written)
    return written
