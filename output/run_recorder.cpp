#include "output/run_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "output/cf_metadata.hpp"
#include "sim/scenario_names.hpp"
#include "version.hpp"

namespace cm {

using output::Attr;
using output::DType;
using output::VarId;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int months_in(OutputPeriod p) { return p == OutputPeriod::month ? 1 : p == OutputPeriod::quarter ? 3 : 12; }

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& items) {
  std::vector<std::string> ids;
  for (const auto& item : items) ids.push_back(item.id);
  return ids;
}

double ratio(double a, double b) { return b != 0 ? a / b : kNaN; }

}  // namespace

struct RunRecorder::Layout {
  VarId time, time_bnds, price, quantity, revenue, cost_of_goods, capacity, utilization;
  VarId vendor_revenue, vendor_profit, vendor_cash, vendor_gross_margin, market_share, vendor_customers;
  VarId vendor_capex, vendor_flops;
  VarId chip_rd_spend, chip_sales, chip_sales_cost, chip_output, chip_cost_factor;
  VarId hhi, market_revenue, consumer_surplus, cloud_adoption, ai_adoption, segment_spend;
  VarId on_premises_cost, repatriations, returns_to_cloud;
  VarId exit_index, exit_time, exit_kind, exit_id, exit_cash, exit_customers, exit_written_off;
  VarId roundtrip, payouts, stakes, investor_cash;
  VarId startup_cash, startup_quality, startup_revenue, startup_spend, startup_alive;
  VarId startup_valuation, startup_planned_spend, startup_gpu_hours;
  // vendor_inference_served and _unserved: only in runs with startups and a model product.
  bool inference = false;
  VarId inference_served, inference_unserved;
  VarId deal_index, deal_time, deal_startup, deal_investor, deal_amount, deal_pre_money, deal_credits, deal_commitment,
      deal_exclusive, deal_duration, deal_last_post_money, deal_down_round;
  VarId run_index, run_startup, run_vendor, run_flops, run_start, run_end;
  std::int64_t deals = 0, runs = 0;
  std::int64_t exits = 0;
  VarId change_index, change_time, change_effective, change_vendor, change_product, change_old, change_new, change_reason;
  std::int64_t changes = 0;
  // events/api_price_changes: only in runs where some startup prices its API.
  bool api_changes_table = false;
  VarId api_index, api_time, api_effective, api_startup, api_old, api_new, api_reason;
  std::int64_t api_changes = 0;
  bool learning = false;  // /strategies/q_learning exists: some regime uses q_learning
  VarId learner_index, learner_vendor, learner_product, learner_regime, learner_reviews, learner_credited;
  VarId state_index, state_learner, state_own, state_rivals, state_greedy, state_markup, state_price;
};

