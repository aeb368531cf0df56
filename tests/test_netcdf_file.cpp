// Unit tests of output/netcdf_file (the netCDF-4 writer) and output/hdf5_handle, reading the
// files back with the HDF5 C API. tests/python/test_netcdf_file.py opens the [demo] file with
// xarray/h5netcdf, netCDF4 and h5py.
#include <catch2/catch.hpp>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "output/hdf5_handle.hpp"
#include "output/layout_cache.hpp"
#include "output/netcdf_file.hpp"

using cm::output::Attr;
using cm::output::DType;
using cm::output::NetcdfFile;
using cm::output::VarId;
using cm::output::hdf5::check;
using cm::output::hdf5::checked;
using cm::output::hdf5::Hid;
using cm::output::hdf5::Kind;

namespace {

// A file in the temporary directory, removed at the end of the test.
struct TempPath {
  std::string path;
  explicit TempPath(const std::string& tag)
      : path((std::filesystem::temp_directory_path() /
              ("cm_netcdf_" + tag + "_" + std::to_string(::getpid()) + ".nc"))
                 .string()) {
    std::filesystem::remove(path);
  }
  ~TempPath() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- reading back with HDF5 ----------------------------------------------------------------

Hid open_file(const std::string& path) {
  return checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), Kind::file, "H5Fopen " + path);
}

Hid open_dset(const Hid& file, const std::string& name) {
  return checked(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), Kind::dataset, "H5Dopen2 " + name);
}

std::vector<hsize_t> shape_of(const Hid& dset, std::vector<hsize_t>* maxdims = nullptr) {
  Hid space = checked(H5Dget_space(dset.get()), Kind::dataspace, "H5Dget_space");
  const int rank = check(H5Sget_simple_extent_ndims(space.get()), "ndims");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), maxd(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), maxd.data()), "dims");
  if (maxdims) *maxdims = maxd;
  return dims;
}

std::size_t count_of(const Hid& dset) {
  std::size_t n = 1;
  for (hsize_t d : shape_of(dset)) n *= d;
  return n;
}

std::vector<double> read_f64(const Hid& file, const std::string& name) {
  Hid d = open_dset(file, name);
  std::vector<double> out(count_of(d));
  check(H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read");
  return out;
}

std::vector<std::int64_t> read_i64(const Hid& file, const std::string& name) {
  Hid d = open_dset(file, name);
  std::vector<std::int64_t> out(count_of(d));
  check(H5Dread(d.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read");
  return out;
}

std::vector<std::string> read_str(const Hid& file, const std::string& name) {
  Hid d = open_dset(file, name);
  Hid ftype = checked(H5Dget_type(d.get()), Kind::datatype, "H5Dget_type");
  REQUIRE(H5Tget_class(ftype.get()) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(ftype.get()) > 0);
  REQUIRE(H5Tget_cset(ftype.get()) == H5T_CSET_UTF8);
  Hid mtype = checked(H5Tcopy(H5T_C_S1), Kind::datatype, "H5Tcopy");
  check(H5Tset_size(mtype.get(), H5T_VARIABLE), "H5Tset_size");
  check(H5Tset_cset(mtype.get(), H5T_CSET_UTF8), "H5Tset_cset");
  std::vector<char*> raw(count_of(d), nullptr);
  check(H5Dread(d.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read");
  std::vector<std::string> out;
  for (char* s : raw) out.emplace_back(s ? s : "");
  Hid space = checked(H5Dget_space(d.get()), Kind::dataspace, "H5Dget_space");
  H5Dvlen_reclaim(mtype.get(), space.get(), H5P_DEFAULT, raw.data());
  return out;
}

// A text attribute must be a scalar, fixed-size, NUL-terminated UTF-8 string (NC_CHAR).
std::string text_attr(hid_t obj, const std::string& name) {
  Hid a = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), Kind::attribute, "H5Aopen " + name);
  Hid type = checked(H5Aget_type(a.get()), Kind::datatype, "H5Aget_type");
  Hid space = checked(H5Aget_space(a.get()), Kind::dataspace, "H5Aget_space");
  REQUIRE(H5Sget_simple_extent_type(space.get()) == H5S_SCALAR);
  REQUIRE(H5Tget_class(type.get()) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(type.get()) == 0);
  REQUIRE(H5Tget_strpad(type.get()) == H5T_STR_NULLTERM);
  REQUIRE(H5Tget_cset(type.get()) == H5T_CSET_UTF8);
  std::string buf(H5Tget_size(type.get()), '\0');
  check(H5Aread(a.get(), type.get(), buf.data()), "H5Aread " + name);
  return buf;  // exact size: no terminating NUL stored
}

template <class T>
T numeric_attr(hid_t obj, const std::string& name, H5T_class_t cls, hid_t memtype) {
  Hid a = checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), Kind::attribute, "H5Aopen " + name);
  Hid type = checked(H5Aget_type(a.get()), Kind::datatype, "H5Aget_type");
  Hid space = checked(H5Aget_space(a.get()), Kind::dataspace, "H5Aget_space");
  REQUIRE(H5Sget_simple_extent_type(space.get()) == H5S_SCALAR);
  REQUIRE(H5Tget_class(type.get()) == cls);
  REQUIRE(H5Tget_size(type.get()) == 8);
  T value{};
  check(H5Aread(a.get(), memtype, &value), "H5Aread " + name);
  return value;
}

double f64_attr(hid_t obj, const std::string& name) {
  return numeric_attr<double>(obj, name, H5T_FLOAT, H5T_NATIVE_DOUBLE);
}
std::int64_t i64_attr(hid_t obj, const std::string& name) {
  return numeric_attr<std::int64_t>(obj, name, H5T_INTEGER, H5T_NATIVE_INT64);
}

std::string scale_name(const Hid& scale) {
  char name[256] = "";
  check(H5DSget_scale_name(scale.get(), name, sizeof name), "H5DSget_scale_name");
  return name;
}

bool attached(const Hid& file, const std::string& var, const std::string& scale, unsigned axis) {
  Hid v = open_dset(file, var);
  Hid s = open_dset(file, scale);
  return check(H5DSis_attached(v.get(), s.get(), axis), "H5DSis_attached") > 0;
}

struct Layout {
  bool chunked = false;
  std::vector<hsize_t> chunk;
  std::vector<H5Z_filter_t> filters;
  bool track_times = true;
  unsigned attr_order = 0;
};

Layout layout_of(const Hid& file, const std::string& name) {
  Hid d = open_dset(file, name);
  Hid dcpl = checked(H5Dget_create_plist(d.get()), Kind::plist, "H5Dget_create_plist");
  Layout l;
  l.chunked = H5Pget_layout(dcpl.get()) == H5D_CHUNKED;
  if (l.chunked) {
    l.chunk.resize(8);
    l.chunk.resize(static_cast<std::size_t>(H5Pget_chunk(dcpl.get(), 8, l.chunk.data())));
  }
  const int n = H5Pget_nfilters(dcpl.get());
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, cd[8];
    std::size_t ncd = 8;
    l.filters.push_back(H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &ncd, cd, 0,
                                       nullptr, nullptr));
  }
  hbool_t track = true;
  check(H5Pget_obj_track_times(dcpl.get(), &track), "H5Pget_obj_track_times");
  l.track_times = track;
  check(H5Pget_attr_creation_order(dcpl.get(), &l.attr_order), "H5Pget_attr_creation_order");
  return l;
}

