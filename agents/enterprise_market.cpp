#include "agents/enterprise_market.hpp"

#include <cmath>
#include <numeric>

#include "agents/ai_layer.hpp"
#include "agents/bass.hpp"
#include "agents/on_premises.hpp"
#include "agents/rationing.hpp"
#include "agents/share_calibration.hpp"
#include "sim/rng.hpp"

namespace cm {

namespace {

Grid initial_prices(const Scenario& sc) {
  Grid prices(sc.vendors.size(), sc.products.size());
  for (std::size_t v = 0; v < sc.vendors.size(); ++v)
    for (std::size_t p = 0; p < sc.products.size(); ++p) prices(v, p) = sc.vendors[v].offers[p].price;
  return prices;
}

// Options a segment may choose: on-premises and the vendors its region rule allows.
std::vector<char> allowed_options(const Scenario& sc, const Segment& seg) {
  std::vector<char> allowed{1};
  for (const auto& v : sc.vendors) allowed.push_back(!seg.domestic_only || v.region == seg.region);
  return allowed;
}

// The stationary shares a segment starts from: on-premises, then each allowed vendor in
// proportion to its initial share.
std::vector<double> target_shares(const Scenario& sc, const Segment& seg, const std::vector<char>& allowed) {
  double allowed_share = 0;
  for (std::size_t v = 0; v < sc.vendors.size(); ++v)
    if (allowed[v + 1]) allowed_share += sc.vendors[v].initial_share;
  std::vector<double> s{1.0 - seg.cloud_adoption};
  for (std::size_t v = 0; v < sc.vendors.size(); ++v)
    s.push_back(allowed[v + 1] ? seg.cloud_adoption * sc.vendors[v].initial_share / allowed_share : 0.0);
  return s;
}

}  // namespace

double price_index_at(const Grid& spend_shares, std::size_t s, const Grid& prices, std::size_t v,
                      const std::vector<double>& reference_price, const Grid& fill, double scarcity_premium) {
  double index = 0;
  for (std::size_t p = 0; p < prices.cols(); ++p) {
    if (!(reference_price[p] > 0)) continue;
    const double cost =
        fill.rows() ? rationed_price(prices(v, p), fill(v, p), reference_price[p], scarcity_premium) : prices(v, p);
    index += spend_shares(s, p) * cost / reference_price[p];
  }
  return index;
}

Grid price_index(const Grid& spend_shares, const Grid& prices, const std::vector<double>& reference_price,
                 const Grid& fill, double scarcity_premium) {
  Grid index(spend_shares.rows(), prices.rows());
  for (std::size_t s = 0; s < spend_shares.rows(); ++s)
    for (std::size_t v = 0; v < prices.rows(); ++v)
      index(s, v) = price_index_at(spend_shares, s, prices, v, reference_price, fill, scarcity_premium);
  return index;
}

EnterpriseMarket::EnterpriseMarket(const Scenario& sc)
    : scenario_(sc),
      vendors_(sc.vendors.size()),
      spend_shares_(sc.segments.size(), sc.products.size()),
      ai_shares_(sc.segments.size(), sc.products.size()),
      growth_(sc) {
  for (std::size_t s = 0; s < sc.segments.size(); ++s) {
    for (std::size_t p = 0; p < sc.products.size(); ++p) {
      spend_shares_(s, p) = sc.segments[s].spend_shares[p];
      if (sc.segments[s].ai_adoption) ai_shares_(s, p) = sc.segments[s].ai_adoption->product_shares[p];
    }
  }
  const Grid prices = initial_prices(sc);
  reference_price_.assign(sc.products.size(), 0.0);
  for (std::size_t p = 0; p < sc.products.size(); ++p) {
    for (std::size_t v = 0; v < vendors_; ++v) reference_price_[p] += prices(v, p);
    reference_price_[p] /= double(vendors_);
  }
  initial_index_ = price_index(spend_shares_, prices, reference_price_);
  for (std::size_t p = 0; p < sc.products.size(); ++p)
    unbundled_.push_back(sc.products[p].kind == ProductKind::model && sc.market.ai_layer_unbundled > 0);

  std::vector<std::vector<double>> targets;
  intercept_ = Grid(sc.segments.size(), options());
  for (std::size_t s = 0; s < sc.segments.size(); ++s) {
    const Segment& seg = sc.segments[s];
    allowed_.push_back(allowed_options(sc, seg));
    targets.push_back(target_shares(sc, seg, allowed_.back()));
    const auto xi = calibrate_intercepts(targets.back(), allowed_.back(), seg.switching_cost, seg.nesting,
                                         seg.on_premises.repatriation_cost);
    for (std::size_t j = 0; j < options(); ++j) intercept_(s, j) = xi[j];
    // Pbar^0: the cloud price index at the start, weighted by the clouds' initial shares.
    double weighted = 0, cloud = 0;
    for (std::size_t v = 0; v < vendors_; ++v) {
      weighted += targets.back()[v + 1] * initial_index_(s, v);
      cloud += targets.back()[v + 1];
    }
    cloud_index_at_start_.push_back(cloud > 0 ? weighted / cloud : 0.0);
  }
  flows_.repatriated.assign(sc.segments.size(), 0);
  flows_.returned.assign(sc.segments.size(), 0);

  population_ = generate_population(sc, targets);
  const std::vector<char> all_active(vendors_, 1);
  const auto sets = choice_sets({prices, all_active, {}, {}});
  for (std::size_t s = 0; s < sc.segments.size(); ++s) {
    const RenewalTable table(sets[s], sc.segments[s].switching_cost);
    tally_.emplace_back(population_.segments[s].phases());
    for (int phase = 0; phase < population_.segments[s].phases(); ++phase) retally(s, phase, table);
    std::size_t adopted = 0;
    const auto& blocks = population_.segments[s];
    for (std::size_t i = blocks.begin; i < blocks.phase_begin.back(); ++i) adopted += population_.adopted[i];
    adopted_count_.push_back(adopted);
    adoption_cursor_.push_back(adopted);  // initial adopters are the first of the order
    adoption_hazard_.push_back(sc.segments[s].ai_adoption ? -std::log1p(-sc.segments[s].ai_adoption->initial) : 0.0);
  }
}

void EnterpriseMarket::retally(std::size_t s, int phase, const RenewalTable& table) {
  const auto& blocks = population_.segments[s];
  tally_[s][phase] = tally_firms(population_, blocks.phase_begin[phase], blocks.phase_begin[phase + 1], table);
}

double EnterpriseMarket::scarcity_premium(int month) const {
  const MarketRules& rules = scenario_.market;
  return rules.dated.at("scarcity_premium", rules.scarcity_premium, month);
}

double EnterpriseMarket::price_sensitivity(std::size_t s, int month) const {
  const Segment& seg = scenario_.segments[s];
  return seg.dated.at("price_sensitivity", seg.price_sensitivity, month);
}

double EnterpriseMarket::cloud_weight(std::size_t s, const SupplyConditions& supply) const {
  return cloud_cost_weight(scenario_.segments[s].on_premises, supply.month,
                           supply.budget_factor.empty() ? 1.0 : supply.budget_factor[s]);
}

double EnterpriseMarket::cloud_utility(std::size_t s, std::size_t v, double price_sensitivity, double weight,
                                       double index, const SupplyConditions& supply) const {
  return intercept_(s, v + 1) - price_sensitivity * (weight * index - initial_index_(s, v)) +
         (supply.ecosystem.rows() ? supply.ecosystem(s, v) : 0.0);
}

std::vector<ChoiceSet> EnterpriseMarket::choice_sets(const SupplyConditions& supply) const {
  const Grid index = price_index(spend_shares_, supply.prices, reference_price_, supply.fill,
                                 scarcity_premium(supply.month));
  std::vector<ChoiceSet> sets;
  const double unbundled = scenario_.market.ai_layer_unbundled;
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const Segment& seg = scenario_.segments[s];
    const OnPremises& on_premises = seg.on_premises;
    ChoiceSet set{std::vector<double>(options(), 0.0), allowed_[s], seg.nesting,
                  on_premises.dated.at("repatriation_cost", on_premises.repatriation_cost, supply.month)};
    const double sensitivity = price_sensitivity(s, supply.month);
    set.utility[0] = intercept_(s, 0) +
                     on_premises_utility(on_premises, sensitivity, cloud_index_at_start_[s], supply.month);
    const double weight = cloud_weight(s, supply);
    for (std::size_t v = 0; v < vendors_; ++v) {
      set.utility[v + 1] = cloud_utility(s, v, sensitivity, weight, index(s, v), supply);
      set.available[v + 1] = allowed_[s][v + 1] && supply.active[v];
    }
    if (unbundled > 0) set.layer = layer_split(s, supply, set.available);
    sets.push_back(std::move(set));
  }
  return sets;
}

