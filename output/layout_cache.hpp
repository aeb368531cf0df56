#pragma once
// File layouts (every group, dimension, variable and attribute a writer declares before its first
// data) shared between the runs of one batch worker: a run whose layout is the same as the last
// one kept, byte for byte, starts from that file image instead of building it again through HDF5,
// which is most of a small run's output cost (NetcdfFile::end_layout).
//
// The store is one slot of shared memory the worker maps before it forks: a child that built a
// layout keeps it there, and the worker's later children find it. A process that never calls
// share_layouts_across_forks() (a single `cloudmarket run`) keeps nothing and always builds.
#include <hdf5.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace cm::output {

struct KeptLayout {
  std::string_view image;               // the HDF5 file of the layout alone
  std::span<const hobj_ref_t> objects;  // object reference of each variable, in declaration order
};

// Maps the shared slot, `capacity` bytes of address space (memory is used only as it is written).
// Once per process, before the first fork; later calls do nothing.
void share_layouts_across_forks(std::size_t capacity = std::size_t(256) << 20);

// The layout kept under exactly this key, if it is the one in the slot.
std::optional<KeptLayout> find_layout(std::string_view key);

// Keeps a layout in the slot in place of the one there (nothing when there is no slot or it does
// not fit). A process that dies while keeping leaves the slot empty, never half-written.
void keep_layout(std::string_view key, std::string_view image, std::span<const hobj_ref_t> objects);

}  // namespace cm::output
