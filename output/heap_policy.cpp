#include "output/heap_policy.hpp"

#include <cstdlib>  // defines __GLIBC__ on glibc

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace cm::output {

void keep_freed_memory() {
#ifdef __GLIBC__
  static const bool done = [] {
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    return true;
  }();
  (void)done;
#endif
}

}  // namespace cm::output
