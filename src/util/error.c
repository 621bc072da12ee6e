/*
 * Error codes, their names and messages (one X-macro table in errors.h),
 * and the per-thread detail message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define VMP__DETAIL_MAX 2048

static _Thread_local char detail[VMP__DETAIL_MAX];

const char *vmp_strerror(int code) {
  switch (code) {
    case VMP_OK: return "success";
#define VMP__ERRNO_MSG(name, value, msg) \
    case VMP_##name: return msg;
    VMP_ERRNO_MAP(VMP__ERRNO_MSG)
#undef VMP__ERRNO_MSG
    default: return "unknown error";
  }
}

const char *vmp_err_name(int code) {
  switch (code) {
    case VMP_OK: return "VMP_OK";
#define VMP__ERRNO_NAME(name, value, msg) \
    case VMP_##name: return "VMP_" #name;
    VMP_ERRNO_MAP(VMP__ERRNO_NAME)
#undef VMP__ERRNO_NAME
    default: return "VMP_UNKNOWN";
  }
}

const char *vmp_last_error(void) { return detail; }

void vmp_clear_error(void) { detail[0] = '\0'; }

void vmp_free(void *ptr) { free(ptr); }

int vmp__error(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  return code;
}

int vmp__error_prefix(int code, const char *fmt, ...) {
  char prefix[VMP__DETAIL_MAX];
  char joined[2 * VMP__DETAIL_MAX + 4];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  snprintf(joined, sizeof joined, "%s: %s", prefix,
           detail[0] ? detail : vmp_strerror(code));
  /* Keep the start (file and field) when the whole does not fit. */
  memcpy(detail, joined, sizeof detail - 1);
  detail[sizeof detail - 1] = '\0';
  return code;
}

int vmp__enomem(void) {
  /* No formatting: keep working when memory is exhausted. */
  strcpy(detail, "out of memory");
  return VMP_ENOMEM;
}
