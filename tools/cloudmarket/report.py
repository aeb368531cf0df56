"""The comparison's summary as text: a Markdown table in readable units (bn of the currency,
percent for fractions), for summary.md and the terminal."""
import numpy as np


def scale_of(comparison, name):
    """(factor, unit text, difference unit text) to show variable `name` in."""
    from cf_units import period_units
    units = period_units(comparison[name].attrs, comparison.attrs)  # 'CNY/month' for a monthly sum
    currency = comparison.attrs.get("currency", "")
    money, _, per = units.partition("/")
    if currency and money == currency and per != "unit":
        shown = f"bn {currency}" + (f"/{per}" if per else "")
        return 1e-9, shown, shown
    if units in ("1", "") and np.nanmax(np.abs(comparison[f"{name}_mean"].values), initial=0) <= 1:
        return 100.0, "%", "pp"
    return 1.0, units, units


def _interval(mean, lo, hi, factor):
    if not np.isfinite(mean):
        return "n/a"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{mean * factor:.3g}"
    return f"{mean * factor:.3g} [{lo * factor:.3g}, {hi * factor:.3g}]"


def markdown_table(table, comparison):
    """One row per line of the summary DataFrame: both scenarios' means with 95% intervals and the
    paired difference B - A with its interval."""
    a, b = comparison.attrs["scenario_a"], comparison.attrs["scenario_b"]
    label_columns = [c for c in table.columns
                     if c not in ("variable", "time", "units", "n") and not c.startswith((f"{a}_", f"{b}_", "diff"))]
    head = ["variable", *label_columns, "date", "unit", f"{a}", f"{b}", f"{b} - {a}", "n"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    scales = {name: scale_of(comparison, name) for name in table["variable"].unique()}
    for _, row in table.iterrows():
        factor, unit, diff_unit = scales[row["variable"]]
        cells = [row["variable"], *[str(row[c]) for c in label_columns], row["time"],
                 unit if unit == diff_unit else f"{unit} ({diff_unit})",
                 _interval(row[f"{a}_mean"], row[f"{a}_lo"], row[f"{a}_hi"], factor),
                 _interval(row[f"{b}_mean"], row[f"{b}_lo"], row[f"{b}_hi"], factor),
                 _interval(row["diff"], row["diff_lo"], row["diff_hi"], factor), str(row["n"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_heading(comparison):
    """What was compared, how many replications, and how to read the intervals."""
    at = comparison.attrs
    level = at.get("confidence_level", 0.95)
    changes = [f"{at['scenario_a']}: {at.get('scenario_a_file', '')}", f"{at['scenario_b']}: {at.get('scenario_b_file', '')}"]
    for key, who in (("set_both", "both"), ("set_a", at["scenario_a"]), ("set_b", at["scenario_b"])):
        if at.get(key):
            changes.append(f"--set ({who}): {at[key]}")
    return (f"# {at['scenario_b']} against {at['scenario_a']}\n\n" + "\n".join(f"- {c}" for c in changes) +
            f"\n- {at['replications']} replications with common random numbers (the same seeds in both); "
            f"values are means with {level * 100:g}% Student-t intervals; the difference is the mean of "
            f"the paired differences {at['scenario_b']} - {at['scenario_a']}.")
