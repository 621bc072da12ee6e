/*
 * Explanations (explain.h) and the public vmp_explanation object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "evaluate.h"
#include "explain.h"
#include "model.h"
#include "rule.h"
#include "solution_impl.h"

#define VN(v) vmp_problem_vm_name(p, (v))
#define HN(h) vmp_problem_host_name(p, (h))

int vmp__explainer_init(vmp__explainer *ex, const vmp_problem *p,
                        const uint32_t *vm_host) {
  uint32_t *cnt;
  memset(ex, 0, sizeof *ex);
  ex->p = p;
  ex->vm_host = vm_host;
  ex->load = calloc(p->nhosts * p->nres + 1, sizeof *ex->load);
  ex->vg_start = calloc(p->nvms + 2, sizeof *ex->vg_start);
  ex->held = vmp__eval_transient_held(p, vm_host);
  if (!ex->load || !ex->vg_start || !ex->held) goto oom;
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t h = vm_host[v];
    if (h == VMP__NO_HOST) continue;
    for (uint32_t r = 0; r < p->nres; r++)
      ex->load[h * p->nres + r] += p->vm_demand[v * p->nres + r];
  }
  for (size_t g = 0; g < p->ngroups; g++)
    for (uint32_t k = 0; k < p->groups[g].nvms; k++)
      ex->vg_start[p->groups[g].vms[k] + 1]++;
  for (size_t v = 0; v < p->nvms; v++) ex->vg_start[v + 1] += ex->vg_start[v];
  ex->vg = malloc((ex->vg_start[p->nvms] + 1) * sizeof *ex->vg);
  cnt = calloc(p->nvms + 1, sizeof *cnt);
  if (!ex->vg || !cnt) {
    free(cnt);
    goto oom;
  }
  for (size_t g = 0; g < p->ngroups; g++)
    for (uint32_t k = 0; k < p->groups[g].nvms; k++) {
      uint32_t v = p->groups[g].vms[k];
      ex->vg[ex->vg_start[v] + cnt[v]++] = (uint32_t)g;
    }
  free(cnt);
  return 0;
oom:
  vmp__explainer_free(ex);
  return vmp__enomem();
}

void vmp__explainer_free(vmp__explainer *ex) {
  VMP__FREE_ALL(ex->load, ex->vg_start, ex->vg, ex->held);
  memset(ex, 0, sizeof *ex);
}

void vmp__reasons_clear(vmp__reasons *r) {
  for (size_t k = 0; k < r->n; k++) {
    free(r->key[k]);
    free(r->msg[k]);
  }
  r->n = 0;
}

void vmp__reasons_free(vmp__reasons *r) {
  vmp__reasons_clear(r);
  free(r->key);
  free(r->msg);
  memset(r, 0, sizeof *r);
}

#define add_reason vmp__reasons_add

void vmp__reasons_add(vmp__reasons *r, const char *key, const char *fmt, ...) {
  va_list ap;
  size_t cap2 = r->cap;
  if (r->oom) return;
  if (vmp__grow(&r->key, &cap2, r->n + 1, sizeof *r->key) ||
      vmp__grow(&r->msg, &r->cap, r->n + 1, sizeof *r->msg)) {
    r->oom = 1;
    return;
  }
  r->key[r->n] = vmp__strdup(key);
  va_start(ap, fmt);
  r->msg[r->n] = vmp__vstrfmt(fmt, ap);
  va_end(ap);
  if (!r->key[r->n] || !r->msg[r->n]) {
    free(r->key[r->n]);
    free(r->msg[r->n]);
    r->oom = 1;
    return;
  }
  r->n++;
}

/* All-or-nothing groups move as one unit (the compile step's items). */
static int merged(const vmp__group *g) {
  return g->hard && g->policy == VMP_AFFINITY && g->scope == 0 && g->all_or_nothing;
}

static void where(const vmp_problem *p, uint32_t scope, uint32_t h, char *buf,
                  size_t n) {
  uint32_t val = scope ? vmp__labels_get(&p->host_labels[h], scope) : 0;
  char q[400];
  if (scope && val)
    snprintf(buf, n, "in %s %s (on %s)", vmp__pool_str(&p->pool, scope),
             vmp__printable(q, sizeof q, vmp__pool_str(&p->pool, val)), HN(h));
  else
    snprintf(buf, n, "on %s", HN(h));
}

