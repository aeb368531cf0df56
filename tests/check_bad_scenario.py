#!/usr/bin/python3
"""Check that `cloudmarket` rejects one bad scenario the way its first line expects.

The first line of the scenario reads `# expect: FILE:LINE:COL: TEXT`. Both `validate` and `run`
must exit with code 2, print `PATH:LINE:COL: error: ...` where PATH ends in FILE and the message
contains TEXT (LINE:COL of 0:0 means: any position), and `run` must leave no output file behind.
"""
import os
import re
import subprocess
import sys
import tempfile

binary, scenario = sys.argv[1], sys.argv[2]
with open(scenario, encoding="utf-8") as f:
    first = f.readline()
m = re.match(r"# expect: (\S+):(\d+):(\d+): ?(.*)$", first.rstrip("\n"))
if not m:
    sys.exit(f"{scenario}: first line must be '# expect: FILE:LINE:COL: TEXT'")
want_file, want_line, want_col, want_text = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)


def check(args, out_dir=None):
    proc = subprocess.run([binary] + args, capture_output=True, text=True, timeout=60)
    err = proc.stderr.strip().splitlines()
    if proc.returncode != 2:
        sys.exit(f"{' '.join(args)}: exit code {proc.returncode}, want 2; stderr: {proc.stderr!r}")
    got = re.match(r"(.*?):(?:(\d+):(\d+):)? error: (.*)$", err[0] if err else "")
    if not got:
        sys.exit(f"stderr does not start with 'FILE:LINE:COL: error:': {proc.stderr!r}")
    path, line, col, text = got.group(1), int(got.group(2) or 0), int(got.group(3) or 0), got.group(4)
    if not path.endswith(want_file):
        sys.exit(f"error names {path}, want {want_file}: {err[0]}")
    if want_line and (line, col) != (want_line, want_col):
        sys.exit(f"error at {line}:{col}, want {want_line}:{want_col}: {err[0]}")
    if want_text not in text:
        sys.exit(f"message {text!r} does not contain {want_text!r}")
    if out_dir is not None and os.listdir(out_dir):
        sys.exit(f"run left files behind: {os.listdir(out_dir)}")
    print(err[0])


check(["validate", scenario])
with tempfile.TemporaryDirectory() as out_dir:
    check(["run", scenario, "-o", os.path.join(out_dir, "out.h5"), "--quiet"], out_dir)
