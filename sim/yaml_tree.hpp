#pragma once
// Our own YAML document tree. yaml-cpp parses (through its event API); this tree keeps the file,
// line and column of every key and value, rejects duplicate keys, expands aliases under a size
// budget, and is what `extends:` merging and `--set` overrides work on before typed decoding.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/diagnostic.hpp"

namespace cm::yaml {

struct Node;
using NodePtr = std::shared_ptr<Node>;

enum class Kind { null, scalar, sequence, map };

struct MapEntry {
  std::string key;
  SourceLocation key_where;
  NodePtr value;
};

struct Node {
  Kind kind = Kind::null;
  SourceLocation where;          // where the value starts
  std::string scalar;            // for Kind::scalar: the text as written (unquoted)
  bool quoted = false;           // scalar was quoted ('...' or "..."): always a string, never a number
  std::vector<NodePtr> items;    // for Kind::sequence
  std::vector<MapEntry> entries; // for Kind::map, in document order, keys unique
  // For a list element an `extends:` override appended because its id matched no base element:
  // the base id it is closest to, if that is a plausible typo (for "did you mean").
  std::string unmatched_id_hint;

  const MapEntry* find(const std::string& key) const;  // nullptr when absent
  MapEntry* find(const std::string& key);
  std::string kind_name() const;  // "null", "scalar", "list", "mapping": for messages
};

// Limits that keep untrusted input from crashing, hanging or exhausting memory.
struct Limits {
  std::size_t max_file_bytes = 16u << 20;  // larger files are rejected unread
  std::size_t max_nodes = 1'000'000;       // after alias expansion (defeats "billion laughs")
  int max_depth = 64;                      // nesting of lists and mappings
};

// Parse one document. Throws InputError at the offending position for: syntax errors, duplicate
// keys, non-scalar keys, unknown aliases, more than one document, limits exceeded. A missing or
// unreadable file is an InputError located at `file` alone. An empty document gives a null node.
NodePtr parse_file(const std::string& path, const Limits& limits = {});
NodePtr parse_string(const std::string& text, const std::string& file_name, const Limits& limits = {});

// Deep merge: maps merge key by key (over wins; recursion into maps); sequences whose elements are
// all maps with an `id` scalar merge element-wise by id (unmatched over-elements are appended, in
// order); anything else is replaced by `over`. Neither input is modified. Locations are kept, so
// an error in a merged value still names the file it came from.
NodePtr deep_merge(const NodePtr& base, const NodePtr& over);

// Load a scenario file and resolve `extends:` (a path relative to the file that names it), deep-
// merging the file over its base, recursively. The `extends` key is removed from the result.
// Cycles and missing bases are InputErrors at the `extends` value. Only regular files are read (a
// FIFO or a device is refused without blocking). `files_read`, if given, receives every file read.
NodePtr load_with_extends(const std::string& path, const Limits& limits = {},
                          std::vector<std::string>* files_read = nullptr);

// Apply one command-line override "a.b.c=VALUE". Path segments name map keys; on a list, a segment
// names the element whose `id` equals it (or a 0-based index if it is all digits). VALUE is parsed
// as YAML (so `=3`, `=0.1`, `=[a, b]` and `={x: 1}` work); missing map keys are created (typos are
// then caught by schema validation). Errors (no '=', empty path, no element with that id, indexing
// into a scalar, a path deeper than limits.max_depth, an assignment longer than limits.max_file_bytes)
// are InputErrors located at file "<--set PATH=VALUE>" (long assignments are shown cut short).
// Memory and time are linear in the assignment's length.
void apply_override(NodePtr& root, const std::string& assignment, const Limits& limits = {});

// Emit as block-style YAML that parse_string reads back to an equal tree (quoted scalars stay quoted).
std::string emit(const NodePtr& node);

// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo.
std::optional<std::string> did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace cm::yaml
