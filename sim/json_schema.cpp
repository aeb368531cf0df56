#include "sim/json_schema.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <variant>
#include <vector>

#include "sim/calendar.hpp"
#include "sim/scenario.hpp"
#include "sim/yaml_fields.hpp"

namespace cm::yaml {

namespace {

// A JSON value with ordered object members, so that the printed schema follows the tables' order.
struct Json {
  using Object = std::vector<std::pair<std::string, Json>>;
  using Array = std::vector<Json>;
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value;

  Json() : value(Object{}) {}
  Json(bool b) : value(b) {}
  Json(double x) : value(x) {}
  Json(const char* s) : value(std::string(s)) {}
  Json(std::string s) : value(std::move(s)) {}
  Json(Array a) : value(std::move(a)) {}

  Json& set(const std::string& key, Json v) {
    auto& members = std::get<Object>(value);
    for (auto& [k, old] : members)
      if (k == key) return old = std::move(v);
    members.emplace_back(key, std::move(v));
    return members.back().second;
  }
  bool empty_object() const { return std::holds_alternative<Object>(value) && std::get<Object>(value).empty(); }
};

void escape(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

// Shortest text that reads back to the same double; whole numbers without a fraction.
std::string json_number(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return std::to_string(std::int64_t(x));
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  (void)ec;
  return std::string(buf, end);
}

bool is_scalar(const Json& j) {
  return !std::holds_alternative<Json::Array>(j.value) && !std::holds_alternative<Json::Object>(j.value);
}

void dump(std::string& out, const Json& j, int indent) {
  const std::string pad(std::size_t(indent + 2), ' '), close_pad(std::size_t(indent), ' ');
  if (std::holds_alternative<std::nullptr_t>(j.value)) out += "null";
  else if (auto* b = std::get_if<bool>(&j.value)) out += *b ? "true" : "false";
  else if (auto* x = std::get_if<double>(&j.value)) out += json_number(*x);
  else if (auto* s = std::get_if<std::string>(&j.value)) escape(out, *s);
  else if (auto* a = std::get_if<Json::Array>(&j.value)) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    bool flat = true;  // a list of scalars goes on one line
    for (const auto& item : *a) flat = flat && is_scalar(item);
    out += flat ? "[" : "[\n";
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (!flat) out += pad;
      dump(out, (*a)[i], indent + 2);
      if (i + 1 < a->size()) out += flat ? ", " : ",\n";
    }
    out += flat ? "]" : "\n" + close_pad + "]";
  } else {
    const auto& o = std::get<Json::Object>(j.value);
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    for (std::size_t i = 0; i < o.size(); ++i) {
      out += pad;
      escape(out, o[i].first);
      out += ": ";
      dump(out, o[i].second, indent + 2);
      out += i + 1 < o.size() ? ",\n" : "\n";
    }
    out += close_pad + "}";
  }
}

std::string anchored(const std::string& pattern) {
  std::string p = pattern;
  if (p.empty() || p.front() != '^') p = "^" + p;
  if (p.back() != '$') p += "$";
  return p;
}

class Writer {
 public:
  Json definitions;

  void define(const MappingSpec& spec) {
    if (!defined_.insert(spec.name).second) return;
    // Nested mappings first are not needed for JSON; define them as they are met.
    definitions.set(spec.name, mapping(spec, false));
    definitions.set(spec.name + "_partial", mapping(spec, true));
  }

 private:
  std::set<std::string> defined_;

  static Json ref(const MappingSpec& spec, bool partial) {
    Json j;
    j.set("$ref", "#/definitions/" + spec.name + (partial ? "_partial" : ""));
    return j;
  }

  static void add_range(Json& j, const Range& r) {
    if (std::isfinite(r.lo)) j.set(r.lo_open ? "exclusiveMinimum" : "minimum", r.lo);
    if (std::isfinite(r.hi)) j.set(r.hi_open ? "exclusiveMaximum" : "maximum", r.hi);
    if (r.positive_minimum > 0) {  // "0, or at least positive_minimum"
      Json gap;
      gap.set("exclusiveMinimum", 0.0);
      gap.set("exclusiveMaximum", r.positive_minimum);
      j.set("not", gap);
    }
  }

