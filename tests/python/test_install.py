"""`cmake --install`: an installed prefix runs scenarios and sweeps with no source tree, as a
cluster's batch jobs use it."""
import os
import shutil
import subprocess
import unittest

from common import SOURCE, TempDirTest

BUILD = os.environ.get("CM_BUILD_DIR", "")


@unittest.skipUnless(BUILD and shutil.which("cmake"), "needs CM_BUILD_DIR and cmake (run through ctest)")
class InstalledPrefix(TempDirTest):
    def test_installed_binary_uses_its_own_tools_and_runs_a_sweep_anywhere(self):
        prefix = self.path("prefix")
        subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], check=True, capture_output=True)
        binary = os.path.join(prefix, "bin", "cloudmarket")
        share = os.path.join(prefix, "share", "cloudmarket")
        for part in ("tools/sweep.py", "tools/sweeplib/runner.py", "tools/plot.py", "scenarios/baseline.yaml",
                     "tools/plot_game.py", "games/sweeps/calvano_alpha_beta.yaml"):
            self.assertTrue(os.path.isfile(os.path.join(share, part)), part)
        self.assertTrue(os.path.isfile(os.path.join(prefix, "share", "doc", "cloudmarket", "sweep.md")))
        # Installed YAML files name their JSON Schema by a relative path, which must resolve there too.
        for yaml_file in ("scenarios/baseline.yaml", "scenarios/sweeps/baseline_grid.yaml",
                          "scenarios/targets/global_2023.yaml", "games/calvano_2020.yaml"):
            with open(os.path.join(share, yaml_file)) as f:
                first = f.readline()
            self.assertTrue(first.startswith("# yaml-language-server: $schema="), yaml_file)
            target = os.path.join(os.path.dirname(os.path.join(share, yaml_file)), first.split("=", 1)[1].strip())
            self.assertTrue(os.path.isfile(target), target)

        version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
        self.assertIn(f"sweep tools: {os.path.join(share, 'tools')}", version)

        # A batch job's working directory: a sweep file and its scenario, no source tree.
        work = self.path("job")
        os.makedirs(os.path.join(work, "sweeps"))
        os.makedirs(os.path.join(work, "scenarios"))
        shutil.copy(os.path.join(SOURCE, "tests", "sweeps", "small_grid.yaml"), os.path.join(work, "sweeps"))
        shutil.copy(os.path.join(SOURCE, "tests", "scenarios", "small.yaml"), os.path.join(work, "scenarios"))
        proc = subprocess.run([binary, "sweep", "sweeps/small_grid.yaml", "-o", "out", "--jobs", "2", "--quiet"],
                              cwd=work, capture_output=True, text=True, timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(os.path.isfile(os.path.join(work, "out", "sweep.h5")))

        proc = subprocess.run([binary, "run", os.path.join(share, "scenarios", "baseline.yaml"), "-o", "b.h5",
                               "--quiet", "--set", "time.years=1"], cwd=work, capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)

        # The Python API from the path the install sets (a .pth in the prefix's dist-packages),
        # finding the installed binary beside it, with no CLOUDMARKET set and no source tree.
        pth = [os.path.join(root, name) for root, _, names in os.walk(os.path.join(prefix, "lib"))
               for name in names if name == "cloudmarket.pth"]
        self.assertEqual(len(pth), 1, pth)
        code = ("import site, sys; site.addsitedir(sys.argv[1]); import cloudmarket as cm; "
                "print(cm.find_binary()); print(cm.run('b.yaml', set={'time.years': 1}).sizes['time'])")
        shutil.copy(os.path.join(SOURCE, "tests", "scenarios", "small.yaml"), os.path.join(work, "b.yaml"))
        env = {k: v for k, v in os.environ.items() if k not in ("CLOUDMARKET", "PYTHONPATH")}
        proc = subprocess.run(["/usr/bin/python3", "-c", code, os.path.dirname(pth[0])], cwd=work,
                              capture_output=True, text=True, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split(), [os.path.realpath(binary), "12"])


if __name__ == "__main__":
    unittest.main()
