#include "sim/scenario_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "sim/scenario_fields.hpp"
#include "sim/scenario_names.hpp"
#include "sim/yaml_fields.hpp"
#include "version.hpp"

namespace cm {

using yaml::Fields;
using yaml::Kind;
using yaml::Node;
using yaml::NodePtr;
using yaml::Range;
using yaml::fail;

namespace {

// Elements of a list under `key`: every element must be a mapping; ids must be unique.
std::vector<NodePtr> list_of(const Node& node, const std::string& key, std::size_t max_size,
                             bool may_be_empty = false) {
  if (node.kind != Kind::sequence) fail(node.where, "'" + key + "' must be a list, got " + node.kind_name());
  if (node.items.empty() && !may_be_empty) fail(node.where, "'" + key + "' must not be empty");
  if (node.items.size() > max_size)
    fail(node.where, "'" + key + "' has " + std::to_string(node.items.size()) + " entries; at most " +
                         std::to_string(max_size) + " are allowed");
  return node.items;
}

void check_unique_id(std::set<std::string>& seen, const std::string& id, const Node& where,
                     const std::string& what) {
  if (!seen.insert(id).second) fail(where.where, "duplicate " + what + " id '" + id + "'");
}

// Vendors, investors and startups are all parties to deals: an id may name only one of them.
void check_id_not_in(const std::set<std::string>& others, const std::string& id, const Node& where,
                     const std::string& what, const std::string& other) {
  if (others.count(id))
    fail(where.where, what + " id '" + id + "' is already a " + other +
                          " id (vendors, investors and startups need distinct ids)");
}

Duration to_duration(const Node& node, const std::string& key) {
  const std::string text = yaml::to_text(node, key);
  auto d = parse_duration(text);
  if (!d)
    fail(node.where, "'" + key + "' must be a duration such as '3 months', '1 year', '2 weeks' or '10 days', got '" +
                         text + "'");
  return *d;
}

// A duration that must be positive (a cadence, a lead time).
Duration to_positive_duration(const Node& node, const std::string& key) {
  const Duration d = to_duration(node, key);
  if (d.months == 0 && d.days <= 0) fail(node.where, "'" + key + "' must be longer than zero");
  return d;
}

// A positive duration of whole months or years (a contract term).
Duration to_whole_months(const Node& node, const std::string& key) {
  const Duration d = to_positive_duration(node, key);
  if (d.days != 0) fail(node.where, "'" + key + "' must be whole months or years, got '" + node.scalar + "'");
  return d;
}

TimeSpec decode_time(const Node& node) {
  TimeSpec time;
  Fields f(node, "time", fields::time());
  const Node& start = f.required("start");
  const std::string start_text = yaml::to_text(start, "start");
  auto date = parse_date(start_text);
  if (!date) fail(start.where, "'start' must be a date YYYY-MM-DD between 1900 and 2200, got '" + start_text + "'");
  time.start = *date;
  time.years = f.integer<int>("years");
  yaml::read_optional(f, "output_period", time.output_period, [](const Node& n, const std::string& k) {
    return yaml::to_enum(n, k, output_period_names());
  });
  f.done();
  return time;
}

std::vector<Product> decode_products(const Node& node) {
  std::vector<Product> products;
  std::set<std::string> ids;
  for (const auto& item : list_of(node, "products", limits::kMaxProducts)) {
    Fields f(*item, "product", fields::product());
    Product p;
    const Node& id = f.required("id");
    p.id = yaml::to_id(id, "id");
    check_unique_id(ids, p.id, id, "product");
    p.unit = yaml::to_id(f.required("unit"), "unit");
    p.kind = yaml::to_enum(f.required("kind"), "kind", product_kind_names());
    f.done();
    products.push_back(p);
  }
  return products;
}

// Index of a product id, or an error at `where` naming the known ones.
std::size_t product_index(const std::vector<Product>& products, const std::string& id, const SourceLocation& where) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < products.size(); ++i) {
    if (products[i].id == id) return i;
    ids.push_back(products[i].id);
  }
  std::string message = "unknown product '" + id + "'";
  if (auto hint = yaml::did_you_mean(id, ids)) message += " (did you mean '" + *hint + "'?)";
  std::string list;
  for (const auto& x : ids) list += (list.empty() ? "" : ", ") + x;
  fail(where, message + "; products are: " + list);
}

// The `id` of a list element; from then on errors name the element ("vendor 'aws'").
std::string read_id(Fields& f, const std::string& kind) {
  std::string id = yaml::to_id(f.required("id"), "id");
  f.rename(kind + " '" + id + "'");
  return id;
}

Date to_date(const Node& node, const std::string& key) {
  const std::string text = yaml::to_text(node, key);
  auto date = parse_date(text);
  if (!date) fail(node.where, "'" + key + "' must be a date YYYY-MM-DD between 1900 and 2200, got '" + text + "'");
  return *date;
}

