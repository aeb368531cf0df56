// The `cloudmarket` command line: run, validate and game here; sweep, check, calibrate, compare and
// export in Python scripts of tools/.
// Exit codes: 0 success; 2 invalid input (usage, scenario); 1 failure while running.
#include <boost/program_options.hpp>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <sstream>
#include <utility>
#include <string>
#include <vector>

#include "game/game_fields.hpp"
#include "game/game_loader.hpp"
#include "game/play_game.hpp"
#include "output/output_path.hpp"
#include "sim/diagnostic.hpp"
#include "sim/event_warnings.hpp"
#include "sim/json_schema.hpp"
#include "sim/output_variables.hpp"
#include "sim/progress.hpp"
#include "sim/run.hpp"
#include "sim/scenario_fields.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/yaml_tree.hpp"
#include "tools/batch_worker.hpp"
#include "version.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kOk = 0, kFailure = 1, kInvalidInput = 2;

int dispatch(const std::string& command, const std::vector<std::string>& rest);

const char* kUsage =
    "usage: cloudmarket COMMAND [ARGS]\n"
    "\n"
    "Simulate a cloud-computing market described by a YAML scenario.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.yaml -o OUT.h5 [--seed N] [--set PATH=VALUE]... [--quiet]\n"
    "                      run a scenario and write its time series to OUT.h5\n"
    "  validate SCENARIO.yaml [--print] [--set PATH=VALUE]...\n"
    "                      check a scenario; --print shows it fully resolved\n"
    "  sweep SWEEP.yaml -o DIR [--jobs N] [--resume] [--mpi]\n"
    "                      run a batch of scenarios (see docs/sweep.md); also:\n"
    "  sweep plan SWEEP.yaml -o DIR | sweep run-one DIR --index I | sweep status DIR\n"
    "  sweep collect DIR | sweep analyze DIR\n"
    "  batch               the worker sweeps, calibrate and compare run their runs through\n"
    "                      (requests on stdin; docs/sweep.md, \"The batch worker\")\n"
    "  game GAME.yaml -o OUT.h5 [--sessions N] [--jobs J] [--seed N] [--set PATH=VALUE]...\n"
    "                      play a repeated pricing game's sessions (see docs/game.md);\n"
    "                      run and validate take a game file too\n"
    "  check OUT.h5... TARGETS.yaml | check SWEEP_DIR TARGETS.yaml [--point P]\n"
    "                      compare runs with target figures (see docs/calibration.md)\n"
    "  calibrate SCENARIO.yaml TARGETS.yaml -o DIR [--jobs N] [--resume] [--mpi]\n"
    "                      fit a scenario's parameters to targets (simulated moments)\n"
    "  compare A.yaml [B.yaml] -o DIR [--replications R] [--set-b PATH=VALUE]... [--at DATE]\n"
    "                      B against A over replications with common random numbers: paired\n"
    "                      differences with 95% intervals, a summary table, figures (docs/whatif.md)\n"
    "  export OUT.h5|DIR -o DIR [--variables V,...]\n"
    "                      a run's, sweep's or comparison's output as long CSV tables\n"
    "  schema scenario|game|output-variables\n"
    "                      print the JSON Schema of scenario or game files (for editors),\n"
    "                      or the time series a run's output holds, with their dimensions\n"
    "\n"
    "options:\n"
    "  --version           print the version and the schemas it reads and writes\n"
    "  --help              this text; COMMAND --help for a command's options\n"
    "\n"
    "exit codes: 0 success, 2 invalid input, 1 failure while running\n";

// Thrown for a bad command line; reported as "cloudmarket COMMAND: error: ..." with exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A command's options, and its positional arguments: those are parsed as hidden options (so that
// `--scenario` is not offered as an option) and described on their own in the help.
struct Command {
  std::string usage;  // "cloudmarket run SCENARIO.yaml -o OUT.h5 [options]"
  po::options_description visible{"options"};
  po::options_description hidden;
  po::positional_options_description positional;
  std::vector<std::pair<std::string, std::string>> arguments;  // name as shown, what it is

