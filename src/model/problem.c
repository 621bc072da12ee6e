/*
 * Building and reading a vmp_problem.  Every setter validates its input so
 * that a problem is well formed at all times; readers (json_read.c, ...)
 * prefix the setters' messages with the file and field.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem_impl.h"
#include "reassign_impl.h"
#include "rule.h"

#define PRIORITY_MAX 1000000

/* ---- helpers ------------------------------------------------------------------ */

int vmp__hostlist_has(const vmp__hostlist *l, uint32_t h) {
  uint32_t lo = 0, hi = l->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (l->h[mid] == h) return 1;
    if (l->h[mid] < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

int vmp__check_name(const char *name, const char *what) {
  size_t n;
  if (!name) return vmp__error(VMP_EINVAL, "%s name is missing", what);
  n = strlen(name);
  if (n == 0) return vmp__error(VMP_EINVAL, "%s name is empty", what);
  if (n > VMP__MAX_NAME)
    return vmp__error(VMP_EINVAL, "%s name is longer than %d bytes", what,
                      VMP__MAX_NAME);
  for (size_t k = 0; k < n; k++)
    if ((unsigned char)name[k] < 0x20 || name[k] == 0x7f)
      return vmp__error(VMP_EINVAL,
                        "%s name contains a control character at byte %zu",
                        what, k);
  return 0;
}

static int check_resource_name(const char *name) {
  int rc = vmp__check_name(name, "resource");
  if (rc) return rc;
  if (!(isalpha((unsigned char)name[0]) || name[0] == '_'))
    return vmp__error(VMP_EINVAL,
                      "resource name \"%s\" must start with a letter or '_'",
                      name);
  for (const char *c = name; *c; c++)
    if (!(isalnum((unsigned char)*c) || *c == '_'))
      return vmp__error(VMP_EINVAL,
                        "resource name \"%s\" may only hold letters, digits "
                        "and '_'",
                        name);
  return 0;
}

/* The accepted range of every number (docs/formats.md, "Numbers"): with
 * them every objective the model can express is finite -- the automatic
 * unplaced weight, the balance of an overfull host in `check` --, and
 * GLPK sees no coefficient it cannot scale. */
static int check_range(double v, double min, double max, const char *max_text,
                       const char *what) {
  char b1[32], b2[32];
  if (!isfinite(v)) return vmp__error(VMP_ERANGE, "%s: expected a finite number", what);
  if (v < min)
    return vmp__error(VMP_ERANGE, "%s: expected a number >= %s, got %s", what,
                      vmp__fmt_num(b1, min), vmp__fmt_num(b2, v));
  if (v > max)
    return vmp__error(VMP_ERANGE, "%s: expected a number <= %s, got %s", what, max_text,
                      vmp__fmt_num(b2, v));
  return 0;
}

/* A capacity, reserved amount, demand or migration cost. */
static int check_quantity(double v, const char *what) {
  return check_range(v, 0.0, VMP_MAX_QUANTITY, "1e15", what);
}

/* A capacity: 0, or at least VMP_MIN_CAPACITY, so that a load divided by
 * an effective capacity (balance) stays finite. */
static int check_capacity(double v, const char *what) {
  int rc = check_quantity(v, what);
  if (!rc && v > 0.0 && v < VMP_MIN_CAPACITY) {
    char b2[32];
    return vmp__error(VMP_ERANGE, "%s: expected 0 or a number >= 1e-6, got %s", what,
                      vmp__fmt_num(b2, v));
  }
  return rc;
}

/* A host cost or a weight. */
static int check_weight(double v, const char *what) {
  return check_range(v, 0.0, VMP_MAX_WEIGHT, "1e9", what);
}

static int labels_set(vmp_problem *p, vmp__labels *l, const char *key,
                      const char *value) {
  uint32_t kid, vid;
  int rc;
  if (!key || !key[0]) return vmp__error(VMP_EINVAL, "label key is empty");
  if ((rc = vmp__check_name(key, "label key"))) return rc;
  if (!value) {
    kid = vmp__pool_find(&p->pool, key);
    for (uint32_t k = 0; kid && k < l->n; k++)
      if (l->v[k].key == kid) {
        memmove(l->v + k, l->v + k + 1, (l->n - k - 1) * sizeof *l->v);
        l->n--;
        break;
      }
    return 0;
  }
  if (strlen(value) > VMP__MAX_NAME)
    return vmp__error(VMP_EINVAL, "label value longer than %d bytes",
                      VMP__MAX_NAME);
  if ((rc = vmp__pool_intern(&p->pool, key, &kid))) return rc;
  /* An empty value is a value: intern it as a distinct marker is not
   * possible (id 0 means absent), so keep "" as a one-byte string id. */
  if (!value[0]) {
    if ((rc = vmp__pool_intern(&p->pool, "\x01", &vid))) return rc;
  } else if ((rc = vmp__pool_intern(&p->pool, value, &vid))) {
    return rc;
  }
  for (uint32_t k = 0; k < l->n; k++)
    if (l->v[k].key == kid) {
      l->v[k].value = vid;
      return 0;
    }
  if (l->n == l->cap) {
    uint32_t ncap = l->cap ? l->cap * 2 : 2;
    vmp__label *q = realloc(l->v, ncap * sizeof *q);
    if (!q) return vmp__enomem();
    l->v = q;
    l->cap = ncap;
  }
  l->v[l->n].key = kid;
  l->v[l->n].value = vid;
  l->n++;
  return 0;
}

/* Label values are interned with "" stored as "\x01" (see labels_set). */
static const char *label_value_str(const vmp_problem *p, uint32_t vid) {
  const char *s = vmp__pool_str(&p->pool, vid);
  return (s[0] == '\x01' && !s[1]) ? "" : s;
}

static int label_at(const vmp_problem *p, const vmp__labels *l, size_t k,
                    const char **key, const char **value) {
  if (k >= l->n) return vmp__error(VMP_EINVAL, "label index out of range");
  if (key) *key = vmp__pool_str(&p->pool, l->v[k].key);
  if (value) *value = label_value_str(p, l->v[k].value);
  return 0;
}

static const char *label_get(const vmp_problem *p, const vmp__labels *l,
                             const char *key) {
  uint32_t kid, vid;
  if (!key) return NULL;
  kid = vmp__pool_find(&p->pool, key);
  if (!kid) return NULL;
  vid = vmp__labels_get(l, kid);
  return vid ? label_value_str(p, vid) : NULL;
}

/* ---- life cycle ----------------------------------------------------------------- */

static void weights_default(vmp__weights *w) {
  w->cost = 1.0;
  w->migrations = 0.0;
  w->balance = 0.0;
  w->soft = 1.0;
  w->unplaced = -1.0;
  w->safety = 1.0;
  w->ratio = 1.0;
  w->group_moves = 0.0;
  w->host_moves = 1.0;
}

int vmp_problem_new(vmp_problem **out) {
  vmp_problem *p;
  if (!out) return vmp__error(VMP_EINVAL, "vmp_problem_new: out is NULL");
  *out = NULL;
  p = calloc(1, sizeof *p);
  if (!p) return vmp__enomem();
  if (vmp__pool_init(&p->pool)) {
    free(p);
    return vmp__enomem();
  }
  weights_default(&p->w);
  for (int r = 0; r < VMP__MAX_RESOURCES; r++) {
    p->res_safety_frac[r] = -1.0;
    p->res_safety_weight[r] = 1.0;
  }
  *out = p;
  return 0;
}

void vmp_problem_free(vmp_problem *p) {
  if (!p) return;
  for (size_t h = 0; h < p->nhosts; h++) free(p->host_labels[h].v);
  for (size_t v = 0; v < p->nvms; v++) {
    free(p->vm_labels[v].v);
    free(p->vm_allowed[v].h);
  }
  VMP__FREE_ALL(p->host_name, p->host_capacity, p->host_overcommit, p->host_reserved, p->host_cost,
                p->host_uri, p->host_migration, p->host_maintenance, p->host_labels, p->host_safety,
                p->host_safety_frac, p->hmc_class, p->hmc, p->ratios, p->deps, p->vm_name,
                p->vm_demand, p->vm_host, p->vm_priority, p->vm_migration_cost, p->vm_pinned,
                p->vm_labels, p->vm_allowed);
  for (size_t g = 0; g < p->ngroups; g++) free(p->groups[g].vms);
  free(p->groups);
  for (size_t r = 0; r < p->nrules; r++) {
    free(p->rules[r].when_text);
    free(p->rules[r].require_text);
    vmp__expr_free(p->rules[r].when);
    vmp__expr_free(p->rules[r].require);
  }
  free(p->rules);
  vmp__strmap_free(&p->res_index);
  vmp__strmap_free(&p->host_index);
  vmp__strmap_free(&p->vm_index);
  vmp__strmap_free(&p->group_index);
  vmp__strmap_free(&p->rule_index);
  vmp__pool_free(&p->pool);
  free(p);
}

/* ---- resources ---------------------------------------------------------------------- */

int vmp_problem_add_resource(vmp_problem *p, const char *name, size_t *index) {
  uint32_t id;
  int rc;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = check_resource_name(name))) return rc;
  if (p->nhosts || p->nvms)
    return vmp__error(VMP_ESTATE,
                      "resource \"%s\": resources must be declared before "
                      "hosts and VMs",
                      name);
  if (vmp__strmap_get(&p->res_index, name, NULL))
    return vmp__error(VMP_EEXIST, "resource \"%s\" is declared twice", name);
  if (p->nres >= VMP__MAX_RESOURCES)
    return vmp__error(VMP_ERANGE, "at most %d resources are supported",
                      VMP__MAX_RESOURCES);
  if ((rc = vmp__pool_intern(&p->pool, name, &id))) return rc;
  if ((rc = vmp__strmap_put(&p->res_index, vmp__pool_str(&p->pool, id),
                            p->nres)))
    return rc;
  p->res_name[p->nres] = id;
  if (index) *index = p->nres;
  p->nres++;
  return 0;
}

