#include "sim/field_table.hpp"

#include <algorithm>

namespace cm::yaml {

bool FieldSpec::applies_to(const std::string& value) const {
  return when.empty() || value.empty() || std::find(when.begin(), when.end(), value) != when.end();
}

const FieldSpec* MappingSpec::find(const std::string& key, const std::string& selected) const {
  for (const auto& row : fields)
    if (row.key == key && row.applies_to(selected)) return &row;
  return nullptr;
}

bool MappingSpec::is_retired(const std::string& key) const {
  return std::find(retired.begin(), retired.end(), key) != retired.end();
}

FieldSpec number_field(std::string key, Range range, std::string doc, std::optional<double> default_value) {
  FieldSpec f;
  f.key = std::move(key);
  f.type = FieldType::number;
  f.range = std::move(range);
  f.doc = std::move(doc);
  f.default_number = default_value;
  return f;
}

FieldSpec integer_field(std::string key, double lo, double hi, std::string doc, std::optional<double> default_value) {
  FieldSpec f = number_field(std::move(key), Range::between(lo, hi), std::move(doc), default_value);
  f.type = FieldType::integer;
  return f;
}

FieldSpec text_field(std::string key, FieldType type, std::string doc, std::string default_text) {
  FieldSpec f;
  f.key = std::move(key);
  f.type = type;
  f.doc = std::move(doc);
  f.default_text = std::move(default_text);
  return f;
}

FieldSpec choice_field(std::string key, std::vector<std::string> choices, std::string doc, std::string default_text) {
  FieldSpec f = text_field(std::move(key), FieldType::choice, std::move(doc), std::move(default_text));
  f.choices = std::move(choices);
  return f;
}

FieldSpec nested_field(std::string key, FieldType type, SpecRef item, std::string doc) {
  FieldSpec f = text_field(std::move(key), type, std::move(doc));
  f.item = item;
  return f;
}

}  // namespace cm::yaml
