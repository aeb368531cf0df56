"""What `calibrate` writes into DIR: sweep.h5 (every evaluation), best.yaml, calibrated.yaml and
fit.txt (docs/calibration.md, "What calibrate writes"). Every file is written to a temporary name
and renamed, so a reader never sees half of one."""
import copy
import datetime
import math
import os

import h5netcdf
import numpy as np
import yaml

from sweeplib import runner
from sweeplib.collect import _string_var

OUTPUT_SCHEMA = "cloudmarket-calibrate-output/1"


def write_sweep_h5(path, targets, problem, evaluator, info):
    """Every evaluation along `evaluation`: parameters, unit coordinates, each moment (mean over
    the replications, NaN when infeasible), J (inf when infeasible), stage, why infeasible."""
    records = evaluator.records
    n = len(records)
    R = len(info["seeds"])
    with runner.replacing(path) as tmp:
        with h5netcdf.File(tmp, "w") as f:
            f.attrs["Conventions"] = "CF-1.8"
            f.attrs["title"] = f"cloudmarket calibration of '{info['scenario']}' to '{targets.name}'"
            f.attrs["schema"] = OUTPUT_SCHEMA
            f.attrs["scenario"] = info["scenario"]
            f.attrs["targets"] = info["targets"]
            f.attrs["seed"] = np.int64(problem.cal.seed)
            f.attrs["replications"] = np.int64(R)
            f.attrs["parameters"] = " ".join(problem.names)
            f.attrs["moments"] = " ".join(m.name for m in targets.moments)
            f.attrs["fixed_set"] = " ".join(f"{p}={v}" for p, v in problem.fixed)
            f.attrs["best_evaluation"] = np.int64(evaluator.best.number if evaluator.best else -1)
            f.dimensions = {"evaluation": n, "replication": R}
            var = f.create_variable("evaluation", ("evaluation",), dtype="i8", data=np.arange(n, dtype=np.int64))
            var.attrs["long_name"] = "evaluation number, in the order the search asked for them"
            var = f.create_variable("seed", ("replication",), dtype="i8",
                                    data=np.array(info["seeds"], dtype=np.int64))
            var.attrs["long_name"] = "seed of each replication, the same at every evaluation (common random numbers)"
            for j, p in enumerate(problem.params):
                var = f.create_variable(p.name, ("evaluation",), dtype="f8",
                                        data=np.array([ev.theta[j] for ev in records], dtype=float))
                var.attrs["long_name"] = (f"multiplier of {', '.join(p.multiply)}" if p.multiply
                                          else f"scenario value {p.path}" +
                                          (f" from {p.since}" if p.since else ""))
                var.attrs["units"] = "1"
                var.attrs["min"], var.attrs["max"], var.attrs["scale"] = p.min, p.max, p.scale
                var = f.create_variable(f"{p.name}__unit", ("evaluation",), dtype="f8",
                                        data=np.array([ev.u[j] for ev in records], dtype=float))
                var.attrs["long_name"] = f"{p.name} on its unit interval (the search's coordinate)"
                var.attrs["units"] = "1"
            for k, m in enumerate(targets.moments):
                data = np.array([ev.mean[k] if ev.mean is not None else np.nan for ev in records], dtype=float)
                var = f.create_variable(m.name, ("evaluation",), dtype="f8", data=data)
                var.attrs["long_name"] = f"model moment {m.name} (mean over replications)"
                var.attrs["units"] = m.units
                var.attrs["target"], var.attrs["se"], var.attrs["weight"] = m.value, m.se, m.weight
            var = f.create_variable("J", ("evaluation",), dtype="f8",
                                    data=np.array([ev.J for ev in records], dtype=float))
            var.attrs["long_name"] = "SMM objective: sum of weight * ((model - target)/se)^2 (inf: infeasible)"
            var.attrs["units"] = "1"
            _string_var(f, "stage", ("evaluation",), [ev.stage for ev in records],
                        long_name="search stage: start, global, local or identification")
            _string_var(f, "infeasible", ("evaluation",), [ev.why for ev in records],
                        long_name="why the evaluation is infeasible (empty when it is not)")
            runs = np.full((n, R), -1, dtype=np.int64)
            for i, ev in enumerate(records):
                runs[i, :len(ev.runs)] = ev.runs
            var = f.create_variable("run", ("evaluation", "replication"), dtype="i8", data=runs)
            var.attrs["long_name"] = "run index of each replication (runs/<run>.h5; -1: not run)"