size_t vmp_problem_num_resources(const vmp_problem *p) { return p ? p->nres : 0; }

const char *vmp_problem_resource_name(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nres) return NULL;
  return vmp__pool_str(&p->pool, p->res_name[r]);
}

int vmp_problem_find_resource(const vmp_problem *p, const char *name,
                              size_t *index) {
  uint32_t r;
  if (!p || !name) return vmp__error(VMP_EINVAL, "problem or name is NULL");
  if (!vmp__strmap_get(&p->res_index, name, &r))
    return vmp__error(VMP_ENOTFOUND, "unknown resource \"%s\"", name);
  if (index) *index = r;
  return 0;
}

/* ---- hosts ---------------------------------------------------------------------------- */

static int hosts_reserve(vmp_problem *p, size_t need) {
  size_t cap = p->hosts_cap, n = p->nres ? p->nres : 1;
  if (need <= cap) return 0;
  cap = cap ? cap * 2 : 16;
  while (cap < need) cap *= 2;
#define GROW(field, count)                                                \
  do {                                                                    \
    void *q_ = realloc(p->field, vmp__mul(cap * (count), sizeof *p->field)); \
    if (!q_) return vmp__enomem();                                        \
    p->field = q_;                                                        \
  } while (0)
  GROW(host_name, 1);
  GROW(host_capacity, n);
  GROW(host_overcommit, n);
  GROW(host_reserved, n);
  GROW(host_cost, 1);
  GROW(host_uri, 1);
  GROW(host_migration, 1);
  GROW(host_maintenance, 1);
  GROW(host_labels, 1);
  GROW(host_safety, n);
  GROW(host_safety_frac, n);
  GROW(hmc_class, 1);
  p->hosts_cap = cap;
  return 0;
}

static int check_host(const vmp_problem *p, size_t h) {
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if (h >= p->nhosts)
    return vmp__error(VMP_EINVAL, "host index %zu out of range (%zu hosts)", h,
                      p->nhosts);
  return 0;
}

static int check_res(const vmp_problem *p, size_t r) {
  if (r >= p->nres)
    return vmp__error(VMP_EINVAL,
                      "resource index %zu out of range (%u resources)", r,
                      (unsigned)p->nres);
  return 0;
}

