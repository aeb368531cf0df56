// Unit tests of the YAML document tree: locations, duplicate keys, limits against hostile input,
// `extends:` merging, `--set` overrides, emitting and typo suggestions.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "sim/yaml_tree.hpp"

namespace fs = std::filesystem;
using namespace cm;
using namespace cm::yaml;

namespace {

// Structural equality, ignoring locations: what a round trip must preserve.
bool same_tree(const NodePtr& a, const NodePtr& b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
    case Kind::null: return true;
    case Kind::scalar: return a->scalar == b->scalar && a->quoted == b->quoted;
    case Kind::sequence:
      if (a->items.size() != b->items.size()) return false;
      for (std::size_t i = 0; i < a->items.size(); ++i)
        if (!same_tree(a->items[i], b->items[i])) return false;
      return true;
    case Kind::map:
      if (a->entries.size() != b->entries.size()) return false;
      for (std::size_t i = 0; i < a->entries.size(); ++i)
        if (a->entries[i].key != b->entries[i].key || !same_tree(a->entries[i].value, b->entries[i].value))
          return false;
      return true;
  }
  return false;
}

const Node& at(const NodePtr& map, const std::string& key) {
  const MapEntry* e = map->find(key);
  REQUIRE(e != nullptr);
  return *e->value;
}

// Runs `f`, which must throw InputError; returns it for inspection.
template <class F>
InputError input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  FAIL("expected an InputError");
  throw std::logic_error("unreachable");
}

// A fresh directory under the system temp dir, removed with its files at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("cm_yaml_test_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    fs::path file = path / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }
};

}  // namespace

TEST_CASE("yaml: keys and values carry 1-based file, line and column", "[yaml]") {
  auto root = parse_string("name: demo\nmarket:\n  price: 0.5\n  ids: [a, b]\n", "s.yaml");
  REQUIRE(root->kind == Kind::map);
  CHECK(root->where.file == "s.yaml");

  const MapEntry* name = root->find("name");
  REQUIRE(name);
  CHECK(name->key_where.line == 1);
  CHECK(name->key_where.column == 1);
  CHECK(name->value->where.line == 1);
  CHECK(name->value->where.column == 7);

  const MapEntry* price = at(root, "market").find("price");
  REQUIRE(price);
  CHECK(price->key_where.line == 3);
  CHECK(price->key_where.column == 3);
  CHECK(price->value->where.column == 10);

  const Node& list = *at(root, "market").find("ids")->value;
  REQUIRE(list.kind == Kind::sequence);
  REQUIRE(list.items.size() == 2);
  CHECK(list.items[1]->where.line == 4);
  CHECK(list.items[1]->where.column == 12);
  CHECK(list.items[1]->where.file == "s.yaml");
}

TEST_CASE("yaml: an empty value is located at its key", "[yaml]") {
  auto root = parse_string("a: 1\nprice:\nb: 2\n", "s.yaml");
  const MapEntry* price = root->find("price");
  REQUIRE(price);
  CHECK(price->value->kind == Kind::null);
  CHECK(price->value->where.line == 2);
}

TEST_CASE("yaml: Node::find and kind_name", "[yaml]") {
  auto root = parse_string("m: {x: 1}\nl: [1]\ns: v\nn: ~\n", "s.yaml");
  CHECK(root->find("absent") == nullptr);
  const Node& constant = *root;
  CHECK(constant.find("m") != nullptr);
  CHECK(at(root, "m").kind_name() == "mapping");
  CHECK(at(root, "l").kind_name() == "list");
  CHECK(at(root, "s").kind_name() == "scalar");
  CHECK(at(root, "n").kind_name() == "null");
}

TEST_CASE("yaml: duplicate key is reported at the second occurrence", "[yaml]") {
  auto e = input_error([] { parse_string("a: 1\nmarket:\n  price: 1\n  other: 2\n  price: 3\n", "d.yaml"); });
  CHECK(e.where().file == "d.yaml");
  CHECK(e.where().line == 5);
  CHECK(e.where().column == 3);
  CHECK_THAT(e.what(), Catch::Contains("duplicate key 'price' (first at line 3)"));
  // Quoting does not make a different key.
  CHECK_THROWS_AS(parse_string("a: 1\n'a': 2\n", "d.yaml"), InputError);
}

