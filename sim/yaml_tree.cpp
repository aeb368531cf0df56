// yaml-cpp's event API drives a small tree builder: we never build a YAML::Node, so every value
// keeps its own location, duplicate keys are caught (YAML::Node silently keeps one), and aliases
// are expanded by us under a node budget instead of by a library that would expand without limit.
#include "sim/yaml_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "sim/file_kind.hpp"

namespace cm::yaml {

// ---------------------------------------------------------------------------------------------
// Node

const MapEntry* Node::find(const std::string& key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

MapEntry* Node::find(const std::string& key) {
  return const_cast<MapEntry*>(static_cast<const Node*>(this)->find(key));
}

std::string Node::kind_name() const {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::scalar: return "scalar";
    case Kind::sequence: return "list";
    case Kind::map: return "mapping";
  }
  return "unknown";
}

namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the parser, merging and overrides

SourceLocation location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};  // yaml-cpp counts from 0, editors from 1
}

// "file:line:col", for mentioning a second location inside a message.
std::string describe(const SourceLocation& where) {
  if (where.line <= 0) return where.file;
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

NodePtr make_node(Kind kind, SourceLocation where) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->where = std::move(where);
  return node;
}

// Deep copy, so that a later override of one alias expansion (or of a merged tree) cannot
// reach into another. Recursion depth is bounded by Limits::max_depth for parsed trees.
NodePtr clone(const Node& node) {
  auto copy = std::make_shared<Node>(node);
  for (auto& item : copy->items) item = clone(*item);
  for (auto& entry : copy->entries) entry.value = clone(*entry.value);
  return copy;
}

NodePtr clone(const NodePtr& node) { return node ? clone(*node) : nullptr; }

// The message of an InputError without its "file:line:col: error: " prefix, to re-locate it.
std::string message_of(const InputError& e) {
  return std::string(e.what()).substr(InputError::format(e.where(), "").size());
}

// Plain scalars that YAML 1.2's core schema reads as null.
bool is_null_text(const std::string& text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// ---------------------------------------------------------------------------------------------
// Reading files without trusting their size

struct ReadResult {
  std::optional<std::string> text;
  std::string error;  // why `text` is empty
};

ReadResult read_bounded(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever. Only
  // regular files are read; the flag does not change how they read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return {std::nullopt, std::string("cannot read file: ") + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int stat_errno = errno;
    ::close(fd);
    return {std::nullopt, std::string("cannot read file: ") + std::strerror(stat_errno)};
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return {std::nullopt, "cannot read file: it is " + file_kind_name(st.st_mode) + ", not a regular file"};
  }
  // Read at most max_bytes + 1: the file's reported size can lie (a file that grows as we read).
  std::string text;
  char buffer[65536];
  while (text.size() <= max_bytes) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int read_errno = errno;
      ::close(fd);
      return {std::nullopt, std::string("cannot read file: ") + std::strerror(read_errno)};
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (text.size() > max_bytes)
    return {std::nullopt, "file is larger than the limit of " + std::to_string(max_bytes) + " bytes"};
  return {std::move(text), {}};
}