/* The VMs that must move with v: v and the unplaced members of its hard
 * host-affinity groups, transitively.  Returns their count; fills dem. */
static size_t unit_demand(const vmp__explainer *ex, uint32_t v, double *dem,
                          uint32_t *list, uint8_t *seen) {
  const vmp_problem *p = ex->p;
  size_t n = 0, next = 0;
  list[n++] = v;
  seen[v] = 1;
  memset(dem, 0, p->nres * sizeof *dem);
  /* Breadth-first: list[0..n) is both the queue and the visited set. */
  while (next < n) {
    uint32_t u = list[next++];
    for (uint32_t r = 0; r < p->nres; r++) dem[r] += p->vm_demand[u * p->nres + r];
    for (uint32_t k = ex->vg_start[u]; k < ex->vg_start[u + 1]; k++) {
      const vmp__group *g = &p->groups[ex->vg[k]];
      if (!merged(g)) continue;
      for (uint32_t j = 0; j < g->nvms; j++) {
        uint32_t w = g->vms[j];
        if (seen[w] || ex->vm_host[w] != VMP__NO_HOST) continue;
        seen[w] = 1;
        list[n++] = w;
      }
    }
  }
  for (size_t k = 0; k < n; k++) seen[list[k]] = 0;
  return n;
}

static void explain_capacity(const vmp__explainer *ex, uint32_t v, uint32_t h,
                             vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  double dem[VMP__MAX_RESOURCES];
  size_t nunit = 1;
  uint32_t *stack = NULL;
  uint8_t *seen = NULL;
  int has_merged = 0;
  for (uint32_t k = ex->vg_start[v]; k < ex->vg_start[v + 1]; k++)
    if (merged(&p->groups[ex->vg[k]])) has_merged = 1;
  if (has_merged) {
    stack = malloc(p->nvms * sizeof *stack);
    seen = calloc(p->nvms, 1);
  }
  if (stack && seen) {
    nunit = unit_demand(ex, v, dem, stack, seen);
  } else {
    for (uint32_t q = 0; q < p->nres; q++) dem[q] = p->vm_demand[v * p->nres + q];
  }
  free(stack);
  free(seen);
  for (uint32_t q = 0; q < p->nres; q++) {
    double cap = vmp_problem_host_effective_capacity(p, h, q);
    double used = ex->load[h * p->nres + q];
    double free_;
    char b1[32], b2[32], b3[32];
    if (ex->vm_host[v] == h) used -= p->vm_demand[v * p->nres + q];
    if (used < 0) used = 0;
    free_ = cap - used;
    if (used + dem[q] <= cap * (1 + VMP__REL_EPS) + VMP__ABS_EPS) continue;
    if (nunit > 1)
      add_reason(r, vmp_problem_resource_name(p, q),
                 "%s: needs %s for %zu VMs kept together by affinity, free %s of %s",
                 vmp_problem_resource_name(p, q), vmp__fmt_num(b1, dem[q]), nunit,
                 vmp__fmt_num(b2, free_ > 0 ? free_ : 0), vmp__fmt_num(b3, cap));
    else
      add_reason(r, vmp_problem_resource_name(p, q), "%s: needs %s, free %s of %s",
                 vmp_problem_resource_name(p, q), vmp__fmt_num(b1, dem[q]),
                 vmp__fmt_num(b2, free_ > 0 ? free_ : 0), vmp__fmt_num(b3, cap));
  }
}

static void explain_groups(const vmp__explainer *ex, uint32_t v, uint32_t h,
                           vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  for (uint32_t k = ex->vg_start[v]; k < ex->vg_start[v + 1]; k++) {
    const vmp__group *g = &p->groups[ex->vg[k]];
    const char *gname = vmp__pool_str(&p->pool, g->name);
    uint64_t d = vmp__host_domain(p, g->scope, h);
    char key[600], loc[600];
    if (!g->hard) continue;
    for (uint32_t j = 0; j < g->nvms; j++) {
      uint32_t w = g->vms[j], wh = ex->vm_host[w];
      if (w == v || wh == VMP__NO_HOST) continue;
      if (g->policy == VMP_ANTI_AFFINITY && vmp__host_domain(p, g->scope, wh) == d) {
        snprintf(key, sizeof key, "anti-affinity %s", gname);
        where(p, g->scope, wh, loc, sizeof loc);
        add_reason(r, key, "anti-affinity %s: %s already %s", gname, VN(w), loc);
        break;
      }
      if (g->policy == VMP_AFFINITY && vmp__host_domain(p, g->scope, wh) != d) {
        snprintf(key, sizeof key, "affinity %s", gname);
        where(p, g->scope, wh, loc, sizeof loc);
        add_reason(r, key, "affinity %s: %s is %s", gname, VN(w), loc);
        break;
      }
    }
  }
}

