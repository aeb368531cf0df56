#!/usr/bin/python3
"""Calibration by simulated moments (docs/calibration.md).

    calibrate.py check OUT.h5 [OUT2.h5 ...] TARGETS.yaml     # or a sweep directory [--point P]
    calibrate.py calibrate SCENARIO TARGETS -o DIR [--jobs N] [--mpi] [--resume] --binary BIN

`cloudmarket check ...` and `cloudmarket calibrate ...` run this script on Debian's python3.
"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sweeplib.deps import missing_message  # noqa: E402

USAGE = __doc__.split("\n\n")[1]


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    verb, rest = argv[0], argv[1:]
    try:
        if verb == "check":
            from calibratelib import check
            return check.main(rest)
        if verb == "calibrate":
            from calibratelib import estimate
            binary = None
            if "--binary" in rest:
                i = rest.index("--binary")
                binary = rest[i + 1] if i + 1 < len(rest) else None
                rest = rest[:i] + rest[i + 2:]
            return estimate.main(rest, binary)
    except ImportError as error:
        print(f"cloudmarket {verb}: error: {missing_message(error)}", file=sys.stderr)
        return 1
    print(f"calibrate.py: error: unknown verb '{verb}' (check or calibrate)\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `check ... | head` ends quietly
    sys.exit(main(sys.argv[1:]))
