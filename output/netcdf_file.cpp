// netCDF-4 (CF-1.8) writer on the HDF5 C API; see netcdf_file.hpp.
//
// What makes the HDF5 file a netCDF-4 file, and how it is kept byte-for-byte deterministic:
// - link and attribute creation order tracked and indexed on the file (root group), every group
//   and every dataset, as netCDF-C does; the root group keeps up to kMaxCompactRootAttributes
//   attributes in its object header;
// - every dimension is a dataset of the same name made a dimension scale (H5DSset_scale) and
//   attached on each axis of each variable that uses it: the attributes H5DSattach_scale would
//   leave are written once each (see DimensionScaleTypes) instead of re-read and rewritten per attach;
// - text attributes are scalar fixed-length NULLTERM UTF-8 strings (NC_CHAR), numeric attributes
//   scalar f64/i64; string variables are variable-length UTF-8 strings (NC_STRING);
// - numeric variables are chunked and compressed with shuffle + deflate 4. String variables are
//   chunked but not filtered: HDF5 >= 1.10.7 does not filter variable-length data and netCDF-C
//   4.9.0 rejects filters on NC_STRING variables (Unidata/netcdf-c#2480);
// - object modification times are not recorded (H5Pset_obj_track_times false) on any group or
//   dataset, so the same content gives the same bytes;
// - the layout (what is declared before the first append, or end_layout()) is built in memory,
//   written to the file in one go and the file opened again for the data: every file goes the
//   same way, whether its layout was built or found already built (layout_cache.hpp), so a file's
//   bytes never depend on which.
#include "output/netcdf_file.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "output/hdf5_handle.hpp"
#include "output/heap_policy.hpp"
#include "output/layout_cache.hpp"

namespace cm::output {

using hdf5::check;
using hdf5::checked;
using hdf5::Hid;
using hdf5::Kind;

namespace {

constexpr unsigned kDeflateLevel = 4;
constexpr unsigned kCreationOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
// The root group keeps up to this many attributes in its own object header (HDF5's default is 8,
// above which it moves them to a fractal heap and B-trees). A run has 16 global attributes, written
// after its layout: moving them cost a tenth of a small run through the batch worker. An attribute
// too large for the header (a long scenario text) is stored densely whatever this says.
constexpr unsigned kMaxCompactRootAttributes = 32, kMinDenseRootAttributes = 24;

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f64: return "f64";
    case DType::i64: return "i64";
    case DType::str: return "str";
  }
  return "?";
}

// "" and "/" -> "/"; "events/deals/" -> "/events/deals". Rejects empty components.
std::string normalize_group(const std::string& group) {
  std::string out;
  std::size_t i = 0;
  while (i < group.size()) {
    if (group[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = group.find('/', i);
    if (j == std::string::npos) j = group.size();
    const std::string part = group.substr(i, j - i);
    if (part == "." || part == "..")
      throw std::invalid_argument("NetcdfFile: bad group path '" + group + "'");
    out += "/" + part;
    i = j;
  }
  if (group.find("//") != std::string::npos)
    throw std::invalid_argument("NetcdfFile: bad group path '" + group + "'");
  return out.empty() ? "/" : out;
}

std::string parent_group(const std::string& path) {
  if (path == "/") return "";
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string full_name(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

void check_name(const std::string& name, const char* what) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw std::invalid_argument(std::string("NetcdfFile: bad ") + what + " name '" + name + "'");
}

Hid string_type(std::size_t size) {
  Hid t = checked(H5Tcopy(H5T_C_S1), Kind::datatype, "H5Tcopy(H5T_C_S1)");
  check(H5Tset_size(t.get(), size), "H5Tset_size");
  check(H5Tset_strpad(t.get(), H5T_STR_NULLTERM), "H5Tset_strpad");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset");
  return t;
}

// The two attributes that tie variables to dimension scales, with the types the HDF5 Dimension
// Scales API (H5DS, 1.10) gives them, so that H5DS, h5py, netCDF-C and h5netcdf read them as their own:
// a variable's DIMENSION_LIST holds, per axis, a variable-length list of object references to its
// scales (here always one); a scale's REFERENCE_LIST holds one {dataset, dimension} entry per
// attached axis, in attach order. H5DSattach_scale reads, checks and rewrites both on every attach
// (quadratic in the variables of a dimension, most of a small run's output cost); writing each once
// gives the same content.
struct ReferenceEntry {
  hobj_ref_t dataset;
  int dimension;  // H5DS stores a native int (ds_list_t)
};

struct DimensionScaleTypes {
  Hid dimension_list;  // vlen of H5T_STD_REF_OBJ
  Hid reference_list;  // compound {"dataset": H5T_STD_REF_OBJ, "dimension": int}
};

DimensionScaleTypes dimension_scale_types() {
  DimensionScaleTypes t;
  t.dimension_list =
      checked(H5Tvlen_create(H5T_STD_REF_OBJ), Kind::datatype, "H5Tvlen_create(H5T_STD_REF_OBJ)");
  t.reference_list = checked(H5Tcreate(H5T_COMPOUND, sizeof(ReferenceEntry)), Kind::datatype,
                             "H5Tcreate(REFERENCE_LIST compound)");
  check(H5Tinsert(t.reference_list.get(), "dataset", HOFFSET(ReferenceEntry, dataset), H5T_STD_REF_OBJ),
        "H5Tinsert(REFERENCE_LIST dataset)");
  check(H5Tinsert(t.reference_list.get(), "dimension", HOFFSET(ReferenceEntry, dimension), H5T_NATIVE_INT),
        "H5Tinsert(REFERENCE_LIST dimension)");
  return t;
}

// A 1-D attribute of `n` elements of `type`, named and created as H5DS does (default property lists).
void write_list_attribute(hid_t obj, const char* name, hid_t type, hsize_t n, const void* data,
                          const std::string& what) {
  Hid space = checked(H5Screate_simple(1, &n, nullptr), Kind::dataspace, what + " (H5Screate_simple)");
  Hid a = checked(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), Kind::attribute,
                  what + " (H5Acreate2)");
  check(H5Awrite(a.get(), type, data), what + " (H5Awrite)");
}

// The layout's bytes: what it declares, in order, each field length-prefixed (layout_cache.hpp
// compares whole keys, so two layouts share a file image only if they are the same).
void put(std::string& key, std::string_view text) {
  const std::uint64_t n = text.size();
  key.append(reinterpret_cast<const char*>(&n), sizeof n);
  key.append(text);
}
template <typename T>
void put_raw(std::string& key, const T& value) {
  key.append(reinterpret_cast<const char*>(&value), sizeof value);
}
void put(std::string& key, const Attr& attr) {
  put(key, attr.name);
  put_raw(key, attr.value.index());
  if (const auto* s = std::get_if<std::string>(&attr.value)) put(key, *s);
  else if (const auto* d = std::get_if<double>(&attr.value)) put_raw(key, *d);
  else put_raw(key, std::get<std::int64_t>(attr.value));
}

// Data written whole in the layout, kept until the layout is built.
using WholeData = std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::string>>;

void put(std::string& key, const WholeData& data) {
  put_raw(key, data.index());
  std::visit(
      [&key](const auto& values) {
        put_raw(key, values.size());
        for (const auto& v : values) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) put(key, v);
          else put_raw(key, v);
        }
      },
      data);
}