  explicit Command(std::string usage_) : usage(std::move(usage_)) { visible.add_options()("help,h", "this text"); }
  // A positional argument: `key` in the variables map, `name` in the help.
  void argument(const char* key, const std::string& name, const std::string& what) {
    hidden.add_options()(key, po::value<std::string>()->required(), what.c_str());
    positional.add(key, 1);
    arguments.emplace_back(name, what);
    keys.emplace_back(key);
  }
  std::vector<std::string> keys;  // of the arguments, in order
  po::options_description all() const {
    po::options_description both;
    both.add(visible).add(hidden);
    return both;
  }
  void print_help(std::ostream& out) const {
    constexpr std::size_t kIndent = 22, kWidth = 80;
    out << "usage: " << usage << "\n\narguments:\n";
    for (const auto& [name, what] : arguments) {
      std::string line = "  " + name;
      line += line.size() < kIndent ? std::string(kIndent - line.size(), ' ') : "\n" + std::string(kIndent, ' ');
      std::size_t column = line.size() - (line.rfind('\n') == std::string::npos ? 0 : line.rfind('\n') + 1);
      std::istringstream words(what);
      std::string word;
      bool first = true;
      while (words >> word) {
        if (!first && column + 1 + word.size() > kWidth) {
          line += "\n" + std::string(kIndent, ' ');
          column = kIndent;
        } else if (!first) {
          line += ' ';
          ++column;
        }
        line += word;
        column += word.size();
        first = false;
      }
      out << line << "\n";
    }
    std::ostringstream options;
    options << visible;
    std::string text = options.str();
    out << "\n" << text << (text.empty() || text.back() != '\n' ? "\n" : "");
  }
};

po::variables_map parse(const Command& cmd, const std::vector<std::string>& args) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(cmd.all()).positional(cmd.positional).run(), vm);
    if (vm.count("help")) return vm;
    // A missing argument is named as the help shows it, not as the option it is parsed as.
    for (std::size_t i = 0; i < cmd.keys.size(); ++i)
      if (!vm.count(cmd.keys[i])) throw UsageError("missing argument " + cmd.arguments[i].first);
    po::notify(vm);
  } catch (const po::too_many_positional_options_error&) {
    throw UsageError("too many arguments (usage: " + cmd.usage + ")");
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return vm;
}

// --seed takes what the scenario's `seed` key takes: a whole number from 0 to 10^15, in decimal.
std::string checked_seed(const std::string& text) {
  constexpr auto kMaxSeed = std::uint64_t(cm::limits::kMaxSeed);
  std::uint64_t seed = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, seed);
  if (text.empty() || ec != std::errc() || ptr != end || seed > kMaxSeed)
    throw UsageError("--seed '" + text + "': expected a whole number from 0 to " + std::to_string(kMaxSeed));
  return text;
}

std::vector<std::string> overrides_of(const po::variables_map& vm) {
  std::vector<std::string> overrides;
  if (vm.count("set")) overrides = vm["set"].as<std::vector<std::string>>();
  if (vm.count("seed")) overrides.push_back("seed=" + checked_seed(vm["seed"].as<std::string>()));
  return overrides;
}

// A scenario or game file, read once: its tree with `extends:` resolved and the `--set` overrides
// applied, every file read, and which of the two it is (by its own `schema:`).
struct Input {
  std::string path;
  cm::yaml::NodePtr root;
  std::vector<std::string> files;
  bool game = false;
};

Input read_input(const std::string& path, const std::vector<std::string>& overrides) {
  Input in;
  in.path = path;
  in.root = cm::yaml::load_with_extends(path, {}, &in.files);
  in.game = cm::game::is_game(*in.root);
  for (const auto& assignment : overrides) cm::yaml::apply_override(in.root, assignment);
  return in;
}

// A game's sessions to `output` (validated first, like a run).
int play_game(const Input& input, const std::string& output, int jobs, bool progress) {
  const cm::game::GameSpec game = cm::game::decode_game(input.root, input.path);
  cm::game::GameOptions options;
  options.output_path = output;
  if (auto problem = cm::output::output_path_problem(options.output_path, input.files))
    throw UsageError("-o: " + *problem);
  options.jobs = jobs;
  options.progress = progress;
  cm::game::play_game_to_file(game, options, cm::game::game_to_yaml(game));
  return kOk;
}

