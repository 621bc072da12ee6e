/*
 * CPU entitlements on overcommitted hosts (include/vmplace/entitlements.h,
 * docs/formulations.md "Entitlements", equations (E1)-(E3)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glpk_util.h"
#include "opts.h"
#include "problem_impl.h"
#include "solution_impl.h"

struct vmp_entitlements {
  size_t nvms, nhosts;
  size_t *host;        /* [nvms] VMP_NONE when unplaced */
  double *demand;      /* [nvms] */
  double *ent;         /* [nvms] entitlement */
  double *hcap;        /* [nhosts] physical capacity */
  double *hdem;        /* [nhosts] demand of its VMs */
  uint8_t *hover;      /* [nhosts] overcommitted */
  double period, spu;
};

VMP__OPTS_ABI(ent_opts_abi, vmp_entitlements_opts, VMP_ENTITLEMENTS_OPTS_VERSION,
              VMP_ENTITLEMENTS_OPTS_INIT, "entitlements options",
              "vmp_entitlements_opts_init",
              VMP__OPTS_END(vmp_entitlements_opts, shares_per_unit));

int vmp_entitlements_opts_init(vmp_entitlements_opts *opts, uint32_t version) {
  return vmp__opts_init(&ent_opts_abi, opts, version);
}

void vmp_entitlements_free(vmp_entitlements *e) {
  if (!e) return;
  VMP__FREE_ALL(e->host, e->demand, e->ent, e->hcap, e->hdem, e->hover, e);
}

/* ---- checks (before any GLPK call) ------------------------------------------- */

static int check_opts(const vmp_problem *p, const vmp_entitlements_opts *o, size_t *res) {
  const char *rname = o->resource ? o->resource : "cpu";
  if (vmp_problem_find_resource(p, rname, res))
    return vmp__error(VMP_ENOTFOUND, "entitlements: the problem has no resource \"%s\"", rname);
  if (!(o->min_fraction >= 0.0 && o->min_fraction <= 1.0))
    return vmp__error(VMP_EINVAL, "opts.min_fraction: expected a number in [0, 1]");
  if (!(o->period_us >= 1000.0 && o->period_us <= 1000000.0))
    return vmp__error(VMP_EINVAL, "opts.period_us: expected a number in [1000, 1000000]");
  if (!(o->shares_per_unit >= 1.0) || !isfinite(o->shares_per_unit))
    return vmp__error(VMP_EINVAL, "opts.shares_per_unit: expected a finite number >= 1");
  for (size_t v = 0; v < p->nvms; v++) {
    if (o->min_amount && !(o->min_amount[v] >= 0.0 && isfinite(o->min_amount[v])))
      return vmp__error(VMP_EINVAL, "opts.min_amount[%zu] (%s): expected a finite number >= 0",
                        v, vmp_problem_vm_name(p, v));
    if (o->weights && !(o->weights[v] > 0.0 && isfinite(o->weights[v])))
      return vmp__error(VMP_EINVAL, "opts.weights[%zu] (%s): expected a finite number > 0", v,
                        vmp_problem_vm_name(p, v));
  }
  return 0;
}

/* Host of every VM: the placement's, matched by name, or the current. */
static int hosts_of(const vmp_problem *p, const vmp_solution *s, size_t *host) {
  for (size_t v = 0; v < p->nvms; v++) {
    const char *hn;
    size_t h;
    if (!s) {
      host[v] = p->vm_host[v] == VMP__NO_HOST ? VMP_NONE : p->vm_host[v];
      continue;
    }
    if (s->nvms != p->nvms || strcmp(s->vm_name[v], vmp_problem_vm_name(p, v)))
      return vmp__error(VMP_EINVAL,
                        "entitlements: the placement is not a solution of this problem "
                        "(VM %zu is \"%s\" there, \"%s\" here)",
                        v, v < s->nvms ? s->vm_name[v] : "(none)", vmp_problem_vm_name(p, v));
    hn = vmp_solution_vm_host_name(s, v);
    if (!hn) {
      host[v] = VMP_NONE;
      continue;
    }
    if (s->vm_host[v] < p->nhosts && !strcmp(vmp_problem_host_name(p, s->vm_host[v]), hn))
      h = s->vm_host[v];
    else if (vmp_problem_find_host(p, hn, &h))
      return vmp__error(VMP_EINVAL, "entitlements: the placement puts %s on host \"%s\", "
                        "which this problem does not have", s->vm_name[v], hn);
    host[v] = h;
  }
  return 0;
}

