/*
 * Solutions: building (through the evaluator), getters, JSON output and
 * input, and the public explanation object.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "json_util.h"
#include "model.h"
#include "rule.h"
#include "solution_impl.h"

const char *vmp_status_name(int status) {
  switch (status) {
    case VMP_STATUS_OPTIMAL: return "optimal";
    case VMP_STATUS_FEASIBLE: return "feasible";
    case VMP_STATUS_PARTIAL: return "partial";
    case VMP_STATUS_INFEASIBLE: return "infeasible";
    case VMP_STATUS_INVALID: return "invalid";
    default: return "unknown";
  }
}

const char *vmp_stop_reason_name(int reason) {
  switch (reason) {
    case VMP_STOP_COMPLETED: return "completed";
    case VMP_STOP_TIME_LIMIT: return "time_limit";
    case VMP_STOP_GAP_REACHED: return "gap_reached";
    case VMP_STOP_INTERRUPTED: return "interrupted";
    case VMP_STOP_NOT_SOLVED: return "not_solved";
    default: return "unknown";
  }
}

void vmp_solution_free(vmp_solution *s) {
  if (!s) return;
  VMP__FREE_ALL(s->solver, s->names, s->vm_name, s->host_name, s->vm_host, s->unplaced);
  for (size_t k = 0; k < s->nunplaced && s->unplaced_reason; k++)
    free(s->unplaced_reason[k]);
  free(s->unplaced_reason);
  for (size_t k = 0; k < s->nviol; k++) vmp__violation_free(&s->viol[k]);
  free(s->viol);
  for (size_t k = 0; k < s->nstats; k++) free(s->stats[k].name);
  free(s->stats);
  free(s);
}

/* Copies the n names name(p, k) into block at *off and points out[k] at
 * them. */
static void copy_name_run(char *block, size_t *off, const char **out, size_t n,
                          const vmp_problem *p,
                          const char *(*name)(const vmp_problem *, size_t)) {
  for (size_t k = 0; k < n; k++) {
    const char *src = name(p, k);
    size_t l = strlen(src) + 1;
    memcpy(block + *off, src, l);
    out[k] = block + *off;
    *off += l;
  }
}

/* Copies every name into one block so the solution outlives the problem. */
static int copy_names(vmp_solution *s, const vmp_problem *p) {
  size_t total = 0, off = 0;
  for (size_t v = 0; v < p->nvms; v++) total += strlen(vmp_problem_vm_name(p, v)) + 1;
  for (size_t h = 0; h < p->nhosts; h++)
    total += strlen(vmp_problem_host_name(p, h)) + 1;
  s->names = malloc(total + 1);
  s->vm_name = malloc((p->nvms + 1) * sizeof *s->vm_name);
  s->host_name = malloc((p->nhosts + 1) * sizeof *s->host_name);
  if (!s->names || !s->vm_name || !s->host_name) return vmp__enomem();
  copy_name_run(s->names, &off, s->vm_name, p->nvms, p, vmp_problem_vm_name);
  copy_name_run(s->names, &off, s->host_name, p->nhosts, p, vmp_problem_host_name);
  return 0;
}

/* Whether any rule reads vm.name: then no two VMs are alike to the
 * explanations.  -1 on allocation failure. */
static int rules_read_vm_name(const vmp_problem *p) {
  vmp__refs refs;
  int rc = 0, yes;
  vmp__refs_init(&refs);
  for (size_t r = 0; r < p->nrules && !rc; r++) {
    if (p->rules[r].when) rc = vmp__expr_refs(p->rules[r].when, &refs);
    if (!rc) rc = vmp__expr_refs(p->rules[r].require, &refs);
  }
  yes = refs.vm_name;
  vmp__refs_free(&refs);
  return rc ? -1 : yes;
}

/* What the explanation of an unplaced VM outside every group depends on:
 * demand, priority, pin and current host, allowed hosts, labels.  VMs with
 * the same signature get the same reason, so a million unplaced VMs of a
 * few catalogue sizes cost a few host scans. */