// ---- the demo content ------------------------------------------------------------------------

const std::vector<std::string> kTypes = {"m5.large", "c5.xlarge", "r5.2xlarge"};
const std::array<double, 3> kBase = {0.096, 0.17, 0.504};
constexpr int kSteps = 10;
constexpr int kEvents = 7;

double demo_time(int t) { return 0.5 * t; }
double demo_price(int t, int k) { return kBase[static_cast<std::size_t>(k)] * (1.0 + 0.01 * t) + 0.001 * k; }
std::string demo_regime(int t) { return t % 3 == 0 ? "calm" : t % 3 == 1 ? "volatile" : "spike ⚡"; }

// Same formulas as tests/python/test_netcdf_file.py.
void write_demo(const std::string& path) {
  NetcdfFile f(path, 4);
  f.attribute("", {"Conventions", std::string("CF-1.8")});
  f.attribute("/", {"title", std::string("cloudmarket netCDF demo")});
  f.attribute("", {"seed", std::int64_t{42}});
  f.attribute("", {"horizon_days", 4.5});
  f.attribute("", {"comment", std::string("prices in €/hour")});
  f.label_dimension("", "instance_type", kTypes, {{"long_name", std::string("instance type")}});
  const VarId time = f.growing_dimension(
      "", "time", DType::f64,
      {{"units", std::string("days since 2023-01-01")}, {"calendar", std::string("standard")},
       {"long_name", std::string("time")}, {"standard_name", std::string("time")}});
  const VarId price = f.variable("", "price", {"time", "instance_type"}, DType::f64,
                                 {{"units", std::string("USD/hour")}, {"long_name", std::string("spot price")}});
  const VarId demand = f.variable("", "demand", {"time"}, DType::i64,
                                  {{"units", std::string("1")}, {"long_name", std::string("requests")}});
  const VarId regime = f.variable("", "regime", {"time"}, DType::str,
                                  {{"long_name", std::string("market regime")}});
  const VarId base = f.variable("", "base_price", {"instance_type"}, DType::f64,
                                {{"units", std::string("USD/hour")}, {"long_name", std::string("on-demand price")}});
  f.write_whole(base, kBase);

  // An event table in a nested group, and a variable of a group over an ancestor's dimension.
  const std::string pc = "events/price_changes";
  const VarId event = f.growing_dimension(pc, "event", DType::i64, {{"long_name", std::string("event number")}});
  const VarId etime = f.variable(pc, "event_time", {"event"}, DType::f64,
                                 {{"units", std::string("days since 2023-01-01")},
                                  {"calendar", std::string("standard")},
                                  {"long_name", std::string("time of the price change")}});
  const VarId inst = f.variable(pc, "instance", {"event"}, DType::str,
                                {{"long_name", std::string("instance type")}});
  const VarId newp = f.variable(pc, "new_price", {"event"}, DType::f64,
                                {{"units", std::string("USD/hour")}, {"long_name", std::string("new spot price")}});
  const VarId bidders = f.variable(pc, "bidders", {"event"}, DType::i64,
                                   {{"long_name", std::string("bidders at the change")}});
  f.attribute(pc, {"long_name", std::string("spot price changes")});
  f.attribute("events", {"description", std::string("market events")});
  const VarId changes = f.variable("events", "changes", {"instance_type"}, DType::f64,
                                   {{"long_name", std::string("price changes per instance type")}});

  for (int t = 0; t < kSteps; ++t) {
    f.append(time, std::array{demo_time(t)});
    std::array<double, 3> row{};
    for (int k = 0; k < 3; ++k) row[static_cast<std::size_t>(k)] = demo_price(t, k);
    f.append(price, row);
    f.append(demand, std::array<std::int64_t, 1>{100 + 7 * t});
    f.append(regime, demo_regime(t));
  }
  std::array<double, 3> per_type{};
  for (int e = 0; e < kEvents; ++e) {
    f.append(event, std::array<std::int64_t, 1>{e});
    f.append(etime, std::array{1.25 * e});
    f.append(inst, kTypes[static_cast<std::size_t>(e % 3)]);
    f.append(newp, std::array{kBase[static_cast<std::size_t>(e % 3)] * (1.0 - 0.05 * e)});
    f.append(bidders, std::array<std::int64_t, 1>{3 * e - 5});
    per_type[static_cast<std::size_t>(e % 3)] += 1;
  }
  f.write_whole(changes, per_type);
  f.close();
}

}  // namespace