// The run's start while a scenario is decoded: schedules' first dates are checked against it and
// each dated value is placed in the first month starting on or after its date.
thread_local Date run_start{2023, 1, 1};

// A dated schedule (docs/scenario.md, "Dated parameters"): a list of {from: DATE, value: X} in
// strictly increasing date order, the first from on or before the run's start, each value in `range`.
DatedSchedule dated_schedule(const Node& node, const std::string& key, const Range& range) {
  DatedSchedule schedule;
  const Calendar calendar(run_start);
  const std::int64_t start_day = days_from_civil(run_start);
  int month = 0;
  for (const auto& item : list_of(node, key, limits::kMaxSchedule)) {
    const std::string what = "entry " + std::to_string(schedule.size() + 1) + " of the schedule of '" + key + "'";
    if (item->kind != Kind::map)
      fail(item->where, what + " must be a mapping {from: DATE, value: X}, got " + item->kind_name());
    Fields f(*item, what, fields::dated_entry());
    const Node& from_node = f.required("from");
    DatedValue step;
    step.from = to_date(from_node, "from");
    step.value = yaml::to_number(f.required("value"), key, range);
    f.done();
    const std::int64_t day = days_from_civil(step.from);
    if (schedule.empty() && day > start_day)
      fail(from_node.where, "the first entry of the schedule of '" + key + "' gives the value in force at the run's "
                            "start and must be from on or before " + to_iso(run_start) + ", got " + to_iso(step.from));
    if (!schedule.empty() && day <= days_from_civil(schedule.back().from))
      fail(from_node.where, "the dates of the schedule of '" + key + "' must be strictly increasing: " +
                                to_iso(step.from) + " is not after " + to_iso(schedule.back().from));
    // In force from the first month start on or after its date.
    while (days_from_civil(calendar.add_months(month)) < day) ++month;
    step.month = month;
    schedule.push_back(step);
  }
  return schedule;
}

// A number, or a schedule when the mapping allows dates for `key` (Fields::allow_dates): then
// `value` is the value in force at the start and the schedule goes to the mapping's DatedFields.
double number_or_schedule(Fields& f, const Node& n, const std::string& key, Range range) {
  DatedFields* into = f.dated_into(key);
  if (n.kind != Kind::sequence || !into) return yaml::to_number(n, key, range);
  DatedSchedule schedule = dated_schedule(n, key, range);
  const double first = schedule.front().value;
  into->set(key, std::move(schedule));
  return first;
}

// Reads an optional number into `value` (which holds the default).
void number(Fields& f, const std::string& key, double& value) {
  if (const Node* n = f.optional(key)) value = number_or_schedule(f, *n, key, f.range(key));
}
// An optional number that cannot be dated (no default: absent stays absent).
void number(Fields& f, const std::string& key, std::optional<double>& value) { f.number(key, value); }
// A required number (or schedule).
double required_number(Fields& f, const std::string& key) {
  return number_or_schedule(f, f.required(key), key, f.range(key));
}

// A mapping of product id to a fraction, for every product (absent ones are 0); sums to 1.
std::vector<double> product_shares(const Node& node, const std::string& key, const Range& range,
                                   const std::vector<Product>& products, const std::string& what) {
  if (node.kind != Kind::map) fail(node.where, "'" + key + "' must be a mapping of product id to share");
  std::vector<double> shares(products.size(), 0.0);
  double total = 0;
  for (const auto& entry : node.entries) {
    const std::size_t p = product_index(products, entry.key, entry.key_where);
    shares[p] = yaml::to_number(*entry.value, entry.key, range);
    total += shares[p];
  }
  if (std::fabs(total - 1.0) > 1e-6)
    fail(node.where, "'" + key + "' of " + what + " must sum to 1, they sum to " + std::to_string(total));
  return shares;
}

// `q` holds the defaults: the vendor's settings when reading a product's own.
QLearning decode_q_learning(const Node& node, QLearning q) {
  Fields f(node, "q_learning", fields::q_learning());
  f.integer("levels", q.levels);
  number(f, "min_markup", q.min_markup);
  number(f, "max_markup", q.max_markup);
  number(f, "learning_rate", q.learning_rate);
  number(f, "discount", q.discount);
  number(f, "exploration_decay", q.exploration_decay);
  if (q.max_markup <= q.min_markup) fail(node.where, "q_learning needs max_markup > min_markup");
  f.done();
  return q;
}