// ---------------------------------------------------------------------------------------------
// Tree builder: receives yaml-cpp's events and assembles Nodes, enforcing the limits as it goes
// (so that a hostile document fails at the first node over budget, not after building it all).

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string file, const Limits& limits) : file_(std::move(file)), limits_(limits) {}

  NodePtr result() const { return root_ ? root_ : make_node(Kind::null, {file_, 1, 1}); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      throw InputError(where(mark), "more than one YAML document in the file ('---' starts a second one)");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add_leaf(make_node(Kind::null, where(mark)), anchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    add_leaf(make_scalar(mark, tag, value), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end() || !it->second.node)
      throw InputError(where(mark), "alias " + alias_name(anchor) + " refers to a node that contains it");
    const Anchor& target = it->second;
    // Check the budget before copying, so a "billion laughs" stops at the budget instead of expanding.
    if (nodes_ + target.size > limits_.max_nodes)
      throw InputError(where(mark), "document has more than " + std::to_string(limits_.max_nodes) +
                                        " nodes once aliases are expanded (alias " + alias_name(anchor) +
                                        " would add " + std::to_string(target.size) + ")");
    check_depth(mark, static_cast<int>(stack_.size()) + target.height);
    nodes_ += target.size;
    NodePtr copy = clone(target.node);
    copy->where = where(mark);
    add(copy, target.height);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    check_tag(mark, tag, "tag:yaml.org,2002:seq");
    open(make_node(Kind::sequence, where(mark)), mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    check_tag(mark, tag, "tag:yaml.org,2002:map");
    open(make_node(Kind::map, where(mark)), mark, anchor);
  }
  void OnMapEnd() override { close(); }

  void OnAnchor(const YAML::Mark&, const std::string& name) override { last_anchor_name_ = name; }

 private:
  struct Frame {
    NodePtr node;
    YAML::anchor_t anchor = 0;
    std::size_t nodes_before = 0;  // node count when the container opened: gives its size
    int child_height = 0;          // deepest container nesting among its children
    std::optional<MapEntry> key;   // maps: the key waiting for its value
    std::unordered_map<std::string, int> key_lines;  // maps: seen keys, for duplicate detection
  };
  struct Anchor {
    NodePtr node;  // null while the anchored container is still open
    std::size_t size = 0;
    int height = 0;
    std::string name;
  };

  SourceLocation where(const YAML::Mark& mark) const { return location(file_, mark); }

  std::string alias_name(YAML::anchor_t anchor) const {
    auto it = anchors_.find(anchor);
    return it == anchors_.end() || it->second.name.empty() ? std::string("*?") : "*" + it->second.name;
  }

  // yaml-cpp reports "?" for plain scalars and "!" for quoted and block ones. We accept only tags
  // whose meaning we keep; a custom tag would otherwise be silently dropped.
  void check_tag(const YAML::Mark& mark, const std::string& tag, const std::string& allowed) const {
    if (tag.empty() || tag == "?" || tag == "!" || tag == allowed) return;
    throw InputError(where(mark), "unsupported YAML tag '" + tag + "'");
  }

  NodePtr make_scalar(const YAML::Mark& mark, const std::string& tag, const std::string& value) const {
    check_tag(mark, tag, "tag:yaml.org,2002:str");
    bool plain = tag.empty() || tag == "?";
    if (plain && is_null_text(value)) return make_node(Kind::null, where(mark));
    NodePtr node = make_node(Kind::scalar, where(mark));
    node->scalar = value;
    node->quoted = !plain;
    return node;
  }

  void count_node(const SourceLocation& at) {
    if (++nodes_ > limits_.max_nodes)
      throw InputError(at, "document has more than " + std::to_string(limits_.max_nodes) +
                               " nodes (counting each alias expansion)");
  }

  void check_depth(const YAML::Mark& mark, int depth) const {
    if (depth > limits_.max_depth)
      throw InputError(where(mark), "lists and mappings are nested more than " +
                                        std::to_string(limits_.max_depth) + " levels deep");
  }

  void remember_anchor(YAML::anchor_t anchor, Anchor value) {
    if (anchor == 0) return;  // 0 means "no anchor"
    if (value.name.empty()) value.name = last_anchor_name_;
    anchors_[anchor] = std::move(value);
  }

  void add_leaf(NodePtr node, YAML::anchor_t anchor) {
    count_node(node->where);
    remember_anchor(anchor, {node, 1, 0, {}});
    add(std::move(node), 0);
  }

  void open(NodePtr node, const YAML::Mark& mark, YAML::anchor_t anchor) {
    // A container used as a key is reported by take_key once it is complete: yaml-cpp opens
    // such "keys" speculatively for an unclosed '[' or '{', and then its own error is the clear one.
    count_node(node->where);
    check_depth(mark, static_cast<int>(stack_.size()) + 1);
    // Registered now but without a node, so an alias to it from inside itself is an error.
    remember_anchor(anchor, {nullptr, 0, 0, {}});
    Frame frame;
    frame.node = std::move(node);
    frame.anchor = anchor;
    frame.nodes_before = nodes_ - 1;
    stack_.push_back(std::move(frame));
  }

  void close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    int height = frame.child_height + 1;
    if (frame.anchor != 0) {
      Anchor& a = anchors_[frame.anchor];
      a.node = frame.node;
      a.size = nodes_ - frame.nodes_before;
      a.height = height;
    }
    add(frame.node, height);
  }

  // Attach a finished node to the open container (or make it the document).
  void add(NodePtr node, int height) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    parent.child_height = std::max(parent.child_height, height);
    if (parent.node->kind == Kind::sequence) {
      parent.node->items.push_back(std::move(node));
    } else if (!parent.key) {
      take_key(parent, *node);
    } else {
      // An empty value ("price:") is reported by yaml-cpp at the next token, often on a later
      // line; the key is the more useful place to point at.
      if (node->kind == Kind::null && node->where.line > parent.key->key_where.line)
        node->where = parent.key->key_where;
      parent.key->value = std::move(node);
      parent.node->entries.push_back(std::move(*parent.key));
      parent.key.reset();
    }
  }

  void take_key(Frame& map, const Node& key) {
    if (key.kind != Kind::scalar)
      throw InputError(key.where, "a mapping key must be a scalar, not a " + key.kind_name());
    auto [it, fresh] = map.key_lines.emplace(key.scalar, key.where.line);
    if (!fresh)
      throw InputError(key.where, "duplicate key '" + key.scalar + "' (first at line " + std::to_string(it->second) + ")");
    map.key = MapEntry{key.scalar, key.where, nullptr};
  }

  std::string file_;
  Limits limits_;
  std::vector<Frame> stack_;
  NodePtr root_;
  std::size_t nodes_ = 0;
  int documents_ = 0;
  std::unordered_map<YAML::anchor_t, Anchor> anchors_;
  std::string last_anchor_name_;
};

