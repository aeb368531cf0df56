"""The source tree as shipped: no file keeps the markers of an unresolved merge (a README once did)."""
import os
import re
import unittest

from common import SOURCE

TEXT = (".md", ".py", ".cpp", ".hpp", ".h", ".c", ".yaml", ".json", ".txt", ".in", ".ipynb", ".sh")
SKIP = {".git", "build", "out", "__pycache__"}
MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.M)


class SourceTree(unittest.TestCase):
    def test_no_file_holds_merge_conflict_markers(self):
        found, seen = [], 0
        for top, dirs, files in os.walk(SOURCE):
            dirs[:] = [d for d in dirs if d not in SKIP and not d.startswith("build")]
            for name in files:
                if name.endswith(TEXT) or name in ("Makefile", "CMakeLists.txt", "run"):
                    path = os.path.join(top, name)
                    with open(path, errors="replace") as f:
                        text = f.read()
                    seen += 1
                    found += [f"{os.path.relpath(path, SOURCE)}:{text[:m.start()].count(chr(10)) + 1}"
                              for m in MARKER.finditer(text)]
        self.assertGreater(seen, 100)
        self.assertEqual(found, [])


if __name__ == "__main__":
    unittest.main()
