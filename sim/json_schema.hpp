#pragma once
// A JSON Schema (draft-07, which editors' YAML support reads: yaml-language-server, VS Code's YAML
// extension) printed from an input file's field tables (sim/field_table.hpp).
#include <string>

#include "sim/field_table.hpp"

namespace cm::yaml {

// The schema of a file whose top-level mapping is `root`. A file with `extends:` is checked
// against a partial variant of every mapping (no key required, lists may be short), since it holds
// only what it overrides; every other file must be complete.
std::string json_schema(const MappingSpec& root, const std::string& title,
                        const std::string& description);

}  // namespace cm::yaml
