#pragma once
// The field tables of a scenario file (schema cloudmarket/1): every mapping's keys with their type,
// range, default and unit. The loader (sim/scenario_loader.cpp) reads each key through its row and
// `cloudmarket schema scenario` prints them as a JSON Schema (docs/schema/scenario.schema.json).
#include "sim/field_table.hpp"

namespace cm::fields {

const yaml::MappingSpec& scenario();
const yaml::MappingSpec& time();
const yaml::MappingSpec& product();
const yaml::MappingSpec& vendor();
const yaml::MappingSpec& datacenter();
const yaml::MappingSpec& pricing();
const yaml::MappingSpec& pricing_regime();
const yaml::MappingSpec& q_learning();
const yaml::MappingSpec& schedule_step();
const yaml::MappingSpec& offer();
const yaml::MappingSpec& offer_capacity();
const yaml::MappingSpec& capacity_policy();
const yaml::MappingSpec& investment();
const yaml::MappingSpec& investor();
const yaml::MappingSpec& capital_tranche();
const yaml::MappingSpec& chip_programme();
const yaml::MappingSpec& rd_spend_step();
const yaml::MappingSpec& segment();
const yaml::MappingSpec& budget();
const yaml::MappingSpec& ai_adoption();
const yaml::MappingSpec& on_premises();
const yaml::MappingSpec& market();
const yaml::MappingSpec& event();
const yaml::MappingSpec& startup();
const yaml::MappingSpec& dated_entry();  // one step {from, value} of a dated schedule

}  // namespace cm::fields
