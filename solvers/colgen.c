/*
 * colgen: column generation over host patterns (docs/formulations.md,
 * "Column generation", equations (C1)-(C6)).
 *
 * Items that no constraint of the master tells apart are merged into
 * types with a count.  A pattern is what one host of a class holds: a
 * count per type.  The master LP (C1)-(C3) covers every type's count with
 * patterns, at most as many per class as the class has hosts, unplaced
 * units at their penalty.  Pricing (C4) finds, per host class, the
 * pattern of most negative reduced cost with a knapsack: dynamic
 * programming over the capacity grid when sizes are integers and the grid
 * is small, branch and bound otherwise; both respect allowed hosts and
 * hard host anti-affinity (conflict sets).
 *
 * Bounds: at every round the Lagrangian bound (C5) and, for pure packing,
 * Farley's bound (C6); when pricing finds nothing, the LP value.  Rounded
 * up when every cost is an integer.  The master relaxes what patterns
 * cannot express (label-scoped groups, soft groups, balance): the bound
 * stays valid, and placements are repaired by the fit check.
 *
 * Placements (price-and-branch): a dive that fixes the columns the LP
 * likes, re-pricing after every fix, with limited backtracking; then an
 * integer master over every generated column in GLPK; each candidate is
 * repaired and verified by the evaluator.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glpk_util.h"
#include "hardcons.h"
#include "knapsack.h"
#include "warmstart.h"

static const vmp__param_spec colgen_params[] = {
    {"colgen.max_columns", VMP_PARAM_INT, 10, 1e7, "200000",
     "most patterns generated; beyond it the LP bound is a Lagrangian bound"},
    {"colgen.dp_max_work", VMP_PARAM_DOUBLE, 0, 1e10, "2e7",
     "pricing uses dynamic programming when the capacity grid times the "
     "item pieces, per host class the table serves, is at most this "
     "(and the table at most 50 MB); branch and bound otherwise"},
    {"colgen.pricing_nodes", VMP_PARAM_INT, 100, 1e9, "200000",
     "node limit of one branch-and-bound pricing; multiplied by up to 512 "
     "when the limit stops the search that would prove the LP optimal"},
    {"colgen.dive", VMP_PARAM_BOOL, 0, 1, "true",
     "dive: fix the columns the LP prefers, re-price, repeat"},
    {"colgen.backtracks", VMP_PARAM_INT, 0, 1e6, "20",
     "how many times each dive may undo a choice that cannot improve"},
    {"colgen.max_dives", VMP_PARAM_INT, 0, 1e6, "0",
     "most dives after the root (each with its own backtracks); 0: as many "
     "as may still find a better placement"},
    {"colgen.integer_master", VMP_PARAM_BOOL, 0, 1, "true",
     "solve the integer master over the generated columns in GLPK"},
};

#define EPS 1e-9
#define RC_TOL 1e-7       /* reduced costs below -RC_TOL price a column in */
#define NSOLS 4           /* columns taken from one pricing */
#define DP_MAX_BITS 4e8   /* the largest DP table: 50 MB of choice bits */
#define MAX_TYPE_CLASS 5e7  /* types x host classes: 400 MB of costs */
#define HARD_SWAPS 200000   /* swaps tried to mend a placement's hard
                               rebalancing constraints (hardcons_swap) */

typedef struct pattern_hash {
  uint32_t *slot;       /* pattern + 1; 0 = empty */
  size_t cap;
} pattern_hash;

typedef struct cg {
  vmp__ctx *ctx;
  const vmp__model *m;
  vmp__glpk *g;
  glp_prob *lp;
  uint32_t nres;

  /* types */
  uint32_t nt;
  double *tw;           /* [t*nres+r] demand */
  uint32_t *tb;         /* [t] items of the type */
  double *tpen;         /* [t] penalty of one unplaced unit */
  uint32_t *tstart, *titems;   /* CSR: the items */
  uint32_t *itype;      /* [nitems] type of each item (UINT32_MAX: none) */
  uint32_t *cstart, *cset;     /* CSR: conflict sets of each type */
  uint8_t *tone;        /* [t] at most one unit per pattern (anti-affinity) */
  glp_prob *kplp;       /* LP relaxation of the pricing knapsack */
  double *kplub;        /* [nt] its column bounds */
  double *kplz;         /* [nsets] its conflict rows' duals */
  uint32_t *kub2, *kfill;  /* [nt] scratch of round_lp */
  uint8_t *kset;           /* [nsets] scratch of round_lp */
  double ky[VMP__MAX_RESOURCES];  /* the relaxation's capacity duals */
  int ky_ok;               /* ky is from the last quick_upper */
  uint32_t nsets;

  /* host classes with usable hosts */
  uint32_t nk;
  uint32_t *kclass;     /* model class */
  uint32_t *kn;         /* hosts */
  double *kcost;        /* weighted cost of one host */
  double *kcap;         /* [k*nres+r] capacity with tolerance */
  double *tkc;          /* [t*nk+k] cost of one unit on the class; NAN =
                           not allowed or too large */
  uint32_t *ksig;       /* [k] classes with the same tkc column share one */
  int pure;             /* every tkc is 0: Farley's bound applies */
  int integral;         /* every cost is an integer */
  double p0;            /* penalty of the unplaceable items */

  /* patterns = GLPK columns nt+1.. (columns 1..nt are the unplaced units) */
  size_t np, pcap;
  uint32_t *pclass;
  size_t *pstart;       /* [np+1] CSR into ptype/pcnt */
  size_t pscap;
  size_t pecap;
  uint32_t *ptype, *pcnt;
  double *pcost;
  pattern_hash hash;
  double max_columns;

  /* LP state: pi/mu price (the smoothed duals), pi_lp/mu_lp are the LP's,
   * pi_c/mu_c the stability centre (the duals of the best Lagrangian
   * bound at this node) */
  double *pi, *pi_lp, *pi_c;   /* [nt] */
  double *mu, *mu_lp, *mu_c;   /* [nk] */
  double lag_c;
  int has_centre;
  int rhs_changed;      /* row bounds changed since the last solve */
  int multi_fix;        /* decisions fix every column the LP holds at >= 1 */
  uint32_t *rb;         /* [nt] residual counts (dive) */
  uint32_t *rn;         /* [nk] residual hosts */
  double fixed_cost;    /* cost of the fixed patterns */

  /* pricing scratch */
  double *prof;         /* [nt] */
  uint32_t *kub;        /* [nt] */
  double *vbar;         /* [nk] upper bound on the best pattern value */
  vmp__kp_sol sols[NSOLS];
  double dp_max_bits;
  uint64_t bb_nodes;     /* node limit of one branch and bound now */
  uint64_t bb_nodes_max; /* the most it may grow to when proving */
  uint64_t bb_nodes_base;

  /* results */
  double root_lb;       /* global bound from the root (plus p0) */
  double lp_value;
  int32_t *best;        /* [nitems] */
  double best_obj;
  double ext_bound;
  uint64_t rounds, lp_solves, dives, backtracks;
  int master_used;
  int32_t *scratch;     /* [nitems] */
  int *ind;             /* GLPK index scratch */
  double *val;
  int stopped;
  double root_seconds;   /* time to the end of the root (from the start) */
  double price_seconds;  /* time spent in pricing */
  double lp_seconds;     /* time spent in the master LP */
  int root_converged;    /* pricing proved the root LP optimal */
  double t_start;
  double phase_deadline; /* end of the current phase (root, dive, master) */
  int time_cut;          /* some phase was cut short by its deadline */
  uint32_t *take;       /* [nt] cursor into each type's items */
  uint32_t *hnext;      /* [nk] next host of each class */
  /* the hard rebalancing constraints, which the master does not model:
   * every placement is repaired to meet them (use_patterns) */
  int hard;
  vmp__state hst;
  vmp__hardcons hd;
} cg;

static double tolerance(double v) { return 1e-6 * (fabs(v) > 1.0 ? fabs(v) : 1.0); }

/* Up to the next integer when every cost is one; the tolerance absorbs
 * the LP's rounding, not whole units of large objectives. */
static double round_up(const cg *c, double v) {
  double tol = 1e-7 * (fabs(v) > 1.0 ? fabs(v) : 1.0);
  return c->integral && isfinite(v) ? ceil(v - (tol < 0.25 ? tol : 0.25)) : v;
}

/* The best bound known for the whole problem. */
static double global_bound(const cg *c) {
  return c->root_lb > c->ext_bound ? c->root_lb : c->ext_bound;
}

static void cg_free(cg *c) {
  VMP__FREE_ALL(c->tw, c->tb, c->tpen, c->tstart, c->titems, c->itype, c->cstart, c->cset,
                c->kclass, c->kn, c->kcost, c->kcap, c->tkc, c->ksig, c->pclass, c->pstart,
                c->ptype, c->pcnt, c->pcost, c->hash.slot, c->pi, c->pi_lp, c->pi_c, c->mu,
                c->mu_lp, c->mu_c, c->rb, c->rn, c->prof, c->kub, c->vbar);
  VMP__FREE_ALL(c->tone, c->kplub, c->kplz, c->kub2, c->kfill, c->kset);
  for (int k = 0; k < NSOLS; k++) free(c->sols[k].a);
  VMP__FREE_ALL(c->best, c->scratch, c->ind, c->val, c->take, c->hnext);
  if (c->hard) {
    vmp__state_free(&c->hst);
    vmp__hardcons_free(&c->hd);
  }
}

/* ---- types and classes (no GLPK) ---------------------------------------------- */

/* Whether item i is in a hard anti-affinity group with host scope (the
 * only groups a pattern can respect). */
static int conflict_group(const vmp__model *m, uint32_t g) {
  const vmp__mgroup *mg = &m->groups[g];
  return mg->hard && mg->policy == VMP_ANTI_AFFINITY && m->scopes[mg->scope].dom == NULL;
}

/* The group of item i when it belongs to exactly one group and that is a
 * conflict group; UINT32_MAX otherwise. */
static uint32_t sole_conflict_group(const vmp__model *m, uint32_t i) {
  uint32_t s = m->item_groups_start[i];
  if (m->item_groups_start[i + 1] - s != 1 || !conflict_group(m, m->item_groups[s]))
    return UINT32_MAX;
  return m->item_groups[s];
}