TEST_CASE("hdf5::Hid owns an id, is move-only and closes it", "[netcdf][hdf5]") {
  static_assert(!std::is_copy_constructible_v<Hid> && !std::is_copy_assignable_v<Hid>);
  static_assert(std::is_nothrow_move_constructible_v<Hid> && std::is_nothrow_move_assignable_v<Hid>);
  hid_t raw = H5I_INVALID_HID;
  {
    Hid a = checked(H5Pcreate(H5P_DATASET_CREATE), Kind::plist, "H5Pcreate");
    raw = a.get();
    REQUIRE(H5Iis_valid(raw) > 0);
    Hid b = std::move(a);
    CHECK_FALSE(a.valid());
    CHECK(b.get() == raw);
    Hid c;
    c = std::move(b);
    CHECK(c.get() == raw);
    CHECK(H5Iis_valid(raw) > 0);
  }
  CHECK(H5Iis_valid(raw) <= 0);

  Hid s = checked(H5Screate(H5S_SCALAR), Kind::dataspace, "H5Screate");
  const hid_t sid = s.get();
  CHECK(s.close() >= 0);
  CHECK_FALSE(s.valid());
  CHECK(H5Iis_valid(sid) <= 0);
  CHECK(s.close() == 0);  // closing twice is a no-op
}

TEST_CASE("hdf5::check passes results through and turns failures into runtime_error", "[netcdf][hdf5]") {
  cm::output::hdf5::silence_hdf5_errors();
  CHECK(check(herr_t{0}, "nothing") == 0);
  CHECK(check(hid_t{17}, "nothing") == 17);
  try {
    check(H5Dopen2(-1, "no_such_dataset", H5P_DEFAULT), "opening 'no_such_dataset'");
    FAIL("check did not throw");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("HDF5: opening 'no_such_dataset' failed"));
    CHECK_THAT(msg, Catch::Contains("invalid location"));  // HDF5's own reason is included
  }
}