// File access: on disk, or in memory (the core driver without a backing store) for building a layout.
Hid file_access(bool in_memory) {
  Hid fapl = checked(H5Pcreate(H5P_FILE_ACCESS), Kind::plist, "H5Pcreate(file access)");
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST), "H5Pset_libver_bounds");
  if (in_memory) check(H5Pset_fapl_core(fapl.get(), std::size_t(1) << 20, false), "H5Pset_fapl_core");
  return fapl;
}

}  // namespace

struct NetcdfFile::Impl {
  struct Dim {
    std::string group;  // normalized path of the group that defines it
    std::string name;
    bool growing = false;
    hsize_t size = 0;  // fixed dimensions only
    VarId coord = -1;  // its coordinate variable (the dimension scale)
  };

  struct Var {
    std::string group;
    std::string name;
    DType type = DType::f64;
    std::vector<const Dim*> dims;
    std::vector<Attr> attrs;
    std::optional<std::string> scale_name;  // a dimension scale: its NAME ("" for its own name)
    std::vector<hsize_t> shape;  // current extent (shape[0] = rows written for growing vars)
    bool growing = false;
    std::size_t slice = 1;  // values per appended slice (growing) or in total (fixed)
    Hid dset;               // opened when first needed once the layout is in the file
    hobj_ref_t ref = 0;     // object reference to the dataset
    // A dimension scale: the (variable, axis) pairs attached to it, and how many of them the
    // layout's REFERENCE_LIST already holds.
    std::vector<std::pair<VarId, int>> users;
    std::size_t users_in_file = 0;
    // Growing variables: slices appended but not yet written.
    std::vector<double> buf_f64;
    std::vector<std::int64_t> buf_i64;
    std::vector<std::string> buf_str;
    std::size_t buffered = 0;
    bool written = false;  // fixed variables: write_whole() done
    std::string label() const { return full_name(group, name); }
  };

  // A step of the layout, replayed in order when it is built.
  struct Step {
    enum class Kind { attribute, variable, write } kind;
    std::string group;  // attribute: its group
    Attr attr;          // attribute
    VarId var = -1;     // variable, write
    WholeData data;     // write
  };

  std::string path;
  std::size_t chunk_rows;
  int out = -1;  // the file on disk until the layout is written to it
  Hid file;
  std::map<std::string, Hid> groups;  // normalized path -> open group
  std::vector<std::unique_ptr<Dim>> dims;
  std::vector<Var> vars;
  std::vector<Step> steps;            // the layout, until it is in the file
  std::string key;                    // the layout's bytes (layout_cache.hpp)
  std::set<std::string> layout_groups;  // groups the layout creates
  bool laid_out = false;
  Hid vlen_str;  // file and memory type of string variables
  Hid lcpl;      // link creation: UTF-8 names
  Hid acpl;      // attribute creation: UTF-8 names
  Hid scalar;    // the dataspace of every attribute
  DimensionScaleTypes scale_types;
  bool closed = false;

