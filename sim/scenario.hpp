#pragma once
// The typed scenario (schema cloudmarket/1): what load_scenario() fills from YAML after
// validation. Every field's unit, default and range is documented in docs/scenario.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/calendar.hpp"

namespace cm {

enum class ProductKind { compute, platform, model, software };
enum class OutputPeriod { month, quarter, year };
enum class BudgetDistribution { lognormal, pareto };
enum class PricingRule { fixed, cost_plus };

struct Product {
  std::string id;
  std::string unit;  // what one unit is: vcpu_hour, gpu_hour, million_tokens, seat_month...
  ProductKind kind = ProductKind::compute;
};

struct TimeSpec {
  Date start{2023, 1, 1};
  int years = 5;
  OutputPeriod output_period = OutputPeriod::month;
  int months() const { return 12 * years; }
};

// A vendor's data centre: one SimGrid host whose speed is its compute capacity.
struct Datacenter {
  std::string id;
  double flops = 0;  // FLOP/s
};

// A vendor's offer of one product line.
struct Offer {
  double price = 0;              // currency per unit
  double unit_cost = 0;          // currency per unit, at the start
  double capacity = 0;           // units per month
  double cost_trend = 0;         // fractional change of unit cost per year (-0.1: 10% cheaper a year)
};

struct Pricing {
  PricingRule strategy = PricingRule::fixed;
  Duration review_every{3, 0};   // cadence of price reviews
  // cost_plus: price = unit_cost * (1 + markup); without a markup each product keeps the markup
  // its initial price has over its initial unit cost.
  std::optional<double> markup;
};

struct Vendor {
  std::string id;
  std::string region = "global";
  double initial_share = 0;          // share of cloud spend at the start, fraction
  double cash = 0;                   // currency at the start
  double fixed_cost_per_month = 0;   // currency per month (opex not tied to volume)
  std::vector<Datacenter> datacenters;
  std::vector<Offer> offers;         // indexed like Scenario::products
  Pricing pricing;
};

struct Budget {
  BudgetDistribution distribution = BudgetDistribution::lognormal;
  double median = 0;   // lognormal: currency per year
  double sigma = 1.0;  // lognormal: std. dev. of log budget
  double minimum = 0;  // pareto: currency per year
  double alpha = 1.5;  // pareto: tail index (> 1 for a finite mean)
};

struct Segment {
  std::string id;
  std::int64_t firms = 0;
  Budget budget;                    // annual budget for the computing the products serve
  double growth = 0;                // budget growth per year, fraction (CAGR)
  std::vector<double> spend_shares; // by product, sums to 1
  double price_sensitivity = 1.0;   // alpha_s: utility per unit of price index
  double switching_cost = 0;        // lambda_s: utility bonus of the current supplier
  int contract_months = 12;         // renewals are staggered evenly over this cycle
  double cloud_adoption = 0.5;      // fraction of firms on a cloud at the start
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  TimeSpec time;
  std::string currency = "USD";
  std::vector<Product> products;
  std::vector<Vendor> vendors;
  std::vector<Segment> segments;
};

// Bounds that keep any scenario's memory and run time finite (validated on load).
namespace limits {
inline constexpr int kMaxYears = 100;
inline constexpr std::size_t kMaxProducts = 64;
inline constexpr std::size_t kMaxVendors = 256;
inline constexpr std::size_t kMaxSegments = 256;
inline constexpr std::size_t kMaxDatacenters = 64;
inline constexpr std::int64_t kMaxFirmsTotal = 50'000'000;
inline constexpr int kMaxContractMonths = 120;
}  // namespace limits

}  // namespace cm
