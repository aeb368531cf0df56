"""The source tree as shipped: no file keeps the markers of an unresolved merge (a README once did), and
no file cites the team's internal notes, which users do not have."""
import os
import re
import unittest

from common import SOURCE

TEXT = (".md", ".py", ".cpp", ".hpp", ".h", ".c", ".yaml", ".json", ".txt", ".in", ".ipynb", ".sh")
SKIP = {".git", "build", "out", "__pycache__"}
MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.M)
INTERNAL = re.compile(r"\b(design|facts)\.md\b|\.\./shared/")


class SourceTree(unittest.TestCase):
    def files(self):
        for top, dirs, files in os.walk(SOURCE):
            dirs[:] = [d for d in dirs if d not in SKIP and not d.startswith("build")]
            for name in files:
                if name.endswith(TEXT) or name in ("Makefile", "CMakeLists.txt", "run"):
                    path = os.path.join(top, name)
                    with open(path, errors="replace") as f:
                        yield os.path.relpath(path, SOURCE), f.read()

    def matches(self, pattern):
        found, seen = [], 0
        for path, text in self.files():
            seen += 1
            found += [f"{path}:{text[:m.start()].count(chr(10)) + 1}" for m in pattern.finditer(text)]
        self.assertGreater(seen, 100)
        return found

    def test_no_file_holds_merge_conflict_markers(self):
        self.assertEqual(self.matches(MARKER), [])

    def test_no_file_cites_internal_notes(self):
        mine = os.path.join("tests", "python", "test_source_tree.py")
        self.assertEqual([f for f in self.matches(INTERNAL) if not f.startswith(mine + ":")], [])


if __name__ == "__main__":
    unittest.main()
