/*
 * Helpers shared by the JSON readers (problem, cloud balancing, solution):
 * messages of the form "origin: path: problem" and strict key checks; and by
 * the writers: numbers that read back exactly, and error-collecting sets.
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

/* v as a JSON integer when it is whole and a double holds it exactly
 * (|v| < 9e15), so counts print without ".0"; else as a real.  NULL, like
 * json_real, for NaN and infinities. */
json_t *vmp__json_num(double v);

/* Sets obj[key] = v, taking v; returns -1 when v is NULL (its allocation
 * failed) or the set fails, so writers can OR the results of a run of sets. */
/* vmp__json_num(v), or JSON null when v is NaN or infinite (a bound or gap
 * that does not exist). */
json_t *vmp__json_num_or_null(double v);

int vmp__json_add(json_t *obj, const char *key, json_t *v);

/* Every file vmplace writes names its kind ("problem", "solution", "plan")
 * in a top-level "kind"; files without one are still read.  Fails with
 * VMP_EPARSE when root has a "kind" other than want: "origin: is a plan
 * file, not a solution". */
int vmp__json_check_kind(const char *origin, const json_t *root, const char *want);
/* root[key] as an array in *arr: NULL (and VMP_OK) when it is missing and
 * not required; VMP_EPARSE "origin: key: missing (expected an array)" when
 * it is required, "origin: key: expected an array, got a string" when it is
 * something else. */
int vmp__json_get_array(const char *origin, const json_t *root, const char *key,
                        int required, json_t **arr);

#endif /* VMP_JSON_UTIL_H */
