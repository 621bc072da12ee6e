/*
 * Timefold cloud balancing JSON: computers (cpu, memory and network
 * capacity, and a cost) and processes (the same three requirements, and
 * optionally the computer they run on).
 *
 * Resources "cpu", "memory", "network"; computer id K becomes host "cK"
 * with the computer's cost; process id K becomes VM "pK", whose current
 * host is its computer when that is given (a solved file).  "computer" may
 * be an id or, as Jackson writes object references, an object with an id.
 *
 * As in vmplace's own JSON, a key the format does not define is an error:
 * a misspelt "requiredMemroy" must not quietly mean a demand of 0.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "readers.h"

#define PATH_LEN 128

typedef struct cr {
  vmp_problem *p;
  const char *origin;
} cr;

static const char *const ROOT_KEYS[] = {"id", "computerList", "processList",
                                        "score", NULL};
static const char *const COMPUTER_KEYS[] = {"id", "cpuPower", "memory",
                                            "networkBandwidth", "cost", NULL};
static const char *const PROCESS_KEYS[] = {
    "id", "requiredCpuPower", "requiredMemory", "requiredNetworkBandwidth",
    "computer", NULL};
/* In resource order: cpu, memory, network. */
static const char *const CAPACITY_KEYS[] = {"cpuPower", "memory",
                                            "networkBandwidth"};
static const char *const DEMAND_KEYS[] = {
    "requiredCpuPower", "requiredMemory", "requiredNetworkBandwidth"};

#define fail(r, code, path, ...) vmp__json_fail((r)->origin, code, path, __VA_ARGS__)
#define type_name vmp__json_type_name

static int check_keys(const cr *r, json_t *obj, const char *path,
                      const char *const *allowed) {
  return vmp__json_check_keys(r->origin, obj, path[0] ? path : "(top level)",
                              allowed);
}

static int get_number(const cr *r, json_t *obj, const char *path,
                      const char *key, double *out) {
  char sub[PATH_LEN + 32];
  json_t *v = json_object_get(obj, key);
  snprintf(sub, sizeof sub, "%s.%s", path, key);
  if (!v) return fail(r, VMP_EPARSE, path, "missing \"%s\"", key);
  if (!json_is_number(v))
    return fail(r, VMP_EPARSE, sub, "expected a number >= 0, got %s",
                type_name(v));
  *out = json_number_value(v);
  if (*out < 0) {
    char b[32];
    return fail(r, VMP_ERANGE, sub, "expected a number >= 0, got %s",
                vmp__fmt_num(b, *out));
  }
  return 0;
}

static int get_id(const cr *r, json_t *obj, const char *path,
                  json_int_t *id) {
  char sub[PATH_LEN + 8];
  json_t *v = json_object_get(obj, "id");
  snprintf(sub, sizeof sub, "%s.id", path);
  if (!v) return fail(r, VMP_EPARSE, path, "missing \"id\"");
  if (!json_is_integer(v))
    return fail(r, VMP_EPARSE, sub, "expected an integer id, got %s",
                type_name(v));
  *id = json_integer_value(v);
  return 0;
}

static int read_computer(cr *r, json_t *c, const char *path) {
  char name[32], sub[PATH_LEN + 8];
  double cap[3], cost;
  json_int_t id;
  size_t h;
  int rc;
  if (!json_is_object(c))
    return fail(r, VMP_EPARSE, path, "expected an object, got %s",
                type_name(c));
  if ((rc = check_keys(r, c, path, COMPUTER_KEYS)) ||
      (rc = get_id(r, c, path, &id)))
    return rc;
  for (int k = 0; k < 3; k++)
    if ((rc = get_number(r, c, path, CAPACITY_KEYS[k], &cap[k]))) return rc;
  if ((rc = get_number(r, c, path, "cost", &cost))) return rc;
  snprintf(name, sizeof name, "c%" JSON_INTEGER_FORMAT, id);
  snprintf(sub, sizeof sub, "%s.id", path);
  if (vmp_problem_find_host(r->p, name, &h) == VMP_OK)
    return fail(r, VMP_EEXIST, sub, "duplicate id %" JSON_INTEGER_FORMAT
                " (also computerList[%zu])", id, h);
  if ((rc = vmp_problem_add_host(r->p, name, cap, &h)) ||
      (rc = vmp_problem_set_host_cost(r->p, h, cost)))
    return vmp__error_prefix(rc, "%s: %s", r->origin, path);
  return 0;
}

