#include "agents/startup_sector.hpp"

#include "agents/model_api_market.hpp"
#include "agents/startup_valuation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cm {

double model_quality(double cumulative_flops, double quality_per_decade) {
  return quality_per_decade * std::log10(std::max(cumulative_flops, 1.0) / 1e21);
}

StartupSector::StartupSector(const Scenario& sc) : scenario_(sc) {
  for (const auto& s : sc.startups) {
    State st;
    st.cash = s.cash;
    st.cumulative_flops = s.training_flops;
    st.quality = model_quality(s.training_flops, sc.market.quality_per_decade);
    st.valuation = s.valuation;
    st.trains_on = s.trains_on;
    st.credits.assign(sc.vendors.size(), 0.0);
    st.monthly_spend = st.burn = s.burn_per_month;
    if (s.api_price && !s.open_weight) st.api_prices.emplace_back(-std::numeric_limits<double>::infinity(), *s.api_price);
    state_.push_back(std::move(st));
  }
}

std::optional<std::size_t> StartupSector::partner(std::size_t i) const {
  if (scenario_.startups[i].owner) return scenario_.startups[i].owner;
  return state_[i].exclusive_with;
}

bool StartupSector::hosts(std::size_t v, std::size_t i, AiStrategy strategy) const {
  if (!state_[i].alive) return false;
  if (scenario_.startups[i].open_weight) return true;  // anyone may serve open weights
  if (const auto p = partner(i)) return *p == v;
  // Open marketplaces list the independent models of their own region.
  return (strategy == AiStrategy::open_ecosystem || strategy == AiStrategy::hybrid) &&
         scenario_.startups[i].region == scenario_.vendors[v].region;
}

StartupSector::Ecosystem StartupSector::ecosystem(std::size_t v, AiStrategy strategy) const {
  Ecosystem e;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    if (!hosts(v, i, strategy)) continue;
    ++e.models;
    e.best_quality = std::max(e.best_quality, state_[i].quality);
    if (partner(i) == v) e.partner_quality = std::max(e.partner_quality, state_[i].quality);
  }
  return e;
}

bool StartupSector::has_partner_other_than(std::size_t v, std::size_t startup) const {
  for (std::size_t i = 0; i < state_.size(); ++i)
    if (i != startup && state_[i].alive && partner(i) == v) return true;
  return false;
}

void StartupSector::complete_run(std::size_t i, double flops) {
  State& st = state_[i];
  st.cumulative_flops += flops;
  st.quality = model_quality(st.cumulative_flops, scenario_.market.quality_per_decade);
}

std::pair<double, double> StartupSector::commitment_left(std::size_t i, std::size_t v, int month) const {
  double left = 0, months = 0;
  for (const auto& c : state_[i].commitments) {
    if (c.vendor != v || month >= c.until_month || c.remaining <= 0) continue;
    left += c.remaining;
    const double m = c.until_month - month;
    months = months > 0 ? std::min(months, m) : m;
  }
  return {left, months};
}

void StartupSector::revalue(std::size_t i, double growth) {
  State& st = state_[i];
  if (!st.alive) return;
  // R: the mean of the last (up to) kValuationWindowMonths months' earnings, so one unusual month
  // (the first, before anyone has trained) neither anchors the multiple nor swings the valuation.
  const auto& earned_by_month = st.earning_by_month;
  const std::size_t window = std::min<std::size_t>(kValuationWindowMonths, earned_by_month.size());
  double earned = 0;
  for (std::size_t k = 0; k < window; ++k) earned += earned_by_month[earned_by_month.size() - 1 - k] / double(window);
  const double annual = expected_revenue(earned, growth, 12);
  if (st.revenue_multiple == 0 && annual > 0 && window == kValuationWindowMonths)
    st.revenue_multiple = revenue_multiple(scenario_.startups[i].valuation, annual);
  st.valuation = pre_money_valuation(st.revenue_multiple, annual, scenario_.startups[i].valuation);
}