/* ---- one overcommitted host ---------------------------------------------------------- */

/* Scratch for one host, kept on the heap so that the GLPK guard can
 * free it whatever happens. */
typedef struct host_lp {
  uint32_t n;
  uint32_t *vm;          /* the VMs */
  double *g, *d, *w;     /* guarantee, demand, weight */
  double *e;             /* entitlement */
  uint8_t *frozen;
  int *ind;
  double *val;
} host_lp;

/* (E2)-(E3) progressive filling: each round maximises the common level t
 * over the VMs not yet frozen; VMs that reach their demand freeze there;
 * when none does, the CPU is used up and every other VM gets g + t w. */
static int fill(host_lp *s, double cap) {
  glp_prob *lp = glp_create_prob();
  glp_smcp smcp;
  uint32_t n = s->n, active = 0;
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_ERR;
  glp_set_obj_dir(lp, GLP_MAX);
  glp_add_cols(lp, (int)n + 1);
  glp_add_rows(lp, (int)n + 1);
  /* row 1: sum e <= cap; rows 1+v: e_v - w_v t >= g_v; column n+1: t */
  for (uint32_t k = 0; k < n; k++) {
    s->ind[k + 1] = (int)k + 1;
    s->val[k + 1] = 1.0;
  }
  glp_set_mat_row(lp, 1, (int)n, s->ind, s->val);
  glp_set_row_bnds(lp, 1, GLP_UP, 0.0, cap);
  for (uint32_t k = 0; k < n; k++) {
    int ind[3] = {0, (int)k + 1, (int)n + 1};
    double val[3] = {0.0, 1.0, -s->w[k]};
    glp_set_mat_row(lp, (int)k + 2, 2, ind, val);
    s->frozen[k] = s->g[k] >= s->d[k];
    s->e[k] = s->g[k];
    if (!s->frozen[k]) active++;
  }
  glp_set_col_bnds(lp, (int)n + 1, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(lp, (int)n + 1, 1.0);
  while (active) {
    double t;
    uint32_t capped = 0;
    for (uint32_t k = 0; k < n; k++) {
      if (s->frozen[k]) {
        glp_set_col_bnds(lp, (int)k + 1, GLP_FX, s->e[k], s->e[k]);
        glp_set_row_bnds(lp, (int)k + 2, GLP_FR, 0.0, 0.0);
      } else {
        glp_set_col_bnds(lp, (int)k + 1, s->g[k] < s->d[k] ? GLP_DB : GLP_FX, s->g[k], s->d[k]);
        glp_set_row_bnds(lp, (int)k + 2, GLP_LO, s->g[k], 0.0);
      }
    }
    if (glp_simplex(lp, &smcp) != 0 || glp_get_status(lp) != GLP_OPT) {
      int st = glp_get_status(lp);
      glp_delete_prob(lp);
      return vmp__error(VMP_ESOLVER, "entitlements: the LP of a host failed (status %d)", st);
    }
    t = glp_get_obj_val(lp);
    for (uint32_t k = 0; k < n; k++) {
      if (s->frozen[k]) continue;
      if (s->g[k] + s->w[k] * t >= s->d[k] - 1e-9 * (s->d[k] > 1.0 ? s->d[k] : 1.0)) {
        s->frozen[k] = 1;
        s->e[k] = s->d[k];
        capped++;
        active--;
      }
    }
    if (!capped) {
      for (uint32_t k = 0; k < n; k++)
        if (!s->frozen[k]) s->e[k] = s->g[k] + s->w[k] * t;
      break;
    }
  }
  glp_delete_prob(lp);
  return 0;
}

/* ---- the computation -------------------------------------------------------------------- */

typedef struct work {
  vmp_entitlements *e;
  host_lp s;
  uint32_t *start, *list;    /* VMs per host (CSR) */
} work;

static void work_free(work *w) {
  VMP__FREE_ALL(w->s.vm, w->s.g, w->s.d, w->s.w, w->s.e, w->s.frozen, w->s.ind, w->s.val, w->start,
                w->list);
}

static int work_alloc(work *w, const vmp_problem *p) {
  size_t n = p->nvms + 2, nh = p->nhosts;
  vmp_entitlements *e = w->e;
  e->host = malloc(n * sizeof *e->host);
  e->demand = calloc(n, sizeof *e->demand);
  e->ent = calloc(n, sizeof *e->ent);
  e->hcap = calloc(nh + 1, sizeof *e->hcap);
  e->hdem = calloc(nh + 1, sizeof *e->hdem);
  e->hover = calloc(nh + 1, 1);
  w->s.vm = malloc(n * sizeof *w->s.vm);
  w->s.g = malloc(n * sizeof *w->s.g);
  w->s.d = malloc(n * sizeof *w->s.d);
  w->s.w = malloc(n * sizeof *w->s.w);
  w->s.e = malloc(n * sizeof *w->s.e);
  w->s.frozen = malloc(n);
  w->s.ind = malloc(n * sizeof *w->s.ind);
  w->s.val = malloc(n * sizeof *w->s.val);
  w->start = calloc(nh + 2, sizeof *w->start);
  w->list = malloc(n * sizeof *w->list);
  if (!e->host || !e->demand || !e->ent || !e->hcap || !e->hdem || !e->hover || !w->s.vm ||
      !w->s.g || !w->s.d || !w->s.w || !w->s.e || !w->s.frozen || !w->s.ind || !w->s.val ||
      !w->start || !w->list)
    return vmp__enomem();
  return 0;
}

/* (E1) guarantees: the larger of the fraction and the amount, at most the
 * demand; scaled down together when they exceed the CPU. */
static void guarantees(const vmp_problem *p, const vmp_entitlements_opts *o, work *w,
                       size_t h) {
  vmp_entitlements *e = w->e;
  host_lp *s = &w->s;
  double sum = 0.0;
  s->n = 0;
  for (uint32_t k = w->start[h]; k < w->start[h + 1]; k++) {
    uint32_t v = w->list[k];
    double g = o->min_fraction * e->demand[v];
    if (o->min_amount && o->min_amount[v] > g) g = o->min_amount[v];
    if (g > e->demand[v]) g = e->demand[v];
    s->vm[s->n] = v;
    s->d[s->n] = e->demand[v];
    s->g[s->n] = g;
    s->w[s->n] = o->weights ? o->weights[v] : 1.0 + (double)p->vm_priority[v];
    sum += g;
    s->n++;
  }
  if (sum > e->hcap[h])
    for (uint32_t k = 0; k < s->n; k++) s->g[k] *= sum > 0.0 ? e->hcap[h] / sum : 0.0;
}

static int compute(const vmp_problem *p, const vmp_solution *placement,
                   const vmp_entitlements_opts *o, size_t r, work *w) {
  vmp_entitlements *e = w->e;
  vmp__glpk *g;
  int rc;
  if ((rc = hosts_of(p, placement, e->host))) return rc;
  for (size_t v = 0; v < p->nvms; v++) {
    e->demand[v] = p->vm_demand[v * p->nres + r];
    if (e->host[v] == VMP_NONE) continue;
    e->hdem[e->host[v]] += e->demand[v];
    w->start[e->host[v] + 1]++;
  }
  for (size_t h = 0; h < p->nhosts; h++) {
    double c = p->host_capacity[h * p->nres + r] - p->host_reserved[h * p->nres + r];
    e->hcap[h] = c > 0.0 ? c : 0.0;
    e->hover[h] = e->hdem[h] > e->hcap[h] * (1 + 1e-12);
    w->start[h + 1] += w->start[h];
  }
  {
    uint32_t *fill_at = calloc(p->nhosts + 1, sizeof *fill_at);
    if (!fill_at) return vmp__enomem();
    for (size_t v = 0; v < p->nvms; v++)
      if (e->host[v] != VMP_NONE)
        w->list[w->start[e->host[v]] + fill_at[e->host[v]]++] = (uint32_t)v;
    free(fill_at);
  }
  for (size_t v = 0; v < p->nvms; v++) e->ent[v] = e->host[v] == VMP_NONE ? 0.0 : e->demand[v];
  if (!(g = vmp__glpk_open("entitlements", NULL, NULL, 0))) return VMP_ENOMEM;
  if (setjmp(g->jb)) return vmp__glpk_failed(g);
  for (size_t h = 0; h < p->nhosts; h++) {
    if (!e->hover[h]) continue;
    guarantees(p, o, w, h);
    if ((rc = fill(&w->s, e->hcap[h]))) break;
    for (uint32_t k = 0; k < w->s.n; k++) e->ent[w->s.vm[k]] = w->s.e[k];
  }
  vmp__glpk_close(g);
  return rc;
}

int vmp_entitlements_compute(const vmp_problem *p, const vmp_solution *placement,
                             const vmp_entitlements_opts *opts_in, vmp_entitlements **out) {
  vmp_entitlements_opts opts;
  work w;
  size_t r;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!p) return vmp__error(VMP_EINVAL, "problem is NULL");
  if ((rc = vmp__opts_load(&ent_opts_abi, &opts, opts_in)) ||
      (rc = check_opts(p, &opts, &r)))
    return rc;
  memset(&w, 0, sizeof w);
  if (!(w.e = calloc(1, sizeof *w.e))) return vmp__enomem();
  w.e->nvms = p->nvms;
  w.e->nhosts = p->nhosts;
  w.e->period = opts.period_us;
  w.e->spu = opts.shares_per_unit;
  rc = work_alloc(&w, p);
  if (!rc) rc = compute(p, placement, &opts, r, &w);
  work_free(&w);
  if (rc) {
    vmp_entitlements_free(w.e);
    return rc;
  }
  *out = w.e;
  return 0;
}