/* The process's computer: VMP_NONE when absent or null. */
static int read_host_ref(cr *r, json_t *proc, const char *path, size_t *h) {
  char sub[PATH_LEN + 16], name[32];
  json_t *v = json_object_get(proc, "computer");
  json_int_t id;
  int rc;
  *h = VMP_NONE;
  snprintf(sub, sizeof sub, "%s.computer", path);
  if (!v || json_is_null(v)) return 0;
  if (json_is_object(v)) {
    /* A reference written as the whole computer object. */
    if ((rc = check_keys(r, v, sub, COMPUTER_KEYS)) ||
        (rc = get_id(r, v, sub, &id)))
      return rc;
  } else if (json_is_integer(v)) {
    id = json_integer_value(v);
  } else {
    return fail(r, VMP_EPARSE, sub, "expected null, a computer id or an "
                "object with an id, got %s", type_name(v));
  }
  snprintf(name, sizeof name, "c%" JSON_INTEGER_FORMAT, id);
  if (vmp_problem_find_host(r->p, name, h) != VMP_OK)
    return fail(r, VMP_ENOTFOUND, sub, "unknown computer id %"
                JSON_INTEGER_FORMAT, id);
  return 0;
}

static int read_process(cr *r, json_t *pr, const char *path) {
  char name[32], sub[PATH_LEN + 8];
  double demand[3];
  json_int_t id;
  size_t v, h;
  int rc;
  if (!json_is_object(pr))
    return fail(r, VMP_EPARSE, path, "expected an object, got %s",
                type_name(pr));
  if ((rc = check_keys(r, pr, path, PROCESS_KEYS)) ||
      (rc = get_id(r, pr, path, &id)))
    return rc;
  for (int k = 0; k < 3; k++)
    if ((rc = get_number(r, pr, path, DEMAND_KEYS[k], &demand[k]))) return rc;
  if ((rc = read_host_ref(r, pr, path, &h))) return rc;
  snprintf(name, sizeof name, "p%" JSON_INTEGER_FORMAT, id);
  snprintf(sub, sizeof sub, "%s.id", path);
  if (vmp_problem_find_vm(r->p, name, &v) == VMP_OK)
    return fail(r, VMP_EEXIST, sub, "duplicate id %" JSON_INTEGER_FORMAT
                " (also processList[%zu])", id, v);
  if ((rc = vmp_problem_add_vm(r->p, name, demand, &v)) ||
      (rc = vmp_problem_set_vm_host(r->p, v, h)))
    return vmp__error_prefix(rc, "%s: %s", r->origin, path);
  return 0;
}

static int read_list(cr *r, json_t *root, const char *key,
                     int (*fn)(cr *, json_t *, const char *)) {
  json_t *arr, *e;
  size_t k;
  int rc;
  if ((rc = vmp__json_get_array(r->origin, root, key, 1, &arr))) return rc;
  json_array_foreach(arr, k, e) {
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s[%zu]", key, k);
    if ((rc = fn(r, e, path))) return rc;
  }
  return 0;
}

static int read_root(cr *r, json_t *root) {
  json_t *v;
  int rc;
  if (!json_is_object(root))
    return fail(r, VMP_EPARSE, "(top level)", "expected an object, got %s",
                type_name(root));
  if ((rc = check_keys(r, root, "", ROOT_KEYS))) return rc;
  /* "id" and "score" are Timefold's bookkeeping; only their type is
   * checked. */
  v = json_object_get(root, "id");
  if (v && !json_is_integer(v) && !json_is_string(v))
    return fail(r, VMP_EPARSE, "id", "expected an integer or a string, got %s",
                type_name(v));
  v = json_object_get(root, "score");
  if (v && !json_is_null(v) && !json_is_string(v))
    return fail(r, VMP_EPARSE, "score", "expected null or a string, got %s",
                type_name(v));
  if ((rc = vmp_problem_add_resource(r->p, "cpu", NULL)) ||
      (rc = vmp_problem_add_resource(r->p, "memory", NULL)) ||
      (rc = vmp_problem_add_resource(r->p, "network", NULL)))
    return vmp__error_prefix(rc, "%s", r->origin);
  /* Computers first, whatever the key order, so that processes can refer
   * to them. */
  if ((rc = read_list(r, root, "computerList", read_computer))) return rc;
  return read_list(r, root, "processList", read_process);
}

int vmp__read_cloud(const char *data, size_t len, const char *origin,
                    vmp_problem **out) {
  json_t *root;
  cr r;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!origin) origin = "<input>";
  if (!data || vmp__blank(data, len))
    return vmp__error(VMP_EPARSE, "%s: empty input", origin);
  /* Duplicate keys are refused: which of the two would count is anyone's
   * guess. */
  if ((rc = vmp__json_load(data, len, origin, &root))) return rc;
  r.origin = origin;
  r.p = NULL;
  if ((rc = vmp_problem_new(&r.p)) == VMP_OK) rc = read_root(&r, root);
  json_decref(root);
  if (rc) {
    vmp_problem_free(r.p);
    return rc;
  }
  *out = r.p;
  return 0;
}