RunRecorder::RunRecorder(output::NetcdfFile& file, const Scenario& sc, const std::string& resolved_yaml)
    : file_(file), scenario_(sc), calendar_(sc.time.start), months_per_period_(months_in(sc.time.output_period)),
      layout_(std::make_unique<Layout>()) {
  const std::string cur = sc.currency;
  const std::string since = "days since " + to_iso(sc.time.start) + " 00:00:00";
  // Units follow UDUNITS-2 (CF-1.8 §3.1) with two conventions (docs/output.md, "Units"): money is
  // written as the ISO 4217 code of `currency`, a token UDUNITS-2 does not know and a reader takes
  // as 1; a product unit (vcpu_hour, gpu_hour, million_tokens, ...) counts as 1 and the variable's
  // attribute product_unit names it.
  auto attrs = [](const std::string& units, const std::string& long_name, std::vector<Attr> more = {}) {
    std::vector<Attr> out{{"units", units}, {"long_name", long_name}};
    out.insert(out.end(), more.begin(), more.end());
    return out;
  };
  // cell_methods (CF-1.8 §7.3) of the (time, ...) variables: a flow summed over the output period
  // (time_bnds), a stock or level at the period's end, or a ratio of two flows, which is the mean
  // of the monthly ratios weighted by the denominator and NaN when it is 0.
  auto flow = [&attrs](const std::string& units, const std::string& long_name, std::vector<Attr> more = {}) {
    more.insert(more.begin(), Attr{"cell_methods", std::string("time: sum")});
    return attrs(units, long_name, more);
  };
  auto level = [&attrs](const std::string& units, const std::string& long_name, std::vector<Attr> more = {}) {
    more.insert(more.begin(), Attr{"cell_methods", std::string("time: point")});
    return attrs(units, long_name, more);
  };
  auto ratio_of_flows = [&attrs](const std::string& long_name, const std::string& weight) {
    return attrs("1", long_name,
                 {{"cell_methods", "time: mean (weighted by " + weight + ")"}, {"_FillValue", kNaN}});
  };
  auto time_attrs = [&since](const std::string& long_name) {
    return std::vector<Attr>{{"units", since}, {"calendar", std::string("standard")}, {"long_name", long_name}};
  };
  auto label = [](const std::string& text) { return std::vector<Attr>{{"long_name", text}}; };
  // Along the product dimension each product has its own unit; the variable product_unit names it.
  const Attr each_product_unit{"product_unit", std::string("unit of each product (variable product_unit)")};
  const Attr gpu_product_unit{"product_unit", std::string("unit of the GPU product (variable product_unit)")};

  file.label_dimension("", "vendor", ids_of(sc.vendors), label("cloud vendor"));
  file.label_dimension("", "product", ids_of(sc.products), label("product line"));
  file.label_dimension("", "segment", ids_of(sc.segments), label("enterprise segment"));
  file.label_dimension("", "startup", ids_of(sc.startups), label("AI-model startup"));
  file.label_dimension("", "investor", ids_of(sc.investors), label("independent investor"));
  std::vector<std::string> units;
  for (const auto& p : sc.products) units.push_back(p.unit);
  const VarId product_unit = file.variable("", "product_unit", {"product"}, DType::str,
                                           label("what one unit of the product is"));
  file.write_whole(product_unit, units);

  Layout& L = *layout_;
  L.time = file.growing_dimension("", "time", DType::f64,
                                  {{"units", since},
                                   {"calendar", std::string("standard")},
                                   {"standard_name", std::string("time")},
                                   {"long_name", std::string("start of the output period")},
                                   {"bounds", std::string("time_bnds")}});
  file.bare_dimension("", "nv", 2);
  L.time_bnds = file.variable("", "time_bnds", {"time", "nv"}, DType::f64,
                              time_attrs("start and end of the output period (the next period's start)"));
  const std::vector<std::string> tvp{"time", "vendor", "product"}, tv{"time", "vendor"}, t{"time"},
      ts{"time", "segment"};
  L.price = file.variable("", "price", tvp, DType::f64, level(cur, "list price per product unit, at the end of the period", {each_product_unit}));
  L.quantity = file.variable("", "quantity", tvp, DType::f64, flow("1", "product units sold in the period", {each_product_unit}));
  L.revenue = file.variable("", "revenue", tvp, DType::f64, flow(cur, "revenue from the product in the period"));
  L.cost_of_goods = file.variable("", "cost_of_goods", tvp, DType::f64, flow(cur, "cost of goods of the units sold in the period (units x unit cost)"));
  L.capacity = file.variable("", "capacity", tvp, DType::f64, flow("1", "product units the vendor can deliver in the period", {each_product_unit}));
  L.utilization = file.variable("", "utilization", tvp, DType::f64, ratio_of_flows("units sold / capacity", "capacity"));
  L.vendor_revenue = file.variable("", "vendor_revenue", tv, DType::f64, flow(cur, "vendor revenue, all products"));
  L.vendor_profit = file.variable("", "vendor_profit", tv, DType::f64, flow(cur, "operating profit: revenue - cost of goods - fixed costs - depreciation - model payouts - chip R&D + chip sales - their making cost"));
  L.vendor_flops = file.variable("", "vendor_flops", tv, DType::f64, level("s-1", "compute capacity of the vendor's SimGrid hosts in the last month of the period, in floating-point operations (FLOP) per second"));
  L.vendor_capex = file.variable("", "vendor_capex", tv, DType::f64, flow(cur, "capital spending on capacity ordered"));
  L.chip_rd_spend = file.variable("", "chip_rd_spend", tv, DType::f64, flow(cur, "R&D paid for the vendor's chip programme"));
  L.chip_sales = file.variable("", "chip_sales", tv, DType::f64, flow(cur, "own-chip GPU capacity sold to region rivals whose orders export controls cut (not in vendor_revenue)"));
  L.chip_sales_cost = file.variable("", "chip_sales_cost", tv, DType::f64, flow(cur, "what making the GPU capacity sold in chip_sales cost the vendor"));
  L.chip_output = file.variable("", "chip_output", tv, DType::f64, flow("month-1", "GPU capacity (product units a month) ordered in the period on the vendor's own chips: its own orders and what it sold", {gpu_product_unit}));
  L.chip_cost_factor = file.variable("", "chip_cost_factor", tv, DType::f64, level("1", "multiplier of the vendor's GPU unit cost and capex per unit from its chip programme, in the last month of the period (1: none)"));
  L.vendor_cash = file.variable("", "vendor_cash", tv, DType::f64, level(cur, "cash at the end of the period"));
  L.vendor_gross_margin = file.variable("", "vendor_gross_margin", tv, DType::f64, ratio_of_flows("(revenue - cost of goods) / revenue", "revenue"));
  L.market_share = file.variable("", "market_share", tv, DType::f64, ratio_of_flows("share of market revenue", "market revenue"));
  L.vendor_customers = file.variable("", "vendor_customers", tv, DType::i64, level("1", "firms with a contract at the end of the period"));
  L.hhi = file.variable("", "hhi", t, DType::f64,
                        attrs("1", "Herfindahl-Hirschman index of revenue shares, 0-10000",
                              {{"cell_methods", std::string("time: mean (index of market_share, itself weighted by market revenue)")},
                               {"_FillValue", kNaN}}));
  L.market_revenue = file.variable("", "market_revenue", t, DType::f64, flow(cur, "revenue of all vendors"));
  L.consumer_surplus = file.variable("", "consumer_surplus", t, DType::f64,
      flow(cur, "expected surplus of a fresh choice over on-premises (logit inclusive value, money-metric)"));
  L.cloud_adoption = file.variable("", "cloud_adoption", ts, DType::f64, level("1", "fraction of the segment's firms on a cloud at the end of the period"));
  L.on_premises_cost = file.variable("", "on_premises_cost", ts, DType::f64, level("1", "on-premises cost index of the segment in the last month of the period, 1 at the start"));
  L.repatriations = file.variable("", "repatriations", ts, DType::i64, flow("1", "firms that moved from a cloud to on-premises in the period"));
  L.returns_to_cloud = file.variable("", "returns_to_cloud", ts, DType::i64, flow("1", "firms that moved from on-premises to a cloud in the period"));
  const std::vector<std::string> tst{"time", "startup"};
  L.roundtrip = file.variable("", "roundtrip_revenue", tv, DType::f64, flow(cur, "revenue paid with invested money: cloud credits from the vendor's own deals, and spend under a deal's commitment"));
  L.payouts = file.variable("", "vendor_model_payouts", tv, DType::f64, flow(cur, "model (MaaS) revenue passed on to the startups whose models the vendor hosts"));
  L.stakes = file.variable("", "vendor_stakes", tv, DType::f64, level(cur, "value of the vendor's stakes in live startups at their last post-money valuations"));
  L.investor_cash = file.variable("", "investor_cash", {"time", "investor"}, DType::f64, level(cur, "independent investor's uninvested capital, tranches not yet available included"));
  L.startup_cash = file.variable("", "startup_cash", tst, DType::f64, level(cur, "startup cash at the end of the period (credits not included)"));
  L.startup_quality = file.variable("", "startup_quality", tst, DType::f64, level("1", "model quality: quality_per_decade * log10(cumulative training FLOP / 1e21)"));
  L.startup_revenue = file.variable("", "startup_revenue", tst, DType::f64, flow(cur, "model revenue from the marketplaces that host the startup"));
  L.startup_spend = file.variable("", "startup_compute_spend", tst, DType::f64, flow(cur, "training compute bought from its vendor (credits and cash)"));
  L.startup_alive = file.variable("", "startup_alive", tst, DType::i64, level("1", "1 while the startup is in business, 0 after it failed"));
  L.startup_valuation = file.variable("", "startup_valuation", tst, DType::f64, level(cur, "pre-money valuation a round would have at the end of the period: revenue multiple x expected API revenue of the next 12 months (0 after it failed)"));
  L.startup_planned_spend = file.variable("", "startup_planned_spend", tst, DType::f64, flow(cur, "compute spend of the training runs planned in the period, at the GPU price when planned"));
  L.startup_gpu_hours = file.variable("", "startup_gpu_hours", tst, DType::f64, level("month-1", "GPU-hours a month its running training rents at the end of the period (0: not training)", {{"product_unit", std::string("gpu_hour")}}));
  L.inference = !sc.startups.empty() && std::any_of(sc.products.begin(), sc.products.end(), [](const Product& p) {
    return p.kind == ProductKind::model;
  });
  if (L.inference) {
    L.inference_served = file.variable("", "vendor_inference_served", tv, DType::f64, flow("1", "inference work the vendor's hosts served for the startups' models it hosts, after its startups' training, in floating-point operations (FLOP)"));
    L.inference_unserved = file.variable("", "vendor_inference_unserved", tv, DType::f64, flow("1", "inference work the hosted models' tokens wanted beyond what the vendor's hosts had left after training, in floating-point operations (FLOP)"));
  }
  L.ai_adoption = file.variable("", "ai_adoption", ts, DType::f64, level("1", "fraction of the segment's firms that have adopted AI"));
  L.segment_spend = file.variable("", "segment_spend", ts, DType::f64, flow(cur, "what the segment's firms paid to all vendors"));

  const std::string events = "events/price_changes";
  file.attribute(events, {"long_name", std::string("announced list-price changes")});
  L.change_index = file.growing_dimension(events, "change", DType::i64, attrs("1", "price change number"));
  L.change_time = file.variable(events, "announced", {"change"}, DType::f64,
                                time_attrs("when the change was announced"));
  L.change_effective = file.variable(events, "effective", {"change"}, DType::f64,
                                     time_attrs("when the new price takes effect"));
  L.change_vendor = file.variable(events, "vendor_id", {"change"}, DType::str, label("vendor"));
  L.change_product = file.variable(events, "product_id", {"change"}, DType::str, label("product"));
  const Attr row_product_unit{"product_unit", std::string("unit of the product product_id (variable product_unit)")};
  L.change_old = file.variable(events, "old_price", {"change"}, DType::f64, attrs(cur, "price per product unit before the change", {row_product_unit}));
  L.change_new = file.variable(events, "new_price", {"change"}, DType::f64, attrs(cur, "price per product unit after the change", {row_product_unit}));
  L.change_reason = file.variable(events, "reason", {"change"}, DType::str, label("pricing rule that made the change"));

  for (const auto& v : sc.vendors)
    for (std::size_t p = 0; p < sc.products.size(); ++p) {
      for (const auto& r : v.regimes_of(p, sc.time.start))
        L.learning = L.learning || r.pricing.strategy == PricingRule::q_learning;
    }
  if (L.learning) {
    const std::string q = "strategies/q_learning";
    file.attribute(q, {"long_name", std::string("what each q_learning strategy learnt, at the end of the run")});
    L.learner_index = file.growing_dimension(q, "learner", DType::i64, attrs("1", "q_learning strategy number"));
    L.learner_vendor = file.variable(q, "vendor_id", {"learner"}, DType::str, label("vendor"));
    L.learner_product = file.variable(q, "product_id", {"learner"}, DType::str, label("product"));
    L.learner_regime = file.variable(q, "regime", {"learner"}, DType::i64, attrs("1", "regime of the vendor's pricing of the product (0: the first)"));
    L.learner_reviews = file.variable(q, "reviews", {"learner"}, DType::i64, attrs("1", "price reviews made"));
    L.learner_credited = file.variable(q, "credited", {"learner"}, DType::i64,
                                       attrs("1", "actions credited with the profit of the months their price was in force"));
    L.state_index = file.growing_dimension(q, "state", DType::i64, attrs("1", "state number"));
    L.state_learner = file.variable(q, "learner_of_state", {"state"}, DType::i64, attrs("1", "the learner (index along 'learner') whose state it is"));
    L.state_own = file.variable(q, "own_level", {"state"}, DType::i64, attrs("1", "own price's grid level (0 = min_markup)"));
    L.state_rivals = file.variable(q, "rival_levels", {"state"}, DType::str,
                                   label("active rivals' price levels on the own grid, comma-separated, in vendor order"));
    L.state_greedy = file.variable(q, "greedy_level", {"state"}, DType::i64, attrs("1", "grid level of the greedy action"));
    L.state_markup = file.variable(q, "greedy_markup", {"state"}, DType::f64, attrs("1", "markup of the greedy action over unit cost"));
    L.state_price = file.variable(q, "greedy_price", {"state"}, DType::f64,
                                  attrs(cur, "greedy action's price per product unit at the unit cost of the last month",
                                        {{"product_unit", std::string("unit of the learner's product (variable product_unit)")}}));
  }

  const std::string failures = "events/failures";
  file.attribute(failures, {"long_name", std::string("agents that left the market")});
  L.exit_index = file.growing_dimension(failures, "failure", DType::i64, attrs("1", "failure number"));
  L.exit_time = file.variable(failures, "time", {"failure"}, DType::f64,
                              time_attrs("when it left"));
  L.exit_kind = file.variable(failures, "kind", {"failure"}, DType::str, label("vendor or startup"));
  L.exit_id = file.variable(failures, "id", {"failure"}, DType::str, label("who left"));
  L.exit_cash = file.variable(failures, "cash", {"failure"}, DType::f64, attrs(cur, "cash when it left"));
  L.exit_customers = file.variable(failures, "customers", {"failure"}, DType::i64, attrs("1", "contracts that had to re-choose"));
  L.exit_written_off = file.variable(failures, "written_off", {"failure"}, DType::f64, attrs(cur, "value of investors' stakes written off"));

  const std::string deals = "events/deals";
  file.attribute(deals, {"long_name", std::string("signed investment deals (term sheets accepted)")});
  L.deal_index = file.growing_dimension(deals, "deal", DType::i64, attrs("1", "deal number"));
  L.deal_time = file.variable(deals, "time", {"deal"}, DType::f64,
                              time_attrs("when it was signed"));
  L.deal_startup = file.variable(deals, "startup_id", {"deal"}, DType::str, label("startup"));
  L.deal_investor = file.variable(deals, "investor_id", {"deal"}, DType::str, label("investor: a vendor id or an independent investor id"));
  L.deal_amount = file.variable(deals, "amount", {"deal"}, DType::f64, attrs(cur, "amount invested, credits included"));
  L.deal_pre_money = file.variable(deals, "pre_money", {"deal"}, DType::f64, attrs(cur, "pre-money valuation"));
  L.deal_credits = file.variable(deals, "credits", {"deal"}, DType::f64, attrs(cur, "part of the amount paid as cloud credits"));
  L.deal_commitment = file.variable(deals, "commitment", {"deal"}, DType::f64, attrs(cur, "spend the startup commits on the investor's cloud"));
  L.deal_exclusive = file.variable(deals, "exclusive", {"deal"}, DType::i64, attrs("1", "1: the startup trains and is hosted only on the investor's cloud"));
  L.deal_duration = file.variable(deals, "duration_months", {"deal"}, DType::i64, attrs("month", "how long credits and the commitment last"));
  L.deal_last_post_money = file.variable(deals, "last_post_money", {"deal"}, DType::f64, attrs(cur, "the startup's post-money valuation at its previous round (0: first round)"));
  L.deal_down_round = file.variable(deals, "down_round", {"deal"}, DType::i64, attrs("1", "1: pre_money below the previous round's post-money"));

  const std::string runs = "events/training_runs";
  file.attribute(runs, {"long_name", std::string("finished training runs (SimGrid executions on vendor hosts)")});
  L.run_index = file.growing_dimension(runs, "run", DType::i64, attrs("1", "run number"));
  L.run_startup = file.variable(runs, "startup_id", {"run"}, DType::str, label("startup"));
  L.run_vendor = file.variable(runs, "vendor_id", {"run"}, DType::str, label("vendor whose host ran it"));
  L.run_flops = file.variable(runs, "flops", {"run"}, DType::f64, attrs("1", "training compute of the run, in floating-point operations (FLOP)"));
  L.run_start = file.variable(runs, "start", {"run"}, DType::f64,
                              time_attrs("when it started"));
  L.run_end = file.variable(runs, "end", {"run"}, DType::f64,
                            time_attrs("when it finished"));

  L.api_changes_table = std::any_of(sc.startups.begin(), sc.startups.end(),
                                    [](const Startup& s) { return s.pricing.strategy != PricingRule::fixed; });
  if (L.api_changes_table) {
    const std::string api = "events/api_price_changes";
    file.attribute(api, {"long_name", std::string("announced changes of startups' API prices")});
    const Attr million_tokens{"product_unit", std::string("million_tokens")};
    L.api_index = file.growing_dimension(api, "change", DType::i64, attrs("1", "API price change number"));
    L.api_time = file.variable(api, "announced", {"change"}, DType::f64, time_attrs("when the change was announced"));
    L.api_effective = file.variable(api, "effective", {"change"}, DType::f64, time_attrs("when the new price takes effect"));
    L.api_startup = file.variable(api, "startup_id", {"change"}, DType::str, label("startup"));
    L.api_old = file.variable(api, "old_price", {"change"}, DType::f64, attrs(cur, "API price per million tokens before the change", {million_tokens}));
    L.api_new = file.variable(api, "new_price", {"change"}, DType::f64, attrs(cur, "API price per million tokens after the change", {million_tokens}));
    L.api_reason = file.variable(api, "reason", {"change"}, DType::str, label("pricing rule that made the change"));
  }

  // The global attributes name this run (its scenario text, its seed): they come after the
  // layout, which runs of the same structure share (NetcdfFile::end_layout).
  file.end_layout();
  output::write_cf_globals(file, "cloudmarket run of scenario '" + sc.name + "'",
                           "cloudmarket run " + sc.name + " seed " + std::to_string(sc.seed), output::units_comment(cur));
  file.attribute("", {"schema", std::string(kOutputSchema)});
  file.attribute("", {"cloudmarket_version", std::string(kVersion)});
  file.attribute("", {"scenario_name", sc.name});
  file.attribute("", {"scenario_yaml", resolved_yaml});
  file.attribute("", {"seed", std::int64_t(sc.seed)});
  file.attribute("", {"start_date", to_iso(sc.time.start)});
  file.attribute("", {"currency", cur});
  file.attribute("", {"output_period", std::string(name_of(sc.time.output_period))});
}