/* Items the master cannot tell apart compare equal. */
static int cmp_key(const vmp__model *m, uint32_t i, uint32_t j) {
  int ci = m->item_groups_start[i] != m->item_groups_start[i + 1];
  int cj = m->item_groups_start[j] != m->item_groups_start[j + 1];
  int c = memcmp(m->idem + (size_t)i * m->nres, m->idem + (size_t)j * m->nres,
                 m->nres * sizeof *m->idem);
  if (c) return c;
  if (m->item_aclass[i] != m->item_aclass[j]) return m->item_aclass[i] < m->item_aclass[j] ? -1 : 1;
  if (m->item_pen[i] != m->item_pen[j]) return m->item_pen[i] < m->item_pen[j] ? -1 : 1;
  if (m->w.migrations > 0.0) {
    if (m->item_cur[i] != m->item_cur[j]) return m->item_cur[i] < m->item_cur[j] ? -1 : 1;
    if (m->item_mig[i] != m->item_mig[j]) return m->item_mig[i] < m->item_mig[j] ? -1 : 1;
  }
  /* Members of groups stay types of their own, except the members of
   * one hard host anti-affinity group that belong to no other group:
   * identical replicas are one type of which a pattern holds at most one
   * unit (kmax), the same LP and the same placements without a conflict
   * set in pricing. */
  {
    /* (0) no group, (1, g) only conflict group g, (2, i) its own */
    uint32_t gi = ci ? sole_conflict_group(m, i) : 0, gj = cj ? sole_conflict_group(m, j) : 0;
    int ki = !ci ? 0 : gi != UINT32_MAX ? 1 : 2, kj = !cj ? 0 : gj != UINT32_MAX ? 1 : 2;
    if (ki != kj) return ki < kj ? -1 : 1;
    if (ki == 2) return (i > j) - (i < j);
    if (gi != gj) return gi < gj ? -1 : 1;
  }
  return 0;
}

/* qsort has no context argument: each record carries the model. */
typedef struct item_rec {
  const vmp__model *m;
  uint32_t i;
} item_rec;

static int cmp_items(const void *a, const void *b) {
  const item_rec *x = a, *y = b;
  int c = cmp_key(x->m, x->i, y->i);
  return c ? c : (x->i > y->i) - (x->i < y->i);
}


static int build_types(cg *c) {
  const vmp__model *m = c->m;
  uint32_t *idx = malloc((m->nitems + 1) * sizeof *idx), n = 0;
  item_rec *rec = malloc((m->nitems + 1) * sizeof *rec);
  uint32_t *setid = NULL;
  size_t ncs = 0;
  if (!idx || !rec) {
    free(idx);
    free(rec);
    return vmp__enomem();
  }
  for (size_t i = 0; i < m->nitems; i++) {
    if (m->item_unplaceable[i]) {
      c->p0 += m->item_pen[i];
      continue;
    }
    rec[n].m = m;
    rec[n++].i = (uint32_t)i;
  }
  qsort(rec, n, sizeof *rec, cmp_items);
  for (uint32_t k = 0; k < n; k++) idx[k] = rec[k].i;
  free(rec);
  c->tw = malloc(((size_t)n * m->nres + 1) * sizeof *c->tw);
  c->tb = calloc(n + 1, sizeof *c->tb);
  c->tpen = malloc((n + 1) * sizeof *c->tpen);
  c->tstart = calloc(n + 2, sizeof *c->tstart);
  c->titems = idx;
  c->cstart = calloc(n + 2, sizeof *c->cstart);
  setid = malloc((m->ngroups + 1) * sizeof *setid);
  if (!c->tw || !c->tb || !c->tpen || !c->tstart || !c->cstart || !setid) {
    free(setid);
    return vmp__enomem();
  }
  for (uint32_t k = 0; k < n; k++) {
    if (k == 0 || cmp_key(m, idx[k - 1], idx[k]) != 0) {
      uint32_t i = idx[k];
      memcpy(c->tw + (size_t)c->nt * m->nres, m->idem + (size_t)i * m->nres,
             m->nres * sizeof *c->tw);
      c->tpen[c->nt] = m->item_pen[i];
      c->tstart[c->nt] = k;
      c->nt++;
    }
    c->tb[c->nt - 1]++;
  }
  c->tstart[c->nt] = n;
  c->itype = malloc((m->nitems + 1) * sizeof *c->itype);
  if (!c->itype) {
    free(setid);
    return vmp__enomem();
  }
  for (size_t i = 0; i < m->nitems; i++) c->itype[i] = UINT32_MAX;
  for (uint32_t t = 0; t < c->nt; t++)
    for (uint32_t k = c->tstart[t]; k < c->tstart[t + 1]; k++) c->itype[idx[k]] = t;
  /* Conflict sets: hard host anti-affinity groups over two types or
   * more, renumbered; a type in one holds at most one unit per pattern
   * (tone), which alone expresses a group of one type. */
  c->tone = calloc(c->nt + 1, sizeof *c->tone);
  if (!c->tone) {
    free(setid);
    return vmp__enomem();
  }
  for (uint32_t g = 0; g < m->ngroups; g++) setid[g] = UINT32_MAX;
  for (uint32_t t = 0; t < c->nt; t++) {
    uint32_t i = idx[c->tstart[t]];
    for (uint32_t k = m->item_groups_start[i]; k < m->item_groups_start[i + 1]; k++) {
      uint32_t g = m->item_groups[k];
      if (!conflict_group(m, g)) continue;
      c->tone[t] = 1;
      /* UINT32_MAX: not seen; t: seen in type t only; UINT32_MAX - 1: two */
      if (setid[g] == UINT32_MAX)
        setid[g] = t;
      else if (setid[g] != t)
        setid[g] = UINT32_MAX - 1;
    }
  }
  for (uint32_t g = 0; g < m->ngroups; g++)
    setid[g] = setid[g] == UINT32_MAX - 1 ? c->nsets++ : UINT32_MAX;
  for (uint32_t t = 0; t < c->nt; t++) {
    uint32_t i = idx[c->tstart[t]];
    c->cstart[t + 1] = c->cstart[t];
    for (uint32_t k = m->item_groups_start[i]; k < m->item_groups_start[i + 1]; k++)
      if (setid[m->item_groups[k]] != UINT32_MAX) c->cstart[t + 1]++;
  }
  ncs = c->cstart[c->nt];
  c->cset = malloc((ncs + 1) * sizeof *c->cset);
  if (!c->cset) {
    free(setid);
    return vmp__enomem();
  }
  for (uint32_t t = 0; t < c->nt; t++) {
    uint32_t i = idx[c->tstart[t]], f = c->cstart[t];
    for (uint32_t k = m->item_groups_start[i]; k < m->item_groups_start[i + 1]; k++)
      if (setid[m->item_groups[k]] != UINT32_MAX) c->cset[f++] = setid[m->item_groups[k]];
  }
  free(setid);
  if (!c->nsets) {
    free(c->cstart);
    free(c->cset);
    c->cstart = c->cset = NULL;
  }
  return 0;
}

static int fits_alone(const cg *c, uint32_t t, uint32_t k) {
  for (uint32_t r = 0; r < c->nres; r++)
    if (c->tw[(size_t)t * c->nres + r] > c->kcap[(size_t)k * c->nres + r]) return 0;
  return 1;
}

static int build_classes(cg *c) {
  const vmp__model *m = c->m;
  uint32_t nk = 0;
  c->kclass = malloc((m->nhclasses + 1) * sizeof *c->kclass);
  c->kn = malloc((m->nhclasses + 1) * sizeof *c->kn);
  c->kcost = malloc((m->nhclasses + 1) * sizeof *c->kcost);
  c->kcap = malloc(((size_t)m->nhclasses * c->nres + 1) * sizeof *c->kcap);
  c->ksig = malloc((m->nhclasses + 1) * sizeof *c->ksig);
  if (!c->kclass || !c->kn || !c->kcost || !c->kcap || !c->ksig) return vmp__enomem();
  for (uint32_t hc = 0; hc < m->nhclasses; hc++) {
    uint32_t h = m->hclass_hosts[m->hclass_start[hc]];
    if (!m->usable[h]) continue;
    c->kclass[nk] = hc;
    c->kn[nk] = m->hclass_start[hc + 1] - m->hclass_start[hc];
    c->kcost[nk] = m->w.cost * m->cost[h];
    memcpy(c->kcap + (size_t)nk * c->nres, m->capx + (size_t)h * c->nres, c->nres * sizeof *c->kcap);
    nk++;
  }
  c->nk = nk;
  /* The cost of every type on every class is kept: bounded, so that a
   * huge heterogeneous problem fails with a message, not by exhausting
   * memory (auto then keeps the fast solvers' answer). */
  if ((double)c->nt * nk > MAX_TYPE_CLASS)
    return vmp__error(VMP_ERANGE,
                      "colgen: %u item types x %u host classes is more than %.0e; too "
                      "large for column generation",
                      (unsigned)c->nt, (unsigned)nk, MAX_TYPE_CLASS);
  c->tkc = malloc(((size_t)c->nt * nk + 1) * sizeof *c->tkc);
  if (!c->tkc) return vmp__enomem();
  c->pure = 1;
  /* Rounding the bound up needs every placement's objective to be an
   * integer, terms the master relaxes included: balance is a fraction,
   * soft groups cost their weights. */
  c->integral = c->p0 == floor(c->p0) && !(m->w.balance > 0.0);
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (!m->groups[g].hard && m->groups[g].weight != floor(m->groups[g].weight)) c->integral = 0;
  for (uint32_t k = 0; k < nk; k++)
    if (c->kcost[k] != floor(c->kcost[k])) c->integral = 0;
  for (uint32_t t = 0; t < c->nt; t++) {
    uint32_t i = c->titems[c->tstart[t]];
    if (c->tpen[t] != floor(c->tpen[t])) c->integral = 0;
    for (uint32_t k = 0; k < nk; k++) {
      uint32_t h = m->hclass_hosts[m->hclass_start[c->kclass[k]]];
      double v = NAN;
      if (vmp__model_allowed(m, i, h) && fits_alone(c, t, k)) {
        v = vmp__model_soft(m, i, h) + vmp__model_migcost(m, i, h);
        if (v != 0.0) c->pure = 0;
        if (v != floor(v)) c->integral = 0;
      }
      c->tkc[(size_t)t * nk + k] = v;
    }
  }
  /* Classes whose column of tkc is the same price alike: one DP table. */
  {
    uint64_t *hk = malloc((nk + 1) * sizeof *hk);
    if (!hk) return vmp__enomem();
    for (uint32_t k = 0; k < nk; k++) {
      uint64_t h = 1469598103934665603ULL;
      for (uint32_t t = 0; t < c->nt; t++) {
        double v = c->tkc[(size_t)t * nk + k];
        h = vmp__hash_bytes(&v, sizeof v, h ^ (isnan(v) ? 0x9e37ULL : 0));
      }
      hk[k] = h;
      c->ksig[k] = k;
      for (uint32_t j = 0; j < k && c->ksig[k] == k; j++) {
        uint32_t t;
        if (c->ksig[j] != j || hk[j] != hk[k]) continue;
        for (t = 0; t < c->nt; t++) {
          double a = c->tkc[(size_t)t * nk + k], b = c->tkc[(size_t)t * nk + j];
          if (!(a == b || (isnan(a) && isnan(b)))) break;
        }
        if (t == c->nt) c->ksig[k] = j;
      }
    }
    free(hk);
  }
  return 0;
}

/* ---- patterns ------------------------------------------------------------------------ */

static uint64_t pattern_hash_of(uint32_t k, const uint32_t *type, const uint32_t *cnt, size_t n) {
  uint64_t h = vmp__hash_bytes(&k, sizeof k, 0x51ed27ULL);
  h = vmp__hash_bytes(type, n * sizeof *type, h);
  return vmp__hash_bytes(cnt, n * sizeof *cnt, h);
}