TEST_CASE("yaml: syntax errors are located", "[yaml]") {
  auto e = input_error([] { parse_string("a: 1\nb: c: d\n", "bad.yaml"); });
  CHECK(e.where().file == "bad.yaml");
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 5);
  CHECK_THAT(e.what(), Catch::StartsWith("bad.yaml:2:5: error: "));

  auto unclosed = input_error([] { parse_string("a: 1\nb: [1, 2\n", "bad.yaml"); });
  CHECK(unclosed.where().file == "bad.yaml");
  CHECK(unclosed.where().line > 0);

  auto bad_indent = input_error([] { parse_string("a:\n  b: 1\n c: 2\n", "bad.yaml"); });
  CHECK(bad_indent.where().line == 3);
}

TEST_CASE("yaml: structural errors (keys, aliases, documents, tags)", "[yaml]") {
  auto key = input_error([] { parse_string("a: 1\n[x]: 2\n", "k.yaml"); });
  CHECK(key.where().line == 2);
  CHECK_THAT(key.what(), Catch::Contains("key must be a scalar"));

  auto unknown = input_error([] { parse_string("a: 1\nb: *nowhere\n", "u.yaml"); });
  CHECK(unknown.where().line == 2);
  CHECK_THAT(unknown.what(), Catch::Contains("unknown alias"));

  auto alias_key = input_error([] { parse_string("a: &m {x: 1}\n*m : 2\n", "k.yaml"); });
  CHECK(alias_key.where().line == 2);

  auto self = input_error([] { parse_string("a: &loop [1, *loop]\n", "u.yaml"); });
  CHECK(self.where().line == 1);
  CHECK(self.where().column == 14);

  auto docs = input_error([] { parse_string("a: 1\n---\nb: 2\n", "m.yaml"); });
  CHECK(docs.where().line == 2);
  CHECK_THAT(docs.what(), Catch::Contains("more than one"));

  auto tag = input_error([] { parse_string("a: !custom 1\n", "t.yaml"); });
  CHECK(tag.where().line == 1);
}

TEST_CASE("yaml: quoted and plain scalars, nulls", "[yaml]") {
  auto root = parse_string("a: 3\nb: '3'\nc: \"x y\"\nd: ~\ne: null\nf:\ng: '~'\nh: |\n  text\ni: !!str 4\n", "q.yaml");
  CHECK(at(root, "a").kind == Kind::scalar);
  CHECK(at(root, "a").scalar == "3");
  CHECK_FALSE(at(root, "a").quoted);
  CHECK(at(root, "b").scalar == "3");
  CHECK(at(root, "b").quoted);
  CHECK(at(root, "c").scalar == "x y");
  CHECK(at(root, "c").quoted);
  CHECK(at(root, "d").kind == Kind::null);
  CHECK(at(root, "e").kind == Kind::null);
  CHECK(at(root, "f").kind == Kind::null);
  CHECK(at(root, "g").kind == Kind::scalar);  // quoted "~" is a string
  CHECK(at(root, "g").quoted);
  CHECK(at(root, "h").scalar == "text\n");
  CHECK(at(root, "h").quoted);
  CHECK(at(root, "i").quoted);
}

TEST_CASE("yaml: empty document is a null node", "[yaml]") {
  CHECK(parse_string("", "e.yaml")->kind == Kind::null);
  CHECK(parse_string("# only a comment\n", "e.yaml")->kind == Kind::null);
}

TEST_CASE("yaml: aliases expand to independent copies", "[yaml]") {
  auto root = parse_string("base: &b {x: 1}\ncopy: *b\n", "a.yaml");
  Node& copy = *root->find("copy")->value;
  REQUIRE(copy.kind == Kind::map);
  CHECK(copy.where.line == 2);  // the alias's position, not the anchor's
  copy.find("x")->value->scalar = std::string("2");
  CHECK(at(root, "base").find("x")->value->scalar == "1");
}

