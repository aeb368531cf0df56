#pragma once
// A netCDF-4 file written with the HDF5 C API and H5DS dimension scales, so that
// xarray.open_dataset(path, engine="h5netcdf"), netCDF4-python/netCDF-C, h5py, R and Julia open it
// as it is. Variables along a growing dimension (time, or an event table's row) are buffered in
// memory in chunk-sized blocks and appended: a run never holds its whole history in memory.
// What is declared before the first data (end_layout) is built in memory and written in one go.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace cm::output {

enum class DType { f64, i64, str };

struct Attr {
  std::string name;
  std::variant<std::string, double, std::int64_t> value;
};

using VarId = int;

class NetcdfFile {
 public:
  // Creates (truncates) `path`. Throws std::runtime_error on any HDF5 failure or a path that
  // cannot be written.
  explicit NetcdfFile(const std::string& path, std::size_t chunk_rows = 64);
  ~NetcdfFile();  // closes without throwing; call close() to see errors
  NetcdfFile(const NetcdfFile&) = delete;
  NetcdfFile& operator=(const NetcdfFile&) = delete;

  // Attributes on a group ("" or "/" is the root group; "events/deals" is created on demand).
  void attribute(const std::string& group, const Attr& attr);

  // A fixed dimension whose coordinate variable (same name) holds string labels.
  void label_dimension(const std::string& group, const std::string& dim,
                       const std::vector<std::string>& labels, const std::vector<Attr>& attrs);

  // A fixed dimension whose coordinate variable (same name) holds the given whole numbers.
  void index_dimension(const std::string& group, const std::string& dim, std::span<const std::int64_t> values,
                       const std::vector<Attr>& attrs);

  // A fixed dimension without a coordinate variable (e.g. CF's "nv" of a bounds variable): written
  // as netCDF-C and h5netcdf write one, a dimension scale whose NAME marks it as "not a variable".
  void bare_dimension(const std::string& group, const std::string& dim, std::size_t size);

  // A growing (unlimited) dimension; its coordinate variable of type `coord` is appended like any
  // variable through the returned id.
  VarId growing_dimension(const std::string& group, const std::string& dim, DType coord,
                          const std::vector<Attr>& attrs);

  // A variable over `dims` (names of dimensions of this group or an ancestor). If dims[0] is a
  // growing dimension the variable is appended along it, one slice of size prod(other dims) per
  // call; otherwise write it once with write_whole(). An attribute "_FillValue" must have the
  // variable's own type (double for f64, int64 for i64; none on strings): it is also made the HDF5
  // fill value of the dataset, as netCDF-C does, so netCDF4 and h5netcdf read the same.
  VarId variable(const std::string& group, const std::string& name, const std::vector<std::string>& dims,
                 DType type, const std::vector<Attr>& attrs);

  // Ends the file's layout: what was declared so far (groups, dimensions, variables, attributes,
  // data written whole) is written to the file, which the data then goes to. The first append or
  // close() ends it too. In a batch worker's runs a layout the same as the previous run's is
  // written from that run's file image instead of being built again (layout_cache.hpp); either
  // way the file's bytes are the same. Declare what names a single run (its seed, its scenario
  // text) after it, so that the runs of a sweep share their layout.
  void end_layout();

  void append(VarId var, std::span<const double> slice);
  void append(VarId var, std::span<const std::int64_t> slice);
  void append(VarId var, const std::string& value);  // 1-D string variable along a growing dim
  // One value of a 1-D variable along a growing dimension (an event table's column).
  void append_value(VarId var, double value) { append(var, std::span<const double>(&value, 1)); }
  void append_value(VarId var, std::int64_t value) { append(var, std::span<const std::int64_t>(&value, 1)); }
  void write_whole(VarId var, std::span<const double> values);
  void write_whole(VarId var, std::span<const std::int64_t> values);
  void write_whole(VarId var, const std::vector<std::string>& values);  // a fixed string variable

  // Flushes all buffers and closes the file. Throws if variables of one growing dimension were
  // appended a different number of times.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cm::output
