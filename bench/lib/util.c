/*
 * Small helpers every part of the runner uses (bench.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "bench.h"

int vmpb_errf(char *err, const char *fmt, ...) {
  va_list ap;
  if (!err) return -1;
  va_start(ap, fmt);
  vsnprintf(err, VMPB_ERRLEN, fmt, ap);
  va_end(ap);
  return -1;
}