int game_command(const std::vector<std::string>& args) {
  Command cmd("cloudmarket game GAME.yaml -o OUT.h5 [options]");
  cmd.argument("game", "GAME.yaml", "game file (YAML, schema cloudmarket-game/1; docs/game.md)");
  cmd.visible.add_options()
      ("output,o", po::value<std::string>()->required(), "output file (HDF5/netCDF-4); written as OUT.partial, then renamed")
      ("sessions", po::value<std::string>(), "number of sessions, overriding the game's")
      ("jobs,j", po::value<int>()->default_value(1), "threads playing sessions at once (results do not depend on it)")
      ("seed", po::value<std::string>(), "random seed, overriding the game's")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a game value: PATH=VALUE, e.g. q_learning.learning_rate=0.1 (repeatable)")
      ("quiet,q", "no progress line");
  const auto vm = parse(cmd, args);
  if (vm.count("help")) {
    cmd.print_help(std::cout);
    return kOk;
  }
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1 || jobs > 1024) throw UsageError("--jobs must be from 1 to 1024");
  std::vector<std::string> overrides = overrides_of(vm);
  if (vm.count("sessions")) overrides.push_back("sessions=" + vm["sessions"].as<std::string>());
  // A file that is not a game is reported by the game's decoder, at its `schema:`.
  const Input input = read_input(vm["game"].as<std::string>(), overrides);
  return play_game(input, vm["output"].as<std::string>(), jobs, !vm.count("quiet") && cm::stderr_is_terminal());
}

int run_command(const std::vector<std::string>& args) {
  Command cmd("cloudmarket run SCENARIO.yaml -o OUT.h5 [options]");
  cmd.argument("scenario", "SCENARIO.yaml",
               "scenario file (YAML, schema cloudmarket/1; docs/scenario.md), or a game file "
               "(cloudmarket-game/1: see `cloudmarket game`)");
  cmd.visible.add_options()
      ("output,o", po::value<std::string>()->required(), "output file (HDF5/netCDF-4); written as OUT.partial, then renamed")
      ("seed", po::value<std::string>(), "random seed, overriding the scenario's")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a scenario value: PATH=VALUE, e.g. vendors.aws.pricing.markup=0.3 (repeatable)")
      ("quiet,q", "no progress line");
  const auto vm = parse(cmd, args);
  if (vm.count("help")) {
    cmd.print_help(std::cout);
    return kOk;
  }
  const Input input = read_input(vm["scenario"].as<std::string>(), overrides_of(vm));
  const bool progress = !vm.count("quiet") && cm::stderr_is_terminal();
  if (input.game) return play_game(input, vm["output"].as<std::string>(), 1, progress);
  // Everything is validated before any work starts: the scenario, then where its output goes.
  const cm::Scenario scenario = cm::decode_scenario(input.root);
  for (const auto& warning : cm::event_warnings(scenario)) std::cerr << warning << "\n";
  cm::RunOptions run;
  run.output_path = vm["output"].as<std::string>();
  if (auto problem = cm::output::output_path_problem(run.output_path, input.files)) throw UsageError("-o: " + *problem);
  run.progress = progress;
  cm::run_to_file(scenario, run);
  return kOk;
}

int validate_command(const std::vector<std::string>& args) {
  Command cmd("cloudmarket validate SCENARIO.yaml [options]");
  cmd.argument("scenario", "SCENARIO.yaml",
               "scenario file (YAML, schema cloudmarket/1; docs/scenario.md), or a game file (cloudmarket-game/1)");
  cmd.visible.add_options()
      ("print", "print the fully resolved scenario (extends, overrides and defaults applied) as YAML")
      ("seed", po::value<std::string>(), "random seed, overriding the scenario's")
      ("set", po::value<std::vector<std::string>>()->composing(), "override a scenario value: PATH=VALUE (repeatable)");
  const auto vm = parse(cmd, args);
  if (vm.count("help")) {
    cmd.print_help(std::cout);
    return kOk;
  }
  const std::string path = vm["scenario"].as<std::string>();
  const Input input = read_input(path, overrides_of(vm));
  if (input.game) {
    const cm::game::GameSpec game = cm::game::decode_game(input.root, path);
    if (vm.count("print")) std::cout << cm::game::game_to_yaml(game);
    else
      std::cout << path << ": ok: game '" << game.name << "', " << game.sellers.size() << " sellers, "
                << game.sessions << " sessions, " << game.grid.points << "-point price grids\n";
    return kOk;
  }
  const cm::Scenario sc = cm::decode_scenario(input.root);
  for (const auto& warning : cm::event_warnings(sc)) std::cerr << warning << "\n";
  if (vm.count("print")) {
    std::cout << cm::scenario_to_yaml(sc);
    return kOk;
  }
  std::int64_t firms = 0;
  for (const auto& s : sc.segments) firms += s.firms;
  std::cout << path << ": ok: scenario '" << sc.name << "', " << sc.products.size() << " products, "
            << sc.vendors.size() << " vendors, " << sc.segments.size() << " segments, " << firms << " firms, "
            << sc.time.months() << " months from " << cm::to_iso(sc.time.start) << "\n";
  return kOk;
}