static int same_pattern(const cg *c, size_t p, uint32_t k, const uint32_t *type,
                        const uint32_t *cnt, size_t n) {
  size_t s = c->pstart[p];
  return c->pclass[p] == k && c->pstart[p + 1] - s == n &&
         !memcmp(c->ptype + s, type, n * sizeof *type) && !memcmp(c->pcnt + s, cnt, n * sizeof *cnt);
}

static int hash_grow(cg *c) {
  size_t cap = c->hash.cap ? c->hash.cap * 2 : 1024;
  uint32_t *slot = calloc(cap, sizeof *slot);
  if (!slot) return vmp__enomem();
  for (size_t p = 0; p < c->np; p++) {
    size_t s = c->pstart[p], n = c->pstart[p + 1] - s;
    size_t k = (size_t)pattern_hash_of(c->pclass[p], c->ptype + s, c->pcnt + s, n) & (cap - 1);
    while (slot[k]) k = (k + 1) & (cap - 1);
    slot[k] = (uint32_t)p + 1;
  }
  free(c->hash.slot);
  c->hash.slot = slot;
  c->hash.cap = cap;
  return 0;
}

/* Stores the pattern a[] (dense over types) of class k unless it is
 * known.  *out = its index; *fresh = 1 when new.  0 or VMP_ENOMEM. */
static int store_pattern(cg *c, uint32_t k, const uint32_t *a, size_t *out, int *fresh) {
  size_t n = 0, s, slot;
  uint64_t h;
  size_t c2 = c->pcap, e1 = c->pecap;
  *fresh = 0;
  if ((c->np + 1) * 2 > c->hash.cap && hash_grow(c)) return VMP_ENOMEM;
  if (vmp__grow(&c->pstart, &c->pscap, c->np + 2, sizeof *c->pstart)) return VMP_ENOMEM;
  if (c->np == 0) c->pstart[0] = 0;
  s = c->pstart[c->np];
  for (uint32_t t = 0; t < c->nt; t++) {
    if (!a[t]) continue;
    if (vmp__grow(&c->ptype, &e1, s + n + 1, sizeof *c->ptype) ||
        vmp__grow(&c->pcnt, &c->pecap, s + n + 1, sizeof *c->pcnt))
      return VMP_ENOMEM;
    e1 = c->pecap;
    c->ptype[s + n] = t;
    c->pcnt[s + n] = a[t];
    n++;
  }
  h = pattern_hash_of(k, c->ptype + s, c->pcnt + s, n);
  for (slot = (size_t)h & (c->hash.cap - 1); c->hash.slot[slot]; slot = (slot + 1) & (c->hash.cap - 1))
    if (same_pattern(c, c->hash.slot[slot] - 1, k, c->ptype + s, c->pcnt + s, n)) {
      *out = c->hash.slot[slot] - 1;
      return 0;
    }
  if (vmp__grow(&c->pclass, &c2, c->np + 1, sizeof *c->pclass) ||
      vmp__grow(&c->pcost, &c->pcap, c->np + 1, sizeof *c->pcost))
    return VMP_ENOMEM;
  c->pclass[c->np] = k;
  c->pcost[c->np] = c->kcost[k];
  for (size_t j = 0; j < n; j++)
    c->pcost[c->np] += c->pcnt[s + j] * c->tkc[(size_t)c->ptype[s + j] * c->nk + k];
  c->pstart[c->np + 1] = s + n;
  c->hash.slot[slot] = (uint32_t)c->np + 1;
  *out = c->np++;
  *fresh = 1;
  return 0;
}

/* GLPK column of pattern p. */
static int pcol(const cg *c, size_t p) { return (int)c->nt + 1 + (int)p; }

