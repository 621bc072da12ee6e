/*
 * Problem JSON, the rebalancing parts (docs/formats.md, docs/rebalancing.md):
 * "transient", "safety", "ratio_balance", "dependencies" and
 * "host_move_costs" at the top level, "safety" and "safety_fraction" on
 * hosts, "min_domains" on spread groups.  Read after the sections they
 * refer to; written so that reading the output gives the same problem.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reassign.h"
#include "json_util.h"
#include "reassign_impl.h"

#define PATHLEN 512
#define FAIL(code, path, ...) vmp__json_fail(origin, code, path, __VA_ARGS__)

static int wrap(const char *origin, int rc, const char *path) {
  return vmp__error_prefix(rc, "%s: %s", origin, path);
}

static int number(const char *origin, const json_t *v, const char *path,
                  double min, double max, double *out) {
  double d;
  if (!json_is_number(v)) {
    if (max < HUGE_VAL)
      return FAIL(VMP_EPARSE, path, "expected a number in %g..%g, got %s", min,
                  max, vmp__json_type_name(v));
    return FAIL(VMP_EPARSE, path, "expected a number >= %g, got %s", min,
                vmp__json_type_name(v));
  }
  d = json_number_value(v);
  if (!isfinite(d) || d < min || d > max) {
    if (max < HUGE_VAL)
      return FAIL(VMP_ERANGE, path, "expected a number in %g..%g, got %g", min,
                  max, d);
    return FAIL(VMP_ERANGE, path, "expected a number >= %g, got %g", min, d);
  }
  *out = d;
  return 0;
}

static int string(const char *origin, const json_t *v, const char *path,
                  const char **out) {
  if (!json_is_string(v))
    return FAIL(VMP_EPARSE, path, "expected a string, got %s",
                vmp__json_type_name(v));
  if (strlen(json_string_value(v)) != json_string_length(v))
    return FAIL(VMP_EPARSE, path, "string contains a NUL character");
  *out = json_string_value(v);
  return 0;
}

static int resource(const vmp_problem *p, const char *origin,
                    const json_t *v, const char *path, size_t *r) {
  const char *name;
  int rc = string(origin, v, path, &name);
  if (rc) return rc;
  if (vmp_problem_find_resource(p, name, r))
    return FAIL(VMP_ENOTFOUND, path, "unknown resource \"%s\"", name);
  return 0;
}

static int object(const char *origin, const json_t *v, const char *path,
                  const char *what) {
  if (!json_is_object(v))
    return FAIL(VMP_EPARSE, path, "expected %s, got %s", what,
                vmp__json_type_name(v));
  return 0;
}

/* ---- hosts ------------------------------------------------------------------ */

static int host_values(vmp_problem *p, size_t h, const json_t *obj,
                       const char *path, const char *origin, int fraction) {
  const char *key;
  json_t *v;
  int rc;
  if ((rc = object(origin, obj, path, "an object keyed by resource")))
    return rc;
  json_object_foreach((json_t *)obj, key, v) {
    char sub[PATHLEN];
    size_t r;
    double d;
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (vmp_problem_find_resource(p, key, &r))
      return FAIL(VMP_ENOTFOUND, sub, "unknown resource \"%s\"", key);
    if ((rc = number(origin, v, sub, 0.0, fraction ? 1.0 : VMP_MAX_QUANTITY, &d)))
      return rc;
    rc = fraction ? vmp_problem_set_host_safety_fraction(p, h, r, d)
                  : vmp_problem_set_host_safety(p, h, r, d);
    if (rc) return wrap(origin, rc, sub);
  }
  return 0;
}

int vmp__json_read_host_safety(vmp_problem *p, size_t h, const json_t *host,
                               const char *path, const char *origin) {
  char sub[PATHLEN];
  json_t *v;
  int rc;
  if ((v = json_object_get(host, "safety"))) {
    snprintf(sub, sizeof sub, "%s.safety", path);
    if ((rc = host_values(p, h, v, sub, origin, 0))) return rc;
  }
  if ((v = json_object_get(host, "safety_fraction"))) {
    snprintf(sub, sizeof sub, "%s.safety_fraction", path);
    if ((rc = host_values(p, h, v, sub, origin, 1))) return rc;
  }
  return 0;
}

/* ---- groups ------------------------------------------------------------------- */