std::vector<ScheduledPrice> decode_schedule(const Node& node) {
  std::vector<ScheduledPrice> steps;
  for (const auto& item : list_of(node, "schedule", limits::kMaxSchedule)) {
    Fields f(*item, "schedule step", fields::schedule_step());
    ScheduledPrice step;
    step.at = to_date(f.required("at"), "at");
    number(f, "change", step.change);
    number(f, "price", step.price);
    if (step.change.has_value() == step.price.has_value())
      fail(item->where, "a schedule step needs exactly one of 'change' and 'price'");
    if (!steps.empty() && days_from_civil(step.at) < days_from_civil(steps.back().at))
      fail(item->where, "schedule steps must be in date order");
    f.done();
    steps.push_back(step);
  }
  return steps;
}

// The keys of one pricing block (a mapping, or one regime of a schedule). `p` holds the defaults:
// the vendor's pricing when reading a product's own.
Pricing read_pricing(Fields& f, const Node& node, Pricing p) {
  yaml::read_optional(f, "strategy", p.strategy, [](const Node& n, const std::string& k) {
    return yaml::to_enum(n, k, pricing_rule_names());
  });
  yaml::read_optional(f, "review_every", p.review_every, to_positive_duration);
  yaml::read_optional(f, "reaction_delay", p.reaction_delay, to_duration);
  number(f, "markup", p.markup);
  number(f, "undercut", p.undercut);
  number(f, "min_margin", p.min_margin);
  if (const Node* q = f.optional("q_learning")) p.q_learning = decode_q_learning(*q, p.q_learning);
  number(f, "discount_rate", p.discount_rate);
  if (const Node* h = f.optional("horizon")) {
    p.horizon = to_whole_months(*h, "horizon");
    if (p.horizon.months > 600) fail(h->where, "'horizon' must be at most 50 years (600 months)");
  }
  if (const Node* sch = f.optional("schedule")) p.schedule = decode_schedule(*sch);
  if (p.strategy == PricingRule::scheduled && p.schedule.empty())
    fail(node.where, "the 'scheduled' strategy needs a 'schedule' of dated steps");
  return p;
}

Pricing decode_pricing(const Node& node, const std::string& what, const Pricing& defaults) {
  Fields f(node, "pricing of " + what, fields::pricing());
  Pricing p = read_pricing(f, node, defaults);
  f.done();
  return p;
}

// `pricing:` is one block (one regime from the start) or a strategy schedule: a list of blocks,
// each with a `from:` date (the first may omit it, and starts on or before the run's start), in
// strictly increasing date order. Every regime is a full block read over the same defaults.
struct PricingSpec {
  Pricing first;
  std::vector<PricingRegime> later;
};

PricingSpec decode_pricing_spec(const Node& node, const std::string& what, const Pricing& defaults, Date start) {
  if (node.kind != Kind::sequence) return {decode_pricing(node, what, defaults), {}};
  PricingSpec spec;
  const auto items = list_of(node, "pricing", limits::kMaxSchedule);
  Date previous = start;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Node& item = *items[i];
    const std::string regime = "regime " + std::to_string(i + 1) + " of the pricing of " + what;
    if (item.kind != Kind::map) fail(item.where, regime + " must be a mapping, got " + item.kind_name());
    Fields f(item, regime, fields::pricing_regime());
    const Node* from_node = f.optional("from");
    Date from = start;
    if (from_node) from = to_date(*from_node, "from");
    else if (i > 0) fail(item.where, regime + " needs a 'from' date (only the first regime may omit it)");
    const Pricing p = read_pricing(f, item, defaults);
    f.done();
    const std::int64_t day = days_from_civil(from);
    if (i == 0) {
      if (day > days_from_civil(start))
        fail(from_node->where, "the first regime must start on or before the run's start " + to_iso(start) +
                                   ", got " + to_iso(from) + " (nothing would price before it)");
      spec.first = p;
    } else {
      if (day <= days_from_civil(previous))
        fail(from_node->where, "regimes must be in strictly increasing date order, after the run's start " +
                                   to_iso(start) + ": " + to_iso(from) + " is not after " + to_iso(previous));
      spec.later.push_back({from, p});
    }
    previous = i == 0 ? start : from;
  }
  return spec;
}

Offer decode_offer(const Node& node, const std::string& what, const Pricing& vendor_pricing, Date start) {
  Offer o;
  Fields f(node, what, fields::offer());
  f.allow_dates(o.dated);
  o.price = f.number("price");
  o.unit_cost = f.number("unit_cost");
  const Node& capacity = f.required("capacity");
  if (capacity.kind == Kind::map) {
    // Opening capacity sized to the opening demand, so that a market's size and shares can be
    // changed (or calibrated) without re-deriving every vendor's capacity by hand.
    Fields c(capacity, what + " capacity", fields::offer_capacity());
    o.opening_utilization = c.number("utilization");
    c.done();
    if (o.price <= 0) fail(capacity.where, what + ": a capacity sized to demand needs a price > 0 (a free product's demand is unbounded)");
  } else {
    o.capacity = yaml::to_number(capacity, "capacity", f.range("capacity"));
  }
  number(f, "cost_trend", o.cost_trend);
  number(f, "learning_rate", o.learning_rate);
  number(f, "initial_experience", o.initial_experience);
  number(f, "capex_per_unit", o.capex_per_unit);
  if (const Node* pricing = f.optional("pricing")) {
    PricingSpec spec = decode_pricing_spec(*pricing, what, vendor_pricing, start);
    o.pricing = spec.first;
    o.later_pricing = std::move(spec.later);
  }
  f.done();
  return o;
}

