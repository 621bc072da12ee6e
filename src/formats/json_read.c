/*
 * The vmplace problem JSON reader (vmp__read_json); vmp_problem_read and
 * vmp_problem_parse (dispatch.c) hand it JSON input.
 *
 * The reader checks every field's type and range itself so that messages
 * name the exact path ("hosts[3].capacity.cpu: expected a number >= 0"),
 * and rejects unknown keys: a misspelt "overcomit" must not silently mean
 * "no overcommit".
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reassign.h"
#include "json_util.h"
#include "problem_impl.h"
#include "readers.h"

typedef struct jr {
  vmp_problem *p;
  const char *origin;
} jr;

#define PATH_MAX_LEN 512

#define jfail(r, code, path, ...) vmp__json_fail((r)->origin, code, path, __VA_ARGS__)

/* Wraps the message a setter left: "origin: path: <setter message>". */
static int jwrap(const jr *r, int rc, const char *path) {
  return vmp__error_prefix(rc, "%s: %s", r->origin, path);
}

#define json_type_name vmp__json_type_name

/* Checks that obj has only the allowed keys. */
static int check_keys(const jr *r, const json_t *obj, const char *path,
                      const char *const *allowed) {
  return vmp__json_check_keys(r->origin, obj, path, allowed);
}

static int get_string(const jr *r, const json_t *v, const char *path,
                      const char **out) {
  if (!json_is_string(v))
    return jfail(r, VMP_EPARSE, path, "expected a string, got %s",
                 json_type_name(v));
  if (strlen(json_string_value(v)) != json_string_length(v))
    return jfail(r, VMP_EPARSE, path, "string contains a NUL character");
  *out = json_string_value(v);
  return 0;
}

static int get_number(const jr *r, const json_t *v, const char *path,
                      double min, double *out) {
  double d;
  if (!json_is_number(v))
    return jfail(r, VMP_EPARSE, path, "expected a number >= %g, got %s", min,
                 json_type_name(v));
  d = json_number_value(v);
  if (!isfinite(d) || d < min)
    return jfail(r, VMP_ERANGE, path, "expected a number >= %g, got %g", min,
                 d);
  *out = d;
  return 0;
}

static int get_bool(const jr *r, const json_t *v, const char *path, int *out) {
  if (!json_is_boolean(v))
    return jfail(r, VMP_EPARSE, path, "expected true or false, got %s",
                 json_type_name(v));
  *out = json_is_true(v);
  return 0;
}

static int get_name(const jr *r, const json_t *obj, const char *path,
                    const char **name) {
  char sub[PATH_MAX_LEN];
  json_t *v = json_object_get(obj, "name");
  snprintf(sub, sizeof sub, "%s.name", path);
  if (!v) return jfail(r, VMP_EPARSE, path, "missing \"name\"");
  return get_string(r, v, sub, name);
}

/* ---- sections ------------------------------------------------------------ */

static int read_resources(jr *r, const json_t *arr) {
  size_t k;
  json_t *v;
  int rc;
  if (!json_is_array(arr))
    return jfail(r, VMP_EPARSE, "resources", "expected an array of names, got %s",
                 json_type_name(arr));
  if (json_array_size(arr) == 0)
    return jfail(r, VMP_EPARSE, "resources", "expected at least one resource");
  json_array_foreach(arr, k, v) {
    char path[PATH_MAX_LEN];
    const char *name;
    snprintf(path, sizeof path, "resources[%zu]", k);
    if ((rc = get_string(r, v, path, &name))) return rc;
    if ((rc = vmp_problem_add_resource(r->p, name, NULL)))
      return jwrap(r, rc, path);
  }
  return 0;
}

/* Reads {"res": number, ...} into vals (indexed by resource).  With
 * require_all, every resource must be present. */