TEST_CASE("yaml: billion laughs is rejected quickly", "[yaml]") {
  std::string doc = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string n = std::to_string(i), prev = "*l" + std::to_string(i - 1);
    doc.append("l").append(n).append(": &l").append(n).append(" [").append(prev);
    for (int k = 0; k < 8; ++k) doc.append(", ").append(prev);
    doc.append("]\n");
  }
  auto start = std::chrono::steady_clock::now();
  auto e = input_error([&] { parse_string(doc, "lol.yaml"); });
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK_THAT(e.what(), Catch::Contains("aliases"));
  CHECK(e.where().line > 1);
  // Expanding fully would mean 1e9 nodes; stopping at the 1e6 budget takes ~0.1 s (1 s under ASan).
  CHECK(elapsed < std::chrono::seconds(5));

  // A tight budget stops it at once, at the alias that would go over.
  Limits tight;
  tight.max_nodes = 100;
  auto early = input_error([&] { parse_string(doc, "lol.yaml", tight); });
  CHECK(early.where().line == 2);  // l1 = 2 + 9 * 10 nodes on top of l0's 11
}

TEST_CASE("yaml: deep nesting is rejected without overflowing the stack", "[yaml]") {
  // Unbalanced: yaml-cpp reads the open brackets as candidate keys, so the error may be another one.
  CHECK_THROWS_AS(parse_string(std::string(100000, '['), "deep.yaml"), InputError);

  auto flow = input_error([] { parse_string(std::string(100000, '[') + std::string(100000, ']'), "deep.yaml"); });
  CHECK_THAT(flow.what(), Catch::Contains("nested"));
  CHECK(flow.where().line == 1);
  CHECK(flow.where().column == 65);  // the first bracket over the default limit of 64

  std::string block;
  for (int i = 0; i < 100; ++i) block += std::string(2 * i, ' ') + "k:\n";
  CHECK_THROWS_AS(parse_string(block, "deep.yaml"), InputError);

  // Depth through aliases counts too: each anchor nests the previous one once more.
  Limits shallow;
  shallow.max_depth = 4;
  CHECK_NOTHROW(parse_string("a: &a [[1]]\nb: *a\n", "d.yaml", shallow));
  CHECK_THROWS_AS(parse_string("a: &a [[1]]\nb: &b [*a]\nc: [*b]\n", "d.yaml", shallow), InputError);
}

TEST_CASE("yaml: files, missing files and size limit", "[yaml]") {
  TempDir dir;
  std::string path = dir.write("ok.yaml", "a: 1\n");
  auto root = parse_file(path);
  CHECK(root->find("a")->value->where.file == path);

  std::string missing = (dir.path / "missing.yaml").string();
  auto e = input_error([&] { parse_file(missing); });
  CHECK(e.where().file == missing);
  CHECK(e.where().line == 0);
  CHECK_THAT(e.what(), Catch::Contains("cannot read file: No such file or directory"));

  Limits small;
  small.max_file_bytes = 10;
  std::string big = dir.write("big.yaml", "a: 1\nb: 2\nc: 3\n");
  CHECK_THROWS_AS(parse_file(big, small), InputError);
  CHECK_THROWS_AS(parse_string("a: 1\nb: 2\nc: 3\n", "s.yaml", small), InputError);
  CHECK_NOTHROW(parse_file(path, small));
}

TEST_CASE("yaml: deep_merge merges maps and id-keyed lists", "[yaml]") {
  auto base = parse_string(
      "seed: 1\nmarket: {price: 1, fee: 2}\nagents:\n  - {id: a, n: 1}\n  - {id: b, n: 2}\nplain: [1, 2]\n",
      "base.yaml");
  auto over = parse_string(
      "market: {price: 5}\nagents:\n  - {id: b, n: 20}\n  - {id: c, n: 3}\nplain: [9]\n", "over.yaml");
  auto merged = deep_merge(base, over);

  CHECK(at(merged, "seed").scalar == "1");
  CHECK(at(merged, "market").find("price")->value->scalar == "5");
  const MapEntry* fee = at(merged, "market").find("fee");
  REQUIRE(fee);
  CHECK(fee->value->scalar == "2");
  CHECK(fee->value->where.file == "base.yaml");
  CHECK(at(merged, "market").find("price")->value->where.file == "over.yaml");

  const Node& agents = at(merged, "agents");
  REQUIRE(agents.items.size() == 3);
  CHECK(agents.items[0]->find("n")->value->scalar == "1");
  CHECK(agents.items[1]->find("id")->value->scalar == "b");
  CHECK(agents.items[1]->find("n")->value->scalar == "20");
  CHECK(agents.items[2]->find("id")->value->scalar == "c");

  REQUIRE(at(merged, "plain").items.size() == 1);  // not id-keyed: replaced
  CHECK(at(merged, "plain").items[0]->scalar == "9");

  // Inputs untouched.
  CHECK(at(base, "agents").items.size() == 2);
  CHECK(at(base, "market").find("price")->value->scalar == "1");
  // An empty list in `over` replaces rather than merges.
  auto cleared = deep_merge(base, parse_string("agents: []\n", "o.yaml"));
  CHECK(at(cleared, "agents").items.empty());
}