CapacityPolicy decode_capacity_policy(const Node& node, const std::string& what) {
  CapacityPolicy c;
  Fields f(node, "capacity_policy of " + what, fields::capacity_policy());
  number(f, "target_utilization", c.target_utilization);
  yaml::read_optional(f, "lead_time", c.lead_time, to_positive_duration);
  if (c.lead_time.days != 0) fail(f.where(), "'lead_time' must be whole months or years");
  number(f, "life_years", c.life_years);
  f.done();
  return c;
}

// The cash side of an investment policy, which vendors and independent investors both have.
// `capital:` dated tranches, or `budget:` as one tranche at the start; and how it weighs deals.
void read_investment_cash(Fields& f, InvestmentPolicy& p, Date start, bool vendor) {
  const Node* budget = f.optional("budget");
  const Node* capital = f.optional("capital");
  if (budget && capital)
    fail(capital->where, f.what() + " has both 'budget' and 'capital'; 'budget: X' is short for 'capital: [{at: "
                         "<start>, amount: X}]', give one of them");
  if (budget) p.capital.push_back({start, yaml::to_number(*budget, "budget", f.range("budget"))});
  else if (capital)
    for (const auto& item : list_of(*capital, "capital", limits::kMaxSchedule)) {
      Fields t(*item, "capital tranche of " + f.what(), fields::capital_tranche());
      CapitalTranche tranche;
      tranche.at = to_date(t.required("at"), "at");
      tranche.amount = t.number("amount");
      t.done();
      if (!p.capital.empty() && days_from_civil(tranche.at) < days_from_civil(p.capital.back().at))
        fail(item->where, "the capital tranches of " + f.what() + " must be in date order");
      p.capital.push_back(tranche);
    }
  else
    f.required("budget");  // reports the missing key
  number(f, "max_ticket", p.max_ticket);
  if (vendor)
    number(f, "cost_of_capital", p.cost_of_capital);
  else
    number(f, "hurdle_rate", p.hurdle_rate);
  number(f, "failure_hazard", p.failure_hazard);
  number(f, "exit_years", p.exit_years);
}

InvestmentPolicy decode_investment(const Node& node, const std::string& what, Date start) {
  InvestmentPolicy p;
  Fields f(node, "investment of " + what, fields::investment());
  read_investment_cash(f, p, start, true);
  number(f, "credit_share", p.credit_share);
  number(f, "commitment", p.commitment);
  yaml::read_optional(f, "exclusive", p.exclusive, [](const Node& n, const std::string& k) {
    return yaml::to_enum(n, k, bool_names());
  });
  yaml::read_optional(f, "duration", p.duration, to_whole_months);
  f.done();
  return p;
}

std::vector<Datacenter> decode_datacenters(const Node& node, const std::string& vendor) {
  std::vector<Datacenter> dcs;
  std::set<std::string> ids;
  for (const auto& item : list_of(node, "datacenters", limits::kMaxDatacenters)) {
    Fields f(*item, "datacenter of vendor '" + vendor + "'", fields::datacenter());
    Datacenter dc;
    const Node& id = f.required("id");
    dc.id = yaml::to_id(id, "id");
    check_unique_id(ids, dc.id, id, "datacenter");
    dc.flops = f.number("flops");
    f.done();
    dcs.push_back(dc);
  }
  return dcs;
}

// A vendor's `chip_programme` (docs/scenario.md): it acts on the GPU product, so the scenario needs
// a compute product.
ChipProgramme decode_chip_programme(const Node& node, const std::string& what, const std::vector<Product>& products) {
  ChipProgramme c;
  Fields f(node, "chip_programme of " + what, fields::chip_programme());
  if (std::none_of(products.begin(), products.end(), [](const Product& p) { return p.kind == ProductKind::compute; }))
    fail(node.where, "the chip_programme of " + what + " lowers the cost of the GPU product (the first product measured "
                     "in gpu_hour, else the first compute product), and the scenario has no compute product");
  if (const Node* steps = f.optional("rd_spend")) {
    for (const auto& item : list_of(*steps, "rd_spend", limits::kMaxSchedule, true)) {
      Fields g(*item, "rd_spend step of the chip_programme of " + what, fields::rd_spend_step());
      RdSpendStep step;
      const Node& from = g.required("from");
      step.from = to_date(from, "from");
      step.per_month = g.number("per_month");
      g.done();
      if (!c.rd_spend.empty() && days_from_civil(step.from) <= days_from_civil(c.rd_spend.back().from))
        fail(from.where, "rd_spend steps must be in strictly increasing date order: " + to_iso(step.from) +
                             " is not after " + to_iso(c.rd_spend.back().from));
      c.rd_spend.push_back(step);
    }
  }
  number(f, "rd_before_start", c.rd_before_start);
  if (const Node* lag = f.optional("lag")) {
    c.lag = to_duration(*lag, "lag");
    if (c.lag.days != 0) fail(lag->where, "'lag' must be whole months or years, got '" + lag->scalar + "'");
  }
  number(f, "rd_scale", c.rd_scale);
  number(f, "max_saving", c.max_saving);
  number(f, "supply_per_month", c.supply_per_month);
  number(f, "markup", c.markup);
  f.done();
  return c;
}