ComputeBill StartupSector::bill_compute(const std::vector<ComputeUse>& use, const std::vector<double>& gpu_price,
                                        int month) {
  const std::size_t vendors = scenario_.vendors.size();
  ComputeBill bill{std::vector<double>(vendors, 0.0), std::vector<double>(vendors, 0.0),
                   std::vector<double>(vendors, 0.0), std::vector<double>(vendors, 0.0),
                   std::vector<double>(state_.size(), 0.0)};
  for (const ComputeUse& u : use) {
    const std::size_t i = u.startup, v = u.vendor;
    State& st = state_[i];
    if (u.flops <= 0) continue;
    const double hours = u.flops / scenario_.market.flops_per_gpu_hour;
    const double cost = hours * gpu_price[v];
    // Credits first (they are only good on the investor's cloud), then cash.
    const double from_credits = std::min(cost, st.credits[v]);
    st.credits[v] -= from_credits;
    const double from_cash = cost - from_credits;
    st.cash -= from_cash;
    // Spend on an investor's cloud under a live commitment comes back to it as round-trip revenue.
    double committed = 0;
    for (auto& c : st.commitments) {
      if (c.vendor != v || month >= c.until_month || c.remaining <= 0) continue;
      const double counted = std::min(c.remaining, cost - committed);
      c.remaining -= counted;
      committed += counted;
    }
    bill.gpu_hours[v] += hours;
    bill.revenue[v] += cost;
    bill.cash[v] += from_cash;
    bill.roundtrip[v] += from_credits + std::min(from_cash, committed);
    bill.spend[i] += cost;
  }
  for (std::size_t i = 0; i < state_.size(); ++i) {
    state_[i].burn = burn(i, month);
    state_[i].monthly_spend = state_[i].burn + bill.spend[i];
  }
  return bill;
}

ModelPayouts StartupSector::split_models(const Grid& revenue, const Grid& quantity,
                                         const std::vector<std::size_t>& model_products,
                                         const std::vector<double>& gpu_price, double seconds) const {
  const std::size_t vendors = scenario_.vendors.size();
  ModelPayouts out{std::vector<double>(vendors, 0.0), std::vector<double>(vendors, 0.0),
                   std::vector<double>(state_.size(), 0.0), std::vector<double>(state_.size(), 0.0),
                   std::vector<std::vector<double>>(state_.size(), std::vector<double>(vendors, 0.0)),
                   Grid(vendors, revenue.cols()), std::vector<double>(state_.size(), 0.0),
                   std::vector<double>(state_.size(), 0.0)};
  // The whole model market's tokens: buyers also choose marketplaces by the models they host (the
  // flywheel) and may buy the AI layer apart, so a model alone on its marketplace still competes.
  double market_tokens = 0;
  for (std::size_t v = 0; v < vendors; ++v)
    for (std::size_t p : model_products) market_tokens += quantity(v, p);
  const MarketRules& m = scenario_.market;
  const ModelChoiceWeights weights{m.model_choice_quality, m.model_choice_price};
  for (std::size_t v = 0; v < vendors; ++v) {
    const AiStrategy strategy = scenario_.vendors[v].ai_strategy;
    const double rs = scenario_.vendors[v].revenue_share;
    const double serving = serving_cost_per_million_tokens(m.flops_per_million_tokens, m.flops_per_gpu_hour, gpu_price[v]);
    std::vector<std::size_t> listed;
    std::vector<ListedModel> models;
    for (std::size_t i = 0; i < state_.size(); ++i) {
      if (!hosts(v, i, strategy)) continue;
      listed.push_back(i);
      models.push_back({state_[i].quality, scenario_.startups[i].open_weight ? std::nullopt : api_price_at(i, seconds)});
    }
    if (listed.empty()) continue;  // no hosted model: the vendor serves its own
    for (std::size_t p : model_products) {
      // Buyers at vendor v pick among the models it hosts (agents/model_api_market.hpp); the list
      // price is what a model without its own price charges.
      const double list = quantity(v, p) > 0 ? revenue(v, p) / quantity(v, p) : 0.0;
      // A free (or unsold) product: nobody pays anything, API prices included.
      std::vector<ListedModel> priced = models;
      if (!(list > 0))
        for (auto& model : priced) model.api_price.reset();
      const auto share = token_shares(priced, list, weights);
      const double to_models = (1.0 - rs) * revenue(v, p);
      for (std::size_t k = 0; k < listed.size(); ++k) {
        const std::size_t i = listed[k];
        const double tokens = share[k] * quantity(v, p);
        out.tokens[i][v] += tokens;
        out.earning[i] += (1.0 - rs) * (priced[k].api_price ? *priced[k].api_price * tokens : share[k] * revenue(v, p));
        if (scenario_.startups[i].open_weight) continue;  // the host keeps all: no payout
        double payout = share[k] * to_models;  // at the list price: (1 - rs) of what its buyers paid
        if (priced[k].api_price) {
          out.buyers_extra(v, p) += tokens * (*priced[k].api_price - list);
          payout = (1.0 - rs) * *priced[k].api_price * tokens;
          out.serving_cost[i] += tokens * serving;
          out.serving[v] += tokens * serving;
        }
        out.revenue[i] += payout;
        out.paid[v] += payout;
      }
    }
  }
  for (std::size_t i = 0; i < state_.size(); ++i) {
    double tokens = 0;
    for (double t : out.tokens[i]) tokens += t;
    out.token_share[i] = market_tokens > 0 ? tokens / market_tokens : 0.0;
  }
  return out;
}

