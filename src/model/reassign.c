/*
 * The rebalancing parts of a vmp_problem (include/vmplace/reassign.h):
 * transient resources, safety capacities, ratio balance terms, spread
 * minimums, dependencies and host-to-host move costs.  Like problem.c,
 * every setter validates its input so that a problem is well formed at
 * all times.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem_impl.h"
#include "reassign_impl.h"

static int bad_problem(void) {
  return vmp__error(VMP_EINVAL, "problem is NULL");
}

static int check_r(const vmp_problem *p, size_t r) {
  if (!p) return bad_problem();
  if (r >= p->nres)
    return vmp__error(VMP_EINVAL,
                      "resource index %zu out of range (%u resources)", r,
                      (unsigned)p->nres);
  return 0;
}

static int check_hr(const vmp_problem *p, size_t h, size_t r) {
  int rc = check_r(p, r);
  if (rc) return rc;
  if (h >= p->nhosts)
    return vmp__error(VMP_EINVAL, "host index %zu out of range (%zu hosts)",
                      h, p->nhosts);
  return 0;
}

static const char *rname(const vmp_problem *p, size_t r) {
  return vmp__pool_str(&p->pool, p->res_name[r]);
}

/* The upper end of a number's accepted range (docs/formats.md, "Numbers"):
 * weights, targets and move costs at most VMP_MAX_WEIGHT, absolute safety
 * capacities at most VMP_MAX_QUANTITY, so that every objective the model
 * can express stays finite (with the automatic unplaced weight above it). */
static int too_big(double v, double max, const char *max_text, const char *fmt, ...)
    VMP__PRINTF(4, 5);
static int too_big(double v, double max, const char *max_text, const char *fmt, ...) {
  char what[160], b[32];
  va_list ap;
  if (v <= max) return 0;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return vmp__error(VMP_ERANGE, "%s: expected a number <= %s, got %s", what, max_text,
                    vmp__fmt_num(b, v));
}

static int check_fraction(double f, const char *what, const char *res) {
  char b[32];
  if (!isfinite(f))
    return vmp__error(VMP_ERANGE, "%s.%s: expected a finite number", what,
                      res);
  if (f > 1.0)
    return vmp__error(VMP_ERANGE, "%s.%s: expected a fraction in 0..1, got %s",
                      what, res, vmp__fmt_num(b, f));
  return 0;
}

/* ---- transient ------------------------------------------------------------ */

int vmp_problem_set_resource_transient(vmp_problem *p, size_t r,
                                       int transient) {
  int rc = check_r(p, r);
  if (rc) return rc;
  if (transient)
    p->res_transient |= UINT64_C(1) << r;
  else
    p->res_transient &= ~(UINT64_C(1) << r);
  return 0;
}

int vmp_problem_resource_transient(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nres) return 0;
  return (int)((p->res_transient >> r) & 1u);
}

/* ---- safety ---------------------------------------------------------------- */

int vmp_problem_set_safety_fraction(vmp_problem *p, size_t r,
                                    double fraction) {
  int rc = check_r(p, r);
  if (rc) return rc;
  if ((rc = check_fraction(fraction, "safety", rname(p, r)))) return rc;
  p->res_safety_frac[r] = fraction < 0.0 ? -1.0 : fraction;
  return 0;
}

double vmp_problem_safety_fraction(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nres) return -1.0;
  return p->res_safety_frac[r];
}

int vmp_problem_set_safety_weight(vmp_problem *p, size_t r, double weight) {
  char b[32];
  int rc = check_r(p, r);
  if (rc) return rc;
  if (!isfinite(weight) || weight < 0.0)
    return vmp__error(VMP_ERANGE,
                      "safety.%s.weight: expected a number >= 0, got %s",
                      rname(p, r), vmp__fmt_num(b, weight));
  if ((rc = too_big(weight, VMP_MAX_WEIGHT, "1e9", "safety.%s.weight", rname(p, r))))
    return rc;
  p->res_safety_weight[r] = weight;
  return 0;
}

double vmp_problem_safety_weight(const vmp_problem *p, size_t r) {
  if (!p || r >= p->nres) return 0.0;
  return p->res_safety_weight[r];
}

