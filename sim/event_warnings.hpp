#pragma once
// Configurations that would undo a price_change event within the month it is announced in: the
// event's price and its reversal would then take effect on the same date, and the event would never
// be in force (docs/scenario.md, "Events that persist"). Not errors: `validate` and `run` print
// them as "FILE:LINE:COL: warning: ..." and go on.
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace cm {

std::vector<std::string> event_warnings(const Scenario& scenario);

}  // namespace cm