Vendor decode_vendor(const Node& node, const std::vector<Product>& products, Date start) {
  Vendor v;
  Fields f(node, "vendor", fields::vendor());
  v.id = read_id(f, "vendor");
  f.allow_dates(v.dated);
  const std::string what = f.what();
  yaml::read_optional(f, "region", v.region, yaml::to_id);
  v.initial_share = f.number("initial_share");
  number(f, "cash", v.cash);
  number(f, "fixed_cost_per_month", v.fixed_cost_per_month);
  v.datacenters = decode_datacenters(f.required("datacenters"), v.id);

  if (const Node* pricing = f.optional("pricing")) {
    PricingSpec spec = decode_pricing_spec(*pricing, what, Pricing{}, start);
    v.pricing = spec.first;
    v.later_pricing = std::move(spec.later);
  }
  if (const Node* policy = f.optional("capacity_policy")) v.capacity_policy = decode_capacity_policy(*policy, what);
  yaml::read_optional(f, "exit_after", v.exit_after, to_duration);
  yaml::read_optional(f, "ai_strategy", v.ai_strategy, [](const Node& n, const std::string& k) {
    return yaml::to_enum(n, k, ai_strategy_names());
  });
  number(f, "revenue_share", v.revenue_share);
  if (const Node* investment = f.optional("investment")) v.investment = decode_investment(*investment, what, start);
  if (const Node* chips = f.optional("chip_programme")) v.chip_programme = decode_chip_programme(*chips, what, products);
  const Node& offers = f.required("products");
  if (offers.kind != Kind::map) fail(offers.where, "'products' of " + what + " must be a mapping of product id to offer");
  v.offers.resize(products.size());
  std::vector<bool> offered(products.size(), false);
  for (const auto& entry : offers.entries) {
    const std::size_t p = product_index(products, entry.key, entry.key_where);
    v.offers[p] = decode_offer(*entry.value, "offer of product '" + entry.key + "' by " + what, v.pricing, start);
    offered[p] = true;
  }
  for (std::size_t p = 0; p < products.size(); ++p)
    if (!offered[p])
      fail(offers.where, what + " has no offer for product '" + products[p].id +
                             "' (every vendor prices every product in this version)");
  f.done();
  return v;
}

Budget decode_budget(const Node& node, const std::string& segment) {
  Budget b;
  Fields f(node, "budget of segment '" + segment + "'", fields::budget());
  b.distribution = yaml::to_enum(f.required("distribution"), "distribution", budget_distribution_names());
  if (b.distribution == BudgetDistribution::lognormal) {
    b.median = f.number("median");
    number(f, "sigma", b.sigma);
  } else {
    b.minimum = f.number("minimum");
    b.alpha = f.number("alpha");
  }
  f.done();
  return b;
}

AiAdoption decode_ai_adoption(const Node& node, const std::vector<Product>& products, const std::string& what) {
  AiAdoption ai;
  Fields f(node, "ai_adoption of " + what, fields::ai_adoption());
  f.allow_dates(ai.dated);
  ai.p = required_number(f, "p");
  ai.q = required_number(f, "q");
  number(f, "initial", ai.initial);
  number(f, "spend_share", ai.spend_share);
  ai.product_shares =
      product_shares(f.required("products"), "products", f.range("products"), products, "ai_adoption of " + what);
  number(f, "demand_growth", ai.demand_growth);
  f.done();
  return ai;
}

OnPremises decode_on_premises(const Node& node, const std::string& what) {
  OnPremises o;
  Fields f(node, "on_premises of " + what, fields::on_premises());
  f.allow_dates(o.dated);
  number(f, "cost_level", o.cost_level);
  number(f, "hardware_share", o.hardware_share);
  number(f, "hardware_trend", o.hardware_trend);
  number(f, "staff_trend", o.staff_trend);
  number(f, "repatriation_cost", o.repatriation_cost);
  number(f, "discretionary_share", o.discretionary_share);
  f.done();
  return o;
}

