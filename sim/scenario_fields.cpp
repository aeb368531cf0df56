#include "sim/scenario_fields.hpp"

#include "sim/calendar.hpp"
#include "sim/scenario.hpp"
#include "sim/scenario_names.hpp"
#include "version.hpp"

namespace cm::fields {

using yaml::FieldSpec;
using yaml::FieldType;
using yaml::MappingSpec;
using yaml::Range;
using yaml::choice_field;
using yaml::integer_field;
using yaml::names_of;
using yaml::nested_field;
using yaml::number_field;
using yaml::text_field;

namespace {

Range markup_range() { return Range::between(-0.99, 100); }

// Magnitudes (docs/scenario.md, "Conventions"): bounds that keep every sum, product and quotient of
// the run finite. Money amounts are at most 1e15 in size; a price or unit cost is 0 (free) or at
// least 1e-9, since quantities are spend / price; quantities of units are at most 1e18 a month.
const char* const kMoneyReason = "money amounts are at most 1e15 so that the run's sums stay finite";
Range money() { return Range::between(0, limits::kMaxMoney).because(kMoneyReason); }
Range positive_money() { return Range{0, limits::kMaxMoney, true, false}.because(kMoneyReason); }
Range signed_money() { return Range::between(-limits::kMaxMoney, limits::kMaxMoney).because(kMoneyReason); }
Range price_range() {
  Range r = Range::between(0, limits::kMaxMoney);
  r.positive_minimum = limits::kMinPrice;
  return r.because("a price is 0 (free) or at least 1e-09 currency per unit, so that quantity = spend / price "
                   "stays finite, and at most 1e15");
}
Range quantity_range(bool positive) {
  return Range{0, limits::kMaxQuantity, positive, false}.because(
      "quantities are at most 1e18 units a month so that costs stay finite");
}
Range growth_rate() { return Range{-1, 10, true, false}; }

FieldSpec id_field(std::string doc) { return text_field("id", FieldType::id, std::move(doc)).is_required(); }
FieldSpec date_field(std::string key, std::string doc) { return text_field(std::move(key), FieldType::date, std::move(doc)); }
FieldSpec duration_field(std::string key, std::string doc, const Duration& default_value) {
  return text_field(std::move(key), FieldType::duration, std::move(doc), to_string(default_value));
}
FieldSpec bool_field(std::string key, std::string doc, bool default_value) {
  return text_field(std::move(key), FieldType::boolean, std::move(doc), default_value ? "true" : "false");
}
FieldSpec list_field(std::string key, yaml::SpecRef item, std::string doc, std::size_t max, bool may_be_empty) {
  return nested_field(std::move(key), FieldType::list, item, std::move(doc)).items(may_be_empty ? 0 : 1, max);
}

// The keys of one pricing block, with the defaults of a vendor's pricing (a product's own pricing
// takes its vendor's as defaults).
std::vector<FieldSpec> pricing_rows() {
  const Pricing p;
  return {
      choice_field("strategy", names_of(pricing_rule_names()), "pricing rule (docs/scenario.md, \"Pricing\")",
                   name_of(p.strategy)),
      duration_field("review_every", "cadence of price reviews", p.review_every),
      duration_field("reaction_delay", "rivals' prices are seen as they were this long ago", p.reaction_delay),
      number_field("markup", markup_range(),
                   "cost_plus: price = unit cost x (1 + markup); absent: each product keeps the markup its "
                   "initial price has over its initial unit cost"),
      number_field("undercut", Range{0, 1, false, true}, "undercut: price = lowest rival price x (1 - undercut)",
                   p.undercut),
      number_field("min_margin", markup_range(),
                   "match_lowest, undercut, best_response: price >= unit cost x (1 + min_margin)", p.min_margin),
      nested_field("q_learning", FieldType::mapping, q_learning, "q_learning: the learner's settings"),
      number_field("discount_rate", Range::between(0, 10),
                   "dynamic_best_response: yearly discount rate of future profit, fraction per year", p.discount_rate),
      duration_field("horizon", "dynamic_best_response: planning horizon, whole months or years, at most 50 years",
                     p.horizon),
      list_field("schedule", schedule_step, "scheduled: dated price steps, in date order", limits::kMaxSchedule, false),
  };
}

// The cash side of an investment policy (vendors and independent investors).
std::vector<FieldSpec> investment_cash_rows(bool vendor) {
  const InvestmentPolicy p;
  std::vector<FieldSpec> rows{
      number_field("budget", money(),
                   "capital to invest, available at the start (short for one capital tranche), currency"),
      list_field("capital", capital_tranche, "dated tranches of capital to invest, in date order",
                 limits::kMaxSchedule, false),
      number_field("max_ticket", money(), "largest amount per deal, currency; 0: up to the budget", p.max_ticket),
  };
  if (vendor)
    rows.push_back(number_field("cost_of_capital", Range::between(0, 1), "discount rate, fraction per year",
                                p.cost_of_capital));
  else
    rows.push_back(number_field("hurdle_rate", Range::between(0, 2), "the return a stake must clear, fraction per year",
                                p.hurdle_rate));
  rows.push_back(number_field("failure_hazard", Range::between(0, 5),
                              "prior yearly hazard that a startup it backs fails, per year", p.failure_hazard));
  rows.push_back(number_field("exit_years", Range::between(0.25, 20),
                              "years from a deal to the exit its stake is valued at", p.exit_years));
  return rows;
}

}  // namespace

const MappingSpec& scenario() {
  static const MappingSpec spec{
      "scenario",
      "A cloudmarket scenario (docs/scenario.md).",
      {
          text_field("schema", FieldType::constant, "the file's schema").with_choices({kScenarioSchema}).is_required(),
          text_field("extends", FieldType::path,
                     "a base scenario this file is deep-merged over (a path relative to this file)"),
          text_field("name", FieldType::id, "the scenario's name").is_required(),
          integer_field("seed", 0, double(limits::kMaxSeed), "random seed", double(Scenario{}.seed)),
          nested_field("time", FieldType::mapping, time, "the simulated period").is_required(),
          text_field("currency", FieldType::id, "currency of every money amount", Scenario{}.currency),
          list_field("products", product, "the product lines", limits::kMaxProducts, false).is_required(),
          list_field("vendors", vendor, "the cloud vendors (their initial shares sum to 1)", limits::kMaxVendors,
                     false).is_required(),
          list_field("segments", segment, "the enterprise segments", limits::kMaxSegments, false).is_required(),
          nested_field("market", FieldType::mapping, market, "market-wide rules"),
          list_field("events", event, "dated shocks", limits::kMaxEvents, true),
          list_field("investors", investor, "independent investors in AI startups", limits::kMaxInvestors, true),
          list_field("startups", startup, "AI-model startups", limits::kMaxStartups, true),
      }};
  return spec;
}

const MappingSpec& time() {
  static const MappingSpec spec{
      "time",
      "The simulated period.",
      {
          date_field("start", "first day of the run, YYYY-MM-DD between 1900 and 2200").is_required(),
          integer_field("years", 1, limits::kMaxYears, "length of the run, years").is_required(),
          choice_field("output_period", names_of(output_period_names()), "period of the output's time series",
                       name_of(TimeSpec{}.output_period)),
      }};
  return spec;
}

const MappingSpec& product() {
  static const MappingSpec spec{
      "product",
      "A product line.",
      {
          id_field("the product's id"),
          text_field("unit", FieldType::id, "what one unit is (gpu_hour, million_tokens, ...)").is_required(),
          choice_field("kind", names_of(product_kind_names()), "the kind of product").is_required(),
      }};
  return spec;
}

const MappingSpec& vendor() {
  static const MappingSpec spec = [] {
    const Vendor v;
    MappingSpec s{
        "vendor",
        "A cloud vendor.",
        {
            id_field("the vendor's id (distinct from investors' and startups')"),
            text_field("region", FieldType::id, "home region", v.region),
            number_field("initial_share", Range::open_fraction(), "share of cloud spend at the start, fraction")
                .is_required(),
            number_field("cash", signed_money(), "cash at the start, currency", v.cash),
            number_field("fixed_cost_per_month", money(), "opex not tied to volume, currency per month",
                         v.fixed_cost_per_month),
            list_field("datacenters", datacenter, "the vendor's data centres (SimGrid hosts)",
                       limits::kMaxDatacenters, false)
                .is_required(),
            nested_field("pricing", FieldType::mapping_or_list, pricing,
                         "pricing of all its products: one block, or a list of dated regimes")
                .or_else(pricing_regime),
            nested_field("capacity_policy", FieldType::mapping, capacity_policy,
                         "how it adds capacity; absent: capacity stays as given"),
            text_field("exit_after", FieldType::duration, "leaves the market after this long; absent: never"),
            choice_field("ai_strategy", names_of(ai_strategy_names()), "which models its marketplace hosts",
                         name_of(v.ai_strategy)),
            number_field("revenue_share", Range::fraction(),
                         "fraction of model (MaaS) revenue the vendor keeps; the rest goes to the model's startup",
                         v.revenue_share),
            nested_field("investment", FieldType::mapping, investment, "its investments in AI startups; absent: none"),
            nested_field("chip_programme", FieldType::mapping, chip_programme,
                         "its own accelerators; absent: it buys them"),
            nested_field("products", FieldType::product_map, offer, "its offer of every product, by product id")
                .is_required(),
        },
        DatedOwner::vendor};
    return s;
  }();
  return spec;
}

const MappingSpec& datacenter() {
  static const MappingSpec spec{"datacenter",
                                "A data centre of a vendor.",
                                {
                                    id_field("the data centre's id"),
                                    number_field("flops", Range::positive(), "compute capacity, FLOP/s").is_required(),
                                }};
  return spec;
}

const MappingSpec& pricing() {
  static const MappingSpec spec{"pricing", "A pricing block: a strategy and its parameters.", pricing_rows()};
  return spec;
}

const MappingSpec& pricing_regime() {
  static const MappingSpec spec = [] {
    MappingSpec s{"pricing_regime",
                  "One regime of a strategy schedule: a pricing block in force from its date.",
                  pricing_rows()};
    s.fields.insert(s.fields.begin(),
                    date_field("from", "in force from this date (only the first regime may omit it: the start)"));
    return s;
  }();
  return spec;
}

const MappingSpec& q_learning() {
  static const MappingSpec spec = [] {
    const QLearning q;
    return MappingSpec{
        "q_learning",
        "A Q-learning pricing strategy: prices on a grid of markups over unit cost.",
        {
            integer_field("levels", 2, 101, "price grid points", q.levels),
            number_field("min_markup", markup_range(), "lowest markup of the grid", q.min_markup),
            number_field("max_markup", markup_range(), "highest markup of the grid (> min_markup)", q.max_markup),
            number_field("learning_rate", Range{0, 1, true, false}, "alpha", q.learning_rate),
            number_field("discount", Range{0, 1, false, true}, "delta, per review", q.discount),
            number_field("exploration_decay", Range::non_negative(), "beta: epsilon = exp(-beta x review)",
                         q.exploration_decay),
        }};
  }();
  return spec;
}

const MappingSpec& schedule_step() {
  static const MappingSpec spec{
      "schedule_step",
      "A dated step of a scheduled price: exactly one of change and price.",
      {
          date_field("at", "date of the step").is_required(),
          number_field("change", Range{-1, 100, true, false}, "fractional price change (-0.85: 85% cheaper)"),
          number_field("price", price_range(), "new price, currency per unit"),
      },
      {},
      "",
      {{{"change", "price"}, ""}}};
  return spec;
}

const MappingSpec& offer() {
  static const MappingSpec spec = [] {
    const Offer o;
    return MappingSpec{
        "offer",
        "A vendor's offer of one product.",
        {
            number_field("price", price_range(), "list price at the start, currency per unit").is_required(),
            number_field("unit_cost", price_range(), "unit cost at the start, currency per unit").is_required(),
            nested_field("capacity", FieldType::number_or_mapping, offer_capacity,
                         "units per month at the start, or {utilization: U} to size it to the opening demand")
                .within(quantity_range(true))
                .is_required(),
            number_field("cost_trend", Range{-1, 1, true, false},
                         "fractional change of unit cost per year from input prices", o.cost_trend),
            number_field("learning_rate", Range::between(0, 0.5),
                         "Wright's law: fractional unit-cost fall per doubling of cumulative output", o.learning_rate),
            number_field("initial_experience", quantity_range(false),
                         "units produced before the start (0: twelve months of capacity)", o.initial_experience),
            number_field("capex_per_unit", money(), "currency per unit of monthly capacity added", o.capex_per_unit),
            nested_field("pricing", FieldType::mapping_or_list, pricing,
                         "this product's own pricing (defaults: the vendor's), one block or dated regimes")
                .or_else(pricing_regime),
        },
        DatedOwner::offer};
  }();
  return spec;
}

const MappingSpec& offer_capacity() {
  static const MappingSpec spec{
      "offer_capacity",
      "Opening capacity sized to the opening demand.",
      {number_field("utilization", Range{0, 1, true, false}, "opening utilization, fraction").is_required()}};
  return spec;
}

const MappingSpec& capacity_policy() {
  static const MappingSpec spec = [] {
    const CapacityPolicy c;
    return MappingSpec{
        "capacity_policy",
        "How a vendor adds capacity.",
        {
            number_field("target_utilization", Range{0, 1, true, false}, "fraction", c.target_utilization),
            duration_field("lead_time", "from order to capacity in service, whole months", c.lead_time),
            number_field("life_years", Range{0, 100, true, false}, "straight-line depreciation of capex, years",
                         c.life_years),
        }};
  }();
  return spec;
}

const MappingSpec& investment() {
  static const MappingSpec spec = [] {
    const InvestmentPolicy p;
    MappingSpec s{"investment", "A vendor's investments in AI startups.", investment_cash_rows(true)};
    s.fields.push_back(number_field("credit_share", Range::fraction(),
                                    "fraction of the amount paid as credits on the vendor's cloud", p.credit_share));
    s.fields.push_back(number_field("commitment", Range::between(0, 10),
                                    "spend the startup commits on the vendor's cloud, as a multiple of the amount",
                                    p.commitment));
    s.fields.push_back(
        bool_field("exclusive", "the startup must train and be hosted only on the vendor's cloud", p.exclusive));
    s.fields.push_back(duration_field("duration", "how long credits and the commitment last, whole months", p.duration));
    s.one_of = {{{"budget", "capital"}, ""}};
    return s;
  }();
  return spec;
}

const MappingSpec& investor() {
  static const MappingSpec spec = [] {
    MappingSpec s{"investor", "An independent investor (a fund): cash only.", investment_cash_rows(false)};
    s.fields.insert(s.fields.begin(), id_field("the investor's id (distinct from vendors' and startups')"));
    s.one_of = {{{"budget", "capital"}, ""}};
    return s;
  }();
  return spec;
}

const MappingSpec& capital_tranche() {
  static const MappingSpec spec{"capital_tranche",
                                "Capital that becomes available to invest at a date.",
                                {
                                    date_field("at", "date it becomes available").is_required(),
                                    number_field("amount", money(), "currency").is_required(),
                                }};
  return spec;
}

const MappingSpec& chip_programme() {
  static const MappingSpec spec = [] {
    const ChipProgramme c;
    return MappingSpec{
        "chip_programme",
        "A vendor's own accelerators: R&D that lowers the cost of its GPU product.",
        {
            list_field("rd_spend", rd_spend_step, "R&D spending steps, in strictly increasing date order",
                       limits::kMaxSchedule, true),
            number_field("rd_before_start", money(), "currency spent before the start (already past the lag)",
                         c.rd_before_start),
            duration_field("lag", "from spend to capability, whole months (0 allowed)", c.lag),
            number_field("rd_scale", positive_money(), "lagged R&D that reaches 1 - 1/e of full capability, currency",
                         c.rd_scale),
            number_field("max_saving", Range{0, 1, false, true},
                         "fraction of GPU unit cost and capex saved at full capability", c.max_saving),
            number_field("supply_per_month", quantity_range(false),
                         "units of monthly GPU capacity a month at full capability", c.supply_per_month),
            number_field("markup", Range::between(0, 10),
                         "fraction over its own capex per unit when selling to region rivals", c.markup),
        }};
  }();
  return spec;
}

const MappingSpec& rd_spend_step() {
  static const MappingSpec spec{"rd_spend_step",
                                "R&D spending from a date on.",
                                {
                                    date_field("from", "in force from this date's month on").is_required(),
                                    number_field("per_month", money(), "currency per month").is_required(),
                                }};
  return spec;
}

const MappingSpec& segment() {
  static const MappingSpec spec = [] {
    const Segment s;
    return MappingSpec{
        "segment",
        "An enterprise segment: firms with a budget distribution and preferences.",
        {
            id_field("the segment's id"),
            integer_field("firms", 1, double(limits::kMaxFirmsTotal), "number of firms").is_required(),
            nested_field("budget", FieldType::mapping, budget, "distribution of the firms' yearly IT budgets")
                .is_required(),
            number_field("growth", growth_rate(), "budget growth per year, fraction (CAGR)", s.growth),
            nested_field("spend_shares", FieldType::product_map, nullptr,
                         "fraction of spend on each product, by product id (sums to 1)")
                .within(Range::fraction())
                .is_required(),
            text_field("region", FieldType::id, "home market", s.region),
            bool_field("domestic_only", "may buy only from vendors of its own region", s.domestic_only),
            number_field("price_elasticity", Range::between(0, 5),
                         "constant elasticity of quantity to price (1: fixed spend shares)", s.price_elasticity),
            number_field("nesting", Range{0.05, 1, false, false},
                         "mu in (0, 1]: correlation of clouds in the nested logit (1: plain logit)", s.nesting),
            number_field("multi_cloud_threshold", money(),
                         "currency per year: larger firms split spend over clouds; absent: none do"),
            nested_field("ai_adoption", FieldType::mapping, ai_adoption, "adoption of AI (Bass diffusion)"),
            number_field("price_sensitivity", Range{0, 100, true, false}, "utility per unit of price index",
                         s.price_sensitivity),
            number_field("switching_cost", Range::between(0, 20), "utility bonus of the current supplier",
                         s.switching_cost),
            integer_field("contract_months", 1, limits::kMaxContractMonths,
                          "contract length, months; renewals are staggered evenly over it", s.contract_months),
            number_field("cloud_adoption", Range::open_fraction(), "fraction of firms on a cloud at the start",
                         s.cloud_adoption),
            nested_field("on_premises", FieldType::mapping, on_premises, "the on-premises alternative"),
        },
        DatedOwner::segment};
  }();
  return spec;
}

const MappingSpec& budget() {
  static const MappingSpec spec = [] {
    const Budget b;
    return MappingSpec{
        "budget",
        "Distribution of a segment's yearly IT budgets per firm.",
        {
            choice_field("distribution", names_of(budget_distribution_names()), "the distribution").is_required(),
            number_field("median", positive_money(), "median budget, currency per year")
                .is_required()
                .for_values({"lognormal"}),
            number_field("sigma", Range::between(0, 5), "std. dev. of log budget", b.sigma).for_values({"lognormal"}),
            number_field("minimum", positive_money(), "smallest budget, currency per year")
                .is_required()
                .for_values({"pareto"}),
            number_field("alpha", Range{1, 20, true, false}, "tail index (> 1 for a finite mean)", b.alpha)
                .is_required()
                .for_values({"pareto"}),
        },
        {},
        "distribution"};
  }();
  return spec;
}

const MappingSpec& ai_adoption() {
  static const MappingSpec spec = [] {
    const AiAdoption a;
    MappingSpec s{
        "ai_adoption",
        "Adoption of AI by a segment's firms (Bass diffusion).",
        {
            number_field("p", Range{0, 10, true, false}, "innovation, per year").is_required(),
            number_field("q", Range::between(0, 10), "imitation, per year").is_required(),
            number_field("initial", Range{0, 1, false, true}, "fraction adopted at the start", a.initial),
            number_field("spend_share", Range::between(0, 10),
                         "AI spend as a fraction of the firm's budget, at the start", a.spend_share),
            nested_field("products", FieldType::product_map, nullptr,
                         "fraction of AI spend on each product, by product id (sums to 1)")
                .within(Range::fraction())
                .is_required(),
            number_field("demand_growth", growth_rate(),
                         "yearly growth of adopters' AI spend (model quality, new uses)", a.demand_growth),
        },
        DatedOwner::ai_adoption};
    return s;
  }();
  return spec;
}

const MappingSpec& on_premises() {
  static const MappingSpec spec = [] {
    const OnPremises o;
    return MappingSpec{
        "on_premises",
        "The on-premises alternative of a segment's firms.",
        {
            number_field("cost_level", Range{0, 100, true, false},
                         "running cost at the start relative to the segment's cloud price index", o.cost_level),
            number_field("hardware_share", Range::between(0, 1), "fraction of that cost that is hardware",
                         o.hardware_share),
            number_field("hardware_trend", growth_rate(), "fractional change of hardware cost per year",
                         o.hardware_trend),
            number_field("staff_trend", growth_rate(), "fractional change of the other costs per year", o.staff_trend),
            number_field("repatriation_cost", Range::between(0, 20),
                         "utility a firm on a cloud pays to move on-premises (units of switching_cost)",
                         o.repatriation_cost),
            number_field("discretionary_share", Range::between(0, 1),
                         "fraction of the cloud bill weighed against the shocked budget", o.discretionary_share),
        },
        DatedOwner::on_premises};
  }();
  return spec;
}

const MappingSpec& market() {
  static const MappingSpec spec = [] {
    const MarketRules m;
    MappingSpec s{
        "market",
        "Market-wide rules.",
        {
            number_field("scarcity_premium", Range::between(0, 10),
                         "what a firm pays per unit a vendor cannot deliver, as a fraction above the reference price",
                         m.scarcity_premium),
            number_field("quality_per_decade", Range::between(0, 10),
                         "model quality per tenfold cumulative training FLOP", m.quality_per_decade),
            number_field("model_choice_quality", Range::between(0, 100),
                         "logit weight of quality when adopters pick among hosted models", m.model_choice_quality),
            number_field("ecosystem_weight", Range::between(0, 10),
                         "utility per log(1 + models hosted), times the segment's AI adoption", m.ecosystem_weight),
            number_field("model_quality_weight", Range::between(0, 10),
                         "utility per unit of the best hosted model's quality, times AI adoption",
                         m.model_quality_weight),
            number_field("bundle_weight", Range::between(0, 10),
                         "vertical/hybrid: utility per unit of partner-model quality, times SaaS share",
                         m.bundle_weight),
            number_field("flops_per_gpu_hour", Range::positive(), "useful FLOP in one GPU-hour",
                         m.flops_per_gpu_hour),
            number_field("flops_per_million_tokens", Range::positive(), "inference FLOP per million tokens",
                         m.flops_per_million_tokens),
            number_field("model_choice_price", Range::between(0, 100),
                         "logit weight of a model's API price relative to the vendor's list price",
                         m.model_choice_price),
            number_field("ai_layer_unbundled", Range::between(0, 1),
                         "fraction of adopters' spend on model products bought from any vendor's marketplace",
                         m.ai_layer_unbundled),
        },
        DatedOwner::market};
    s.retired = {"rationing_penalty"};
    return s;
  }();
  return spec;
}

const MappingSpec& event() {
  static const MappingSpec spec = [] {
    const Event e;
    MappingSpec s{
        "event",
        "A dated shock; each type takes its own keys.",
        {
            choice_field("type", names_of(event_type_names()), "the kind of event").is_required(),
            date_field("at", "when it happens").is_required(),
            text_field("segment", FieldType::id, "the segment whose budgets change")
                .is_required()
                .for_values({"budget_shock"}),
            number_field("change", growth_rate(), "fractional change of budgets (-0.2: 20% lower)")
                .is_required()
                .for_values({"budget_shock"}),
            date_field("until", "end (exclusive); absent: permanent").for_values({"budget_shock", "outage"}),
            text_field("vendor", FieldType::id, "the vendor").is_required().for_values({"price_change", "outage"}),
            text_field("product", FieldType::id, "the product")
                .is_required()
                .for_values({"price_change", "export_control", "cost_shock"}),
            number_field("change", Range{-1, 100, true, false}, "fractional price change (-0.2: 20% lower)")
                .for_values({"price_change"}),
            number_field("price", price_range(), "new price, currency per unit").for_values({"price_change"}),
            text_field("for", FieldType::duration,
                       "the strategy's own rule resumes after this long; absent: it applies at once")
                .for_values({"price_change"}),
            text_field("region", FieldType::id, "the region whose imports of the product are cut")
                .is_required()
                .for_values({"export_control"}),
            number_field("substitute_efficiency", Range{0, 1, true, false},
                         "what a unit of the domestic substitute is worth", e.substitute_efficiency)
                .for_values({"export_control"}),
            number_field("substitute_cap", quantity_range(false),
                         "units of monthly substitute capacity added per month", e.substitute_cap)
                .for_values({"export_control"}),
            number_field("availability", Range{0, 1, false, true}, "fraction of capacity that stays available")
                .is_required()
                .for_values({"outage"}),
            text_field("region", FieldType::id, "the region whose costs change; absent: every region")
                .for_values({"cost_shock"}),
            number_field("change", growth_rate(), "fractional change of unit cost (0.3: 30% higher)")
                .is_required()
                .for_values({"cost_shock"}),
        },
        {},
        "type"};
    s.one_of = {{{"change", "price"}, "price_change"}};
    return s;
  }();
  return spec;
}

const MappingSpec& startup() {
  static const MappingSpec spec = [] {
    const Startup s;
    MappingSpec m{
        "startup",
        "An AI-model startup.",
        {
            id_field("the startup's id (distinct from vendors' and investors')"),
            text_field("region", FieldType::id, "home region", s.region),
            text_field("owner", FieldType::id, "the vendor that owns it (an in-house lab); absent: independent"),
            number_field("cash", money(), "cash at the start, currency").is_required(),
            number_field("burn_per_month", money(), "spending besides compute, currency per month").is_required(),
            number_field("training_flops", Range::positive(),
                         "cumulative training compute at the start, FLOP (sets quality)", s.training_flops),
            number_field("run_months", Range::between(1, 24), "months a training run rents its cluster for",
                         s.run_months),
            number_field("plan_horizon_months", Range::between(1, 120),
                         "months of expected API revenue a run's quality gain is weighed over", s.plan_horizon_months),
            text_field("trains_on", FieldType::id, "the vendor whose hosts run its training").is_required(),
            number_field("runway_months", Range{0, 120, true, false},
                         "opens a round when cash covers fewer months of spending", s.runway_months),
            number_field("round_months", Range{0, 120, true, false}, "a round asks for this many months of spending",
                         s.round_months),
            number_field("valuation", positive_money(), "pre-money valuation at its first round, currency",
                         s.valuation),
            number_field("api_price", price_range(),
                         "API price, currency per million tokens; absent: the hosting vendor's list price"),
            bool_field("open_weight", "its weights are open: hosts set its price", s.open_weight),
            nested_field("pricing", FieldType::mapping, pricing, "how it prices its API (needs api_price unless fixed)"),
        },
        DatedOwner::startup};
    m.retired = {"training_rate", "run_flops", "run_growth", "training_budget_share"};
    return m;
  }();
  return spec;
}

const MappingSpec& dated_entry() {
  static const MappingSpec spec{"dated_entry",
                                "One step of a dated schedule.",
                                {
                                    date_field("from", "in force from the first month starting on or after it")
                                        .is_required(),
                                    number_field("value", Range{}, "the value in force").is_required(),
                                }};
  return spec;
}

}  // namespace cm::fields