class _Dumper(yaml.SafeDumper):
    pass


def _float(dumper, x):
    # the shortest round-trip text, as the runs were given (PyYAML would write 1.0e-05)
    if math.isfinite(x):
        text = repr(x)
        if "e" in text and "." not in text:  # YAML 1.1 readers need the dot to see a float
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)
    return dumper.represent_scalar("tag:yaml.org,2002:float", ".inf" if x > 0 else ("-.inf" if x < 0 else ".nan"))


_Dumper.add_representer(float, _float)


def dump(data):
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)


def write_best(path, targets, problem, best, rows, report, info):
    moments = []
    for row in rows:
        m = row.moment
        moments.append({"name": m.name, "model": float(row.mean), "model_sd": float(row.sd),
                        "target": float(m.value), "units": m.units, "se": float(m.se), "z": float(row.z),
                        "weight": float(m.weight), "pass": bool(row.passed)})
    values = problem.values(best.theta)
    data = {
        "schema": "cloudmarket-calibrate-best/1",
        "scenario": info["scenario"],
        "targets": info["targets"],
        "J": float(best.J),
        "evaluation": best.number,
        "seed": problem.cal.seed,
        "replications": len(info["seeds"]),
        "seeds": list(info["seeds"]),
        "parameters": {p.name: float(best.theta[j]) for j, p in enumerate(problem.params)},
        "unit": {p.name: float(best.u[j]) for j, p in enumerate(problem.params)},
        "set": dict(values),
        "fixed_set": {p: yaml.safe_load(v) for p, v in problem.fixed},
        "passed": info["passed"],
        "moments": moments,
    }
    if report is not None:
        data["identification"] = {
            p.name: {"se": float(report.se[j]), "se_unit": float(report.se_unit[j]),
                     "weakly_identified": bool(report.weak[j]), **({"why": report.why[j]} if report.weak[j] else {})}
            for j, p in enumerate(problem.params)}
        data["singular_values"] = [float(s) for s in report.singular]
    runner.write_atomic(path, dump(data))


def _child(node, key):
    """The child of a resolved mapping, or of a list by id then 0-based index (as --set finds it)."""
    if isinstance(node, dict):
        return node[key]
    item = _by_id(node, key)
    return item if item is not None else node[int(key)]


def _by_id(items, key):
    return next((x for x in items if isinstance(x, dict) and "id" in x and str(x["id"]) == key), None)