int vmp_problem_add_host(vmp_problem *p, const char *name,
                         const double *capacity, size_t *index) {
  uint32_t id;
  size_t h;
  int rc;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__check_name(name, "host"))) return rc;
  if (vmp__strmap_get(&p->host_index, name, NULL))
    return vmp__error(VMP_EEXIST, "duplicate host name \"%s\"", name);
  if (p->nhosts >= UINT32_MAX - 1)
    return vmp__error(VMP_ERANGE, "too many hosts");
  for (uint32_t r = 0; capacity && r < p->nres; r++) {
    char what[300];
    snprintf(what, sizeof what, "capacity.%s",
             vmp__pool_str(&p->pool, p->res_name[r]));
    if ((rc = check_capacity(capacity[r], what))) return rc;
  }
  if ((rc = hosts_reserve(p, p->nhosts + 1))) return rc;
  if ((rc = vmp__pool_intern(&p->pool, name, &id))) return rc;
  h = p->nhosts;
  if ((rc = vmp__strmap_put(&p->host_index, vmp__pool_str(&p->pool, id),
                            (uint32_t)h)))
    return rc;
  p->host_name[h] = id;
  for (uint32_t r = 0; r < p->nres; r++) {
    p->host_capacity[h * p->nres + r] = capacity ? capacity[r] : 0.0;
    p->host_overcommit[h * p->nres + r] = 1.0;
    p->host_reserved[h * p->nres + r] = 0.0;
  }
  p->host_cost[h] = 1.0;
  p->host_uri[h] = 0;
  memset(&p->host_migration[h], 0, sizeof p->host_migration[h]);
  p->host_maintenance[h] = 0;
  for (uint32_t r = 0; r < p->nres; r++) {
    p->host_safety[h * p->nres + r] = -1.0;
    p->host_safety_frac[h * p->nres + r] = -1.0;
  }
  p->hmc_class[h] = VMP__NO_CLASS;
  memset(&p->host_labels[h], 0, sizeof p->host_labels[h]);
  p->nhosts++;
  if (index) *index = h;
  return 0;
}

int vmp_problem_set_host_capacity(vmp_problem *p, size_t h, size_t r,
                                  double value) {
  int rc;
  if ((rc = check_host(p, h)) || (rc = check_res(p, r))) return rc;
  if ((rc = check_capacity(value, "capacity"))) return rc;
  p->host_capacity[h * p->nres + r] = value;
  return 0;
}

int vmp_problem_set_host_overcommit(vmp_problem *p, size_t h, size_t r,
                                    double ratio) {
  int rc;
  if ((rc = check_host(p, h)) || (rc = check_res(p, r))) return rc;
  if ((rc = check_range(ratio, VMP_MIN_OVERCOMMIT, VMP_MAX_OVERCOMMIT, "1000", "overcommit")))
    return rc;
  p->host_overcommit[h * p->nres + r] = ratio;
  return 0;
}

int vmp_problem_set_host_reserved(vmp_problem *p, size_t h, size_t r,
                                  double value) {
  int rc;
  if ((rc = check_host(p, h)) || (rc = check_res(p, r))) return rc;
  if ((rc = check_quantity(value, "reserved"))) return rc;
  p->host_reserved[h * p->nres + r] = value;
  return 0;
}

int vmp_problem_set_host_cost(vmp_problem *p, size_t h, double cost) {
  int rc;
  if ((rc = check_host(p, h))) return rc;
  if ((rc = check_weight(cost, "cost"))) return rc;
  p->host_cost[h] = cost;
  return 0;
}

int vmp_problem_set_host_label(vmp_problem *p, size_t h, const char *key,
                               const char *value) {
  int rc;
  if ((rc = check_host(p, h))) return rc;
  return labels_set(p, &p->host_labels[h], key, value);
}

int vmp_problem_set_host_uri(vmp_problem *p, size_t h, const char *uri) {
  uint32_t id = 0;
  int rc;
  if ((rc = check_host(p, h))) return rc;
  if (uri && (rc = vmp__check_name(uri, "uri"))) return rc;
  if (uri && (rc = vmp__pool_intern(&p->pool, uri, &id))) return rc;
  p->host_uri[h] = id;
  return 0;
}

int vmp_problem_set_host_migration(vmp_problem *p, size_t h, const char *uri,
                                   const char *listen_address, int tunnelled) {
  vmp__migration m = {0, 0, 0};
  int rc;
  if ((rc = check_host(p, h))) return rc;
  if ((uri && !uri[0]) || (listen_address && !listen_address[0]))
    return vmp__error(VMP_EINVAL, "migration: uri and listen_address must not be empty");
  if (tunnelled && (uri || listen_address))
    return vmp__error(VMP_EINVAL, "migration: a tunnelled migration travels through libvirtd's "
                                  "connection; it takes no uri or listen_address");
  if (uri && !strstr(uri, "://"))
    return vmp__error(VMP_EINVAL, "migration: uri \"%s\" lacks a scheme (tcp://HOST[:PORT])",
                      uri);
  if ((uri && (rc = vmp__pool_intern(&p->pool, uri, &m.uri))) ||
      (listen_address && (rc = vmp__pool_intern(&p->pool, listen_address, &m.listen))))
    return rc;
  m.tunnelled = tunnelled != 0;
  p->host_migration[h] = m;
  return 0;
}

int vmp_problem_set_host_maintenance(vmp_problem *p, size_t h,
                                     int maintenance) {
  int rc;
  if ((rc = check_host(p, h))) return rc;
  p->host_maintenance[h] = maintenance ? 1 : 0;
  return 0;
}

size_t vmp_problem_num_hosts(const vmp_problem *p) { return p ? p->nhosts : 0; }

const char *vmp_problem_host_name(const vmp_problem *p, size_t h) {
  if (!p || h >= p->nhosts) return NULL;
  return vmp__pool_str(&p->pool, p->host_name[h]);
}

int vmp_problem_find_host(const vmp_problem *p, const char *name,
                          size_t *index) {
  uint32_t h;
  if (!p || !name) return vmp__error(VMP_EINVAL, "problem or name is NULL");
  if (!vmp__strmap_get(&p->host_index, name, &h))
    return vmp__error(VMP_ENOTFOUND, "unknown host \"%s\"", name);
  if (index) *index = h;
  return 0;
}