TEST_CASE("yaml: extends merges the file over its base, recursively", "[yaml]") {
  TempDir dir;
  dir.write("common/root.yaml", "seed: 7\nmarket: {price: 1, fee: 2}\n");
  dir.write("common/base.yaml", "extends: root.yaml\nmarket: {fee: 3}\nname: base\n");
  std::string top = dir.write("top.yaml", "extends: common/base.yaml\nname: top\n");
  auto root = load_with_extends(top);
  CHECK(root->find("extends") == nullptr);
  CHECK(at(root, "seed").scalar == "7");
  CHECK(at(root, "name").scalar == "top");
  CHECK(at(root, "market").find("price")->value->scalar == "1");
  CHECK(at(root, "market").find("fee")->value->scalar == "3");
  CHECK_THAT(at(root, "seed").where.file, Catch::EndsWith("root.yaml"));
}

TEST_CASE("yaml: extends cycle is reported with its chain", "[yaml]") {
  TempDir dir;
  dir.write("b.yaml", "x: 1\nextends: a.yaml\n");
  std::string a = dir.write("a.yaml", "extends: b.yaml\n");
  auto e = input_error([&] { load_with_extends(a); });
  CHECK_THAT(e.where().file, Catch::EndsWith("b.yaml"));
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 10);
  CHECK_THAT(e.what(), Catch::Contains("cycle"));
  CHECK_THAT(e.what(), Catch::Matches(".*a\\.yaml -> .*b\\.yaml -> .*a\\.yaml.*"));
}

TEST_CASE("yaml: missing extends base is reported at the extends value", "[yaml]") {
  TempDir dir;
  std::string top = dir.write("top.yaml", "name: x\nextends: nowhere.yaml\n");
  auto e = input_error([&] { load_with_extends(top); });
  CHECK(e.where().file == top);
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 10);
  CHECK_THAT(e.what(), Catch::Contains("nowhere.yaml"));
  CHECK_THAT(e.what(), Catch::Contains("No such file"));

  std::string scalar_only = dir.write("list.yaml", "extends: [a, b]\n");
  CHECK_THROWS_AS(load_with_extends(scalar_only), InputError);
}

TEST_CASE("yaml: apply_override sets map keys and parses the value as YAML", "[yaml]") {
  auto root = parse_string("market:\n  price: 1\n", "s.yaml");
  apply_override(root, "market.price=0.25");
  CHECK(at(root, "market").find("price")->value->scalar == "0.25");
  CHECK_FALSE(at(root, "market").find("price")->value->quoted);

  apply_override(root, "market.new.deep={x: 1}");
  const Node& deep = *at(root, "market").find("new")->value->find("deep")->value;
  REQUIRE(deep.kind == Kind::map);
  CHECK(deep.find("x")->value->scalar == "1");

  apply_override(root, "tags=[a, 'b']");
  REQUIRE(at(root, "tags").items.size() == 2);
  CHECK(at(root, "tags").items[1]->quoted);

  const Node& price = *at(root, "market").find("price")->value;
  CHECK(price.where.file == "<--set market.price=0.25>");
  CHECK(price.where.line == 1);
  CHECK(price.where.column == 14);
}

TEST_CASE("yaml: apply_override addresses list elements by id and by index", "[yaml]") {
  auto root = parse_string("agents:\n  - {id: alice, n: 1}\n  - {id: '7', n: 2}\n  - {id: bob, n: 3}\n", "s.yaml");
  apply_override(root, "agents.bob.n=30");
  CHECK(at(root, "agents").items[2]->find("n")->value->scalar == "30");
  apply_override(root, "agents.0.n=10");
  CHECK(at(root, "agents").items[0]->find("n")->value->scalar == "10");
  apply_override(root, "agents.7.n=20");  // an id that looks like an index wins over the index
  CHECK(at(root, "agents").items[1]->find("n")->value->scalar == "20");
}