Segment decode_segment(const Node& node, const std::vector<Product>& products) {
  Segment s;
  Fields f(node, "segment", fields::segment());
  s.id = read_id(f, "segment");
  f.allow_dates(s.dated);
  const std::string what = f.what();
  s.firms = f.integer<decltype(s.firms)>("firms");
  s.budget = decode_budget((f.required("budget")), s.id);
  number(f, "growth", s.growth);

  s.spend_shares = product_shares(f.required("spend_shares"), "spend_shares", f.range("spend_shares"), products, what);
  yaml::read_optional(f, "region", s.region, yaml::to_id);
  yaml::read_optional(f, "domestic_only", s.domestic_only, [](const Node& n, const std::string& k) {
    return yaml::to_enum(n, k, bool_names());
  });
  number(f, "price_elasticity", s.price_elasticity);
  number(f, "nesting", s.nesting);
  number(f, "multi_cloud_threshold", s.multi_cloud_threshold);
  if (const Node* ai = f.optional("ai_adoption")) s.ai_adoption = decode_ai_adoption(*ai, products, what);
  number(f, "price_sensitivity", s.price_sensitivity);
  number(f, "switching_cost", s.switching_cost);
  f.integer("contract_months", s.contract_months);
  number(f, "cloud_adoption", s.cloud_adoption);
  if (const Node* on_premises = f.optional("on_premises")) s.on_premises = decode_on_premises(*on_premises, what);
  f.done();
  return s;
}

MarketRules decode_market(const Node& node) {
  MarketRules m;
  Fields f(node, "market", fields::market());
  f.allow_dates(m.dated);
  if (const Node* old = f.optional("rationing_penalty"))  // a key of earlier versions: say what replaced it
    fail(old->where, "'rationing_penalty' was replaced by 'scarcity_premium': rationing is now priced in the "
                     "customers' price index (docs/model.md), not charged as a utility penalty");
  number(f, "scarcity_premium", m.scarcity_premium);
  number(f, "quality_per_decade", m.quality_per_decade);
  number(f, "model_choice_quality", m.model_choice_quality);
  number(f, "ecosystem_weight", m.ecosystem_weight);
  number(f, "model_quality_weight", m.model_quality_weight);
  number(f, "bundle_weight", m.bundle_weight);
  number(f, "flops_per_gpu_hour", m.flops_per_gpu_hour);
  number(f, "flops_per_million_tokens", m.flops_per_million_tokens);
  number(f, "model_choice_price", m.model_choice_price);
  number(f, "ai_layer_unbundled", m.ai_layer_unbundled);
  f.done();
  return m;
}

// Index of the element of `items` with this id, or an error naming the known ones.
template <class T>
std::size_t id_index(const std::vector<T>& items, const Node& node, const std::string& key, const std::string& kind) {
  const std::string id = yaml::to_id(node, key);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].id == id) return i;
    ids.push_back(items[i].id);
  }
  std::string message = "unknown " + kind + " '" + id + "'";
  if (auto hint = yaml::did_you_mean(id, ids)) message += " (did you mean '" + *hint + "'?)";
  fail(node.where, message);
}

// An optional end date, which must be after the event's `at`.
void read_until(Fields& f, Event& e) {
  if (const Node* until = f.optional("until")) {
    e.until = to_date(*until, "until");
    if (days_from_civil(*e.until) <= days_from_civil(e.at)) fail(until->where, "'until' must be after 'at'");
  }
}

// Each event type reads only its own keys: any other key is an unknown key.
std::vector<Event> decode_events(const Node& node, const Scenario& sc) {
  std::vector<Event> events;
  if (node.kind != Kind::sequence) fail(node.where, "'events' must be a list");
  if (node.items.size() > limits::kMaxEvents) fail(node.where, "too many events");
  for (const auto& item : node.items) {
    Fields f(*item, "event", fields::event());
    Event e;
    e.type = yaml::to_enum(f.required("type"), "type", event_type_names());
    f.select(name_of(e.type));
    e.at = to_date(f.required("at"), "at");
    e.where = item->where;
    if (e.type == EventType::budget_shock) {
      e.segment = id_index(sc.segments, f.required("segment"), "segment", "segment");
      e.change = f.number("change");
      read_until(f, e);
    } else if (e.type == EventType::price_change) {
      e.vendor = id_index(sc.vendors, f.required("vendor"), "vendor", "vendor");
      e.product = id_index(sc.products, f.required("product"), "product", "product");
      number(f, "change", e.change);
      number(f, "price", e.price);
      if (e.change.has_value() == e.price.has_value())
        fail(item->where, "a price_change event needs exactly one of 'change' and 'price'");
      yaml::read_optional(f, "for", e.hold_for, to_positive_duration);
    } else if (e.type == EventType::export_control) {
      e.region = yaml::to_id(f.required("region"), "region");
      e.product = id_index(sc.products, f.required("product"), "product", "product");
      number(f, "substitute_efficiency", e.substitute_efficiency);
      number(f, "substitute_cap", e.substitute_cap);
    } else if (e.type == EventType::outage) {
      e.vendor = id_index(sc.vendors, f.required("vendor"), "vendor", "vendor");
      read_until(f, e);
      e.availability = f.number("availability");
    } else {  // cost_shock
      e.product = id_index(sc.products, f.required("product"), "product", "product");
      if (const Node* region = f.optional("region")) e.region = yaml::to_id(*region, "region");
      e.change = f.number("change");
    }
    f.done();
    events.push_back(e);
  }
  return events;
}

