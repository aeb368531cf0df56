"""Every ```python block of docs/python.md runs, in order, from a copy of the source tree's layout
(tools/, scenarios/ and tests/ linked into a temporary directory): the documented API works."""
import os
import re
import subprocess
import unittest

from common import BINARY, SOURCE, TempDirTest


@unittest.skipUnless(BINARY, "CLOUDMARKET is not set (run through ctest)")
class PythonPage(TempDirTest):
    def test_every_example_of_docs_python_md_runs(self):
        with open(os.path.join(SOURCE, "docs", "python.md")) as f:
            blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
        self.assertGreaterEqual(len(blocks), 5)
        for part in ("tools", "scenarios", "tests"):
            os.symlink(os.path.join(SOURCE, part), os.path.join(self.tmp, part))
        script = "\n".join(f"print('--- block {k}')\n{block}" for k, block in enumerate(blocks))
        proc = subprocess.run(["/usr/bin/python3", "-c", script], cwd=self.tmp, capture_output=True, text=True,
                              env={**os.environ, "CLOUDMARKET": BINARY}, timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stdout[-2000:] + proc.stderr[-3000:])
        self.assertIn("--- block %d" % (len(blocks) - 1), proc.stdout)
        self.assertIn("2 ", proc.stdout)  # the invalid scenario's exit code, printed by the example


if __name__ == "__main__":
    unittest.main()