int vmp_problem_set_host_safety(vmp_problem *p, size_t h, size_t r,
                                double value) {
  int rc = check_hr(p, h, r);
  if (rc) return rc;
  if (!isfinite(value))
    return vmp__error(VMP_ERANGE, "safety.%s: expected a finite number",
                      rname(p, r));
  if ((rc = too_big(value, VMP_MAX_QUANTITY, "1e15", "safety.%s", rname(p, r)))) return rc;
  p->host_safety[h * p->nres + r] = value < 0.0 ? -1.0 : value;
  return 0;
}

int vmp_problem_set_host_safety_fraction(vmp_problem *p, size_t h, size_t r,
                                         double fraction) {
  int rc = check_hr(p, h, r);
  if (rc) return rc;
  if ((rc = check_fraction(fraction, "safety_fraction", rname(p, r))))
    return rc;
  p->host_safety_frac[h * p->nres + r] = fraction < 0.0 ? -1.0 : fraction;
  return 0;
}

double vmp_problem_host_safety(const vmp_problem *p, size_t h, size_t r) {
  if (!p || h >= p->nhosts || r >= p->nres) return -1.0;
  return p->host_safety[h * p->nres + r];
}

double vmp_problem_host_safety_fraction(const vmp_problem *p, size_t h,
                                        size_t r) {
  if (!p || h >= p->nhosts || r >= p->nres) return -1.0;
  return p->host_safety_frac[h * p->nres + r];
}

double vmp_problem_host_safety_capacity(const vmp_problem *p, size_t h,
                                        size_t r) {
  double eff, v;
  if (!p || h >= p->nhosts || r >= p->nres) return 0.0;
  v = p->host_safety[h * p->nres + r];
  if (v >= 0.0) return v;
  eff = vmp_problem_host_effective_capacity(p, h, r);
  v = p->host_safety_frac[h * p->nres + r];
  if (v >= 0.0) return v * eff;
  v = p->res_safety_frac[r];
  if (v >= 0.0) return v * eff;
  return eff;
}

int vmp__has_safety(const vmp_problem *p) {
  for (uint32_t r = 0; r < p->nres; r++)
    if (p->res_safety_frac[r] >= 0.0) return 1;
  for (size_t k = 0; k < p->nhosts * p->nres; k++)
    if (p->host_safety[k] >= 0.0 || p->host_safety_frac[k] >= 0.0) return 1;
  return 0;
}

/* ---- ratio balance ------------------------------------------------------------ */

int vmp_problem_add_ratio_balance(vmp_problem *p, size_t r1, size_t r2,
                                  double target, double weight,
                                  size_t *index) {
  char b[32];
  int rc;
  if ((rc = check_r(p, r1)) || (rc = check_r(p, r2))) return rc;
  if (r1 == r2)
    return vmp__error(VMP_EINVAL,
                      "resources: a ratio balance needs two different "
                      "resources, got \"%s\" twice",
                      rname(p, r1));
  if (!isfinite(target) || target < 0.0)
    return vmp__error(VMP_ERANGE, "target: expected a number >= 0, got %s",
                      vmp__fmt_num(b, target));
  if (!isfinite(weight) || weight < 0.0)
    return vmp__error(VMP_ERANGE, "weight: expected a number >= 0, got %s",
                      vmp__fmt_num(b, weight));
  if ((rc = too_big(target, VMP_MAX_WEIGHT, "1e9", "target")) ||
      (rc = too_big(weight, VMP_MAX_WEIGHT, "1e9", "weight")))
    return rc;
  if ((rc = vmp__grow(&p->ratios, &p->ratios_cap, p->nratios + 1,
                      sizeof *p->ratios)))
    return rc;
  p->ratios[p->nratios].r1 = (uint32_t)r1;
  p->ratios[p->nratios].r2 = (uint32_t)r2;
  p->ratios[p->nratios].target = target;
  p->ratios[p->nratios].weight = weight;
  if (index) *index = p->nratios;
  p->nratios++;
  return 0;
}