static int signature(const vmp_problem *p, size_t v, vmp__buf *b) {
  uint32_t pin[2];
  b->len = 0;
  vmp__buf_add(b, (const char *)(p->vm_demand + v * p->nres), p->nres * sizeof(double));
  vmp__buf_add(b, (const char *)&p->vm_priority[v], sizeof p->vm_priority[v]);
  pin[0] = p->vm_pinned[v];
  pin[1] = p->vm_pinned[v] ? p->vm_host[v] : 0;
  vmp__buf_add(b, (const char *)pin, sizeof pin);
  vmp__buf_add(b, (const char *)&p->vm_allowed[v].n, sizeof p->vm_allowed[v].n);
  if (p->vm_allowed[v].n)
    vmp__buf_add(b, (const char *)p->vm_allowed[v].h, p->vm_allowed[v].n * sizeof(uint32_t));
  if (p->vm_labels[v].n)
    vmp__buf_add(b, (const char *)p->vm_labels[v].v, p->vm_labels[v].n * sizeof(vmp__label));
  return b->oom ? vmp__enomem() : 0;
}

typedef struct reason_cache {
  vmp__strmap map;         /* signature (as a string key) -> reason index */
  char **keys;             /* owned copies of the keys */
  size_t n, cap;
} reason_cache;

/* Signatures are binary; hex makes them the NUL-terminated keys the map
 * wants. */
static char *hex_key(const vmp__buf *b) {
  static const char digits[] = "0123456789abcdef";
  char *k = malloc(2 * b->len + 1);
  if (!k) return NULL;
  for (size_t j = 0; j < b->len; j++) {
    k[2 * j] = digits[(unsigned char)b->data[j] >> 4];
    k[2 * j + 1] = digits[(unsigned char)b->data[j] & 15];
  }
  k[2 * b->len] = '\0';
  return k;
}

static int unplaced_reasons(vmp_solution *s, const vmp_problem *p,
                            const uint32_t *vm_host, int solved) {
  vmp__explainer ex;
  reason_cache rcache;
  vmp__buf sig;
  int rc, by_name;
  s->unplaced = malloc((s->nunplaced + 1) * sizeof *s->unplaced);
  s->unplaced_reason = calloc(s->nunplaced + 1, sizeof *s->unplaced_reason);
  if (!s->unplaced || !s->unplaced_reason) return vmp__enomem();
  if (!s->nunplaced) return 0;
  if ((by_name = rules_read_vm_name(p)) < 0) return vmp__enomem();
  if ((rc = vmp__explainer_init(&ex, p, vm_host))) return rc;
  memset(&rcache, 0, sizeof rcache);
  vmp__strmap_init(&rcache.map);
  vmp__buf_init(&sig);
  for (size_t v = 0, k = 0; v < p->nvms && !rc; v++) {
    uint32_t hit;
    char *key = NULL;
    if (vm_host[v] != VMP__NO_HOST) continue;
    s->unplaced[k] = (uint32_t)v;
    if (by_name || ex.vg_start[v] != ex.vg_start[v + 1]) {
      rc = vmp__explain_summary(&ex, (uint32_t)v, solved, &s->unplaced_reason[k++]);
      continue;
    }
    if ((rc = signature(p, v, &sig))) break;
    if (!(key = hex_key(&sig))) {
      rc = vmp__enomem();
      break;
    }
    if (vmp__strmap_get(&rcache.map, key, &hit)) {
      free(key);
      if (!(s->unplaced_reason[k++] = vmp__strdup(s->unplaced_reason[hit]))) rc = vmp__enomem();
      continue;
    }
    rc = vmp__explain_summary(&ex, (uint32_t)v, solved, &s->unplaced_reason[k]);
    if (!rc && (rc = vmp__grow(&rcache.keys, &rcache.cap, rcache.n + 1, sizeof *rcache.keys)))
      free(key);
    else if (!rc) {
      rcache.keys[rcache.n++] = key;
      rc = vmp__strmap_put(&rcache.map, key, (uint32_t)k);
    } else {
      free(key);
    }
    k++;
  }
  for (size_t j = 0; j < rcache.n; j++) free(rcache.keys[j]);
  free(rcache.keys);
  vmp__strmap_free(&rcache.map);
  vmp__buf_free(&sig);
  vmp__explainer_free(&ex);
  return rc;
}

