"""Tidy (long) tables of a run's, a sweep's or a comparison's variables.

`Dataset.to_dataframe()` crosses every dimension of the Dataset, so a run without startups (an
empty `startup` dimension) gives a table of 0 rows. Here each table holds the variables of one set
of dimensions (time x vendor, time x segment, ...): one row per combination of their labels, one
column per dimension and per variable, so an empty dimension only empties its own tables."""

# sweep.h5's per-run description, kept beside each run's rows as the design columns
RUN_COLUMNS = ("point", "replication", "seed", "status")


def design_columns(ds):
    """Names of the per-run design variables of a sweep Dataset: its parameters (they carry
    `parameter_path`), then point, replication, seed and status."""
    if "run" not in ds.dims:
        return []
    params = [n for n, v in ds.data_vars.items() if v.dims == ("run",) and "parameter_path" in v.attrs]
    return params + [n for n in RUN_COLUMNS if n in ds.variables and ds[n].dims == ("run",)]


def to_frame(ds, variable, design=True):
    """A tidy pandas DataFrame of one variable: a column per dimension (times as datetimes, labels
    as strings) and one for the values; for a sweep (a `run` dimension) the run's design columns
    too, unless design=False."""
    if variable not in ds.variables:
        raise KeyError(f"no variable '{variable}' in this Dataset; it has: {', '.join(sorted(ds.data_vars))}")
    return _frame(ds, [variable], design)


def tables(ds, variables=None, design=True):
    """{dimension names: DataFrame} of the chosen variables (default: every data variable) grouped
    by their dimensions, each DataFrame as to_frame gives it with one value column per variable."""
    names = list(variables) if variables else list(ds.data_vars)
    missing = [n for n in names if n not in ds.variables]
    if missing:
        raise KeyError(f"no variable {', '.join(missing)} in this Dataset")
    groups = {}
    per_run = set(design_columns(ds))
    for name in names:
        if name not in ds.dims and name not in per_run:
            groups.setdefault(tuple(ds[name].dims), []).append(name)
    return {dims: _frame(ds, members, design) for dims, members in groups.items()}


def _frame(ds, names, design):
    """The variables `names` (all with the same dimensions) as one long table."""
    subset = ds[names].reset_coords(drop=True)
    if not subset[names[0]].dims:
        frame = subset.expand_dims("row").to_dataframe().reset_index(drop=True)
    else:
        frame = subset.to_dataframe().reset_index()
    if design and "run" in subset.dims:
        columns = [c for c in design_columns(ds) if c not in names]
        if columns:
            per_run = ds[columns].reset_coords(drop=True).to_dataframe().reset_index()
            frame = per_run.merge(frame, on="run", how="right")[["run", *columns, *[c for c in frame if c != "run"]]]
    if design and "design_point" in subset.dims and "point" in ds:
        # a sweep's per-point series: the point's parameter values beside it
        params = [c for c in design_columns(ds) if "parameter_path" in ds[c].attrs]
        if params:
            per_point = (ds[params + ["point"]].reset_coords(drop=True).to_dataframe()
                         .drop_duplicates("point").rename(columns={"point": "design_point"}))
            frame = per_point.merge(frame, on="design_point", how="right")
            frame = frame[["design_point", *params, *[c for c in frame if c not in params and c != "design_point"]]]
    return _decoded(frame)


def _decoded(frame):
    """Byte strings as text, so CSV and pandas users see 'alibaba', not b'alibaba'."""
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = [x.decode("utf-8", "replace") if isinstance(x, bytes) else x for x in frame[column]]
    return frame