int vmp__json_read_min_domains(vmp_problem *p, size_t g, const json_t *grp,
                               const char *path, const char *origin) {
  char sub[PATHLEN];
  json_t *v = json_object_get(grp, "min_domains");
  int rc;
  snprintf(sub, sizeof sub, "%s.min_domains", path);
  if (vmp_problem_group_policy(p, g) != VMP_SPREAD) {
    if (v)
      return FAIL(VMP_EPARSE, sub, "only a group with policy \"spread\" has "
                  "a minimum number of domains");
    return 0;
  }
  if (!v)
    return FAIL(VMP_EPARSE, path, "missing \"min_domains\" (a spread group "
                "needs it)");
  if (!json_is_integer(v))
    return FAIL(VMP_EPARSE, sub, "expected an integer, got %s",
                vmp__json_type_name(v));
  if (json_integer_value(v) < 1 ||
      (size_t)json_integer_value(v) > vmp_problem_group_num_vms(p, g))
    return FAIL(VMP_ERANGE, sub, "expected an integer in 1..%zu (the group's "
                "VMs), got %lld", vmp_problem_group_num_vms(p, g),
                (long long)json_integer_value(v));
  if ((rc = vmp_problem_set_group_min_domains(
           p, g, (size_t)json_integer_value(v))))
    return wrap(origin, rc, sub);
  return 0;
}

/* ---- top level ------------------------------------------------------------------ */

static int read_transient(vmp_problem *p, const json_t *arr,
                          const char *origin) {
  size_t k;
  json_t *v;
  if (!json_is_array(arr))
    return FAIL(VMP_EPARSE, "transient", "expected an array of resource "
                "names, got %s", vmp__json_type_name(arr));
  json_array_foreach(arr, k, v) {
    char path[PATHLEN];
    size_t r;
    int rc;
    snprintf(path, sizeof path, "transient[%zu]", k);
    if ((rc = resource(p, origin, v, path, &r))) return rc;
    if (vmp_problem_resource_transient(p, r))
      return FAIL(VMP_EEXIST, path, "resource \"%s\" is listed twice",
                  vmp_problem_resource_name(p, r));
    vmp_problem_set_resource_transient(p, r, 1);
  }
  return 0;
}

static const char *const SAFETY_KEYS[] = {"fraction", "weight", NULL};

static int read_safety(vmp_problem *p, const json_t *obj, const char *origin) {
  const char *key;
  json_t *v, *x;
  int rc;
  if ((rc = object(origin, obj, "safety", "an object keyed by resource")))
    return rc;
  json_object_foreach((json_t *)obj, key, v) {
    char path[PATHLEN], sub[PATHLEN];
    size_t r;
    double d;
    snprintf(path, sizeof path, "safety.%s", key);
    if (vmp_problem_find_resource(p, key, &r))
      return FAIL(VMP_ENOTFOUND, path, "unknown resource \"%s\"", key);
    if ((rc = object(origin, v, path, "an object with \"fraction\" and/or "
                     "\"weight\"")) ||
        (rc = vmp__json_check_keys(origin, v, path, SAFETY_KEYS)))
      return rc;
    if ((x = json_object_get(v, "fraction"))) {
      snprintf(sub, sizeof sub, "%s.fraction", path);
      if ((rc = number(origin, x, sub, 0.0, 1.0, &d))) return rc;
      vmp_problem_set_safety_fraction(p, r, d);
    }
    if ((x = json_object_get(v, "weight"))) {
      snprintf(sub, sizeof sub, "%s.weight", path);
      if ((rc = number(origin, x, sub, 0.0, VMP_MAX_WEIGHT, &d))) return rc;
      if ((rc = vmp_problem_set_safety_weight(p, r, d))) return wrap(origin, rc, sub);
    }
  }
  return 0;
}

static const char *const RATIO_KEYS[] = {"resources", "target", "weight",
                                         NULL};

