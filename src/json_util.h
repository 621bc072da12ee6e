/*
 * Helpers shared by the JSON readers (problem, cloud balancing, solution):
 * messages of the form "origin: path: problem" and strict key checks.
 */
#ifndef VMP_JSON_UTIL_H
#define VMP_JSON_UTIL_H

#include <jansson.h>

#include "internal.h"

/* "an object", "a number", ... for messages. */
const char *vmp__json_type_name(const json_t *v);

/* Sets "origin: path: message" and returns code. */
int vmp__json_fail(const char *origin, int code, const char *path,
                   const char *fmt, ...) VMP__PRINTF(4, 5);

/* Fails with VMP_EPARSE naming the first key of obj that is not in the
 * NULL-terminated list allowed, and listing the allowed ones. */
int vmp__json_check_keys(const char *origin, const json_t *obj,
                         const char *path, const char *const *allowed);

/* Parses text as JSON with duplicate keys rejected; messages read
 * "origin: empty input" or "origin: line L column C: ...". */
int vmp__json_load(const char *data, size_t len, const char *origin,
                   json_t **root);

#endif /* VMP_JSON_UTIL_H */