int vmp__solution_build(const vmp_problem *p, const uint32_t *vm_host,
                        const vmp__solution_info *info, vmp_solution **out) {
  vmp__weights w;
  vmp__eval e;
  vmp_solution *s;
  double tol;
  int rc;
  *out = NULL;
  vmp__effective_weights(p, &w);
  if ((rc = vmp__evaluate(p, &w, vm_host, 1, &e))) return rc;
  s = calloc(1, sizeof *s);
  if (!s) {
    vmp__eval_free(&e);
    return vmp__enomem();
  }
  s->nvms = p->nvms;
  s->nhosts = p->nhosts;
  s->objective = e.objective;
  s->hosts_used = e.hosts_used;
  s->nunplaced = e.unplaced;
  s->time_s = info->time_s;
  s->stop_reason = info->stop_reason;
  memcpy(s->raw, e.raw, sizeof s->raw);
  memcpy(s->weighted, e.weighted, sizeof s->weighted);
  s->viol = e.viol;
  s->nviol = e.nviol;
  e.viol = NULL;
  e.nviol = 0;
  s->solver = vmp__strdup(info->solver ? info->solver : "");
  s->vm_host = malloc((p->nvms + 1) * sizeof *s->vm_host);
  if (!s->solver || !s->vm_host) rc = vmp__enomem();
  if (!rc) {
    memcpy(s->vm_host, vm_host, p->nvms * sizeof *vm_host);
    rc = copy_names(s, p);
  }
  if (!rc) rc = unplaced_reasons(s, p, vm_host, info->solver && info->solver[0]);
  if (!rc && info->nstats) {
    s->stats = calloc(info->nstats, sizeof *s->stats);
    if (!s->stats) rc = vmp__enomem();
    for (size_t k = 0; !rc && k < info->nstats; k++) {
      s->stats[k].name = vmp__strdup(info->stat_names[k]);
      s->stats[k].value = info->stat_values[k];
      if (!s->stats[k].name) rc = vmp__enomem();
      s->nstats = k + 1;
    }
  }
  if (rc) {
    vmp__eval_free(&e);
    vmp_solution_free(s);
    return rc;
  }
  /* Status and gap.  The bound never exceeds the objective of a valid
   * placement; if a solver's claim says otherwise it is clipped. */
  /* Floating-point noise only: ROADEF objectives reach 10^10, where a
   * tolerance of 10^-6 would call a placement 10^4 above its bound
   * optimal. */
  tol = 1e-9 * (fabs(s->objective) > 1.0 ? fabs(s->objective) : 1.0);
  s->bound = info->bound;
  if (!(s->bound > -HUGE_VAL)) s->bound = 0.0;
  if (e.hard_violations == 0 && s->bound > s->objective) s->bound = s->objective;
  s->gap = (s->objective - s->bound) / (fabs(s->objective) > 1.0 ? fabs(s->objective) : 1.0);
  if (s->gap < 0.0) s->gap = 0.0;
  if (e.hard_violations)
    s->status = VMP_STATUS_INVALID;
  else if (e.unplaced)
    s->status = info->proven_infeasible ? VMP_STATUS_INFEASIBLE : VMP_STATUS_PARTIAL;
  else
    s->status = s->objective - s->bound <= tol ? VMP_STATUS_OPTIMAL : VMP_STATUS_FEASIBLE;
  if (s->objective - s->bound <= tol) s->gap = 0.0;
  vmp__eval_free(&e);
  *out = s;
  return 0;
}

/* ---- evaluation entry points ----------------------------------------------------- */

static int evaluate_hosts(const vmp_problem *p, uint32_t *vm_host,
                          vmp_solution **out) {
  vmp__solution_info info;
  vmp__model *m = NULL;
  int rc;
  double t0 = vmp__now();
  memset(&info, 0, sizeof info);
  info.solver = "";
  info.stop_reason = VMP_STOP_NOT_SOLVED;
  /* The bound needs the compiled model; a problem whose rules cannot be
   * compiled can still be audited, with a bound of 0. */
  if (vmp__model_compile(p, &m) == 0) {
    info.bound = vmp__model_bound(m);
    vmp__model_free(m);
  } else {
    info.bound = 0.0;
  }
  info.time_s = vmp__now() - t0;
  rc = vmp__solution_build(p, vm_host, &info, out);
  return rc;
}