  Impl(const std::string& p, std::size_t rows) : path(p), chunk_rows(rows) {
    if (chunk_rows == 0) throw std::invalid_argument("NetcdfFile: chunk_rows must be positive");
    keep_freed_memory();
    hdf5::silence_hdf5_errors();
    vlen_str = string_type(H5T_VARIABLE);
    lcpl = checked(H5Pcreate(H5P_LINK_CREATE), Kind::plist, "H5Pcreate(link create)");
    check(H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), "H5Pset_char_encoding");
    acpl = checked(H5Pcreate(H5P_ATTRIBUTE_CREATE), Kind::plist, "H5Pcreate(attribute create)");
    check(H5Pset_char_encoding(acpl.get(), H5T_CSET_UTF8), "H5Pset_char_encoding");
    scalar = checked(H5Screate(H5S_SCALAR), Kind::dataspace, "H5Screate(scalar)");
    scale_types = dimension_scale_types();
    put_raw(key, chunk_rows);
    // The file is created (or truncated) now, so that a path that cannot be written is reported
    // before any work; HDF5 writes it once the layout is declared. Last: nothing after it throws,
    // and close() closes it.
    out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0)
      throw std::runtime_error("NetcdfFile: cannot create netCDF file '" + path + "': " + std::strerror(errno));
  }

  std::string where(const std::string& what) const { return what + " in '" + path + "'"; }

  // A transfer list for writing `n` strings: their conversion buffer sized to them. HDF5's default
  // buffer (1 MiB) is allocated zeroed for every string write, which was most of what a small run's
  // output cost; strings go through it in one pass either way (up to the default's 65536), so the
  // file's bytes are the same.
  Hid string_transfer(std::size_t n, const std::string& what) const {
    constexpr std::size_t kStringBytes = 64, kDefaultBuffer = 1 << 20;  // above HDF5's 16-byte element
    Hid dxpl = checked(H5Pcreate(H5P_DATASET_XFER), Kind::plist, what + " (H5Pcreate(dataset transfer))");
    check(H5Pset_buffer(dxpl.get(), std::min(std::max<std::size_t>(n, 1) * kStringBytes, kDefaultBuffer), nullptr,
                        nullptr),
          what + " (H5Pset_buffer)");
    return dxpl;
  }

  // Strings written as variable-length UTF-8 through a transfer buffer sized to them.
  herr_t write_strings(hid_t dset, hid_t mspace, hid_t fspace, const std::vector<std::string>& values,
                       const std::string& what) const {
    std::vector<const char*> text;
    text.reserve(values.size());
    for (const auto& t : values) text.push_back(t.c_str());
    return H5Dwrite(dset, vlen_str.get(), mspace, fspace, string_transfer(text.size(), what).get(), text.data());
  }

  void require_open() const {
    if (closed) throw std::logic_error("NetcdfFile: '" + path + "' is already closed");
  }

  // A group the layout creates, with its ancestors.
  void declare_group(const std::string& gpath) {
    for (std::string g = gpath; !g.empty() && layout_groups.insert(g).second; g = parent_group(g)) {
    }
  }

  // The open group at `path` (normalized): opened if the file has it, else created with its
  // ancestors.
  hid_t group(const std::string& gpath) {
    if (auto it = groups.find(gpath); it != groups.end()) return it->second.get();
    if (gpath == "/" || (laid_out && layout_groups.count(gpath))) {
      Hid g = checked(H5Gopen2(file.get(), gpath.c_str(), H5P_DEFAULT), Kind::group,
                      where("opening group '" + gpath + "' (H5Gopen2)"));
      return groups.emplace(gpath, std::move(g)).first->second.get();
    }
    const hid_t parent = group(parent_group(gpath));
    const std::string name = gpath.substr(gpath.rfind('/') + 1);
    Hid gcpl = checked(H5Pcreate(H5P_GROUP_CREATE), Kind::plist, "H5Pcreate(group create)");
    check(H5Pset_link_creation_order(gcpl.get(), kCreationOrder), "H5Pset_link_creation_order");
    check(H5Pset_attr_creation_order(gcpl.get(), kCreationOrder), "H5Pset_attr_creation_order");
    check(H5Pset_obj_track_times(gcpl.get(), false), "H5Pset_obj_track_times");
    Hid g = checked(H5Gcreate2(parent, name.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT),
                    Kind::group, where("creating group '" + gpath + "' (H5Gcreate2)"));
    return groups.emplace(gpath, std::move(g)).first->second.get();
  }

  // The open dataset of a variable (opened when first needed: a layout found built has none open).
  hid_t dataset(Var& v) {
    if (!v.dset)
      v.dset = checked(H5Dopen2(file.get(), v.label().c_str(), H5P_DEFAULT), Kind::dataset,
                       where("opening variable '" + v.label() + "' (H5Dopen2)"));
    return v.dset.get();
  }

  // An attribute of `obj`, replacing one of that name unless `fresh` (an object just created).
  void write_attr(hid_t obj, const Attr& attr, const std::string& owner, bool fresh = false) {
    const std::string what = where("attribute '" + attr.name + "' of '" + owner + "'");
    if (!fresh && check(H5Aexists(obj, attr.name.c_str()), what + " (H5Aexists)") > 0)
      check(H5Adelete(obj, attr.name.c_str()), what + " (H5Adelete)");
    auto create = [&](hid_t type) {
      return checked(H5Acreate2(obj, attr.name.c_str(), type, scalar.get(), acpl.get(), H5P_DEFAULT),
                     Kind::attribute, what + " (H5Acreate2)");
    };
    if (const auto* s = std::get_if<std::string>(&attr.value)) {
      // NC_CHAR: exactly the bytes of the text (a zero-size type is not allowed: "" is one NUL).
      Hid type = string_type(std::max<std::size_t>(s->size(), 1));
      Hid a = create(type.get());
      const std::string data = s->empty() ? std::string(1, '\0') : *s;
      check(H5Awrite(a.get(), type.get(), data.data()), what + " (H5Awrite)");
    } else if (const auto* d = std::get_if<double>(&attr.value)) {
      Hid a = create(H5T_IEEE_F64LE);
      check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, d), what + " (H5Awrite)");
    } else {
      const auto* i = std::get_if<std::int64_t>(&attr.value);
      Hid a = create(H5T_STD_I64LE);
      check(H5Awrite(a.get(), H5T_NATIVE_INT64, i), what + " (H5Awrite)");
    }
  }

  void group_attribute(const std::string& g, const Attr& attr) {
    check_name(attr.name, "attribute");
    if (laid_out) return write_attr(group(g), attr, g);
    steps.push_back(Step{Step::Kind::attribute, g, attr, -1, {}});
    key += 'A';
    put(key, g);
    put(key, attr);
    declare_group(g);
  }

  const Dim* find_dim(const std::string& gpath, const std::string& name) const {
    for (std::string g = gpath; !g.empty(); g = parent_group(g))
      for (const auto& d : dims)
        if (d->group == g && d->name == name) return d.get();
    return nullptr;
  }

  hid_t file_type(DType t) const {
    switch (t) {
      case DType::f64: return H5T_IEEE_F64LE;
      case DType::i64: return H5T_STD_I64LE;
      case DType::str: return vlen_str.get();
    }
    return -1;
  }

  // A "_FillValue" attribute is also the dataset's HDF5 fill value, as netCDF-C writes it (netCDF-C
  // requires the attribute to have the variable's type). With dcpl < 0, only checks.
  static void set_fill_value(hid_t dcpl, DType type, const std::vector<Attr>& attrs, const std::string& what) {
    for (const Attr& a : attrs) {
      if (a.name != "_FillValue") continue;
      const auto* d = std::get_if<double>(&a.value);
      const auto* i = std::get_if<std::int64_t>(&a.value);
      if ((d && type == DType::f64) || (i && type == DType::i64)) {
        if (dcpl < 0) continue;
        if (d) check(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, d), what + " (H5Pset_fill_value)");
        else check(H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, i), what + " (H5Pset_fill_value)");
      } else {
        throw std::invalid_argument("NetcdfFile: " + what + ": _FillValue must have the variable's type (" +
                                    dtype_name(type) + ")");
      }
    }
  }

  // Declares a variable (dims already resolved): checked and added now, its dataset created now
  // if the layout is in the file, else when the layout is built. A dimension scale is named
  // `scale_name` (its own name when empty); other variables pass nullptr.
  VarId declare_var(const std::string& gpath, const std::string& name, DType type, std::vector<const Dim*> vdims,
                    const std::vector<Attr>& attrs, const std::string* scale_name) {
    Var v;
    v.group = gpath;
    v.name = name;
    v.type = type;
    v.dims = std::move(vdims);
    v.attrs = attrs;
    if (scale_name) v.scale_name = *scale_name;
    v.growing = !v.dims.empty() && v.dims[0]->growing;
    const std::string what = where("variable '" + v.label() + "'");
    for (const Var& other : vars)
      if (other.group == v.group && other.name == v.name)
        throw std::invalid_argument("NetcdfFile: " + what + " is defined twice");
    for (std::size_t k = 0; k < v.dims.size(); ++k) {
      const Dim& d = *v.dims[k];
      if (d.growing && k > 0)
        throw std::invalid_argument("NetcdfFile: " + what + ": growing dimension '" + d.name +
                                    "' must be the first dimension");
      v.shape.push_back(d.growing ? 0 : d.size);
      if (!d.growing) v.slice *= d.size;
    }
    set_fill_value(-1, type, attrs, what);
    for (const Attr& a : attrs) check_name(a.name, "attribute");
    const VarId id = static_cast<VarId>(vars.size());
    if (!scale_name)
      for (std::size_t k = 0; k < v.dims.size(); ++k) vars[v.dims[k]->coord].users.emplace_back(id, int(k));
    vars.push_back(std::move(v));
    if (laid_out) {
      try {
        create_dataset(vars.back());
      } catch (...) {  // not declared after all
        for (const Dim* dim : vars.back().dims)
          if (!vars.back().scale_name) vars[dim->coord].users.pop_back();
        vars.pop_back();
        throw;
      }
    } else {
      const Var& d = vars.back();
      steps.push_back(Step{Step::Kind::variable, {}, {}, id, {}});
      key += 'V';
      put(key, d.group);
      put(key, d.name);
      put_raw(key, d.type);
      put(key, d.scale_name ? "scale:" + *d.scale_name : std::string("variable"));
      for (const Dim* dim : d.dims) {
        put(key, full_name(dim->group, dim->name));
        put_raw(key, dim->growing);
        put_raw(key, dim->size);
      }
      put_raw(key, d.attrs.size());
      for (const Attr& a : d.attrs) put(key, a);
      declare_group(d.group);
    }
    return id;
  }

  // The dataset of a declared variable, with its attributes.
  void create_dataset(Var& v) {
    const std::string what = where("variable '" + v.label() + "'");
    const std::size_t rank = v.dims.size();
    std::vector<hsize_t> maxdims(rank), chunk(rank);
    bool any_zero = false;
    for (std::size_t k = 0; k < rank; ++k) {
      const Dim& d = *v.dims[k];
      maxdims[k] = d.growing ? H5S_UNLIMITED : d.size;
      chunk[k] = d.growing ? chunk_rows : std::max<hsize_t>(d.size, 1);
      any_zero = any_zero || (!d.growing && d.size == 0);
    }
    Hid space = rank == 0 ? checked(H5Screate(H5S_SCALAR), Kind::dataspace, "H5Screate(scalar)")
                          : checked(H5Screate_simple(static_cast<int>(rank), v.shape.data(), maxdims.data()),
                                    Kind::dataspace, what + " (H5Screate_simple)");
    Hid dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), Kind::plist, "H5Pcreate(dataset create)");
    check(H5Pset_attr_creation_order(dcpl.get(), kCreationOrder), "H5Pset_attr_creation_order");
    check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times");
    // Chunk growing variables (they must be) and numeric fixed ones (to compress them); a fixed
    // string variable, a scalar, or an empty one stays contiguous.
    const bool chunked = v.growing || (rank > 0 && !any_zero && v.type != DType::str);
    if (chunked) {
      check(H5Pset_chunk(dcpl.get(), static_cast<int>(rank), chunk.data()), what + " (H5Pset_chunk)");
      if (v.type != DType::str) {
        check(H5Pset_shuffle(dcpl.get()), what + " (H5Pset_shuffle)");
        check(H5Pset_deflate(dcpl.get(), kDeflateLevel), what + " (H5Pset_deflate)");
      }
    }
    set_fill_value(dcpl.get(), v.type, v.attrs, what);
    const hid_t parent = group(v.group);
    v.dset = checked(H5Dcreate2(parent, v.name.c_str(), file_type(v.type), space.get(), lcpl.get(), dcpl.get(),
                                H5P_DEFAULT),
                     Kind::dataset, what + " (H5Dcreate2)");
    check(H5Rcreate(&v.ref, v.dset.get(), ".", H5R_OBJECT, -1), what + " (H5Rcreate)");
    if (v.scale_name)
      check(H5DSset_scale(v.dset.get(), v.scale_name->empty() ? v.name.c_str() : v.scale_name->c_str()),
            what + " (H5DSset_scale)");
    else if (rank > 0)
      write_dimension_list(v, what);
    for (const Attr& a : v.attrs) write_attr(v.dset.get(), a, v.label(), true);
  }

  // The DIMENSION_LIST of a new variable (before its other attributes, where H5DSattach_scale puts
  // it); each scale's REFERENCE_LIST is written with the layout, or at close for later users.
  void write_dimension_list(const Var& v, const std::string& what) {
    std::vector<hobj_ref_t> scale_refs;
    std::vector<hvl_t> dimension_list;
    scale_refs.reserve(v.dims.size());
    for (const Dim* d : v.dims) scale_refs.push_back(vars[d->coord].ref);
    for (hobj_ref_t& r : scale_refs) dimension_list.push_back(hvl_t{1, &r});
    write_list_attribute(v.dset.get(), DIMENSION_LIST, scale_types.dimension_list.get(), dimension_list.size(),
                         dimension_list.data(), what + ": DIMENSION_LIST");
  }

  // A scale's REFERENCE_LIST: after the scale's own attributes, as H5DSattach_scale leaves it
  // (rewritten when variables declared after the layout use the scale).
  void write_reference_list(Var& scale) {
    if (scale.users.size() == scale.users_in_file) return;
    const std::string what = where("REFERENCE_LIST of dimension scale '" + scale.label() + "'");
    const hid_t dset = dataset(scale);
    if (scale.users_in_file > 0) check(H5Adelete(dset, REFERENCE_LIST), what + " (H5Adelete)");
    std::vector<ReferenceEntry> entries;
    for (const auto& [user, axis] : scale.users) entries.push_back(ReferenceEntry{vars[user].ref, axis});
    write_list_attribute(dset, REFERENCE_LIST, scale_types.reference_list.get(), entries.size(), entries.data(), what);
    scale.users_in_file = scale.users.size();
  }

  // A dimension and its coordinate variable (forgotten again if the variable cannot be created).
  // A bare dimension's scale carries netCDF's "not a variable" NAME instead of its own name.
  VarId new_dimension(const std::string& group, const std::string& name, bool growing, hsize_t size, DType coord,
                      const std::vector<Attr>& attrs, const std::string& scale_name = "") {
    require_open();
    const std::string g = normalize_group(group);
    Dim& d = new_dim(g, name, growing, size);
    try {
      d.coord = declare_var(g, name, coord, {&d}, attrs, &scale_name);
    } catch (...) {
      dims.pop_back();
      throw;
    }
    return d.coord;
  }

  Dim& new_dim(const std::string& gpath, const std::string& name, bool growing, hsize_t size) {
    check_name(name, "dimension");
    for (const auto& d : dims)
      if (d->group == gpath && d->name == name)
        throw std::invalid_argument("NetcdfFile: dimension '" + full_name(gpath, name) +
                                    "' defined twice");
    auto d = std::make_unique<Dim>();
    d->group = gpath;
    d->name = name;
    d->growing = growing;
    d->size = size;
    dims.push_back(std::move(d));
    return *dims.back();
  }

  Var& var(VarId id, const char* op) {
    require_open();
    if (id < 0 || static_cast<std::size_t>(id) >= vars.size())
      throw std::invalid_argument(std::string("NetcdfFile::") + op + ": unknown variable id " +
                                  std::to_string(id));
    return vars[static_cast<std::size_t>(id)];
  }

  // Writes the layout to the file and opens it for the data: the layout's file image is found
  // kept (layout_cache.hpp) or built in memory and kept for the next file.
  void end_layout() {
    if (laid_out) return;
    std::string built;
    std::vector<hobj_ref_t> built_refs;
    std::string_view image;
    std::span<const hobj_ref_t> refs;
    if (auto kept = find_layout(key); kept && kept->objects.size() == vars.size()) {
      image = kept->image;
      refs = kept->objects;
    } else {
      build_layout(built, built_refs);
      keep_layout(key, built, built_refs);
      image = built;
      refs = built_refs;
    }
    for (std::size_t i = 0; i < vars.size(); ++i) {
      vars[i].ref = refs[i];
      vars[i].users_in_file = vars[i].users.size();
    }
    write_out(image);
    file = checked(H5Fopen(path.c_str(), H5F_ACC_RDWR, file_access(false).get()), Kind::file,
                   "opening netCDF file '" + path + "' (H5Fopen)");
    laid_out = true;
    steps.clear();
  }

  // The layout's steps replayed into a file in memory; its image and object references.
  void build_layout(std::string& image, std::vector<hobj_ref_t>& refs) {
    Hid fcpl = checked(H5Pcreate(H5P_FILE_CREATE), Kind::plist, "H5Pcreate(file create)");
    check(H5Pset_link_creation_order(fcpl.get(), kCreationOrder), "H5Pset_link_creation_order");
    check(H5Pset_attr_creation_order(fcpl.get(), kCreationOrder), "H5Pset_attr_creation_order");
    check(H5Pset_obj_track_times(fcpl.get(), false), "H5Pset_obj_track_times");
    check(H5Pset_attr_phase_change(fcpl.get(), kMaxCompactRootAttributes, kMinDenseRootAttributes),
          "H5Pset_attr_phase_change");
    file = checked(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), file_access(true).get()), Kind::file,
                   "creating netCDF file '" + path + "' in memory (H5Fcreate)");
    for (const Step& step : steps) {
      switch (step.kind) {
        case Step::Kind::attribute: write_attr(group(step.group), step.attr, step.group); break;
        case Step::Kind::variable: create_dataset(vars[step.var]); break;
        case Step::Kind::write: write_data(vars[step.var], step.data); break;
      }
    }
    for (Var& v : vars) write_reference_list(v);
    for (Var& v : vars) {
      refs.push_back(v.ref);
      check(v.dset.close(), where("closing dataset '" + v.label() + "'"));
    }
    for (auto it = groups.rbegin(); it != groups.rend(); ++it)
      check(it->second.close(), where("closing group '" + it->first + "'"));
    groups.clear();
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), where("flushing the layout (H5Fflush)"));
    const ssize_t n = H5Fget_file_image(file.get(), nullptr, 0);
    if (n < 0) check(-1, where("sizing the layout's image (H5Fget_file_image)"));
    image.resize(std::size_t(n));
    check(H5Fget_file_image(file.get(), image.data(), image.size()), where("the layout's image (H5Fget_file_image)"));
    check(file.close(), where("closing the layout in memory (H5Fclose)"));
  }

  void write_out(std::string_view image) {
    for (std::string_view left = image; !left.empty();) {
      const ssize_t n = ::write(out, left.data(), left.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("NetcdfFile: writing '" + path + "': " + std::strerror(errno));
      left.remove_prefix(std::size_t(n));
    }
    const int fd = std::exchange(out, -1);
    if (::close(fd) != 0) throw std::runtime_error("NetcdfFile: writing '" + path + "': " + std::strerror(errno));
  }

  // Writes a fixed variable whole (in the layout: when it is built).
  void write_whole(Var& v, WholeData data) {
    if (v.written) throw std::logic_error("NetcdfFile::write_whole: '" + v.label() + "' was already written");
    v.written = true;
    if (laid_out) return write_data(v, data);
    key += 'W';
    put_raw(key, VarId(&v - vars.data()));
    put(key, data);
    steps.push_back(Step{Step::Kind::write, {}, {}, VarId(&v - vars.data()), std::move(data)});
  }

  void write_data(Var& v, const WholeData& data) {
    const std::string what = where("writing '" + v.label() + "'");
    if (const auto* d = std::get_if<std::vector<double>>(&data)) {
      if (!d->empty())
        check(H5Dwrite(dataset(v), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->data()), what + " (H5Dwrite)");
    } else if (const auto* i = std::get_if<std::vector<std::int64_t>>(&data)) {
      if (!i->empty())
        check(H5Dwrite(dataset(v), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, i->data()), what + " (H5Dwrite)");
    } else {
      const auto& s = std::get<std::vector<std::string>>(data);
      if (!s.empty()) check(write_strings(dataset(v), H5S_ALL, H5S_ALL, s, what), what + " (H5Dwrite)");
    }
  }

  Var& appendable(VarId id, DType type, std::size_t n) {
    Var& v = var(id, "append");
    if (!v.growing)
      throw std::invalid_argument("NetcdfFile::append: '" + v.label() +
                                  "' has no growing first dimension (use write_whole)");
    if (v.type != type)
      throw std::invalid_argument("NetcdfFile::append: '" + v.label() + "' is " +
                                  dtype_name(v.type) + ", not " + dtype_name(type));
    if (n != v.slice)
      throw std::invalid_argument("NetcdfFile::append: '" + v.label() + "' takes slices of " +
                                  std::to_string(v.slice) + " values, not " + std::to_string(n));
    end_layout();  // the first data appended ends the layout
    if (v.buffered == 0 && v.buf_f64.capacity() + v.buf_i64.capacity() + v.buf_str.capacity() == 0) {
      switch (v.type) {
        case DType::f64: v.buf_f64.reserve(chunk_rows * v.slice); break;
        case DType::i64: v.buf_i64.reserve(chunk_rows * v.slice); break;
        case DType::str: v.buf_str.reserve(chunk_rows); break;
      }
    }
    return v;
  }

  void appended(Var& v) {
    if (++v.buffered >= chunk_rows) flush(v);
  }

  // Writes the buffered slices of a growing variable at its end.
  void flush(Var& v) {
    if (v.buffered == 0) return;
    const std::string what = where("appending to '" + v.label() + "'");
    std::vector<hsize_t> start(v.shape.size(), 0), count = v.shape;
    start[0] = v.shape[0];
    count[0] = v.buffered;
    std::vector<hsize_t> extent = v.shape;
    extent[0] += v.buffered;
    const hid_t dset = dataset(v);
    check(H5Dset_extent(dset, extent.data()), what + " (H5Dset_extent)");
    Hid fspace = checked(H5Dget_space(dset), Kind::dataspace, what + " (H5Dget_space)");
    check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          what + " (H5Sselect_hyperslab)");
    Hid mspace = checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                         Kind::dataspace, what + " (H5Screate_simple)");
    herr_t rc = 0;
    switch (v.type) {
      case DType::f64:
        rc = H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace.get(), fspace.get(), H5P_DEFAULT, v.buf_f64.data());
        break;
      case DType::i64:
        rc = H5Dwrite(dset, H5T_NATIVE_INT64, mspace.get(), fspace.get(), H5P_DEFAULT, v.buf_i64.data());
        break;
      case DType::str: rc = write_strings(dset, mspace.get(), fspace.get(), v.buf_str, what); break;
    }
    check(rc, what + " (H5Dwrite)");
    v.shape = std::move(extent);
    v.buf_f64.clear();
    v.buf_i64.clear();
    v.buf_str.clear();
    v.buffered = 0;
  }

  // Ends the layout if need be, flushes, checks lengths and closes everything; the first error is
  // thrown after everything has been closed.
  void close() {
    if (closed) return;
    closed = true;
    std::exception_ptr error;
    auto attempt = [&](const std::function<void()>& f) {
      try {
        f();
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    };
    attempt([&] { end_layout(); });
    if (laid_out) {
      for (Var& v : vars) attempt([&] { flush(v); });
      attempt([&] { check_lengths(); });
      for (Var& v : vars) attempt([&] { write_reference_list(v); });
    }
    for (Var& v : vars)
      attempt([&] { check(v.dset.close(), where("closing dataset '" + v.label() + "'")); });
    vlen_str.reset();
    scale_types = {};
    lcpl.reset();
    acpl.reset();
    scalar.reset();
    // Children before parents (reverse path order puts "/a/b" before "/a" before "/").
    for (auto it = groups.rbegin(); it != groups.rend(); ++it)
      attempt([&] { check(it->second.close(), where("closing group '" + it->first + "'")); });
    attempt([&] { check(file.close(), "closing netCDF file '" + path + "' (H5Fclose)"); });
    if (out >= 0) ::close(std::exchange(out, -1));
    if (error) std::rethrow_exception(error);
  }

  void check_lengths() const {
    for (const auto& d : dims) {
      if (!d->growing) continue;
      const Var& coord = vars[d->coord];
      const hsize_t n = coord.shape[0] + coord.buffered;
      for (const Var& v : vars) {
        if (!v.growing || v.dims[0] != d.get()) continue;
        const hsize_t m = v.shape[0] + v.buffered;
        if (m != n)
          throw std::runtime_error("NetcdfFile: in '" + path + "', '" + v.label() + "' has " +
                                   std::to_string(m) + " entries along growing dimension '" +
                                   full_name(d->group, d->name) + "' but its coordinate has " +
                                   std::to_string(n));
      }
    }
  }
};