// ---------------------------------------------------------------------------------------------
// deep_merge helpers

// A list merges by id when every element is a mapping with a scalar `id`. An empty `over` list is
// not one, so `list: []` in the overriding file clears the list instead of being a no-op.
bool is_id_list(const Node& node) {
  if (node.kind != Kind::sequence || node.items.empty()) return false;
  return std::all_of(node.items.begin(), node.items.end(), [](const NodePtr& item) {
    if (!item || item->kind != Kind::map) return false;
    const MapEntry* id = item->find("id");
    return id && id->value && id->value->kind == Kind::scalar;
  });
}

const std::string& id_of(const Node& element) { return element.find("id")->value->scalar; }

NodePtr merge_maps(const Node& base, const Node& over) {
  NodePtr result = clone(base);
  result->where = over.where;
  std::unordered_map<std::string, std::size_t> index;  // hashing keeps large maps linear
  for (std::size_t i = 0; i < result->entries.size(); ++i) index.emplace(result->entries[i].key, i);
  for (const MapEntry& entry : over.entries) {
    auto it = index.find(entry.key);
    if (it == index.end()) {
      result->entries.push_back({entry.key, entry.key_where, clone(entry.value)});
    } else {
      MapEntry& target = result->entries[it->second];
      target.key_where = entry.key_where;
      target.value = deep_merge(target.value, entry.value);
    }
  }
  return result;
}

