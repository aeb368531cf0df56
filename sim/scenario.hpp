#pragma once
// The typed scenario (schema cloudmarket/1): what load_scenario() fills from YAML after
// validation. Every field's unit, default and range is documented in docs/scenario.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/dated_parameter.hpp"
#include "sim/diagnostic.hpp"

namespace cm {

enum class ProductKind { compute, platform, model, software };
enum class OutputPeriod { month, quarter, year };
enum class BudgetDistribution { lognormal, pareto };
enum class AiStrategy { none, open_ecosystem, vertical, hybrid };
enum class PricingRule { fixed, cost_plus, match_lowest, undercut, best_response, q_learning, scheduled, dynamic_best_response };

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

// One dated step of a `scheduled` price path: a relative change or an absolute price.
struct ScheduledPrice {
  Date at;
  std::optional<double> change;  // fraction: -0.85 cuts the price by 85%
  std::optional<double> price;   // currency per unit
};

// Tabular Q-learning over a grid of prices between unit_cost*(1+min_markup) and
// unit_cost*(1+max_markup); state = last period's prices of all vendors on the grid.
struct QLearning {
  int levels = 11;               // price grid points
  double min_markup = 0.0;
  double max_markup = 1.0;
  double learning_rate = 0.15;   // alpha
  double discount = 0.95;        // delta
  double exploration_decay = 0.05;  // beta: epsilon = exp(-beta * review)
};

struct Pricing {
  PricingRule strategy = PricingRule::fixed;
  Duration review_every{3, 0};    // cadence of price reviews
  Duration reaction_delay{1, 0};  // rivals' prices are seen as they were this long ago
  // cost_plus: price = unit_cost * (1 + markup); without a markup each product keeps the markup
  // its initial price has over its initial unit cost.
  std::optional<double> markup;
  double undercut = 0.05;         // undercut: price = lowest rival price * (1 - undercut)
  double min_margin = 0.0;        // match_lowest, undercut, best_response: price >= unit_cost * (1 + min_margin)
  QLearning q_learning;
  // dynamic_best_response: the vendor discounts profit at this yearly rate over this horizon.
  double discount_rate = 0.10;    // fraction per year
  Duration horizon{60, 0};        // whole months
  std::vector<ScheduledPrice> schedule;  // scheduled: dated steps, in date order
};

// A later regime of a strategy schedule: from `from` on, a fresh strategy with these parameters
// (docs/scenario.md, "Strategy schedules"). The first regime, in force from the start, is the
// `Pricing` itself; `PricingRegime`s follow it in strictly increasing date order.
struct PricingRegime {
  Date from;
  Pricing pricing;
};

// A vendor's offer of one product line.
struct Offer {
  double price = 0;              // currency per unit
  double unit_cost = 0;          // currency per unit, at the start
  double capacity = 0;           // units per month, at the start (with opening_utilization: set by the World)
  double cost_trend = 0;         // fractional change of unit cost per year from input prices
  double learning_rate = 0;      // Wright's law: fractional unit-cost fall per doubling of cumulative output
  double initial_experience = 0; // units produced before the start (0: twelve months of capacity)
  double capex_per_unit = 0;     // currency per unit of monthly capacity added
  double opening_utilization = 0;  // > 0: capacity = enterprises' opening demand / this (sized to the market)
  std::optional<Pricing> pricing{};  // this product's pricing, if not the vendor's
  std::vector<PricingRegime> later_pricing{};  // with `pricing`: its later regimes
  DatedFields dated{};            // schedules of its datable keys (cost_trend)
};

// How a vendor adds capacity: each month it orders what it needs to serve the demand it expects
// when the order arrives at its target utilisation.
struct CapacityPolicy {
  double target_utilization = 0.8;  // fraction
  Duration lead_time{6, 0};         // from order to capacity in service (whole months)
  double life_years = 5;            // straight-line depreciation of capex
};

// How an investor (a vendor or an independent fund) answers a startup's funding round with a
// term sheet. A vendor's term sheets pay part of the amount as cloud credits and may commit the
// startup to spend on its cloud: the "investment for compute" deal.
// Money an investor may invest from a date on (venture capital is raised in funds of a vintage);
// uninvested money carries on.
struct CapitalTranche {
  Date at;
  double amount = 0;           // currency
};

struct InvestmentPolicy {
  // Dated capital (`capital:`, or `budget:` as one tranche at the scenario's start).
  std::vector<CapitalTranche> capital;
  double total_capital() const {
    double sum = 0;
    for (const auto& t : capital) sum += t.amount;
    return sum;
  }
  double max_ticket = 0;       // currency per deal; 0: up to the budget
  double credit_share = 0;     // fraction of the amount paid as credits on the investor's cloud (vendors only)
  double commitment = 0;       // spend the startup commits on the investor's cloud, as a multiple of the amount
  bool exclusive = false;      // the startup must train and be hosted only on the investor's cloud
  Duration duration{24, 0};    // how long credits and the commitment last
  // How it weighs a deal (agents/investor_value.hpp, docs/model.md "Funding rounds and deals").
  double cost_of_capital = 0.1;  // vendors: discount rate, fraction per year
  double hurdle_rate = 0.25;     // funds: the return a stake must clear, fraction per year
  double failure_hazard = 0.15;  // prior yearly hazard that a startup it backs fails, per year
  double exit_years = 5;         // years from a deal to the exit its stake is valued at
};

// A vendor's own accelerator programme (Trainium/Inferentia, TPU, Ascend; docs/model.md, "Chip
// programmes"): dated R&D spend that, `lag` months later, lowers the unit cost and capex of its
// GPU product and lets it build GPU capacity with its own chips, which export controls do not cut.
struct RdSpendStep {
  Date from;              // in force from this date's month on
  double per_month = 0;   // currency per month
};
struct ChipProgramme {
  std::vector<RdSpendStep> rd_spend;  // in strictly increasing date order; before the first: 0
  double rd_before_start = 0;         // currency spent before the start (already past the lag)
  Duration lag{24, 0};                // from spend to capability, whole months (0 allowed)
  double rd_scale = 1e10;             // currency: lagged R&D that reaches 1 - 1/e of full capability
  double max_saving = 0.4;            // fraction of GPU unit cost and capex saved at full capability
  double supply_per_month = 0;        // units of monthly GPU capacity a month at full capability
  double markup = 0.2;                // fraction over its own capex per unit when selling to region rivals
};

struct Vendor {
  std::string id;
  std::string region = "global";
  double initial_share = 0;          // share of cloud spend at the start, fraction
  double cash = 0;                   // currency at the start
  double fixed_cost_per_month = 0;   // currency per month (opex not tied to volume)
  std::vector<Datacenter> datacenters;
  std::vector<Offer> offers;         // indexed like Scenario::products
  Pricing pricing;                   // default for every product (its first regime)
  std::vector<PricingRegime> later_pricing;  // the default's later regimes, in date order
  std::optional<CapacityPolicy> capacity_policy;  // none: capacity stays as given
  Duration exit_after{12, 0};        // exits when its cash has been negative this long
  AiStrategy ai_strategy = AiStrategy::none;  // which models its marketplace hosts
  double revenue_share = 0.3;        // fraction of model (MaaS) revenue the vendor keeps; the rest goes to the model's startup
  std::optional<InvestmentPolicy> investment;  // none: it does not invest
  std::optional<ChipProgramme> chip_programme;  // none: it buys its accelerators
  DatedFields dated{};                // schedules of its datable keys (fixed_cost_per_month)
  const Pricing& pricing_of(std::size_t product) const {
    return offers[product].pricing ? *offers[product].pricing : pricing;
  }
  // The regimes after the first (pricing_of) for this product: a product's own pricing replaces
  // the vendor's whole schedule.
  const std::vector<PricingRegime>& later_pricing_of(std::size_t product) const {
    return offers[product].pricing ? offers[product].later_pricing : later_pricing;
  }
  // Every regime of this product's pricing in date order, the first dated `start`.
  std::vector<PricingRegime> regimes_of(std::size_t product, Date start) const {
    std::vector<PricingRegime> regimes{{start, pricing_of(product)}};
    const auto& later = later_pricing_of(product);
    regimes.insert(regimes.end(), later.begin(), later.end());
    return regimes;
  }
};

struct Budget {
  BudgetDistribution distribution = BudgetDistribution::lognormal;
  double median = 0;   // lognormal: currency per year
  double sigma = 1.0;  // lognormal: std. dev. of log budget
  double minimum = 0;  // pareto: currency per year
  double alpha = 1.5;  // pareto: tail index (> 1 for a finite mean)
};

// AI adoption by Bass diffusion: hazard (p + q F) per year for a firm that has not adopted, F the
// adopted fraction of the segment. Adopters add AI spend on the listed products.
struct AiAdoption {
  double p = 0.01;                    // innovation, per year
  double q = 0.4;                     // imitation, per year
  double initial = 0;                 // fraction adopted at the start
  double spend_share = 0.05;          // AI spend as a fraction of the firm's budget, at the start
  std::vector<double> product_shares; // by product, sums to 1: how AI spend splits over products
  double demand_growth = 0;           // yearly growth of adopters' AI spend (model quality, new uses)
  DatedFields dated{};                 // schedules of its datable keys (p, q, demand_growth)
};

// The on-premises option's own cost path and the cost of leaving a cloud for it (docs/model.md,
// "On-premises and repatriation"). The defaults keep on-premises at utility 0 for ever.
struct OnPremises {
  double cost_level = 1.0;           // on-premises running cost at the start relative to the segment's cloud price index
  double hardware_share = 0.5;       // fraction of that cost that is hardware (the rest: staff, power, space)
  double hardware_trend = 0;         // fractional change of hardware cost per year
  double staff_trend = 0;            // fractional change of the other costs per year
  double repatriation_cost = 0;      // utility a firm on a cloud pays to move on-premises (units of switching_cost)
  double discretionary_share = 0;    // fraction of the cloud bill weighed against the shocked budget (1/b)
  DatedFields dated{};               // schedules of its datable keys (the trends, repatriation_cost, discretionary_share)
};

struct Segment {
  std::string id;
  std::string region = "global";    // home market
  bool domestic_only = false;       // may buy only from vendors of its own region
  std::int64_t firms = 0;
  Budget budget;                    // annual budget for the computing the products serve
  double growth = 0;                // budget growth per year, fraction (CAGR)
  std::vector<double> spend_shares; // by product, sums to 1
  double price_sensitivity = 1.0;   // alpha_s: utility per unit of price index
  double switching_cost = 0;        // lambda_s: utility bonus of the current supplier
  int contract_months = 12;         // renewals are staggered evenly over this cycle
  double cloud_adoption = 0.5;      // fraction of firms on a cloud at the start
  double price_elasticity = 1.0;    // constant elasticity of quantity to price (1: fixed spend shares)
  double nesting = 1.0;             // mu in (0, 1]: correlation of clouds in the nested logit (1: plain logit)
  std::optional<double> multi_cloud_threshold;  // currency per year: larger firms split spend over clouds
  std::optional<AiAdoption> ai_adoption;
  OnPremises on_premises;
  DatedFields dated{};               // schedules of its datable keys (growth, price_sensitivity, ...)
};

// An AI-model startup (an S4U actor): it trains models on a vendor's hosts, earns from the
// enterprises' model demand through the marketplaces that host it, burns cash, raises rounds when
// its runway is short, and fails when its cash runs out.
struct Startup {
  std::string id;
  std::string region = "global";
  std::optional<std::size_t> owner;    // vendor that owns it (an in-house lab); none: independent
  double cash = 0;                     // currency
  double burn_per_month = 0;           // currency per month besides compute
  double training_flops = 1e22;        // cumulative training compute at the start, FLOP (sets quality)
  // Training is planned from money and expected earnings (agents/training_plan.hpp): a run buys
  // GPU-hours for run_months months, sized against plan_horizon_months of expected API revenue.
  double run_months = 3;               // months a training run rents its cluster for
  double plan_horizon_months = 24;     // months of expected API revenue a run's quality gain is weighed over
  std::size_t trains_on = 0;           // vendor whose hosts run its training
  double runway_months = 6;            // opens a round when cash covers fewer months of spending
  double round_months = 24;            // a round asks for this many months of spending
  double valuation = 1e9;              // pre-money valuation at its first round, currency
  std::optional<double> api_price;     // currency per million tokens; none: the hosting vendor's list price
  // How it sets its API price (same schema as a vendor's); fixed: api_price never changes.
  // Needs api_price, the starting price, unless fixed.
  Pricing pricing;
  // Open-weight model: every marketplace hosts it at the host's own list price, nobody pays the
  // owner for it; its quality still follows the owner's training.
  bool open_weight = false;
  DatedFields dated{};                  // schedules of its datable keys (burn_per_month)
};

// An independent venture investor: cash only, no cloud.
struct Investor {
  std::string id;
  InvestmentPolicy policy;
};

struct MarketRules {
  // What a firm pays per unit a vendor cannot deliver, as a fraction above the reference price
  // (agents/rationing.hpp): rationing enters the price index instead of a utility penalty.
  double scarcity_premium = 1.0;
  // Models: quality = quality_per_decade * log10(cumulative training FLOP / 1e21).
  double quality_per_decade = 0.5;
  double model_choice_quality = 2.0;     // logit weight of quality when adopters pick among hosted models
  double model_choice_price = 1.0;       // logit weight of a model's API price relative to the vendor's list price
  double ecosystem_weight = 0.3;         // utility per log(1 + models hosted), times the segment's AI adoption
  double model_quality_weight = 0.5;     // utility per unit of the best hosted model's quality, times AI adoption
  double bundle_weight = 0.5;            // vertical/hybrid: utility per unit of partner-model quality, times SaaS share
  double flops_per_gpu_hour = 4.5e17;    // useful FLOP in one GPU-hour (A100-class at 40% utilisation)
  double flops_per_million_tokens = 3.5e17;  // inference FLOP per million tokens (2 x 175e9 parameters)
  // Fraction of adopters' spend on model products bought from any vendor's marketplace (a logit on
  // the model offer), not from the firm's own supplier(s): the AI layer bought apart.
  double ai_layer_unbundled = 0;
  DatedFields dated{};                    // schedules of its datable keys (scarcity_premium, weights)
};

enum class EventType { budget_shock, price_change, export_control, outage, cost_shock };

// A dated event. budget_shock: a segment's budgets change by `change` until `until`.
// price_change: a vendor's list price of a product changes (`change` or `price`).
// export_control: from `at`, vendors of `region` may add capacity of `product` only through a
//   domestic substitute: at most `substitute_cap` units of monthly capacity a month for the whole
//   region, at capex / `substitute_efficiency`.
// outage: a vendor's capacity (and its hosts' speed) is multiplied by `availability` until `until`.
// cost_shock: unit cost and capex of `product` (for vendors of `region`, or all) change by `change`.
struct Event {
  EventType type = EventType::budget_shock;
  Date at;
  std::optional<Date> until;        // budget_shock, outage: end (exclusive); none: permanent
  std::size_t segment = 0;          // budget_shock
  std::size_t vendor = 0;           // price_change, outage
  std::size_t product = 0;          // price_change, export_control, cost_shock
  std::optional<std::string> region;  // export_control (required), cost_shock (optional)
  std::optional<double> change;     // fraction (-0.2: 20% lower)
  std::optional<double> price;      // price_change: absolute price
  std::optional<Duration> hold_for; // price_change `for:`: the strategy's own rule resumes after this
  SourceLocation where;             // of the event in its file (validate's warnings)
  double substitute_efficiency = 1; // export_control: (0, 1]
  double substitute_cap = 0;        // export_control: units of monthly capacity per month, >= 0
  double availability = 1;          // outage: [0, 1)
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  TimeSpec time;
  std::string currency = "USD";
  std::vector<Product> products;
  std::vector<Vendor> vendors;
  std::vector<Segment> segments;
  MarketRules market;
  std::vector<Event> events;
  std::vector<Startup> startups;
  std::vector<Investor> investors;
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
inline constexpr std::size_t kMaxEvents = 10000;
inline constexpr std::size_t kMaxSchedule = 1000;
inline constexpr std::size_t kMaxStartups = 1000;
inline constexpr std::size_t kMaxInvestors = 1000;
inline constexpr std::int64_t kMaxSeed = 1'000'000'000'000'000;  // seeds are whole numbers in [0, 10^15]
// Magnitudes (docs/scenario.md, "Conventions"): every money amount, price and quantity the run adds
// up, multiplies or divides stays finite when inputs keep within these bounds.
inline constexpr double kMaxMoney = 1e15;     // currency: cash, costs, budgets, prices, tickets
inline constexpr double kMinPrice = 1e-9;     // currency / unit: a positive price or unit cost
inline constexpr double kMaxQuantity = 1e18;  // units / month: capacity, experience, substitute capacity
}  // namespace limits

}  // namespace cm
