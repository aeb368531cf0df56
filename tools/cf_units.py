"""Units of cloudmarket output files (docs/output.md, "Units").

A units attribute is a UDUNITS-2 unit (https://docs.unidata.ucar.edu/udunits/current/) with two
conventions UDUNITS-2 does not cover:
- money: the ISO 4217 code of the file's currency (https://www.iso.org/iso-4217-currency-codes.html)
  stands for one unit of that currency; read it as 1 to parse the rest;
- product units (vcpu_hour, gpu_hour, million_tokens, ...) are counts, written as 1; the
  variable's attribute product_unit names them.
"""
import functools
import re
import shutil
import subprocess

UDUNITS2 = "udunits2"
_ISO_4217 = re.compile(r"^[A-Z]{3}$")


def text_of(value):
    """An attribute or label as text: h5py gives strings as bytes, and scalars as 0-d arrays."""
    if getattr(value, "ndim", None) == 0:  # a 0-d array or a numpy scalar
        value = value.item()
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def summed(attrs):
    """Whether a variable is a flow summed over each output period (cell_methods 'time: sum')."""
    return "time: sum" in text_of(attrs.get("cell_methods", ""))


def is_currency(code):
    """Whether `code` has the shape of an ISO 4217 code (three capital letters)."""
    return bool(_ISO_4217.match(code))


def without_currency(units, currency):
    """`units` with every token `currency` (a whole word) replaced by 1, for UDUNITS-2."""
    if not currency:
        return units
    return re.sub(rf"(?<![A-Za-z0-9_]){re.escape(currency)}(?![A-Za-z0-9_])", "1", units)


@functools.lru_cache(maxsize=None)  # one udunits2 process per distinct unit, however many files
def udunits_problem(units, currency=""):
    """None if UDUNITS-2 parses `units` once the currency code is read as 1, else why not.
    An empty string is a problem (udunits2 would read it as 1): write "1" for a pure number."""
    if not units.strip():
        return "empty units (write \"1\" for a dimensionless number)"
    if currency and not is_currency(currency):
        return f"currency '{currency}' is not an ISO 4217 code (three capital letters)"
    if not shutil.which(UDUNITS2):
        raise RuntimeError("udunits2 is not installed (Debian package udunits-bin)")
    proc = subprocess.run([UDUNITS2, "-H", without_currency(units, currency), "-W", ""],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        return proc.stderr.strip() or f"udunits2 does not parse '{units}'"
    return None


def readable(attrs):
    """A variable's units with its product unit written out, for labels and targets: 'USD/unit'
    for a price, 'gpu_hour' for a count, 'gpu_hour/month' for a rate ('unit' where each product
    has its own, named by the variable product_unit)."""
    units = text_of(attrs.get("units", "1"))
    product = text_of(attrs.get("product_unit", ""))
    if not product:
        return units
    name = product if re.fullmatch(r"\w+", product) else "unit"
    if is_currency(units):
        return f"{units}/{name}"
    if units == "1":
        return name
    if units == "month-1":
        return f"{name}/month"
    return f"{name} {units}"


def period_units(attrs, file_attrs):
    """A variable's units as the figures write them (docs/output.md, "Units"): a flow summed over
    each output period ('time: sum') reads 'CNY/month' (or /quarter, /year), a count of product
    units summed so 'unit/month', a price (money with a product_unit) 'CNY/unit'."""
    units = str(attrs.get("units", ""))
    if summed(attrs):
        per = str(file_attrs.get("output_period", "month"))
        return f"unit/{per}" if units == "1" and attrs.get("product_unit") else f"{units}/{per}"
    if attrs.get("product_unit") and units == str(file_attrs.get("currency", "")):
        return f"{units}/unit"
    return units