size_t vmp_problem_num_ratio_balances(const vmp_problem *p) {
  return p ? p->nratios : 0;
}

int vmp_problem_ratio_balance(const vmp_problem *p, size_t k, size_t *r1,
                              size_t *r2, double *target, double *weight) {
  if (!p) return bad_problem();
  if (k >= p->nratios)
    return vmp__error(VMP_EINVAL, "ratio balance index %zu out of range", k);
  if (r1) *r1 = p->ratios[k].r1;
  if (r2) *r2 = p->ratios[k].r2;
  if (target) *target = p->ratios[k].target;
  if (weight) *weight = p->ratios[k].weight;
  return 0;
}

/* ---- spread ---------------------------------------------------------------------- */

int vmp_problem_set_group_min_domains(vmp_problem *p, size_t g,
                                      size_t min_domains) {
  const vmp__group *gr;
  if (!p) return bad_problem();
  if (g >= p->ngroups)
    return vmp__error(VMP_EINVAL, "group index %zu out of range", g);
  gr = &p->groups[g];
  if (gr->policy != VMP_SPREAD)
    return vmp__error(VMP_EINVAL,
                      "min_domains: group \"%s\" is not a spread group",
                      vmp__pool_str(&p->pool, gr->name));
  if (min_domains < 1 || min_domains > gr->nvms)
    return vmp__error(VMP_ERANGE,
                      "min_domains: expected 1..%u (the group's VMs), got %zu",
                      (unsigned)gr->nvms, min_domains);
  p->groups[g].min_domains = (uint32_t)min_domains;
  return 0;
}

size_t vmp_problem_group_min_domains(const vmp_problem *p, size_t g) {
  if (!p || g >= p->ngroups || p->groups[g].policy != VMP_SPREAD) return 0;
  return p->groups[g].min_domains;
}

/* ---- dependencies ----------------------------------------------------------------- */

/* With `distinct`, the caller vouches that no equal dependency exists, and
 * the linear search for one (quadratic over a file's worth of them: 43,437
 * in ROADEF b_9) is skipped. */
static int add_dependency(vmp_problem *p, size_t group, size_t on,
                          const char *scope, int distinct, size_t *index) {
  uint32_t scope_id = 0;
  int rc;
  if (!p) return bad_problem();
  if (group >= p->ngroups)
    return vmp__error(VMP_EINVAL, "group: group index %zu out of range",
                      group);
  if (on >= p->ngroups)
    return vmp__error(VMP_EINVAL, "on: group index %zu out of range", on);
  if (scope && strcmp(scope, "host") != 0) {
    if ((rc = vmp__check_name(scope, "scope"))) return rc;
    if ((rc = vmp__pool_intern(&p->pool, scope, &scope_id))) return rc;
  }
  for (size_t d = 0; d < (distinct ? 0 : p->ndeps); d++)
    if (p->deps[d].group == group && p->deps[d].on == on &&
        p->deps[d].scope == scope_id)
      return vmp__error(VMP_EEXIST,
                        "dependency of \"%s\" on \"%s\" within %s is given "
                        "twice",
                        vmp__pool_str(&p->pool, p->groups[group].name),
                        vmp__pool_str(&p->pool, p->groups[on].name),
                        scope_id ? scope : "host");
  if ((rc = vmp__grow(&p->deps, &p->deps_cap, p->ndeps + 1, sizeof *p->deps)))
    return rc;
  p->deps[p->ndeps].group = (uint32_t)group;
  p->deps[p->ndeps].on = (uint32_t)on;
  p->deps[p->ndeps].scope = scope_id;
  p->deps[p->ndeps].hard = 1;
  p->deps[p->ndeps].weight = 1.0;
  if (index) *index = p->ndeps;
  p->ndeps++;
  return 0;
}

int vmp_problem_add_dependency(vmp_problem *p, size_t group, size_t on,
                               const char *scope, size_t *index) {
  return add_dependency(p, group, on, scope, 0, index);
}

int vmp__reassign_add_distinct_dependency(vmp_problem *p, size_t group,
                                          size_t on, const char *scope) {
  return add_dependency(p, group, on, scope, 1, NULL);
}