static int read_per_resource(jr *r, const json_t *obj, const char *path,
                             double min, int require_all, double *vals,
                             uint8_t *present) {
  const char *key;
  json_t *v;
  int rc;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object keyed by resource, got %s",
                 json_type_name(obj));
  memset(present, 0, r->p->nres);
  json_object_foreach((json_t *)obj, key, v) {
    char sub[PATH_MAX_LEN];
    uint32_t res;
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (!vmp__strmap_get(&r->p->res_index, key, &res))
      return jfail(r, VMP_ENOTFOUND, sub, "unknown resource \"%s\"", key);
    if ((rc = get_number(r, v, sub, min, &vals[res]))) return rc;
    present[res] = 1;
  }
  if (require_all)
    for (uint32_t k = 0; k < r->p->nres; k++)
      if (!present[k])
        return jfail(r, VMP_EPARSE, path, "missing resource \"%s\"",
                     vmp_problem_resource_name(r->p, k));
  return 0;
}

static int read_labels(jr *r, const json_t *obj, const char *path, size_t idx,
                       int is_host) {
  const char *key;
  json_t *v;
  int rc;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object of strings, got %s",
                 json_type_name(obj));
  json_object_foreach((json_t *)obj, key, v) {
    char sub[PATH_MAX_LEN];
    const char *val;
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if ((rc = get_string(r, v, sub, &val))) return rc;
    rc = is_host ? vmp_problem_set_host_label(r->p, idx, key, val)
                 : vmp_problem_set_vm_label(r->p, idx, key, val);
    if (rc) return jwrap(r, rc, sub);
  }
  return 0;
}

static const char *const HOST_KEYS[] = {
    "name", "capacity", "overcommit", "reserved", "cost", "labels", "uri",
    "migration", "maintenance", "safety", "safety_fraction", NULL};

static const char *const MIGRATION_KEYS[] = {"uri", "listen_address", "tunnelled", NULL};

/* A host's "migration": {"uri", "listen_address", "tunnelled"}. */
static int read_migration(jr *r, const json_t *obj, const char *path, size_t h) {
  char sub[PATH_MAX_LEN];
  const char *uri = NULL, *listen = NULL;
  json_t *v;
  int rc, tunnelled = 0;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object, got %s", json_type_name(obj));
  if ((rc = check_keys(r, obj, path, MIGRATION_KEYS))) return rc;
  if ((v = json_object_get(obj, "uri"))) {
    snprintf(sub, sizeof sub, "%s.uri", path);
    if ((rc = get_string(r, v, sub, &uri))) return rc;
  }
  if ((v = json_object_get(obj, "listen_address"))) {
    snprintf(sub, sizeof sub, "%s.listen_address", path);
    if ((rc = get_string(r, v, sub, &listen))) return rc;
  }
  if ((v = json_object_get(obj, "tunnelled"))) {
    snprintf(sub, sizeof sub, "%s.tunnelled", path);
    if ((rc = get_bool(r, v, sub, &tunnelled))) return rc;
  }
  if ((rc = vmp_problem_set_host_migration(r->p, h, uri, listen, tunnelled)))
    return jwrap(r, rc, path);
  return 0;
}