NodePtr merge_id_lists(const Node& base, const Node& over) {
  NodePtr result = clone(base);
  result->where = over.where;
  // Only base ids are matched, so a duplicate id within `over` survives for validation to report.
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::string> base_ids;  // for a hint when an override's id matches none
  for (std::size_t i = 0; i < result->items.size(); ++i) {
    index.emplace(id_of(*result->items[i]), i);
    base_ids.push_back(id_of(*result->items[i]));
  }
  for (const NodePtr& item : over.items) {
    auto it = index.find(id_of(*item));
    if (it == index.end()) {
      result->items.push_back(clone(item));
      if (auto hint = did_you_mean(id_of(*item), base_ids)) result->items.back()->unmatched_id_hint = *hint;
    } else
      result->items[it->second] = deep_merge(result->items[it->second], item);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// load_with_extends helpers

std::string path_key(const std::filesystem::path& path) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  return (ec ? path.lexically_normal() : canonical).string();
}

NodePtr load_chain(const std::string& path, const Limits& limits, std::vector<std::string>& shown,
                   std::vector<std::string>& keys, std::vector<std::string>* files_read);

std::string cycle_text(const std::vector<std::string>& shown, std::size_t from, const std::string& again) {
  std::string text;
  for (std::size_t i = from; i < shown.size(); ++i) text += shown[i] + " -> ";
  return text + again;
}

// Resolve the `extends` entry of `root` (a file named `path`): returns the fully merged tree.
NodePtr resolve_extends(NodePtr root, const std::string& path, const Limits& limits,
                        std::vector<std::string>& shown, std::vector<std::string>& keys,
                        std::vector<std::string>* files_read) {
  const NodePtr value = root->find("extends")->value;
  if (value->kind != Kind::scalar)
    throw InputError(value->where, "'extends' must be a file path, not a " + value->kind_name());
  std::filesystem::path target(value->scalar);
  if (target.is_relative()) target = std::filesystem::path(path).parent_path() / target;
  const std::string base_path = target.lexically_normal().string();

  auto seen = std::find(keys.begin(), keys.end(), path_key(base_path));
  if (seen != keys.end())
    throw InputError(value->where, "'extends' cycle: " + cycle_text(shown, seen - keys.begin(), base_path));

  NodePtr base;
  try {
    base = load_chain(base_path, limits, shown, keys, files_read);
  } catch (const InputError& e) {
    if (e.where().file != base_path || e.where().line != 0) throw;
    // The base could not be read at all: point at the line that names it.
    throw InputError(value->where, "cannot extend '" + base_path + "': " + message_of(e));
  }
  auto& entries = root->entries;
  entries.erase(std::remove_if(entries.begin(), entries.end(), [](const MapEntry& e) { return e.key == "extends"; }),
                entries.end());
  return deep_merge(base, root);
}

NodePtr load_chain(const std::string& path, const Limits& limits, std::vector<std::string>& shown,
                   std::vector<std::string>& keys, std::vector<std::string>* files_read) {
  NodePtr root = parse_file(path, limits);
  if (files_read) files_read->push_back(path);
  if (root->kind != Kind::map || !root->find("extends")) return root;
  shown.push_back(path);
  keys.push_back(path_key(path));
  NodePtr merged = resolve_extends(root, path, limits, shown, keys, files_read);
  shown.pop_back();
  keys.pop_back();
  return merged;
}

// ---------------------------------------------------------------------------------------------
// apply_override helpers

struct Segment {
  std::string text;
  std::size_t offset;  // in the assignment, for error columns
};

class Override {
 public:
  Override(const std::string& assignment, const Limits& limits)
      : assignment_(assignment), label_(label_of(assignment)), limits_(limits) {}

  void apply(NodePtr& root) {
    if (assignment_.size() > limits_.max_file_bytes)
      fail(0, "the override is " + std::to_string(assignment_.size()) + " bytes long; at most " +
                  std::to_string(limits_.max_file_bytes) + " are allowed");
    std::size_t eq = assignment_.find('=');
    if (eq == std::string::npos) fail(assignment_.size(), "expected PATH=VALUE, but there is no '='");
    std::vector<Segment> path = split(eq);
    NodePtr value = parse_value(eq + 1);
    if (!root) root = make_node(Kind::null, at(0));
    NodePtr* slot = &root;
    for (std::size_t i = 0; i < path.size(); ++i) slot = &child(**slot, path, i);
    *slot = std::move(value);
  }

 private:
  SourceLocation at(std::size_t offset) const { return {label_, 1, static_cast<int>(offset) + 1}; }
  [[noreturn]] void fail(std::size_t offset, const std::string& message) const { throw InputError(at(offset), message); }

  // Every node of the override carries this label as its file name, so it must stay short however
  // long the assignment is (a copy of a 100 kB assignment in each of 20 000 nodes is 2 GB).
  static std::string label_of(const std::string& assignment) {
    constexpr std::size_t kShown = 60;
    if (assignment.size() <= kShown) return "<--set " + assignment + ">";
    return "<--set " + assignment.substr(0, kShown) + "...>";
  }

  std::vector<Segment> split(std::size_t eq) const {
    if (eq == 0) fail(0, "empty path before '='");
    std::vector<Segment> segments;
    std::size_t start = 0;
    while (start <= eq) {
      std::size_t dot = std::min(assignment_.find('.', start), eq);
      if (dot == start) fail(start, "empty path segment");
      if (segments.size() == static_cast<std::size_t>(limits_.max_depth))
        fail(start, "the path is deeper than " + std::to_string(limits_.max_depth) + " levels");
      segments.push_back({assignment_.substr(start, dot - start), start});
      start = dot + 1;
    }
    return segments;
  }

  // The value is YAML so that numbers, lists and mappings can be given; its positions are moved
  // to point into the whole assignment.
  NodePtr parse_value(std::size_t begin) const {
    NodePtr value;
    try {
      value = parse_string(assignment_.substr(begin), label_, limits_);
    } catch (const InputError& e) {
      SourceLocation w = e.where();
      if (w.line <= 1) w = at(begin + std::max(w.column, 1) - 1);
      throw InputError(w, message_of(e));
    }
    shift(*value, static_cast<int>(begin));
    return value;
  }

  static void shift(Node& node, int columns) {
    if (node.where.line == 1) node.where.column += columns;
    for (auto& item : node.items) shift(*item, columns);
    for (auto& entry : node.entries) {
      if (entry.key_where.line == 1) entry.key_where.column += columns;
      shift(*entry.value, columns);
    }
  }

  std::string prefix(const std::vector<Segment>& path, std::size_t i) const {
    return i == 0 ? std::string("the document") : "'" + assignment_.substr(0, path[i].offset - 1) + "'";
  }

  // The slot that path[i] names inside `parent`, created if it is a missing map key.
  NodePtr& child(Node& parent, const std::vector<Segment>& path, std::size_t i) {
    const Segment& seg = path[i];
    if (parent.kind == Kind::null) parent.kind = Kind::map;  // "a:" left empty: fill it in
    if (parent.kind == Kind::map) {
      if (MapEntry* e = parent.find(seg.text)) return e->value;
      parent.entries.push_back({seg.text, at(seg.offset), make_node(Kind::null, at(seg.offset))});
      return parent.entries.back().value;
    }
    if (parent.kind == Kind::sequence) return element(parent, path, i);
    fail(seg.offset, "cannot set '" + seg.text + "' inside " + prefix(path, i) + ", which is a scalar (at " +
                         describe(parent.where) + ")");
  }

  NodePtr& element(Node& list, const std::vector<Segment>& path, std::size_t i) {
    const Segment& seg = path[i];
    for (NodePtr& item : list.items) {
      if (item->kind != Kind::map) continue;
      const MapEntry* id = item->find("id");
      if (id && id->value->kind == Kind::scalar && id->value->scalar == seg.text) return item;
    }
    std::size_t index = 0;
    const char* end = seg.text.data() + seg.text.size();
    auto [ptr, ec] = std::from_chars(seg.text.data(), end, index);
    bool numeric = ec == std::errc() && ptr == end;
    if (numeric && index < list.items.size()) return list.items[index];
    if (numeric || (ec == std::errc::result_out_of_range && ptr == end))
      fail(seg.offset, "index " + seg.text + " is out of range: " + prefix(path, i) + " has " +
                           std::to_string(list.items.size()) + " element(s) (at " + describe(list.where) + ")");
    std::vector<std::string> ids;
    for (const NodePtr& item : list.items)
      if (const MapEntry* id = item->kind == Kind::map ? item->find("id") : nullptr; id && id->value->kind == Kind::scalar)
        ids.push_back(id->value->scalar);
    std::string hint;
    if (auto near = did_you_mean(seg.text, ids)) hint = " (did you mean '" + *near + "'?)";
    fail(seg.offset, "no element with id '" + seg.text + "' in the list " + prefix(path, i) + hint + " (at " +
                         describe(list.where) + ")");
  }

  std::string assignment_;
  std::string label_;
  Limits limits_;
};

// ---------------------------------------------------------------------------------------------
// emit helpers

void emit_node(YAML::Emitter& out, const Node& node) {
  switch (node.kind) {
    case Kind::null:
      out << YAML::Null;
      break;
    case Kind::scalar:
      // Plain text is left to yaml-cpp, which writes it plain whenever that reads back the same.
      if (node.quoted) out << YAML::DoubleQuoted;
      out << node.scalar;
      break;
    case Kind::sequence:
      out << YAML::BeginSeq;
      for (const auto& item : node.items) emit_node(out, *item);
      out << YAML::EndSeq;
      break;
    case Kind::map:
      out << YAML::BeginMap;
      for (const auto& entry : node.entries) {
        out << YAML::Key << entry.key << YAML::Value;
        emit_node(out, *entry.value);
      }
      out << YAML::EndMap;
      break;
  }
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters each cost 1 ("pirce" is one typo away from "price").
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * (m + 1) + j]; };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(n, m);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