/* Adds pattern p to the LP (inside the guard). */
static void lp_add_pattern(cg *c, size_t p, int *ind, double *val) {
  size_t s = c->pstart[p], n = c->pstart[p + 1] - s;
  int j = glp_add_cols(c->lp, 1);
  for (size_t q = 0; q < n; q++) {
    ind[q + 1] = (int)c->ptype[s + q] + 1;
    val[q + 1] = (double)c->pcnt[s + q];
  }
  ind[n + 1] = (int)c->nt + 1 + (int)c->pclass[p];
  val[n + 1] = 1.0;
  glp_set_mat_col(c->lp, j, (int)n + 1, ind, val);
  glp_set_col_bnds(c->lp, j, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(c->lp, j, c->pcost[p]);
}

/* Stores and adds a dense pattern; *added counts fresh ones.  With
 * check, only a pattern whose reduced cost at the LP's duals is negative
 * (pricing at smoothed duals may find others). */
static int new_column(cg *c, uint32_t k, const uint32_t *a, int *ind, double *val, int *added,
                      int check) {
  size_t p;
  int fresh, rc;
  if ((double)c->np >= c->max_columns) return 0;
  if (check) {
    double red = c->kcost[k] - c->mu_lp[k];
    for (uint32_t t = 0; t < c->nt; t++)
      if (a[t]) red += a[t] * (c->tkc[(size_t)t * c->nk + k] - c->pi_lp[t]);
    if (red >= -RC_TOL) return 0;
  }
  if ((rc = store_pattern(c, k, a, &p, &fresh))) return rc;
  if (fresh) {
    lp_add_pattern(c, p, ind, val);
    (*added)++;
  }
  return 0;
}

/* ---- the pool one run leaves to the next (solvers.h) ----------------------------------- */

/* Patterns as the pattern store keeps them (CSR over types), valid for the
 * model whose types and classes they were built on: the same model gives
 * the same types and classes (build_types, build_classes are
 * deterministic). */
struct vmp__colgen_pool {
  const vmp__model *m;  /* NULL: empty */
  uint32_t nt, nk;
  size_t np;
  uint32_t *pclass;     /* [np] */
  size_t *pstart;       /* [np+1] */
  uint32_t *ptype, *pcnt;
  double root_lb;       /* the run's root bound (-HUGE_VAL: none) */
  int root_converged;   /* as c->root_converged */
  const vmp__model *duals_m;  /* the model item_pi is for; NULL: none */
  double *item_pi;      /* [nitems] the root's cover duals per item */
};

int vmp__colgen_pool_new(vmp__colgen_pool **out) {
  if (!(*out = calloc(1, sizeof **out))) return vmp__enomem();
  (*out)->root_lb = -HUGE_VAL;
  return 0;
}

int vmp__colgen_pool_converged(const vmp__colgen_pool *pool) {
  return pool && pool->m && pool->root_converged;
}

void vmp__colgen_pool_free(vmp__colgen_pool *pool) {
  if (!pool) return;
  VMP__FREE_ALL(pool->pclass, pool->pstart, pool->ptype, pool->pcnt, pool->item_pi, pool);
}

const double *vmp__colgen_pool_duals(const vmp__colgen_pool *pool, const vmp__model *m) {
  return pool && pool->duals_m == m ? pool->item_pi : NULL;
}

/* Leaves the root's duals in the pool, per item: those of the best
 * Lagrangian bound (they certify the root bound), else the LP's. */
static int pool_keep_duals(const cg *c, vmp__colgen_pool *pool) {
  const double *pi = c->has_centre ? c->pi_c : c->pi_lp;
  size_t n = c->m->nitems;
  if (!pool->item_pi && !(pool->item_pi = malloc((n + 1) * sizeof *pool->item_pi)))
    return vmp__enomem();
  for (size_t i = 0; i < n; i++)
    pool->item_pi[i] = c->itype[i] == UINT32_MAX ? 0.0 : pi[c->itype[i]];
  pool->duals_m = c->m;
  return 0;
}

/* Adds the pool's patterns (those of this model) as columns. */
static int pool_columns(cg *c, const vmp__colgen_pool *pool, int *ind, double *val) {
  uint32_t *a = c->kub;
  int added = 0, rc = 0;
  if (!pool || pool->m != c->m || pool->nt != c->nt || pool->nk != c->nk) return 0;
  for (size_t p = 0; p < pool->np && !rc; p++) {
    memset(a, 0, c->nt * sizeof *a);
    for (size_t e = pool->pstart[p]; e < pool->pstart[p + 1]; e++) a[pool->ptype[e]] = pool->pcnt[e];
    rc = new_column(c, pool->pclass[p], a, ind, val, &added, 0);
  }
  vmp__ctx_log(c->ctx, VMP_LOG_DEBUG, "colgen: %d columns from the pool of an earlier run", added);
  return rc;
}

/* Leaves this run's patterns in the pool (replacing what it held). */
static int pool_keep(const cg *c, vmp__colgen_pool *pool) {
  size_t ne = c->np ? c->pstart[c->np] : 0;
  uint32_t *pclass = malloc((c->np + 1) * sizeof *pclass);
  size_t *pstart = malloc((c->np + 1) * sizeof *pstart);
  uint32_t *ptype = malloc((ne + 1) * sizeof *ptype), *pcnt = malloc((ne + 1) * sizeof *pcnt);
  if (!pclass || !pstart || !ptype || !pcnt) {
    VMP__FREE_ALL(pclass, pstart, ptype, pcnt);
    return vmp__enomem();
  }
  if (c->np) {
    memcpy(pclass, c->pclass, c->np * sizeof *pclass);
    memcpy(pstart, c->pstart, (c->np + 1) * sizeof *pstart);
    memcpy(ptype, c->ptype, ne * sizeof *ptype);
    memcpy(pcnt, c->pcnt, ne * sizeof *pcnt);
  } else {
    pstart[0] = 0;
  }
  VMP__FREE_ALL(pool->pclass, pool->pstart, pool->ptype, pool->pcnt);
  pool->m = c->m;
  pool->nt = c->nt;
  pool->nk = c->nk;
  pool->np = c->np;
  pool->pclass = pclass;
  pool->pstart = pstart;
  pool->ptype = ptype;
  pool->pcnt = pcnt;
  pool->root_lb = c->root_lb;
  pool->root_converged = c->root_converged;
  return 0;
}

/* ---- the master LP ------------------------------------------------------------------- */

static void lp_create(cg *c) {
  int ind[2];
  double val[2] = {0.0, 1.0};
  c->lp = glp_create_prob();
  glp_set_prob_name(c->lp, "vmplace_colgen");
  glp_set_obj_dir(c->lp, GLP_MIN);
  glp_add_rows(c->lp, (int)(c->nt + c->nk));
  glp_add_cols(c->lp, (int)c->nt);
  for (uint32_t t = 0; t < c->nt; t++) {
    glp_set_row_bnds(c->lp, (int)t + 1, GLP_LO, c->tb[t], 0.0);
    /* (C2) unplaced units at their penalty */
    ind[1] = (int)t + 1;
    glp_set_mat_col(c->lp, (int)t + 1, 1, ind, val);
    glp_set_col_bnds(c->lp, (int)t + 1, GLP_DB, 0.0, c->tb[t]);
    glp_set_obj_coef(c->lp, (int)t + 1, c->tpen[t]);
  }
  for (uint32_t k = 0; k < c->nk; k++)
    glp_set_row_bnds(c->lp, (int)(c->nt + k) + 1, GLP_UP, 0.0, c->kn[k]);
}

/* Residual counts as row bounds (the dive changes them). */
static void lp_residual(cg *c) {
  c->rhs_changed = 1;
  for (uint32_t t = 0; t < c->nt; t++) {
    glp_set_row_bnds(c->lp, (int)t + 1, GLP_LO, c->rb[t], 0.0);
    if (c->rb[t])
      glp_set_col_bnds(c->lp, (int)t + 1, GLP_DB, 0.0, c->rb[t]);
    else
      glp_set_col_bnds(c->lp, (int)t + 1, GLP_FX, 0.0, 0.0);
  }
  for (uint32_t k = 0; k < c->nk; k++)
    glp_set_row_bnds(c->lp, (int)(c->nt + k) + 1, GLP_UP, 0.0, c->rn[k]);
}

/* Solves the LP; 0, or VMP_ESOLVER / time limit (returns 1). */
static int lp_solve(cg *c) {
  glp_smcp smcp;
  int rc;
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_ERR;
  /* New columns keep the basis primal feasible: primal simplex; changed
   * counts (the dive) keep it dual feasible: dual simplex. */
  smcp.meth = c->rhs_changed ? GLP_DUALP : GLP_PRIMAL;
  c->rhs_changed = 0;
  {
    double left = vmp__ctx_remaining(c->ctx), phase = c->phase_deadline - vmp__now();
    smcp.tm_lim = vmp__glpk_ms(phase < left ? phase : left);
  }
  c->lp_solves++;
  {
    double t0 = vmp__now();
    rc = glp_simplex(c->lp, &smcp);
    c->lp_seconds += vmp__now() - t0;
  }
  if (rc == GLP_ETMLIM || rc == GLP_EITLIM) {
    c->time_cut = 1;
    return 1;
  }
  if (rc == GLP_EFAIL || rc == GLP_ESING || rc == GLP_ECOND) {
    /* A stale basis after many changes: start from a fresh one. */
    glp_adv_basis(c->lp, 0);
    rc = glp_simplex(c->lp, &smcp);
    if (rc == GLP_ETMLIM || rc == GLP_EITLIM) {
      c->time_cut = 1;
      return 1;
    }
  }
  if (rc) return vmp__error(VMP_ESOLVER, "colgen: glp_simplex failed (code %d)", rc);
  if (glp_get_status(c->lp) != GLP_OPT)
    return vmp__error(VMP_EINTERNAL,
                      "colgen: the master LP has status %d; it always has a "
                      "solution (every VM unplaced), please report this bug",
                      glp_get_status(c->lp));
  return 0;
}

/* ---- pricing (C4) ------------------------------------------------------------------------ */

static void read_duals(cg *c) {
  for (uint32_t t = 0; t < c->nt; t++) {
    double d = glp_get_row_dual(c->lp, (int)t + 1);
    c->pi_lp[t] = d > 0.0 ? d : 0.0;
  }
  for (uint32_t k = 0; k < c->nk; k++) {
    double d = glp_get_row_dual(c->lp, (int)(c->nt + k) + 1);
    c->mu_lp[k] = d < 0.0 ? d : 0.0;
  }
}

/* The duals pricing uses: alpha x centre + (1 - alpha) x LP. */
static void smooth(cg *c, double alpha) {
  for (uint32_t t = 0; t < c->nt; t++) c->pi[t] = alpha * c->pi_c[t] + (1.0 - alpha) * c->pi_lp[t];
  for (uint32_t k = 0; k < c->nk; k++) c->mu[k] = alpha * c->mu_c[k] + (1.0 - alpha) * c->mu_lp[k];
}

/* Sum over types of b_t min(0, pen_t - scale pi_t): what leaving units
 * out saves against the relaxed cover rows. */
static double unplaced_term(const cg *c, double scale) {
  double sum = 0.0;
  for (uint32_t t = 0; t < c->nt; t++) {
    double d = c->tpen[t] - scale * c->pi[t];
    if (d < 0.0) sum += c->rb[t] * d;
  }
  return sum;
}

/* Whether `deadline` has passed; remembers that time cut a phase. */
static int past(cg *c, double deadline) {
  if (vmp__now() < deadline) return 0;
  c->time_cut = 1;
  return 1;
}

/* Pricing stops at the deadline of the phase or of the solve. */
static int pricing_stop(void *arg) {
  cg *c = arg;
  return vmp__ctx_should_stop(c->ctx) || past(c, c->phase_deadline);
}

/* An upper bound on the best pattern value of class k at the profits
 * and limits in kp: the smaller of the per-resource fractional bound and
 * the LP relaxation (every resource and conflict set at once).  The LP's
 * value is not trusted as such: its duals y (capacity rows) and z
 * (conflict rows), clamped at 0, give the bound sum_r y_r cap_r + sum_s
 * z_s + sum_t ub_t max(0, p_t - sum_r y_r w_tr - sum_{s of t} z_s),
 * valid for any y, z >= 0 whatever GLPK's tolerances did. */
static double quick_upper(cg *c, const vmp__kp *kp, uint32_t k) {
  const double *cap = c->kcap + (size_t)k * c->nres;
  double best = vmp__kp_upper(kp, cap), y[VMP__MAX_RESOURCES], v = 0.0;
  glp_smcp smcp;
  int rc;
  c->ky_ok = 0;
  if (!c->kplp) {
    int nrow = (int)(c->nres + c->nsets);
    uint32_t most = 0;
    int *ind;
    double *val;
    for (uint32_t t = 0; c->cstart && t < c->nt; t++)
      if (c->cstart[t + 1] - c->cstart[t] > most) most = c->cstart[t + 1] - c->cstart[t];
    ind = malloc((c->nres + most + 2) * sizeof *ind);
    val = malloc((c->nres + most + 2) * sizeof *val);
    if (!ind || !val) {
      free(ind);
      free(val);
      return best;
    }
    c->kplp = glp_create_prob();
    glp_set_obj_dir(c->kplp, GLP_MAX);
    glp_add_rows(c->kplp, nrow);
    glp_add_cols(c->kplp, (int)c->nt);
    for (uint32_t s = 0; s < c->nsets; s++)
      glp_set_row_bnds(c->kplp, (int)(c->nres + s) + 1, GLP_UP, 0.0, 1.0);
    for (uint32_t t = 0; t < c->nt; t++) {
      int n = 0;
      for (uint32_t r = 0; r < c->nres; r++)
        if (c->tw[(size_t)t * c->nres + r] != 0.0) {
          ind[n + 1] = (int)r + 1;
          val[n + 1] = c->tw[(size_t)t * c->nres + r];
          n++;
        }
      if (c->cstart)
        for (uint32_t q = c->cstart[t]; q < c->cstart[t + 1]; q++) {
          ind[n + 1] = (int)(c->nres + c->cset[q]) + 1;
          val[n + 1] = 1.0;
          n++;
        }
      glp_set_mat_col(c->kplp, (int)t + 1, n, ind, val);
    }
    free(ind);
    free(val);
  }
  for (uint32_t r = 0; r < c->nres; r++)
    glp_set_row_bnds(c->kplp, (int)r + 1, GLP_UP, 0.0, cap[r]);
  for (uint32_t t = 0; t < c->nt; t++) {
    double most = kp->p[t] > 1e-9 ? (double)kp->ub[t] : 0.0;
    for (uint32_t r = 0; r < c->nres && most > 0.0; r++) {
      double w = c->tw[(size_t)t * c->nres + r];
      if (w > 0.0 && floor((cap[r] + 1e-9) / w) < most) most = floor((cap[r] + 1e-9) / w);
    }
    c->kplub[t] = most > 0.0 ? most : 0.0;
    glp_set_obj_coef(c->kplp, (int)t + 1, most > 0.0 ? kp->p[t] : 0.0);
    if (most > 0.0)
      glp_set_col_bnds(c->kplp, (int)t + 1, GLP_DB, 0.0, most);
    else
      glp_set_col_bnds(c->kplp, (int)t + 1, GLP_FX, 0.0, 0.0);
  }
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  smcp.meth = GLP_DUALP;
  {
    /* (the knapsack bound without the LP when the time runs out) */
    double left = vmp__ctx_remaining(c->ctx), phase = c->phase_deadline - vmp__now();
    smcp.tm_lim = vmp__glpk_ms(phase < left ? phase : left);
  }
  rc = glp_simplex(c->kplp, &smcp);
  if (rc || glp_get_status(c->kplp) != GLP_OPT) {
    glp_adv_basis(c->kplp, 0);
    return best;
  }
  for (uint32_t r = 0; r < c->nres; r++) {
    double d = glp_get_row_dual(c->kplp, (int)r + 1);
    y[r] = d > 0.0 ? d : 0.0;
    v += y[r] * cap[r];
  }
  memcpy(c->ky, y, c->nres * sizeof *y);
  c->ky_ok = 1;
  for (uint32_t s = 0; s < c->nsets; s++) {
    double d = glp_get_row_dual(c->kplp, (int)(c->nres + s) + 1);
    c->kplz[s] = d > 0.0 ? d : 0.0;
    v += c->kplz[s];
  }
  for (uint32_t t = 0; t < c->nt; t++) {
    double red = kp->p[t];
    if (c->kplub[t] <= 0.0) continue;
    for (uint32_t r = 0; r < c->nres; r++) red -= y[r] * c->tw[(size_t)t * c->nres + r];
    if (c->cstart)
      for (uint32_t q = c->cstart[t]; q < c->cstart[t + 1]; q++) red -= c->kplz[c->cset[q]];
    if (red > 0.0) v += c->kplub[t] * red;
  }
  return v < best ? v : best;
}

/* A pattern from the relaxation quick_upper just solved: its solution
 * rounded down, then filled greedily with what still fits (types in
 * conflict sets only from the rounding).  sol->a must hold nt entries;
 * returns its value at kp's profits. */
static double round_lp(cg *c, const vmp__kp *kp, uint32_t k, vmp__kp_sol *sol) {
  const double *cap = c->kcap + (size_t)k * c->nres;
  double rem[VMP__MAX_RESOURCES], v = 0.0;
  vmp__kp fill = *kp;
  vmp__kp_sol more;
  uint32_t *ub = c->kub2, *a = c->kfill;
  memcpy(rem, cap, c->nres * sizeof *rem);
  if (c->nsets) memset(c->kset, 0, c->nsets);
  for (uint32_t t = 0; t < c->nt; t++) {
    double x = c->kplub[t] > 0.0 ? glp_get_col_prim(c->kplp, (int)t + 1) : 0.0;
    uint32_t n = x > 0.0 ? (uint32_t)floor(x + 1e-9) : 0;
    if (n > kp->ub[t]) n = kp->ub[t];
    if (n && c->cstart) {
      /* one item per conflict set, whatever the LP's rounding did */
      for (uint32_t q = c->cstart[t]; q < c->cstart[t + 1]; q++)
        if (c->kset[c->cset[q]]) n = 0;
      if (n > 1 && c->cstart[t] != c->cstart[t + 1]) n = 1;
      for (uint32_t q = c->cstart[t]; q < c->cstart[t + 1] && n; q++) c->kset[c->cset[q]] = 1;
    }
    for (uint32_t r = 0; r < c->nres && n; r++) {
      double w = c->tw[(size_t)t * c->nres + r];
      if (w > 0.0 && n * w > rem[r] + 1e-9) n = (uint32_t)floor((rem[r] + 1e-9) / w);
    }
    sol->a[t] = n;
    for (uint32_t r = 0; r < c->nres; r++) rem[r] -= n * c->tw[(size_t)t * c->nres + r];
    ub[t] = c->cstart && c->cstart[t] != c->cstart[t + 1] ? 0 : kp->ub[t] - n;
  }
  /* sets used by the rounding stay closed: their types got ub 0 above */
  fill.ub = ub;
  fill.cstart = fill.cset = NULL;
  fill.nsets = 0;
  more.a = a;
  for (uint32_t r = 0; r < c->nres; r++)
    if (rem[r] < 0.0) rem[r] = 0.0;
  vmp__kp_greedy(&fill, rem, &more);
  for (uint32_t t = 0; t < c->nt; t++) {
    sol->a[t] += a[t];
    v += sol->a[t] * kp->p[t];
  }
  sol->value = v;
  return v;
}

/* Prices every class; adds improving columns.  *lagr receives the
 * Lagrangian (C5) or Farley (C6) bound of the current node, *exact
 * whether every class was priced exactly.  The Lagrangian bound holds at
 * any duals with any upper bound on each class's best pattern value, so
 * a round that prices inexactly (greedy columns, a search cut by its
 * node limit) still bounds with the relaxations' upper bounds; only a
 * class left unpriced (the clock) leaves *lagr at -HUGE_VAL. */
static int price(cg *c, int *ind, double *val, int *added, double *lagr, int *exact) {
  vmp__kp kp;
  double sum_pi = 0.0, lag = 0.0, theta = 1.0;
  int rc = 0, farley = c->pure, bounded = 1;
  *added = 0;
  *exact = 1;
  for (uint32_t t = 0; t < c->nt; t++) sum_pi += c->pi[t] * c->rb[t];
  memset(&kp, 0, sizeof kp);
  kp.n = c->nt;
  kp.nres = c->nres;
  kp.w = c->tw;
  kp.p = c->prof;
  kp.ub = c->kub;
  kp.cstart = c->cstart;
  kp.cset = c->cset;
  kp.nsets = c->nsets;
  kp.stop = pricing_stop;
  kp.stop_arg = c;
  for (uint32_t s = 0; s < c->nk && !rc; s++) {
    double box[VMP__MAX_RESOURCES] = {0}, cells, bits;
    vmp__kp_dp *dp = NULL;
    int any = 0;
    if (c->ksig[s] != s) continue;
    for (uint32_t k = s; k < c->nk; k++) {
      if (c->ksig[k] != s || !c->rn[k]) continue;
      any++;
      for (uint32_t r = 0; r < c->nres; r++)
        if (c->kcap[(size_t)k * c->nres + r] > box[r]) box[r] = c->kcap[(size_t)k * c->nres + r];
    }
    if (!any) continue;
    for (uint32_t t = 0; t < c->nt; t++) {
      double v = c->tkc[(size_t)t * c->nk + s];
      c->prof[t] = isnan(v) ? 0.0 : c->pi[t] - v;
      c->kub[t] = isnan(v) ? 0 : c->tone[t] && c->rb[t] > 1 ? 1 : c->rb[t];
    }
    /* One table serves `any` classes, branch and bound prices each: the
     * table pays when its work per class is small (and it fits in
     * DP_MAX_BITS of choices). */
    cells = vmp__kp_dp_cells(&kp, box, &bits);
    if (cells > 0.0 && bits <= c->dp_max_bits * any && bits <= DP_MAX_BITS &&
        (rc = vmp__kp_dp_build(&dp, &kp, box))) {
      if (rc == 1) {   /* the deadline: this round proves nothing */
        rc = 0;
        *exact = 0;
      }
      bounded = 0;
      break;
    }
    for (uint32_t k = s; k < c->nk && !rc; k++) {
      double floor_value, upper;
      size_t nsols = 0;
      if (c->ksig[k] != s || !c->rn[k]) continue;
      floor_value = c->kcost[k] - c->mu[k] + RC_TOL;
      if (dp) {
        vmp__kp_dp_query(dp, c->kcap + (size_t)k * c->nres, &c->sols[0]);
        upper = c->sols[0].value;
        nsols = upper > floor_value;
      } else {
        int done;
        /* A greedy column is as good as an exact one while it prices in;
         * the exact search is for the rounds that must prove none does. */
        vmp__kp_greedy(&kp, c->kcap + (size_t)k * c->nres, &c->sols[0]);
        if (c->sols[0].value > floor_value) {
          *exact = 0;
          nsols = 1;
          upper = quick_upper(c, &kp, k);
        } else if ((upper = quick_upper(c, &kp, k)) <= floor_value) {
          /* The relaxation proves that no pattern prices in. */
          nsols = 0;
        } else if (round_lp(c, &kp, k, &c->sols[0]) > floor_value) {
          *exact = 0;
          nsols = 1;
        } else {
          double lp_upper = upper;
          kp.sw = c->ky_ok ? c->ky : NULL;
          done = vmp__kp_bb(&kp, c->kcap + (size_t)k * c->nres, floor_value,
                            c->bb_nodes, c->sols, NSOLS, &nsols, &upper);
          kp.sw = NULL;
          if (done >= 0 && lp_upper < upper) upper = lp_upper;
          if (done < 0) {
            rc = done;
            bounded = 0;
            break;
          }
          if (!done) {
            double u = upper;
            *exact = 0;
            upper = vmp__kp_upper(&kp, c->kcap + (size_t)k * c->nres);
            if (u < upper) upper = u;
          }
        }
      }
      c->vbar[k] = upper;
      for (size_t q = 0; q < nsols && !rc; q++)
        rc = new_column(c, k, c->sols[q].a, ind, val, added, 1);
      lag += c->rn[k] * (c->kcost[k] - upper < 0.0 ? c->kcost[k] - upper : 0.0);
      if (!(c->kcost[k] > 0.0)) farley = 0;
      if (upper > 0.0 && c->kcost[k] / upper < theta) theta = c->kcost[k] / upper;
      if (pricing_stop(c)) *exact = 0;
    }
    vmp__kp_dp_free(dp);
    if (pricing_stop(c)) {
      *exact = 0;
      /* the classes after this signature are not priced */
      for (uint32_t k = s + 1; k < c->nk; k++)
        if (c->ksig[k] > s && c->rn[k]) bounded = 0;
      break;
    }
  }
  /* The unplaced columns are bounded by the counts, so a dual may exceed
   * a type's penalty; the Lagrangian then takes every unit of that type
   * unplaced at its penalty (the term b_t min(0, pen_t - pi_t) of (C5)),
   * and so does Farley's bound at the scaled duals. */
  *lagr = c->fixed_cost + c->p0 + sum_pi + lag + unplaced_term(c, 1.0);
  if (farley) {
    double f = c->fixed_cost + c->p0 + theta * sum_pi + unplaced_term(c, theta);
    if (f > *lagr) *lagr = f;
  }
  if (!bounded) *lagr = -HUGE_VAL;
  return rc;
}

static int timed_price(cg *c, int *ind, double *val, int *added, double *lagr, int *exact) {
  double t0 = vmp__now();
  int rc = price(c, ind, val, added, lagr, exact);
  c->price_seconds += vmp__now() - t0;
  return rc;
}

/* Column generation at the current node until pricing finds nothing, a
 * limit, or the bound shows the node cannot beat the best placement.
 * *lb receives the node's bound (with fixed cost and p0; -HUGE_VAL when
 * none was proven); returns 1 when stopped by time. */
static int optimize(cg *c, int *ind, double *val, double deadline, double *lb, int *converged) {
  /* *converged: 1 pricing proved the LP optimal, 2 the bound reached the
   * LP value (rounded up when costs are integers) first */
  int rc;
  *lb = -HUGE_VAL;
  *converged = 0;
  c->phase_deadline = deadline;
  c->bb_nodes = c->bb_nodes_base;
  c->has_centre = 0;   /* a new node: another Lagrangian function */
  c->lag_c = -HUGE_VAL;
  for (;;) {
    double lagr, z;
    int added, exact;
    if ((rc = lp_solve(c))) return rc;
    z = glp_get_obj_val(c->lp) + c->fixed_cost + c->p0;
    c->lp_value = z;
    c->rounds++;
    read_duals(c);
    /* Wentges smoothing: price halfway between the stability centre and
     * the LP's duals (fewer rounds on degenerate masters); when that
     * finds no column with a negative reduced cost at the LP's duals,
     * price at the LP's duals themselves. */
    for (double alpha = c->has_centre ? 0.5 : 0.0;; alpha = 0.0) {
      smooth(c, alpha);
      if ((rc = timed_price(c, ind, val, &added, &lagr, &exact))) return rc;
      if (lagr > *lb) *lb = lagr;
      if (exact && lagr > c->lag_c) {
        memcpy(c->pi_c, c->pi, c->nt * sizeof *c->pi);
        memcpy(c->mu_c, c->mu, c->nk * sizeof *c->mu);
        c->lag_c = lagr;
        c->has_centre = 1;
      }
      if (added || alpha == 0.0) break;
    }
    vmp__ctx_log(c->ctx, VMP_LOG_DEBUG, "colgen: round %llu LP %.10g bound %.10g added %d exact %d",
                 (unsigned long long)c->rounds, z, *lb, added, exact);
    /* The bound already meets the LP value rounded up: more columns
     * cannot raise it (the LP value only falls towards the master's
     * optimum, which the bound stays below), so the node's bound is the
     * master's LP bound, proven by the Lagrangian (converged 2). */
    if (*lb > -HUGE_VAL && round_up(c, *lb) >= round_up(c, z) - tolerance(z)) {
      *converged = !added && exact ? 1 : 2;
      return 0;
    }
    /* Branch and bound ran out of nodes without a column: the LP may
     * already be optimal, but only a complete search proves it -- worth
     * it only when the LP value could beat the bound known already. */
    while (!added && !exact && c->bb_nodes < c->bb_nodes_max && !vmp__ctx_should_stop(c->ctx) &&
           !past(c, deadline) && round_up(c, z) > global_bound(c) + tolerance(z)) {
      c->bb_nodes *= 8;
      if ((rc = timed_price(c, ind, val, &added, &lagr, &exact))) return rc;
    }
    if (lagr > *lb) *lb = lagr;
    if (!added) {
      if (exact) {
        /* Converged: the Lagrangian at these duals is the LP value, but
         * computed by us, so it holds whatever GLPK's tolerances did to
         * the LP (coefficients spanning many orders of magnitude); the LP
         * value itself is not taken as a bound. */
        *converged = 1;
      }
      return 0;
    }
    if (round_up(c, *lb) >= c->best_obj - tolerance(c->best_obj)) return 0;
    vmp__ctx_progress(c->ctx, c->best_obj, c->root_lb > c->ext_bound ? c->root_lb : c->ext_bound,
                      c->rounds, 0, 0);
    if (vmp__ctx_should_stop(c->ctx) || past(c, deadline)) return 1;
    if ((double)c->np >= c->max_columns) return 0;
  }
}

/* ---- placements from patterns --------------------------------------------------------- */

/* A placement from patterns: each copy takes the next host of its class
 * and the next items of each type; whatever the patterns miss or the fit
 * check refuses (label-scoped groups) is placed by repair.  Verified; the
 * best so far is kept. */
static int use_patterns(cg *c, const size_t *pat, const uint32_t *copies, size_t n) {
  const vmp__model *m = c->m;
  int32_t *host = c->scratch;
  double obj;
  int rc;
  for (size_t i = 0; i < m->nitems; i++) host[i] = -1;
  memset(c->take, 0, c->nt * sizeof *c->take);
  memset(c->hnext, 0, c->nk * sizeof *c->hnext);
  for (size_t q = 0; q < n; q++) {
    size_t p = pat[q];
    uint32_t k = c->pclass[p];
    for (uint32_t cp = 0; cp < copies[q]; cp++) {
      uint32_t h;
      if (c->hnext[k] >= c->kn[k]) break;
      h = m->hclass_hosts[m->hclass_start[c->kclass[k]] + c->hnext[k]++];
      for (size_t e = c->pstart[p]; e < c->pstart[p + 1]; e++) {
        uint32_t t = c->ptype[e];
        for (uint32_t u = 0; u < c->pcnt[e] && c->take[t] < c->tb[t]; u++)
          host[c->titems[c->tstart[t] + c->take[t]++]] = (int32_t)h;
      }
    }
  }
  /* As the patterns say (what does not fit stays out), then with the
   * rest placed where it fits: leaving a VM out can be the cheaper.  With
   * transient resources, spread minimums or dependencies, which patterns
   * do not express, each is then repaired to meet them (hardcons.h: VMs
   * swap with other items between hosts while that mends some, then stay
   * where the patterns put them as far as the constraints let them, the
   * others go where they add no violation or stay out). */
  for (int rest = 0; rest < 2; rest++) {
    if ((rc = vmp__repair_items(m, host, rest))) return rc;
    if (c->hard) {
      vmp__hardcons_swap(&c->hst, &c->hd, host, HARD_SWAPS);
      if ((rc = vmp__hardcons_repair(&c->hst, &c->hd, host, NULL, c->ctx))) return rc;
    }
    if ((rc = vmp__verify_items(m, host, &obj)) < 0) return rc;
    if (rc == 1 && obj < c->best_obj - 1e-9) {
      memcpy(c->best, host, m->nitems * sizeof *host);
      c->best_obj = obj;
      vmp__ctx_log(c->ctx, VMP_LOG_DEBUG, "colgen: placement of objective %.10g", obj);
    }
  }
  return 0;
}

/* The columns of a placement (the warm start), so that the LP starts
 * from it. */
static int placement_columns(cg *c, const int32_t *host, int *ind, double *val) {
  const vmp__model *m = c->m;
  uint32_t *a = c->kub, *kof = NULL;
  int added = 0, rc = 0;
  uint8_t *seen = calloc(m->nhosts + 1, 1);
  kof = malloc((m->nhclasses + 1) * sizeof *kof);
  if (!seen || !kof) {
    free(seen);
    free(kof);
    return vmp__enomem();
  }
  for (uint32_t hc = 0; hc < m->nhclasses; hc++) kof[hc] = UINT32_MAX;
  for (uint32_t k = 0; k < c->nk; k++) kof[c->kclass[k]] = k;
  for (size_t i = 0; i < m->nitems && !rc; i++) {
    int32_t h = host[i];
    uint32_t k;
    if (h < 0 || seen[h]) continue;
    seen[h] = 1;
    k = kof[m->hclass[h]];
    if (k == UINT32_MAX) continue;
    memset(a, 0, c->nt * sizeof *a);
    for (size_t j = i; j < m->nitems; j++)
      if (host[j] == h && c->itype[j] != UINT32_MAX) a[c->itype[j]]++;
    rc = new_column(c, k, a, ind, val, &added, 0);
  }
  free(seen);
  free(kof);
  return rc;
}

/* ---- the dive ---------------------------------------------------------------------------- */

typedef struct fixing {
  size_t p;              /* pattern, or SIZE_MAX for unplaced units */
  uint32_t t;            /* type, for unplaced units */
  uint32_t copies;
  size_t undo;           /* start of its entries in the undo log */
} fixing;

typedef struct dive {
  fixing *fix;           /* fixings in force, in order */
  size_t nfix, fixcap;
  size_t *level;         /* [depth] first fixing of each decision */
  uint32_t *rank;        /* [depth] which candidate the decision took */
  size_t depth, levelcap, rankcap;
  uint32_t next_rank;    /* the candidate the next decision takes */
  uint32_t *undo;        /* pairs (type, amount) taken from rb */
  size_t nundo, undocap;
  size_t *pat;           /* scratch for use_patterns */
  uint32_t *cnt;
  size_t scap;
} dive;

static void dive_free(dive *d) {
  VMP__FREE_ALL(d->fix, d->level, d->rank, d->undo, d->pat, d->cnt);
}

/* Fixes `copies` of pattern p (or of the unplaced units of type t when
 * p == SIZE_MAX): takes what they cover from the residual counts. */
static int apply_fix(cg *c, dive *d, size_t p, uint32_t t, uint32_t copies) {
  fixing *f;
  if (vmp__grow(&d->fix, &d->fixcap, d->nfix + 1, sizeof *d->fix)) return VMP_ENOMEM;
  f = &d->fix[d->nfix++];
  f->p = p;
  f->t = t;
  f->copies = copies;
  f->undo = d->nundo;
  if (p == SIZE_MAX) {
    uint32_t take = copies < c->rb[t] ? copies : c->rb[t];
    if (vmp__grow(&d->undo, &d->undocap, d->nundo + 2, sizeof *d->undo)) return VMP_ENOMEM;
    d->undo[d->nundo++] = t;
    d->undo[d->nundo++] = take;
    c->rb[t] -= take;
    c->fixed_cost += take * c->tpen[t];
    return 0;
  }
  c->rn[c->pclass[p]] -= copies;
  c->fixed_cost += copies * c->pcost[p];
  for (size_t e = c->pstart[p]; e < c->pstart[p + 1]; e++) {
    uint32_t ty = c->ptype[e];
    uint32_t want = c->pcnt[e] * copies, take = want < c->rb[ty] ? want : c->rb[ty];
    if (!take) continue;
    if (vmp__grow(&d->undo, &d->undocap, d->nundo + 2, sizeof *d->undo)) return VMP_ENOMEM;
    d->undo[d->nundo++] = ty;
    d->undo[d->nundo++] = take;
    c->rb[ty] -= take;
  }
  return 0;
}

static void undo_fix(cg *c, dive *d) {
  fixing *f = &d->fix[--d->nfix];
  while (d->nundo > f->undo) {
    uint32_t take = d->undo[--d->nundo], ty = d->undo[--d->nundo];
    c->rb[ty] += take;
  }
  if (f->p != SIZE_MAX) c->rn[c->pclass[f->p]] += f->copies;
}

/* Recomputes the fixed cost from the fixings (no drift from undo). */
static void fixed_cost_of(cg *c, const dive *d) {
  double cost = 0.0;
  for (size_t q = 0; q < d->nfix; q++) {
    const fixing *f = &d->fix[q];
    if (f->p == SIZE_MAX)
      cost += f->copies * c->tpen[f->t];
    else
      cost += f->copies * c->pcost[f->p];
  }
  c->fixed_cost = cost;
}

/* Undoes the last decision; the next decision at that node takes the
 * following candidate (limited discrepancy search: a column is never
 * forbidden, which would fight the pricing).  0 when there is nothing
 * left to undo or no budget. */
static int backtrack(cg *c, dive *d, uint64_t budget) {
  size_t first;
  if (!d->depth || c->backtracks >= budget) return 0;
  first = d->level[--d->depth];
  d->next_rank = d->rank[d->depth] + 1;
  while (d->nfix > first) undo_fix(c, d);
  fixed_cost_of(c, d);
  c->backtracks++;
  lp_residual(c);
  return 1;
}

/* The fixings plus, with with_lp, the LP's integral columns as a
 * placement; without, the items the fixings miss are placed by the
 * repair's first fit (a dive cut short still yields a placement). */
static int record_dive(cg *c, dive *d, int with_lp) {
  size_t n = 0;
  uint32_t *cnt;
  if (vmp__grow(&d->pat, &d->scap, d->nfix + c->np + 1, sizeof *d->pat)) return VMP_ENOMEM;
  if (!(cnt = realloc(d->cnt, (d->scap + 1) * sizeof *d->cnt))) return vmp__enomem();
  d->cnt = cnt;
  for (size_t q = 0; q < d->nfix; q++)
    if (d->fix[q].p != SIZE_MAX) {
      d->pat[n] = d->fix[q].p;
      d->cnt[n++] = d->fix[q].copies;
    }
  for (size_t p = 0; with_lp && p < c->np; p++) {
    double x = glp_get_col_prim(c->lp, pcol(c, p));
    if (x > 0.5) {
      d->pat[n] = p;
      d->cnt[n++] = (uint32_t)floor(x + 0.5);
    }
  }
  return use_patterns(c, d->pat, d->cnt, n);
}

typedef struct cand {
  double x;
  size_t p;
} cand;

static int cmp_cand(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (x->x != y->x) return x->x > y->x ? -1 : 1;
  return (x->p > y->p) - (x->p < y->p);
}

/* Chooses and applies the next decision: the column of rank
 * d->next_rank by LP value (0: the one the LP likes most), its integral
 * part when it is at 1 or more, else one copy; unplaced units the LP
 * insists on go too.  Returns 1, fixing nothing, when the LP solution is
 * integral (a placement: the fixings plus the LP's columns), 2 when no
 * candidate of that rank is left. */
static int decide(cg *c, dive *d) {
  size_t start = d->nfix, n = 0;
  cand *cs;
  int frac = 0, rc;
  uint32_t rank = d->next_rank;
  for (uint32_t t = 0; t < c->nt && !frac; t++) {
    double u = glp_get_col_prim(c->lp, (int)t + 1);
    frac = fabs(u - floor(u + 0.5)) > 1e-6;
  }
  for (size_t p = 0; p < c->np && !frac; p++) {
    double x = glp_get_col_prim(c->lp, pcol(c, p));
    frac = fabs(x - floor(x + 0.5)) > 1e-6;
  }
  if (!frac) return 1;
  cs = malloc((c->np + 1) * sizeof *cs);
  if (!cs) return vmp__enomem();
  for (size_t p = 0; p < c->np; p++) {
    double x = glp_get_col_prim(c->lp, pcol(c, p));
    if (x > 1e-6) {
      cs[n].x = x;
      cs[n++].p = p;
    }
  }
  qsort(cs, n, sizeof *cs, cmp_cand);
  d->next_rank = 0;
  if (rank >= n) {
    free(cs);
    return 2;
  }
  for (uint32_t t = 0; t < c->nt; t++) {
    double u = glp_get_col_prim(c->lp, (int)t + 1);
    if (u >= 1.0 - 1e-6 && (rc = apply_fix(c, d, SIZE_MAX, t, (uint32_t)floor(u + 1e-6)))) {
      free(cs);
      return rc;
    }
  }
  rc = apply_fix(c, d, cs[rank].p, 0,
                 cs[rank].x >= 1.0 - 1e-6 ? (uint32_t)floor(cs[rank].x + 1e-6) : 1);
  /* Columns the LP already holds at 1 or more go with it when there are
   * many (a dive over thousands of hosts would otherwise re-solve the LP
   * thousands of times); a few stay free for backtracking to revisit. */
  if (c->multi_fix)
    for (size_t q = 0; q < n && !rc && cs[q].x >= 1.0 - 1e-6; q++)
      if (q != rank) rc = apply_fix(c, d, cs[q].p, 0, (uint32_t)floor(cs[q].x + 1e-6));
  free(cs);
  if (rc) return rc;
  if (vmp__grow(&d->level, &d->levelcap, d->depth + 1, sizeof *d->level) ||
      vmp__grow(&d->rank, &d->rankcap, d->depth + 1, sizeof *d->rank))
    return VMP_ENOMEM;
  d->level[d->depth] = start;
  d->rank[d->depth++] = rank;
  fixed_cost_of(c, d);
  lp_residual(c);
  return 0;
}

static int proven(const cg *c) {
  return c->best_obj - global_bound(c) <= tolerance(c->best_obj);
}

/* Back to the root: every count, host and column free again. */
static void dive_reset(cg *c, dive *d) {
  d->nfix = d->depth = d->nundo = 0;
  d->next_rank = 0;
  memcpy(c->rb, c->tb, c->nt * sizeof *c->rb);
  memcpy(c->rn, c->kn, c->nk * sizeof *c->rn);
  c->fixed_cost = 0.0;
  lp_residual(c);
}

/* One dive with limited backtracking.  An aggressive dive prunes every
 * node whose bound exceeds the global bound: it looks for a placement
 * that proves itself optimal (bin packing usually has one); otherwise a
 * node is pruned only when it cannot beat the best placement.  At depth
 * `disc` (when >= 0) the dive first takes the LP's second choice, so
 * that successive dives try other branches near the top.  *reached gets
 * the deepest level seen. */
static int run_dive(cg *c, int *ind, double *val, double deadline, int aggressive, long disc,
                    uint64_t per_dive, size_t *reached) {
  dive d;
  uint64_t budget = c->backtracks + per_dive;
  int rc = 0, disc_done = 0;
  memset(&d, 0, sizeof d);
  c->dives++;
  *reached = 0;
  while (!proven(c) && !vmp__ctx_should_stop(c->ctx) && !past(c, deadline)) {
    double lb, target;
    int conv, st, r;
    st = optimize(c, ind, val, deadline, &lb, &conv);
    if (st < 0) {
      rc = st;
      break;
    }
    if (st == 1) {
      if (d.depth) rc = record_dive(c, &d, 0);
      break;
    }
    /* Not proven at this node (inexact pricing): the LP value guides. */
    if (lb == -HUGE_VAL) lb = c->lp_value;
    if (d.depth > *reached) *reached = d.depth;
    vmp__ctx_log(c->ctx, VMP_LOG_DEBUG, "colgen: dive depth %zu fixed %.10g lp %.10g lb %.10g%s",
                 d.depth, c->fixed_cost, c->lp_value, lb, conv ? "" : " (not converged)");
    if (aggressive && c->root_lb > -HUGE_VAL)
      target = c->root_lb;
    else
      target = c->integral ? c->best_obj - 1.0 : c->best_obj - tolerance(c->best_obj);
    if (round_up(c, lb) > target + tolerance(target)) {
      /* The deepest point of the dive so far: complete it greedily. */
      if (d.depth >= *reached && (rc = record_dive(c, &d, 0))) break;
      r = backtrack(c, &d, budget);
    } else {
      if (!disc_done && (long)d.depth == disc && d.next_rank == 0) {
        d.next_rank = 1;
        disc_done = 1;
      }
      r = decide(c, &d);
      if (r == 1) {
        if ((rc = record_dive(c, &d, 1))) break;
        r = backtrack(c, &d, budget);
      } else if (r == 2) {
        r = backtrack(c, &d, budget);
      } else if (r == 0) {
        continue;
      }
    }
    if (r < 0) {
      rc = r;
      break;
    }
    if (r == 0) break;
  }
  dive_reset(c, &d);
  dive_free(&d);
  return rc;
}

/* Aggressive dives, each with its second choice one level deeper, while
 * they may find a placement at the global bound; then one dive that
 * takes any improvement. */
static int dives(cg *c, int *ind, double *val, double deadline) {
  uint64_t per = (uint64_t)vmp__param_num(c->ctx, "colgen.backtracks", 20);
  uint64_t most = (uint64_t)vmp__param_num(c->ctx, "colgen.max_dives", 0), done = 0;
  size_t reached = 0, deepest = 0;
  int rc;
  if (!most) most = UINT64_MAX;
  for (long disc = -1; disc <= (long)deepest; disc++) {
    if (proven(c) || vmp__ctx_should_stop(c->ctx) || past(c, deadline) || done++ >= most)
      return 0;
    if ((rc = run_dive(c, ind, val, deadline, 1, disc, per, &reached))) return rc;
    if (reached > deepest) deepest = reached;
  }
  if (proven(c) || vmp__ctx_should_stop(c->ctx) || past(c, deadline) || done >= most) return 0;
  return run_dive(c, ind, val, deadline, 0, -1, 10 * per, &reached);
}

/* ---- the integer master ------------------------------------------------------------------- */

typedef struct master_cb {
  cg *c;
  double *xinc;
  int injected;
  double deadline;
  vmp__glpk_steps steps;   /* glp_intopt's steps, timed (glpk_util.h) */
} master_cb;

static void on_master(glp_tree *T, void *info) {
  master_cb *mc = info;
  cg *c = mc->c;
  glp_prob *P = glp_ios_get_prob(T);
  double inc = HUGE_VAL, b = c->root_lb > c->ext_bound ? c->root_lb : c->ext_bound;
  double left = mc->deadline - vmp__now(), ctx_left = vmp__ctx_remaining(c->ctx);
  int a, n, t, act;
  if (ctx_left < left) left = ctx_left;
  /* Separation and every other step that would not end by the deadline
   * are not started. */
  act = vmp__glpk_steps_enter(&mc->steps, T, left);
  if (act == VMP__GLPK_CUTS_OFF)
    vmp__ctx_log(c->ctx, VMP_LOG_INFO, "colgen: integer master: %.2f s left: no more cuts",
                 left);
  if (act == VMP__GLPK_STOP) c->time_cut = 1;
  if (glp_ios_reason(T) == GLP_IHEUR && mc->xinc && !mc->injected) {
    mc->injected = 1;
    glp_ios_heur_sol(T, mc->xinc);
  }
  if (glp_mip_status(P) == GLP_FEAS) inc = glp_mip_obj_val(P);
  glp_ios_tree_size(T, &a, &n, &t);
  /* A master solution that meets the global bound cannot be beaten. */
  if ((inc < HUGE_VAL && inc - b <= tolerance(inc)) || past(c, mc->deadline) ||
      vmp__ctx_progress(c->ctx, c->best_obj < inc ? c->best_obj : inc, b, (uint64_t)t, 0, 0) ||
      act == VMP__GLPK_STOP)
    glp_ios_terminate(T);
  vmp__glpk_steps_leave(&mc->steps, T);
}

/* Price-and-branch: the integer program over every generated column,
 * started from the best placement. */
static int integer_master(cg *c, int *ind, double *val, double deadline) {
  const vmp__model *m = c->m;
  glp_iocp iocp;
  master_cb mc;
  int rc, st;
  size_t np0;
  uint32_t *a = c->kub;
  memset(&mc, 0, sizeof mc);
  mc.c = c;
  mc.deadline = deadline;
  c->phase_deadline = deadline;
  c->master_used = 1;
  /* The best placement as columns: one pattern per used host. */
  if ((rc = placement_columns(c, c->best, ind, val))) return rc;
  np0 = c->np;
  mc.xinc = calloc((size_t)c->nt + np0 + 1, sizeof *mc.xinc);
  if (!mc.xinc) return vmp__enomem();
  for (size_t i = 0; i < m->nitems; i++) {
    int32_t h = c->best[i];
    uint32_t t = c->itype[i];
    if (t == UINT32_MAX) continue;
    if (h < 0) mc.xinc[t + 1] += 1.0;
  }
  {
    uint8_t *seen = calloc(m->nhosts + 1, 1);
    int ok = seen != NULL;
    for (size_t i = 0; ok && i < m->nitems; i++) {
      int32_t h = c->best[i];
      uint32_t k;
      size_t p;
      int fresh;
      if (h < 0 || seen[h]) continue;
      seen[h] = 1;
      for (k = 0; k < c->nk && c->kclass[k] != m->hclass[h]; k++) {}
      if (k == c->nk) continue;
      memset(a, 0, c->nt * sizeof *a);
      for (size_t j = i; j < m->nitems; j++)
        if (c->best[j] == h && c->itype[j] != UINT32_MAX) a[c->itype[j]]++;
      if ((rc = store_pattern(c, k, a, &p, &fresh)) || fresh) {
        ok = 0;   /* placement_columns added them all; cannot happen */
        break;
      }
      mc.xinc[pcol(c, p)] += 1.0;
    }
    free(seen);
    if (!ok) {
      free(mc.xinc);
      mc.xinc = NULL;
    }
  }
  if (rc) {
    free(mc.xinc);
    return rc;
  }
  for (uint32_t t = 0; t < c->nt; t++) glp_set_col_kind(c->lp, (int)t + 1, GLP_IV);
  for (size_t p = 0; p < c->np; p++) glp_set_col_kind(c->lp, pcol(c, p), GLP_IV);
  {
    double t_lp = vmp__now();
    if ((rc = lp_solve(c)) != 0) {
      free(mc.xinc);
      return rc < 0 ? rc : 0;
    }
    /* a round of cuts is taken to need as long as this LP until one is
     * timed */
    mc.steps.cut_guess = vmp__now() - t_lp;
  }
  glp_init_iocp(&iocp);
  iocp.msg_lev = vmp__glpk_msg_lev(c->g);
  iocp.presolve = GLP_OFF;    /* the injected start refers to these columns */
  iocp.gmi_cuts = iocp.mir_cuts = iocp.cov_cuts = GLP_ON;
  iocp.tm_lim = vmp__glpk_ms(deadline - vmp__now());
  iocp.cb_func = on_master;
  iocp.cb_info = &mc;
  mc.steps.iocp = &iocp;
  rc = glp_intopt(c->lp, &iocp);
  mc.steps.iocp = NULL;
  st = glp_mip_status(c->lp);
  if (rc == GLP_ETMLIM) c->time_cut = 1;
  if (rc && rc != GLP_ETMLIM && rc != GLP_ESTOP && rc != GLP_EMIPGAP) {
    /* The master only proposes placements; its failure costs nothing but
     * the proposal. */
    vmp__ctx_log(c->ctx, VMP_LOG_WARN, "colgen: integer master: glp_intopt returned %d", rc);
  } else if (st == GLP_FEAS || st == GLP_OPT) {
    size_t n = 0;
    size_t *pat = malloc((c->np + 1) * sizeof *pat);
    uint32_t *cnt = malloc((c->np + 1) * sizeof *cnt);
    if (!pat || !cnt) {
      free(pat);
      free(cnt);
      free(mc.xinc);
      return vmp__enomem();
    }
    for (size_t p = 0; p < c->np; p++) {
      double x = glp_mip_col_val(c->lp, pcol(c, p));
      if (x > 0.5) {
        pat[n] = p;
        cnt[n++] = (uint32_t)floor(x + 0.5);
      }
    }
    rc = use_patterns(c, pat, cnt, n);
    free(pat);
    free(cnt);
    free(mc.xinc);
    return rc;
  }
  free(mc.xinc);
  return 0;
}

/* ---- the solver ---------------------------------------------------------------------------- */

static int setup(cg *c) {
  const vmp__model *m = c->m;
  int rc;
  if ((rc = build_types(c)) || (rc = build_classes(c))) return rc;
  c->pi = calloc(c->nt + 1, sizeof *c->pi);
  c->pi_lp = calloc(c->nt + 1, sizeof *c->pi_lp);
  c->pi_c = calloc(c->nt + 1, sizeof *c->pi_c);
  c->mu = calloc(c->nk + 1, sizeof *c->mu);
  c->mu_lp = calloc(c->nk + 1, sizeof *c->mu_lp);
  c->mu_c = calloc(c->nk + 1, sizeof *c->mu_c);
  c->rb = malloc((c->nt + 1) * sizeof *c->rb);
  c->rn = malloc((c->nk + 1) * sizeof *c->rn);
  c->prof = calloc(c->nt + 1, sizeof *c->prof);
  c->kub = calloc(c->nt + 1, sizeof *c->kub);
  c->vbar = calloc(c->nk + 1, sizeof *c->vbar);
  c->scratch = malloc((m->nitems + 1) * sizeof *c->scratch);
  c->take = calloc(c->nt + 1, sizeof *c->take);
  c->hnext = calloc(c->nk + 1, sizeof *c->hnext);
  c->kplub = calloc(c->nt + 1, sizeof *c->kplub);
  c->kplz = calloc(c->nsets + 1, sizeof *c->kplz);
  c->kub2 = calloc(c->nt + 1, sizeof *c->kub2);
  c->kfill = calloc(c->nt + 1, sizeof *c->kfill);
  c->kset = calloc(c->nsets + 1, 1);
  if (!c->kplub || !c->kplz || !c->kub2 || !c->kfill || !c->kset) return vmp__enomem();
  if ((m->needs & VMP__NEED_HARD) && !c->hard) {
    if ((rc = vmp__state_init(&c->hst, m))) return rc;
    if ((rc = vmp__hardcons_init(&c->hd, m))) {
      vmp__state_free(&c->hst);
      return rc;
    }
    c->hard = 1;
  }
  if (!c->pi || !c->pi_lp || !c->pi_c || !c->mu || !c->mu_lp || !c->mu_c || !c->rb || !c->rn || !c->prof || !c->kub || !c->vbar ||
      !c->scratch || !c->take || !c->hnext)
    return vmp__enomem();
  for (int k = 0; k < NSOLS; k++)
    if (!(c->sols[k].a = calloc(c->nt + 1, sizeof *c->sols[k].a))) return vmp__enomem();
  memcpy(c->rb, c->tb, c->nt * sizeof *c->rb);
  memcpy(c->rn, c->kn, c->nk * sizeof *c->rn);
  return 0;
}

/* Everything inside the GLPK guard. */
static int run(cg *c, int *ind, double *val, int *stopped) {
  vmp__ctx *ctx = c->ctx;
  double t0 = vmp__now(), left = vmp__ctx_remaining(ctx), lb;
  int rc, conv;
  *stopped = 0;
  lp_create(c);
  if ((rc = placement_columns(c, c->best, ind, val))) return rc;
  if ((rc = pool_columns(c, ctx->colgen_pool, ind, val))) return rc;
  /* The root: most of the time if it needs it, but leave some for the
   * dive. */
  rc = optimize(c, ind, val, left < HUGE_VAL ? t0 + 0.6 * left : HUGE_VAL, &lb, &conv);
  if (rc < 0) return rc;
  if (lb > -HUGE_VAL) c->root_lb = round_up(c, lb);
  c->root_converged = conv;
  if (ctx->colgen_pool && (rc = pool_keep_duals(c, ctx->colgen_pool))) return rc;
  c->root_seconds = vmp__now() - c->t_start;
  vmp__ctx_log(ctx, VMP_LOG_INFO, "colgen: root %s, LP %.10g, bound %.10g, %zu columns",
               conv ? "converged" : "stopped", c->lp_value, c->root_lb, c->np);
  if (!proven(c) && !vmp__ctx_should_stop(ctx) && vmp__param_num(ctx, "colgen.dive", 1) != 0.0) {
    left = vmp__ctx_remaining(ctx);
    rc = dives(c, ind, val, left < HUGE_VAL ? vmp__now() + 0.7 * left : HUGE_VAL);
    if (rc < 0) return rc;
  }
  if (!proven(c) && !vmp__ctx_should_stop(ctx) &&
      vmp__param_num(ctx, "colgen.integer_master", 1) != 0.0) {
    left = vmp__ctx_remaining(ctx);
    rc = integer_master(c, ind, val, left < HUGE_VAL ? vmp__now() + left : HUGE_VAL);
    if (rc < 0) return rc;
  }
  *stopped = vmp__ctx_should_stop(ctx);
  return 0;
}

static int colgen_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  double t0 = vmp__now(), wbound;
  cg *c = calloc(1, sizeof *c);
  int rc = 0, stopped = 0;
  if (!c) return vmp__enomem();
  c->t_start = t0;
  c->ctx = ctx;
  c->m = m;
  c->nres = m->nres;
  c->root_lb = -HUGE_VAL;
  c->phase_deadline = HUGE_VAL;
  c->max_columns = vmp__param_num(ctx, "colgen.max_columns", 2e5);
  c->dp_max_bits = vmp__param_num(ctx, "colgen.dp_max_work", 2e7);
  c->bb_nodes = (uint64_t)vmp__param_num(ctx, "colgen.pricing_nodes", 2e5);
  c->bb_nodes_max = c->bb_nodes * 512;
  c->bb_nodes_base = c->bb_nodes;
  /* Large problems: a dive fixes every column at 1 together (see
   * decide()). */
  c->multi_fix = m->nitems > 1000;
  c->best = malloc((m->nitems + 1) * sizeof *c->best);
  if (!c->best) {
    rc = vmp__enomem();
    goto end;
  }
  if ((rc = vmp__warmstart(ctx, c->best, &c->best_obj, &wbound))) goto end;
  c->ext_bound = ctx->best_bound > wbound ? ctx->best_bound : wbound;
  /* the root bound of the run that left the pool holds for this model */
  if (ctx->colgen_pool && ctx->colgen_pool->m == m && ctx->colgen_pool->root_lb > c->ext_bound)
    c->ext_bound = ctx->colgen_pool->root_lb;
  if (!proven(c) && !vmp__ctx_should_stop(ctx)) {
    if ((rc = setup(c))) goto end;
    if (c->nt && c->nk) {
      /* Columns of the GLPK matrix: at most every type plus a class row. */
      c->ind = malloc((c->nt + 3) * sizeof *c->ind);
      c->val = malloc((c->nt + 3) * sizeof *c->val);
      if (!c->ind || !c->val) {
        rc = vmp__enomem();
        goto end;
      }
      VMP__GLPK_OPEN_OR_GOTO(c->g, "colgen", ctx->opts, rc, end);
      rc = run(c, c->ind, c->val, &c->stopped);
      vmp__glpk_close(c->g);
      c->g = NULL;
      if (!rc && ctx->colgen_pool) rc = pool_keep(c, ctx->colgen_pool);
      if (rc) goto end;
      stopped = c->stopped;
    }
  }
  memcpy(res->host, c->best, m->nitems * sizeof *res->host);
  res->bound = c->root_lb > c->ext_bound ? c->root_lb : c->ext_bound;
  res->proven_optimal = c->best_obj < HUGE_VAL && proven(c);
  /* Short of a proof the stop reason says why: the clock (the solve's or
   * a phase's), or the methods ran out with the gap open. */
  if (res->proven_optimal)
    res->stop_reason = VMP_STOP_COMPLETED;
  else if (stopped)
    res->stop_reason = vmp__ctx_stop_reason(ctx);
  else
    res->stop_reason = c->time_cut ? VMP_STOP_TIME_LIMIT : VMP_STOP_GAP_REACHED;
  if (res->stop_reason == VMP_STOP_COMPLETED && !res->proven_optimal)
    res->stop_reason = VMP_STOP_TIME_LIMIT;
  if (res->proven_optimal && m->unplaced_auto)
    for (size_t i = 0; i < m->nitems; i++)
      if (!m->item_unplaceable[i] && res->host[i] < 0) res->proven_infeasible = 1;
  vmp__stats_set(&res->stats, "colgen.types", c->nt);
  vmp__stats_set(&res->stats, "colgen.classes", c->nk);
  vmp__stats_set(&res->stats, "colgen.columns", (double)c->np);
  vmp__stats_set(&res->stats, "colgen.rounds", (double)c->rounds);
  vmp__stats_set(&res->stats, "colgen.root_bound", c->root_lb > -HUGE_VAL ? c->root_lb : 0.0);
  vmp__stats_set(&res->stats, "colgen.backtracks", (double)c->backtracks);
  vmp__stats_set(&res->stats, "colgen.dives", (double)c->dives);
  vmp__stats_set(&res->stats, "colgen.integer_master", c->master_used);
  vmp__stats_set(&res->stats, "colgen.root_converged", c->root_converged);
  vmp__stats_set(&res->stats, "colgen.root_seconds", c->root_seconds);
  vmp__stats_set(&res->stats, "colgen.pricing_seconds", c->price_seconds);
  vmp__stats_set(&res->stats, "colgen.lp_seconds", c->lp_seconds);
  vmp__stats_set(&res->stats, "colgen.seconds", vmp__now() - t0);
end:
  cg_free(c);
  free(c);
  return rc;
}

const vmp__solver vmp__solver_colgen = {
    "colgen",
    "column generation over host patterns in GLPK, then a dive and an integer "
    "master (price-and-branch)",
    colgen_solve, colgen_params, sizeof colgen_params / sizeof colgen_params[0],
    VMP__NEED_TRANSIENT | VMP__NEED_SPREAD | VMP__NEED_DEPEND};