int vmp_evaluate(const vmp_problem *p, const size_t *host_of_vm,
                 vmp_solution **out) {
  uint32_t *vh;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || (!host_of_vm && p->nvms))
    return vmp__error(VMP_EINVAL, "problem or placement is NULL");
  vh = malloc((p->nvms + 1) * sizeof *vh);
  if (!vh) return vmp__enomem();
  for (size_t v = 0; v < p->nvms; v++) {
    if (host_of_vm[v] != VMP_NONE && host_of_vm[v] >= p->nhosts) {
      free(vh);
      return vmp__error(VMP_EINVAL, "VM %s: host index %zu out of range",
                        vmp_problem_vm_name(p, v), host_of_vm[v]);
    }
    vh[v] = host_of_vm[v] == VMP_NONE ? VMP__NO_HOST : (uint32_t)host_of_vm[v];
  }
  rc = evaluate_hosts(p, vh, out);
  free(vh);
  return rc;
}

int vmp_evaluate_current(const vmp_problem *p, vmp_solution **out) {
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  return evaluate_hosts(p, p->vm_host, out);
}

/* ---- getters ------------------------------------------------------------------------ */

int vmp_solution_status(const vmp_solution *s) { return s ? s->status : -1; }
int vmp_solution_stop_reason(const vmp_solution *s) { return s ? s->stop_reason : -1; }
const char *vmp_solution_solver(const vmp_solution *s) { return s ? s->solver : NULL; }
double vmp_solution_objective(const vmp_solution *s) { return s ? s->objective : NAN; }
double vmp_solution_bound(const vmp_solution *s) { return s ? s->bound : NAN; }
double vmp_solution_gap(const vmp_solution *s) { return s ? s->gap : NAN; }
double vmp_solution_time(const vmp_solution *s) { return s ? s->time_s : NAN; }
size_t vmp_solution_hosts_used(const vmp_solution *s) { return s ? s->hosts_used : 0; }
size_t vmp_solution_num_vms(const vmp_solution *s) { return s ? s->nvms : 0; }
size_t vmp_solution_num_hosts(const vmp_solution *s) { return s ? s->nhosts : 0; }

const char *vmp_solution_vm_name(const vmp_solution *s, size_t v) {
  return s && v < s->nvms ? s->vm_name[v] : NULL;
}

size_t vmp_solution_vm_host(const vmp_solution *s, size_t v) {
  if (!s || v >= s->nvms || s->vm_host[v] == VMP__NO_HOST) return VMP_NONE;
  return s->vm_host[v];
}

const char *vmp_solution_vm_host_name(const vmp_solution *s, size_t v) {
  size_t h = vmp_solution_vm_host(s, v);
  return h == VMP_NONE ? NULL : s->host_name[h];
}

const char *vmp_solution_host_name(const vmp_solution *s, size_t h) {
  return s && h < s->nhosts ? s->host_name[h] : NULL;
}

size_t vmp_solution_num_unplaced(const vmp_solution *s) { return s ? s->nunplaced : 0; }

size_t vmp_solution_unplaced_vm(const vmp_solution *s, size_t k) {
  return s && k < s->nunplaced ? s->unplaced[k] : VMP_NONE;
}

const char *vmp_solution_unplaced_reason(const vmp_solution *s, size_t k) {
  return s && k < s->nunplaced ? s->unplaced_reason[k] : NULL;
}

size_t vmp_solution_num_violations(const vmp_solution *s) { return s ? s->nviol : 0; }

int vmp_solution_violation_at(const vmp_solution *s, size_t k, const char **kind,
                           const char **message, int *hard) {
  if (!s || k >= s->nviol) return vmp__error(VMP_EINVAL, "violation index out of range");
  if (kind) *kind = s->viol[k].kind;
  if (message) *message = s->viol[k].message;
  if (hard) *hard = s->viol[k].hard;
  return 0;
}