double vmp_problem_host_capacity(const vmp_problem *p, size_t h, size_t r) {
  if (!p || h >= p->nhosts || r >= p->nres) return 0.0;
  return p->host_capacity[h * p->nres + r];
}

double vmp_problem_host_overcommit(const vmp_problem *p, size_t h, size_t r) {
  if (!p || h >= p->nhosts || r >= p->nres) return 1.0;
  return p->host_overcommit[h * p->nres + r];
}

double vmp_problem_host_reserved(const vmp_problem *p, size_t h, size_t r) {
  if (!p || h >= p->nhosts || r >= p->nres) return 0.0;
  return p->host_reserved[h * p->nres + r];
}

double vmp_problem_host_effective_capacity(const vmp_problem *p, size_t h,
                                           size_t r) {
  double c;
  if (!p || h >= p->nhosts || r >= p->nres) return 0.0;
  c = p->host_capacity[h * p->nres + r] * p->host_overcommit[h * p->nres + r] -
      p->host_reserved[h * p->nres + r];
  return c > 0.0 ? c : 0.0;
}

double vmp_problem_host_cost(const vmp_problem *p, size_t h) {
  if (!p || h >= p->nhosts) return 0.0;
  return p->host_cost[h];
}

const char *vmp_problem_host_label(const vmp_problem *p, size_t h,
                                   const char *key) {
  if (!p || h >= p->nhosts) return NULL;
  return label_get(p, &p->host_labels[h], key);
}

size_t vmp_problem_host_num_labels(const vmp_problem *p, size_t h) {
  if (!p || h >= p->nhosts) return 0;
  return p->host_labels[h].n;
}

int vmp_problem_host_label_at(const vmp_problem *p, size_t h, size_t k,
                              const char **key, const char **value) {
  int rc;
  if ((rc = check_host(p, h))) return rc;
  return label_at(p, &p->host_labels[h], k, key, value);
}

const char *vmp_problem_host_uri(const vmp_problem *p, size_t h) {
  if (!p || h >= p->nhosts || !p->host_uri[h]) return NULL;
  return vmp__pool_str(&p->pool, p->host_uri[h]);
}

int vmp_problem_host_migration(const vmp_problem *p, size_t h, const char **uri,
                               const char **listen_address, int *tunnelled) {
  const vmp__migration *m;
  int rc;
  if ((rc = check_host(p, h))) return rc;
  m = &p->host_migration[h];
  if (uri) *uri = m->uri ? vmp__pool_str(&p->pool, m->uri) : NULL;
  if (listen_address) *listen_address = m->listen ? vmp__pool_str(&p->pool, m->listen) : NULL;
  if (tunnelled) *tunnelled = m->tunnelled;
  return 0;
}

int vmp_problem_host_maintenance(const vmp_problem *p, size_t h) {
  if (!p || h >= p->nhosts) return 0;
  return p->host_maintenance[h];
}

/* ---- VMs ------------------------------------------------------------------------------ */

static int vms_reserve(vmp_problem *p, size_t need) {
  size_t cap = p->vms_cap, n = p->nres ? p->nres : 1;
  if (need <= cap) return 0;
  cap = cap ? cap * 2 : 16;
  while (cap < need) cap *= 2;
  GROW(vm_name, 1);
  GROW(vm_demand, n);
  GROW(vm_host, 1);
  GROW(vm_priority, 1);
  GROW(vm_migration_cost, 1);
  GROW(vm_pinned, 1);
  GROW(vm_labels, 1);
  GROW(vm_allowed, 1);
#undef GROW
  p->vms_cap = cap;
  return 0;
}

static int check_vm(const vmp_problem *p, size_t v) {
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if (v >= p->nvms)
    return vmp__error(VMP_EINVAL, "VM index %zu out of range (%zu VMs)", v,
                      p->nvms);
  return 0;
}

int vmp_problem_add_vm(vmp_problem *p, const char *name, const double *demand,
                       size_t *index) {
  uint32_t id;
  size_t v;
  int rc;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__check_name(name, "VM"))) return rc;
  if (vmp__strmap_get(&p->vm_index, name, NULL))
    return vmp__error(VMP_EEXIST, "duplicate VM name \"%s\"", name);
  if (p->nvms >= UINT32_MAX - 1) return vmp__error(VMP_ERANGE, "too many VMs");
  for (uint32_t r = 0; demand && r < p->nres; r++) {
    char what[300];
    snprintf(what, sizeof what, "demand.%s",
             vmp__pool_str(&p->pool, p->res_name[r]));
    if ((rc = check_quantity(demand[r], what))) return rc;
  }
  if ((rc = vms_reserve(p, p->nvms + 1))) return rc;
  if ((rc = vmp__pool_intern(&p->pool, name, &id))) return rc;
  v = p->nvms;
  if ((rc = vmp__strmap_put(&p->vm_index, vmp__pool_str(&p->pool, id),
                            (uint32_t)v)))
    return rc;
  p->vm_name[v] = id;
  for (uint32_t r = 0; r < p->nres; r++)
    p->vm_demand[v * p->nres + r] = demand ? demand[r] : 0.0;
  p->vm_host[v] = VMP__NO_HOST;
  p->vm_priority[v] = 0;
  p->vm_migration_cost[v] = -1.0;
  p->vm_pinned[v] = 0;
  memset(&p->vm_labels[v], 0, sizeof p->vm_labels[v]);
  memset(&p->vm_allowed[v], 0, sizeof p->vm_allowed[v]);
  p->nvms++;
  if (index) *index = v;
  return 0;
}

int vmp_problem_set_vm_demand(vmp_problem *p, size_t v, size_t r,
                              double value) {
  int rc;
  if ((rc = check_vm(p, v)) || (rc = check_res(p, r))) return rc;
  if ((rc = check_quantity(value, "demand"))) return rc;
  p->vm_demand[v * p->nres + r] = value;
  return 0;
}

int vmp_problem_set_vm_host(vmp_problem *p, size_t v, size_t h) {
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  if (h != VMP_NONE && (rc = check_host(p, h))) return rc;
  p->vm_host[v] = h == VMP_NONE ? VMP__NO_HOST : (uint32_t)h;
  return 0;
}

