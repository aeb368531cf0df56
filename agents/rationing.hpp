#pragma once
// Rationing priced on the demand side (docs/model.md, "Rationing"). A firm that asks a vendor for
// a product the vendor is short of gets the served share f (its fill rate) at the list price and
// buys the rest at its fallback: the next-best source (on-premises hardware, a grey market) at a
// scarcity premium over the market's reference price. What it expects to pay per unit it wants,
//     e = f p + (1 - f) F,   F = max(p, (1 + m) ref),
// enters its price index in place of the list price p, so a price it cannot get does not win it.
// Pure: the tests check it against closed forms.
#include <functional>

namespace cm {

// F above: the price per unit of what the vendor cannot deliver (never below the list price:
// a customer would not pay the vendor more than its fallback).
double fallback_price(double list_price, double reference_price, double scarcity_premium);

// e above: expected cost per unit wanted at fill rate `fill` in [0, 1]; exactly the list price
// when fill = 1.
double rationed_price(double list_price, double fill, double reference_price, double scarcity_premium);

// The fill rate customers would observe at a price held long enough: the f in [0, 1] with
// f = min(1, K / Q(f)), where Q(f) are the units wanted when customers expect fill f (more
// customers choose a vendor that delivers more, so Q does not fall in f: the solution is unique).
// 1 when Q(1) <= K, else the root of f Q(f) = K (Illinois regula falsi, then bisection).
double steady_fill(const std::function<double(double fill)>& units_wanted, double capacity);

}  // namespace cm