static int read_host(jr *r, const json_t *obj, const char *path) {
  double vals[VMP__MAX_RESOURCES];
  uint8_t present[VMP__MAX_RESOURCES];
  char sub[PATH_MAX_LEN];
  const char *name, *s;
  json_t *v;
  size_t h;
  int rc, b = 0;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object, got %s",
                 json_type_name(obj));
  if ((rc = check_keys(r, obj, path, HOST_KEYS))) return rc;
  if ((rc = get_name(r, obj, path, &name))) return rc;
  snprintf(sub, sizeof sub, "%s.capacity", path);
  if (!(v = json_object_get(obj, "capacity")))
    return jfail(r, VMP_EPARSE, path, "missing \"capacity\"");
  if ((rc = read_per_resource(r, v, sub, 0.0, 1, vals, present))) return rc;
  if ((rc = vmp_problem_add_host(r->p, name, vals, &h)))
    return jwrap(r, rc, path);
  if ((v = json_object_get(obj, "overcommit"))) {
    snprintf(sub, sizeof sub, "%s.overcommit", path);
    if ((rc = read_per_resource(r, v, sub, 0.0, 0, vals, present))) return rc;
    for (uint32_t k = 0; k < r->p->nres; k++) {
      char s2[PATH_MAX_LEN];
      if (!present[k]) continue;
      snprintf(s2, sizeof s2, "%s.%s", sub, vmp_problem_resource_name(r->p, k));
      if ((rc = vmp_problem_set_host_overcommit(r->p, h, k, vals[k])))
        return jwrap(r, rc, s2);
    }
  }
  if ((v = json_object_get(obj, "reserved"))) {
    snprintf(sub, sizeof sub, "%s.reserved", path);
    if ((rc = read_per_resource(r, v, sub, 0.0, 0, vals, present))) return rc;
    for (uint32_t k = 0; k < r->p->nres; k++) {
      char s2[PATH_MAX_LEN];
      if (!present[k]) continue;
      snprintf(s2, sizeof s2, "%s.%s", sub, vmp_problem_resource_name(r->p, k));
      if ((rc = vmp_problem_set_host_reserved(r->p, h, k, vals[k]))) return jwrap(r, rc, s2);
    }
  }
  if ((v = json_object_get(obj, "cost"))) {
    double c;
    snprintf(sub, sizeof sub, "%s.cost", path);
    if ((rc = get_number(r, v, sub, 0.0, &c))) return rc;
    if ((rc = vmp_problem_set_host_cost(r->p, h, c))) return jwrap(r, rc, path);
  }
  if ((v = json_object_get(obj, "labels"))) {
    snprintf(sub, sizeof sub, "%s.labels", path);
    if ((rc = read_labels(r, v, sub, h, 1))) return rc;
  }
  if ((v = json_object_get(obj, "uri"))) {
    snprintf(sub, sizeof sub, "%s.uri", path);
    if ((rc = get_string(r, v, sub, &s))) return rc;
    if ((rc = vmp_problem_set_host_uri(r->p, h, s))) return jwrap(r, rc, sub);
  }
  if ((v = json_object_get(obj, "migration"))) {
    snprintf(sub, sizeof sub, "%s.migration", path);
    if ((rc = read_migration(r, v, sub, h))) return rc;
  }
  if ((v = json_object_get(obj, "maintenance"))) {
    snprintf(sub, sizeof sub, "%s.maintenance", path);
    if ((rc = get_bool(r, v, sub, &b))) return rc;
    vmp_problem_set_host_maintenance(r->p, h, b);
  }
  return vmp__json_read_host_safety(r->p, h, obj, path, r->origin);
}

static int lookup_host(jr *r, const json_t *v, const char *path, size_t *h) {
  const char *name;
  int rc;
  if ((rc = get_string(r, v, path, &name))) return rc;
  if (vmp_problem_find_host(r->p, name, h))
    return jfail(r, VMP_ENOTFOUND, path, "unknown host \"%s\"", name);
  return 0;
}

static const char *const VM_KEYS[] = {
    "name", "demand", "host", "labels", "priority", "migration_cost",
    "allowed_hosts", "pinned", NULL};