std::vector<double> EnterpriseMarket::layer_split(std::size_t s, const SupplyConditions& supply,
                                                  const std::vector<char>& available) const {
  std::vector<double> appeal(vendors_, 0.0), model_index(vendors_, 0.0);
  const double weight = ai_layer_weight(s);
  for (std::size_t v = 0; v < vendors_; ++v) {
    if (!supply.model_appeal.empty()) appeal[v] = supply.model_appeal[v];
    for (std::size_t p = 0; p < ai_shares_.cols() && weight > 0; ++p)
      if (unbundled_[p] && reference_price_[p] > 0)
        model_index[v] += ai_shares_(s, p) * supply.prices(v, p) / reference_price_[p] / weight;
  }
  return ai_layer_shares(appeal, model_index, price_sensitivity(s, supply.month), available);
}

double EnterpriseMarket::ai_layer_weight(std::size_t s) const {
  double weight = 0;
  for (std::size_t p = 0; p < ai_shares_.cols(); ++p)
    if (unbundled_[p] && reference_price_[p] > 0) weight += ai_shares_(s, p);
  return weight;
}

void EnterpriseMarket::renew(int month, const std::vector<ChoiceSet>& sets) {
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const Segment& seg = scenario_.segments[s];
    const SegmentBlocks& blocks = population_.segments[s];
    const int phase = month % blocks.phases();
    const RenewalTable table(sets[s], seg.dated.at("switching_cost", seg.switching_cost, month));
    const RandomStream stream(scenario_.seed, "segment:" + seg.id, "renewal");
    const RenewalFlows moved = renew_block(population_, blocks.phase_begin[phase], blocks.phase_begin[phase + 1],
                                           blocks.begin, table, stream, month, tally_[s][phase]);
    flows_.repatriated[s] += moved.to_premises;
    flows_.returned[s] += moved.to_cloud;
    decisions_ += std::int64_t(blocks.phase_begin[phase + 1] - blocks.phase_begin[phase]);
  }
}

