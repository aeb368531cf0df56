#!/usr/bin/python3
"""Write (or check) the JSON Schemas of cloudmarket's input files, docs/schema/*.schema.json.

    schema.py [--binary BIN] [--check] [--out DIR]

scenario and game come from the simulator (`cloudmarket schema scenario|game`, printed from the
loaders' field tables); sweep and targets from the tools' own field tables (sweeplib/fields.py).
Editors that read `# yaml-language-server: $schema=...` lines (VS Code's YAML extension) then
complete and check files as they are typed. --check exits 1 if a committed file differs from what
the generators print (the test tests/python/test_schema.py runs it).
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from calibratelib import targets  # noqa: E402
from sweeplib import output_variables, sweepfile  # noqa: E402
from sweeplib.json_schema import schema  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KINDS = ("scenario", "game", "sweep", "targets")


def text_of(document):
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def generate(binary):
    """{kind: the schema's text}."""
    out = {}
    for kind in ("scenario", "game"):
        printed = subprocess.run([binary, "schema", kind], capture_output=True, text=True, check=True).stdout
        out[kind] = text_of(json.loads(printed))
    out["sweep"] = text_of(schema(sweepfile.SWEEP_FIELDS, f"cloudmarket sweep ({sweepfile.SCHEMA})"))
    out["targets"] = text_of(schema(targets.TARGETS_FIELDS, f"cloudmarket targets ({targets.SCHEMA})"))
    return out


def main(argv):
    parser = argparse.ArgumentParser(prog="schema.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", help="the cloudmarket binary (default: $CLOUDMARKET, else build/cloudmarket)")
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    parser.add_argument("--out", default=os.path.join(SOURCE, "docs", "schema"), help="the directory of the files")
    args = parser.parse_args(argv)
    if args.binary:
        output_variables.use_binary(args.binary)
    binary = output_variables.binary()
    if binary is None:
        print("schema.py: error: no cloudmarket binary (pass --binary or set CLOUDMARKET)", file=sys.stderr)
        return 2
    drifted = []
    for kind, text in generate(binary).items():
        path = os.path.join(args.out, f"{kind}.schema.json")
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    same = f.read() == text
            except FileNotFoundError:
                same = False
            if not same:
                drifted.append(path)
        else:
            os.makedirs(args.out, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    for path in drifted:
        print(f"{path}: differs from what the generators print (run tools/schema.py to rewrite it)", file=sys.stderr)
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
