#include "sim/yaml_fields.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <stdexcept>

namespace cm::yaml {

namespace {

// A number as written in a message or a file ("1e+15", "0.5").
std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

const char* kind_phrase(const Node& node) {
  switch (node.kind) {
    case Kind::null: return "nothing";
    case Kind::scalar: return "a scalar";
    case Kind::sequence: return "a list";
    case Kind::map: return "a mapping";
  }
  return "?";
}

const std::string& scalar_of(const Node& node, const std::string& key, const char* expected) {
  if (node.kind != Kind::scalar)
    fail(node.where, "'" + key + "' must be " + expected + ", got " + kind_phrase(node));
  return node.scalar;
}
}  // namespace

std::string Range::describe() const {
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  if (positive_minimum > 0 && has_hi)
    return "0 or in [" + number_text(positive_minimum) + ", " + number_text(hi) + "]";
  if (has_lo && has_hi)
    return std::string("in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) +
           (hi_open ? ")" : "]");
  if (has_lo) return std::string(lo_open ? "> " : ">= ") + number_text(lo);
  if (has_hi) return std::string(hi_open ? "< " : "<= ") + number_text(hi);
  return "finite";
}

void fail(const SourceLocation& where, const std::string& message) { throw InputError(where, message); }

double to_number(const Node& node, const std::string& key, Range range) {
  if (node.kind == Kind::sequence)
    fail(node.where, "'" + key + "' must be a number, got a list: '" + key + "' cannot be dated here (it is fixed at "
                     "the start or read only once); dated schedules are allowed for " + datable_keys_text());
  const std::string& text = scalar_of(node, key, "a number");
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(begin, &end);
  const bool parsed = !node.quoted && !text.empty() && end == begin + text.size();
  // strtod also reads "nan", "inf" and hex floats; YAML's .nan/.inf do not parse at all.
  if (!parsed || text.find_first_of("xXnN") != std::string::npos || text.find("inf") != std::string::npos ||
      text.find("INF") != std::string::npos)
    fail(node.where, "'" + key + "' must be a number, got '" + text + "'");
  if (!std::isfinite(x) || errno == ERANGE)
    fail(node.where, "'" + key + "' must be a finite number, got '" + text + "'");
  if (!range.contains(x))
    fail(node.where, "'" + key + "' must be " + range.describe() + ", got " + text +
                         (range.reason.empty() ? "" : " (" + range.reason + ")"));
  return x;
}

std::int64_t to_integer(const Node& node, const std::string& key, std::int64_t lo, std::int64_t hi) {
  if (node.kind == Kind::sequence)
    fail(node.where, "'" + key + "' must be an integer, got a list: '" + key + "' cannot be dated; dated schedules "
                     "are allowed for " + datable_keys_text());
  const std::string& text = scalar_of(node, key, "an integer");
  const char* begin = text.c_str();
  char* end = nullptr;
  const double x = std::strtod(begin, &end);
  // Integers may be written in exponent form (1e6); anything else that is not a whole number fails.
  const bool parsed = !node.quoted && !text.empty() && end == begin + text.size() &&
                      text.find_first_of("xXnNiI") == std::string::npos;
  if (!parsed || !std::isfinite(x) || x != std::floor(x))
    fail(node.where, "'" + key + "' must be an integer, got '" + text + "'");
  if (x < double(lo) || x > double(hi))
    fail(node.where, "'" + key + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + text);
  return std::int64_t(x);
}

std::string to_text(const Node& node, const std::string& key) { return scalar_of(node, key, "a string"); }

// Compiled once per process, when it starts: in the batch worker, before the fork (sim/calendar.cpp).
const std::regex kId(kIdPattern);

std::string to_id(const Node& node, const std::string& key) {
  const std::string& text = scalar_of(node, key, "an identifier");
  if (!std::regex_match(text, kId))
    fail(node.where, "'" + key + "' must be an identifier (a letter, then letters, digits, '_' or '-'; " +
                         "at most 64 characters), got '" + text + "'");
  return text;
}

Fields::Fields(const Node& node, std::string what, const MappingSpec& spec)
    : node_(&node), what_(std::move(what)), spec_(&spec) {
  if (node_->kind != Kind::map)
    fail(node_->where, what_ + " must be a mapping of keys to values, got " + kind_phrase(*node_));
}

const FieldSpec& Fields::row(const std::string& key) const {
  const FieldSpec* row = spec_->find(key, selected_);
  if (!row) throw std::logic_error("the loader reads '" + key + "', which the table '" + spec_->name + "' lacks");
  return *row;
}

void Fields::check_known(const std::string& key) const {
  if (!spec_->is_retired(key)) row(key);
}

const Node* Fields::optional(const std::string& key) {
  check_known(key);
  known_.push_back(key);
  const MapEntry* entry = node_->find(key);
  if (!entry || entry->value->kind == Kind::null) return nullptr;
  return entry->value.get();
}

const Node& Fields::required(const std::string& key) {
  const Node* node = optional(key);
  if (!node) {
    const MapEntry* entry = node_->find(key);
    std::string message = "missing required key '" + key + "' in " + what_;
    // An element that an `extends:` override added because its id matched none of the base's.
    if (!node_->unmatched_id_hint.empty())
      message += " (its id matches no element of the base file: did you mean '" + node_->unmatched_id_hint + "'?)";
    fail(entry ? entry->key_where : node_->where, message);
  }
  return *node;
}

void Fields::done() const {
  for (const auto& entry : node_->entries) {
    bool is_known = false;
    for (const auto& k : known_) is_known = is_known || k == entry.key;
    if (is_known) continue;
    std::string message = "unknown key '" + entry.key + "' in " + what_;
    if (auto hint = did_you_mean(entry.key, known_)) message += " (did you mean '" + *hint + "'?)";
    fail(entry.key_where, message);
  }
}

}  // namespace cm::yaml