TEST_CASE("NetcdfFile writes a netCDF-4 layout: scales, chunks, filters, attributes", "[netcdf]") {
  TempPath tmp("layout");
  write_demo(tmp.path);
  Hid file = open_file(tmp.path);

  SECTION("creation order is tracked and indexed, no timestamps") {
    // The file creation properties end up on the root group.
    Hid root = checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), Kind::group, "open root");
    Hid rcpl = checked(H5Gget_create_plist(root.get()), Kind::plist, "H5Gget_create_plist");
    unsigned links = 0, attrs = 0;
    check(H5Pget_link_creation_order(rcpl.get(), &links), "link order");
    check(H5Pget_attr_creation_order(rcpl.get(), &attrs), "attr order");
    CHECK(links == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    CHECK(attrs == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    Hid g = checked(H5Gopen2(file.get(), "/events/price_changes", H5P_DEFAULT), Kind::group, "open group");
    Hid gcpl = checked(H5Gget_create_plist(g.get()), Kind::plist, "H5Gget_create_plist");
    check(H5Pget_link_creation_order(gcpl.get(), &links), "link order");
    CHECK(links == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    hbool_t track = true;
    check(H5Pget_obj_track_times(gcpl.get(), &track), "track times");
    CHECK_FALSE(track);
    for (const char* v : {"/time", "/price", "/regime", "/instance_type", "/base_price",
                          "/events/changes", "/events/price_changes/instance"}) {
      INFO(v);
      const Layout l = layout_of(file, v);
      CHECK_FALSE(l.track_times);
      CHECK(l.attr_order == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED));
    }
  }

  SECTION("global attributes: text as NC_CHAR, numbers as scalar f64/i64") {
    Hid root = checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), Kind::group, "open root");
    CHECK(text_attr(root.get(), "Conventions") == "CF-1.8");
    CHECK(text_attr(root.get(), "title") == "cloudmarket netCDF demo");
    CHECK(text_attr(root.get(), "comment") == "prices in €/hour");
    CHECK(i64_attr(root.get(), "seed") == 42);
    CHECK(f64_attr(root.get(), "horizon_days") == 4.5);
    Hid g = checked(H5Gopen2(file.get(), "/events/price_changes", H5P_DEFAULT), Kind::group, "open group");
    CHECK(text_attr(g.get(), "long_name") == "spot price changes");
  }

  SECTION("a growing dimension is an unlimited, chunked dimension scale") {
    Hid time = open_dset(file, "/time");
    CHECK(H5DSis_scale(time.get()) > 0);
    CHECK(scale_name(time) == "time");
    std::vector<hsize_t> maxdims;
    CHECK(shape_of(time, &maxdims) == std::vector<hsize_t>{kSteps});
    CHECK(maxdims == std::vector<hsize_t>{H5S_UNLIMITED});
    const Layout l = layout_of(file, "/time");
    CHECK(l.chunk == std::vector<hsize_t>{4});
    CHECK(text_attr(time.get(), "units") == "days since 2023-01-01");
    CHECK(text_attr(time.get(), "calendar") == "standard");
    std::vector<double> expected;
    for (int t = 0; t < kSteps; ++t) expected.push_back(demo_time(t));
    CHECK(read_f64(file, "/time") == expected);
  }

  SECTION("a label dimension is a fixed dimension scale of UTF-8 strings") {
    Hid it = open_dset(file, "/instance_type");
    CHECK(H5DSis_scale(it.get()) > 0);
    CHECK(scale_name(it) == "instance_type");
    std::vector<hsize_t> maxdims;
    CHECK(shape_of(it, &maxdims) == std::vector<hsize_t>{3});
    CHECK(maxdims == std::vector<hsize_t>{3});
    CHECK(read_str(file, "/instance_type") == kTypes);
    CHECK(text_attr(it.get(), "long_name") == "instance type");
  }

  SECTION("a variable along a growing dimension: chunk rows x full extent, shuffle + deflate") {
    Hid price = open_dset(file, "/price");
    CHECK(H5DSis_scale(price.get()) == 0);
    std::vector<hsize_t> maxdims;
    CHECK(shape_of(price, &maxdims) == std::vector<hsize_t>{kSteps, 3});
    CHECK(maxdims == std::vector<hsize_t>{H5S_UNLIMITED, 3});
    const Layout l = layout_of(file, "/price");
    CHECK(l.chunk == std::vector<hsize_t>{4, 3});
    CHECK(l.filters == std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE});
    CHECK(attached(file, "/price", "/time", 0));
    CHECK(attached(file, "/price", "/instance_type", 1));
    CHECK_FALSE(attached(file, "/price", "/time", 1));
    CHECK(text_attr(price.get(), "units") == "USD/hour");
    CHECK(text_attr(price.get(), "long_name") == "spot price");
    std::vector<double> expected;
    for (int t = 0; t < kSteps; ++t)
      for (int k = 0; k < 3; ++k) expected.push_back(demo_price(t, k));
    CHECK(read_f64(file, "/price") == expected);

    std::vector<std::int64_t> demand;
    for (int t = 0; t < kSteps; ++t) demand.push_back(100 + 7 * t);
    CHECK(read_i64(file, "/demand") == demand);
    Hid d = open_dset(file, "/demand");
    CHECK(text_attr(d.get(), "units") == "1");
  }

  SECTION("string variables are chunked, unfiltered variable-length UTF-8") {
    std::vector<std::string> expected;
    for (int t = 0; t < kSteps; ++t) expected.push_back(demo_regime(t));
    CHECK(read_str(file, "/regime") == expected);
    const Layout l = layout_of(file, "/regime");
    CHECK(l.chunked);
    CHECK(l.filters.empty());
    CHECK(attached(file, "/regime", "/time", 0));
  }

  SECTION("a fixed variable is written whole") {
    CHECK(read_f64(file, "/base_price") == std::vector<double>(kBase.begin(), kBase.end()));
    CHECK(attached(file, "/base_price", "/instance_type", 0));
    std::vector<hsize_t> maxdims;
    Hid b = open_dset(file, "/base_price");
    CHECK(shape_of(b, &maxdims) == std::vector<hsize_t>{3});
    CHECK(maxdims == std::vector<hsize_t>{3});
  }

  SECTION("groups: an event table on the group's own growing dimension, ancestor dimensions") {
    const std::string pc = "/events/price_changes/";
    Hid event = open_dset(file, pc + "event");
    CHECK(H5DSis_scale(event.get()) > 0);
    std::vector<hsize_t> maxdims;
    CHECK(shape_of(event, &maxdims) == std::vector<hsize_t>{kEvents});
    CHECK(maxdims == std::vector<hsize_t>{H5S_UNLIMITED});
    std::vector<std::int64_t> ids, bidders;
    std::vector<double> times;
    std::vector<std::string> insts;
    for (int e = 0; e < kEvents; ++e) {
      ids.push_back(e);
      bidders.push_back(3 * e - 5);
      times.push_back(1.25 * e);
      insts.push_back(kTypes[static_cast<std::size_t>(e % 3)]);
    }
    CHECK(read_i64(file, pc + "event") == ids);
    CHECK(read_i64(file, pc + "bidders") == bidders);
    CHECK(read_f64(file, pc + "event_time") == times);
    CHECK(read_str(file, pc + "instance") == insts);
    for (const char* v : {"event_time", "instance", "new_price", "bidders"}) {
      INFO(v);
      CHECK(attached(file, pc + v, pc + "event", 0));
    }
    // A variable of /events over the root's label dimension.
    CHECK(attached(file, "/events/changes", "/instance_type", 0));
    CHECK(read_f64(file, "/events/changes") == std::vector<double>{3, 2, 2});
  }
}