NetcdfFile::NetcdfFile(const std::string& path, std::size_t chunk_rows)
    : impl_(std::make_unique<Impl>(path, chunk_rows)) {}

NetcdfFile::~NetcdfFile() {
  try {
    if (impl_) impl_->close();
  } catch (...) {
    // Errors are reported by an explicit close().
  }
}

void NetcdfFile::attribute(const std::string& group, const Attr& attr) {
  impl_->require_open();
  impl_->group_attribute(normalize_group(group), attr);
}

void NetcdfFile::label_dimension(const std::string& group, const std::string& dim,
                                 const std::vector<std::string>& labels,
                                 const std::vector<Attr>& attrs) {
  Impl::Var& v = impl_->vars[impl_->new_dimension(group, dim, false, labels.size(), DType::str, attrs)];
  if (!labels.empty()) impl_->write_whole(v, labels);
}

void NetcdfFile::index_dimension(const std::string& group, const std::string& dim,
                                 std::span<const std::int64_t> values, const std::vector<Attr>& attrs) {
  write_whole(impl_->new_dimension(group, dim, false, values.size(), DType::i64, attrs), values);
}

void NetcdfFile::bare_dimension(const std::string& group, const std::string& dim, std::size_t size) {
  // The NAME that netCDF-C (libsrc4, DIM_WITHOUT_VARIABLE) and h5netcdf give the dataset of a
  // dimension without a variable: this text, then the length in 10 characters. It holds no data.
  char scale_name[80];
  std::snprintf(scale_name, sizeof scale_name, "This is a netCDF dimension but not a netCDF variable.%10zu", size);
  impl_->new_dimension(group, dim, false, size, DType::f64, {}, scale_name);
}