static int read_ratio(vmp_problem *p, const json_t *obj, const char *path,
                      const char *origin) {
  char sub[PATHLEN];
  size_t r[2];
  double target = 1.0, weight = 1.0;
  json_t *v;
  int rc;
  if ((rc = object(origin, obj, path, "an object")) ||
      (rc = vmp__json_check_keys(origin, obj, path, RATIO_KEYS)))
    return rc;
  snprintf(sub, sizeof sub, "%s.resources", path);
  v = json_object_get(obj, "resources");
  if (!v) return FAIL(VMP_EPARSE, path, "missing \"resources\"");
  if (!json_is_array(v) || json_array_size(v) != 2)
    return FAIL(VMP_EPARSE, sub, "expected an array of two resource names");
  for (size_t k = 0; k < 2; k++) {
    char s2[PATHLEN];
    snprintf(s2, sizeof s2, "%s[%zu]", sub, k);
    if ((rc = resource(p, origin, json_array_get(v, k), s2, &r[k]))) return rc;
  }
  if (r[0] == r[1])
    return FAIL(VMP_EINVAL, sub, "expected two different resources, got "
                "\"%s\" twice", vmp_problem_resource_name(p, r[0]));
  if ((v = json_object_get(obj, "target"))) {
    snprintf(sub, sizeof sub, "%s.target", path);
    if ((rc = number(origin, v, sub, 0.0, VMP_MAX_WEIGHT, &target))) return rc;
  }
  if ((v = json_object_get(obj, "weight"))) {
    snprintf(sub, sizeof sub, "%s.weight", path);
    if ((rc = number(origin, v, sub, 0.0, VMP_MAX_WEIGHT, &weight))) return rc;
  }
  if ((rc = vmp_problem_add_ratio_balance(p, r[0], r[1], target, weight,
                                          NULL)))
    return wrap(origin, rc, path);
  return 0;
}

static const char *const DEP_KEYS[] = {"group", "on", "scope", "hard",
                                       "weight", NULL};

static int group_ref(const vmp_problem *p, const json_t *obj, const char *key,
                     const char *path, const char *origin, size_t *g) {
  char sub[PATHLEN];
  const char *name;
  json_t *v = json_object_get(obj, key);
  int rc;
  snprintf(sub, sizeof sub, "%s.%s", path, key);
  if (!v) return FAIL(VMP_EPARSE, path, "missing \"%s\"", key);
  if ((rc = string(origin, v, sub, &name))) return rc;
  for (size_t k = 0; k < vmp_problem_num_groups(p); k++)
    if (!strcmp(vmp_problem_group_name(p, k), name)) {
      *g = k;
      return 0;
    }
  return FAIL(VMP_ENOTFOUND, sub, "unknown group \"%s\"", name);
}

static int read_dependency(vmp_problem *p, const json_t *obj,
                           const char *path, const char *origin) {
  char sub[PATHLEN];
  const char *scope = NULL;
  size_t a, b, d;
  json_t *v;
  int rc;
  if ((rc = object(origin, obj, path, "an object")) ||
      (rc = vmp__json_check_keys(origin, obj, path, DEP_KEYS)) ||
      (rc = group_ref(p, obj, "group", path, origin, &a)) ||
      (rc = group_ref(p, obj, "on", path, origin, &b)))
    return rc;
  if ((v = json_object_get(obj, "scope"))) {
    snprintf(sub, sizeof sub, "%s.scope", path);
    if ((rc = string(origin, v, sub, &scope))) return rc;
  }
  if ((rc = vmp_problem_add_dependency(p, a, b, scope, &d)))
    return wrap(origin, rc, path);
  if ((v = json_object_get(obj, "hard"))) {
    snprintf(sub, sizeof sub, "%s.hard", path);
    if (!json_is_boolean(v))
      return FAIL(VMP_EPARSE, sub, "expected true or false, got %s",
                  vmp__json_type_name(v));
    vmp_problem_set_dependency_hard(p, d, json_is_true(v));
  }
  if ((v = json_object_get(obj, "weight"))) {
    double w;
    snprintf(sub, sizeof sub, "%s.weight", path);
    if ((rc = number(origin, v, sub, 0.0, VMP_MAX_WEIGHT, &w))) return rc;
    if ((rc = vmp_problem_set_dependency_weight(p, d, w))) return wrap(origin, rc, sub);
  }
  return 0;
}

typedef int (*item_fn)(vmp_problem *, const json_t *, const char *,
                       const char *);

static int read_array(vmp_problem *p, const json_t *arr, const char *key,
                      const char *origin, item_fn fn) {
  size_t k;
  json_t *v;
  int rc;
  if (!json_is_array(arr))
    return FAIL(VMP_EPARSE, key, "expected an array, got %s",
                vmp__json_type_name(arr));
  json_array_foreach(arr, k, v) {
    char path[PATHLEN];
    snprintf(path, sizeof path, "%s[%zu]", key, k);
    if ((rc = fn(p, v, path, origin))) return rc;
  }
  return 0;
}