static int read_vm(jr *r, const json_t *obj, const char *path) {
  double vals[VMP__MAX_RESOURCES] = {0};
  uint8_t present[VMP__MAX_RESOURCES];
  char sub[PATH_MAX_LEN];
  const char *name;
  json_t *v;
  size_t vm, h;
  int rc, b = 0;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object, got %s",
                 json_type_name(obj));
  if ((rc = check_keys(r, obj, path, VM_KEYS))) return rc;
  if ((rc = get_name(r, obj, path, &name))) return rc;
  if (!(v = json_object_get(obj, "demand")))
    return jfail(r, VMP_EPARSE, path, "missing \"demand\"");
  snprintf(sub, sizeof sub, "%s.demand", path);
  /* A resource missing from a demand is a demand of 0 (a VM with no disk). */
  if ((rc = read_per_resource(r, v, sub, 0.0, 0, vals, present))) return rc;
  if ((rc = vmp_problem_add_vm(r->p, name, vals, &vm))) return jwrap(r, rc, path);
  if ((v = json_object_get(obj, "host")) && !json_is_null(v)) {
    snprintf(sub, sizeof sub, "%s.host", path);
    if ((rc = lookup_host(r, v, sub, &h))) return rc;
    vmp_problem_set_vm_host(r->p, vm, h);
  }
  if ((v = json_object_get(obj, "labels"))) {
    snprintf(sub, sizeof sub, "%s.labels", path);
    if ((rc = read_labels(r, v, sub, vm, 0))) return rc;
  }
  if ((v = json_object_get(obj, "priority"))) {
    snprintf(sub, sizeof sub, "%s.priority", path);
    if (!json_is_integer(v))
      return jfail(r, VMP_EPARSE, sub, "expected an integer, got %s",
                   json_type_name(v));
    if (json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
      return jfail(r, VMP_ERANGE, sub, "expected an integer in 0..1000000, got %lld",
                   (long long)json_integer_value(v));
    vmp_problem_set_vm_priority(r->p, vm, (int32_t)json_integer_value(v));
  }
  if ((v = json_object_get(obj, "migration_cost"))) {
    double c;
    snprintf(sub, sizeof sub, "%s.migration_cost", path);
    if ((rc = get_number(r, v, sub, 0.0, &c))) return rc;
    if ((rc = vmp_problem_set_vm_migration_cost(r->p, vm, c))) return jwrap(r, rc, path);
  }
  if ((v = json_object_get(obj, "allowed_hosts"))) {
    size_t k, n, *hosts;
    json_t *e;
    snprintf(sub, sizeof sub, "%s.allowed_hosts", path);
    if (!json_is_array(v))
      return jfail(r, VMP_EPARSE, sub, "expected an array of host names, got %s",
                   json_type_name(v));
    n = json_array_size(v);
    if (n == 0)
      return jfail(r, VMP_EPARSE, sub,
                   "expected at least one host (omit the key to allow all)");
    hosts = malloc(n * sizeof *hosts);
    if (!hosts) return vmp__enomem();
    json_array_foreach(v, k, e) {
      char s2[PATH_MAX_LEN];
      snprintf(s2, sizeof s2, "%s[%zu]", sub, k);
      if ((rc = lookup_host(r, e, s2, &hosts[k]))) {
        free(hosts);
        return rc;
      }
    }
    rc = vmp_problem_set_vm_allowed_hosts(r->p, vm, hosts, n);
    free(hosts);
    if (rc) return jwrap(r, rc, sub);
  }
  if ((v = json_object_get(obj, "pinned"))) {
    snprintf(sub, sizeof sub, "%s.pinned", path);
    if ((rc = get_bool(r, v, sub, &b))) return rc;
    vmp_problem_set_vm_pinned(r->p, vm, b);
  }
  return 0;
}

static const char *const GROUP_KEYS[] = {"name",  "policy", "hard",
                                         "vms",   "scope",  "weight",
                                         "min_domains", "all_or_nothing",
                                         NULL};

