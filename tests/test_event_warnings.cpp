// validate's warnings for configurations that would undo a price_change event within its month.
#include <catch2/catch.hpp>

#include "sim/event_warnings.hpp"
#include "sim/scenario_loader.hpp"

using namespace cm;

namespace {
const std::string kSmall = std::string(CM_SOURCE_DIR) + "/tests/scenarios/small.yaml";

std::vector<std::string> warnings_for(const std::string& pricing, const std::string& events) {
  return event_warnings(load_scenario(kSmall, {"vendors.alpha.pricing=" + pricing, "events=" + events}));
}

const std::string kCut = "{type: price_change, at: 2023-02-01, vendor: alpha, product: iaas_cpu, change: -0.1";
}  // namespace

TEST_CASE("validate warns when an event would be undone within its month, and only then", "[event_warnings]") {
  const std::string cost_plus = "{strategy: cost_plus, markup: 0.3, review_every: 1 month}";
  // cost_plus re-bases at the event: reviews in the month no longer undo it.
  CHECK(warnings_for(cost_plus, "[" + kCut + "}]").empty());
  CHECK(warnings_for(cost_plus, "[" + kCut + ", for: 1 month}]").empty());
  // A hold that ends inside the month.
  auto w = warnings_for(cost_plus, "[" + kCut + ", for: 2 weeks}]");
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::StartsWith("<--set events=") && Catch::Contains(": warning: ") &&
                       Catch::Contains("holds for only 14 days"));
  // A later event of the same product in the month replaces it (and the later one is fine).
  w = warnings_for(cost_plus, "[" + kCut + "}, {type: price_change, at: 2023-02-20, vendor: alpha, "
                                           "product: iaas_cpu, price: 0.05}]");
  REQUIRE(w.size() == 1);
  CHECK_THAT(w[0], Catch::Contains("replaced by the price_change of 2023-02-20"));
  // A regime switch later in the month: a fresh rule undoes it, `fixed` keeps it.
  CHECK(warnings_for("[" + cost_plus + ", {from: 2023-02-15, strategy: undercut}]", "[" + kCut + "}]").size() == 1);
  CHECK(warnings_for("[" + cost_plus + ", {from: 2023-02-15, strategy: fixed}]", "[" + kCut + "}]").empty());
  CHECK(warnings_for("[" + cost_plus + ", {from: 2023-03-01, strategy: undercut}]", "[" + kCut + "}]").empty());
  // A scheduled absolute price later in the month undoes it; a relative step applies on top.
  const std::string absolute = "{strategy: scheduled, schedule: [{at: 2023-02-10, price: 0.06}]}";
  const std::string relative = "{strategy: scheduled, schedule: [{at: 2023-02-10, change: -0.5}]}";
  CHECK(warnings_for(absolute, "[" + kCut + "}]").size() == 1);
  CHECK(warnings_for(relative, "[" + kCut + "}]").empty());
}