static int check_dep(const vmp_problem *p, size_t d) {
  if (!p) return bad_problem();
  if (d >= p->ndeps)
    return vmp__error(VMP_EINVAL, "dependency index %zu out of range", d);
  return 0;
}

int vmp_problem_set_dependency_hard(vmp_problem *p, size_t d, int hard) {
  int rc = check_dep(p, d);
  if (rc) return rc;
  p->deps[d].hard = hard ? 1 : 0;
  return 0;
}

int vmp_problem_set_dependency_weight(vmp_problem *p, size_t d,
                                      double weight) {
  char b[32];
  int rc = check_dep(p, d);
  if (rc) return rc;
  if (!isfinite(weight) || weight < 0.0)
    return vmp__error(VMP_ERANGE, "weight: expected a number >= 0, got %s",
                      vmp__fmt_num(b, weight));
  if ((rc = too_big(weight, VMP_MAX_WEIGHT, "1e9", "weight"))) return rc;
  p->deps[d].weight = weight;
  return 0;
}

size_t vmp_problem_num_dependencies(const vmp_problem *p) {
  return p ? p->ndeps : 0;
}

int vmp_problem_dependency(const vmp_problem *p, size_t d, size_t *group,
                           size_t *on, const char **scope, int *hard,
                           double *weight) {
  int rc = check_dep(p, d);
  if (rc) return rc;
  if (group) *group = p->deps[d].group;
  if (on) *on = p->deps[d].on;
  if (scope)
    *scope = p->deps[d].scope ? vmp__pool_str(&p->pool, p->deps[d].scope)
                              : "host";
  if (hard) *hard = p->deps[d].hard;
  if (weight) *weight = p->deps[d].weight;
  return 0;
}

/* ---- host move costs --------------------------------------------------------------- */

/* Open-addressing table of distinct rows of doubles: finds or adds a row
 * and returns its id.  Rows are compared bytewise after normalising -0. */
typedef struct rowset {
  double *rows;       /* [n * len] */
  size_t n, cap;
  size_t len;
  uint32_t *slot;     /* [nslots] id + 1, 0 empty */
  size_t nslots;
} rowset;

static void rowset_free(rowset *s) {
  free(s->rows);
  free(s->slot);
  memset(s, 0, sizeof *s);
}

static int rowset_rehash(rowset *s, size_t nslots) {
  uint32_t *slot = calloc(nslots, sizeof *slot);
  if (!slot) return vmp__enomem();
  for (size_t k = 0; k < s->n; k++) {
    uint64_t hv = vmp__hash_bytes(s->rows + k * s->len,
                                  s->len * sizeof(double), 0);
    size_t i = (size_t)hv & (nslots - 1);
    while (slot[i]) i = (i + 1) & (nslots - 1);
    slot[i] = (uint32_t)k + 1;
  }
  free(s->slot);
  s->slot = slot;
  s->nslots = nslots;
  return 0;
}

static int rowset_add(rowset *s, const double *row, uint32_t *id) {
  uint64_t hv;
  size_t i;
  int rc;
  if ((s->n + 1) * 2 > s->nslots &&
      (rc = rowset_rehash(s, s->nslots ? s->nslots * 2 : 64)))
    return rc;
  hv = vmp__hash_bytes(row, s->len * sizeof(double), 0);
  for (i = (size_t)hv & (s->nslots - 1); s->slot[i];
       i = (i + 1) & (s->nslots - 1)) {
    const double *q = s->rows + (size_t)(s->slot[i] - 1) * s->len;
    if (!memcmp(q, row, s->len * sizeof(double))) {
      *id = s->slot[i] - 1;
      return 0;
    }
  }
  if ((rc = vmp__grow(&s->rows, &s->cap, (s->n + 1) * s->len,
                      sizeof(double))))
    return rc;
  memcpy(s->rows + s->n * s->len, row, s->len * sizeof(double));
  s->slot[i] = (uint32_t)s->n + 1;
  *id = (uint32_t)s->n++;
  return 0;
}

