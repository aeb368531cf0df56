// `make bench` helper: nanoseconds per contract-renewal decision, on a scenario's population (no
// SimGrid), two ways over the same months and firms:
//   market    EnterpriseMarket::renew, as a run calls it: per segment-month a renewal table, a stream
//             and a block tally, then the fused choose-and-tally pass (agents/renewal.cpp);
//   tight     the same algorithm written as one bare loop from the same headers (Philox words, the
//             table's branch-free choice, the tally's additions), tables built outside the clock.
// Prints both, and their ratio: how far the simulator's renewal is from the limit of its algorithm.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "agents/renewal.hpp"
#include "agents/world.hpp"
#include "sim/scenario_loader.hpp"

using namespace cm;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Tight {
  std::vector<double> budget, ai_budget;
  std::vector<std::int64_t> primary, contracts;
  std::int64_t moved = 0;
};

// One segment-month of renewals as a bare loop: what renew_block does, without its structures.
void renew_tight(Population& pop, std::size_t begin, std::size_t end, std::size_t first, const RenewalTable& table,
                 const RandomStream& stream, int month, Tight& t) {
  const std::size_t options = table.options();
  for (std::size_t i = begin; i < end;) {
    const std::size_t k = i - first;
    const auto words = stream.bits(k / 4, std::uint64_t(month));
    const std::size_t last = std::min(end, i + (4 - k % 4));
    for (std::size_t w = k % 4; i < last; ++i, ++w) {
      const Supplier before = pop.supplier[i];
      const Supplier after = table.choose(before, RandomStream::to_open_unit(words[w]));
      pop.supplier[i] = after;
      t.moved += (before == kOnPremises) != (after == kOnPremises);
      const double budget = pop.base_budget[i], ai = pop.adopted[i] ? budget : 0.0;
      t.primary[after] += 1;
      if (!pop.multi_cloud[i] || after == kOnPremises) {
        t.budget[after] += budget;
        t.ai_budget[after] += ai;
        t.contracts[after] += 1;
      } else {
        const auto split = table.split(after);
        for (std::size_t j = 1; j < options; ++j) {
          t.budget[j] += budget * split[j];
          t.ai_budget[j] += ai * split[j];
          t.contracts[j] += split[j] >= kContractShare;
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: bench_renewal SCENARIO [MONTHS]\n");
    return 2;
  }
  const Scenario sc = load_scenario(argv[1]);
  const int months = argc == 3 ? std::stoi(argv[2]) : 120;
  const World world(sc);
  // The opening month's choice sets: opening prices, every vendor in, no shocks.
  const SupplyConditions opening{world.prices.in_force(world.month_start(0)), std::vector<char>(sc.vendors.size(), 1),
                                 {}, {}, 0, {}, {}};
  const auto sets = world.market.choice_sets(opening);

  // Best of three passes over the months, each from the same starting population.
  double market_s = 1e300, tight_s = 1e300;
  std::int64_t decisions = 0, sink = 0;
  for (int pass = 0; pass < 3; ++pass) {
    EnterpriseMarket market = world.market;
    const std::int64_t before = market.decisions();
    const auto start = Clock::now();
    for (int m = 1; m <= months; ++m) market.renew(m, sets);
    market_s = std::min(market_s, seconds_since(start));
    decisions = market.decisions() - before;

    Population pop = world.market.population();
    std::vector<RenewalTable> tables;
    std::vector<RandomStream> streams;
    for (std::size_t s = 0; s < sc.segments.size(); ++s) {
      tables.emplace_back(sets[s], sc.segments[s].switching_cost);
      streams.emplace_back(sc.seed, "segment:" + sc.segments[s].id, "renewal");
    }
    const std::size_t options = world.market.options();
    Tight t{std::vector<double>(options), std::vector<double>(options), std::vector<std::int64_t>(options),
            std::vector<std::int64_t>(options)};
    const auto tight_start = Clock::now();
    for (int m = 1; m <= months; ++m)
      for (std::size_t s = 0; s < sc.segments.size(); ++s) {
        const SegmentBlocks& b = pop.segments[s];
        const int phase = m % b.phases();
        renew_tight(pop, b.phase_begin[phase], b.phase_begin[phase + 1], b.begin, tables[s], streams[s], m, t);
      }
    tight_s = std::min(tight_s, seconds_since(tight_start));
    sink += t.moved + t.primary[0];
    // Same algorithm, same draws: the two must agree firm by firm.
    if (pop.supplier != market.population().supplier) {
      std::fprintf(stderr, "bench_renewal: the tight loop and the market chose differently\n");
      return 1;
    }
  }
  const double market_ns = 1e9 * market_s / double(decisions), tight_ns = 1e9 * tight_s / double(decisions);
  std::printf("renewal decisions: %lld over %d months\n", static_cast<long long>(decisions), months);
  std::printf("market: %.2f ns per decision\ntight: %.2f ns per decision\nratio: %.3f\n", market_ns, tight_ns,
              market_ns / tight_ns);
  return sink == -1;  // keeps the tight loop's results alive
}