int vmp_solution_violation_detail(const vmp_solution *s, size_t k, size_t *vm, size_t *host,
                                  const char **name, const char **resource, double *amount,
                                  size_t *num_vms) {
  const vmp__violation *v;
  if (vm) *vm = VMP_NONE;
  if (host) *host = VMP_NONE;
  if (name) *name = NULL;
  if (resource) *resource = NULL;
  if (amount) *amount = NAN;
  if (num_vms) *num_vms = 0;
  if (!s || k >= s->nviol) return vmp__error(VMP_EINVAL, "violation index out of range");
  v = &s->viol[k];
  if (vm && v->vm != VMP__NO_HOST) *vm = v->vm;
  if (host && v->host != VMP__NO_HOST) *host = v->host;
  if (name) *name = v->name;
  if (resource) *resource = v->resource;
  if (amount && v->resource) *amount = v->amount;
  if (num_vms && v->vms) *num_vms = v->nvms;
  return 0;
}

size_t vmp_solution_violation_vm(const vmp_solution *s, size_t k, size_t j) {
  if (!s || k >= s->nviol || !s->viol[k].vms || j >= s->viol[k].nvms) return VMP_NONE;
  return s->viol[k].vms[j];
}

size_t vmp_solution_num_terms(const vmp_solution *s) { return s ? VMP__NTERMS : 0; }

int vmp_solution_term_at(const vmp_solution *s, size_t k, const char **name,
                      double *value, double *weighted) {
  if (!s || k >= VMP__NTERMS) return vmp__error(VMP_EINVAL, "term index out of range");
  if (name) *name = vmp__term_names[k];
  if (value) *value = s->raw[k];
  if (weighted) *weighted = s->weighted[k];
  return 0;
}

int vmp_solution_score(const vmp_solution *s, const char *name, double *value,
                       double *weighted) {
  if (!s || !name) return vmp__error(VMP_EINVAL, "solution or name is NULL");
  for (size_t k = 0; k < VMP__NTERMS; k++)
    if (!strcmp(vmp__term_names[k], name)) return vmp_solution_term_at(s, k, NULL, value, weighted);
  return vmp__error(VMP_ENOTFOUND, "unknown score term \"%s\"", name);
}

size_t vmp_solution_num_stats(const vmp_solution *s) { return s ? s->nstats : 0; }

int vmp_solution_stat_at(const vmp_solution *s, size_t k, const char **name,
                         double *value) {
  if (!s || k >= s->nstats) return vmp__error(VMP_EINVAL, "stat index out of range");
  if (name) *name = s->stats[k].name;
  if (value) *value = s->stats[k].value;
  return 0;
}

int vmp_solution_stat(const vmp_solution *s, const char *name, double *value) {
  if (!s || !name) return vmp__error(VMP_EINVAL, "solution or name is NULL");
  for (size_t k = 0; k < s->nstats; k++)
    if (!strcmp(s->stats[k].name, name)) {
      if (value) *value = s->stats[k].value;
      return 0;
    }
  return vmp__error(VMP_ENOTFOUND, "no statistic \"%s\"", name);
}

/* ---- JSON ----------------------------------------------------------------------------- */

/* The structured fields of a violation: "vm" or "vms", "host", "rule" or
 * "group", "resource", "amount" (each only where it applies). */
static int violation_fields(json_t *u, const vmp_solution *s, const vmp__violation *v) {
  int bad = 0;
  if (v->vm != VMP__NO_HOST) bad |= json_object_set_new(u, "vm", json_string(s->vm_name[v->vm]));
  if (v->vms) {
    json_t *a = json_array();
    for (size_t k = 0; a && k < v->nvms; k++)
      bad |= json_array_append_new(a, json_string(s->vm_name[v->vms[k]]));
    bad |= json_object_set_new(u, "vms", a);
  }
  if (v->host != VMP__NO_HOST)
    bad |= json_object_set_new(u, "host", json_string(s->host_name[v->host]));
  if (v->name)
    bad |= json_object_set_new(u, strcmp(v->kind, "rule") ? "group" : "rule",
                               json_string(v->name));
  if (v->resource) {
    bad |= json_object_set_new(u, "resource", json_string(v->resource));
    bad |= json_object_set_new(u, "amount", vmp__json_num_or_null(v->amount));
  }
  return bad;
}