// `cloudmarket schema WHAT`: the JSON Schema printed from the loaders' field tables (the files in
// docs/schema are this output), or the output's time series.
int schema_command(const std::vector<std::string>& args) {
  Command cmd("cloudmarket schema WHAT");
  cmd.argument("what", "WHAT",
               "scenario: the JSON Schema (draft-07) of scenario files (schema cloudmarket/1); game: that of game "
               "files (cloudmarket-game/1); output-variables: the time series of a run's output, as JSON "
               "{name: [dimensions]} (docs/scenario.md, \"Editor support\")");
  const auto vm = parse(cmd, args);
  if (vm.count("help")) {
    cmd.print_help(std::cout);
    return kOk;
  }
  const std::string what = vm["what"].as<std::string>();
  if (what == "scenario") {
    std::cout << cm::yaml::json_schema(cm::fields::scenario(),
                                       std::string("cloudmarket scenario (") + cm::kScenarioSchema + ")",
                                       "A scenario file of the cloudmarket simulator (docs/scenario.md). Printed by "
                                       "`cloudmarket schema scenario` from the loader's field tables.");
  } else if (what == "game") {
    std::cout << cm::yaml::json_schema(cm::game::fields::game(),
                                       std::string("cloudmarket game (") + cm::game::kGameSchema + ")",
                                       "A repeated pricing game of the cloudmarket simulator (docs/game.md). Printed "
                                       "by `cloudmarket schema game` from the loader's field tables.");
  } else if (what == "output-variables") {
    std::cout << cm::output_time_series_json(std::filesystem::temp_directory_path().string());
  } else {
    std::string message = "unknown schema '" + what + "': expected scenario, game or output-variables";
    if (auto hint = cm::yaml::did_you_mean(what, {"scenario", "game", "output-variables"}))
      message += " (did you mean '" + *hint + "'?)";
    throw UsageError(message);
  }
  return kOk;
}

// This binary's own path, or "" if the system does not say.
std::string own_path() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return {};
  self[n] = '\0';
  return self;
}

// Where tools/sweep.py and its library are: beside an installed binary (PREFIX/bin/cloudmarket ->
// PREFIX/share/cloudmarket/tools), else in the source tree this binary was built from.
std::string tools_dir() {
  namespace fs = std::filesystem;
  const std::string self = own_path();
  if (!self.empty()) {
    const fs::path installed = fs::path(self).parent_path() / cm::kInstalledToolsDir;
    std::error_code ec;
    if (fs::is_regular_file(installed / "sweep.py", ec)) return installed.lexically_normal().string();
  }
  return cm::kToolsDir;
}

// Debian's interpreter with its python3-* packages, unless CLOUDMARKET_PYTHON names another.
std::string python() {
  const char* chosen = std::getenv("CLOUDMARKET_PYTHON");
  return chosen && *chosen ? chosen : cm::kPython;
}