int vmp__explain_host(const vmp__explainer *ex, uint32_t v, uint32_t h,
                      vmp__reasons *r) {
  const vmp_problem *p = ex->p;
  if (p->host_maintenance[h])
    add_reason(r, "maintenance", "maintenance: %s is in maintenance", HN(h));
  if (p->vm_pinned[v] && p->vm_host[v] != h) {
    if (p->vm_host[v] == VMP__NO_HOST)
      add_reason(r, "pinned", "pinned: %s is pinned but has no current host", VN(v));
    else
      add_reason(r, "pinned", "pinned: %s is pinned to %s", VN(v), HN(p->vm_host[v]));
  }
  if (p->vm_allowed[v].n && !vmp__hostlist_has(&p->vm_allowed[v], h))
    add_reason(r, "allowed_hosts", "allowed_hosts: %s is not in %s's list", HN(h),
               VN(v));
  for (size_t q = 0; q < p->nrules; q++) {
    const vmp__rule *ru = &p->rules[q];
    char key[600];
    vmp__buf why;
    if (!ru->hard) continue;
    if (ru->when && !vmp__expr_eval(ru->when, p, v, h)) continue;
    if (vmp__expr_eval(ru->require, p, v, h)) continue;
    vmp__buf_init(&why);
    vmp__expr_explain(ru->require, p, v, h, &why);
    snprintf(key, sizeof key, "rule %s", vmp__pool_str(&p->pool, ru->name));
    add_reason(r, key, "rule %s: %s", vmp__pool_str(&p->pool, ru->name),
               why.data ? why.data : "require does not hold");
    vmp__buf_free(&why);
  }
  explain_capacity(ex, v, h, r);
  explain_groups(ex, v, h, r);
  vmp__explain_reassign(ex, v, h, r);
  return r->oom ? vmp__enomem() : 0;
}

/* ---- counting ------------------------------------------------------------------- */

typedef struct kcount {
  char *key;
  size_t n;
} kcount;

static int cmp_kcount(const void *a, const void *b) {
  const kcount *x = a, *y = b;
  if (x->n != y->n) return x->n > y->n ? -1 : 1;
  return strcmp(x->key, y->key);
}

static int count_key(kcount **kc, size_t *n, size_t *cap, const char *key) {
  for (size_t k = 0; k < *n; k++)
    if (!strcmp((*kc)[k].key, key)) {
      (*kc)[k].n++;
      return 0;
    }
  if (vmp__grow(kc, cap, *n + 1, sizeof **kc)) return VMP_ENOMEM;
  (*kc)[*n].key = vmp__strdup(key);
  if (!(*kc)[*n].key) return vmp__enomem();
  (*kc)[*n].n = 1;
  (*n)++;
  return 0;
}

static void kc_free(kcount *kc, size_t n) {
  for (size_t k = 0; k < n; k++) free(kc[k].key);
  free(kc);
}

/* The summary only counts hosts per constraint, so it never formats a
 * message: per host it asks the same questions as vmp__explain_host and
 * bumps a counter per failing constraint (each counted once per host).
 * The unit's demand is computed once, not per host. */
