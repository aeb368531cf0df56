#include "game/game_fields.hpp"

#include "game/game_names.hpp"
#include "game/game_spec.hpp"

namespace cm::game::fields {

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
// Strategies a game can play: every market strategy but `scheduled`, whose steps are dated.
std::vector<std::string> game_strategy_names() {
  std::vector<std::string> names;
  for (const auto& [name, rule] : pricing_rule_names())
    if (rule != PricingRule::scheduled) names.push_back(name);
  return names;
}
}  // namespace

const MappingSpec& game() {
  static const MappingSpec spec = [] {
    const GameSpec g;
    return MappingSpec{
        "game",
        "A repeated pricing game (docs/game.md), after Calvano et al. (2020).",
        {
            text_field("schema", FieldType::constant, "the file's schema").with_choices({kGameSchema}).is_required(),
            text_field("extends", FieldType::path,
                       "a base game this file is deep-merged over (a path relative to this file)"),
            text_field("name", FieldType::text, "the game's name", "the file's name without .yaml"),
            integer_field("seed", 0, double(limits::kMaxSeed), "random seed", double(g.seed)),
            integer_field("sessions", 1, 1'000'000, "independent sessions to play", g.sessions),
            text_field("units", FieldType::text, "the price unit's name", g.units),
            nested_field("demand", FieldType::mapping, demand, "the logit demand"),
            nested_field("q_learning", FieldType::mapping, q_learning, "how every q_learning seller learns"),
            nested_field("sellers", FieldType::list, seller, "the sellers")
                .items(kMinSellers, kMaxSellers)
                .is_required(),
            nested_field("grid", FieldType::mapping, grid, "the learners' price grid"),
            choice_field("moves", names_of(moves_names()), "whether sellers set prices at once or in turn",
                         name_of(g.moves)),
            nested_field("convergence", FieldType::mapping, convergence, "when a session stops"),
            nested_field("impulse", FieldType::mapping, impulse, "the deviation played after convergence"),
        }};
  }();
  return spec;
}

const MappingSpec& demand() {
  static const MappingSpec spec = [] {
    const Demand d;
    return MappingSpec{
        "demand",
        "Logit demand over the sellers and an outside good.",
        {
            choice_field("model", names_of(demand_model_names()), "the demand model", name_of(d.model)),
            number_field("price_sensitivity", Range{0, 1e6, true, false}, "alpha, utility per price unit",
                         d.price_sensitivity),
            number_field("outside_quality", Range{-1e9, 1e9}, "a_0, price units", d.outside_quality),
            number_field("nesting", Range{0, 1, true, false},
                         "lambda in (0, 1]; below 1 needs model nested_logit", d.nesting),
        }};
  }();
  return spec;
}

const MappingSpec& q_learning() {
  static const MappingSpec spec = [] {
    const Learning l;
    return MappingSpec{
        "q_learning",
        "How a q_learning seller learns.",
        {
            number_field("learning_rate", Range{0, 1, true, false}, "alpha", l.rule.learning_rate),
            number_field("discount", Range{0, 1, false, true}, "delta, per period", l.rule.discount),
            number_field("exploration_decay", Range::non_negative(),
                         "beta: epsilon = exp(-beta t), or temperature x exp(-beta t)", l.rule.exploration_decay),
            choice_field("exploration", names_of(exploration_names()), "epsilon-greedy or Boltzmann exploration",
                         name_of(l.rule.exploration)),
            number_field("temperature", Range::positive(), "boltzmann: initial temperature, profit units",
                         l.rule.temperature),
            choice_field("q_init", names_of(q_init_names()), "initial Q values", name_of(l.q_init)),
            integer_field("memory", 1, 8, "periods of all sellers' prices in the state (the game's only)", l.memory),
        }};
  }();
  return spec;
}

const MappingSpec& seller() {
  static const MappingSpec spec = [] {
    const Seller s;
    return MappingSpec{
        "seller",
        "A seller of the game.",
        {
            text_field("id", FieldType::id, "the seller's id").is_required(),
            number_field("quality", Range{-1e9, 1e9}, "a_i, price units", s.quality),
            number_field("marginal_cost", Range::non_negative(), "c_i, price units", s.marginal_cost),
            choice_field("strategy", game_strategy_names(), "pricing rule", name_of(s.pricing.strategy)),
            number_field("price", Range::positive(), "opening price of a seller that does not learn (default: Nash)"),
            number_field("markup", Range{-1, 100, true, false}, "cost_plus: price = marginal cost x (1 + markup)"),
            number_field("undercut", Range{0, 1, false, true}, "undercut: price = lowest rival price x (1 - undercut)",
                         s.pricing.undercut),
            number_field("min_margin", Range{-1, 100, true, false}, "price >= marginal cost x (1 + min_margin)",
                         s.pricing.min_margin),
            nested_field("q_learning", FieldType::mapping, q_learning,
                         "this seller's own learning (defaults: the game's q_learning)"),
        }};
  }();
  return spec;
}

const MappingSpec& grid() {
  static const MappingSpec spec = [] {
    const Grid g;
    return MappingSpec{"grid",
                       "The learners' price grid, from below Nash to above monopoly.",
                       {
                           integer_field("points", 2, 1000, "m, prices on the grid", g.points),
                           number_field("extend", Range{0, 10}, "xi: how far the grid reaches past Nash and monopoly",
                                        g.extend),
                       }};
  }();
  return spec;
}

const MappingSpec& convergence() {
  static const MappingSpec spec = [] {
    const Convergence c;
    return MappingSpec{"convergence",
                       "When a session stops.",
                       {
                           integer_field("stable_periods", 1, 1'000'000'000,
                                         "K: periods every greedy policy must stay unchanged",
                                         double(c.stable_periods)),
                           integer_field("max_periods", 1, 2'000'000'000, "cap on a session's periods",
                                         double(c.max_periods)),
                       }};
  }();
  return spec;
}

const MappingSpec& impulse() {
  static const MappingSpec spec = [] {
    const Impulse i;
    return MappingSpec{"impulse",
                       "The one-period deviation played after convergence.",
                       {
                           text_field("deviator", FieldType::id, "the seller that deviates", "the first seller"),
                           integer_field("periods", 1, 1000, "periods followed after the deviation", i.periods),
                       }};
  }();
  return spec;
}

}  // namespace cm::game::fields