TEST_CASE("NetcdfFile appends across chunk boundaries and writes the remainder at close", "[netcdf]") {
  TempPath tmp("chunks");
  for (std::size_t rows : {1u, 3u, 7u, 100u}) {
    INFO("chunk_rows " << rows);
    {
      NetcdfFile f(tmp.path, rows);
      const VarId step = f.growing_dimension("", "step", DType::i64, {});
      f.label_dimension("", "k", {"a", "b"}, {});
      const VarId x = f.variable("", "x", {"step", "k"}, DType::f64, {});
      const VarId s = f.variable("", "s", {"step"}, DType::str, {});
      for (std::int64_t i = 0; i < 7; ++i) {
        f.append(step, std::array{i});
        f.append(x, std::array{i + 0.25, -double(i)});
        f.append(s, std::string(static_cast<std::size_t>(i), 'z'));
      }
      f.close();
    }
    Hid file = open_file(tmp.path);
    CHECK(read_i64(file, "/step") == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6});
    CHECK(read_f64(file, "/x") ==
          std::vector<double>{0.25, 0, 1.25, -1, 2.25, -2, 3.25, -3, 4.25, -4, 5.25, -5, 6.25, -6});
    CHECK(read_str(file, "/s") == std::vector<std::string>{"", "z", "zz", "zzz", "zzzz", "zzzzz", "zzzzzz"});
    CHECK(layout_of(file, "/x").chunk == std::vector<hsize_t>{rows, 2});
  }
}

TEST_CASE("NetcdfFile gives byte-identical files for the same content", "[netcdf]") {
  TempPath a("same_a"), b("same_b");
  write_demo(a.path);
  write_demo(b.path);
  const std::string bytes_a = file_bytes(a.path);
  REQUIRE(bytes_a.size() > 0);
  CHECK(bytes_a == file_bytes(b.path));
}

TEST_CASE("NetcdfFile::close throws when a growing dimension's variables differ in length", "[netcdf]") {
  TempPath tmp("mismatch");
  NetcdfFile f(tmp.path, 4);
  const VarId t = f.growing_dimension("", "time", DType::f64, {});
  const VarId x = f.variable("", "x", {"time"}, DType::f64, {});
  const VarId e = f.growing_dimension("g", "event", DType::i64, {});
  const VarId y = f.variable("g", "y", {"event"}, DType::str, {});
  for (int i = 0; i < 6; ++i) {
    f.append(t, std::array{double(i)});
    f.append(x, std::array{double(i)});
    f.append(e, std::array<std::int64_t, 1>{i});
  }
  f.append(y, std::string("only one"));
  try {
    f.close();
    FAIL("close did not throw");
  } catch (const std::runtime_error& err) {
    const std::string msg = err.what();
    CHECK_THAT(msg, Catch::Contains("/g/y"));
    CHECK_THAT(msg, Catch::Contains("/g/event"));
    CHECK_THAT(msg, Catch::Contains("1 entries"));
  }
  // Everything was still flushed and closed: the file opens and holds what was appended.
  Hid file = open_file(tmp.path);
  CHECK(read_f64(file, "/x").size() == 6);
  CHECK(read_str(file, "/g/y") == std::vector<std::string>{"only one"});
  f.close();  // a second close is a no-op
  CHECK_THROWS_AS(f.append(x, std::array{1.0}), std::logic_error);
}

