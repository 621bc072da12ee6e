/*
 * Small helpers every part of the runner uses (bench.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

int vmpb_errf(char *err, const char *fmt, ...) {
  va_list ap;
  if (!err) return -1;
  va_start(ap, fmt);
  vsnprintf(err, VMPB_ERRLEN, fmt, ap);
  va_end(ap);
  return -1;
}

int vmpb_write_all(int fd, const char *buf, size_t len) {
  for (size_t off = 0; off < len;) {
    ssize_t k = write(fd, buf + off, len - off);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    off += (size_t)k;
  }
  return 0;
}

int vmpb_kv_next(const char **text, char key[VMPB_KV_KEY], char val[VMPB_KV_VAL]) {
  const char *p = *text;
  while (p && *p) {
    const char *line = p, *nl = strchr(p, '\n'), *eq = strchr(p, '=');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    p = nl ? nl + 1 : NULL;
    if (eq && eq < line + len) {
      size_t kl = (size_t)(eq - line), vl = len - kl - 1;
      if (kl < VMPB_KV_KEY && vl < VMPB_KV_VAL) {
        memcpy(key, line, kl);
        key[kl] = 0;
        memcpy(val, eq + 1, vl);
        val[vl] = 0;
        *text = p;
        return 1;
      }
    }
  }
  *text = p;
  return 0;
}

int vmpb_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
