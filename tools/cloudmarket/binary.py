"""Where the `cloudmarket` binary is, and running it with its errors turned into exceptions."""
import os
import shutil
import subprocess

_HERE = os.path.dirname(os.path.abspath(__file__))


class CloudmarketError(Exception):
    """The simulator refused its input or failed. `message` is what it printed (located errors such
    as `scenario.yaml:12:5: error: ...`), `exit_code` its exit code (2: invalid input)."""

    def __init__(self, message, exit_code):
        super().__init__(message)
        self.exit_code = exit_code


def find_binary():
    """The simulator to run: $CLOUDMARKET if set; else beside an installed package
    (PREFIX/share/cloudmarket/tools/cloudmarket -> PREFIX/bin/cloudmarket); else the source tree's
    build/cloudmarket; else `cloudmarket` on PATH."""
    chosen = os.environ.get("CLOUDMARKET")
    candidates = [chosen] if chosen else []
    candidates += [os.path.join(_HERE, "..", "..", "..", "..", "bin", "cloudmarket"),
                   os.path.join(_HERE, "..", "..", "build", "cloudmarket")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.normpath(path)
    on_path = shutil.which("cloudmarket")
    if on_path:
        return on_path
    raise CloudmarketError("cannot find the cloudmarket binary: build it (`make build`), install it "
                           "(`make install`) or set CLOUDMARKET to its path", 1)


def set_arguments(overrides):
    """`--set PATH=VALUE` arguments of a mapping {path: value} (values written as YAML scalars or
    flow collections) or of a list of "PATH=VALUE" strings."""
    if not overrides:
        return []
    items = overrides.items() if isinstance(overrides, dict) else (a.split("=", 1) for a in overrides)
    args = []
    for path, value in items:
        args += ["--set", f"{path}={yaml_value(value)}"]
    return args


def yaml_value(value):
    """A Python value as the YAML text `--set` reads: booleans as true/false, lists and mappings in
    flow style, strings as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        import yaml
        return yaml.safe_dump(value, default_flow_style=True, width=1 << 20).strip()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def call(args, binary=None):
    """Run the binary with `args`; returns its stdout. Raises CloudmarketError with its stderr when
    it exits non-zero."""
    proc = subprocess.run([binary or find_binary(), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise CloudmarketError(proc.stderr.strip() or f"cloudmarket exited with {proc.returncode}",
                               proc.returncode)
    return proc.stdout