RunRecorder::~RunRecorder() = default;

void RunRecorder::finish() { file_.attribute("", {"firm_decisions", firm_decisions_}); }

void RunRecorder::add_failure(const std::string& kind, const std::string& id, double seconds, double cash,
                              std::int64_t customers, double written_off) {
  Layout& L = *layout_;
  file_.append_value(L.exit_index, L.exits++);
  file_.append_value(L.exit_time, seconds / kSecondsPerDay);
  file_.append(L.exit_kind, kind);
  file_.append(L.exit_id, id);
  file_.append_value(L.exit_cash, cash);
  file_.append_value(L.exit_customers, customers);
  file_.append_value(L.exit_written_off, written_off);
}

void RunRecorder::add_month(const MonthReport& report) {
  Layout& L = *layout_;
  for (const auto& e : report.exits)
    add_failure("vendor", scenario_.vendors[e.vendor].id, e.seconds, e.cash, e.customers, 0.0);
  for (const auto& f : report.startup_failures)
    add_failure("startup", scenario_.startups[f.startup].id, f.seconds, f.cash, 0, f.written_off);
  for (const auto& d : report.deals) {
    const std::int64_t index = L.deals++, exclusive = d.terms.exclusive, months = d.terms.duration_months;
    const double days = d.seconds / kSecondsPerDay, credits = d.terms.amount * d.terms.credit_share;
    file_.append_value(L.deal_index, index);
    file_.append_value(L.deal_time, days);
    file_.append(L.deal_startup, scenario_.startups[d.startup].id);
    file_.append(L.deal_investor, d.terms.investor.is_vendor ? scenario_.vendors[d.terms.investor.index].id
                                                             : scenario_.investors[d.terms.investor.index].id);
    file_.append_value(L.deal_amount, d.terms.amount);
    file_.append_value(L.deal_pre_money, d.terms.pre_money);
    file_.append_value(L.deal_credits, credits);
    file_.append_value(L.deal_commitment, d.terms.commitment);
    file_.append_value(L.deal_exclusive, exclusive);
    file_.append_value(L.deal_duration, months);
    file_.append_value(L.deal_last_post_money, d.terms.last_post_money);
    file_.append_value(L.deal_down_round, std::int64_t(d.terms.down_round));
  }
  for (const auto& c : report.api_price_changes) {
    if (!L.api_changes_table) break;
    file_.append_value(L.api_index, L.api_changes++);
    file_.append_value(L.api_time, c.announced_seconds / kSecondsPerDay);
    file_.append_value(L.api_effective, c.effective_seconds / kSecondsPerDay);
    file_.append(L.api_startup, scenario_.startups[c.startup].id);
    file_.append_value(L.api_old, c.old_price);
    file_.append_value(L.api_new, c.new_price);
    file_.append(L.api_reason, c.reason);
  }
  for (const auto& run : report.training_runs) {
    const std::int64_t index = L.runs++;
    const double start = run.start_seconds / kSecondsPerDay, end = run.end_seconds / kSecondsPerDay;
    file_.append_value(L.run_index, index);
    file_.append(L.run_startup, scenario_.startups[run.startup].id);
    file_.append(L.run_vendor, scenario_.vendors[run.vendor].id);
    file_.append_value(L.run_flops, run.flops);
    file_.append_value(L.run_start, start);
    file_.append_value(L.run_end, end);
  }
  period_.push_back(report);
  firm_decisions_ = report.firm_decisions;
  if (int(period_.size()) == months_per_period_) write_period();
}