VarId NetcdfFile::growing_dimension(const std::string& group, const std::string& dim, DType coord,
                                    const std::vector<Attr>& attrs) {
  return impl_->new_dimension(group, dim, true, 0, coord, attrs);
}

VarId NetcdfFile::variable(const std::string& group, const std::string& name,
                           const std::vector<std::string>& dims, DType type,
                           const std::vector<Attr>& attrs) {
  impl_->require_open();
  const std::string g = normalize_group(group);
  check_name(name, "variable");
  std::vector<const Impl::Dim*> vdims;
  for (const auto& dn : dims) {
    const Impl::Dim* d = impl_->find_dim(g, dn);
    if (!d)
      throw std::invalid_argument("NetcdfFile: variable '" + full_name(g, name) +
                                  "' uses unknown dimension '" + dn + "' (not in '" + g +
                                  "' or an ancestor group)");
    vdims.push_back(d);
  }
  return impl_->declare_var(g, name, type, std::move(vdims), attrs, nullptr);
}

void NetcdfFile::end_layout() {
  impl_->require_open();
  impl_->end_layout();
}

void NetcdfFile::append(VarId var, std::span<const double> slice) {
  Impl::Var& v = impl_->appendable(var, DType::f64, slice.size());
  v.buf_f64.insert(v.buf_f64.end(), slice.begin(), slice.end());
  impl_->appended(v);
}