// An independent investor: cash only, so none of a vendor's credit, commitment or exclusivity keys.
Investor decode_investor(const Node& node, Date start) {
  Investor inv;
  Fields f(node, "investor", fields::investor());
  inv.id = read_id(f, "investor");
  read_investment_cash(f, inv.policy, start, false);
  f.done();
  return inv;
}

Startup decode_startup(const Node& node, const std::vector<Vendor>& vendors) {
  Startup s;
  Fields f(node, "startup", fields::startup());
  s.id = read_id(f, "startup");
  f.allow_dates(s.dated);
  const std::string what = f.what();
  yaml::read_optional(f, "region", s.region, yaml::to_id);
  if (const Node* owner = f.optional("owner")) s.owner = id_index(vendors, *owner, "owner", "vendor");
  s.cash = f.number("cash");
  s.burn_per_month = required_number(f, "burn_per_month");
  number(f, "training_flops", s.training_flops);
  // Keys of earlier versions: say what replaced them.
  for (const std::string& old : fields::startup().retired)
    if (const Node* n = f.optional(old))
      fail(n->where, what + ": '" + old + "' was replaced by the training plan: a startup buys the compute its money "
                         "and expected API revenue justify (docs/model.md, \"AI startups\"), renting GPU-hours on "
                         "its vendor's free capacity for 'run_months'; remove it");
  number(f, "run_months", s.run_months);
  number(f, "plan_horizon_months", s.plan_horizon_months);
  const Node& trains_on = f.required("trains_on");
  s.trains_on = id_index(vendors, trains_on, "trains_on", "vendor");
  if (s.owner && *s.owner != s.trains_on)
    fail(trains_on.where, what + " is owned by vendor '" + vendors[*s.owner].id + "' and must train on it, not on '" +
                              vendors[s.trains_on].id + "'");
  number(f, "runway_months", s.runway_months);
  number(f, "round_months", s.round_months);
  number(f, "valuation", s.valuation);
  number(f, "api_price", s.api_price);
  yaml::read_optional(f, "open_weight", s.open_weight, [](const Node& n, const std::string& k) {
    return yaml::to_enum(n, k, bool_names());
  });
  if (const Node* pricing = f.optional("pricing")) {
    s.pricing = decode_pricing(*pricing, what, Pricing{});
    // A strategy moves a price: it needs one to start from (the hosts' list prices differ).
    if (s.pricing.strategy != PricingRule::fixed && !s.api_price)
      fail(pricing->where, what + " has a '" + std::string(name_of(s.pricing.strategy)) +
                               "' pricing strategy and needs an 'api_price' to start from");
    if (s.open_weight && s.pricing.strategy != PricingRule::fixed)
      fail(pricing->where, what + " is open-weight: its hosts set its price, so its pricing must be 'fixed'");
    // dynamic_best_response values a vendor's installed base of enterprise contracts; an API has none.
    if (s.pricing.strategy == PricingRule::dynamic_best_response)
      fail(pricing->where, what + ": 'dynamic_best_response' prices a vendor's product for its installed base of "
                                  "contracts; an API has none, use 'best_response'");
  }
  if (s.open_weight && s.api_price)
    fail(node.where, what + " is open-weight: its hosts set its price, so it takes no 'api_price'");
  f.done();
  return s;
}

}  // namespace