TEST_CASE("yaml: apply_override errors are located in the assignment", "[yaml]") {
  auto root = parse_string("agents:\n  - {id: alice}\nname: x\n", "s.yaml");

  auto missing = input_error([&] { apply_override(root, "agents.carol.n=1"); });
  CHECK(missing.where().file == "<--set agents.carol.n=1>");
  CHECK(missing.where().line == 1);
  CHECK(missing.where().column == 8);
  CHECK_THAT(missing.what(), Catch::Contains("no element with id 'carol'"));

  auto range = input_error([&] { apply_override(root, "agents.5.n=1"); });
  CHECK(range.where().column == 8);

  auto scalar = input_error([&] { apply_override(root, "name.first=1"); });
  CHECK(scalar.where().column == 6);
  CHECK_THAT(scalar.what(), Catch::Contains("scalar"));

  auto no_eq = input_error([&] { apply_override(root, "name"); });
  CHECK(no_eq.where().file == "<--set name>");
  CHECK_THAT(no_eq.what(), Catch::Contains("'='"));

  CHECK_THROWS_AS(apply_override(root, "=1"), InputError);
  CHECK_THROWS_AS(apply_override(root, "a..b=1"), InputError);

  auto bad_value = input_error([&] { apply_override(root, "name=[1,"); });
  CHECK(bad_value.where().file == "<--set name=[1,>");
  CHECK(bad_value.where().column >= 6);
}

TEST_CASE("yaml: emit round-trips through parse_string", "[yaml]") {
  const char* text =
      "name: demo\n"
      "count: 3\n"
      "ratio: 0.1\n"
      "quoted_number: '3'\n"
      "quoted_null: \"~\"\n"
      "tricky: \"a: b # c\"\n"
      "multiline: \"line1\\nline2\"\n"
      "empty_string: ''\n"
      "nothing: ~\n"
      "flag: true\n"
      "'key with: colon': 1\n"
      "'null': 2\n"
      "empty_list: []\n"
      "empty_map: {}\n"
      "agents:\n"
      "  - {id: a, weights: [1, 2, ~]}\n"
      "  - id: b\n"
      "    nested: {deep: {deeper: [x, 'y']}}\n"
      "unicode: caf\xc3\xa9\n";
  auto original = parse_string(text, "in.yaml");
  std::string out = emit(original);
  auto again = parse_string(out, "out.yaml");
  INFO(out);
  CHECK(same_tree(original, again));
  CHECK(emit(again) == out);
  CHECK_THAT(out, Catch::Contains("quoted_number: \"3\""));
  CHECK_THAT(out, Catch::Contains("count: 3\n"));
  CHECK_THAT(out, Catch::Contains("nothing: ~\n"));

  CHECK(emit(parse_string("", "e.yaml")) == "~\n");
  CHECK(same_tree(parse_string(emit(parse_string("'x'", "s.yaml")), "t"), parse_string("\"x\"", "u")));
}

TEST_CASE("yaml: did_you_mean suggests a close candidate", "[yaml]") {
  std::vector<std::string> keys{"price", "prices", "seed", "agents", "market"};
  CHECK(did_you_mean("prise", keys) == std::optional<std::string>("price"));
  CHECK(did_you_mean("sed", keys) == std::optional<std::string>("seed"));
  CHECK(did_you_mean("sede", keys) == std::optional<std::string>("seed"));  // a swap of neighbours is one typo
  CHECK(did_you_mean("pirce", keys) == std::optional<std::string>("price"));
  CHECK(did_you_mean("agnets", keys) == std::optional<std::string>("agents"));
  CHECK(did_you_mean("pricez", keys) == std::optional<std::string>("price"));  // tie with "prices": first wins
  CHECK_FALSE(did_you_mean("completely_else", keys).has_value());
  CHECK_FALSE(did_you_mean("xyz", keys).has_value());
  CHECK_FALSE(did_you_mean("price", {}).has_value());
}
