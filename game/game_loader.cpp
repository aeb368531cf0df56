#include "game/game_loader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include <yaml-cpp/yaml.h>

#include "game/game_fields.hpp"
#include "game/game_names.hpp"
#include "sim/yaml_fields.hpp"

namespace cm::game {

using yaml::Fields;
using yaml::Kind;
using yaml::Node;
using yaml::Range;
using yaml::fail;

namespace {

constexpr double kMaxTableEntries = 5e7;  // one learner's Q table: 400 MB of doubles

template <class Enum>
void choice(Fields& f, const std::string& key, Enum& value, const NameTable<Enum>& names) {
  if (const Node* n = f.optional(key)) value = yaml::to_enum(*n, key, names);
}

// Strategies a game can play: those its table lists (every market strategy but `scheduled`).
NameTable<PricingRule> game_strategies() {
  const auto& allowed = fields::seller().find("strategy")->choices;
  NameTable<PricingRule> names;
  for (const auto& [name, rule] : pricing_rule_names())
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) names.emplace_back(name, rule);
  return names;
}

Demand decode_demand(const Node& node) {
  Fields f(node, "demand", fields::demand());
  Demand d;
  choice(f, "model", d.model, demand_model_names());
  f.number("price_sensitivity", d.price_sensitivity);
  f.number("outside_quality", d.outside_quality);
  const Node* nesting = f.optional("nesting");
  if (nesting) d.nesting = yaml::to_number(*nesting, "nesting", f.range("nesting"));
  if (nesting && d.model == DemandModel::logit && d.nesting != 1.0)
    fail(nesting->where, "'nesting' below 1 needs 'model: nested_logit' (the plain logit has nesting 1)");
  f.done();
  return d;
}

Learning decode_learning(const Node& node, Learning l) {
  Fields f(node, "q_learning", fields::q_learning());
  f.number("learning_rate", l.rule.learning_rate);
  f.number("discount", l.rule.discount);
  f.number("exploration_decay", l.rule.exploration_decay);
  choice(f, "exploration", l.rule.exploration, exploration_names());
  f.number("temperature", l.rule.temperature);
  choice(f, "q_init", l.q_init, q_init_names());
  f.integer("memory", l.memory);
  f.done();
  return l;
}

Seller decode_seller(const Node& node, const Learning& learning, std::set<std::string>& ids) {
  Fields f(node, "seller", fields::seller());
  Seller s;
  s.id = yaml::to_id(f.required("id"), "id");
  f.rename("seller '" + s.id + "'");
  if (!ids.insert(s.id).second) fail(node.where, "duplicate seller id '" + s.id + "'");
  f.number("quality", s.quality);
  f.number("marginal_cost", s.marginal_cost);
  choice(f, "strategy", s.pricing.strategy, game_strategies());
  f.number("price", s.price);
  f.number("markup", s.pricing.markup);
  f.number("undercut", s.pricing.undercut);
  f.number("min_margin", s.pricing.min_margin);
  s.learning = learning;
  if (const Node* q = f.optional("q_learning")) {
    s.learning = decode_learning(*q, learning);
    if (s.learning.memory != learning.memory)
      fail(q->where, "'memory' is the game's, not a seller's: every learner sees the same periods "
                     "(set it in the top-level q_learning block)");
  }
  f.done();
  return s;
}

// The sizes a game implies must fit in memory: each learner holds m^(n k) states x m actions.
void check_sizes(const GameSpec& g, const Node& where) {
  const double n = double(g.sellers.size()), m = g.grid.points;
  for (const auto& s : g.sellers) {
    if (s.pricing.strategy != PricingRule::q_learning) continue;
    const double states = std::pow(m, n * s.learning.memory);
    if (states * m > kMaxTableEntries)
      fail(where.where, "seller '" + s.id + "' would need a Q table of " + std::to_string(states) + " states x " +
                            std::to_string(int(m)) + " prices (" + std::to_string(int(n)) + " sellers, memory " +
                            std::to_string(s.learning.memory) + "); at most " +
                            std::to_string(std::int64_t(kMaxTableEntries)) +
                            " entries fit: use fewer grid points, sellers or periods of memory");
  }
}

}  // namespace

