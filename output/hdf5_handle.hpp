#pragma once
// A thin RAII layer over the HDF5 C API: Hid owns one hid_t and closes it with the H5*close that
// fits its kind; check() turns a negative HDF5 return into std::runtime_error that names what
// failed and carries the innermost message of HDF5's error stack (whose automatic printing to
// stderr is switched off by silence_hdf5_errors()).
#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace cm::output::hdf5 {

enum class Kind { file, group, dataset, dataspace, datatype, attribute, plist };

class Hid {
 public:
  Hid() noexcept = default;
  Hid(hid_t id, Kind kind) noexcept : id_(id), kind_(kind) {}
  ~Hid() { reset(); }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  Hid(Hid&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), kind_(other.kind_) {}
  Hid& operator=(Hid&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      kind_ = other.kind_;
    }
    return *this;
  }

  hid_t get() const noexcept { return id_; }
  Kind kind() const noexcept { return kind_; }
  bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives up ownership without closing.
  hid_t release() noexcept { return std::exchange(id_, H5I_INVALID_HID); }

  // Closes now and returns the H5*close result (0 if nothing was open), so that a caller who
  // cares (closing the file flushes it) can check it.
  herr_t close() noexcept {
    if (id_ < 0) return 0;
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    switch (kind_) {
      case Kind::file: return H5Fclose(id);
      case Kind::group: return H5Gclose(id);
      case Kind::dataset: return H5Dclose(id);
      case Kind::dataspace: return H5Sclose(id);
      case Kind::datatype: return H5Tclose(id);
      case Kind::attribute: return H5Aclose(id);
      case Kind::plist: return H5Pclose(id);
    }
    return -1;
  }
  void reset() noexcept { (void)close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Kind kind_ = Kind::plist;
};

// Switches off HDF5's printing of its error stack to stderr (process-wide); check() reports
// the errors instead. Also keeps HDF5 from tearing itself down at exit: after a file's close has
// failed (disk full), HDF5 1.10's teardown closes that file a second time and crashes (SIGSEGV in
// H5F__close_cb). We close every handle ourselves, so the teardown has nothing left to do; the
// call only takes effect before HDF5's first use in the process, and is harmless after it.
inline void silence_hdf5_errors() noexcept {
  (void)H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace detail {
// The system's reason inside a file driver's message ("... error message = 'No space left on
// device', buf = ..."), or the whole message when it has none.
inline std::string driver_reason(const std::string& desc) {
  const std::string tag = "error message = '";
  const auto begin = desc.find(tag);
  if (begin == std::string::npos) return desc;
  const auto end = desc.find('\'', begin + tag.size());
  return end == std::string::npos ? desc : desc.substr(begin + tag.size(), end - begin - tag.size());
}

inline herr_t collect_error(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n > 0) return 0;  // the innermost error is the informative one ("name already exists")
  char minor[128] = "";
  if (H5Eget_msg(err->min_num, nullptr, minor, sizeof minor) < 0) minor[0] = '\0';
  *out += " (";
  *out += err->func_name ? err->func_name : "?";
  *out += ": ";
  *out += err->desc && *err->desc ? driver_reason(err->desc) : minor;
  if (err->desc && *err->desc && minor[0]) {
    *out += " [";
    *out += minor;
    *out += "]";
  }
  return 0;
}
}  // namespace detail

// The innermost message of the current thread's HDF5 error stack (empty if none), then clears it.
inline std::string hdf5_error_detail() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, detail::collect_error, &detail);
  H5Eclear2(H5E_DEFAULT);
  for (char& c : detail)
    if (c == '\n') c = ' ';
  if (!detail.empty()) detail += ")";
  return detail;
}

[[noreturn]] inline void fail(const std::string& what) {
  throw std::runtime_error("HDF5: " + what + " failed" + hdf5_error_detail());
}

// Returns `ret` unless it is negative (HDF5's failure value for herr_t, hid_t, htri_t and
// ssize_t), in which case it throws std::runtime_error("HDF5: <what> failed (<HDF5's reason>)").
template <class T>
T check(T ret, const std::string& what) {
  if (ret < 0) fail(what);
  return ret;
}

// check() for an id that is then owned.
inline Hid checked(hid_t id, Kind kind, const std::string& what) {
  return Hid(check(id, what), kind);
}

}  // namespace cm::output::hdf5