static int read_group(jr *r, const json_t *obj, const char *path) {
  char sub[PATH_MAX_LEN];
  const char *name, *policy_s, *scope = NULL;
  json_t *v, *e;
  size_t n, k, *vms, g;
  int rc, hard = 1, policy;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object, got %s",
                 json_type_name(obj));
  if ((rc = check_keys(r, obj, path, GROUP_KEYS))) return rc;
  if ((rc = get_name(r, obj, path, &name))) return rc;
  snprintf(sub, sizeof sub, "%s.policy", path);
  if (!(v = json_object_get(obj, "policy")))
    return jfail(r, VMP_EPARSE, path, "missing \"policy\"");
  if ((rc = get_string(r, v, sub, &policy_s))) return rc;
  if (!strcmp(policy_s, "affinity"))
    policy = VMP_AFFINITY;
  else if (!strcmp(policy_s, "anti-affinity"))
    policy = VMP_ANTI_AFFINITY;
  else if (!strcmp(policy_s, "spread"))
    policy = VMP_SPREAD;
  else
    return jfail(r, VMP_EPARSE, sub,
                 "expected \"affinity\", \"anti-affinity\" or \"spread\", "
                 "got \"%s\"",
                 policy_s);
  if ((v = json_object_get(obj, "hard"))) {
    snprintf(sub, sizeof sub, "%s.hard", path);
    if ((rc = get_bool(r, v, sub, &hard))) return rc;
  }
  if ((v = json_object_get(obj, "scope"))) {
    snprintf(sub, sizeof sub, "%s.scope", path);
    if ((rc = get_string(r, v, sub, &scope))) return rc;
  }
  snprintf(sub, sizeof sub, "%s.vms", path);
  if (!(v = json_object_get(obj, "vms")))
    return jfail(r, VMP_EPARSE, path, "missing \"vms\"");
  if (!json_is_array(v))
    return jfail(r, VMP_EPARSE, sub, "expected an array of VM names, got %s",
                 json_type_name(v));
  n = json_array_size(v);
  vms = malloc((n ? n : 1) * sizeof *vms);
  if (!vms) return vmp__enomem();
  json_array_foreach(v, k, e) {
    char s2[PATH_MAX_LEN];
    const char *vn;
    snprintf(s2, sizeof s2, "%s[%zu]", sub, k);
    if ((rc = get_string(r, e, s2, &vn))) {
      free(vms);
      return rc;
    }
    if (vmp_problem_find_vm(r->p, vn, &vms[k])) {
      free(vms);
      return jfail(r, VMP_ENOTFOUND, s2, "unknown VM \"%s\"", vn);
    }
  }
  rc = vmp_problem_add_group(r->p, name, policy, hard, scope, vms, n, &g);
  free(vms);
  if (rc) return jwrap(r, rc, path);
  if ((v = json_object_get(obj, "weight"))) {
    double w;
    snprintf(sub, sizeof sub, "%s.weight", path);
    if ((rc = get_number(r, v, sub, 0.0, &w))) return rc;
    if ((rc = vmp_problem_set_group_weight(r->p, g, w))) return jwrap(r, rc, path);
  }
  if ((v = json_object_get(obj, "all_or_nothing"))) {
    int on = 0;
    snprintf(sub, sizeof sub, "%s.all_or_nothing", path);
    if ((rc = get_bool(r, v, sub, &on))) return rc;
    if ((rc = vmp_problem_set_group_all_or_nothing(r->p, g, on))) return jwrap(r, rc, path);
  }
  return vmp__json_read_min_domains(r->p, g, obj, path, r->origin);
}

static const char *const RULE_KEYS[] = {"name", "when", "require", "hard",
                                        "weight", NULL};

static int read_rule(jr *r, const json_t *obj, const char *path) {
  char sub[PATH_MAX_LEN];
  const char *name, *when = NULL, *require;
  json_t *v;
  size_t idx;
  int rc, hard = 1;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, path, "expected an object, got %s",
                 json_type_name(obj));
  if ((rc = check_keys(r, obj, path, RULE_KEYS))) return rc;
  if ((rc = get_name(r, obj, path, &name))) return rc;
  if ((v = json_object_get(obj, "when"))) {
    snprintf(sub, sizeof sub, "%s.when", path);
    if ((rc = get_string(r, v, sub, &when))) return rc;
  }
  snprintf(sub, sizeof sub, "%s.require", path);
  if (!(v = json_object_get(obj, "require")))
    return jfail(r, VMP_EPARSE, path, "missing \"require\"");
  if ((rc = get_string(r, v, sub, &require))) return rc;
  if ((v = json_object_get(obj, "hard"))) {
    snprintf(sub, sizeof sub, "%s.hard", path);
    if ((rc = get_bool(r, v, sub, &hard))) return rc;
  }
  /* add_rule's messages start with "when" or "require". */
  if ((rc = vmp_problem_add_rule(r->p, name, when, require, hard, &idx)))
    return jwrap(r, rc, path);
  if ((v = json_object_get(obj, "weight"))) {
    double w;
    snprintf(sub, sizeof sub, "%s.weight", path);
    if ((rc = get_number(r, v, sub, 0.0, &w))) return rc;
    if ((rc = vmp_problem_set_rule_weight(r->p, idx, w))) return jwrap(r, rc, path);
  }
  return 0;
}