int vmp__explain_summary(const vmp__explainer *ex, uint32_t v, int solved,
                         char **out) {
  const vmp_problem *p = ex->p;
  size_t nk = 3 + p->nrules + p->nres + p->ngroups, fits = 0, nkc = 0;
  size_t *cnt = calloc(nk, sizeof *cnt);
  kcount *kc = NULL;
  double dem[VMP__MAX_RESOURCES];
  uint32_t *list = NULL;
  uint8_t *seen = NULL;
  int has_merged = 0, rc = 0;
  vmp__buf b;
  *out = NULL;
  if (!cnt) return vmp__enomem();
  for (uint32_t k = ex->vg_start[v]; k < ex->vg_start[v + 1]; k++)
    if (merged(&p->groups[ex->vg[k]])) has_merged = 1;
  if (has_merged) {
    list = malloc(p->nvms * sizeof *list);
    seen = calloc(p->nvms, 1);
  }
  if (list && seen)
    unit_demand(ex, v, dem, list, seen);
  else
    for (uint32_t q = 0; q < p->nres; q++) dem[q] = p->vm_demand[v * p->nres + q];
  free(list);
  free(seen);
  for (size_t h = 0; h < p->nhosts; h++) {
    int any = 0;
    if (p->host_maintenance[h]) cnt[0]++, any = 1;
    if (p->vm_pinned[v] && p->vm_host[v] != h) cnt[1]++, any = 1;
    if (p->vm_allowed[v].n && !vmp__hostlist_has(&p->vm_allowed[v], (uint32_t)h))
      cnt[2]++, any = 1;
    for (size_t q = 0; q < p->nrules; q++) {
      const vmp__rule *ru = &p->rules[q];
      if (!ru->hard || (ru->when && !vmp__expr_eval(ru->when, p, v, (uint32_t)h)) ||
          vmp__expr_eval(ru->require, p, v, (uint32_t)h))
        continue;
      cnt[3 + q]++, any = 1;
    }
    for (uint32_t q = 0; q < p->nres; q++) {
      double cap = vmp_problem_host_effective_capacity(p, h, q);
      double used = ex->load[h * p->nres + q];
      if (ex->vm_host[v] == h) used -= p->vm_demand[v * p->nres + q];
      if (used < 0) used = 0;
      if (used + dem[q] <= cap * (1 + VMP__REL_EPS) + VMP__ABS_EPS) continue;
      cnt[3 + p->nrules + q]++, any = 1;
    }
    for (uint32_t k = ex->vg_start[v]; k < ex->vg_start[v + 1]; k++) {
      const vmp__group *g = &p->groups[ex->vg[k]];
      uint64_t d = vmp__host_domain(p, g->scope, (uint32_t)h);
      if (!g->hard) continue;
      for (uint32_t j = 0; j < g->nvms; j++) {
        uint32_t w = g->vms[j], wh = ex->vm_host[w];
        if (w == v || wh == VMP__NO_HOST) continue;
        if ((g->policy == VMP_ANTI_AFFINITY) == (vmp__host_domain(p, g->scope, wh) == d)) {
          cnt[3 + p->nrules + p->nres + ex->vg[k]]++, any = 1;
          break;
        }
      }
    }
    fits += !any;
  }
  kc = calloc(nk, sizeof *kc);
  if (!kc) rc = vmp__enomem();
  for (size_t k = 0; k < nk && !rc; k++) {
    char key[600];
    if (!cnt[k]) continue;
    if (k < 3)
      snprintf(key, sizeof key, "%s", k == 0 ? "maintenance" : k == 1 ? "pinned" : "allowed_hosts");
    else if (k < 3 + p->nrules)
      snprintf(key, sizeof key, "rule %s", vmp__pool_str(&p->pool, p->rules[k - 3].name));
    else if (k < 3 + p->nrules + p->nres)
      snprintf(key, sizeof key, "%s", vmp_problem_resource_name(p, k - 3 - p->nrules));
    else {
      const vmp__group *g = &p->groups[k - 3 - p->nrules - p->nres];
      snprintf(key, sizeof key, "%s %s", g->policy == VMP_ANTI_AFFINITY ? "anti-affinity" : "affinity",
               vmp__pool_str(&p->pool, g->name));
    }
    if (!(kc[nkc].key = vmp__strdup(key))) {
      rc = vmp__enomem();
      break;
    }
    kc[nkc++].n = cnt[k];
  }
  free(cnt);
  if (rc) {
    kc_free(kc, nkc);
    return rc;
  }
  if (nkc > 1) qsort(kc, nkc, sizeof *kc, cmp_kcount);
  vmp__buf_init(&b);
  if (p->nhosts == 0)
    vmp__buf_puts(&b, "no hosts");
  else if (fits && solved)
    vmp__buf_printf(&b,
                    "fits on %zu host%s as the others are placed, but the "
                    "solver left it out",
                    fits, fits == 1 ? "" : "s");
  else if (fits)
    vmp__buf_printf(&b, "no host assigned; fits on %zu host%s as the others are placed",
                    fits, fits == 1 ? "" : "s");
  else
    vmp__buf_puts(&b, "no host fits");
  for (size_t k = 0; k < nkc; k++)
    vmp__buf_printf(&b, "%s%zu host%s: %s", k == 0 ? (fits ? "; " : ": ") : "; ",
                    kc[k].n, kc[k].n == 1 ? "" : "s", kc[k].key);
  kc_free(kc, nkc);
  *out = vmp__buf_take(&b);
  return *out ? 0 : vmp__enomem();
}

