// The order in which a vendor's pricing of one product acts: regime switches, its price_change
// events and the end of their holds, and the reviews of the regime in force.
#include <catch2/catch.hpp>

#include "agents/pricing_timeline.hpp"
#include "sim/scenario_loader.hpp"

using namespace cm;

namespace {
const std::string kSmall = std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml";

struct Seen {
  std::string date;
  PricingStep::Kind kind;
  std::size_t index;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> steps_of(const Scenario& sc, std::size_t vendor, std::size_t product) {
  const Calendar calendar(sc.time.start);
  std::vector<Seen> out;
  for (const auto& s : pricing_timeline(sc, vendor, product, calendar, calendar.month_start_seconds(sc.time.months())))
    out.push_back({to_iso(calendar.date_at(s.seconds)), s.kind, s.index});
  return out;
}
}  // namespace

TEST_CASE("a pricing timeline switches regimes, applies events and resumes after their hold", "[pricing_timeline]") {
  using K = PricingStep::Kind;
  const Scenario sc = load_scenario(
      kSmall, {"vendors.alpha.pricing=[{strategy: undercut, review_every: 1 month},"
               " {from: 2023-03-15, strategy: cost_plus, review_every: 3 months}, {from: 2023-11-01, strategy: fixed}]",
               "events=[{type: price_change, at: 2023-02-01, vendor: alpha, product: iaas_cpu, change: -0.1, for: 10 days},"
               " {type: price_change, at: 2023-03-15, vendor: alpha, product: iaas_cpu, price: 0.02, for: 2 months},"
               " {type: price_change, at: 2023-06-01, vendor: alpha, product: iaas_cpu, price: 0.03, for: 1 year},"
               " {type: price_change, at: 2023-02-01, vendor: beta, product: iaas_cpu, price: 0.01}]"});
  const std::vector<Seen> want = {
      {"2023-01-01", K::review, 0},
      {"2023-02-01", K::event, 0},   // the event first, then the review of the same instant
      {"2023-02-01", K::review, 0},
      {"2023-02-11", K::resume, 0},  // the hold ends after `for:`: the rule resumes at once
      {"2023-02-11", K::review, 0},
      {"2023-03-01", K::review, 0},
      {"2023-03-15", K::regime, 1},  // the fresh strategy reviews at its switch (no separate review)
      {"2023-03-15", K::event, 1},
      {"2023-05-15", K::resume, 1},
      {"2023-05-15", K::review, 1},
      {"2023-06-01", K::event, 2},   // its hold (1 year) ends at the next regime instead
      {"2023-06-15", K::review, 1},
      {"2023-09-15", K::review, 1},
      {"2023-11-01", K::regime, 2},  // fixed: no reviews after its switch
  };
  CHECK(steps_of(sc, 0, 0) == want);
  // The other product follows the vendor's schedule too, without the events.
  CHECK(steps_of(sc, 0, 1).size() == 2 + 5);
  // A vendor without a schedule: only its own event.
  CHECK(steps_of(sc, 1, 0) == std::vector<Seen>{{"2023-02-01", K::event, 3}});
}

TEST_CASE("a product's own schedule replaces its vendor's", "[pricing_timeline]") {
  const Scenario sc = load_scenario(
      kSmall, {"vendors.alpha.pricing=[{strategy: undercut}, {from: 2023-06-01, strategy: cost_plus, markup: 0.5}]",
               "vendors.alpha.products.saas.pricing=[{from: 2022-01-01, strategy: fixed},"
               " {from: 2023-02-01, strategy: match_lowest}]"});
  const Vendor& alpha = sc.vendors[0];
  REQUIRE(alpha.later_pricing_of(0).size() == 1);
  CHECK(alpha.later_pricing_of(0)[0].pricing.strategy == PricingRule::cost_plus);
  CHECK(*alpha.later_pricing_of(0)[0].pricing.markup == 0.5);
  CHECK(alpha.pricing_of(1).strategy == PricingRule::fixed);
  REQUIRE(alpha.later_pricing_of(1).size() == 1);
  CHECK(alpha.later_pricing_of(1)[0].pricing.strategy == PricingRule::match_lowest);
  CHECK(alpha.later_pricing_of(1)[0].from == Date{2023, 2, 1});
  // The resolved scenario reads back the same.
  const std::string printed = scenario_to_yaml(sc);
  CHECK(printed.find("from: 2023-02-01") != std::string::npos);
}