void RunRecorder::add_price_changes(const std::vector<PriceChange>& changes) {
  Layout& L = *layout_;
  for (const auto& c : changes) {
    const std::int64_t index = L.changes++;
    file_.append_value(L.change_index, index);
    const double announced = c.announced_seconds / kSecondsPerDay, effective = c.effective_seconds / kSecondsPerDay;
    file_.append_value(L.change_time, announced);
    file_.append_value(L.change_effective, effective);
    file_.append(L.change_vendor, scenario_.vendors[c.vendor].id);
    file_.append(L.change_product, scenario_.products[c.product].id);
    file_.append_value(L.change_old, c.old_price);
    file_.append_value(L.change_new, c.new_price);
    file_.append(L.change_reason, c.reason);
  }
}

void RunRecorder::add_learners(const std::vector<LearnerReport>& learners) {
  Layout& L = *layout_;
  if (!L.learning) return;
  std::int64_t states = 0;
  for (std::size_t i = 0; i < learners.size(); ++i) {
    const LearnerReport& l = learners[i];
    file_.append_value(L.learner_index, std::int64_t(i));
    file_.append(L.learner_vendor, scenario_.vendors[l.vendor].id);
    file_.append(L.learner_product, scenario_.products[l.product].id);
    file_.append_value(L.learner_regime, std::int64_t(l.regime));
    file_.append_value(L.learner_reviews, std::int64_t(l.policy.reviews));
    file_.append_value(L.learner_credited, std::int64_t(l.policy.credited));
    for (std::size_t s = 0; s < l.policy.states.size(); ++s) {
      const std::vector<int>& state = l.policy.states[s];
      std::string rivals;
      for (std::size_t k = 1; k < state.size(); ++k) rivals += (k > 1 ? "," : "") + std::to_string(state[k]);
      file_.append_value(L.state_index, states++);
      file_.append_value(L.state_learner, std::int64_t(i));
      file_.append_value(L.state_own, std::int64_t(state.empty() ? 0 : state[0]));
      file_.append(L.state_rivals, rivals);
      file_.append_value(L.state_greedy, std::int64_t(l.policy.greedy_level[s]));
      file_.append_value(L.state_markup, l.policy.greedy_markup[s]);
      file_.append_value(L.state_price, l.unit_cost * (1.0 + l.policy.greedy_markup[s]));
    }
  }
}