  static Json number(const FieldSpec& f) {
    Json j;
    j.set("type", f.type == FieldType::integer ? "integer" : "number");
    add_range(j, f.range);
    return j;
  }

  static std::string describe(const FieldSpec& f, bool datable) {
    std::string text = f.doc;
    auto sentence = [&](const std::string& s) { text += (text.empty() ? "" : text.back() == '.' ? " " : ". ") + s; };
    if (f.type == FieldType::number || f.type == FieldType::integer || f.type == FieldType::number_or_mapping ||
        (f.type == FieldType::product_map && !f.item)) {
      std::string range = f.type == FieldType::integer
                              ? "in [" + json_number(f.range.lo) + ", " + json_number(f.range.hi) + "]"
                              : f.range.describe();
      sentence("Range: " + range + (f.range.reason.empty() ? "" : " (" + f.range.reason + ")"));
    }
    if (f.default_number) sentence("Default: " + json_number(*f.default_number));
    else if (!f.default_text.empty()) sentence("Default: " + f.default_text);
    if (datable) sentence("May be a dated schedule: a list of {from: DATE, value: X}");
    if (!text.empty() && text.back() != '.') text += ".";
    return text;
  }

  Json value(const FieldSpec& f, const MappingSpec& owner, bool partial) {
    const bool datable = owner.dated_owner && f.type == FieldType::number && is_datable(*owner.dated_owner, f.key);
    Json j;
    switch (f.type) {
      case FieldType::number:
      case FieldType::integer:
        j = number(f);
        if (f.default_number) j.set("default", *f.default_number);
        if (datable) {
          Json entry;
          entry.set("type", "object");
          Json props;
          props.set("from", date());
          props.set("value", number(f));
          entry.set("properties", props);
          if (!partial) entry.set("required", Json::Array{"from", "value"});
          entry.set("additionalProperties", false);
          Json schedule;
          schedule.set("type", "array");
          if (!partial) schedule.set("minItems", 1.0);
          schedule.set("maxItems", double(limits::kMaxSchedule));
          schedule.set("items", entry);
          Json any;
          any.set("anyOf", Json::Array{j, schedule});
          j = any;
        }
        break;
      case FieldType::text:
      case FieldType::path:
        j.set("type", "string");
        break;
      case FieldType::id:
        j.set("type", "string");
        j.set("pattern", kIdPattern);
        break;
      case FieldType::date:
        j = date();
        break;
      case FieldType::duration:
        j.set("type", "string");
        j.set("pattern", anchored(kDurationPattern));
        break;
      case FieldType::choice: {
        Json::Array names;
        for (const auto& c : f.choices) names.emplace_back(c);
        j.set("enum", names);
        break;
      }
      case FieldType::boolean:
        j.set("type", "boolean");
        break;
      case FieldType::constant:
        j.set("const", f.choices.at(0));
        break;
      case FieldType::mapping:
        define(f.item());
        j.set("allOf", Json::Array{ref(f.item(), partial)});
        break;
      case FieldType::list:
        define(f.item());
        j.set("type", "array");
        if (f.min_items && !partial) j.set("minItems", double(f.min_items));
        if (f.max_items) j.set("maxItems", double(f.max_items));
        j.set("items", ref(f.item(), partial));
        break;
      case FieldType::product_map: {
        j.set("type", "object");
        Json names;
        names.set("pattern", kIdPattern);
        j.set("propertyNames", names);
        if (f.item) {
          define(f.item());
          j.set("additionalProperties", ref(f.item(), partial));
        } else {
          j.set("additionalProperties", number(f));
        }
        break;
      }
      case FieldType::number_or_mapping:
        define(f.item());
        j.set("anyOf", Json::Array{number(f), ref(f.item(), partial)});
        break;
      case FieldType::mapping_or_list: {
        define(f.item());
        define(f.alternative());
        Json list;
        list.set("type", "array");
        if (!partial) list.set("minItems", 1.0);
        list.set("maxItems", double(limits::kMaxSchedule));
        list.set("items", ref(f.alternative(), partial));
        j.set("anyOf", Json::Array{ref(f.item(), partial), list});
        break;
      }
    }
    if (!f.default_text.empty() && (f.type == FieldType::choice || f.type == FieldType::boolean))
      j.set("default", f.type == FieldType::boolean ? Json(f.default_text == "true") : Json(f.default_text));
    else if (!f.default_text.empty() && f.type != FieldType::number)
      j.set("default", f.default_text);
    const std::string text = describe(f, datable);
    if (!text.empty()) j.set("description", text);
    return j;
  }