void EnterpriseMarket::rechoose_customers_of(std::size_t vendor, int month, const std::vector<ChoiceSet>& sets) {
  const Supplier gone = Supplier(vendor + 1);
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const Segment& seg = scenario_.segments[s];
    const SegmentBlocks& blocks = population_.segments[s];
    const RenewalTable table(sets[s], seg.dated.at("switching_cost", seg.switching_cost, month));
    const RandomStream stream(scenario_.seed, "segment:" + seg.id, "exit_rechoice");
    for (std::size_t i = blocks.begin; i < blocks.phase_begin.back(); ++i)
      if (population_.supplier[i] == gone) {
        population_.supplier[i] = table.choose(gone, stream.uniform(i - blocks.begin, std::uint64_t(month)));
        flows_.repatriated[s] += population_.supplier[i] == kOnPremises;
      }
    // Every block renegotiates its multi-cloud split without the vendor that left.
    for (int phase = 0; phase < blocks.phases(); ++phase) retally(s, phase, table);
  }
}

void EnterpriseMarket::adopt_ai(int month) {
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const auto& ai = scenario_.segments[s].ai_adoption;
    if (!ai) continue;
    const SegmentBlocks& blocks = population_.segments[s];
    const std::size_t n = blocks.phase_begin.back() - blocks.begin;
    const double fraction = double(adopted_count_[s]) / double(n);
    if (fraction >= 1.0) continue;
    const double next = bass_step(ai->dated.at("p", ai->p, month), ai->dated.at("q", ai->q, month), fraction, 1.0 / 12.0);
    // Each non-adopter adopts with probability (next - F) / (1 - F) = 1 - exp(-dH).
    adoption_hazard_[s] += std::log((1.0 - fraction) / (1.0 - next));
    const auto& order = population_.adoption_order[s];
    const auto& threshold = population_.adoption_threshold[s];
    std::size_t& cursor = adoption_cursor_[s];
    for (; cursor < n && threshold[order[cursor]] <= adoption_hazard_[s]; ++cursor) {
      const std::size_t firm = blocks.begin + order[cursor];
      population_.adopted[firm] = 1;
      ++decisions_;
      ++adopted_count_[s];
      const auto phase = std::upper_bound(blocks.phase_begin.begin(), blocks.phase_begin.end(), firm) -
                         blocks.phase_begin.begin() - 1;
      add_ai_budget(tally_[s][phase], population_, firm);
    }
  }
}

std::pair<std::vector<double>, std::vector<double>> EnterpriseMarket::segment_budgets(std::size_t s) const {
  std::vector<double> budget(options(), 0.0), ai(options(), 0.0);
  for (const auto& tally : tally_[s])
    for (std::size_t j = 0; j < options(); ++j) {
      budget[j] += tally.budget[j];
      ai[j] += tally.ai_budget[j];
    }
  return {budget, ai};
}

double EnterpriseMarket::growth_factor(std::size_t segment, int month) const { return growth_.growth(segment, month); }

double EnterpriseMarket::ai_factor(std::size_t segment, int month) const { return growth_.ai(segment, month); }

