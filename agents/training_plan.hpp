#pragma once
// How much training compute a model startup buys (docs/model.md "AI startups"): what it can pay
// and what it expects to earn from the quality the compute brings. Pure functions, no SimGrid.
//
// Quality q = k log10(C / 1e21) (k = quality_per_decade, C = cumulative FLOP). On a marketplace
// the model's token share s follows a logit in q (weight beta = model_choice_quality), so
// d ln s / d ln C = beta (1 - s) k / ln 10 = gamma; holding gamma, a run of F FLOP multiplies its
// API revenue by (1 + F / C)^gamma. Against A, the API revenue it expects over its planning
// horizon, the run is worth A ((1 + F / C)^gamma - 1) and costs c F (c = GPU price /
// flops_per_gpu_hour). For gamma < 1 the value is concave and the optimum is
//     F* = C max(0, (A gamma / (c C))^(1 / (1 - gamma)) - 1);
// for gamma >= 1 it is convex: the best is all it can get, or nothing.
namespace cm {

// The money side of a plan, currency.
struct TrainingMoney {
  double credits = 0;            // on its training vendor
  double cash = 0;
  double reserve = 0;            // runway_months x burn: kept back for the burn
  double commitment_left = 0;    // still to spend on its training vendor under live commitments
  double commitment_months_left = 0;  // months until the earliest of them ends
};

// Credits + cash above the reserve; never what it does not have.
double affordable_spend(const TrainingMoney& money);
// A live commitment is a floor: its remaining amount spread over its months left, for a run of
// run_months (all of it when the run outlasts the commitment).
double commitment_floor(const TrainingMoney& money, double run_months);

// gamma = beta (1 - s) k / ln 10.
double quality_gain_exponent(double model_choice_quality, double token_share, double quality_per_decade);

// argmax over 0 <= F <= max_flops of A ((1 + F / C)^gamma - 1) - cost_per_flop F.
double optimal_flops(double expected_revenue, double cumulative_flops, double gamma, double cost_per_flop,
                     double max_flops);

struct TrainingPlanInputs {
  double cumulative_flops = 0;        // C, FLOP
  double monthly_revenue = 0;         // R: what its model earned on its marketplaces last month, currency
  double growth_per_year = 0;         // g: the model market's expected growth, fraction per year
  double horizon_months = 24;         // months of revenue the quality gain is weighed over
  double token_share = 0;             // s: its share of the tokens on its marketplaces
  double model_choice_quality = 2;    // beta
  double quality_per_decade = 0.5;    // k
  double gpu_price = 0;               // currency per GPU-hour on its training vendor
  double flops_per_gpu_hour = 4.5e17;
  double run_months = 3;
  double free_gpu_hours_per_month = 0;  // its vendor's GPU capacity nobody else uses or holds
  TrainingMoney money;
};

struct TrainingPlan {
  double expected_revenue = 0;  // A, currency
  double gamma = 0;
  double wanted_flops = 0;      // F* before money and capacity
  double flops = 0;             // the run
  double gpu_hours_per_month = 0;
  double spend = 0;             // currency, at today's GPU price
  bool money_bound = false;     // it wanted more than it can pay
  bool capacity_bound = false;  // it wanted more than its vendor has free
};

TrainingPlan plan_training(const TrainingPlanInputs& in);

}  // namespace cm
