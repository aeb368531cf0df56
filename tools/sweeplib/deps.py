"""The Python packages the sweep tools need, and a clear message when one is missing.

Compute nodes that run `cloudmarket sweep` need Debian's /usr/bin/python3 with:
  run-one, status        the standard library only
  plan                   python3-yaml, python3-numpy, python3-scipy
  run                    as plan, and what collect needs
  collect, analyze       python3-numpy, python3-h5py, python3-h5netcdf; analyze also python3-scipy
  --mpi                  python3-mpi4py
  tools/plot_sweep.py    python3-xarray, python3-h5netcdf, python3-matplotlib
"""

DEBIAN = {
    "yaml": "python3-yaml", "numpy": "python3-numpy", "scipy": "python3-scipy", "h5py": "python3-h5py",
    "h5netcdf": "python3-h5netcdf", "mpi4py": "python3-mpi4py", "xarray": "python3-xarray",
    "matplotlib": "python3-matplotlib", "pandas": "python3-pandas",
}


def missing_message(error):
    """The message for an ImportError: which package is missing and which Debian package has it."""
    name = (getattr(error, "name", None) or "").split(".")[0]
    if not name:
        text = str(error)
        for candidate in DEBIAN:
            if f"'{candidate}" in text or f" {candidate}" in text:
                name = candidate
                break
    if name in DEBIAN:
        if isinstance(error, ModuleNotFoundError):
            return f"Python package '{name}' is missing (Debian: {DEBIAN[name]})"
        return f"Python package '{name}' cannot be loaded: {error} (Debian: reinstall {DEBIAN[name]})"
    if name:
        return f"Python module '{name}' cannot be imported: {error}"
    return f"a Python module cannot be imported: {error}"