int vmp_solution_to_json(const vmp_solution *s, char **out) {
  json_t *root, *a, *o;
  int bad = 0;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!s) return vmp__error(VMP_EINVAL, "solution is NULL");
  root = json_object();
  if (!root) return vmp__enomem();
  bad |= json_object_set_new(root, "kind", json_string("solution"));
  bad |= json_object_set_new(root, "status", json_string(vmp_status_name(s->status)));
  bad |= json_object_set_new(root, "stop_reason",
                             json_string(vmp_stop_reason_name(s->stop_reason)));
  bad |= json_object_set_new(root, "solver", json_string(s->solver));
  bad |= json_object_set_new(root, "objective", vmp__json_num_or_null(s->objective));
  /* A placement that breaks hard constraints is no answer to the problem:
   * a bound and a gap would compare it with placements it is not one of. */
  bad |= json_object_set_new(root, "bound", s->status == VMP_STATUS_INVALID
                                                ? json_null()
                                                : vmp__json_num_or_null(s->bound));
  bad |= json_object_set_new(root, "gap", s->status == VMP_STATUS_INVALID
                                              ? json_null()
                                              : vmp__json_num_or_null(s->gap));
  bad |= json_object_set_new(root, "hosts_used", json_integer((json_int_t)s->hosts_used));
  bad |= json_object_set_new(root, "time_s", vmp__json_num_or_null(s->time_s));
  o = json_object();
  for (size_t v = 0; o && v < s->nvms; v++)
    if (s->vm_host[v] != VMP__NO_HOST)
      bad |= json_object_set_new(o, s->vm_name[v], json_string(s->host_name[s->vm_host[v]]));
  bad |= json_object_set_new(root, "assignments", o);
  a = json_array();
  for (size_t k = 0; a && k < s->nunplaced; k++) {
    json_t *u = json_object();
    bad |= !u;
    if (u) {
      bad |= json_object_set_new(u, "vm", json_string(s->vm_name[s->unplaced[k]]));
      bad |= json_object_set_new(u, "reason", json_string(s->unplaced_reason[k]));
    }
    bad |= json_array_append_new(a, u);
  }
  bad |= json_object_set_new(root, "unplaced", a);
  a = json_array();
  for (size_t k = 0; a && k < s->nviol; k++) {
    json_t *u = json_object();
    bad |= !u;
    if (u) {
      bad |= json_object_set_new(u, "kind", json_string(s->viol[k].kind));
      bad |= json_object_set_new(u, "hard", json_boolean(s->viol[k].hard));
      bad |= violation_fields(u, s, &s->viol[k]);
      bad |= json_object_set_new(u, "message", json_string(s->viol[k].message));
    }
    bad |= json_array_append_new(a, u);
  }
  bad |= json_object_set_new(root, "violations", a);
  o = json_object();
  for (size_t k = 0; o && k < VMP__NTERMS; k++) {
    json_t *t = json_object();
    bad |= !t;
    if (t) {
      bad |= json_object_set_new(t, "value", vmp__json_num_or_null(s->raw[k]));
      bad |= json_object_set_new(t, "weighted", vmp__json_num_or_null(s->weighted[k]));
    }
    bad |= json_object_set_new(o, vmp__term_names[k], t);
  }
  bad |= json_object_set_new(root, "score", o);
  o = json_object();
  for (size_t k = 0; o && k < s->nstats; k++)
    bad |= json_object_set_new(o, s->stats[k].name, vmp__json_num_or_null(s->stats[k].value));
  bad |= json_object_set_new(root, "stats", o);
  if (!bad) *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  return *out ? 0 : vmp__enomem();
}

int vmp_solution_write(const vmp_solution *s, const char *path) {
  char *text;
  int rc;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp_solution_to_json(s, &text))) return rc;
  rc = vmp__write_text_file(path, text);
  free(text);
  return rc;
}

static const char *const SOLUTION_KEYS[] = {
    "kind", "status", "stop_reason", "solver", "objective", "bound", "gap",
    "hosts_used", "time_s", "assignments", "unplaced", "violations", "score",
    "stats", NULL};