void RunRecorder::write_period() {
  const Layout& L = *layout_;
  const MonthReport& last = period_.back();
  const std::size_t V = scenario_.vendors.size(), P = scenario_.products.size(), S = scenario_.segments.size();

  // Flows: sums over the months of the period.
  Grid quantity(V, P), revenue(V, P), cogs(V, P), capacity(V, P);
  const std::size_t N = scenario_.startups.size();
  std::vector<double> overhead(V, 0.0), capex(V, 0.0), spend(S, 0.0), roundtrip(V, 0.0), payouts(V, 0.0);
  std::vector<double> rd(V, 0.0), chip_sales(V, 0.0), chip_cost(V, 0.0), chip_output(V, 0.0);
  std::vector<double> startup_revenue(N, 0.0), startup_spend(N, 0.0), startup_planned(N, 0.0);
  std::vector<double> served(V, 0.0), unserved(V, 0.0);
  double surplus = 0;
  for (const auto& m : period_) {
    for (std::size_t v = 0; v < V; ++v) {
      // R&D is an expense; chip sales add their margin (they are not revenue from the cloud market).
      overhead[v] += m.fixed_cost[v] + m.depreciation[v] + m.model_payouts[v] + m.chip_rd_spend[v] - m.chip_sales[v] +
                     m.chip_sales_cost[v];
      rd[v] += m.chip_rd_spend[v];
      chip_sales[v] += m.chip_sales[v];
      chip_cost[v] += m.chip_sales_cost[v];
      chip_output[v] += m.chip_output[v];
      capex[v] += m.capex[v];
      roundtrip[v] += m.roundtrip_revenue[v];
      payouts[v] += m.model_payouts[v];
      if (L.inference) served[v] += m.inference_served[v], unserved[v] += m.inference_unserved[v];
      for (std::size_t p = 0; p < P; ++p) {
        quantity(v, p) += m.quantity(v, p);
        revenue(v, p) += m.revenue(v, p);
        cogs(v, p) += m.cogs(v, p);
        capacity(v, p) += m.capacity(v, p);
      }
    }
    for (std::size_t s = 0; s < S; ++s) spend[s] += m.segment_spend[s];
    for (std::size_t i = 0; i < N; ++i) {
      startup_revenue[i] += m.startup_revenue[i];
      startup_spend[i] += m.startup_spend[i];
      startup_planned[i] += m.startup_planned_spend[i];
    }
    surplus += m.consumer_surplus;
  }

  Grid utilization(V, P);
  std::vector<double> vendor_revenue(V, 0.0), profit(V), margin(V), share(V);
  double market = 0;
  for (std::size_t v = 0; v < V; ++v) {
    double c = 0;
    for (std::size_t p = 0; p < P; ++p) {
      utilization(v, p) = ratio(quantity(v, p), capacity(v, p));
      vendor_revenue[v] += revenue(v, p);
      c += cogs(v, p);
    }
    profit[v] = vendor_revenue[v] - c - overhead[v];
    margin[v] = ratio(vendor_revenue[v] - c, vendor_revenue[v]);
    market += vendor_revenue[v];
  }
  double hhi = 0;
  for (std::size_t v = 0; v < V; ++v) {
    share[v] = ratio(vendor_revenue[v], market);
    hhi += (100 * share[v]) * (100 * share[v]);
  }
  if (market == 0) hhi = kNaN;
  std::vector<double> adoption(S);
  for (std::size_t s = 0; s < S; ++s) adoption[s] = double(last.segment_cloud_firms[s]) / double(last.segment_firms[s]);

  const double time_days = calendar_.month_start_seconds(period_.front().month) / kSecondsPerDay;
  file_.append_value(L.time, time_days);
  const double bounds[2] = {time_days, calendar_.month_start_seconds(last.month + 1) / kSecondsPerDay};
  file_.append(L.time_bnds, bounds);
  file_.append(L.price, last.price.values());
  file_.append(L.quantity, quantity.values());
  file_.append(L.revenue, revenue.values());
  file_.append(L.cost_of_goods, cogs.values());
  file_.append(L.capacity, capacity.values());
  file_.append(L.utilization, utilization.values());
  file_.append(L.vendor_revenue, vendor_revenue);
  file_.append(L.vendor_profit, profit);
  file_.append(L.vendor_cash, last.cash);
  file_.append(L.vendor_gross_margin, margin);
  file_.append(L.market_share, share);
  file_.append(L.vendor_customers, last.customers);
  file_.append_value(L.hhi, hhi);
  file_.append_value(L.market_revenue, market);
  file_.append_value(L.consumer_surplus, surplus);
  file_.append(L.vendor_capex, capex);
  file_.append(L.vendor_flops, last.flops);
  file_.append(L.chip_rd_spend, rd);
  file_.append(L.chip_sales, chip_sales);
  file_.append(L.chip_sales_cost, chip_cost);
  file_.append(L.chip_output, chip_output);
  file_.append(L.chip_cost_factor, last.chip_cost_factor);
  file_.append(L.cloud_adoption, adoption);
  {
    std::vector<std::int64_t> moved_out(S, 0), moved_in(S, 0);
    for (const auto& m : period_)
      for (std::size_t s = 0; s < S; ++s) moved_out[s] += m.repatriations[s], moved_in[s] += m.returns[s];
    file_.append(L.on_premises_cost, last.on_premises_cost);
    file_.append(L.repatriations, moved_out);
    file_.append(L.returns_to_cloud, moved_in);
  }
  file_.append(L.ai_adoption, last.ai_adoption);
  file_.append(L.roundtrip, roundtrip);
  file_.append(L.payouts, payouts);
  file_.append(L.stakes, last.stakes);
  file_.append(L.investor_cash, last.fund_cash);
  file_.append(L.startup_cash, last.startup_cash);
  file_.append(L.startup_quality, last.startup_quality);
  file_.append(L.startup_revenue, startup_revenue);
  file_.append(L.startup_spend, startup_spend);
  file_.append(L.startup_alive, last.startup_alive);
  file_.append(L.startup_valuation, last.startup_valuation);
  file_.append(L.startup_planned_spend, startup_planned);
  file_.append(L.startup_gpu_hours, last.startup_gpu_hours);
  if (L.inference) {
    file_.append(L.inference_served, served);
    file_.append(L.inference_unserved, unserved);
  }
  file_.append(L.segment_spend, spend);
  period_.clear();
}

}  // namespace cm