static const char *const OBJECTIVE_KEYS[] = {
    "cost",   "migrations",    "balance",     "soft",      "unplaced",
    "safety", "ratio_balance", "group_moves", "host_moves", NULL};

static int read_objective(jr *r, const json_t *obj) {
  const char *key;
  json_t *v;
  int rc;
  if (!json_is_object(obj))
    return jfail(r, VMP_EPARSE, "objective", "expected an object, got %s",
                 json_type_name(obj));
  if ((rc = check_keys(r, obj, "objective", OBJECTIVE_KEYS))) return rc;
  json_object_foreach((json_t *)obj, key, v) {
    char sub[PATH_MAX_LEN];
    double w;
    snprintf(sub, sizeof sub, "objective.%s", key);
    if ((rc = get_number(r, v, sub, 0.0, &w))) return rc;
    if ((rc = vmp_problem_set_objective(r->p, key, w))) return vmp__error_prefix(rc, "%s", r->origin);
  }
  return 0;
}

typedef int (*item_fn)(jr *, const json_t *, const char *);

static int read_list(jr *r, const json_t *root, const char *key, int required,
                     item_fn fn) {
  json_t *arr, *e;
  size_t k;
  int rc;
  if ((rc = vmp__json_get_array(r->origin, root, key, required, &arr))) return rc;
  json_array_foreach(arr, k, e) {
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s[%zu]", key, k);
    if ((rc = fn(r, e, path))) return rc;
  }
  return 0;
}

static const char *const TOP_KEYS[] = {
    "version",  "kind",          "resources",    "hosts",
    "vms",      "groups",        "rules",        "objective",
    "transient", "safety",       "ratio_balance", "dependencies",
    "host_move_costs", NULL};

static int read_root(jr *r, const json_t *root) {
  json_t *v;
  int rc;
  if (!json_is_object(root))
    return vmp__error(VMP_EPARSE, "%s: expected a JSON object at the top level",
                      r->origin);
  if ((rc = vmp__json_check_kind(r->origin, root, "problem")) ||
      (rc = check_keys(r, root, "(top level)", TOP_KEYS)))
    return rc;
  if (!(v = json_object_get(root, "version")))
    return jfail(r, VMP_EPARSE, "version", "missing (expected 1)");
  if (!json_is_integer(v) || json_integer_value(v) != 1)
    return jfail(r, VMP_EPARSE, "version", "expected 1 (the only format version)");
  if (!(v = json_object_get(root, "resources")))
    return jfail(r, VMP_EPARSE, "resources", "missing (expected an array of names)");
  if ((rc = read_resources(r, v))) return rc;
  if ((rc = read_list(r, root, "hosts", 1, read_host))) return rc;
  if ((rc = read_list(r, root, "vms", 0, read_vm))) return rc;
  if ((rc = read_list(r, root, "groups", 0, read_group))) return rc;
  if ((rc = read_list(r, root, "rules", 0, read_rule))) return rc;
  if ((rc = vmp__json_read_reassign(r->p, root, r->origin))) return rc;
  if ((v = json_object_get(root, "objective")) && (rc = read_objective(r, v)))
    return rc;
  return 0;
}

int vmp__read_json(const char *data, size_t len, const char *origin,
                   vmp_problem **out) {
  json_t *root = NULL;
  jr r;
  int rc;
  *out = NULL;
  if ((rc = vmp__json_load(data, len, origin, &root))) return rc;
  r.origin = origin;
  if ((rc = vmp_problem_new(&r.p))) {
    json_decref(root);
    return rc;
  }
  rc = read_root(&r, root);
  json_decref(root);
  if (rc) {
    vmp_problem_free(r.p);
    return rc;
  }
  *out = r.p;
  return 0;
}
