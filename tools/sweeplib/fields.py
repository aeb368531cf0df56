"""Field tables of the tools' YAML files (sweep and targets files): each key's JSON type, range or
choices and meaning. The readers (sweepfile.py, calibratelib/targets.py) take their key lists and
ranges from these tables, and tools/schema.py prints them as JSON Schemas
(docs/schema/sweep.schema.json, docs/schema/targets.schema.json), so the two cannot drift.
"""


class Field:
    """One key. kind: number, integer, string, boolean, choice, const, scalar (number, string or
    boolean), mapping (of `item`'s keys; or, with `values`, any keys to values of that Field), list
    (of `item`: a table, or a Field). lo/hi bound numbers (lo_open: lo itself excluded)."""

    def __init__(self, kind, doc="", lo=None, hi=None, lo_open=False, choices=None, pattern=None,
                 required=False, item=None, values=None, min_items=None, default=None, name=None):
        self.kind, self.doc, self.lo, self.hi, self.lo_open = kind, doc, lo, hi, lo_open
        self.choices, self.pattern, self.required, self.item = choices, pattern, required, item
        self.values, self.min_items, self.default, self.name = values, min_items, default, name

    def optional(self):
        """The same key, not required (a moment's variable, which a ratio may replace)."""
        copy = Field.__new__(Field)
        copy.__dict__.update(self.__dict__, required=False)
        return copy

    @property
    def bounds(self):
        return self.lo, self.hi


class Table:
    """The keys of one mapping, in order; `variants` gives, for a discriminator key's values, which
    other keys each takes (and requires) beyond the discriminator itself."""

    def __init__(self, name, doc, fields, discriminator=None, variants=None, required_in=None):
        self.name, self.doc, self.fields = name, doc, fields
        self.discriminator, self.variants = discriminator, variants or {}
        self.required_in = required_in or {}  # discriminator value -> keys it requires

    def keys(self):
        return tuple(self.fields)

    def required(self):
        return tuple(k for k, f in self.fields.items() if f.required)

    def __getitem__(self, key):
        return self.fields[key]
