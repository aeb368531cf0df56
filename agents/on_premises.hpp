#pragma once
// The outside option moves: on-premises has its own cost path, and a budget cut weighs the cloud
// bill more (docs/model.md, "On-premises and repatriation"). Pure functions: no World, no SimGrid.
//
// On-premises cost index of segment s, relative to the start (t in months):
//     O_s(t) = h (1 + g_hw)^(t/12) + (1 - h) (1 + g_staff)^(t/12),
// h the hardware share of on-premises cost, g_hw and g_staff the yearly trends. Its utility is
//     u_s0(t) = -alpha_s L_s (O_s(t) - 1),    L_s = cost_level_s * Pbar_s^0,
// L_s the on-premises running cost at the start in the units of the cloud price index (Pbar_s^0 the
// segment's initial cloud price index, averaged over the vendors it may use with their initial
// shares), so a fall of on-premises cost by 1% moves its utility as much as a 1% fall of the cloud
// price index moves a cloud's (cost_level = 1) — the cloud utilities keep -alpha_s (P_sj - P_sj^0).
//
// A budget cut: a share d of the cloud bill is discretionary (operating expense, cut first), and
// is weighed against the budget left, b_s (the product of the budget shocks in force):
//     u_sj = xi_sj - alpha_s (w_s P_sj - P_sj^0),   w_s = 1 + d (1 / b_s - 1),
// while on-premises cost, committed (owned hardware, salaried staff), is not.
#include "sim/scenario.hpp"

namespace cm {

// O_s(t), dimensionless (1 at the start).
double on_premises_cost_index(const OnPremises& on_premises, int month);

// u_s0(t): `price_sensitivity` alpha_s, `cloud_index_at_start` Pbar_s^0.
double on_premises_utility(const OnPremises& on_premises, double price_sensitivity, double cloud_index_at_start,
                           int month);

// w_s: the weight of the cloud price index under budget factor b (> 0).
double cloud_cost_weight(double discretionary_share, double budget_factor);
// The same with the segment's discretionary share in force in `month` (it may be dated).
double cloud_cost_weight(const OnPremises& on_premises, int month, double budget_factor);

}  // namespace cm
