#pragma once
// Typed, validated reading of scenario values from the located YAML tree. Each error names the
// file, line and column of the offending value and says what was expected.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sim/dated_parameter.hpp"
#include "sim/yaml_tree.hpp"

namespace cm::yaml {

// An allowed interval for a number; open or closed at each end.
struct Range {
  Range(double lo_ = -std::numeric_limits<double>::infinity(), double hi_ = std::numeric_limits<double>::infinity(),
        bool lo_open_ = false, bool hi_open_ = false)
      : lo(lo_), hi(hi_), lo_open(lo_open_), hi_open(hi_open_) {}
  double lo;
  double hi;
  bool lo_open;
  bool hi_open;
  // Positive values below this are rejected too (0 stays allowed): "0 or at least ...".
  double positive_minimum = 0;
  // Why the range is what it is, added to the message when a value falls outside it.
  std::string reason;

  static Range positive() { return {0, std::numeric_limits<double>::infinity(), true, false}; }
  static Range non_negative() { return {0, std::numeric_limits<double>::infinity()}; }
  static Range fraction() { return {0, 1}; }
  static Range open_fraction() { return {0, 1, true, true}; }
  static Range between(double lo, double hi) { return {lo, hi}; }
  bool contains(double x) const {
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi) && !(x > 0 && x < positive_minimum);
  }
  Range because(std::string why) const {
    Range r = *this;
    r.reason = std::move(why);
    return r;
  }
  std::string describe() const;
};

[[noreturn]] void fail(const SourceLocation& where, const std::string& message);

double to_number(const Node& node, const std::string& key, Range range);
std::int64_t to_integer(const Node& node, const std::string& key, std::int64_t lo, std::int64_t hi);
std::string to_text(const Node& node, const std::string& key);
// An identifier: letters, digits, '_' and '-', starting with a letter (ids name HDF5 labels and paths).
std::string to_id(const Node& node, const std::string& key);

template <class Enum>
Enum to_enum(const Node& node, const std::string& key,
             const std::vector<std::pair<std::string, Enum>>& choices);

// The keys of one mapping. Each key the schema knows is asked for (present or not); done()
// then rejects any other key, with a "did you mean" hint drawn from the known ones.
class Fields {
 public:
  Fields(const Node& node, std::string what);  // what: "vendor 'aws'", "time", ...
  const Node* optional(const std::string& key);    // nullptr when absent or null
  const Node& required(const std::string& key);
  void done() const;
  // Names the mapping better once its id is known ("segment" becomes "segment 'retail'").
  void rename(std::string what) { what_ = std::move(what); }
  const SourceLocation& where() const { return node_->where; }
  const std::string& what() const { return what_; }
  // The mapping's datable keys (sim/dated_parameter.hpp) may be given as dated schedules, which
  // the loader stores in `into`.
  void allow_dates(DatedFields& into, DatedOwner owner) {
    dated_ = &into;
    owner_ = owner;
  }
  DatedFields* dated_into(const std::string& key) const {
    return dated_ && is_datable(owner_, key) ? dated_ : nullptr;
  }

 private:
  const Node* node_;
  std::string what_;
  std::vector<std::string> known_;
  DatedFields* dated_ = nullptr;
  DatedOwner owner_ = DatedOwner::segment;
};

// Reads an optional key into `value` (which holds the default) with a converter.
template <class T, class Convert>
void read_optional(Fields& fields, const std::string& key, T& value, Convert convert) {
  if (const Node* node = fields.optional(key)) value = convert(*node, key);
}

// ---- template definitions ----

template <class Enum>
Enum to_enum(const Node& node, const std::string& key,
             const std::vector<std::pair<std::string, Enum>>& choices) {
  const std::string text = to_text(node, key);
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (name == text) return value;
    names.push_back(name);
  }
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  std::string message = "'" + key + "' must be one of " + list + ", got '" + text + "'";
  if (auto hint = did_you_mean(text, names)) message += " (did you mean '" + *hint + "'?)";
  fail(node.where, message);
}

}  // namespace cm::yaml
