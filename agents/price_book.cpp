#include "agents/price_book.hpp"

namespace cm {

PriceBook::PriceBook(const Scenario& sc, const Calendar& calendar)
    : calendar_(calendar), products_(sc.products.size()), history_(sc.vendors.size() * products_) {
  for (std::size_t v = 0; v < sc.vendors.size(); ++v)
    for (std::size_t p = 0; p < products_; ++p) history_[v * products_ + p].push_back({-1.0, sc.vendors[v].offers[p].price});
}

double PriceBook::in_force(std::size_t vendor, std::size_t product, double seconds) const {
  const auto& entries = history_[vendor * products_ + product];
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->effective_seconds <= seconds) return it->price;
  return entries.front().price;
}

Grid PriceBook::in_force(double seconds) const {
  Grid prices(history_.size() / products_, products_);
  for (std::size_t v = 0; v < prices.rows(); ++v)
    for (std::size_t p = 0; p < products_; ++p) prices(v, p) = in_force(v, p, seconds);
  return prices;
}

void PriceBook::announce(std::size_t vendor, std::size_t product, double seconds, double price,
                         const std::string& reason) {
  // A positive price never falls below limits::kMinPrice (docs/model.md): a rule or a chain of cuts
  // that would go lower stops there, so quantity = spend / price stays finite. 0 (free) stays 0.
  if (price > 0 && price < limits::kMinPrice) price = limits::kMinPrice;
  const double effective = calendar_.month_start_seconds(calendar_.month_containing(seconds) + 1);
  auto& entries = history_[vendor * products_ + product];
  const double old_price = in_force(vendor, product, effective);
  if (entries.back().effective_seconds == effective) entries.back().price = price;  // same month: last wins
  else entries.push_back({effective, price});
  pending_.push_back({seconds, effective, vendor, product, old_price, price, reason});
}

std::vector<PriceChange> PriceBook::take_changes() {
  std::vector<PriceChange> out;
  out.swap(pending_);
  return out;
}

}  // namespace cm