TEST_CASE("NetcdfFile's destructor closes without throwing", "[netcdf]") {
  TempPath tmp("dtor");
  {
    NetcdfFile f(tmp.path, 4);
    const VarId t = f.growing_dimension("", "time", DType::f64, {});
    f.variable("", "x", {"time"}, DType::f64, {});  // never appended: close() would throw
    for (int i = 0; i < 5; ++i) f.append(t, std::array{double(i)});
  }
  Hid file = open_file(tmp.path);
  CHECK(read_f64(file, "/time") == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(read_f64(file, "/x").empty());
}

TEST_CASE("NetcdfFile rejects misuse with exceptions", "[netcdf]") {
  TempPath tmp("misuse");
  NetcdfFile f(tmp.path, 4);
  const VarId t = f.growing_dimension("", "time", DType::f64, {});
  f.label_dimension("", "k", {"a", "b", "c"}, {});
  const VarId x = f.variable("", "x", {"time", "k"}, DType::f64, {});
  const VarId n = f.variable("", "n", {"time"}, DType::i64, {});
  const VarId w = f.variable("", "w", {"k"}, DType::f64, {});

  CHECK_THROWS_WITH(f.variable("", "bad", {"nope"}, DType::f64, {}), Catch::Contains("unknown dimension 'nope'"));
  CHECK_THROWS_AS(f.variable("", "bad", {"k", "time"}, DType::f64, {}), std::invalid_argument);
  CHECK_THROWS_AS(f.label_dimension("", "k", {"a"}, {}), std::invalid_argument);
  CHECK_THROWS_AS(f.variable("a//b", "bad", {"k"}, DType::f64, {}), std::invalid_argument);
  CHECK_THROWS_WITH(f.append(x, std::array{1.0}), Catch::Contains("slices of 3 values"));
  CHECK_THROWS_WITH(f.append(n, std::array{1.0}), Catch::Contains("is i64, not f64"));
  CHECK_THROWS_AS(f.append(x, std::string("s")), std::invalid_argument);
  CHECK_THROWS_WITH(f.append(w, std::array{1.0, 2.0, 3.0}), Catch::Contains("use write_whole"));
  CHECK_THROWS_WITH(f.write_whole(x, std::array{1.0}), Catch::Contains("use append"));
  CHECK_THROWS_AS(f.write_whole(w, std::array{1.0}), std::invalid_argument);
  CHECK_THROWS_AS(f.append(VarId{99}, std::array{1.0}), std::invalid_argument);
  f.write_whole(w, std::array{1.0, 2.0, 3.0});
  CHECK_THROWS_AS(f.write_whole(w, std::array{1.0, 2.0, 3.0}), std::logic_error);
  // A name taken is caught before anything is written.
  CHECK_THROWS_WITH(f.variable("", "x", {"k"}, DType::f64, {}),
                    Catch::Contains("variable '/x'") && Catch::Contains("defined twice"));
  f.append(t, std::array{0.0});
  f.append(x, std::array{1.0, 2.0, 3.0});
  f.append(n, std::array<std::int64_t, 1>{1});
  // Once the layout is in the file, an HDF5 failure (a group has the name) is a runtime_error
  // naming the object, and the variable is not declared.
  f.attribute("grp", {"long_name", std::string("a group")});
  CHECK_THROWS_WITH(f.variable("", "grp", {"k"}, DType::f64, {}),
                    Catch::Contains("HDF5: variable '/grp'") && Catch::Contains("H5Dcreate2"));
  CHECK_NOTHROW(f.close());
  CHECK_THROWS_AS(f.attribute("", {"late", 1.0}), std::logic_error);
}

TEST_CASE("NetcdfFile reports a file it cannot create as runtime_error naming it", "[netcdf]") {
  const std::string path = "/nonexistent-cm-dir/out.nc";
  try {
    NetcdfFile f(path);
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("No such file or directory"));
  }
  CHECK_THROWS_AS(NetcdfFile(path, 0), std::invalid_argument);
}

TEST_CASE("NetcdfFile writes _FillValue as attribute and HDF5 fill value, and a bare dimension", "[netcdf]") {
  TempPath tmp("fill");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  {
    NetcdfFile f(tmp.path, 4);
    const VarId t = f.growing_dimension("", "time", DType::f64, {});
    f.bare_dimension("", "nv", 2);
    const VarId b = f.variable("", "time_bnds", {"time", "nv"}, DType::f64, {});
    const VarId r = f.variable("", "ratio", {"time"}, DType::f64, {{"_FillValue", nan}});
    const VarId n = f.variable("", "count", {"time"}, DType::i64, {{"_FillValue", std::int64_t(-1)}});
    // netCDF-C requires the attribute's type to be the variable's.
    CHECK_THROWS_WITH(f.variable("", "bad", {"time"}, DType::f64, {{"_FillValue", std::int64_t(0)}}),
                      Catch::Contains("_FillValue must have the variable's type"));
    CHECK_THROWS_AS(f.variable("", "bad", {"time"}, DType::str, {{"_FillValue", std::string("x")}}),
                    std::invalid_argument);
    f.append(t, std::array{0.0});
    f.append(b, std::array{0.0, 31.0});
    f.append(r, std::array{nan});
    f.append(n, std::array<std::int64_t, 1>{3});
    f.close();
  }
  Hid file = open_file(tmp.path);
  Hid ratio = open_dset(file, "/ratio");
  Hid plist = checked(H5Dget_create_plist(ratio.get()), Kind::plist, "H5Dget_create_plist");
  double fill = 0;
  check(H5Pget_fill_value(plist.get(), H5T_NATIVE_DOUBLE, &fill), "H5Pget_fill_value");
  CHECK(std::isnan(fill));
  CHECK(std::isnan(f64_attr(ratio.get(), "_FillValue")));
  Hid count = open_dset(file, "/count");
  Hid count_plist = checked(H5Dget_create_plist(count.get()), Kind::plist, "H5Dget_create_plist");
  std::int64_t count_fill = 0;
  check(H5Pget_fill_value(count_plist.get(), H5T_NATIVE_INT64, &count_fill), "H5Pget_fill_value");
  CHECK(count_fill == -1);
  CHECK(i64_attr(count.get(), "_FillValue") == -1);
  // The bare dimension: a scale named as netCDF-C names a dimension without a variable.
  Hid nv = open_dset(file, "/nv");
  CHECK(scale_name(nv) == "This is a netCDF dimension but not a netCDF variable.         2");
  CHECK(shape_of(nv) == std::vector<hsize_t>{2});
  CHECK(attached(file, "/time_bnds", "/nv", 1));
  CHECK(read_f64(file, "/time_bnds") == std::vector<double>{0.0, 31.0});
}

// An object's attribute names in creation order.
std::vector<std::string> attribute_names(hid_t obj) {
  H5O_info_t info;
  check(H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    char name[256] = "";
    check(H5Aget_name_by_idx(obj, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT),
          "H5Aget_name_by_idx");
    names.emplace_back(name);
  }
  return names;
}

