/*
 * The evaluator (evaluate.h).  Straightforward on purpose: it recomputes
 * everything from the problem in O(VMs x rules + group sizes) and trusts no
 * solver bookkeeping.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "model.h"
#include "rule.h"

const char *const vmp__term_names[VMP__NTERMS] = {
    "unplaced",   "cost",          "soft",        "migrations", "balance",
    "safety",     "ratio_balance", "group_moves", "host_moves"};

/* Counts a violation; with detail, records it and returns it (for the
 * structured fields), else NULL. */
#define add_violation vmp__eval_violation

vmp__violation *vmp__eval_violation(vmp__eval *e, int detail, const char *kind, int hard,
                                    const char *fmt, ...) {
  vmp__violation *v;
  va_list ap;
  if (hard)
    e->hard_violations++;
  else
    e->soft_violations++;
  if (!detail) return NULL;
  if (vmp__grow(&e->viol, &e->viol_cap, e->nviol + 1, sizeof *e->viol)) {
    e->oom = 1;
    return NULL;
  }
  v = &e->viol[e->nviol];
  memset(v, 0, sizeof *v);
  v->kind = kind;
  v->hard = hard;
  v->vm = v->host = VMP__NO_HOST;
  v->amount = NAN;
  va_start(ap, fmt);
  v->message = vmp__vstrfmt(fmt, ap);
  va_end(ap);
  if (!v->message) {
    e->oom = 1;
    return NULL;
  }
  e->nviol++;
  return v;
}

/* The structured fields of a recorded violation (v may be NULL). */
static void set_detail(vmp__eval *e, vmp__violation *v, uint32_t vm, uint32_t host,
                       const char *name) {
  if (!v) return;
  v->vm = vm;
  v->host = host;
  if (name && !(v->name = vmp__strdup(name))) e->oom = 1;
}

void vmp__violation_free(vmp__violation *v) {
  VMP__FREE_ALL(v->message, v->vms, v->name, v->resource);
}

void vmp__eval_free(vmp__eval *e) {
  for (size_t k = 0; k < e->nviol; k++) vmp__violation_free(&e->viol[k]);
  free(e->viol);
  memset(e, 0, sizeof *e);
}

#define VN(v) vmp_problem_vm_name(p, (v))
#define HN(h) vmp_problem_host_name(p, (h))

/* Per-VM constraints: maintenance, pin, allowed hosts, rules. */
static void check_vm(const vmp_problem *p, uint32_t v, uint32_t h, int detail,
                     vmp__eval *e) {
  if (p->host_maintenance[h])
    set_detail(e,
               add_violation(e, detail, "maintenance", 1,
                             "%s is on %s, which is in maintenance", VN(v), HN(h)),
               v, h, NULL);
  if (p->vm_pinned[v] && p->vm_host[v] != h) {
    if (p->vm_host[v] == VMP__NO_HOST)
      set_detail(e,
                 add_violation(e, detail, "pinned", 1,
                               "%s is pinned but has no current host; placed on %s",
                               VN(v), HN(h)),
                 v, h, NULL);
    else
      set_detail(e,
                 add_violation(e, detail, "pinned", 1, "%s is pinned to %s but placed on %s",
                               VN(v), HN(p->vm_host[v]), HN(h)),
                 v, h, NULL);
  }
  if (p->vm_allowed[v].n && !vmp__hostlist_has(&p->vm_allowed[v], h))
    set_detail(e,
               add_violation(e, detail, "allowed_hosts", 1,
                             "%s is on %s, which is not among its allowed_hosts", VN(v),
                             HN(h)),
               v, h, NULL);
  for (size_t r = 0; r < p->nrules; r++) {
    const vmp__rule *ru = &p->rules[r];
    if (ru->when && !vmp__expr_eval(ru->when, p, v, h)) continue;
    if (vmp__expr_eval(ru->require, p, v, h)) continue;
    if (!ru->hard) e->raw[VMP__TERM_SOFT] += ru->weight;
    if (detail) {
      vmp__buf why;
      vmp__buf_init(&why);
      vmp__expr_explain(ru->require, p, v, h, &why);
      set_detail(e,
                 add_violation(e, detail, "rule", ru->hard, "rule %s: %s on %s: %s",
                               vmp__pool_str(&p->pool, ru->name), VN(v), HN(h),
                               why.data ? why.data : "require does not hold"),
                 v, h, vmp__pool_str(&p->pool, ru->name));
      vmp__buf_free(&why);
    } else {
      add_violation(e, 0, "rule", ru->hard, "%s", "");
    }
  }
}

