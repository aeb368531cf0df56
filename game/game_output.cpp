#include "game/game_output.hpp"

#include <limits>
#include <numeric>

#include "output/cf_metadata.hpp"
#include "output/netcdf_file.hpp"
#include "game/game_names.hpp"
#include "version.hpp"

namespace cm::game {

using output::Attr;
using output::DType;
using output::NetcdfFile;

namespace {

constexpr std::int64_t kMaxGreedyStates = 100'000;       // states per table written
constexpr double kMaxGreedyEntries = 5e7;                // sessions x sellers x states

std::vector<Attr> described(const std::string& units, const std::string& long_name) {
  return {{"units", units}, {"long_name", long_name}};
}

// A per-session value gathered from every session.
template <class T, class Get>
std::vector<T> each(const std::vector<SessionResult>& sessions, Get get) {
  std::vector<T> out;
  for (const auto& r : sessions) {
    const auto value = get(r);
    if constexpr (std::is_arithmetic_v<decltype(value)>) out.push_back(T(value));
    else out.insert(out.end(), value.begin(), value.end());
  }
  return out;
}

}  // namespace

bool writes_greedy(const GameSetup& game) {
  return game.states > 1 && game.states <= kMaxGreedyStates &&
         double(game.spec.sessions) * game.n * double(game.states) <= kMaxGreedyEntries;
}

void write_game(const std::string& path, const GameSetup& game, const std::vector<SessionResult>& sessions,
                const std::string& resolved_yaml) {
  const GameSpec& spec = game.spec;
  const std::string& units = spec.units;
  NetcdfFile f(path);
  output::write_cf_globals(f, "cloudmarket pricing game '" + spec.name + "'",
                           "cloudmarket game " + spec.name + " seed " + std::to_string(spec.seed),
                           "Prices and profits are in the game's units, " + units +
                               " (the attribute price_units): a UDUNITS-2 unit, or an ISO 4217 code read as 1 to "
                               "parse the rest. Profits are per period of the repeated game. See docs/output.md, "
                               "\"Units\".");
  f.attribute("", {"schema", std::string(kGameOutputSchema)});
  f.attribute("", {"cloudmarket_version", std::string(kVersion)});
  f.attribute("", {"game", spec.name});
  f.attribute("", {"game_yaml", resolved_yaml});
  f.attribute("", {"seed", std::int64_t(spec.seed)});
  f.attribute("", {"sessions", std::int64_t(spec.sessions)});
  f.attribute("", {"moves", name_of(spec.moves)});
  f.attribute("", {"memory", std::int64_t(game.memory)});
  f.attribute("", {"grid_points", std::int64_t(game.m)});
  f.attribute("", {"demand", name_of(spec.demand.model)});
  f.attribute("", {"price_units", units});

  std::vector<std::string> ids;
  for (const auto& s : spec.sellers) ids.push_back(s.id);
  f.label_dimension("", "seller", ids, {{"long_name", std::string("seller")}});
  auto indices = [](std::int64_t n) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), std::int64_t(0));
    return v;
  };
  f.index_dimension("", "session", indices(spec.sessions), described("1", "session (independently seeded)"));
  f.index_dimension("", "price_level", indices(game.m), described("1", "point of the price grid, 0 = lowest price"));
  f.index_dimension("", "tau", indices(spec.impulse.periods + 2),
                    described("1", "periods since the impulse: 0 before the deviation, 1 the deviation"));

  // can_be_nan: _FillValue NaN marks the values that are undefined (a profit gain when the monopoly
  // and Nash profits are equal).
  auto whole = [&](const std::string& name, const std::vector<std::string>& dims, const std::vector<double>& v,
                   const std::string& u, const std::string& long_name, bool can_be_nan = false) {
    auto a = described(u, long_name);
    if (can_be_nan) a.push_back({"_FillValue", std::numeric_limits<double>::quiet_NaN()});
    f.write_whole(f.variable("", name, dims, DType::f64, a), v);
  };
  auto whole_int = [&](const std::string& name, const std::vector<std::string>& dims,
                       const std::vector<std::int64_t>& v, const std::string& long_name) {
    f.write_whole(f.variable("", name, dims, DType::i64, described("1", long_name)), v);
  };

  std::vector<double> cost, grid;
  for (int i = 0; i < game.n; ++i) {
    cost.push_back(game.stage.marginal_cost(i));
    grid.insert(grid.end(), game.grid[std::size_t(i)].begin(), game.grid[std::size_t(i)].end());
  }
  whole("marginal_cost", {"seller"}, cost, units, "marginal cost");
  whole("price_grid", {"seller", "price_level"}, grid, units, "prices a learner can set");
  whole("nash_price", {"seller"}, game.nash_price, units, "static Bertrand-Nash equilibrium price");
  whole("nash_profit", {"seller"}, game.nash_profit, units, "profit per period at the Nash prices");
  whole("monopoly_price", {"seller"}, game.monopoly_price, units, "price maximising the sellers' joint profit");
  whole("monopoly_profit", {"seller"}, game.monopoly_profit, units, "profit per period at the monopoly prices");
  whole("random_profit_gain", {}, {game.random_profit_gain}, "1",
        "profit gain of prices drawn uniformly from the grids every period", true);

  whole_int("converged", {"session"}, each<std::int64_t>(sessions, [](const auto& r) { return r.converged; }),
            "1 when every greedy policy stayed unchanged for the convergence window, else 0 (period cap)");
  whole_int("periods", {"session"}, each<std::int64_t>(sessions, [](const auto& r) { return r.periods; }),
            "periods played while learning");
  whole_int("converged_at", {"session"}, each<std::int64_t>(sessions, [](const auto& r) { return r.converged_at; }),
            "periods played when the final greedy policies were in place");
  whole_int("cycle_length", {"session"}, each<std::int64_t>(sessions, [](const auto& r) { return r.cycle_length; }),
            "periods of the greedy play's limit cycle (0: no cycle found)");
  whole("price", {"session", "seller"}, each<double>(sessions, [](const auto& r) { return r.price; }), units,
        "mean price over the limit cycle");
  whole("profit", {"session", "seller"}, each<double>(sessions, [](const auto& r) { return r.profit; }), units,
        "mean profit per period over the limit cycle");
  whole("profit_gain", {"session", "seller"}, each<double>(sessions, [](const auto& r) { return r.profit_gain; }),
        "1", "profit gain (profit - Nash profit) / (monopoly profit - Nash profit)", true);
  whole("mean_profit_gain", {"session"}, each<double>(sessions, [](const auto& r) { return r.mean_profit_gain; }),
        "1", "profit gain of the sellers' mean profit", true);

  const std::string deviator = ids[std::size_t(spec.impulse.deviator)];
  auto impulse = described(units, "price after " + deviator + " deviates to its static best reply at tau 1");
  impulse.push_back({"deviator", deviator});
  f.write_whole(f.variable("", "impulse_price", {"session", "tau", "seller"}, DType::f64, impulse),
                each<double>(sessions, [](const auto& r) { return r.impulse_price; }));
  whole("impulse_profit", {"session", "tau", "seller"},
        each<double>(sessions, [](const auto& r) { return r.impulse_profit; }), units, "profit with the deviation");
  whole("baseline_profit", {"session", "tau", "seller"},
        each<double>(sessions, [](const auto& r) { return r.baseline_profit; }), units,
        "profit in the same periods without the deviation");
  whole("deviation_gain", {"session"}, each<double>(sessions, [](const auto& r) { return r.deviation_gain; }), units,
        "deviator's discounted profit over tau >= 1, with the deviation minus without (< 0: it did not pay)");
  whole("punishment", {"session"}, each<double>(sessions, [](const auto& r) { return r.punishment; }), units,
        "deviator's profit over tau >= 2, with the deviation minus without (< 0: it was punished)");

  if (writes_greedy(game) && !sessions.empty() && !sessions.front().greedy.empty()) {
    f.index_dimension("", "state", indices(game.states),
                      described("1", "state: every seller's grid level in each remembered period"));
    std::vector<std::int64_t> lags(static_cast<std::size_t>(game.memory));
    std::iota(lags.begin(), lags.end(), std::int64_t(1));
    f.index_dimension("", "lag", lags, described("1", "periods ago"));
    // state = sum over lags l (1 = last period) and sellers i of level * m^((l - 1) n + i)
    std::vector<std::int64_t> level;
    for (std::int64_t s = 0; s < game.states; ++s) {
      std::int64_t rest = s;
      for (int lag = 0; lag < game.memory; ++lag)
        for (int i = 0; i < game.n; ++i) {
          level.push_back(rest % game.m);
          rest /= game.m;
        }
    }
    whole_int("state_level", {"state", "lag", "seller"}, level, "grid level of the seller's price in that period");
    whole_int("greedy_level", {"session", "seller", "state"},
              each<std::int64_t>(sessions, [](const auto& r) { return r.greedy; }),
              "learnt greedy price level in each state (-1: the seller does not learn)");
  }
  f.close();
}

}  // namespace cm::game