// What H5DS's own readers see of a scale's REFERENCE_LIST: (variable path, axis) per attached axis.
std::vector<std::pair<std::string, int>> reference_list(const Hid& file, const std::string& scale) {
  struct Entry {
    hobj_ref_t dataset;
    int dimension;
  };
  Hid s = open_dset(file, scale);
  Hid a = checked(H5Aopen(s.get(), "REFERENCE_LIST", H5P_DEFAULT), Kind::attribute, "open REFERENCE_LIST");
  Hid space = checked(H5Aget_space(a.get()), Kind::dataspace, "H5Aget_space");
  Hid type = checked(H5Tcreate(H5T_COMPOUND, sizeof(Entry)), Kind::datatype, "H5Tcreate");
  check(H5Tinsert(type.get(), "dataset", HOFFSET(Entry, dataset), H5T_STD_REF_OBJ), "H5Tinsert");
  check(H5Tinsert(type.get(), "dimension", HOFFSET(Entry, dimension), H5T_NATIVE_INT), "H5Tinsert");
  std::vector<Entry> entries(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  check(H5Aread(a.get(), type.get(), entries.data()), "H5Aread REFERENCE_LIST");
  std::vector<std::pair<std::string, int>> out;
  for (const Entry& e : entries) {
    char name[256] = "";
    check(H5Rget_name(s.get(), H5R_OBJECT, &e.dataset, name, sizeof name), "H5Rget_name");
    out.emplace_back(name, e.dimension);
  }
  return out;
}

TEST_CASE("NetcdfFile attaches dimension scales as H5DSattach_scale does, once per axis", "[netcdf]") {
  TempPath tmp("scales");
  {
    NetcdfFile f(tmp.path, 4);
    f.growing_dimension("", "time", DType::f64, {});
    f.label_dimension("", "region", {"eu", "us", "asia"}, {});
    f.variable("", "flow", {"time", "region", "region"}, DType::f64, {{"units", std::string("1")}});
    f.variable("", "stock", {"region"}, DType::i64, {});
    f.variable("events/deals", "size", {"region"}, DType::f64, {});
    f.close();
  }
  Hid file = open_file(tmp.path);
  // Both axes over one dimension are attached, each with exactly one scale.
  CHECK(attached(file, "/flow", "/time", 0));
  CHECK(attached(file, "/flow", "/region", 1));
  CHECK(attached(file, "/flow", "/region", 2));
  CHECK_FALSE(attached(file, "/flow", "/region", 0));
  Hid flow = open_dset(file, "/flow");
  for (unsigned axis = 0; axis < 3; ++axis) CHECK(H5DSget_num_scales(flow.get(), axis) == 1);
  // A scale lists the attached axes in the order they were attached, across groups.
  using Refs = std::vector<std::pair<std::string, int>>;
  CHECK(reference_list(file, "/region") == Refs{{"/flow", 1}, {"/flow", 2}, {"/stock", 0}, {"/events/deals/size", 0}});
  CHECK(reference_list(file, "/time") == Refs{{"/flow", 0}});
  // As H5DS leaves them: DIMENSION_LIST before a variable's own attributes, REFERENCE_LIST after a scale's.
  CHECK(attribute_names(flow.get()) == std::vector<std::string>{"DIMENSION_LIST", "units"});
  Hid region = open_dset(file, "/region");
  CHECK(attribute_names(region.get()).back() == "REFERENCE_LIST");
}

TEST_CASE("NetcdfFile handles empty dimensions, scalars and attribute rewrites", "[netcdf]") {
  TempPath tmp("empty");
  {
    NetcdfFile f(tmp.path, 8);
    f.growing_dimension("", "time", DType::f64, {});
    f.variable("", "never", {"time"}, DType::f64, {});
    f.label_dimension("", "none", {}, {});
    const VarId e = f.variable("", "empty", {"none"}, DType::f64, {});
    f.write_whole(e, std::span<const double>{});
    const VarId s = f.variable("", "scalar", {}, DType::f64, {{"units", std::string("1")}});
    f.write_whole(s, std::array{2.5});
    f.attribute("", {"title", std::string("first")});
    f.attribute("", {"title", std::string("second, longer")});
    f.attribute("", {"empty", std::string()});
    // Larger than an object header message (64 KiB): stored densely whatever the phase change says.
    f.attribute("", {"long_text", std::string(100000, 'y')});
    f.close();
  }
  Hid file = open_file(tmp.path);
  CHECK(read_f64(file, "/never").empty());
  CHECK(read_f64(file, "/empty").empty());
  CHECK(read_f64(file, "/scalar") == std::vector<double>{2.5});
  Hid root = checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), Kind::group, "open root");
  CHECK(text_attr(root.get(), "title") == "second, longer");
  CHECK(text_attr(root.get(), "empty") == std::string(1, '\0'));
  CHECK(text_attr(root.get(), "long_text") == std::string(100000, 'y'));
}

