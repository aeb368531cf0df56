"""docs/examples/whatif.ipynb runs from top to bottom with Debian's Jupyter kernel (nbclient): the
notebook users are pointed to answers its question with the API as it is."""
import os
import unittest

from common import BINARY, SOURCE


@unittest.skipUnless(BINARY, "CLOUDMARKET is not set (run through ctest)")
class WhatIfNotebook(unittest.TestCase):
    def test_the_notebook_runs_and_shows_its_answer(self):
        import nbformat
        from nbclient import NotebookClient
        here = os.path.join(SOURCE, "docs", "examples")
        notebook = nbformat.read(os.path.join(here, "whatif.ipynb"), as_version=4)
        os.environ["CLOUDMARKET"] = BINARY
        NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": here}}).execute()
        outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
        self.assertFalse([o for o in outputs if o.get("output_type") == "error"])
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        self.assertEqual(len(images), 2)
        tables = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
        self.assertTrue(any("huawei_gpu_cut_2025_mean" in t for t in tables))


if __name__ == "__main__":
    unittest.main()
