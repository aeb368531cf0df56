#pragma once
// Global attributes that tell a reader how cloudmarket's output files follow the CF conventions
// (https://cfconventions.org/Data/cf-conventions/cf-conventions-1.8/cf-conventions.html, §2.6.2)
// and where their units come from. Shared by scenario runs and game runs.
#include <string>

#include "output/netcdf_file.hpp"
#include "version.hpp"

namespace cm::output {

// Global attribute `references`: the model, the file layout and the public standards used.
inline constexpr const char* kReferences =
    "cloudmarket docs/model.md (the model) and docs/output.md (this file); "
    "CF Conventions 1.8, https://cfconventions.org/Data/cf-conventions/cf-conventions-1.8/cf-conventions.html; "
    "UDUNITS-2, https://docs.unidata.ucar.edu/udunits/current/; "
    "ISO 4217 currency codes, https://www.iso.org/iso-4217-currency-codes.html";

// Global attribute `comment`: the units conventions UDUNITS-2 alone does not cover.
inline std::string units_comment(const std::string& currency) {
  return "Units are UDUNITS-2 units, except money: a units string holding the ISO 4217 code " + currency +
         " (the attribute currency) is an amount of that currency; read the code as 1 to parse the rest. "
         "A product unit (vcpu_hour, gpu_hour, million_tokens, ...) counts as 1; a variable's attribute "
         "product_unit names it. See docs/output.md, \"Units\".";
}

// The CF global attributes of every output file, in one order. `history` says what made the file
// with no date and no path, so the same input and seed still give the same bytes.
inline void write_cf_globals(NetcdfFile& file, const std::string& title, const std::string& history,
                             const std::string& comment) {
  file.attribute("", {"Conventions", std::string("CF-1.8")});
  file.attribute("", {"title", title});
  file.attribute("", {"institution", std::string("none: output of the cloudmarket simulator, not an institution's data")});
  file.attribute("", {"source", "cloudmarket " + std::string(kVersion)});
  file.attribute("", {"history", history});
  file.attribute("", {"references", std::string(kReferences)});
  file.attribute("", {"comment", comment});
}

}  // namespace cm::output