int vmp_problem_set_vm_label(vmp_problem *p, size_t v, const char *key,
                             const char *value) {
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  return labels_set(p, &p->vm_labels[v], key, value);
}

int vmp_problem_set_vm_priority(vmp_problem *p, size_t v, int32_t priority) {
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  if (priority < 0 || priority > PRIORITY_MAX)
    return vmp__error(VMP_ERANGE,
                      "priority: expected an integer in 0..%d, got %ld",
                      PRIORITY_MAX, (long)priority);
  p->vm_priority[v] = priority;
  return 0;
}

int vmp_problem_set_vm_migration_cost(vmp_problem *p, size_t v, double cost) {
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  /* A negative cost means the default (the VM's memory). */
  if (cost < 0.0 && isfinite(cost)) cost = -1.0;
  else if ((rc = check_quantity(cost, "migration_cost"))) return rc;
  p->vm_migration_cost[v] = cost;
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

int vmp_problem_set_vm_allowed_hosts(vmp_problem *p, size_t v,
                                     const size_t *hosts, size_t n) {
  uint32_t *list;
  size_t m = 0;
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  if (n && !hosts) return vmp__error(VMP_EINVAL, "allowed_hosts is NULL");
  for (size_t k = 0; k < n; k++)
    if ((rc = check_host(p, hosts[k]))) return rc;
  if (n == 0) {
    free(p->vm_allowed[v].h);
    memset(&p->vm_allowed[v], 0, sizeof p->vm_allowed[v]);
    return 0;
  }
  list = malloc(n * sizeof *list);
  if (!list) return vmp__enomem();
  for (size_t k = 0; k < n; k++) list[k] = (uint32_t)hosts[k];
  qsort(list, n, sizeof *list, cmp_u32);
  for (size_t k = 0; k < n; k++)
    if (m == 0 || list[m - 1] != list[k]) list[m++] = list[k];
  free(p->vm_allowed[v].h);
  p->vm_allowed[v].h = list;
  p->vm_allowed[v].n = (uint32_t)m;
  return 0;
}

int vmp_problem_set_vm_pinned(vmp_problem *p, size_t v, int pinned) {
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  p->vm_pinned[v] = pinned ? 1 : 0;
  return 0;
}

size_t vmp_problem_num_vms(const vmp_problem *p) { return p ? p->nvms : 0; }

const char *vmp_problem_vm_name(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms) return NULL;
  return vmp__pool_str(&p->pool, p->vm_name[v]);
}

int vmp_problem_find_vm(const vmp_problem *p, const char *name, size_t *index) {
  uint32_t v;
  if (!p || !name) return vmp__error(VMP_EINVAL, "problem or name is NULL");
  if (!vmp__strmap_get(&p->vm_index, name, &v))
    return vmp__error(VMP_ENOTFOUND, "unknown VM \"%s\"", name);
  if (index) *index = v;
  return 0;
}

double vmp_problem_vm_demand(const vmp_problem *p, size_t v, size_t r) {
  if (!p || v >= p->nvms || r >= p->nres) return 0.0;
  return p->vm_demand[v * p->nres + r];
}

size_t vmp_problem_vm_host(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms || p->vm_host[v] == VMP__NO_HOST) return VMP_NONE;
  return p->vm_host[v];
}

const char *vmp_problem_vm_label(const vmp_problem *p, size_t v,
                                 const char *key) {
  if (!p || v >= p->nvms) return NULL;
  return label_get(p, &p->vm_labels[v], key);
}

size_t vmp_problem_vm_num_labels(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms) return 0;
  return p->vm_labels[v].n;
}

int vmp_problem_vm_label_at(const vmp_problem *p, size_t v, size_t k,
                            const char **key, const char **value) {
  int rc;
  if ((rc = check_vm(p, v))) return rc;
  return label_at(p, &p->vm_labels[v], k, key, value);
}

int32_t vmp_problem_vm_priority(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms) return 0;
  return p->vm_priority[v];
}

double vmp__vm_migration_cost(const vmp_problem *p, size_t v) {
  if (p->vm_migration_cost[v] >= 0.0) return p->vm_migration_cost[v];
  for (uint32_t r = 0; r < p->nres; r++) {
    const char *n = vmp__pool_str(&p->pool, p->res_name[r]);
    if (strncmp(n, "mem", 3) == 0) return p->vm_demand[v * p->nres + r];
  }
  return 1.0;
}

double vmp_problem_vm_migration_cost(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms) return 0.0;
  return vmp__vm_migration_cost(p, v);
}

size_t vmp_problem_vm_num_allowed_hosts(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms) return 0;
  return p->vm_allowed[v].n;
}

size_t vmp_problem_vm_allowed_host(const vmp_problem *p, size_t v, size_t k) {
  if (!p || v >= p->nvms || k >= p->vm_allowed[v].n) return VMP_NONE;
  return p->vm_allowed[v].h[k];
}

int vmp_problem_vm_pinned(const vmp_problem *p, size_t v) {
  if (!p || v >= p->nvms) return 0;
  return p->vm_pinned[v];
}

/* ---- groups ------------------------------------------------------------------------------ */