struct vmp__hmc_builder {
  size_t nh;
  rowset rows;        /* distinct rows, each nh long */
  uint32_t *rowcls;   /* [nh] */
  size_t added;
};

int vmp__hmc_builder_new(size_t nhosts, vmp__hmc_builder **out) {
  vmp__hmc_builder *b = calloc(1, sizeof *b);
  *out = NULL;
  if (!b) return vmp__enomem();
  b->nh = nhosts;
  b->rows.len = nhosts ? nhosts : 1;
  b->rowcls = calloc(nhosts + 1, sizeof *b->rowcls);
  if (!b->rowcls) {
    free(b);
    return vmp__enomem();
  }
  *out = b;
  return 0;
}

void vmp__hmc_builder_free(vmp__hmc_builder *b) {
  if (!b) return;
  rowset_free(&b->rows);
  free(b->rowcls);
  free(b);
}

int vmp__hmc_builder_row(vmp__hmc_builder *b, const double *row) {
  uint32_t id;
  int rc;
  if (b->added >= b->nh)
    return vmp__error(VMP_EINVAL, "more move-cost rows than hosts");
  for (size_t k = 0; k < b->nh; k++) {
    if (!isfinite(row[k]) || row[k] < 0.0) {
      char v[32];
      return vmp__error(VMP_ERANGE,
                        "host_move_costs: row %zu, column %zu: expected a "
                        "number >= 0, got %s",
                        b->added, k, vmp__fmt_num(v, row[k]));
    }
    if ((rc = too_big(row[k], VMP_MAX_WEIGHT, "1e9", "host_move_costs: row %zu, column %zu",
                      b->added, k)))
      return rc;
  }
  if ((rc = rowset_add(&b->rows, row, &id))) return rc;
  b->rowcls[b->added++] = id;
  return 0;
}

/* Host classes: hosts a and a' share one when their rows are equal
 * (same row class) and their columns are equal, and the column of a is
 * the column of the distinct-rows matrix.  Then cost(a, b) depends only
 * on the classes of a and b. */
int vmp__hmc_builder_finish(vmp__hmc_builder *b, vmp_problem *p) {
  size_t k = b->rows.n, nh = b->nh;
  rowset sig;
  double *key = NULL, *cost = NULL;
  uint32_t *cls = NULL, *rep = NULL, nc;
  int rc = 0;
  if (b->added != nh)
    return vmp__error(VMP_EINVAL, "host_move_costs: %zu rows for %zu hosts",
                      b->added, nh);
  memset(&sig, 0, sizeof sig);
  sig.len = k + 1;
  key = malloc((k + 1) * sizeof *key);
  cls = malloc((nh + 1) * sizeof *cls);
  rep = malloc((nh + 1) * sizeof *rep);
  if (!key || !cls || !rep) {
    rc = vmp__enomem();
    goto done;
  }
  for (size_t a = 0; a < nh; a++) {
    key[0] = (double)b->rowcls[a];
    for (size_t i = 0; i < k; i++) key[i + 1] = b->rows.rows[i * nh + a];
    if ((rc = rowset_add(&sig, key, &cls[a]))) goto done;
    rep[cls[a]] = (uint32_t)a;
  }
  nc = (uint32_t)sig.n;
  cost = malloc(vmp__mul((size_t)nc * nc + 1, sizeof *cost));
  if (!cost) {
    rc = vmp__enomem();
    goto done;
  }
  for (uint32_t i = 0; i < nc; i++)
    for (uint32_t j = 0; j < nc; j++)
      cost[(size_t)i * nc + j] =
          b->rows.rows[(size_t)b->rowcls[rep[i]] * nh + rep[j]];
  vmp__hmc_install(p, cls, nc, cost);
  cls = NULL;
  cost = NULL;
done:
  rowset_free(&sig);
  VMP__FREE_ALL(key, cls, rep, cost);
  return rc;
}

void vmp__hmc_install(vmp_problem *p, uint32_t *cls, uint32_t nclasses,
                      double *cost) {
  /* cls holds nhosts entries; the problem's array holds hosts_cap. */
  for (size_t h = 0; h < p->nhosts; h++) p->hmc_class[h] = cls[h];
  free(cls);
  free(p->hmc);
  p->hmc = cost;
  p->hmc_n = nclasses;
  p->hmc_label = 0;   /* set again by a reader that had a label form */
}

