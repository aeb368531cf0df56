#pragma once
// The keys of each mapping of an input file, as one table per mapping: type, range, default, unit
// and whether the key is required. The loaders read every key through its row (yaml::Fields takes
// the table, and ranges come from it), and `cloudmarket schema` prints the same tables as a JSON
// Schema (sim/json_schema.hpp), so the schema editors use cannot drift from what the loader takes.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/dated_parameter.hpp"
#include "sim/value_range.hpp"

namespace cm::yaml {

enum class FieldType {
  number,             // a number in `range`; a dated schedule too if the mapping's owner allows dates for the key
  integer,            // a whole number in `range`
  text,               // any string
  id,                 // an identifier (yaml::to_id)
  date,               // YYYY-MM-DD
  duration,           // "3 months", "1 year", "2 weeks", "10 days"
  choice,             // one of `choices`
  boolean,            // true or false
  constant,           // exactly choices[0] (a file's `schema:`)
  path,               // a file path (`extends:`)
  mapping,            // a mapping of the keys of `item`
  list,               // a list of mappings of the keys of `item`
  product_map,        // product id -> a mapping of `item` (or, without item, a number in `range`)
  number_or_mapping,  // a number in `range`, or a mapping of the keys of `item`
  mapping_or_list,    // a mapping of `item`, or a list of mappings of `alternative` (dated regimes)
};

struct MappingSpec;
using SpecRef = const MappingSpec& (*)();

struct FieldSpec {
  std::string key;
  FieldType type = FieldType::number;
  std::string doc;  // what it is, in which unit
  Range range;
  bool required = false;
  std::vector<std::string> choices;
  SpecRef item = nullptr;
  SpecRef alternative = nullptr;
  std::optional<double> default_number;  // numbers: the value taken when the key is absent
  std::string default_text;        // other types: the value taken when the key is absent, as written; "" when none
  std::vector<std::string> when;   // the values of the mapping's discriminator this row is for (empty: all)
  std::size_t min_items = 0, max_items = 0;  // lists (max 0: unbounded)

  // Builders, so that a table reads as one row per key.
  FieldSpec&& is_required() && { required = true; return std::move(*this); }
  FieldSpec&& for_values(std::vector<std::string> values) && { when = std::move(values); return std::move(*this); }
  FieldSpec&& items(std::size_t lo, std::size_t hi) && { min_items = lo; max_items = hi; return std::move(*this); }
  FieldSpec&& or_else(SpecRef alt) && { alternative = alt; return std::move(*this); }
  FieldSpec&& with_choices(std::vector<std::string> c) && { choices = std::move(c); return std::move(*this); }
  FieldSpec&& within(Range r) && { range = std::move(r); return std::move(*this); }
  bool applies_to(const std::string& value) const;
};

// Exactly one of `keys` must be given (when the discriminator has the value `when`, if set).
struct OneOf {
  std::vector<std::string> keys;
  std::string when;
};

struct MappingSpec {
  std::string name;  // the definition's name in the JSON Schema
  std::string doc;
  std::vector<FieldSpec> fields;
  std::optional<DatedOwner> dated_owner{};  // whose datable keys (sim/dated_parameter.hpp) may be schedules
  std::string discriminator{};            // key whose value selects the rows with a `when`
  std::vector<OneOf> one_of{};
  std::vector<std::string> retired{};     // keys of earlier versions, which the loader rejects with an explanation

  // The row of `key` (for the discriminator's value `selected`, if the mapping has one), or nullptr.
  const FieldSpec* find(const std::string& key, const std::string& selected = "") const;
  bool is_retired(const std::string& key) const;
};

// Row builders.
FieldSpec number_field(std::string key, Range range, std::string doc, std::optional<double> default_value = {});
FieldSpec integer_field(std::string key, double lo, double hi, std::string doc, std::optional<double> default_value = {});
FieldSpec text_field(std::string key, FieldType type, std::string doc, std::string default_text = "");
FieldSpec choice_field(std::string key, std::vector<std::string> choices, std::string doc, std::string default_text = "");
FieldSpec nested_field(std::string key, FieldType type, SpecRef item, std::string doc);

// The names of a name table (sim/scenario_names.hpp), for a choice row.
template <class Table>
std::vector<std::string> names_of(const Table& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.push_back(entry.first);
  return names;
}

}  // namespace cm::yaml