int vmp_problem_add_group(vmp_problem *p, const char *name, int policy,
                          int hard, const char *scope, const size_t *vms,
                          size_t n, size_t *index) {
  vmp__group *g;
  uint32_t id, scope_id = 0;
  int rc;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__check_name(name, "group"))) return rc;
  if (vmp__strmap_get(&p->group_index, name, NULL))
    return vmp__error(VMP_EEXIST, "duplicate group name \"%s\"", name);
  if (policy != VMP_AFFINITY && policy != VMP_ANTI_AFFINITY &&
      policy != VMP_SPREAD)
    return vmp__error(VMP_EINVAL, "policy: expected \"affinity\", "
                      "\"anti-affinity\" or \"spread\"");
  if (policy == VMP_SPREAD && n < 1)
    return vmp__error(VMP_EINVAL, "vms: a spread group needs at least 1 VM");
  if (policy != VMP_SPREAD && n < 2)
    return vmp__error(VMP_EINVAL, "vms: a group needs at least 2 VMs, got %zu",
                      n);
  if (!vms) return vmp__error(VMP_EINVAL, "vms is NULL");
  for (size_t k = 0; k < n; k++) {
    if ((rc = check_vm(p, vms[k]))) return rc;
    for (size_t j = 0; j < k; j++)
      if (vms[j] == vms[k])
        return vmp__error(VMP_EINVAL, "vms: VM \"%s\" is listed twice",
                          vmp_problem_vm_name(p, vms[k]));
  }
  if (scope && strcmp(scope, "host") != 0) {
    if ((rc = vmp__check_name(scope, "scope"))) return rc;
    if ((rc = vmp__pool_intern(&p->pool, scope, &scope_id))) return rc;
  }
  if ((rc = vmp__grow(&p->groups, &p->groups_cap, p->ngroups + 1,
                      sizeof *p->groups)))
    return rc;
  if ((rc = vmp__pool_intern(&p->pool, name, &id))) return rc;
  g = &p->groups[p->ngroups];
  memset(g, 0, sizeof *g);
  g->vms = malloc(n * sizeof *g->vms);
  if (!g->vms) return vmp__enomem();
  for (size_t k = 0; k < n; k++) g->vms[k] = (uint32_t)vms[k];
  g->nvms = (uint32_t)n;
  g->name = id;
  g->policy = policy;
  g->hard = hard ? 1 : 0;
  g->scope = scope_id;
  g->weight = 1.0;
  g->min_domains = policy == VMP_SPREAD ? (uint32_t)n : 0;
  if ((rc = vmp__strmap_put(&p->group_index, vmp__pool_str(&p->pool, id),
                            (uint32_t)p->ngroups))) {
    free(g->vms);
    return rc;
  }
  if (index) *index = p->ngroups;
  p->ngroups++;
  return 0;
}

static int check_group(const vmp_problem *p, size_t g) {
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if (g >= p->ngroups)
    return vmp__error(VMP_EINVAL, "group index %zu out of range", g);
  return 0;
}

int vmp_problem_set_group_weight(vmp_problem *p, size_t g, double weight) {
  int rc;
  if ((rc = check_group(p, g))) return rc;
  if ((rc = check_weight(weight, "weight"))) return rc;
  p->groups[g].weight = weight;
  return 0;
}

int vmp_problem_set_group_all_or_nothing(vmp_problem *p, size_t g, int on) {
  int rc;
  const vmp__group *gr;
  if ((rc = check_group(p, g))) return rc;
  gr = &p->groups[g];
  if (on && !(gr->hard && gr->policy == VMP_AFFINITY && gr->scope == 0))
    return vmp__error(VMP_EINVAL,
                      "all_or_nothing: only a hard affinity group with scope "
                      "\"host\" can be all or nothing");
  p->groups[g].all_or_nothing = on ? 1 : 0;
  return 0;
}

int vmp_problem_group_all_or_nothing(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return 0;
  return p->groups[g].all_or_nothing;
}

size_t vmp_problem_num_groups(const vmp_problem *p) { return p ? p->ngroups : 0; }

const char *vmp_problem_group_name(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return NULL;
  return vmp__pool_str(&p->pool, p->groups[g].name);
}

int vmp_problem_group_policy(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return -1;
  return p->groups[g].policy;
}

int vmp_problem_group_hard(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return 0;
  return p->groups[g].hard;
}

const char *vmp_problem_group_scope(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return NULL;
  return p->groups[g].scope ? vmp__pool_str(&p->pool, p->groups[g].scope)
                            : "host";
}

double vmp_problem_group_weight(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return 0.0;
  return p->groups[g].weight;
}

size_t vmp_problem_group_num_vms(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups) return 0;
  return p->groups[g].nvms;
}

size_t vmp_problem_group_vm(const vmp_problem *p, size_t g, size_t k) {
  if (!p || g >= p->ngroups || k >= p->groups[g].nvms) return VMP_NONE;
  return p->groups[g].vms[k];
}

/* ---- rules ---------------------------------------------------------------------------------- */

int vmp_problem_add_rule(vmp_problem *p, const char *name, const char *when,
                         const char *require, int hard, size_t *index) {
  vmp__rule *rule;
  vmp__expr *we = NULL, *re = NULL;
  uint32_t id;
  size_t col = 0;
  int rc;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__check_name(name, "rule"))) return rc;
  if (vmp__strmap_get(&p->rule_index, name, NULL))
    return vmp__error(VMP_EEXIST, "duplicate rule name \"%s\"", name);
  if (!require || !require[0])
    return vmp__error(VMP_EINVAL, "require: expected an expression");
  if (when && when[0] && (rc = vmp__expr_parse(p, when, &we, &col)))
    return vmp__error_prefix(rc, "when");
  if ((rc = vmp__expr_parse(p, require, &re, &col))) {
    vmp__expr_free(we);
    return vmp__error_prefix(rc, "require");
  }
  if ((rc = vmp__grow(&p->rules, &p->rules_cap, p->nrules + 1,
                      sizeof *p->rules)) ||
      (rc = vmp__pool_intern(&p->pool, name, &id))) {
    vmp__expr_free(we);
    vmp__expr_free(re);
    return rc;
  }
  rule = &p->rules[p->nrules];
  memset(rule, 0, sizeof *rule);
  rule->when_text = vmp__strdup(when ? when : "");
  rule->require_text = vmp__strdup(require);
  if (!rule->when_text || !rule->require_text ||
      vmp__strmap_put(&p->rule_index, vmp__pool_str(&p->pool, id),
                      (uint32_t)p->nrules)) {
    free(rule->when_text);
    free(rule->require_text);
    vmp__expr_free(we);
    vmp__expr_free(re);
    return vmp__enomem();
  }
  rule->name = id;
  rule->when = we;
  rule->require = re;
  rule->hard = hard ? 1 : 0;
  rule->weight = 1.0;
  if (index) *index = p->nrules;
  p->nrules++;
  return 0;
}

int vmp_problem_set_rule_weight(vmp_problem *p, size_t r, double weight) {
  int rc;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if (r >= p->nrules)
    return vmp__error(VMP_EINVAL, "rule index %zu out of range", r);
  if ((rc = check_weight(weight, "weight"))) return rc;
  p->rules[r].weight = weight;
  return 0;
}

size_t vmp_problem_num_rules(const vmp_problem *p) { return p ? p->nrules : 0; }