/* A square matrix of numbers >= 0, n x n, into out (caller frees). */
static int read_matrix(const json_t *arr, size_t n, const char *path,
                       const char *origin, double **out) {
  double *m;
  int rc;
  *out = NULL;
  if (!json_is_array(arr) || json_array_size(arr) != n)
    return FAIL(VMP_EPARSE, path, "expected an array of %zu rows", n);
  m = malloc(vmp__mul(n * n + 1, sizeof *m));
  if (!m) return vmp__enomem();
  for (size_t i = 0; i < n; i++) {
    const json_t *row = json_array_get(arr, i);
    char sub[PATHLEN];
    snprintf(sub, sizeof sub, "%s[%zu]", path, i);
    if (!json_is_array(row) || json_array_size(row) != n) {
      free(m);
      return FAIL(VMP_EPARSE, sub, "expected an array of %zu numbers", n);
    }
    for (size_t j = 0; j < n; j++) {
      char s2[PATHLEN];
      snprintf(s2, sizeof s2, "%s[%zu]", sub, j);
      if ((rc = number(origin, json_array_get(row, j), s2, 0.0, VMP_MAX_WEIGHT,
                       &m[i * n + j]))) {
        free(m);
        return rc;
      }
    }
  }
  *out = m;
  return 0;
}

static int has_value(const vmp_problem *p, const char *label,
                     const char *value) {
  for (size_t h = 0; h < vmp_problem_num_hosts(p); h++) {
    const char *v = vmp_problem_host_label(p, h, label);
    if (v && !strcmp(v, value)) return 1;
  }
  return 0;
}

static int hmc_by_label(vmp_problem *p, const json_t *obj,
                        const char *origin) {
  const char *label, *ka, *kb, **from = NULL, **to = NULL;
  json_t *costs = json_object_get(obj, "costs"), *dv, *ra, *cv;
  double def = 0.0, *c = NULL;
  size_t n = 0, cap = 0;
  int rc;
  if ((rc = string(origin, json_object_get(obj, "label"),
                   "host_move_costs.label", &label)))
    return rc;
  if ((dv = json_object_get(obj, "default")) &&
      (rc = number(origin, dv, "host_move_costs.default", 0.0, VMP_MAX_WEIGHT,
                   &def)))
    return rc;
  if (costs && (rc = object(origin, costs, "host_move_costs.costs",
                            "an object of objects")))
    return rc;
  if (costs) json_object_foreach(costs, ka, ra) {
    char path[PATHLEN];
    snprintf(path, sizeof path, "host_move_costs.costs.%s", ka);
    if (!has_value(p, label, ka)) {
      rc = FAIL(VMP_ENOTFOUND, path, "no host has %s \"%s\"", label, ka);
      goto done;
    }
    if ((rc = object(origin, ra, path, "an object of numbers"))) goto done;
    json_object_foreach(ra, kb, cv) {
      char sub[PATHLEN];
      snprintf(sub, sizeof sub, "%s.%s", path, kb);
      if (!has_value(p, label, kb)) {
        rc = FAIL(VMP_ENOTFOUND, sub, "no host has %s \"%s\"", label, kb);
        goto done;
      }
      if (vmp__grow(&from, &cap, n + 1, sizeof *from) ||
          !(to = realloc(to, cap * sizeof *to)) ||
          !(c = realloc(c, cap * sizeof *c))) {
        rc = vmp__enomem();
        goto done;
      }
      from[n] = ka;
      to[n] = kb;
      if ((rc = number(origin, cv, sub, 0.0, VMP_MAX_WEIGHT, &c[n]))) goto done;
      n++;
    }
  }
  if (vmp_problem_num_hosts(p) &&
      (rc = vmp_problem_set_host_move_costs_by_label(p, label, n, from, to, c,
                                                     def)))
    rc = wrap(origin, rc, "host_move_costs");
done:
  free(from);
  free(to);
  free(c);
  return rc;
}