TEST_CASE("NetcdfFile appends 10 000 records of 10 variables of 40 doubles in well under a second",
          "[netcdf][perf]") {
  TempPath tmp("perf");
  constexpr int kRecords = 10000, kVars = 10, kWidth = 40;
  const auto start = std::chrono::steady_clock::now();
  {
    NetcdfFile f(tmp.path);
    std::vector<std::string> labels;
    for (int k = 0; k < kWidth; ++k) labels.push_back(std::string("c").append(std::to_string(k)));
    f.label_dimension("", "column", labels, {});
    const VarId time = f.growing_dimension("", "time", DType::f64, {});
    std::vector<VarId> vars;
    for (int v = 0; v < kVars; ++v)
      vars.push_back(f.variable("", std::string("v").append(std::to_string(v)), {"time", "column"}, DType::f64, {}));
    std::array<double, kWidth> row{};
    for (int r = 0; r < kRecords; ++r) {
      f.append(time, std::array{double(r)});
      for (int v = 0; v < kVars; ++v) {
        for (int k = 0; k < kWidth; ++k) row[static_cast<std::size_t>(k)] = r * 0.001 + v + k * 1e-6;
        f.append(vars[static_cast<std::size_t>(v)], row);
      }
    }
    f.close();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("10000 x 10 x 40 doubles written in " << seconds << " s");
  CHECK(seconds < 1.0);
  Hid file = open_file(tmp.path);
  const auto v9 = read_f64(file, "/v9");
  REQUIRE(v9.size() == std::size_t{kRecords} * kWidth);
  CHECK(v9.back() == (kRecords - 1) * 0.001 + 9 + (kWidth - 1) * 1e-6);
}

// Writes the demo file checked by tests/python/test_netcdf_file.py with xarray, netCDF4 and h5py.
TEST_CASE("NetcdfFile writes the demo file to $CM_NETCDF_DEMO_OUT", "[netcdf][demo]") {
  const char* out = std::getenv("CM_NETCDF_DEMO_OUT");
  if (!out || !*out) {
    SUCCEED("CM_NETCDF_DEMO_OUT not set: nothing to write");
    return;
  }
  write_demo(out);
  CHECK(std::filesystem::file_size(out) > 0);
}

namespace {

// A file of the demo's kind whose global attribute `seed` (declared after the layout) and data differ
// with `seed`; with `extra`, the layout has one more variable.
void write_run_like(const std::string& path, int seed, bool extra) {
  NetcdfFile f(path, 4);
  const VarId t = f.growing_dimension("", "time", DType::f64, {{"units", std::string("days since 2023-01-01")}});
  f.label_dimension("", "vendor", {"aws", "azure"}, {{"long_name", std::string("vendor")}});
  const VarId price = f.variable("", "price", {"time", "vendor"}, DType::f64, {{"units", std::string("USD")}});
  if (extra) f.variable("", "share", {"time", "vendor"}, DType::f64, {});
  f.attribute("events", {"long_name", std::string("events")});
  const VarId e = f.growing_dimension("events", "event", DType::i64, {});
  const VarId who = f.variable("events", "vendor_id", {"event"}, DType::str, {});
  f.end_layout();
  f.attribute("", {"seed", std::int64_t(seed)});
  for (int m = 0; m < 6; ++m) {
    f.append(t, std::array{30.0 * m});
    f.append(price, std::array{1.0 + seed + m, 2.0 * m});
    if (extra) f.append(VarId(price + 1), std::array{0.5, 0.5});
  }
  f.append(e, std::array<std::int64_t, 1>{0});
  f.append(who, std::string(seed % 2 ? "aws" : "azure"));
  // After the layout: a new dimension, and a variable on a layout dimension (its REFERENCE_LIST
  // grows).
  f.label_dimension("", "region", {"eu"}, {});
  const VarId late = f.variable("", "late", {"vendor", "region"}, DType::f64, {});
  f.write_whole(late, std::array{1.0, 2.0});
  f.close();
}

}  // namespace

TEST_CASE("NetcdfFile writes the same bytes whether its layout was built or kept", "[netcdf]") {
  TempPath built("layout_built"), kept("layout_kept"), other("layout_other"), again("layout_again");
  write_run_like(built.path, 1, false);  // no slot yet: built
  cm::output::share_layouts_across_forks(std::size_t(8) << 20);
  write_run_like(kept.path, 1, false);  // built, and kept in the slot
  REQUIRE(file_bytes(kept.path) == file_bytes(built.path));
  write_run_like(again.path, 1, false);  // found kept
  CHECK(file_bytes(again.path) == file_bytes(built.path));
  write_run_like(other.path, 2, false);  // the same layout, other data and seed
  CHECK(file_bytes(other.path) != file_bytes(built.path));
  Hid file = open_file(other.path);
  CHECK(read_f64(file, "/price")[0] == 3.0);
  CHECK(read_str(file, "/events/vendor_id") == std::vector<std::string>{"azure"});
  using Refs = std::vector<std::pair<std::string, int>>;
  CHECK(reference_list(file, "/vendor") == Refs{{"/price", 1}, {"/late", 0}});
  CHECK(reference_list(file, "/region") == Refs{{"/late", 1}});
  CHECK(attached(file, "/late", "/vendor", 0));
  Hid root = checked(H5Gopen2(file.get(), "/", H5P_DEFAULT), Kind::group, "open root");
  CHECK(attribute_names(root.get()) == std::vector<std::string>{"seed"});
  // Another layout is not taken for this one.
  TempPath extra("layout_extra"), extra_alone("layout_extra_alone");
  write_run_like(extra.path, 1, true);
  CHECK(read_f64(open_file(extra.path), "/share").size() == 12);
  write_run_like(again.path, 1, false);
  CHECK(file_bytes(again.path) == file_bytes(built.path));
}
