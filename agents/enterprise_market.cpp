#include "agents/enterprise_market.hpp"

#include <cmath>

#include "agents/logit.hpp"
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

// Per segment, the stationary shares the scenario starts from: on-premises, then each vendor.
std::vector<std::vector<double>> target_shares(const Scenario& sc) {
  std::vector<std::vector<double>> shares;
  for (const auto& seg : sc.segments) {
    std::vector<double> s{1.0 - seg.cloud_adoption};
    for (const auto& v : sc.vendors) s.push_back(seg.cloud_adoption * v.initial_share);
    shares.push_back(std::move(s));
  }
  return shares;
}

}  // namespace

Grid price_index(const Grid& spend_shares, const Grid& prices, const std::vector<double>& reference_price) {
  Grid index(spend_shares.rows(), prices.rows());
  for (std::size_t s = 0; s < spend_shares.rows(); ++s)
    for (std::size_t v = 0; v < prices.rows(); ++v)
      for (std::size_t p = 0; p < prices.cols(); ++p)
        if (reference_price[p] > 0) index(s, v) += spend_shares(s, p) * prices(v, p) / reference_price[p];
  return index;
}

EnterpriseMarket::EnterpriseMarket(const Scenario& sc)
    : scenario_(sc), vendors_(sc.vendors.size()), spend_shares_(sc.segments.size(), sc.products.size()) {
  for (std::size_t s = 0; s < sc.segments.size(); ++s)
    for (std::size_t p = 0; p < sc.products.size(); ++p) spend_shares_(s, p) = sc.segments[s].spend_shares[p];

  const Grid prices = initial_prices(sc);
  reference_price_.assign(sc.products.size(), 0.0);
  for (std::size_t p = 0; p < sc.products.size(); ++p) {
    for (std::size_t v = 0; v < vendors_; ++v) reference_price_[p] += prices(v, p);
    reference_price_[p] /= double(vendors_);
  }
  initial_index_ = price_index(spend_shares_, prices, reference_price_);

  const auto targets = target_shares(sc);
  intercept_ = Grid(sc.segments.size(), options());
  for (std::size_t s = 0; s < sc.segments.size(); ++s) {
    const auto xi = calibrate_intercepts(targets[s], sc.segments[s].switching_cost);
    for (std::size_t j = 0; j < options(); ++j) intercept_(s, j) = xi[j];
  }

  population_ = generate_population(sc, targets);
  for (const auto& blocks : population_.segments) {
    std::vector<BlockTally> phase_tallies;
    for (int p = 0; p < blocks.phases(); ++p)
      phase_tallies.push_back(tally_firms(population_, blocks.phase_begin[p], blocks.phase_begin[p + 1], options()));
    tally_.push_back(std::move(phase_tallies));
  }
}

Grid EnterpriseMarket::utilities(const Grid& prices) const {
  const Grid index = price_index(spend_shares_, prices, reference_price_);
  Grid u(scenario_.segments.size(), options());
  for (std::size_t s = 0; s < u.rows(); ++s) {
    const double alpha = scenario_.segments[s].price_sensitivity;
    u(s, 0) = intercept_(s, 0);
    for (std::size_t v = 0; v < vendors_; ++v)
      u(s, v + 1) = intercept_(s, v + 1) - alpha * (index(s, v) - initial_index_(s, v));
  }
  return u;
}

void EnterpriseMarket::renew(int month, const Grid& prices) {
  const Grid u = utilities(prices);
  for (std::size_t s = 0; s < scenario_.segments.size(); ++s) {
    const Segment& seg = scenario_.segments[s];
    const SegmentBlocks& blocks = population_.segments[s];
    const int phase = month % blocks.phases();
    const std::size_t begin = blocks.phase_begin[phase], end = blocks.phase_begin[phase + 1];
    const RenewalTable table(u.row(s), seg.switching_cost);
    const RandomStream stream(scenario_.seed, "segment:" + seg.id, "renewal");
    renew_firms(population_, begin, end, blocks.begin, table, stream, month);
    tally_[s][phase] = tally_firms(population_, begin, end, options());
  }
}

double EnterpriseMarket::growth_factor(std::size_t segment, int month) const {
  return std::pow(1.0 + scenario_.segments[segment].growth, month / 12.0);
}

Grid EnterpriseMarket::monthly_budget_on(int month) const {
  Grid budget(scenario_.segments.size(), options());
  for (std::size_t s = 0; s < budget.rows(); ++s) {
    const double scale = growth_factor(s, month) / 12.0;
    for (const auto& tally : tally_[s])
      for (std::size_t j = 0; j < options(); ++j) budget(s, j) += tally.base_budget[j] * scale;
  }
  return budget;
}

std::vector<std::int64_t> EnterpriseMarket::firms_on() const {
  std::vector<std::int64_t> firms(options(), 0);
  for (const auto& segment : tally_)
    for (const auto& tally : segment)
      for (std::size_t j = 0; j < options(); ++j) firms[j] += tally.firms[j];
  return firms;
}

std::vector<std::int64_t> EnterpriseMarket::cloud_firms() const {
  std::vector<std::int64_t> cloud;
  for (const auto& segment : tally_) {
    std::int64_t n = 0;
    for (const auto& tally : segment)
      for (std::size_t j = 1; j < options(); ++j) n += tally.firms[j];
    cloud.push_back(n);
  }
  return cloud;
}

double EnterpriseMarket::consumer_surplus(int month, const Grid& prices) const {
  const Grid u = utilities(prices);
  const Grid budget = monthly_budget_on(month);
  double surplus = 0;
  for (std::size_t s = 0; s < u.rows(); ++s) {
    double segment_budget = 0;
    for (std::size_t j = 0; j < options(); ++j) segment_budget += budget(s, j);
    surplus += segment_budget / scenario_.segments[s].price_sensitivity * inclusive_value(u.row(s));
  }
  return surplus;
}

}  // namespace cm