int vmp_problem_set_host_move_matrix(vmp_problem *p, const double *matrix) {
  vmp__hmc_builder *b;
  int rc;
  if (!p) return bad_problem();
  if (!matrix) return vmp__error(VMP_EINVAL, "matrix is NULL");
  if (!p->nhosts)
    return vmp__error(VMP_ESTATE, "host_move_costs: the problem has no hosts");
  if ((rc = vmp__hmc_builder_new(p->nhosts, &b))) return rc;
  for (size_t a = 0; a < p->nhosts && !rc; a++)
    rc = vmp__hmc_builder_row(b, matrix + a * p->nhosts);
  if (!rc) rc = vmp__hmc_builder_finish(b, p);
  vmp__hmc_builder_free(b);
  return rc;
}

int vmp_problem_set_host_move_costs(vmp_problem *p, const size_t *host_class,
                                    size_t nclasses, const double *cost) {
  vmp__hmc_builder *b;
  int rc = 0;
  if (!p) return bad_problem();
  if (!host_class) {
    if (nclasses)
      return vmp__error(VMP_EINVAL, "host_move_costs: classes are NULL");
    free(p->hmc);
    p->hmc = NULL;
    p->hmc_n = 0;
    p->hmc_label = 0;
    return 0;
  }
  if (!cost || !nclasses)
    return vmp__error(VMP_EINVAL, "host_move_costs: no class matrix");
  if (nclasses > UINT32_MAX / 2 || !vmp__mul(nclasses, nclasses))
    return vmp__error(VMP_ERANGE, "host_move_costs: too many classes");
  for (size_t h = 0; h < p->nhosts; h++)
    if (host_class[h] >= nclasses)
      return vmp__error(VMP_ERANGE,
                        "host_move_costs.classes[%zu]: expected a class in "
                        "0..%zu, got %zu",
                        h, nclasses - 1, host_class[h]);
  for (size_t k = 0; k < nclasses * nclasses; k++) {
    if (!isfinite(cost[k]) || cost[k] < 0.0) {
      char v[32];
      return vmp__error(VMP_ERANGE,
                        "host_move_costs.matrix[%zu][%zu]: expected a number "
                        ">= 0, got %s",
                        k / nclasses, k % nclasses, vmp__fmt_num(v, cost[k]));
    }
    if ((rc = too_big(cost[k], VMP_MAX_WEIGHT, "1e9", "host_move_costs.matrix[%zu][%zu]",
                      k / nclasses, k % nclasses)))
      return rc;
  }
  /* Merge equal classes through the builder on the class matrix: classes
   * are "hosts" of a small matrix. */
  if ((rc = vmp__hmc_builder_new(nclasses, &b))) return rc;
  for (size_t i = 0; i < nclasses && !rc; i++)
    rc = vmp__hmc_builder_row(b, cost + i * nclasses);
  if (!rc) {
    /* Reuse finish on a scratch problem-free path: compute class of each
     * class, then map hosts. */
    size_t k = b->rows.n;
    rowset sig;
    double *key = malloc((k + 1) * sizeof *key);
    uint32_t *ccls = malloc((nclasses + 1) * sizeof *ccls);
    uint32_t *rep = malloc((nclasses + 1) * sizeof *rep);
    uint32_t *hcls = malloc((p->nhosts + 1) * sizeof *hcls);
    double *merged = NULL;
    memset(&sig, 0, sizeof sig);
    sig.len = k + 1;
    if (!key || !ccls || !rep || !hcls) rc = vmp__enomem();
    for (size_t a = 0; a < nclasses && !rc; a++) {
      key[0] = (double)b->rowcls[a];
      for (size_t i = 0; i < k; i++)
        key[i + 1] = b->rows.rows[i * nclasses + a];
      if (!(rc = rowset_add(&sig, key, &ccls[a]))) rep[ccls[a]] = (uint32_t)a;
    }
    if (!rc) {
      uint32_t nc = (uint32_t)sig.n;
      merged = malloc(vmp__mul((size_t)nc * nc + 1, sizeof *merged));
      if (!merged) rc = vmp__enomem();
      for (uint32_t i = 0; !rc && i < nc; i++)
        for (uint32_t j = 0; j < nc; j++)
          merged[(size_t)i * nc + j] = cost[(size_t)rep[i] * nclasses + rep[j]];
      if (!rc) {
        for (size_t h = 0; h < p->nhosts; h++)
          hcls[h] = ccls[host_class[h]];
        vmp__hmc_install(p, hcls, nc, merged);
        hcls = NULL;
        merged = NULL;
      }
    }
    rowset_free(&sig);
    VMP__FREE_ALL(key, ccls, rep, hcls, merged);
  }
  vmp__hmc_builder_free(b);
  return rc;
}