static void check_capacity(const vmp_problem *p, const double *load, int detail,
                           vmp__eval *e) {
  for (size_t h = 0; h < p->nhosts; h++)
    for (uint32_t r = 0; r < p->nres; r++) {
      double cap = vmp_problem_host_effective_capacity(p, h, r);
      double l = load[h * p->nres + r];
      char b1[32], b2[32], b3[32], b4[32], b5[32];
      vmp__violation *vi;
      if (l <= cap * (1 + VMP__REL_EPS) + VMP__ABS_EPS) continue;
      vi = add_violation(e, detail, "capacity", 1,
                    "%s: %s %s > %s (capacity %s x %s - reserved %s)", HN(h),
                    vmp_problem_resource_name(p, r), vmp__fmt_num(b1, l),
                    vmp__fmt_num(b2, cap),
                    vmp__fmt_num(b3, p->host_capacity[h * p->nres + r]),
                    vmp__fmt_num(b4, p->host_overcommit[h * p->nres + r]),
                    vmp__fmt_num(b5, p->host_reserved[h * p->nres + r]));
      set_detail(e, vi, VMP__NO_HOST, (uint32_t)h, NULL);
      if (vi) {
        vi->amount = l - cap;
        if (!(vi->resource = vmp__strdup(vmp_problem_resource_name(p, r)))) e->oom = 1;
      }
    }
}

typedef struct member {
  uint64_t dom;
  uint32_t vm;
} member;

static int cmp_member(const void *a, const void *b) {
  const member *x = a, *y = b;
  if (x->dom != y->dom) return x->dom < y->dom ? -1 : 1;
  return (x->vm > y->vm) - (x->vm < y->vm);
}

static void dom_name(const vmp_problem *p, uint32_t scope, uint32_t h,
                     char *buf, size_t n) {
  uint32_t val = scope ? vmp__labels_get(&p->host_labels[h], scope) : 0;
  char q[400];
  if (!scope || !val)
    snprintf(buf, n, "host %s", HN(h));
  else
    snprintf(buf, n, "%s %s", vmp__pool_str(&p->pool, scope),
             vmp__printable(q, sizeof q, vmp__pool_str(&p->pool, val)));
}

/* The VMs of a group violation, in member order. */
static void group_detail(vmp__eval *e, vmp__violation *v, const member *mem, size_t n,
                         uint32_t host, const char *gname) {
  if (!v) return;
  set_detail(e, v, VMP__NO_HOST, host, gname);
  if (!(v->vms = malloc((n + 1) * sizeof *v->vms))) {
    e->oom = 1;
    return;
  }
  for (size_t k = 0; k < n; k++) v->vms[k] = mem[k].vm;
  v->nvms = n;
}

static int check_groups(const vmp_problem *p, const uint32_t *vm_host,
                        int detail, vmp__eval *e) {
  member *mem = NULL;
  size_t cap = 0;
  for (size_t g = 0; g < p->ngroups; g++) {
    const vmp__group *gr = &p->groups[g];
    const char *gname = vmp__pool_str(&p->pool, gr->name);
    size_t n = 0, best = 0, ndom = 0;
    if (vmp__grow(&mem, &cap, gr->nvms, sizeof *mem)) {
      free(mem);
      return VMP_ENOMEM;
    }
    for (uint32_t k = 0; k < gr->nvms; k++) {
      uint32_t v = gr->vms[k];
      if (vm_host[v] == VMP__NO_HOST) continue;
      mem[n].dom = vmp__host_domain(p, gr->scope, vm_host[v]);
      mem[n].vm = v;
      n++;
    }
    qsort(mem, n, sizeof *mem, cmp_member);
    for (size_t a = 0, b; a < n; a = b) {
      for (b = a; b < n && mem[b].dom == mem[a].dom; b++) {}
      ndom++;
      if (b - a > best) best = b - a;
      if (gr->policy == VMP_ANTI_AFFINITY && b - a > 1) {
        if (!gr->hard) e->raw[VMP__TERM_SOFT] += gr->weight * (double)(b - a - 1);
        if (detail) {
          vmp__buf names;
          char dn[512];
          vmp__buf_init(&names);
          for (size_t k = a; k < b; k++)
            vmp__buf_printf(&names, "%s%s", k > a ? ", " : "", VN(mem[k].vm));
          dom_name(p, gr->scope, vm_host[mem[a].vm], dn, sizeof dn);
          group_detail(e,
                       add_violation(e, 1, "anti-affinity", gr->hard,
                                     "anti-affinity %s: %s share %s", gname,
                                     names.data ? names.data : "", dn),
                       mem + a, b - a, gr->scope ? VMP__NO_HOST : vm_host[mem[a].vm], gname);
          vmp__buf_free(&names);
        } else {
          add_violation(e, 0, "anti-affinity", gr->hard, "%s", "");
        }
      }
    }
    if (gr->policy == VMP_AFFINITY && ndom > 1) {
      if (!gr->hard) e->raw[VMP__TERM_SOFT] += gr->weight * (double)(n - best);
      if (detail) {
        vmp__buf where;
        vmp__buf_init(&where);
        for (size_t a = 0, b; a < n; a = b) {
          char dn[512];
          for (b = a; b < n && mem[b].dom == mem[a].dom; b++) {}
          dom_name(p, gr->scope, vm_host[mem[a].vm], dn, sizeof dn);
          vmp__buf_printf(&where, "%s%s: ", a ? "; " : "", dn);
          for (size_t k = a; k < b; k++)
            vmp__buf_printf(&where, "%s%s", k > a ? ", " : "", VN(mem[k].vm));
        }
        group_detail(e,
                     add_violation(e, 1, "affinity", gr->hard,
                                   "affinity %s: members are split over %zu domains (%s)",
                                   gname, ndom, where.data ? where.data : ""),
                     mem, n, VMP__NO_HOST, gname);
        vmp__buf_free(&where);
      } else {
        add_violation(e, 0, "affinity", gr->hard, "%s", "");
      }
    }
    if (gr->all_or_nothing && n > 0 && n < gr->nvms) {
      if (detail) {
        vmp__buf out;
        vmp__buf_init(&out);
        for (uint32_t k = 0, c = 0; k < gr->nvms; k++)
          if (vm_host[gr->vms[k]] == VMP__NO_HOST)
            vmp__buf_printf(&out, "%s%s", c++ ? ", " : "", VN(gr->vms[k]));
        add_violation(e, 1, "affinity", 1,
                      "affinity %s: all or nothing, but %zu of %u members are "
                      "placed (unplaced: %s)",
                      gname, n, (unsigned)gr->nvms, out.data ? out.data : "");
        vmp__buf_free(&out);
      } else {
        add_violation(e, 0, "affinity", 1, "%s", "");
      }
    }
  }
  free(mem);
  return 0;
}