def nested_overrides(resolved, assignments):
    """Overrides for `extends` from (path, value) pairs: nested mappings key by key, list elements
    by their id (`- {id: aws, fixed_cost_per_month: ...}`, which extends merges element by
    element). A value reached in a list by index (elements without ids) cannot be merged: that
    list is written whole, with every change applied."""
    full = copy.deepcopy(resolved)
    for path, value in assignments:
        keys = path.split(".")
        node = full
        for key in keys[:-1]:
            node = _child(node, key)
        if isinstance(node, dict):
            node[keys[-1]] = value
        else:
            item = _by_id(node, keys[-1])
            node[node.index(item) if item is not None else int(keys[-1])] = value
    root, whole = {}, set()
    for path, _ in assignments:
        keys = path.split(".")
        out, node, fnode = root, resolved, full
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if isinstance(out, list) and id(out) in whole:
                break  # written whole already, with this change in it
            if isinstance(node, list):
                item = _by_id(node, key)
                if item is None or last:
                    raise AssertionError("handled by the parent")  # never: the parent checks first
                entry = next((x for x in out if x.get("id") == item["id"]), None)
                if entry is None:
                    entry = {"id": item["id"]}
                    out.append(entry)
                out, node, fnode = entry, item, _by_id(fnode, key)
                continue
            if last:
                out[key] = copy.deepcopy(fnode[key])
                break
            nxt = node[key]
            if isinstance(nxt, list) and (_by_id(nxt, keys[depth + 1]) is None or depth + 1 == len(keys) - 1):
                out[key] = copy.deepcopy(fnode[key])  # by index: the whole list
                whole.add(id(out[key]))
                break
            if key not in out:
                out[key] = [] if isinstance(nxt, list) else {}
            out, node, fnode = out[key], nxt, fnode[key]
    return root


def write_calibrated(path, directory, scenario, targets, problem, best, resolved, info, report=None):
    values = problem.values(best.theta)
    fixed = [(p, yaml.safe_load(v)) for p, v in problem.fixed]
    overrides = nested_overrides(resolved, fixed + list(values.items()))
    name = f"{resolved.get('name', 'scenario')}_calibrated"
    rel = os.path.relpath(os.path.abspath(scenario), os.path.abspath(directory))
    header = [
        f"{info['scenario']} calibrated to the targets '{targets.name}' ({info['targets']}) by",
        f"`cloudmarket calibrate` (method of simulated moments) on {datetime.date.today().isoformat()}:",
        f"J = {best.J:.6g}; {info['passed']} fitted moments within {targets.pass_within:g} se. fit.txt and best.yaml",
        "next to this file have the fit table and the identification report.",
        "",
        "Fitted:",
    ]
    for j, p in enumerate(problem.params):
        what = f"x {', '.join(p.multiply)}; " if p.multiply else ("" if p.name == p.path else f"{p.path}; ")
        what += f"from {p.since}; " if p.since else ""
        header.append(f"  {p.name} = {best.theta[j]!r}  ({what}searched in [{p.min:g}, {p.max:g}], {p.scale};")
        header.append(f"    se {report.se[j]:.3g}{', WEAKLY IDENTIFIED' if report.weak[j] else ''})" if report
                      else "    se not estimated)")
    if problem.derived:
        header.append("Derived: " + "; ".join(f"{dv.path} = 1 - ({' + '.join(dv.one_minus)})" for dv in problem.derived))
    if problem.fixed:
        header.append("Fixed during the calibration (calibrate.set, below with the fitted values): " +
                      ", ".join(f"{p}={v}" for p, v in problem.fixed) + ".")
    header.append(f"The moments are the mean of {len(info['seeds'])} runs with seeds "
                  f"{', '.join(str(s) for s in info['seeds'])} (cloudmarket run {os.path.basename(path)} --seed S).")
    text = "".join(f"# {line}\n" if line else "#\n" for line in header)
    body = {"schema": "cloudmarket/1", "extends": rel, "name": name}
    body.update(overrides)
    runner.write_atomic(path, text + dump(body))


def write_fit_txt(path, targets, table, report, best, problem, info, summary):
    lines = [f"Calibration of {info['scenario']} to '{targets.name}' ({info['targets']})",
             f"J = {best.J:.6g} at evaluation {best.number}; {info['passed']} fitted moments within "
             f"{targets.pass_within:g} se", summary, ""]
    pw = max(len(n) for n in problem.names)
    for j, p in enumerate(problem.params):
        lines.append(f"  {p.name:<{pw}} = {best.theta[j]:.6g}   (in [{p.min:g}, {p.max:g}], {p.scale})")
    lines += ["", table, ""]
    if report is not None:
        lines += [report.text(best.theta), ""]
    runner.write_atomic(path, "\n".join(lines))