NodePtr parse_string(const std::string& text, const std::string& file_name, const Limits& limits) {
  if (text.size() > limits.max_file_bytes)
    throw InputError({file_name, 0, 0},
                     "file is larger than the limit of " + std::to_string(limits.max_file_bytes) + " bytes");
  std::istringstream in(text);
  YAML::Parser parser(in);
  TreeBuilder builder(file_name, limits);
  try {
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {  // includes YAML::DeepRecursion
    std::string message = e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR ? "unknown alias: no anchor of that name before it" : e.msg;
    throw InputError(location(file_name, e.mark), message);
  }
  return builder.result();
}

NodePtr parse_file(const std::string& path, const Limits& limits) {
  ReadResult read = read_bounded(path, limits.max_file_bytes);
  if (!read.text) throw InputError({path, 0, 0}, read.error);
  return parse_string(*read.text, path, limits);
}

NodePtr deep_merge(const NodePtr& base, const NodePtr& over) {
  if (!over) return clone(base);
  if (!base) return clone(over);
  if (base->kind == Kind::map && over->kind == Kind::map) return merge_maps(*base, *over);
  if (is_id_list(*base) && is_id_list(*over)) return merge_id_lists(*base, *over);
  return clone(over);
}

NodePtr load_with_extends(const std::string& path, const Limits& limits, std::vector<std::string>* files_read) {
  std::vector<std::string> shown, keys;
  return load_chain(path, limits, shown, keys, files_read);
}

void apply_override(NodePtr& root, const std::string& assignment, const Limits& limits) {
  Override(assignment, limits).apply(root);
}

std::string emit(const NodePtr& node) {
  YAML::Emitter out;
  out.SetNullFormat(YAML::TildeNull);
  emit_node(out, node ? *node : Node{});
  if (!out.good()) throw std::logic_error("cannot emit YAML: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::size_t accept = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = accept + 1;
  for (const auto& candidate : candidates) {
    // The length difference bounds the distance from below: skip hopeless (and long) candidates.
    std::size_t gap = word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
    if (gap >= best_distance) continue;
    std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {  // strict: the earlier candidate wins a tie
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace cm::yaml