const char *vmp_problem_rule_name(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nrules) return NULL;
  return vmp__pool_str(&p->pool, p->rules[r].name);
}

const char *vmp_problem_rule_when(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nrules) return NULL;
  return p->rules[r].when_text;
}

const char *vmp_problem_rule_require(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nrules) return NULL;
  return p->rules[r].require_text;
}

int vmp_problem_rule_hard(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nrules) return 0;
  return p->rules[r].hard;
}

double vmp_problem_rule_weight(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nrules) return 0.0;
  return p->rules[r].weight;
}

/* ---- objective ------------------------------------------------------------------------------- */

static double *weight_slot(vmp__weights *w, const char *term) {
  if (!term) return NULL;
  if (!strcmp(term, "cost")) return &w->cost;
  if (!strcmp(term, "migrations")) return &w->migrations;
  if (!strcmp(term, "balance")) return &w->balance;
  if (!strcmp(term, "soft")) return &w->soft;
  if (!strcmp(term, "unplaced")) return &w->unplaced;
  if (!strcmp(term, "safety")) return &w->safety;
  if (!strcmp(term, "ratio_balance")) return &w->ratio;
  if (!strcmp(term, "group_moves")) return &w->group_moves;
  if (!strcmp(term, "host_moves")) return &w->host_moves;
  return NULL;
}

int vmp_problem_set_objective(vmp_problem *p, const char *term,
                              double weight) {
  double *slot;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  slot = weight_slot(&p->w, term);
  if (!slot)
    return vmp__error(VMP_ENOTFOUND,
                      "objective term \"%s\": expected cost, migrations, "
                      "balance, soft, unplaced, safety, ratio_balance, "
                      "group_moves or host_moves",
                      term ? term : "(null)");
  if (slot == &p->w.unplaced && weight < 0.0 && isfinite(weight)) {
    *slot = -1.0; /* automatic */
    return 0;
  }
  {
    char what[64];
    int rc;
    snprintf(what, sizeof what, "objective.%s", term);
    if ((rc = check_weight(weight, what))) return rc;
  }
  *slot = weight;
  return 0;
}

int vmp_problem_get_objective(const vmp_problem *p, const char *term,
                              double *weight) {
  double *slot;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  slot = weight_slot((vmp__weights *)&p->w, term);
  if (!slot)
    return vmp__error(VMP_ENOTFOUND, "unknown objective term \"%s\"",
                      term ? term : "(null)");
  if (weight) *weight = *slot;
  return 0;
}

/* ---- clone ------------------------------------------------------------------------------------- */

/* A group of a filtered copy: the members that remain (maybe fewer than a
 * new group may have), every other field as in the original, so that group
 * indices (dependencies) and meanings stay. */
static int copy_group_kept(vmp_problem *q, const vmp_problem *p, const vmp__group *gr,
                           const uint32_t *remap) {
  vmp__group *g;
  uint32_t id, scope_id = 0;
  int rc;
  if ((rc = vmp__grow(&q->groups, &q->groups_cap, q->ngroups + 1, sizeof *q->groups)))
    return rc;
  if (gr->scope &&
      (rc = vmp__pool_intern(&q->pool, vmp__pool_str(&p->pool, gr->scope), &scope_id)))
    return rc;
  if ((rc = vmp__pool_intern(&q->pool, vmp__pool_str(&p->pool, gr->name), &id))) return rc;
  g = &q->groups[q->ngroups];
  *g = *gr;
  g->vms = malloc(((size_t)gr->nvms + 1) * sizeof *g->vms);
  if (!g->vms) return vmp__enomem();
  g->nvms = 0;
  for (uint32_t k = 0; k < gr->nvms; k++)
    if (remap[gr->vms[k]] != UINT32_MAX) g->vms[g->nvms++] = remap[gr->vms[k]];
  g->name = id;
  g->scope = scope_id;
  if ((rc = vmp__strmap_put(&q->group_index, vmp__pool_str(&q->pool, id),
                            (uint32_t)q->ngroups))) {
    free(g->vms);
    return rc;
  }
  q->ngroups++;
  return 0;
}

static int clone_keep(const vmp_problem *p, const uint8_t *drop, vmp_problem **out);

/* Interns every string of p in q's fresh pool in id order, so that a
 * string has the same id in both and id arrays copy as they are.  Sets
 * *same to whether that holds (it does unless the pool of a new problem
 * starts differently).  0 or VMP_ENOMEM. */
static int intern_same_ids(vmp_problem *q, const vmp_problem *p, int *same) {
  *same = q->pool.nstrs == 1;
  for (size_t k = 1; *same && k < p->pool.nstrs; k++) {
    uint32_t id;
    if (vmp__pool_intern(&q->pool, p->pool.strs[k], &id)) return vmp__enomem();
    *same = id == k;
  }
  return 0;
}

/* Copies VM v of p to the end of q (a valid problem: no check needed),
 * labels by id (the pools agree, see intern_same_ids). */
static int copy_vm_same_ids(vmp_problem *q, const vmp_problem *p, size_t v) {
  size_t u = q->nvms, nr = p->nres;
  const vmp__labels *l = &p->vm_labels[v];
  int rc;
  if ((rc = vms_reserve(q, u + 1))) return rc;
  memset(&q->vm_labels[u], 0, sizeof q->vm_labels[u]);
  memset(&q->vm_allowed[u], 0, sizeof q->vm_allowed[u]);
  if (l->n) {
    if (!(q->vm_labels[u].v = malloc(l->n * sizeof *l->v))) return vmp__enomem();
    memcpy(q->vm_labels[u].v, l->v, l->n * sizeof *l->v);
    q->vm_labels[u].n = q->vm_labels[u].cap = l->n;
  }
  if (p->vm_allowed[v].n) {
    if (!(q->vm_allowed[u].h = malloc(p->vm_allowed[v].n * sizeof(uint32_t)))) {
      free(q->vm_labels[u].v);
      return vmp__enomem();
    }
    memcpy(q->vm_allowed[u].h, p->vm_allowed[v].h, p->vm_allowed[v].n * sizeof(uint32_t));
    q->vm_allowed[u].n = p->vm_allowed[v].n;
  }
  if ((rc = vmp__strmap_put(&q->vm_index, vmp__pool_str(&q->pool, p->vm_name[v]),
                            (uint32_t)u))) {
    free(q->vm_labels[u].v);
    free(q->vm_allowed[u].h);
    return rc;
  }
  q->vm_name[u] = p->vm_name[v];
  if (nr) memcpy(q->vm_demand + u * nr, p->vm_demand + v * nr, nr * sizeof(double));
  q->vm_host[u] = p->vm_host[v];
  q->vm_priority[u] = p->vm_priority[v];
  q->vm_migration_cost[u] = p->vm_migration_cost[v];
  q->vm_pinned[u] = p->vm_pinned[v];
  q->nvms = u + 1;
  return 0;
}

