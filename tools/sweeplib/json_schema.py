"""JSON Schemas (draft-07, as editors' YAML support reads them) printed from the field tables of
the tools' files (sweeplib/fields.py): the sweep file's (sweepfile.py) and the targets file's
(calibratelib/targets.py)."""
from .fields import Table

DRAFT = "http://json-schema.org/draft-07/schema#"


def _number_text(x):
    return f"{x:g}"


def _describe(field):
    text = field.doc
    parts = []
    if field.kind in ("number", "integer") and (field.lo is not None or field.hi is not None):
        lo = "" if field.lo is None else ("> " if field.lo_open else ">= ") + _number_text(field.lo)
        hi = "" if field.hi is None else "<= " + _number_text(field.hi)
        parts.append("Range: " + " and ".join(p for p in (lo, hi) if p))
    if field.default is not None:
        parts.append(f"Default: {str(field.default).lower() if isinstance(field.default, bool) else field.default}")
    return ". ".join(p for p in [text, *parts] if p) + ("." if text or parts else "")


class _Writer:
    def __init__(self):
        self.definitions = {}

    def ref(self, table):
        if table.name not in self.definitions:
            self.definitions[table.name] = None  # reserved: tables may nest
            self.definitions[table.name] = self.mapping(table)
        return {"$ref": f"#/definitions/{table.name}"}

    def value(self, field):
        kind = field.kind
        if kind in ("number", "integer"):
            j = {"type": kind}
            if field.lo is not None:
                j["exclusiveMinimum" if field.lo_open else "minimum"] = field.lo
            if field.hi is not None:
                j["maximum"] = field.hi
        elif kind == "string":
            j = {"type": "string"}
            if field.pattern:
                j["pattern"] = field.pattern
        elif kind == "boolean":
            j = {"type": "boolean"}
        elif kind == "choice":
            choices = field.choices() if callable(field.choices) else field.choices
            j = {"enum": list(choices)}
        elif kind == "const":
            j = {"const": field.choices[0]}
        elif kind == "scalar":
            j = {"type": ["number", "string", "boolean"]}
        elif kind == "mapping":
            if isinstance(field.item, Table):
                j = {"allOf": [self.ref(field.item)]}
            else:
                j = {"type": "object", "additionalProperties": self.value(field.values)}
        elif kind == "list":
            items = self.ref(field.item) if isinstance(field.item, Table) else self.value(field.item)
            j = {"type": "array", "items": items}
            if field.min_items:
                j["minItems"] = field.min_items
        elif kind == "scalar_or_list":
            j = {"anyOf": [{"type": "string"}, self.value(field.item)]}
        elif kind == "period":
            j = {"anyOf": [{"type": ["string", "integer"], "pattern": field.pattern}, self.ref(field.item)]}
        else:
            raise ValueError(f"no JSON Schema for a field of kind {kind}")
        if field.default is not None:
            j["default"] = field.default
        text = _describe(field)
        if text:
            j["description"] = text
        return j

    def mapping(self, table):
        j = {"type": "object", "description": table.doc,
             "properties": {key: self.value(field) for key, field in table.fields.items()},
             "additionalProperties": False}
        required = list(table.required())
        if required:
            j["required"] = required
        if table.discriminator:
            branches = []
            for value, keys in table.variants.items():
                others = [k for k in table.fields if k != table.discriminator and k not in keys]
                then = {"properties": {k: False for k in others}}
                if table.required_in.get(value):
                    then["required"] = list(table.required_in[value])
                branches.append({"if": {"properties": {table.discriminator: {"const": value}},
                                        "required": [table.discriminator]}, "then": then})
            j["allOf"] = branches
        return j


def schema(table, title):
    """The JSON Schema of a file whose top-level mapping has `table`'s keys."""
    w = _Writer()
    top = w.ref(table)
    return {"$schema": DRAFT, "title": title, "description": table.doc, **top, "definitions": w.definitions}
