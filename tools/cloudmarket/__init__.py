"""cloudmarket from Python: run scenarios, sweeps and comparisons, and read their output as xarray
Datasets and tidy pandas DataFrames. docs/python.md has examples.

    import cloudmarket as cm
    ds = cm.run("scenarios/china_2023.yaml", seed=1, set={"time.years": 3})
    cm.to_frame(ds, "market_share")
"""
from .binary import CloudmarketError, find_binary
from .comparison import summary
from .compare_api import compare, open_comparison
from .export import export_file, export_sweep
from .frames import tables, to_frame
from .intervals import mean_interval
from .runs import run
from .sweeps import open_sweep, sweep

__all__ = ["CloudmarketError", "compare", "export_file", "export_sweep", "find_binary", "mean_interval",
           "open_comparison", "open_sweep", "run", "summary", "sweep", "tables", "to_frame"]