int vmp_solution_parse(const vmp_problem *p, const char *data, size_t len,
                       const char *origin, vmp_solution **out) {
  json_error_t err;
  json_t *root, *v;
  const char *key;
  uint32_t *vh = NULL;
  uint8_t *seen = NULL;
  int rc = 0;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p || (!data && len)) return vmp__error(VMP_EINVAL, "problem or data is NULL");
  if (!origin) origin = "<solution>";
  if (len == 0) return vmp__error(VMP_EPARSE, "%s: empty input", origin);
  root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
  if (!root)
    return vmp__error(VMP_EPARSE, "%s: line %d column %d: %s", origin, err.line,
                      err.column, err.text);
  if ((rc = vmp__json_check_kind(origin, root, "solution"))) goto done;
  json_object_foreach(root, key, v) {
    int ok = 0;
    for (const char *const *k = SOLUTION_KEYS; *k; k++)
      if (!strcmp(*k, key)) ok = 1;
    if (!ok) {
      rc = vmp__error(VMP_EPARSE, "%s: unknown key \"%s\"", origin, key);
      goto done;
    }
  }
  vh = malloc((p->nvms + 1) * sizeof *vh);
  seen = calloc(p->nvms + 1, 1);
  if (!vh || !seen) {
    rc = vmp__enomem();
    goto done;
  }
  for (size_t k = 0; k < p->nvms; k++) vh[k] = VMP__NO_HOST;
  v = json_object_get(root, "assignments");
  if (!json_is_object(v)) {
    rc = vmp__error(VMP_EPARSE, "%s: assignments: expected an object of VM -> host",
                    origin);
    goto done;
  }
  {
    json_t *hv;
    json_object_foreach(v, key, hv) {
      size_t vm, h;
      if (vmp_problem_find_vm(p, key, &vm)) {
        rc = vmp__error(VMP_ENOTFOUND, "%s: assignments.%s: unknown VM \"%s\"", origin,
                        key, key);
        goto done;
      }
      seen[vm] = 1;
      if (json_is_null(hv)) continue;
      if (!json_is_string(hv)) {
        rc = vmp__error(VMP_EPARSE, "%s: assignments.%s: expected a host name", origin,
                        key);
        goto done;
      }
      if (vmp_problem_find_host(p, json_string_value(hv), &h)) {
        rc = vmp__error(VMP_ENOTFOUND, "%s: assignments.%s: unknown host \"%s\"",
                        origin, key, json_string_value(hv));
        goto done;
      }
      vh[vm] = (uint32_t)h;
    }
  }
  if ((v = json_object_get(root, "unplaced"))) {
    size_t k;
    json_t *e;
    if (!json_is_array(v)) {
      rc = vmp__error(VMP_EPARSE, "%s: unplaced: expected an array", origin);
      goto done;
    }
    json_array_foreach(v, k, e) {
      json_t *n = json_is_object(e) ? json_object_get(e, "vm") : e;
      size_t vm;
      if (!json_is_string(n)) {
        rc = vmp__error(VMP_EPARSE, "%s: unplaced[%zu]: expected a VM name or {\"vm\": name}",
                        origin, k);
        goto done;
      }
      if (vmp_problem_find_vm(p, json_string_value(n), &vm)) {
        rc = vmp__error(VMP_ENOTFOUND, "%s: unplaced[%zu]: unknown VM \"%s\"", origin, k,
                        json_string_value(n));
        goto done;
      }
      if (vh[vm] != VMP__NO_HOST) {
        rc = vmp__error(VMP_EPARSE, "%s: unplaced[%zu]: VM \"%s\" also has a host in assignments",
                        origin, k, json_string_value(n));
        goto done;
      }
      seen[vm] = 1;
    }
  }
  for (size_t k = 0; k < p->nvms; k++)
    if (!seen[k]) {
      rc = vmp__error(VMP_EPARSE,
                      "%s: assignments: VM \"%s\" is missing (list it under "
                      "\"unplaced\" if it has no host)",
                      origin, vmp_problem_vm_name(p, k));
      goto done;
    }
  rc = evaluate_hosts(p, vh, out);
done:
  free(vh);
  free(seen);
  json_decref(root);
  return rc;
}

int vmp_solution_read(const vmp_problem *p, const char *path, vmp_solution **out) {
  char *data;
  size_t len;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp__read_file(path, &data, &len))) return rc;
  rc = vmp_solution_parse(p, data, len, path, out);
  free(data);
  return rc;
}
