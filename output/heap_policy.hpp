#pragma once
// How this process's heap treats freed memory (glibc only; elsewhere a no-op).

namespace cm::output {

// Keeps up to 64 MiB of freed memory in the heap, and serves requests below 8 MiB from it,
// instead of glibc's default of giving freed memory above 128 KiB back to the system at once and
// taking it again for the next request: HDF5 allocates and frees its chunk and compression buffers
// for every chunk it writes, thousands of brk calls and page faults in a file of many chunks. The
// peak memory of a run is unchanged. Requests of 8 MiB and more (SimGrid's actor stacks) are
// mapped on their own, so that their untouched megabytes are never faulted in. Idempotent; takes
// effect for the rest of the process.
void keep_freed_memory();

}  // namespace cm::output
