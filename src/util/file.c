/*
 * Whole files in and out: reading a file (or a pipe) into memory for the
 * readers of every format, and writing a text file.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int io_error(const char *path, int err) {
  char msg[256];
  /* strerror_r, not strerror: the library may run on several threads. */
  if (strerror_r(err, msg, sizeof msg) != 0)
    snprintf(msg, sizeof msg, "error %d", err);
  return vmp__error(VMP_EIO, "%s: %s", path, msg);
}

/* Reads f to its end (its size is not asked for: f may be a pipe).
 * 0, VMP_ENOMEM, or VMP_EIO with errno set by fread (EISDIR for a
 * directory). */
static int read_all(FILE *f, char **data, size_t *len) {
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    size_t got;
    if (cap - n < 2) {
      /* Room for at least one more byte and the NUL. */
      size_t ncap = cap ? cap * 2 : 64 * 1024;
      char *q = cap > SIZE_MAX / 2 ? NULL : realloc(buf, ncap);
      if (!q) {
        free(buf);
        return VMP_ENOMEM;
      }
      buf = q;
      cap = ncap;
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    return VMP_EIO;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

int vmp__read_file(const char *path, char **data, size_t *len) {
  FILE *f;
  int rc, err;
  if (data) *data = NULL;
  if (len) *len = 0;
  if (!path || !data || !len)
    return vmp__error(VMP_EINVAL, "vmp__read_file: NULL argument");
  f = fopen(path, "rb");
  if (!f) return io_error(path, errno);
  errno = 0;
  rc = read_all(f, data, len);
  err = errno;
  fclose(f);
  if (rc == VMP_ENOMEM) return vmp__enomem();
  if (rc) return io_error(path, err ? err : EIO);
  return 0;
}

int vmp__write_text_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  int bad;
  if (!f) return vmp__error(VMP_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
  bad = fputs(text, f) < 0 || fputc('\n', f) == EOF;
  bad |= fclose(f) != 0;
  return bad ? vmp__error(VMP_EIO, "%s: write failed", path) : 0;
}