/* ---- getters ------------------------------------------------------------------------------ */

size_t vmp_entitlements_num_vms(const vmp_entitlements *e) { return e ? e->nvms : 0; }
size_t vmp_entitlements_num_hosts(const vmp_entitlements *e) { return e ? e->nhosts : 0; }

size_t vmp_entitlements_vm_host(const vmp_entitlements *e, size_t v) {
  return e && v < e->nvms ? e->host[v] : VMP_NONE;
}

double vmp_entitlements_vm_demand(const vmp_entitlements *e, size_t v) {
  return e && v < e->nvms ? e->demand[v] : NAN;
}

double vmp_entitlements_vm_guaranteed(const vmp_entitlements *e, size_t v) {
  return e && v < e->nvms ? e->ent[v] : NAN;
}

uint64_t vmp_entitlements_vm_shares(const vmp_entitlements *e, size_t v) {
  double s;
  if (!e || v >= e->nvms || e->host[v] == VMP_NONE) return 0;
  s = floor(e->ent[v] * e->spu + 0.5);
  if (s < 2.0) s = 2.0;
  if (s > 262144.0) s = 262144.0;
  return (uint64_t)s;
}

int64_t vmp_entitlements_vm_quota_us(const vmp_entitlements *e, size_t v) {
  double q;
  if (!e || v >= e->nvms || e->host[v] == VMP_NONE) return 0;
  q = ceil(e->ent[v] * e->period - 1e-6);
  if (q < 1000.0) q = 1000.0;
  if (q > 1e15) q = 1e15;
  return (int64_t)q;
}

int64_t vmp_entitlements_vm_vcpu_quota_us(const vmp_entitlements *e, size_t v) {
  double vcpus, q;
  int64_t whole = vmp_entitlements_vm_quota_us(e, v);
  if (!whole) return 0;
  /* the demand counts vCPUs (a snapshot's cpu demand is the domain's
   * vCPUs); a fractional demand still has a whole vCPU for its fraction */
  vcpus = ceil(e->demand[v] - 1e-9);
  if (vcpus < 1.0) vcpus = 1.0;
  q = ceil((double)whole / vcpus);
  if (q < 1000.0) q = 1000.0;
  return (int64_t)q;
}

double vmp_entitlements_period_us(const vmp_entitlements *e) { return e ? e->period : NAN; }

double vmp_entitlements_host_capacity(const vmp_entitlements *e, size_t h) {
  return e && h < e->nhosts ? e->hcap[h] : NAN;
}

double vmp_entitlements_host_demand(const vmp_entitlements *e, size_t h) {
  return e && h < e->nhosts ? e->hdem[h] : NAN;
}

int vmp_entitlements_host_overcommitted(const vmp_entitlements *e, size_t h) {
  return e && h < e->nhosts ? e->hover[h] : 0;
}