std::vector<Grid> EnterpriseMarket::wanted_at_reference(int month, const std::vector<double>& budget_factor,
                                                        const std::vector<ChoiceSet>& sets) const {
  const double u = scenario_.market.ai_layer_unbundled;
  std::vector<Grid> wanted;
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const auto [budget, ai] = segment_budgets(s);
    const double scale = growth_factor(s, month) * budget_factor[s] / 12.0;
    const double ai_scale = scale * ai_factor(s, month);
    // The unbundled layer: a fraction u of every adopter's model spend (on-premises ones too).
    const double ai_all = std::accumulate(ai.begin(), ai.end(), 0.0);
    Grid g(vendors_, spend_shares_.cols());
    for (std::size_t v = 0; v < vendors_; ++v)
      for (std::size_t p = 0; p < g.cols(); ++p) {
        if (!unbundled_[p]) {
          g(v, p) = spend_shares_(s, p) * budget[v + 1] * scale + ai_shares_(s, p) * ai[v + 1] * ai_scale;
          continue;
        }
        const double apart = sets[s].layer.empty() ? 0.0 : sets[s].layer[v + 1] * ai_all;
        g(v, p) = spend_shares_(s, p) * budget[v + 1] * scale +
                  ai_shares_(s, p) * ai_scale * ((1.0 - u) * ai[v + 1] + u * apart);
      }
    wanted.push_back(std::move(g));
  }
  return wanted;
}

EnterpriseMarket::FreshSpend EnterpriseMarket::fresh_spend(std::size_t s, int month, double budget_factor) const {
  const auto [on, ai_on] = segment_budgets(s);
  FreshSpend f;
  f.budget = std::accumulate(on.begin(), on.end(), 0.0);
  f.ai = std::accumulate(ai_on.begin(), ai_on.end(), 0.0);
  f.scale = growth_factor(s, month) * budget_factor / 12.0;
  f.ai_scale = f.scale * ai_factor(s, month);
  return f;
}

double EnterpriseMarket::fresh_wanted(std::size_t s, std::size_t p, const FreshSpend& f, double probability,
                                      double layer_share) const {
  if (!unbundled_[p])
    return probability * (spend_shares_(s, p) * f.budget * f.scale + ai_shares_(s, p) * f.ai * f.ai_scale);
  const double u = scenario_.market.ai_layer_unbundled;
  return probability * (spend_shares_(s, p) * f.budget * f.scale + (1.0 - u) * ai_shares_(s, p) * f.ai * f.ai_scale) +
         u * layer_share * ai_shares_(s, p) * f.ai * f.ai_scale;
}

std::vector<Grid> EnterpriseMarket::expected_wanted_at_reference(int month, const std::vector<double>& budget_factor,
                                                                 const std::vector<ChoiceSet>& sets) const {
  std::vector<Grid> wanted;
  std::vector<double> probability(options());
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const FreshSpend f = fresh_spend(s, month, budget_factor[s]);
    choice_probabilities(sets[s], Supplier(-1), 0.0, probability);
    Grid g(vendors_, spend_shares_.cols());
    for (std::size_t v = 0; v < vendors_; ++v)
      for (std::size_t p = 0; p < g.cols(); ++p)
        g(v, p) = fresh_wanted(s, p, f, probability[v + 1], sets[s].layer.empty() ? 0.0 : sets[s].layer[v + 1]);
    wanted.push_back(std::move(g));
  }
  return wanted;
}

std::vector<std::int64_t> EnterpriseMarket::contracts() const {
  std::vector<std::int64_t> firms(options(), 0);
  for (const auto& segment : tally_)
    for (const auto& tally : segment)
      for (std::size_t j = 0; j < options(); ++j) firms[j] += tally.contracts[j];
  return firms;
}

std::vector<std::int64_t> EnterpriseMarket::cloud_firms() const {
  std::vector<std::int64_t> cloud;
  for (const auto& segment : tally_) {
    std::int64_t n = 0;
    for (const auto& tally : segment)
      for (std::size_t j = 1; j < options(); ++j) n += tally.primary[j];
    cloud.push_back(n);
  }
  return cloud;
}

std::vector<double> EnterpriseMarket::on_premises_cost_index(int month) const {
  std::vector<double> index;
  for (const auto& seg : scenario_.segments) index.push_back(cm::on_premises_cost_index(seg.on_premises, month));
  return index;
}

std::vector<double> EnterpriseMarket::ai_adoption() const {
  std::vector<double> fraction;
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s)
    fraction.push_back(double(adopted_count_[s]) / double(scenario_.segments[s].firms));
  return fraction;
}

double EnterpriseMarket::consumer_surplus(int month, const std::vector<double>& budget_factor,
                                          const std::vector<ChoiceSet>& sets) const {
  double surplus = 0;
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const auto on = segment_budgets(s).first;
    const double budget = std::accumulate(on.begin(), on.end(), 0.0);
    const double monthly = budget * growth_factor(s, month) * budget_factor[s] / 12.0;
    const Segment& seg = scenario_.segments[s];
    surplus += monthly / seg.dated.at("price_sensitivity", seg.price_sensitivity, month) * inclusive_value(sets[s]);
  }
  return surplus;
}

}  // namespace cm
