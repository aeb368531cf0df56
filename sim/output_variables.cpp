#include "sim/output_variables.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "output/netcdf_file.hpp"
#include "output/partial_file.hpp"
#include "output/run_recorder.hpp"
#include "sim/scenario.hpp"

namespace cm {

namespace {

// One element of every labelled list, so that every dimension has a label; a model product and a
// startup, so that the inference variables exist too.
Scenario one_of_each() {
  Scenario sc;
  sc.name = "variables";
  Product p;
  p.id = "product";
  p.unit = "unit";
  p.kind = ProductKind::model;
  sc.products.push_back(p);
  Vendor v;
  v.id = "vendor";
  v.initial_share = 1;
  v.offers.resize(1);
  sc.vendors.push_back(v);
  Segment s;
  s.id = "segment";
  s.firms = 1;
  s.spend_shares = {1.0};
  sc.segments.push_back(s);
  Startup st;
  st.id = "startup";
  sc.startups.push_back(st);
  Investor inv;
  inv.id = "investor";
  sc.investors.push_back(inv);
  return sc;
}

herr_t scale_name(hid_t, unsigned, hid_t scale, void* out) {
  char name[256] = {};
  if (H5DSget_scale_name(scale, name, sizeof name) < 0) return -1;
  *static_cast<std::string*>(out) = name;
  return 1;  // the first scale of the axis names it
}

struct Listing {
  hid_t file;
  std::vector<std::pair<std::string, std::vector<std::string>>> series;
};

herr_t visit(hid_t group, const char* name, const H5L_info_t*, void* data) {
  auto& listing = *static_cast<Listing*>(data);
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (object < 0) return -1;
  const bool is_dataset = H5Iget_type(object) == H5I_DATASET;
  H5Oclose(object);
  if (!is_dataset) return 0;  // a group of event tables
  const hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
  if (dataset < 0) return -1;
  std::vector<std::string> dims;
  if (H5DSis_scale(dataset) <= 0) {
    const hid_t space = H5Dget_space(dataset);
    const int rank = H5Sget_simple_extent_ndims(space);
    H5Sclose(space);
    for (int axis = 0; axis < rank; ++axis) {
      std::string dim;
      H5DSiterate_scales(dataset, unsigned(axis), nullptr, scale_name, &dim);
      dims.push_back(dim);
    }
  }
  H5Dclose(dataset);
  // time_bnds (time, nv) bounds the time axis (CF "bounds"); it is not a series to summarise.
  if (!dims.empty() && dims.front() == "time" && std::string(name) != "time_bnds") listing.series.emplace_back(name, dims);
  return 0;
}

}  // namespace

std::vector<std::pair<std::string, std::vector<std::string>>> output_time_series(const std::string& scratch_dir) {
  // A uniquely named scratch file, removed when done (never committed), also on a signal.
  const output::PartialFile scratch((std::filesystem::path(scratch_dir) / "cloudmarket-variables.h5").string());
  const std::string& path = scratch.path();
  {
    const Scenario sc = one_of_each();
    output::NetcdfFile file(path);
    RunRecorder recorder(file, sc, "");
    file.close();
  }
  Listing listing{};
  listing.file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (listing.file < 0) throw std::runtime_error("cannot read back " + path);
  const herr_t status = H5Literate(listing.file, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &listing);
  H5Fclose(listing.file);
  if (status < 0) throw std::runtime_error("cannot list the variables of " + path);
  std::sort(listing.series.begin(), listing.series.end());
  return listing.series;
}

std::string output_time_series_json(const std::string& scratch_dir) {
  std::string out = "{\n";
  const auto series = output_time_series(scratch_dir);
  for (std::size_t i = 0; i < series.size(); ++i) {
    out += "  \"" + series[i].first + "\": [";
    for (std::size_t d = 0; d < series[i].second.size(); ++d)
      out += (d ? ", \"" : "\"") + series[i].second[d] + "\"";
    out += i + 1 < series.size() ? "],\n" : "]\n";
  }
  return out + "}\n";
}

}  // namespace cm