  static Json date() {
    Json j;
    j.set("type", "string");
    j.set("pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    return j;
  }

  static Json required_of(const std::vector<std::string>& keys) {
    Json::Array a;
    for (const auto& k : keys) a.emplace_back(k);
    return a;
  }

  Json mapping(const MappingSpec& spec, bool partial) {
    Json j;
    j.set("type", "object");
    if (!spec.doc.empty()) j.set("description", spec.doc);
    Json props;
    std::vector<std::string> required;
    std::vector<std::string> keys;  // in order of first row
    std::map<std::string, bool> discriminated;
    for (const auto& f : spec.fields) {
      if (!discriminated.count(f.key)) keys.push_back(f.key);
      discriminated[f.key] = discriminated[f.key] || !f.when.empty();
    }
    for (const auto& key : keys) {
      if (discriminated[key]) {
        props.set(key, Json());  // any value here; the branch for the discriminator's value says which
        continue;
      }
      const FieldSpec& f = *spec.find(key);
      props.set(key, value(f, spec, partial));
      if (f.required) required.push_back(key);
    }
    j.set("properties", props);
    if (!required.empty() && !partial) j.set("required", required_of(required));
    j.set("additionalProperties", false);

    Json::Array all;
    if (!spec.discriminator.empty()) {
      for (const auto& choice : spec.find(spec.discriminator)->choices) {
        Json cond, cond_props, is;
        is.set("const", choice);
        cond_props.set(spec.discriminator, is);
        cond.set("properties", cond_props);
        cond.set("required", Json::Array{spec.discriminator});
        Json then, then_props;
        std::vector<std::string> then_required;
        for (const auto& key : keys) {
          if (!discriminated[key]) continue;
          const FieldSpec* f = spec.find(key, choice);
          then_props.set(key, f ? value(*f, spec, partial) : Json(false));
          if (f && f->required) then_required.push_back(key);
        }
        then.set("properties", then_props);
        if (!then_required.empty() && !partial) then.set("required", required_of(then_required));
        Json branch;
        branch.set("if", cond);
        branch.set("then", then);
        all.push_back(branch);
      }
    }
    if (!partial)
      for (const auto& one : spec.one_of) {
        Json::Array alternatives;
        for (const auto& k : one.keys) {
          Json alt;
          alt.set("required", Json::Array{k});
          alternatives.push_back(alt);
        }
        Json exactly;
        exactly.set("oneOf", alternatives);
        if (one.when.empty()) {
          all.push_back(exactly);
        } else {
          Json cond, cond_props, is;
          is.set("const", one.when);
          cond_props.set(spec.discriminator, is);
          cond.set("properties", cond_props);
          cond.set("required", Json::Array{spec.discriminator});
          Json branch;
          branch.set("if", cond);
          branch.set("then", exactly);
          all.push_back(branch);
        }
      }
    if (!all.empty()) j.set("allOf", all);
    return j;
  }
};

}  // namespace

std::string json_schema(const MappingSpec& root, const std::string& title,
                        const std::string& description) {
  Writer w;
  w.define(root);
  Json j;
  j.set("$schema", "http://json-schema.org/draft-07/schema#");
  j.set("title", title);
  j.set("description", description);
  Json extends;
  extends.set("required", Json::Array{"extends"});
  j.set("if", extends);
  Json partial, whole;
  partial.set("$ref", "#/definitions/" + root.name + "_partial");
  whole.set("$ref", "#/definitions/" + root.name);
  j.set("then", partial);
  j.set("else", whole);
  j.set("definitions", w.definitions);
  std::string out;
  dump(out, j, 0);
  return out + "\n";
}

}  // namespace cm::yaml