// Startups train on vendors' hosts and pay for it in GPU-hours: a vendor's hosts must not run more
// FLOP in a (31-day) month than its GPU capacity sells, or training would buy more GPU-hours than
// exist. Checked when there are startups and a GPU product.
void check_training_fleets(const Scenario& sc, const NodePtr& root) {
  if (sc.startups.empty()) return;
  std::optional<std::size_t> gpu;
  for (std::size_t p = 0; p < sc.products.size() && !gpu; ++p)
    if (sc.products[p].unit == "gpu_hour") gpu = p;
  for (std::size_t p = 0; p < sc.products.size() && !gpu; ++p)
    if (sc.products[p].kind == ProductKind::compute) gpu = p;
  if (!gpu) return;
  for (std::size_t v = 0; v < sc.vendors.size(); ++v) {
    double flops = 0;
    for (const auto& dc : sc.vendors[v].datacenters) flops += dc.flops;
    const double hours = flops * 31 * 86400 / sc.market.flops_per_gpu_hour;
    const double capacity = sc.vendors[v].offers[*gpu].capacity;
    if (sc.vendors[v].offers[*gpu].opening_utilization == 0 && hours > capacity * (1 + 1e-9)) {
      const auto& item = root->find("vendors")->value->items[v];
      char figures[160];
      std::snprintf(figures, sizeof figures, "%.4g GPU-hours a month (flops x 31 days / market.flops_per_gpu_hour)",
                    hours);
      char cap[64];
      std::snprintf(cap, sizeof cap, "%.4g", capacity);
      fail(item->where, "vendor '" + sc.vendors[v].id + "': its data centres can train " + figures + " but its '" +
                            sc.products[*gpu].id + "' capacity is " + cap +
                            " GPU-hours a month; lower the data centres' flops or raise the capacity");
    }
  }
}

Scenario decode_scenario(const NodePtr& root) {
  Scenario sc;
  Fields f(*root, "the scenario", fields::scenario());
  const Node& schema = f.required("schema");
  if (yaml::to_text(schema, "schema") != kScenarioSchema)
    fail(schema.where, std::string("'schema' must be '") + kScenarioSchema + "', got '" + schema.scalar + "'");
  sc.name = yaml::to_id(f.required("name"), "name");
  f.integer("seed", sc.seed);
  sc.time = decode_time((f.required("time")));
  run_start = sc.time.start;
  yaml::read_optional(f, "currency", sc.currency, yaml::to_id);
  sc.products = decode_products(f.required("products"));

  const Node& vendors = f.required("vendors");
  std::set<std::string> vendor_ids;
  double share_total = 0;
  for (const auto& item : list_of(vendors, "vendors", limits::kMaxVendors)) {
    sc.vendors.push_back(decode_vendor(*item, sc.products, sc.time.start));
    check_unique_id(vendor_ids, sc.vendors.back().id, *item, "vendor");
    share_total += sc.vendors.back().initial_share;
  }
  if (std::fabs(share_total - 1.0) > 1e-3)
    fail(vendors.where, "the vendors' initial_share values must sum to 1 (add a fringe vendor for the rest of "
                        "the market), they sum to " + std::to_string(share_total));

  const Node& segments = f.required("segments");
  std::set<std::string> segment_ids;
  std::int64_t firms_total = 0;
  for (const auto& item : list_of(segments, "segments", limits::kMaxSegments)) {
    sc.segments.push_back(decode_segment(*item, sc.products));
    const Segment& seg = sc.segments.back();
    if (seg.domestic_only &&
        std::none_of(sc.vendors.begin(), sc.vendors.end(), [&](const Vendor& v) { return v.region == seg.region; }))
      fail(item->where, "segment '" + seg.id + "' is domestic_only in region '" + seg.region +
                            "', but no vendor is in that region");
    check_unique_id(segment_ids, sc.segments.back().id, *item, "segment");
    firms_total += sc.segments.back().firms;
  }
  if (firms_total > limits::kMaxFirmsTotal)
    fail(segments.where, "the segments hold " + std::to_string(firms_total) + " firms; at most " +
                             std::to_string(limits::kMaxFirmsTotal) + " are allowed");
  if (const Node* market = f.optional("market")) sc.market = decode_market(*market);
  if (const Node* events = f.optional("events")) sc.events = decode_events(*events, sc);
  std::set<std::string> investor_ids;
  if (const Node* investors = f.optional("investors"))
    for (const auto& item : list_of(*investors, "investors", limits::kMaxInvestors, true)) {
      sc.investors.push_back(decode_investor(*item, sc.time.start));
      const std::string& id = sc.investors.back().id;
      check_unique_id(investor_ids, id, *item, "investor");
      check_id_not_in(vendor_ids, id, *item, "investor", "vendor");
    }
  std::set<std::string> startup_ids;
  if (const Node* startups = f.optional("startups"))
    for (const auto& item : list_of(*startups, "startups", limits::kMaxStartups, true)) {
      sc.startups.push_back(decode_startup(*item, sc.vendors));
      const std::string& id = sc.startups.back().id;
      check_unique_id(startup_ids, id, *item, "startup");
      check_id_not_in(vendor_ids, id, *item, "startup", "vendor");
      check_id_not_in(investor_ids, id, *item, "startup", "investor");
    }
  check_training_fleets(sc, root);
  f.done();
  return sc;
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       std::vector<std::string>* files_read) {
  yaml::NodePtr root = yaml::load_with_extends(path, {}, files_read);
  for (const auto& assignment : overrides) yaml::apply_override(root, assignment);
  return decode_scenario(root);
}

}  // namespace cm