/* Rebuilds through the public setters: simple, and every invariant holds
 * by construction.  Rules are re-parsed against the copy's own pool. */
int vmp_problem_clone(const vmp_problem *p, vmp_problem **out) {
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  return clone_keep(p, NULL, out);
}

int vmp__problem_clone_without(const vmp_problem *p, const uint8_t *drop,
                               vmp_problem **out) {
  *out = NULL;
  return clone_keep(p, drop, out);
}

static int clone_keep(const vmp_problem *p, const uint8_t *drop, vmp_problem **out) {
  vmp_problem *q = NULL;
  int rc, same = 0;
  size_t *tmp = NULL;
  uint32_t *remap = NULL;
  if (drop) {
    uint32_t n = 0;
    if (!(remap = malloc((p->nvms + 1) * sizeof *remap))) return vmp__enomem();
    for (size_t v = 0; v < p->nvms; v++) remap[v] = drop[v] ? UINT32_MAX : n++;
  }
  if ((rc = vmp_problem_new(&q))) {
    free(remap);
    return rc;
  }
  /* The fast way for VMs (a million in a datacenter): ids as they are.
   * Not worth it when no VM is kept. */
  if ((!drop || memchr(drop, 0, p->nvms)) && (rc = intern_same_ids(q, p, &same)))
    goto fail;
  for (uint32_t r = 0; r < p->nres; r++)
    if ((rc = vmp_problem_add_resource(q, vmp_problem_resource_name(p, r),
                                       NULL)))
      goto fail;
  for (size_t h = 0; h < p->nhosts; h++) {
    if ((rc = vmp_problem_add_host(q, vmp_problem_host_name(p, h),
                                   p->host_capacity + h * p->nres, NULL)))
      goto fail;
    memcpy(q->host_overcommit + h * p->nres, p->host_overcommit + h * p->nres,
           p->nres * sizeof(double));
    memcpy(q->host_reserved + h * p->nres, p->host_reserved + h * p->nres,
           p->nres * sizeof(double));
    q->host_cost[h] = p->host_cost[h];
    q->host_maintenance[h] = p->host_maintenance[h];
    if ((rc = vmp_problem_set_host_uri(q, h, vmp_problem_host_uri(p, h))))
      goto fail;
    {
      const char *mu, *ml;
      int mt;
      vmp_problem_host_migration(p, h, &mu, &ml, &mt);
      if ((rc = vmp_problem_set_host_migration(q, h, mu, ml, mt))) goto fail;
    }
    for (size_t k = 0; k < p->host_labels[h].n; k++) {
      const char *key, *val;
      label_at(p, &p->host_labels[h], k, &key, &val);
      if ((rc = vmp_problem_set_host_label(q, h, key, val))) goto fail;
    }
  }
  for (size_t v = 0; same && v < p->nvms; v++)
    if (!(drop && drop[v]) && (rc = copy_vm_same_ids(q, p, v))) goto fail;
  for (size_t v = 0; !same && v < p->nvms; v++) {
    size_t u;
    if (drop && drop[v]) continue;
    if ((rc = vmp_problem_add_vm(q, vmp_problem_vm_name(p, v),
                                 p->vm_demand + v * p->nres, &u)))
      goto fail;
    q->vm_host[u] = p->vm_host[v];
    q->vm_priority[u] = p->vm_priority[v];
    q->vm_migration_cost[u] = p->vm_migration_cost[v];
    q->vm_pinned[u] = p->vm_pinned[v];
    for (size_t k = 0; k < p->vm_labels[v].n; k++) {
      const char *key, *val;
      label_at(p, &p->vm_labels[v], k, &key, &val);
      if ((rc = vmp_problem_set_vm_label(q, u, key, val))) goto fail;
    }
    if (p->vm_allowed[v].n) {
      q->vm_allowed[u].h = malloc(p->vm_allowed[v].n * sizeof(uint32_t));
      if (!q->vm_allowed[u].h) {
        rc = vmp__enomem();
        goto fail;
      }
      memcpy(q->vm_allowed[u].h, p->vm_allowed[v].h,
             p->vm_allowed[v].n * sizeof(uint32_t));
      q->vm_allowed[u].n = p->vm_allowed[v].n;
    }
  }
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    if (remap) {
      if ((rc = copy_group_kept(q, p, gr, remap))) goto fail;
      continue;
    }
    free(tmp);
    tmp = malloc(gr->nvms * sizeof *tmp);
    if (!tmp) {
      rc = vmp__enomem();
      goto fail;
    }
    for (uint32_t k = 0; k < gr->nvms; k++) tmp[k] = gr->vms[k];
    if ((rc = vmp_problem_add_group(q, vmp_problem_group_name(p, g),
                                    gr->policy, gr->hard,
                                    vmp_problem_group_scope(p, g), tmp,
                                    gr->nvms, NULL)))
      goto fail;
    q->groups[g].weight = gr->weight;
  }
  for (size_t r = 0; r < p->nrules; r++) {
    if ((rc = vmp_problem_add_rule(q, vmp_problem_rule_name(p, r),
                                   p->rules[r].when_text,
                                   p->rules[r].require_text, p->rules[r].hard,
                                   NULL)))
      goto fail;
    q->rules[r].weight = p->rules[r].weight;
  }
  if ((rc = vmp__reassign_clone(p, q))) goto fail;
  q->w = p->w;
  free(tmp);
  free(remap);
  *out = q;
  return 0;
fail:
  free(tmp);
  free(remap);
  vmp_problem_free(q);
  return rc;
}
