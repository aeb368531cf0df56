#include "output/layout_cache.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>

namespace cm::output {

namespace {

// The slot: this header, then the key, the image and the object references.
struct Header {
  std::atomic<std::uint64_t> valid;  // 1 once the rest is written; 0 while a writer is at it
  std::uint64_t key_bytes, image_bytes, objects;
};

char* g_slot = nullptr;
std::size_t g_capacity = 0;

// Key and image are padded to 8 bytes, so that the references after them are aligned.
std::size_t padded(std::size_t n) { return (n + 7) / 8 * 8; }

}  // namespace

void share_layouts_across_forks(std::size_t capacity) {
  if (g_slot) return;
  void* p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;  // no sharing: every run builds its layout
  g_slot = static_cast<char*>(p);
  g_capacity = capacity;
  new (g_slot) Header{};
  // Read-only but while keep_layout writes: a stray write of a run cannot reach its successors.
  ::mprotect(g_slot, g_capacity, PROT_READ);
}

std::optional<KeptLayout> find_layout(std::string_view key) {
  if (!g_slot) return std::nullopt;
  const auto* h = reinterpret_cast<const Header*>(g_slot);
  if (h->valid.load(std::memory_order_acquire) != 1 || h->key_bytes != key.size()) return std::nullopt;
  const char* at = g_slot + sizeof(Header);
  if (std::memcmp(at, key.data(), key.size()) != 0) return std::nullopt;
  at += padded(h->key_bytes);
  const std::string_view image(at, h->image_bytes);
  at += padded(h->image_bytes);
  return KeptLayout{image, {reinterpret_cast<const hobj_ref_t*>(at), h->objects}};
}

void keep_layout(std::string_view key, std::string_view image, std::span<const hobj_ref_t> objects) {
  if (!g_slot) return;
  auto* h = reinterpret_cast<Header*>(g_slot);
  const std::size_t need = sizeof(Header) + padded(key.size()) + padded(image.size()) + objects.size_bytes();
  if (::mprotect(g_slot, g_capacity, PROT_READ | PROT_WRITE) != 0) return;
  struct ReadOnlyAgain {
    ~ReadOnlyAgain() { ::mprotect(g_slot, g_capacity, PROT_READ); }
  } read_only_again;
  h->valid.store(0, std::memory_order_release);
  if (need > g_capacity) return;
  char* at = g_slot + sizeof(Header);
  std::memcpy(at, key.data(), key.size());
  at += padded(key.size());
  std::memcpy(at, image.data(), image.size());
  at += padded(image.size());
  std::memcpy(at, objects.data(), objects.size_bytes());
  h->key_bytes = key.size();
  h->image_bytes = image.size();
  h->objects = objects.size();
  h->valid.store(1, std::memory_order_release);
}

}  // namespace cm::output