/* ---- the public explanation object ------------------------------------------------- */

struct vmp_explanation {
  char *vm;
  size_t nhosts;
  char **host;
  size_t *rstart;          /* [nhosts+1] CSR into key/msg */
  char **key, **msg;
  size_t nkeys;
  kcount *counts;
  size_t ncounts;
};

void vmp_explanation_free(vmp_explanation *e) {
  if (!e) return;
  free(e->vm);
  for (size_t h = 0; h < e->nhosts && e->host; h++) free(e->host[h]);
  free(e->host);
  for (size_t k = 0; k < e->nkeys; k++) {
    free(e->key[k]);
    free(e->msg[k]);
  }
  free(e->key);
  free(e->msg);
  free(e->rstart);
  kc_free(e->counts, e->ncounts);
  free(e);
}

int vmp_explain(const vmp_problem *p, const vmp_solution *s, size_t v,
                vmp_explanation **out) {
  vmp__explainer ex;
  vmp__reasons r = {0};
  vmp_explanation *e;
  size_t kcap = 0, ccap = 0;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if (v >= p->nvms)
    return vmp__error(VMP_EINVAL, "VM index %zu out of range (%zu VMs)", v, p->nvms);
  if (s && (s->nvms != p->nvms || s->nhosts != p->nhosts))
    return vmp__error(VMP_EINVAL,
                      "the solution has %zu VMs and %zu hosts; the problem %zu "
                      "and %zu: not from this problem",
                      s->nvms, s->nhosts, p->nvms, p->nhosts);
  if ((rc = vmp__explainer_init(&ex, p, s ? s->vm_host : p->vm_host))) return rc;
  e = calloc(1, sizeof *e);
  if (!e) {
    vmp__explainer_free(&ex);
    return vmp__enomem();
  }
  e->vm = vmp__strdup(vmp_problem_vm_name(p, v));
  e->host = calloc(p->nhosts + 1, sizeof *e->host);
  e->rstart = calloc(p->nhosts + 1, sizeof *e->rstart);
  e->nhosts = p->nhosts;
  rc = (!e->vm || !e->host || !e->rstart) ? vmp__enomem() : 0;
  for (size_t h = 0; h < p->nhosts && !rc; h++) {
    e->host[h] = vmp__strdup(vmp_problem_host_name(p, h));
    if (!e->host[h]) {
      rc = vmp__enomem();
      break;
    }
    vmp__reasons_clear(&r);
    if ((rc = vmp__explain_host(&ex, (uint32_t)v, (uint32_t)h, &r))) break;
    for (size_t k = 0; k < r.n && !rc; k++) {
      size_t kc2 = kcap;
      int dup = 0;
      if (vmp__grow(&e->key, &kc2, e->nkeys + 1, sizeof *e->key) ||
          vmp__grow(&e->msg, &kcap, e->nkeys + 1, sizeof *e->msg)) {
        rc = VMP_ENOMEM;
        break;
      }
      e->key[e->nkeys] = r.key[k];
      e->msg[e->nkeys] = r.msg[k];
      r.key[k] = r.msg[k] = NULL;
      e->nkeys++;
      for (size_t j = e->rstart[h]; j + 1 < e->nkeys; j++)
        if (!strcmp(e->key[j], e->key[e->nkeys - 1])) dup = 1;
      if (!dup) rc = count_key(&e->counts, &e->ncounts, &ccap, e->key[e->nkeys - 1]);
    }
    e->rstart[h + 1] = e->nkeys;
  }
  vmp__reasons_free(&r);
  vmp__explainer_free(&ex);
  if (rc) {
    vmp_explanation_free(e);
    return rc;
  }
  if (e->ncounts > 1) qsort(e->counts, e->ncounts, sizeof *e->counts, cmp_kcount);
  *out = e;
  return 0;
}

size_t vmp_explanation_num_hosts(const vmp_explanation *e) { return e ? e->nhosts : 0; }

const char *vmp_explanation_host(const vmp_explanation *e, size_t k) {
  return e && k < e->nhosts ? e->host[k] : NULL;
}

int vmp_explanation_fits(const vmp_explanation *e, size_t k) {
  return e && k < e->nhosts && e->rstart[k] == e->rstart[k + 1];
}