static int hmc_by_classes(vmp_problem *p, const json_t *obj,
                          const char *origin) {
  json_t *classes = json_object_get(obj, "classes");
  json_t *matrix = json_object_get(obj, "matrix");
  size_t nh = vmp_problem_num_hosts(p), *cls = NULL, nc = 0;
  double *m = NULL;
  int rc = 0;
  if (!matrix)
    return FAIL(VMP_EPARSE, "host_move_costs", "missing \"matrix\" (or "
                "\"label\")");
  if (!classes) {
    if ((rc = read_matrix(matrix, nh, "host_move_costs.matrix", origin, &m)))
      return rc;
    if (nh && (rc = vmp_problem_set_host_move_matrix(p, m)))
      rc = wrap(origin, rc, "host_move_costs.matrix");
    free(m);
    return rc;
  }
  if (!json_is_array(classes) || json_array_size(classes) != nh)
    return FAIL(VMP_EPARSE, "host_move_costs.classes",
                "expected an array of %zu class indices (one per host)", nh);
  cls = malloc((nh + 1) * sizeof *cls);
  if (!cls) return vmp__enomem();
  for (size_t h = 0; h < nh; h++) {
    const json_t *v = json_array_get(classes, h);
    char path[PATHLEN];
    snprintf(path, sizeof path, "host_move_costs.classes[%zu]", h);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) >= (json_int_t)nh) {
      rc = FAIL(VMP_ERANGE, path, "expected a class index in 0..%zu",
                nh ? nh - 1 : 0);
      goto done;
    }
    cls[h] = (size_t)json_integer_value(v);
    if (cls[h] + 1 > nc) nc = cls[h] + 1;
  }
  if ((rc = read_matrix(matrix, nc, "host_move_costs.matrix", origin, &m)))
    goto done;
  if (nh && (rc = vmp_problem_set_host_move_costs(p, cls, nc, m)))
    rc = wrap(origin, rc, "host_move_costs");
done:
  free(cls);
  free(m);
  return rc;
}

static const char *const HMC_KEYS[] = {"label", "costs", "default", "classes",
                                       "matrix", NULL};

static int read_hmc(vmp_problem *p, const json_t *obj, const char *origin) {
  int rc;
  if ((rc = object(origin, obj, "host_move_costs", "an object")) ||
      (rc = vmp__json_check_keys(origin, obj, "host_move_costs", HMC_KEYS)))
    return rc;
  if (json_object_get(obj, "label")) {
    if (json_object_get(obj, "classes") || json_object_get(obj, "matrix"))
      return FAIL(VMP_EPARSE, "host_move_costs", "give either \"label\" "
                  "(with \"costs\" and \"default\") or \"matrix\" (with "
                  "\"classes\"), not both");
    return hmc_by_label(p, obj, origin);
  }
  if (json_object_get(obj, "costs") || json_object_get(obj, "default"))
    return FAIL(VMP_EPARSE, "host_move_costs", "\"costs\" and \"default\" "
                "need \"label\"");
  return hmc_by_classes(p, obj, origin);
}

int vmp__json_read_reassign(vmp_problem *p, const json_t *root,
                            const char *origin) {
  json_t *v;
  int rc;
  if ((v = json_object_get(root, "transient")) &&
      (rc = read_transient(p, v, origin)))
    return rc;
  if ((v = json_object_get(root, "safety")) && (rc = read_safety(p, v, origin)))
    return rc;
  if ((v = json_object_get(root, "ratio_balance")) &&
      (rc = read_array(p, v, "ratio_balance", origin, read_ratio)))
    return rc;
  if ((v = json_object_get(root, "dependencies")) &&
      (rc = read_array(p, v, "dependencies", origin, read_dependency)))
    return rc;
  if ((v = json_object_get(root, "host_move_costs")) &&
      (rc = read_hmc(p, v, origin)))
    return rc;
  return 0;
}

/* ---- writing ------------------------------------------------------------------------ */

int vmp__json_write_host_safety(const vmp_problem *p, size_t h, json_t *o) {
  json_t *abs = NULL, *frac = NULL;
  int bad = 0;
  for (uint32_t r = 0; r < p->nres; r++) {
    const char *rn = vmp_problem_resource_name(p, r);
    double a = p->host_safety[h * p->nres + r];
    double f = p->host_safety_frac[h * p->nres + r];
    if (a >= 0.0) {
      if (!abs) abs = json_object();
      bad |= !abs || vmp__json_add(abs, rn, vmp__json_num(a));
    }
    if (f >= 0.0) {
      if (!frac) frac = json_object();
      bad |= !frac || vmp__json_add(frac, rn, vmp__json_num(f));
    }
  }
  if (abs) bad |= vmp__json_add(o, "safety", abs);
  if (frac) bad |= vmp__json_add(o, "safety_fraction", frac);
  return bad ? -1 : 0;
}

