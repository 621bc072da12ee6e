/*
 * Shared JSON reading and writing helpers (json_util.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json_util.h"

json_t *vmp__json_num(double v) {
  if (v > -9e15 && v < 9e15 && v == (double)(json_int_t)v)
    return json_integer((json_int_t)v);
  return json_real(v);
}

json_t *vmp__json_num_or_null(double v) {
  return isfinite(v) ? vmp__json_num(v) : json_null();
}

int vmp__json_add(json_t *obj, const char *key, json_t *v) {
  return v ? json_object_set_new(obj, key, v) : -1;
}

const char *vmp__json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
  }
}

int vmp__json_fail(const char *origin, int code, const char *path,
                   const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return vmp__error(code, "%s: %s: %s", origin, path, msg);
}

int vmp__json_check_keys(const char *origin, const json_t *obj,
                         const char *path, const char *const *allowed) {
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    const char *const *a = allowed;
    char list[512];
    size_t n = 0;
    (void)val;
    while (*a && strcmp(*a, key)) a++;
    if (*a) continue;
    list[0] = '\0';
    for (a = allowed; *a && n < sizeof list - 64; a++)
      n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                            a == allowed ? "" : ", ", *a);
    return vmp__json_fail(origin, VMP_EPARSE, path,
                          "unknown key \"%.60s\" (expected one of: %s)", key, list);
  }
  return 0;
}

int vmp__json_load(const char *data, size_t len, const char *origin,
                   json_t **root) {
  json_error_t err;
  *root = NULL;
  if (len == 0) return vmp__error(VMP_EPARSE, "%s: empty input", origin);
  *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  if (!*root)
    return vmp__error(VMP_EPARSE, "%s: line %d column %d: %s", origin, err.line,
                      err.column, err.text);
  return 0;
}

int vmp__json_check_kind(const char *origin, const json_t *root, const char *want) {
  const json_t *v = json_object_get(root, "kind");
  if (!v) return VMP_OK;
  if (!json_is_string(v))
    return vmp__json_fail(origin, VMP_EPARSE, "kind", "expected a string, got %s",
                          vmp__json_type_name(v));
  if (strcmp(json_string_value(v), want))
    return vmp__error(VMP_EPARSE, "%s: is a %s file, not a %s", origin, json_string_value(v),
                      want);
  return VMP_OK;
}

int vmp__json_get_array(const char *origin, const json_t *root, const char *key,
                        int required, json_t **arr) {
  json_t *v = json_object_get(root, key);
  *arr = NULL;
  if (!v) {
    if (required) return vmp__json_fail(origin, VMP_EPARSE, key, "missing (expected an array)");
    return VMP_OK;
  }
  if (!json_is_array(v))
    return vmp__json_fail(origin, VMP_EPARSE, key, "expected an array, got %s",
                          vmp__json_type_name(v));
  *arr = v;
  return VMP_OK;
}