size_t vmp_explanation_num_reasons(const vmp_explanation *e, size_t k) {
  return e && k < e->nhosts ? e->rstart[k + 1] - e->rstart[k] : 0;
}

int vmp_explanation_reason_at(const vmp_explanation *e, size_t k, size_t j,
                           const char **key, const char **message) {
  if (!e || k >= e->nhosts || j >= e->rstart[k + 1] - e->rstart[k])
    return vmp__error(VMP_EINVAL, "reason index out of range");
  if (key) *key = e->key[e->rstart[k] + j];
  if (message) *message = e->msg[e->rstart[k] + j];
  return 0;
}

size_t vmp_explanation_num_counts(const vmp_explanation *e) { return e ? e->ncounts : 0; }

int vmp_explanation_count_at(const vmp_explanation *e, size_t j, const char **key,
                          size_t *hosts) {
  if (!e || j >= e->ncounts) return vmp__error(VMP_EINVAL, "count index out of range");
  if (key) *key = e->counts[j].key;
  if (hosts) *hosts = e->counts[j].n;
  return 0;
}

static size_t fit_count(const vmp_explanation *e) {
  size_t n = 0;
  for (size_t h = 0; h < e->nhosts; h++) n += e->rstart[h] == e->rstart[h + 1];
  return n;
}

int vmp_explanation_to_text(const vmp_explanation *e, char **out) {
  vmp__buf b;
  size_t fits;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!e) return vmp__error(VMP_EINVAL, "explanation is NULL");
  fits = fit_count(e);
  vmp__buf_init(&b);
  vmp__buf_printf(&b, "%s fits on %zu of %zu hosts\n", e->vm, fits, e->nhosts);
  for (size_t j = 0; j < e->ncounts; j++)
    vmp__buf_printf(&b, "  %zu host%s: %s\n", e->counts[j].n,
                    e->counts[j].n == 1 ? "" : "s", e->counts[j].key);
  for (size_t h = 0; h < e->nhosts; h++) {
    if (e->rstart[h] == e->rstart[h + 1]) {
      vmp__buf_printf(&b, "%s: fits\n", e->host[h]);
      continue;
    }
    vmp__buf_printf(&b, "%s:\n", e->host[h]);
    for (size_t k = e->rstart[h]; k < e->rstart[h + 1]; k++)
      vmp__buf_printf(&b, "  %s\n", e->msg[k]);
  }
  *out = vmp__buf_take(&b);
  return *out ? 0 : vmp__enomem();
}

int vmp_explanation_to_json(const vmp_explanation *e, char **out) {
  json_t *root, *hosts, *counts;
  int bad = 0;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!e) return vmp__error(VMP_EINVAL, "explanation is NULL");
  root = json_object();
  hosts = json_array();
  counts = json_array();
  if (!root || !hosts || !counts) {
    json_decref(root);
    json_decref(hosts);
    json_decref(counts);
    return vmp__enomem();
  }
  bad |= json_object_set_new(root, "vm", json_string(e->vm));
  bad |= json_object_set_new(root, "fits", json_integer((json_int_t)fit_count(e)));
  bad |= json_object_set_new(root, "hosts_total", json_integer((json_int_t)e->nhosts));
  for (size_t j = 0; j < e->ncounts; j++) {
    json_t *c = json_pack("{s:s, s:I}", "constraint", e->counts[j].key, "hosts",
                          (json_int_t)e->counts[j].n);
    bad |= !c || json_array_append_new(counts, c);
  }
  for (size_t h = 0; h < e->nhosts; h++) {
    json_t *o = json_object(), *rs = json_array();
    bad |= !o || !rs;
    for (size_t k = e->rstart[h]; rs && k < e->rstart[h + 1]; k++) {
      json_t *c = json_pack("{s:s, s:s}", "constraint", e->key[k], "message", e->msg[k]);
      bad |= !c || json_array_append_new(rs, c);
    }
    if (o) {
      bad |= json_object_set_new(o, "host", json_string(e->host[h]));
      bad |= json_object_set_new(o, "fits", json_boolean(e->rstart[h] == e->rstart[h + 1]));
      bad |= json_object_set_new(o, "reasons", rs);
    }
    bad |= json_array_append_new(hosts, o);
  }
  bad |= json_object_set_new(root, "counts", counts);
  bad |= json_object_set_new(root, "hosts", hosts);
  if (!bad) *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  return *out ? 0 : vmp__enomem();
}