static json_t *safety_json(const vmp_problem *p) {
  json_t *o = json_object();
  int bad = !o, any = 0;
  for (uint32_t r = 0; !bad && r < p->nres; r++) {
    json_t *e;
    if (p->res_safety_frac[r] < 0.0 && p->res_safety_weight[r] == 1.0)
      continue;
    e = json_object();
    bad |= !e;
    if (e && p->res_safety_frac[r] >= 0.0)
      bad |= vmp__json_add(e, "fraction", vmp__json_num(p->res_safety_frac[r]));
    if (e && p->res_safety_weight[r] != 1.0)
      bad |= vmp__json_add(e, "weight", vmp__json_num(p->res_safety_weight[r]));
    bad |= vmp__json_add(o, vmp_problem_resource_name(p, r), e);
    any = 1;
  }
  if (bad || !any) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static double class_cost(const vmp_problem *p, uint32_t a, uint32_t b) {
  uint32_t ca = p->hmc_class[a], cb = p->hmc_class[b];
  if (ca == VMP__NO_CLASS || cb == VMP__NO_CLASS) return 0.0;
  return p->hmc[(size_t)ca * p->hmc_n + cb];
}

/* The label form when the costs were given by label and still follow it:
 * hosts with one label value share a class, and moves to or from a host
 * without the label cost the default.  NULL otherwise (or out of
 * memory: the caller then writes the class form). */
static json_t *hmc_label_json(const vmp_problem *p) {
  uint32_t *rep, none = VMP__NO_HOST, key = p->hmc_label;
  json_t *o = NULL, *costs = NULL;
  int ok = 1, bad = 0;
  if (!key) return NULL;
  rep = malloc((p->pool.nstrs + 1) * sizeof *rep);
  if (!rep) return NULL;
  memset(rep, 0xff, (p->pool.nstrs + 1) * sizeof *rep);
  for (uint32_t h = 0; ok && h < p->nhosts; h++) {
    uint32_t v = vmp__labels_get(&p->host_labels[h], key);
    if (!v) {
      for (uint32_t k = 0; ok && k < p->nhosts; k++)
        ok = class_cost(p, h, k) == p->hmc_default &&
             class_cost(p, k, h) == p->hmc_default;
      none = h;
    } else if (rep[v] == VMP__NO_HOST) {
      rep[v] = h;
    } else {
      ok = p->hmc_class[h] == p->hmc_class[rep[v]];
    }
  }
  (void)none;
  if (ok) {
    o = json_object();
    costs = json_object();
    bad = !o || !costs;
    for (uint32_t a = 0; !bad && a < p->nhosts; a++) {
      uint32_t va = vmp__labels_get(&p->host_labels[a], key);
      json_t *row = NULL;
      if (!va || rep[va] != a) continue;
      for (uint32_t b = 0; !bad && b < p->nhosts; b++) {
        uint32_t vb = vmp__labels_get(&p->host_labels[b], key);
        double c;
        if (!vb || rep[vb] != b) continue;
        c = class_cost(p, a, b);
        if (c == p->hmc_default) continue;
        if (!row && !(row = json_object())) bad = 1;
        if (row) bad |= vmp__json_add(row, vmp__pool_str(&p->pool, vb),
                                      vmp__json_num(c));
      }
      if (row) bad |= vmp__json_add(costs, vmp__pool_str(&p->pool, va), row);
    }
    bad |= vmp__json_add(o, "label", json_string(vmp__pool_str(&p->pool, key)));
    bad |= vmp__json_add(o, "costs", costs);
    costs = NULL;
    bad |= vmp__json_add(o, "default", vmp__json_num(p->hmc_default));
  }
  free(rep);
  if (bad) {
    json_decref(o);
    json_decref(costs);
    return NULL;
  }
  return o;
}

static json_t *hmc_json(const vmp_problem *p) {
  json_t *o = json_object(), *cls = json_array(), *m = json_array();
  uint32_t none = p->hmc_n;   /* hosts without a class get an extra one */
  int bad = !o || !cls || !m, extra = 0;
  for (size_t h = 0; !bad && h < p->nhosts; h++) {
    uint32_t c = p->hmc_class[h];
    if (c == VMP__NO_CLASS) {
      c = none;
      extra = 1;
    }
    bad |= json_array_append_new(cls, json_integer(c));
  }
  for (uint32_t i = 0; !bad && i < p->hmc_n + (uint32_t)extra; i++) {
    json_t *row = json_array();
    bad |= !row;
    for (uint32_t j = 0; row && !bad && j < p->hmc_n + (uint32_t)extra; j++)
      bad |= json_array_append_new(
          row, vmp__json_num(i < p->hmc_n && j < p->hmc_n
                                 ? p->hmc[(size_t)i * p->hmc_n + j]
                                 : 0.0));
    bad |= json_array_append_new(m, row);
  }
  bad |= vmp__json_add(o, "classes", cls);
  bad |= vmp__json_add(o, "matrix", m);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int vmp__json_write_reassign(const vmp_problem *p, json_t *root) {
  json_t *a, *s;
  int bad = 0;
  if (p->res_transient) {
    a = json_array();
    bad |= !a;
    for (uint32_t r = 0; a && r < p->nres; r++)
      if ((p->res_transient >> r) & 1u)
        bad |= json_array_append_new(
            a, json_string(vmp_problem_resource_name(p, r)));
    bad |= vmp__json_add(root, "transient", a);
  }
  if ((s = safety_json(p))) bad |= vmp__json_add(root, "safety", s);
  if (p->nratios) {
    a = json_array();
    bad |= !a;
    for (size_t k = 0; a && !bad && k < p->nratios; k++) {
      const vmp__ratio_term *q = &p->ratios[k];
      json_t *o = json_object(), *rs = json_array();
      bad |= !o || !rs;
      if (rs) {
        bad |= json_array_append_new(
            rs, json_string(vmp_problem_resource_name(p, q->r1)));
        bad |= json_array_append_new(
            rs, json_string(vmp_problem_resource_name(p, q->r2)));
      }
      bad |= vmp__json_add(o, "resources", rs);
      bad |= vmp__json_add(o, "target", vmp__json_num(q->target));
      bad |= vmp__json_add(o, "weight", vmp__json_num(q->weight));
      bad |= json_array_append_new(a, o);
    }
    bad |= vmp__json_add(root, "ratio_balance", a);
  }
  if (p->ndeps) {
    a = json_array();
    bad |= !a;
    for (size_t d = 0; a && !bad && d < p->ndeps; d++) {
      const vmp__dep *dp = &p->deps[d];
      json_t *o = json_object();
      bad |= !o;
      bad |= vmp__json_add(o, "group",
                           json_string(vmp_problem_group_name(p, dp->group)));
      bad |= vmp__json_add(o, "on",
                           json_string(vmp_problem_group_name(p, dp->on)));
      bad |= vmp__json_add(
          o, "scope",
          json_string(dp->scope ? vmp__pool_str(&p->pool, dp->scope) : "host"));
      bad |= vmp__json_add(o, "hard", json_boolean(dp->hard));
      if (dp->weight != 1.0)
        bad |= vmp__json_add(o, "weight", vmp__json_num(dp->weight));
      bad |= json_array_append_new(a, o);
    }
    bad |= vmp__json_add(root, "dependencies", a);
  }
  if (p->hmc_n && p->nhosts) {
    json_t *o = hmc_label_json(p);
    bad |= vmp__json_add(root, "host_move_costs", o ? o : hmc_json(p));
  }
  return bad ? -1 : 0;
}

int vmp__json_write_objective_reassign(const vmp_problem *p, json_t *obj) {
  /* Only weights that differ from their defaults, so that problems that do
   * not use rebalancing are written as before. */
  int bad = 0;
  if (p->w.safety != 1.0)
    bad |= vmp__json_add(obj, "safety", vmp__json_num(p->w.safety));
  if (p->w.ratio != 1.0)
    bad |= vmp__json_add(obj, "ratio_balance", vmp__json_num(p->w.ratio));
  if (p->w.group_moves != 0.0)
    bad |= vmp__json_add(obj, "group_moves", vmp__json_num(p->w.group_moves));
  if (p->w.host_moves != 1.0)
    bad |= vmp__json_add(obj, "host_moves", vmp__json_num(p->w.host_moves));
  return bad ? -1 : 0;
}