int vmp__evaluate(const vmp_problem *p, const vmp__weights *w,
                  const uint32_t *vm_host, int detail, vmp__eval *e) {
  double *load;
  uint32_t *count;
  int rc;
  memset(e, 0, sizeof *e);
  for (size_t v = 0; v < p->nvms; v++)
    if (vm_host[v] != VMP__NO_HOST && vm_host[v] >= p->nhosts)
      return vmp__error(VMP_EINVAL, "VM %s: host index %u out of range", VN(v),
                        (unsigned)vm_host[v]);
  load = calloc(p->nhosts * p->nres + 1, sizeof *load);
  count = calloc(p->nhosts + 1, sizeof *count);
  if (!load || !count) {
    free(load);
    free(count);
    return vmp__enomem();
  }
  for (size_t v = 0; v < p->nvms; v++) {
    uint32_t h = vm_host[v];
    if (h == VMP__NO_HOST) {
      e->unplaced++;
      e->raw[VMP__TERM_UNPLACED] += 1.0;
      e->weighted[VMP__TERM_UNPLACED] += w->unplaced * (1.0 + p->vm_priority[v]);
      continue;
    }
    e->placed++;
    count[h]++;
    for (uint32_t r = 0; r < p->nres; r++)
      load[h * p->nres + r] += p->vm_demand[v * p->nres + r];
    if (p->vm_host[v] != VMP__NO_HOST && p->vm_host[v] != h)
      e->raw[VMP__TERM_MIGRATIONS] += vmp__vm_migration_cost(p, v);
    check_vm(p, (uint32_t)v, h, detail, e);
  }
  check_capacity(p, load, detail, e);
  rc = check_groups(p, vm_host, detail, e);
  if (!rc) rc = vmp__evaluate_reassign(p, vm_host, load, detail, e);
  for (size_t h = 0; h < p->nhosts; h++) {
    if (!count[h]) continue;
    e->hosts_used++;
    e->raw[VMP__TERM_COST] += p->host_cost[h];
    for (uint32_t r = 0; r < p->nres; r++) {
      double cap = vmp_problem_host_effective_capacity(p, h, r);
      if (cap > 0.0 && load[h * p->nres + r] / cap > e->raw[VMP__TERM_BALANCE])
        e->raw[VMP__TERM_BALANCE] = load[h * p->nres + r] / cap;
    }
  }
  free(load);
  free(count);
  if (rc) {
    vmp__eval_free(e);
    return rc;
  }
  e->weighted[VMP__TERM_COST] = w->cost * e->raw[VMP__TERM_COST];
  e->weighted[VMP__TERM_SOFT] = w->soft * e->raw[VMP__TERM_SOFT];
  e->weighted[VMP__TERM_MIGRATIONS] = w->migrations * e->raw[VMP__TERM_MIGRATIONS];
  e->weighted[VMP__TERM_BALANCE] = w->balance * e->raw[VMP__TERM_BALANCE];
  e->weighted[VMP__TERM_SAFETY] = w->safety * e->raw[VMP__TERM_SAFETY];
  e->weighted[VMP__TERM_RATIO] = w->ratio * e->raw[VMP__TERM_RATIO];
  e->weighted[VMP__TERM_GROUP_MOVES] =
      w->group_moves * e->raw[VMP__TERM_GROUP_MOVES];
  e->weighted[VMP__TERM_HOST_MOVES] =
      w->host_moves * e->raw[VMP__TERM_HOST_MOVES];
  e->objective = 0.0;
  for (int t = 0; t < VMP__NTERMS; t++) e->objective += e->weighted[t];
  if (e->oom) {
    vmp__eval_free(e);
    return vmp__enomem();
  }
  return 0;
}
