"""A game output file laid out as docs/game.md's contract says (schema cloudmarket-game-output/1),
written with h5netcdf from numbers the caller picks: for the tests of the tools that read game
outputs (tools/plot_game.py) without the simulator. The numbers are arbitrary; only the layout is
the contract's. Tests that have the binary also run the tools on its own files."""
import h5netcdf
import h5py
import numpy as np


def _var(f, name, dims, data, units, long_name, **attrs):
    data = np.asarray(data)
    var = f.create_variable(name, dims, dtype=data.dtype, data=data)
    var.attrs["units"] = units
    var.attrs["long_name"] = long_name
    for k, v in attrs.items():
        var.attrs[k] = v
    return var


def write(path, sessions=20, sellers=("firm1", "firm2"), points=15, periods=15, seed=0, delta=None):
    """Write a game output; `delta` (sessions) fixes mean_profit_gain, else it is drawn."""
    rng = np.random.default_rng(seed)
    n, S, m, T = len(sellers), sessions, points, periods
    cost = np.ones(n)
    nash_p, mono_p = np.full(n, 1.47), np.full(n, 1.93)
    nash_pi, mono_pi = np.full(n, 0.223), np.full(n, 0.337)
    grid = np.tile(np.linspace(1.43, 1.97, m), (n, 1))
    delta = rng.uniform(0.4, 1.0, S) if delta is None else np.asarray(delta, dtype=float)
    gain = np.clip(delta[:, None] + rng.normal(0, 0.03, (S, n)), -0.5, 1.2)
    profit = nash_pi + gain * (mono_pi - nash_pi)
    price = nash_p + gain * (mono_p - nash_p)
    tau = np.arange(T + 2)
    # The deviator (seller 0) cuts its price at tau 1, is punished, and prices come back.
    shape = np.where(tau == 0, 0.0, np.exp(-(tau - 1) / 3.0))
    impulse = price[:, None, :] - 0.3 * shape[None, :, None] * rng.uniform(0.5, 1.0, (S, 1, n))
    impulse_profit = profit[:, None, :] - 0.05 * shape[None, :, None]
    baseline = np.repeat(profit[:, None, :], T + 2, axis=1)
    with h5netcdf.File(path, "w") as f:
        f.attrs.update({"schema": "cloudmarket-game-output/1", "game": "test_game", "seed": np.int64(seed),
                        "sessions": np.int64(S), "moves": "synchronous", "memory": np.int64(1),
                        "grid_points": np.int64(m), "demand": "logit"})
        f.dimensions = {"seller": n, "session": S, "price_level": m, "tau": T + 2}
        seller = f.create_variable("seller", ("seller",), dtype=h5py.string_dtype(),
                                   data=np.array(list(sellers), dtype=object))
        seller.attrs["long_name"] = "seller id"
        for name, size in (("session", S), ("price_level", m), ("tau", T + 2)):
            _var(f, name, (name,), np.arange(size, dtype=np.int64), "1", f"{name} index")
        _var(f, "marginal_cost", ("seller",), cost, "1", "marginal cost")
        _var(f, "price_grid", ("seller", "price_level"), grid, "1", "prices a seller may set")
        _var(f, "nash_price", ("seller",), nash_p, "1", "static Nash equilibrium price")
        _var(f, "nash_profit", ("seller",), nash_pi, "1", "static Nash equilibrium profit")
        _var(f, "monopoly_price", ("seller",), mono_p, "1", "joint-profit-maximising price")
        _var(f, "monopoly_profit", ("seller",), mono_pi, "1", "joint-profit-maximising profit")
        _var(f, "random_profit_gain", (), np.float64(0.05), "1", "profit gain of uniformly random pricing")
        conv = (rng.uniform(size=S) < 0.9).astype(np.int64)
        _var(f, "converged", ("session",), conv, "1", "the session converged (0/1)")
        _var(f, "periods", ("session",), rng.integers(10**5, 10**6, S).astype(np.int64), "1", "periods played")
        _var(f, "converged_at", ("session",), rng.integers(10**4, 10**5, S).astype(np.int64), "1",
             "period from which the greedy policies stayed unchanged")
        _var(f, "cycle_length", ("session",), rng.integers(1, 3, S).astype(np.int64), "1", "length of the cycle")
        _var(f, "price", ("session", "seller"), price, "1", "mean price over the converged cycle")
        _var(f, "profit", ("session", "seller"), profit, "1", "mean profit over the converged cycle")
        _var(f, "profit_gain", ("session", "seller"), gain, "1", "profit gain Delta")
        _var(f, "mean_profit_gain", ("session",), delta, "1", "profit gain Delta of the mean profit")
        _var(f, "impulse_price", ("session", "tau", "seller"), impulse, "1", "prices after a deviation",
             deviator=sellers[0])
        _var(f, "impulse_profit", ("session", "tau", "seller"), impulse_profit, "1", "profits after a deviation")
        _var(f, "baseline_profit", ("session", "tau", "seller"), baseline, "1", "profits without the deviation")
        _var(f, "deviation_gain", ("session",), rng.normal(-0.05, 0.02, S), "1", "discounted gain of the deviation")
        _var(f, "punishment", ("session",), rng.normal(-0.1, 0.02, S), "1", "profit lost after the deviation")
    return delta