void NetcdfFile::append(VarId var, std::span<const std::int64_t> slice) {
  Impl::Var& v = impl_->appendable(var, DType::i64, slice.size());
  v.buf_i64.insert(v.buf_i64.end(), slice.begin(), slice.end());
  impl_->appended(v);
}

void NetcdfFile::append(VarId var, const std::string& value) {
  Impl::Var& v = impl_->appendable(var, DType::str, 1);
  v.buf_str.push_back(value);
  impl_->appended(v);
}

// Checks shared by the write_whole overloads: a fixed variable of `type`, `size` values.
static void check_whole(const std::string& label, bool growing, DType have, DType want, std::size_t slice,
                        std::size_t size) {
  if (growing)
    throw std::invalid_argument("NetcdfFile::write_whole: '" + label + "' is along a growing dimension (use append)");
  if (have != want)
    throw std::invalid_argument("NetcdfFile::write_whole: '" + label + "' is " + dtype_name(have) + ", not " +
                                dtype_name(want));
  if (size != slice)
    throw std::invalid_argument("NetcdfFile::write_whole: '" + label + "' has " + std::to_string(slice) +
                                " values, not " + std::to_string(size));
}

void NetcdfFile::write_whole(VarId var, std::span<const double> values) {
  Impl::Var& v = impl_->var(var, "write_whole");
  check_whole(v.label(), v.growing, v.type, DType::f64, v.slice, values.size());
  impl_->write_whole(v, std::vector<double>(values.begin(), values.end()));
}

void NetcdfFile::write_whole(VarId var, std::span<const std::int64_t> values) {
  Impl::Var& v = impl_->var(var, "write_whole");
  check_whole(v.label(), v.growing, v.type, DType::i64, v.slice, values.size());
  impl_->write_whole(v, std::vector<std::int64_t>(values.begin(), values.end()));
}

void NetcdfFile::write_whole(VarId var, const std::vector<std::string>& values) {
  Impl::Var& v = impl_->var(var, "write_whole");
  check_whole(v.label(), v.growing, v.type, DType::str, v.slice, values.size());
  impl_->write_whole(v, values);
}

void NetcdfFile::close() { impl_->close(); }

}  // namespace cm::output
