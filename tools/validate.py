#!/usr/bin/python3
"""Long validation (`make validate`): every shipped scenario, run over its full horizon, keeps the
model's identities in every period, runs over its full horizon at the documented extremes of the
choice-model and magnitude keys (the corners of tests/python/test_extremes.py, which `make test`
runs over one year) without NaN or inf where docs/output.md allows none, the re-expressed scenarios
generate their price wars (against their `_replay` variants), the calibrated scenarios pass their
targets (scenarios/targets/, `cloudmarket check`), Calvano et al.'s (2020) pricing game reproduces
their collusion (games/calvano_2020.yaml, docs/game.md), and the long theory checks pass.

usage: tools/validate.py --binary build/cloudmarket --unit-tests build/tests/unit_tests
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def check_identities(path):
    """The accounting and market identities; returns a list of failures."""
    ds = xr.open_dataset(path, engine="h5netcdf")
    failures = []

    def expect(ok, what):
        if not bool(ok):
            failures.append(what)

    earned = ds["vendor_revenue"].sum("vendor").values
    paid = ds["segment_spend"].sum("segment").values + ds["startup_compute_spend"].sum("startup").values
    expect(np.allclose(paid, earned, rtol=1e-9),
           "money conserved: enterprises' and startups' payments == vendors' revenue")
    expect(np.allclose(ds["revenue"].values, (ds["price"] * ds["quantity"]).values, rtol=1e-9),
           "revenue == price x quantity")
    shares = ds["market_share"].sum("vendor").values
    expect(np.allclose(shares[earned > 0], 1.0, rtol=1e-9), "market shares sum to one")
    expect((ds["quantity"] <= ds["capacity"] * (1 + 1e-9)).all(), "sales never exceed capacity")
    expect(((ds["cloud_adoption"] >= 0) & (ds["cloud_adoption"] <= 1)).all(), "adoption in [0, 1]")
    for name in ds.data_vars:
        if ds[name].dtype.kind == "f" and name not in ("vendor_gross_margin", "market_share", "utilization"):
            expect(np.isfinite(ds[name].values).all(), f"{name} is finite")
    ds.close()
    return failures


def check_price_wars(binary, tmp):
    """The strategic scenarios' price wars are outcomes: compared with their `_replay` variants
    (tools/price_war_report.py's figures), IaaS CPU prices fall and compute gross margins are
    squeezed relative to software, and model-API prices fall in 2024 among the model sellers."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import price_war_report as pw  # noqa: E402
    failures = []
    runs = {}
    for name in ("china_2023", "china_2023_replay", "global_2023", "global_2023_replay", "maas_price_war_2024",
                 "maas_price_war_2024_replay"):
        out = os.path.join(tmp, name + ".h5")
        proc = subprocess.run([binary, "run", os.path.join(ROOT, "scenarios", name + ".yaml"), "-o", out, "--quiet"],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return [f"{name}: exit {proc.returncode}: {proc.stderr.strip()}"]
        runs[name] = pw.open_run(out)

    def yearly(name):
        ds, kinds = runs[name]
        years = sorted(set(int(y) for y in ds["time"].dt.year.values))
        products = [p for p in ("iaas_cpu", "maas") if p in pw.labels(ds, "product")]
        return (years, pw.yearly_prices(ds, products, pw.labels(ds, "vendor"), years),
                pw.yearly_margins(ds, kinds, years), pw.labels(ds, "vendor"))

    for name in ("china_2023", "global_2023"):
        years, price, margin, vendors = yearly(name)
        _, _, replay_margin, _ = yearly(name + "_replay")
        mean = [np.mean([price[(y, v, "iaas_cpu")] for v in vendors]) for y in years]
        if not all(b < a for a, b in zip(mean, mean[1:])):
            failures.append(f"{name}: the mean IaaS CPU price does not fall every year: {mean}")
        for y in years[:3]:  # the war's first three years
            if not margin[(y, "compute")] < replay_margin[(y, "compute")] - 0.02:
                failures.append(f"{name}: compute gross margin in {y} not squeezed below the replay's")
            if not margin[(y, "compute")] < margin[(y, "software")] - 0.2:
                failures.append(f"{name}: compute gross margin in {y} not far below software's")
    ds, _ = runs["maas_price_war_2024"]
    price = ds["price"].sel(product="maas")
    for vendor in pw.labels(ds, "vendor"):
        jan, dec = float(price.sel(vendor=vendor).values[0]), float(price.sel(vendor=vendor).values[11])
        if not dec < 0.5 * jan:
            failures.append(f"maas_price_war_2024: {vendor}'s maas price {jan} -> {dec} in 2024, not halved")
    return failures


# Calibrated scenarios and their targets (docs/calibration.md): the fit must pass; the scenarios that
# extend them are counterfactuals or add agents, so their fit is shown, not required.
CALIBRATED = {"global_2023": ("global_2023_replay", "declouding_2023", "investment_for_compute"),
              "china_2023": ("china_2023_replay", "export_controls_2023", "no_export_controls")}


def check_targets(binary, tmp):
    """`cloudmarket check` of each calibrated scenario, run with its calibration's seeds (the fit's
    common random numbers), against its targets file; returns the failures."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from calibratelib import estimate, targets as tg  # noqa: E402
    failures = []
    for name, extensions in CALIBRATED.items():
        target_file = os.path.join(ROOT, "scenarios", "targets", name + ".yaml")
        calibration = tg.load(target_file).calibration
        for scenario in (name, *extensions):
            outs = []
            for k, seed in enumerate(estimate.seeds(calibration)):
                out = os.path.join(tmp, f"{scenario}_{k}.h5")
                proc = subprocess.run([binary, "run", os.path.join(ROOT, "scenarios", scenario + ".yaml"), "-o", out,
                                       "--quiet", "--seed", str(seed)], capture_output=True, text=True)
                if proc.returncode != 0:
                    return failures + [f"{scenario}: exit {proc.returncode}: {proc.stderr.strip()}"]
                outs.append(out)
            proc = subprocess.run([binary, "check", *outs, target_file], capture_output=True, text=True)
            if scenario == name:
                print(proc.stdout, end="")
                if proc.returncode != 0:
                    failures.append(f"{name}: misses its targets (exit {proc.returncode}) {proc.stderr.strip()}")
            else:
                summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()
                print(f"     {scenario} against {name}'s targets (shown, not required): {summary}")
    return failures


CALVANO = os.path.join(ROOT, "games", "calvano_2020.yaml")
CALVANO_DELTA = (0.70, 0.95)  # the paper's baseline averages about 0.85


def check_games(binary, tmp):
    """The shipped Calvano game (100 sessions): its mean profit gain in CALVANO_DELTA, and deviations
    punished (the deviator earns less after its deviation than it would have on the cycle, on average
    and in most sessions); prints what it measured. Returns the failures."""
    out = os.path.join(tmp, "calvano.h5")
    start = time.perf_counter()
    proc = subprocess.run([binary, "game", CALVANO, "-o", out, "--quiet", "--jobs", str(os.cpu_count() or 1)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return [f"calvano_2020: exit {proc.returncode}: {proc.stderr.strip()}"]
    wall = time.perf_counter() - start
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        delta = ds.mean_profit_gain.values
        punished = (ds.punishment.values < 0).mean()
        unprofitable = (ds.deviation_gain.values < 0).mean()
        impulse = ds.impulse_price.mean("session").values
        print(f"     calvano_2020: {delta.size} sessions in {wall:.1f} s; Delta mean {delta.mean():.3f} "
              f"(sd {delta.std():.3f}, 10/50/90% {np.quantile(delta, 0.1):.3f}/{np.median(delta):.3f}/"
              f"{np.quantile(delta, 0.9):.3f}); random pricing {float(ds.random_profit_gain):.3f}; "
              f"converged {ds.converged.values.mean():.0%}, median {np.median(ds.converged_at.values):.0f} periods; "
              f"deviation punished in {punished:.0%}, unprofitable in {unprofitable:.0%}")
        print("     mean impulse response (deviator, rival) tau 0..5: " +
              " ".join(f"({a:.3f}, {b:.3f})" for a, b in impulse[:6]))
        failures = []
        if not (CALVANO_DELTA[0] <= delta.mean() <= CALVANO_DELTA[1]):
            failures.append(f"calvano_2020: mean Delta {delta.mean():.3f} outside {CALVANO_DELTA}")
        if not (ds.punishment.values.mean() < 0 and punished >= 0.8):
            failures.append(f"calvano_2020: deviations not punished (mean {ds.punishment.values.mean():.4f}, "
                            f"{punished:.0%} of sessions)")
        if not ds.converged.values.all():
            failures.append(f"calvano_2020: {int((ds.converged.values == 0).sum())} sessions did not converge")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--unit-tests", required=True)
    args = parser.parse_args()
    failed = 0
    scenarios = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")) +
                       glob.glob(os.path.join(ROOT, "scenarios", "bench", "*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in scenarios:
            name = os.path.relpath(scenario, ROOT)
            out = os.path.join(tmp, "run.h5")
            start = time.perf_counter()
            proc = subprocess.run([args.binary, "run", scenario, "-o", out, "--quiet"], capture_output=True, text=True)
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                print(f"FAIL {name}: exit {proc.returncode}: {proc.stderr.strip()}")
                failed += 1
                continue
            problems = check_identities(out)
            for p in problems:
                print(f"FAIL {name}: {p}")
            failed += bool(problems)
            if not problems:
                print(f"ok   {name}: identities hold in every period ({wall:.1f} s)")
        # The documented extremes over the full horizon (`make test` runs them over one year).
        sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
        os.environ.setdefault("CLOUDMARKET", os.path.abspath(args.binary))
        import test_extremes as extremes  # noqa: E402 (needs CLOUDMARKET for its helpers)
        allowed = extremes.nan_allowed()
        for scenario in scenarios:
            name = os.path.relpath(scenario, ROOT)
            sc = extremes.resolved(scenario)
            for corner_name, corner in extremes.CORNERS.items():
                out = os.path.join(tmp, "extreme.h5")
                proc = subprocess.run([args.binary, "run", scenario, "-o", out, "--quiet"] +
                                      extremes.overrides(sc, corner), capture_output=True, text=True)
                if proc.returncode != 0:
                    print(f"FAIL {name} at {corner_name}: exit {proc.returncode}: {proc.stderr.strip()}")
                    failed += 1
                    continue
                bad = extremes.non_finite(out, allowed)
                if bad:
                    print(f"FAIL {name} at {corner_name}: NaN or inf in {', '.join(bad)}")
                    failed += 1
                else:
                    print(f"ok   {name} at {corner_name}: finite over the full horizon")
    for check, label, passed in (
            (check_price_wars, "price war",
             "price wars: generated by the strategic scenarios (china_2023, global_2023, maas_price_war_2024)"),
            (check_targets, "targets", "calibrated scenarios pass their targets (" + ", ".join(CALIBRATED) + ")"),
            (check_games, "pricing game", "calvano_2020: learners collude (mean Delta in [0.70, 0.95]) and punish "
                                          "deviations")):
        with tempfile.TemporaryDirectory() as tmp:
            problems = check(args.binary, tmp)
        for p in problems:
            print(f"FAIL {label}: {p}")
        failed += len(problems)
        if not problems:
            print("ok   " + passed)
    # One process per test case: a simulation starts SimGrid's engine, a process-wide singleton.
    names = subprocess.run([args.unit_tests, "--list-test-names-only", "[validation_long]"], capture_output=True,
                           text=True).stdout.split("\n")  # Catch2 v2 exits with the number listed
    for test in (n.strip() for n in names):
        if not test:
            continue
        proc = subprocess.run([args.unit_tests, test], capture_output=True, text=True)
        print(("ok   " if proc.returncode == 0 else "FAIL ") + test)
        if proc.returncode != 0:
            print(proc.stdout[-3000:])
        failed += proc.returncode != 0
    print("validation " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