GameSpec decode_game(const yaml::NodePtr& root, const std::string& path) {
  if (root->kind != Kind::map) fail(root->where, "a game file must be a mapping, got " + root->kind_name());
  Fields f(*root, "game", fields::game());
  GameSpec g;
  const Node& schema = f.required("schema");
  if (yaml::to_text(schema, "schema") != kGameSchema)
    fail(schema.where, std::string("'schema' must be '") + kGameSchema + "', got '" + schema.scalar + "'");
  g.name = std::filesystem::path(path).stem().string();
  if (const Node* n = f.optional("name")) g.name = yaml::to_text(*n, "name");
  f.integer("seed", g.seed);
  f.integer("sessions", g.sessions);
  if (const Node* n = f.optional("units")) g.units = yaml::to_text(*n, "units");
  if (const Node* n = f.optional("demand")) g.demand = decode_demand(*n);
  Learning learning;
  if (const Node* n = f.optional("q_learning")) learning = decode_learning(*n, learning);
  std::set<std::string> ids;
  const Node& sellers = f.required("sellers");
  if (sellers.kind != Kind::sequence || sellers.items.size() < std::size_t(fields::kMinSellers))
    fail(sellers.where, "'sellers' must be a list of at least two sellers (with one, the Nash and monopoly "
                        "prices coincide and there is no gain to measure)");
  if (sellers.items.size() > std::size_t(fields::kMaxSellers))
    fail(sellers.where, "'sellers' has " + std::to_string(sellers.items.size()) + " entries; at most " +
                            std::to_string(fields::kMaxSellers) + " are allowed");
  for (const auto& item : sellers.items) g.sellers.push_back(decode_seller(*item, learning, ids));
  if (const Node* n = f.optional("grid")) {
    Fields gf(*n, "grid", fields::grid());
    gf.integer("points", g.grid.points);
    gf.number("extend", g.grid.extend);
    gf.done();
  }
  choice(f, "moves", g.moves, moves_names());
  if (const Node* n = f.optional("convergence")) {
    Fields cf(*n, "convergence", fields::convergence());
    cf.integer("stable_periods", g.convergence.stable_periods);
    cf.integer("max_periods", g.convergence.max_periods);
    cf.done();
  }
  if (const Node* n = f.optional("impulse")) {
    Fields imf(*n, "impulse", fields::impulse());
    if (const Node* d = imf.optional("deviator")) {
      const std::string id = yaml::to_id(*d, "deviator");
      std::vector<std::string> names;
      for (const auto& s : g.sellers) names.push_back(s.id);
      const auto at = std::find(names.begin(), names.end(), id);
      if (at == names.end()) {
        std::string message = "'deviator' names no seller: '" + id + "'";
        if (auto hint = yaml::did_you_mean(id, names)) message += " (did you mean '" + *hint + "'?)";
        fail(d->where, message);
      }
      g.impulse.deviator = int(at - names.begin());
    }
    imf.integer("periods", g.impulse.periods);
    imf.done();
  }
  f.done();
  check_sizes(g, *root);
  return g;
}

double GameSpec::discount() const {
  for (const auto& s : sellers)
    if (s.pricing.strategy == PricingRule::q_learning) return s.learning.rule.discount;
  return 0.95;
}

GameSpec load_game(const std::string& path, const std::vector<std::string>& overrides,
                   std::vector<std::string>* files_read) {
  yaml::NodePtr root = yaml::load_with_extends(path, {}, files_read);
  for (const auto& assignment : overrides) yaml::apply_override(root, assignment);
  return decode_game(root, path);
}

bool is_game(const yaml::Node& root) {
  if (root.kind != Kind::map) return false;
  const auto* schema = root.find("schema");
  return schema && schema->value->kind == Kind::scalar && schema->value->scalar == kGameSchema;
}

namespace {

void emit_learning(YAML::Emitter& out, const Learning& l) {
  out << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "learning_rate" << YAML::Value << l.rule.learning_rate;
  out << YAML::Key << "discount" << YAML::Value << l.rule.discount;
  out << YAML::Key << "exploration_decay" << YAML::Value << l.rule.exploration_decay;
  out << YAML::Key << "exploration" << YAML::Value << name_of(l.rule.exploration);
  out << YAML::Key << "temperature" << YAML::Value << l.rule.temperature;
  out << YAML::Key << "q_init" << YAML::Value << name_of(l.q_init);
  out << YAML::Key << "memory" << YAML::Value << l.memory;
  out << YAML::EndMap;
}

}  // namespace

std::string game_to_yaml(const GameSpec& g) {
  YAML::Emitter out;
  out.SetDoublePrecision(17);
  out << YAML::BeginMap;
  out << YAML::Key << "schema" << YAML::Value << kGameSchema;
  out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << g.name;
  out << YAML::Key << "seed" << YAML::Value << g.seed;
  out << YAML::Key << "sessions" << YAML::Value << g.sessions;
  out << YAML::Key << "units" << YAML::Value << YAML::DoubleQuoted << g.units;
  out << YAML::Key << "demand" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "model" << YAML::Value << name_of(g.demand.model);
  out << YAML::Key << "price_sensitivity" << YAML::Value << g.demand.price_sensitivity;
  out << YAML::Key << "outside_quality" << YAML::Value << g.demand.outside_quality;
  out << YAML::Key << "nesting" << YAML::Value << g.demand.nesting << YAML::EndMap;
  out << YAML::Key << "sellers" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : g.sellers) {
    out << YAML::BeginMap;
    out << YAML::Key << "id" << YAML::Value << s.id;
    out << YAML::Key << "quality" << YAML::Value << s.quality;
    out << YAML::Key << "marginal_cost" << YAML::Value << s.marginal_cost;
    out << YAML::Key << "strategy" << YAML::Value << name_of(s.pricing.strategy);
    if (s.price) out << YAML::Key << "price" << YAML::Value << *s.price;
    if (s.pricing.markup) out << YAML::Key << "markup" << YAML::Value << *s.pricing.markup;
    out << YAML::Key << "undercut" << YAML::Value << s.pricing.undercut;
    out << YAML::Key << "min_margin" << YAML::Value << s.pricing.min_margin;
    out << YAML::Key << "q_learning" << YAML::Value;
    emit_learning(out, s.learning);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "grid" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "points" << YAML::Value << g.grid.points;
  out << YAML::Key << "extend" << YAML::Value << g.grid.extend << YAML::EndMap;
  out << YAML::Key << "moves" << YAML::Value << name_of(g.moves);
  out << YAML::Key << "convergence" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "stable_periods" << YAML::Value << g.convergence.stable_periods;
  out << YAML::Key << "max_periods" << YAML::Value << g.convergence.max_periods << YAML::EndMap;
  out << YAML::Key << "impulse" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "deviator" << YAML::Value << g.sellers[std::size_t(g.impulse.deviator)].id;
  out << YAML::Key << "periods" << YAML::Value << g.impulse.periods << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace cm::game