void StartupSector::settle_models(const ModelPayouts& payouts) {
  for (std::size_t i = 0; i < state_.size(); ++i) {
    state_[i].cash += payouts.revenue[i] - payouts.serving_cost[i];
    state_[i].api_profit_by_month.push_back(payouts.revenue[i] - payouts.serving_cost[i]);
    state_[i].earning_by_month.push_back(state_[i].alive ? payouts.earning[i] : 0.0);
    if (state_[i].alive) state_[i].token_share = payouts.token_share[i];
  }
}

std::optional<double> StartupSector::api_price_at(std::size_t i, double seconds) const {
  // The last entry in force, searched from the newest: a few steps, however long the history.
  const auto& h = state_[i].api_prices;
  for (auto it = h.rbegin(); it != h.rend(); ++it)
    if (it->first <= seconds) return it->second;
  return std::nullopt;
}

std::optional<double> StartupSector::latest_api_price(std::size_t i) const {
  const auto& h = state_[i].api_prices;
  return h.empty() ? std::nullopt : std::optional<double>(h.back().second);
}

void StartupSector::announce_api_price(std::size_t i, double seconds, double effective_seconds, double price,
                                       const std::string& reason) {
  if (price > 0 && price < limits::kMinPrice) price = limits::kMinPrice;  // as list prices (PriceBook)
  auto& h = state_[i].api_prices;
  const double old = h.empty() ? 0.0 : h.back().second;
  if (!h.empty() && h.back().first == effective_seconds)
    h.back().second = price;  // a second change before the first took effect replaces it
  else
    h.emplace_back(effective_seconds, price);
  pending_api_changes_.push_back({seconds, effective_seconds, i, old, price, reason});
}

std::vector<ApiPriceChange> StartupSector::take_api_price_changes() {
  std::vector<ApiPriceChange> out;
  out.swap(pending_api_changes_);
  return out;
}

std::vector<StartupFailure> StartupSector::burn_and_fail(int month) {
  std::vector<StartupFailure> failures;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    State& st = state_[i];
    if (!st.alive) continue;
    st.cash -= burn(i, month);
    if (st.cash >= 0) continue;
    st.alive = false;
    double written_off = 0;
    for (const auto& stake : st.stakes) written_off += stake.share * st.post_money;
    failures.push_back({i, st.cash, written_off});
    std::fill(st.credits.begin(), st.credits.end(), 0.0);  // unused credits lapse
    st.commitments.clear();
  }
  return failures;
}

double StartupSector::burn(std::size_t i, int month) const {
  const Startup& s = scenario_.startups[i];
  return s.dated.at("burn_per_month", s.burn_per_month, month);
}

double StartupSector::runway_months(std::size_t i) const {
  const State& st = state_[i];
  const double burn = st.burn;
  const double compute = st.monthly_spend - burn;
  const double cash_out = burn + std::max(0.0, compute - st.credits[st.trains_on]);
  return cash_out > 0 ? st.cash / cash_out : std::numeric_limits<double>::infinity();
}

void StartupSector::apply_deal(const Deal& deal, int month) {
  State& st = state_[deal.startup];
  const TermSheet& t = deal.terms;
  const double credits = t.amount * t.credit_share;
  st.cash += t.amount - credits;
  const double post = t.pre_money + t.amount;
  // Existing holders are diluted; the new investor holds amount / post-money.
  for (auto& stake : st.stakes) stake.share *= t.pre_money / post;
  st.stakes.push_back({t.investor, t.amount / post});
  st.post_money = post;
  if (t.investor.is_vendor) {
    const std::size_t v = t.investor.index;
    st.credits[v] += credits;
    if (t.commitment > 0) st.commitments.push_back({v, t.commitment, month + t.duration_months});
    if (t.exclusive) {
      st.exclusive_with = v;
      st.trains_on = v;
    }
  }
}

double StartupSector::stake_value(const InvestorRef& investor) const {
  double value = 0;
  for (const auto& st : state_)
    if (st.alive)
      for (const auto& stake : st.stakes)
        if (stake.investor == investor) value += stake.share * st.post_money;
  return value;
}

}  // namespace cm
