#pragma once
// Typed, validated reading of scenario values from the located YAML tree. Each error names the
// file, line and column of the offending value and says what was expected.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sim/dated_parameter.hpp"
#include "sim/field_table.hpp"
#include "sim/value_range.hpp"
#include "sim/yaml_tree.hpp"

namespace cm::yaml {

[[noreturn]] void fail(const SourceLocation& where, const std::string& message);

double to_number(const Node& node, const std::string& key, Range range);
std::int64_t to_integer(const Node& node, const std::string& key, std::int64_t lo, std::int64_t hi);
inline std::int64_t to_integer(const Node& node, const std::string& key, const Range& range) {
  return to_integer(node, key, std::int64_t(range.lo), std::int64_t(range.hi));
}
std::string to_text(const Node& node, const std::string& key);
// An identifier: letters, digits, '_' and '-', starting with a letter (ids name HDF5 labels and paths).
inline constexpr const char* kIdPattern = "^[A-Za-z][A-Za-z0-9_-]{0,63}$";
std::string to_id(const Node& node, const std::string& key);

template <class Enum>
Enum to_enum(const Node& node, const std::string& key,
             const std::vector<std::pair<std::string, Enum>>& choices);

// The keys of one mapping, read through the mapping's table (sim/field_table.hpp). Each key the
// loader knows is asked for (present or not); done() then rejects any other key, with a "did you
// mean" hint drawn from the known ones. Asking for a key the table lacks is a bug in the loader
// (std::logic_error), so every key it reads is in the table the JSON Schema is printed from.
class Fields {
 public:
  Fields(const Node& node, std::string what, const MappingSpec& spec);  // what: "vendor 'aws'", "time", ...
  const Node* optional(const std::string& key);    // nullptr when absent or null
  const Node& required(const std::string& key);
  void done() const;
  // Names the mapping better once its id is known ("segment" becomes "segment 'retail'").
  void rename(std::string what) { what_ = std::move(what); }
  // The value of the table's discriminator (an event's type): from now on rows are those for it.
  void select(std::string value) { selected_ = std::move(value); }
  const SourceLocation& where() const { return node_->where; }
  const std::string& what() const { return what_; }
  // The table's row of `key`, and the allowed range of its numbers.
  const FieldSpec& row(const std::string& key) const;
  const Range& range(const std::string& key) const { return row(key).range; }
  // A key's number (or integer) checked against the key's own range: required, or read into
  // `value` (which holds the default) when present.
  double number(const std::string& key) { return to_number(required(key), key, range(key)); }
  template <class T>
  void number(const std::string& key, T& value) {  // T: double or std::optional<double>
    if (const Node* n = optional(key)) value = to_number(*n, key, range(key));
  }
  template <class Int>
  Int integer(const std::string& key) {
    return Int(to_integer(required(key), key, range(key)));
  }
  template <class Int>
  void integer(const std::string& key, Int& value) {
    if (const Node* n = optional(key)) value = Int(to_integer(*n, key, range(key)));
  }
  // The mapping's datable keys (sim/dated_parameter.hpp) may be given as dated schedules, which
  // the loader stores in `into` (the table names the owner).
  void allow_dates(DatedFields& into) { dated_ = &into; }
  DatedFields* dated_into(const std::string& key) const {
    return dated_ && spec_->dated_owner && is_datable(*spec_->dated_owner, key) ? dated_ : nullptr;
  }

 private:
  void check_known(const std::string& key) const;
  const Node* node_;
  std::string what_;
  const MappingSpec* spec_;
  std::string selected_;
  std::vector<std::string> known_;
  DatedFields* dated_ = nullptr;
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
