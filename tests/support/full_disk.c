/* LD_PRELOAD shim for tests: a disk that fills up. Once CM_FULL_DISK_AFTER bytes have been
 * written to files (not to stdout or stderr), every further write fails with ENOSPC, as on a full
 * disk. The tests use it to check that a run which cannot write its output ends with exit code 1,
 * a message and no file left behind (not with a crash in HDF5's clean-up). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written = 0;

static int full(int fd, size_t wanted) {
  static long long limit = -2;
  if (limit == -2) {
    const char* text = getenv("CM_FULL_DISK_AFTER");
    limit = text ? atoll(text) : -1;
  }
  if (limit < 0 || fd <= 2) return 0;
  if (written + (long long)wanted > limit) return 1;
  written += (long long)wanted;
  return 0;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t n) {
  if (full(fd, n)) { errno = ENOSPC; return -1; }
  return NEXT(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) {
  if (full(fd, n)) { errno = ENOSPC; return -1; }
  return NEXT(pwrite)(fd, buf, n, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t offset) {
  if (full(fd, n)) { errno = ENOSPC; return -1; }
  return NEXT(pwrite64)(fd, buf, n, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  size_t n = 0;
  for (int i = 0; i < count; ++i) n += iov[i].iov_len;
  if (full(fd, n)) { errno = ENOSPC; return -1; }
  return NEXT(writev)(fd, iov, count);
}
