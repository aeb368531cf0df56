"""docs/whatif.md: every scenario it shows validates (written beside a copy of the scenario it
extends), and the shipped what-if extends china_2023.yaml with the event the page describes."""
import os
import re
import shutil
import unittest

import yaml

from common import SOURCE, TempDirTest, cloudmarket


class WhatIfPage(TempDirTest):
    def test_every_scenario_on_the_page_validates(self):
        with open(os.path.join(SOURCE, "docs", "whatif.md")) as f:
            blocks = re.findall(r"```yaml\n(.*?)```", f.read(), flags=re.S)
        self.assertGreaterEqual(len(blocks), 3)
        shutil.copy(os.path.join(SOURCE, "scenarios", "china_2023.yaml"), self.tmp)
        for k, block in enumerate(blocks):
            path = self.write(f"whatif_{k}.yaml", block)
            proc = cloudmarket("validate", path)
            self.assertEqual(proc.returncode, 0, block + proc.stderr)
        shipped = yaml.safe_load(blocks[0])
        with open(os.path.join(SOURCE, "scenarios", "huawei_gpu_cut_2025.yaml")) as f:
            self.assertEqual(yaml.safe_load(f), shipped)

    def test_the_set_b_examples_validate(self):
        with open(os.path.join(SOURCE, "docs", "whatif.md")) as f:
            assignments = re.findall(r"--set-b \\\n  '([^']+)'", f.read())
        self.assertGreaterEqual(len(assignments), 2)
        for assignment in assignments:
            proc = cloudmarket("validate", os.path.join(SOURCE, "scenarios", "china_2023.yaml"), "--set", assignment)
            self.assertEqual(proc.returncode, 0, assignment + proc.stderr)


if __name__ == "__main__":
    unittest.main()
