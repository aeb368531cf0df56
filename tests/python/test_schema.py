"""The JSON Schemas of the input files (docs/schema): shipped files validate, typical mistakes are
rejected (by the schema and by the loader alike), the committed schemas match what the generators
print; misspelt ids get a "did you mean"; the help shows no internal options."""
import copy
import glob
import json
import os
import re
import subprocess
import sys
import unittest

import jsonschema
import yaml

from common import BINARY, SMALL, SOURCE, TempDirTest, cloudmarket

SCHEMA_DIR = os.path.join(SOURCE, "docs", "schema")
HEADER = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")


class Yaml12Loader(yaml.SafeLoader):
    """YAML as editors read it (YAML 1.2 core schema, yaml-language-server): dates stay strings and
    1e15 is a number, as the simulator's own reader takes them."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                                   re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"),
                                   list("-+0123456789."))


def load_yaml(path_or_text):
    text = path_or_text
    if os.path.exists(path_or_text):
        with open(path_or_text, encoding="utf-8") as f:
            text = f.read()
    return yaml.load(text, Loader=Yaml12Loader)


def validator(kind):
    with open(os.path.join(SCHEMA_DIR, f"{kind}.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def shipped_files():
    """Every YAML file installed with the simulator: scenarios (with sweeps and targets) and games."""
    return sorted(glob.glob(os.path.join(SOURCE, "scenarios", "**", "*.yaml"), recursive=True)
                  + glob.glob(os.path.join(SOURCE, "games", "**", "*.yaml"), recursive=True))


class ShippedFilesTest(unittest.TestCase):
    def test_every_shipped_file_names_its_schema_and_validates(self):
        validators = {kind: validator(kind) for kind in ("scenario", "game", "sweep", "targets")}
        files = shipped_files()
        self.assertGreater(len(files), 20)
        for path in files:
            with self.subTest(path=os.path.relpath(path, SOURCE)):
                with open(path, encoding="utf-8") as f:
                    header = HEADER.match(f.read())
                self.assertIsNotNone(header, "the first line must be # yaml-language-server: $schema=...")
                target = os.path.normpath(os.path.join(os.path.dirname(path), header[1]))
                self.assertTrue(os.path.isfile(target), target)
                kind = os.path.basename(target).split(".")[0]
                errors = [f"{list(e.absolute_path)}: {e.message}" for e in validators[kind].iter_errors(load_yaml(path))]
                self.assertEqual(errors, [])

    def test_test_scenarios_validate(self):
        scenario = validator("scenario")
        for path in glob.glob(os.path.join(SOURCE, "tests", "scenarios", "*.yaml")):
            if "game" in os.path.basename(path) or "q_fixed_rival" in path:
                continue
            with self.subTest(path=os.path.basename(path)):
                self.assertEqual([e.message for e in scenario.iter_errors(load_yaml(path))], [])


class MistakesTest(TempDirTest):
    """Each mistake is rejected by the schema and by `cloudmarket validate` alike."""

    def check_rejected(self, document, pattern):
        self.assertTrue(list(validator("scenario").iter_errors(document)), "the schema accepts it")
        path = self.path("bad.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(document, f, sort_keys=False)
        proc = cloudmarket("validate", path)
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertRegex(proc.stderr, r"bad\.yaml:\d+:\d+: error: " + pattern)

    def small(self):
        return load_yaml(SMALL)

    def test_small_is_valid(self):
        self.assertEqual(list(validator("scenario").iter_errors(self.small())), [])

    def test_unknown_key(self):
        doc = self.small()
        doc["vendors"][0]["initial_shar"] = 0.5
        self.check_rejected(doc, r"unknown key 'initial_shar'.*did you mean 'initial_share'")

    def test_wrong_type(self):
        doc = self.small()
        doc["time"]["years"] = "five"
        self.check_rejected(doc, r"'years' must be an integer")

    def test_out_of_range(self):
        doc = self.small()
        doc["segments"][0]["switching_cost"] = 25
        self.check_rejected(doc, r"'switching_cost' must be in \[0, 20\]")

    def test_enum(self):
        doc = self.small()
        doc["products"][0]["kind"] = "computer"
        self.check_rejected(doc, r"'kind' must be one of .*did you mean 'compute'")

    def test_key_of_another_event_type(self):
        doc = self.small()
        doc["events"] = [{"type": "outage", "at": "2023-06-01", "vendor": "alpha", "availability": 0.5,
                          "segment": "retail"}]
        self.check_rejected(doc, r"unknown key 'segment' in event")

    def test_dated_schedule_is_accepted(self):
        doc = self.small()
        doc["segments"][0]["growth"] = [{"from": "2023-01-01", "value": 0.1}, {"from": "2024-01-01", "value": 0.2}]
        self.assertEqual(list(validator("scenario").iter_errors(doc)), [])
        doc["segments"][0]["growth"][1]["value"] = 11
        self.assertTrue(list(validator("scenario").iter_errors(doc)))

    def test_game_sweep_and_targets_mistakes(self):
        game = load_yaml(os.path.join(SOURCE, "games", "calvano_2020.yaml"))
        bad = copy.deepcopy(game)
        bad["grid"] = {"points": 1}
        self.assertTrue(list(validator("game").iter_errors(bad)))
        sweep = load_yaml(os.path.join(SOURCE, "scenarios", "sweeps", "baseline_grid.yaml"))
        bad = copy.deepcopy(sweep)
        bad["design"] = {"type": "grid", "samples": 8}  # samples belong to lhs and saltelli
        self.assertTrue(list(validator("sweep").iter_errors(bad)))
        bad = copy.deepcopy(sweep)
        bad["metrics"] = [{"name": "x", "variable": "vendor_proft"}]
        self.assertTrue(list(validator("sweep").iter_errors(bad)))
        targets = load_yaml(os.path.join(SOURCE, "scenarios", "targets", "baseline_example.yaml"))
        bad = copy.deepcopy(targets)
        bad["moments"][0]["reduce"] = "median"
        self.assertTrue(list(validator("targets").iter_errors(bad)))


class DriftTest(TempDirTest):
    def schema_tool(self, *args):
        if not BINARY:
            self.skipTest("CLOUDMARKET is not set (run through ctest)")
        return subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "schema.py"), "--binary", BINARY, *args],
                              capture_output=True, text=True, timeout=120)

    def test_committed_schemas_are_what_the_generators_print(self):
        proc = self.schema_tool("--check")
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_a_changed_schema_is_reported(self):
        self.assertEqual(self.schema_tool("--out", self.tmp).returncode, 0)
        path = self.path("sweep.schema.json")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace('"replications"', '"replicates"', 1))
        proc = self.schema_tool("--check", "--out", self.tmp)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("sweep.schema.json: differs", proc.stderr)

    def test_schema_command(self):
        scenario = json.loads(cloudmarket("schema", "scenario").stdout)
        vendor = scenario["definitions"]["vendor"]
        self.assertFalse(vendor["additionalProperties"])
        self.assertEqual(vendor["properties"]["revenue_share"]["default"], 0.3)
        self.assertEqual(vendor["properties"]["ai_strategy"]["enum"], ["none", "open_ecosystem", "vertical", "hybrid"])
        self.assertIn("extends", scenario["definitions"]["scenario"]["properties"])
        variables = json.loads(cloudmarket("schema", "output-variables").stdout)
        self.assertEqual(variables["price"], ["time", "vendor", "product"])
        proc = cloudmarket("schema", "scenari")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("did you mean 'scenario'", proc.stderr)


class MisspeltIdTest(TempDirTest):
    def test_set_path_with_a_misspelt_id(self):
        proc = cloudmarket("validate", SMALL, "--set", "vendors.alpah.cash=1")
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"^<--set vendors\.alpah\.cash=1>:1:9: error: no element with id 'alpah' "
                                      r"in the list 'vendors' \(did you mean 'alpha'\?\)")

    def test_extends_override_with_a_misspelt_id(self):
        path = self.write("typo.yaml", f"""
            extends: {SMALL}
            segments:
              - id: retial
                growth: 0.1
            """)
        proc = cloudmarket("validate", path)
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"typo\.yaml:3:\d+: error: missing required key '\w+' in segment 'retial' "
                                      r"\(its id matches no element of the base file: did you mean 'retail'\?\)")


class HelpTest(unittest.TestCase):
    def test_main_help_lists_every_command(self):
        out = cloudmarket("--help").stdout
        for command in ("run", "validate", "sweep", "game", "check", "calibrate", "schema"):
            self.assertRegex(out, rf"\n  {command} ")

    def test_command_help_describes_arguments_and_hides_internal_options(self):
        for command, argument in (("run", "SCENARIO.yaml"), ("validate", "SCENARIO.yaml"), ("game", "GAME.yaml"),
                                  ("schema", "WHAT")):
            with self.subTest(command=command):
                proc = cloudmarket(command, "--help")
                self.assertEqual(proc.returncode, 0)
                self.assertRegex(proc.stdout, rf"arguments:\n  {re.escape(argument)} +\S")
                self.assertNotRegex(proc.stdout, r"--(scenario|game|what)\b")
        for args in (("sweep", "--help"), ("sweep", "run", "--help"), ("sweep", "plan", "--help"),
                     ("calibrate", "--help"), ("check", "--help")):
            with self.subTest(args=args):
                proc = cloudmarket(*args)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertNotIn("--binary", proc.stdout)
                positional = proc.stdout.split("positional arguments:")[-1].split("options:")[0]
                lines = [line for line in positional.splitlines() if line.strip()]
                self.assertTrue(lines)
                for line in lines:  # each argument (or verb) has a description on its line
                    if not line.startswith("      ") and not line.startswith("  {"):
                        self.assertRegex(line, r"^ {2,4}\S+\s+\S", line)

    def test_missing_argument_named_as_in_the_help(self):
        proc = cloudmarket("run", "-o", "x.h5")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("missing argument SCENARIO.yaml", proc.stderr)


if __name__ == "__main__":
    unittest.main()