// Commands written in Python run Debian's python3 on a script of tools/ (same process, so mpirun's
// environment and the exit code carry through), telling it where this binary is.
[[noreturn]] void exec_python(const std::string& script, std::vector<std::string> args, bool tell_binary) {
  const std::string interpreter = python();
  std::vector<std::string> argv{interpreter, tools_dir() + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string self = own_path();
  // The tools ask this binary what its runs write (`schema output-variables`), even when not told --binary.
  if (!self.empty()) setenv("CLOUDMARKET", self.c_str(), 1);
  if (!self.empty() && tell_binary) {
    argv.push_back("--binary");
    argv.push_back(self);
  }
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  execv(interpreter.c_str(), c_argv.data());
  throw std::runtime_error("cannot start " + interpreter + " for " + script + ": " + std::strerror(errno) +
                           " (install Debian's python3, or set CLOUDMARKET_PYTHON to an interpreter with h5py, "
                           "numpy, scipy and yaml)");
}

bool asks_help(const std::vector<std::string>& args) {
  return !args.empty() && (args.front() == "--help" || args.front() == "-h");
}

// `cloudmarket sweep ...` -> tools/sweep.py (verb `run` unless another is named).
int sweep_command(std::vector<std::string> args) {
  static const std::vector<std::string> kVerbs{"run", "plan", "run-one", "status", "collect", "analyze"};
  const bool verb = !args.empty() && std::find(kVerbs.begin(), kVerbs.end(), args.front()) != kVerbs.end();
  const bool help = asks_help(args);
  if (!verb && !help) args.insert(args.begin(), "run");
  exec_python("sweep.py", args, !help);
}

// `cloudmarket check ...` and `cloudmarket calibrate ...` -> tools/calibrate.py.
int calibrate_command(const std::string& verb, std::vector<std::string> args) {
  const bool help = asks_help(args);
  args.insert(args.begin(), verb);
  exec_python("calibrate.py", args, verb == "calibrate" && !help);
}

// `cloudmarket compare ...` -> tools/compare.py, `cloudmarket export ...` -> tools/export.py.
int python_command(const std::string& command, const std::vector<std::string>& args) {
  exec_python(command + ".py", args, command == "compare" && !asks_help(args));
}

// `cloudmarket batch`: runs `cloudmarket run` in a fresh child per request (tools/batch_worker.hpp).
int batch_command(const std::vector<std::string>& args) {
  if (asks_help(args)) {
    std::cout << "usage: cloudmarket batch\n\n"
                 "The worker that `cloudmarket sweep`, `calibrate` and `compare` run their runs through: it\n"
                 "loads the simulator once and forks a fresh child per run, which runs exactly\n"
                 "`cloudmarket run` with the arguments of a request. Requests are lines on stdin, answers\n"
                 "lines on stdout (docs/sweep.md, \"The batch worker\").\n";
    return kOk;
  }
  if (!args.empty()) throw UsageError("takes no arguments (requests come on stdin)");
  return cm::batch::serve([](const std::vector<std::string>& run_args) { return dispatch("run", run_args); });
}

// A command with its arguments, its errors reported and turned into the exit code.
int dispatch(const std::string& command, const std::vector<std::string>& rest) {
  try {
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return kOk;
    }
    if (command == "--version") {
      std::cout << "cloudmarket " << cm::kVersion << " (scenario schema " << cm::kScenarioSchema << ", output schema "
                << cm::kOutputSchema << ")\n"
                << "sweep tools: " << tools_dir() << " (Python: " << python() << ")\n";
      return kOk;
    }
    if (command == "run") return run_command(rest);
    if (command == "validate") return validate_command(rest);
    if (command == "game") return game_command(rest);
    if (command == "sweep") return sweep_command(rest);
    if (command == "check" || command == "calibrate") return calibrate_command(command, rest);
    if (command == "compare" || command == "export") return python_command(command, rest);
    if (command == "schema") return schema_command(rest);
    if (command == "batch") return batch_command(rest);
    std::string message = "unknown command '" + command + "'";
    if (auto hint = cm::yaml::did_you_mean(command, {"run", "validate", "game", "sweep", "check", "calibrate",
                                                      "compare", "export", "schema", "batch"}))
      message += " (did you mean '" + *hint + "'?)";
    std::cerr << "cloudmarket: error: " << message << "\n\n" << kUsage;
    return kInvalidInput;
  } catch (const UsageError& e) {
    std::cerr << "cloudmarket " << command << ": error: " << e.what() << "\n(see cloudmarket " << command
              << " --help)\n";
    return kInvalidInput;
  } catch (const cm::InputError& e) {
    std::cerr << e.what() << "\n";
    return kInvalidInput;
  } catch (const std::exception& e) {
    std::cerr << "cloudmarket " << command << ": error: " << e.what() << "\n";
    return kFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) {
    std::cerr << kUsage;
    return kInvalidInput;
  }
  return dispatch(all.front(), std::vector<std::string>(all.begin() + 1, all.end()));
}