/* The class of label value `val` among names[0..*nc) (NULL = hosts
 * without the label), added when new. */
static size_t value_class(const char **names, size_t *nc, const char *val) {
  size_t c;
  for (c = 0; c < *nc; c++)
    if ((!names[c] && !val) || (names[c] && val && !strcmp(names[c], val)))
      return c;
  names[(*nc)++] = val;
  return c;
}

int vmp_problem_set_host_move_costs_by_label(vmp_problem *p, const char *label,
                                             size_t n, const char *const *from,
                                             const char *const *to,
                                             const double *cost,
                                             double default_cost) {
  size_t nh, nc = 0, *cls = NULL;
  const char **names = NULL;
  double *m = NULL;
  char b[32];
  uint32_t key;
  int rc = 0;
  if (!p) return bad_problem();
  if ((rc = vmp__check_name(label, "label"))) return rc;
  if (n && (!from || !to || !cost))
    return vmp__error(VMP_EINVAL, "host_move_costs: from, to or cost is NULL");
  if (!isfinite(default_cost) || default_cost < 0.0)
    return vmp__error(VMP_ERANGE, "host_move_costs.default: expected a number "
                      ">= 0, got %s", vmp__fmt_num(b, default_cost));
  if ((rc = too_big(default_cost, VMP_MAX_WEIGHT, "1e9", "host_move_costs.default")))
    return rc;
  if (!p->nhosts)
    return vmp__error(VMP_ESTATE, "host_move_costs: the problem has no hosts");
  nh = p->nhosts;
  cls = malloc((nh + 1) * sizeof *cls);
  names = malloc((nh + 2) * sizeof *names);
  if (!cls || !names) {
    rc = vmp__enomem();
    goto done;
  }
  for (size_t h = 0; h < nh; h++)
    cls[h] = value_class(names, &nc, vmp_problem_host_label(p, h, label));
  m = malloc(vmp__mul(nc * nc + 1, sizeof *m));
  if (!m) {
    rc = vmp__enomem();
    goto done;
  }
  for (size_t k = 0; k < nc * nc; k++) m[k] = default_cost;
  for (size_t k = 0; k < n && !rc; k++) {
    size_t a, c, before = nc;
    if (!from[k] || !to[k]) {
      rc = vmp__error(VMP_EINVAL, "host_move_costs[%zu]: a label value is NULL",
                      k);
      break;
    }
    a = value_class(names, &nc, from[k]);
    c = value_class(names, &nc, to[k]);
    if (nc != before) {
      rc = vmp__error(VMP_ENOTFOUND, "host_move_costs[%zu]: no host has %s "
                      "\"%s\"", k, label, nc > before && a >= before ? from[k]
                                                                   : to[k]);
      break;
    }
    if (!isfinite(cost[k]) || cost[k] < 0.0) {
      rc = vmp__error(VMP_ERANGE, "host_move_costs[%zu]: expected a number "
                      ">= 0, got %s", k, vmp__fmt_num(b, cost[k]));
      break;
    }
    if ((rc = too_big(cost[k], VMP_MAX_WEIGHT, "1e9", "host_move_costs[%zu]", k))) break;
    m[a * nc + c] = cost[k];
  }
  if (!rc) rc = vmp_problem_set_host_move_costs(p, cls, nc, m);
  if (!rc && !(rc = vmp__pool_intern(&p->pool, label, &key))) {
    p->hmc_label = key;
    p->hmc_default = default_cost;
  }
done:
  free(cls);
  free(names);
  free(m);
  return rc;
}

const char *vmp_problem_host_move_label(const vmp_problem *p,
                                        double *default_cost) {
  if (!p || !p->hmc_n || !p->hmc_label) return NULL;
  if (default_cost) *default_cost = p->hmc_default;
  return vmp__pool_str(&p->pool, p->hmc_label);
}

double vmp_problem_host_move_cost(const vmp_problem *p, size_t a, size_t b) {
  uint32_t ca, cb;
  if (!p || !p->hmc_n || a >= p->nhosts || b >= p->nhosts) return 0.0;
  ca = p->hmc_class[a];
  cb = p->hmc_class[b];
  if (ca == VMP__NO_CLASS || cb == VMP__NO_CLASS) return 0.0;
  return p->hmc[(size_t)ca * p->hmc_n + cb];
}

size_t vmp_problem_num_host_move_classes(const vmp_problem *p) {
  return p ? p->hmc_n : 0;
}

size_t vmp_problem_host_move_class(const vmp_problem *p, size_t h) {
  if (!p || !p->hmc_n || h >= p->nhosts || p->hmc_class[h] == VMP__NO_CLASS)
    return VMP_NONE;
  return p->hmc_class[h];
}

double vmp_problem_host_move_class_cost(const vmp_problem *p, size_t i,
                                        size_t j) {
  if (!p || i >= p->hmc_n || j >= p->hmc_n) return 0.0;
  return p->hmc[i * p->hmc_n + j];
}

/* ---- whole-problem helpers ------------------------------------------------------------ */

int vmp__reassign_clone(const vmp_problem *p, vmp_problem *q) {
  int rc;
  q->res_transient = p->res_transient;
  memcpy(q->res_safety_frac, p->res_safety_frac, sizeof p->res_safety_frac);
  memcpy(q->res_safety_weight, p->res_safety_weight,
         sizeof p->res_safety_weight);
  if (p->nhosts) {
    memcpy(q->host_safety, p->host_safety,
           p->nhosts * p->nres * sizeof *p->host_safety);
    memcpy(q->host_safety_frac, p->host_safety_frac,
           p->nhosts * p->nres * sizeof *p->host_safety_frac);
  }
  for (size_t k = 0; k < p->nratios; k++)
    if ((rc = vmp_problem_add_ratio_balance(q, p->ratios[k].r1,
                                            p->ratios[k].r2,
                                            p->ratios[k].target,
                                            p->ratios[k].weight, NULL)))
      return rc;
  for (size_t g = 0; g < p->ngroups; g++)
    q->groups[g].min_domains = p->groups[g].min_domains;
  for (size_t d = 0; d < p->ndeps; d++) {
    const vmp__dep *dp = &p->deps[d];
    if ((rc = vmp_problem_add_dependency(
             q, dp->group, dp->on,
             dp->scope ? vmp__pool_str(&p->pool, dp->scope) : NULL, NULL)))
      return rc;
    q->deps[d].hard = dp->hard;
    q->deps[d].weight = dp->weight;
  }
  if (p->hmc_n) {
    uint32_t *cls = malloc((p->nhosts + 1) * sizeof *cls);
    double *cost = malloc((size_t)p->hmc_n * p->hmc_n * sizeof *cost);
    if (!cls || !cost) {
      free(cls);
      free(cost);
      return vmp__enomem();
    }
    memcpy(cls, p->hmc_class, p->nhosts * sizeof *cls);
    memcpy(cost, p->hmc, (size_t)p->hmc_n * p->hmc_n * sizeof *cost);
    vmp__hmc_install(q, cls, p->hmc_n, cost);
    if (p->hmc_label &&
        (rc = vmp__pool_intern(&q->pool, vmp__pool_str(&p->pool, p->hmc_label),
                               &q->hmc_label)))
      return rc;
    q->hmc_default = p->hmc_default;
  }
  return 0;
}
