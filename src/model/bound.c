/*
 * Lower bounds on the objective that need no solver (docs/formulations.md,
 * "Bounds").  Every solution's bound is at least this.
 *
 * Let S be the items that can be placed at all, P0 the penalty of the
 * others (they are unplaced in every placement) and pmin the smallest
 * penalty in S.  Any placement either places all of S, paying at least
 * the cheapest way to hold S (host cost), the average utilisation
 * (balance) and the migrations forced by current hosts that are no longer
 * allowed; or leaves some item of S out, paying at least pmin.  Hence
 *     bound = P0 + min(pmin, w_cost * cover + w_bal * util + mig)   (B1)
 * where cover is the best of three relaxations of "hold S":
 *   - volume: per resource, the cheapest fractional set of hosts whose
 *     capacity covers the volume (B2);
 *   - Martello-Toth L2: per resource in which every usable host has the
 *     same capacity, a bound on the number of hosts (B3), costed at the
 *     cheapest hosts;
 *   - cover LP: hosts fractional, every resource's volume covered at once
 *     (B4), solved in GLPK when hosts differ and there are two resources
 *     or more (with one resource it equals the volume bound).
 * cover is rounded up when every host cost is an integer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glpk_util.h"
#include "model.h"

static int cmp_desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* (B2) Cheapest fractional set of usable hosts whose capacity in r covers
 * vol; HUGE_VAL when even every host together is too small. */
static double cover(const vmp__model *m, uint32_t r, double vol, vmp__keyed *buf) {
  size_t n = 0;
  double total = 0.0, cost = 0.0;
  for (size_t h = 0; h < m->nhosts; h++) {
    double c = m->cap[h * m->nres + r];
    if (!m->usable[h] || c <= 0.0) continue;
    buf[n].key = m->cost[h] / c; /* cost per unit of capacity */
    buf[n].i = (uint32_t)h;
    total += c;
    n++;
  }
  if (vol <= 0.0) return 0.0;
  if (vol > total * (1 + VMP__REL_EPS) + VMP__ABS_EPS) return HUGE_VAL;
  qsort(buf, n, sizeof *buf, vmp__keyed_asc);
  for (size_t k = 0; k < n && vol > 0.0; k++) {
    double c = m->cap[buf[k].i * m->nres + r];
    double take = vol < c ? vol : c;
    cost += m->cost[buf[k].i] * take / c;
    vol -= take;
  }
  return cost;
}

/* Index of the first element of d (sorted decreasing, n long) that is
 * <= x. */
static size_t first_le(const double *d, size_t n, double x) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (d[mid] <= x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* Index of the first element of d (sorted decreasing) that is < x. */
static size_t first_lt(const double *d, size_t n, double x) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (d[mid] < x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

double vmp__bound_l2(const double *d, size_t n, double cap) {
  double *pre, best = 0.0;
  size_t half;
  if (n == 0 || !(cap > 0.0)) return 0.0;
  pre = malloc((n + 1) * sizeof *pre);
  if (!pre) return 0.0; /* no bound is still a valid bound */
  pre[0] = 0.0;
  for (size_t k = 0; k < n; k++) pre[k + 1] = pre[k] + d[k];
  /* Items above cap/2 never share a host: d[0..half). */
  half = first_le(d, n, cap / 2.0);
  /* (B3) For each alpha (0 and every size <= cap/2): J1 = items above
   * cap - alpha, J2 = the rest above cap/2, J3 = sizes in [alpha, cap/2].
   * J1 and J2 need a host each; J3 fits only in the room J2 leaves. */
  for (size_t a = half; a <= n; a++) {
    double alpha = a < n ? d[a] : 0.0;
    size_t j1, j3end;
    double room, vol3, extra = 0.0, lb;
    if (a > half && a < n && d[a] == d[a - 1]) continue;   /* same alpha */
    j1 = first_le(d, half, cap - alpha);      /* d[0..j1) > cap - alpha */
    j3end = first_lt(d, n, alpha);            /* d[half..j3end) >= alpha */
    room = (double)(half - j1) * cap - (pre[half] - pre[j1]);
    vol3 = pre[j3end] - pre[half];
    if (vol3 > room) extra = ceil((vol3 - room) / cap - 1e-9);
    lb = (double)half + extra;
    if (lb > best) best = lb;
    if (alpha == 0.0) break;
  }
  free(pre);
  return best;
}

/* (B3) per resource: L2 hosts, costed at the cheapest usable hosts.
 * Valid only when every usable host has the same capacity in r. */
static double l2_cover(const vmp__model *m, uint32_t r, const double *cost_sorted,
                       size_t nusable, double *buf) {
  double cap = -1.0, bins, cost = 0.0;
  size_t n = 0;
  for (size_t h = 0; h < m->nhosts; h++) {
    if (!m->usable[h]) continue;
    if (cap < 0.0)
      cap = m->capx[h * m->nres + r];
    else if (m->capx[h * m->nres + r] != cap)
      return 0.0;
  }
  if (cap <= 0.0) return 0.0;
  for (size_t i = 0; i < m->nitems; i++)
    if (!m->item_unplaceable[i] && m->idem[i * m->nres + r] > 0.0)
      buf[n++] = m->idem[i * m->nres + r];
  qsort(buf, n, sizeof *buf, cmp_desc);
  bins = vmp__bound_l2(buf, n, cap);
  if (bins > (double)nusable) return HUGE_VAL;
  for (size_t k = 0; k < (size_t)bins; k++) cost += cost_sorted[k];
  return cost;
}

/* (B4) min sum_k cost_k y_k  s.t.  sum_k cap_kr y_k >= vol_r (every r),
 * 0 <= y_k <= |class k|, over classes of usable hosts.  Returns 0 when
 * GLPK fails (no bound is a valid bound), HUGE_VAL when infeasible. */
static double cover_lp(const vmp__model *m, const double *vol) {
  vmp__glpk *g;
  glp_prob *lp;
  glp_smcp smcp;
  int *ind = NULL;
  double *val = NULL;
  volatile double out = 0.0;   /* set after setjmp */
  uint32_t nk = m->nhclasses;
  ind = malloc((nk + 1) * sizeof *ind);
  val = malloc((nk + 1) * sizeof *val);
  if (!ind || !val || !(g = vmp__glpk_open("bound", NULL, NULL, 0))) {
    free(ind);
    free(val);
    vmp_clear_error();   /* a weaker bound is not an error */
    return 0.0;
  }
  if (setjmp(g->jb)) {
    vmp__glpk_abandon(g);
    free(ind);
    free(val);
    return 0.0;
  }
  lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  glp_add_rows(lp, (int)m->nres);
  glp_add_cols(lp, (int)nk);
  /* Each row divided by its volume, so that GLPK sees coefficients near
   * 1 whatever the units. */
  for (uint32_t r = 0; r < m->nres; r++)
    glp_set_row_bnds(lp, (int)r + 1, GLP_LO, vol[r] > 0.0 ? 1.0 : 0.0, 0.0);
  for (uint32_t k = 0; k < nk; k++) {
    uint32_t h = m->hclass_hosts[m->hclass_start[k]];
    double cnt = (double)(m->hclass_start[k + 1] - m->hclass_start[k]);
    if (!m->usable[h]) cnt = 0.0;
    glp_set_col_bnds(lp, (int)k + 1, cnt > 0.0 ? GLP_DB : GLP_FX, 0.0, cnt);
    glp_set_obj_coef(lp, (int)k + 1, m->cost[h]);
  }
  for (uint32_t r = 0; r < m->nres; r++) {
    int len = 0;
    for (uint32_t k = 0; k < nk; k++) {
      double c = m->cap[m->hclass_hosts[m->hclass_start[k]] * m->nres + r];
      if (c > 0.0) {
        ind[++len] = (int)k + 1;
        val[len] = vol[r] > 0.0 ? c / vol[r] : c;
      }
    }
    glp_set_mat_row(lp, (int)r + 1, len, ind, val);
  }
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  glp_scale_prob(lp, GLP_SF_AUTO);
  /* The bound is what the duals prove (vmp__glpk_safe_bound), never
   * GLPK's value itself: on problems whose capacities span many orders of
   * magnitude it read 3 where 2 hosts held everything.  An
   * infeasible cover is no news: cover() finds a resource whose hosts
   * together are too small before this runs, and nothing else makes this
   * LP infeasible. */
  if (glp_simplex(lp, &smcp) == 0 && glp_get_status(lp) == GLP_OPT) {
    double safe = vmp__glpk_safe_bound(lp);
    out = safe > 0.0 ? safe * (1.0 - 1e-9) : 0.0;
  }
  vmp__glpk_close(g);
  free(ind);
  free(val);
  return out;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void vmp__model_bounds(const vmp__model *m, vmp__bounds *out) {
  double p0 = 0.0, pmin = HUGE_VAL, util = 0.0, mig = 0.0;
  double vol[VMP__MAX_RESOURCES] = {0};
  double *cost_sorted = NULL, *dbuf = NULL;
  vmp__keyed *buf = NULL;
  size_t nusable = 0;
  int integral = 1, any = 0, hetero = 0;
  memset(out, 0, sizeof *out);
  for (size_t h = 0; h < m->nhosts; h++)
    if (m->cost[h] != floor(m->cost[h])) integral = 0;
  for (size_t i = 0; i < m->nitems; i++) {
    if (m->item_unplaceable[i]) {
      p0 += m->item_pen[i];
      continue;
    }
    any = 1;
    if (m->item_pen[i] < pmin) pmin = m->item_pen[i];
    if (m->item_cur[i] >= 0 && !vmp__model_allowed(m, i, (size_t)m->item_cur[i]))
      mig += m->item_mig[i];
    for (uint32_t r = 0; r < m->nres; r++) vol[r] += m->idem[i * m->nres + r];
  }
  out->bound = p0;
  if (!any) return;
  buf = malloc((m->nhosts ? m->nhosts : 1) * sizeof *buf);
  cost_sorted = malloc((m->nhosts ? m->nhosts : 1) * sizeof *cost_sorted);
  dbuf = malloc((m->nitems ? m->nitems : 1) * sizeof *dbuf);
  if (!buf || !cost_sorted || !dbuf) goto done; /* p0 is still a valid bound */
  for (size_t h = 0; h < m->nhosts; h++)
    if (m->usable[h]) cost_sorted[nusable++] = m->cost[h];
  qsort(cost_sorted, nusable, sizeof *cost_sorted, cmp_double);
  for (uint32_t r = 0; r < m->nres; r++) {
    double capsum = 0.0, c, l2;
    for (size_t h = 0; h < m->nhosts; h++)
      if (m->usable[h]) capsum += m->cap[h * m->nres + r];
    c = cover(m, r, vol[r], buf);
    l2 = m->w.cost > 0.0 ? l2_cover(m, r, cost_sorted, nusable, dbuf) : 0.0;
    if (c == HUGE_VAL || l2 == HUGE_VAL) {
      /* Not everything placeable fits together: something is left out. */
      out->bound = p0 + pmin;
      out->infeasible = 1;
      goto done;
    }
    if (c > out->volume) out->volume = c;
    if (l2 > out->l2) out->l2 = l2;
    if (capsum > 0.0 && vol[r] / capsum > util) util = vol[r] / capsum;
  }
  for (uint32_t k = 1; k < m->nhclasses && !hetero; k++) {
    const double *a = m->cap + (size_t)m->hclass_hosts[m->hclass_start[0]] * m->nres;
    const double *b = m->cap + (size_t)m->hclass_hosts[m->hclass_start[k]] * m->nres;
    hetero = memcmp(a, b, m->nres * sizeof *a) != 0 ||
             m->cost[m->hclass_hosts[m->hclass_start[0]]] !=
                 m->cost[m->hclass_hosts[m->hclass_start[k]]];
  }
  if (m->w.cost > 0.0 && m->nres > 1 && hetero) {
    double lp = cover_lp(m, vol);
    if (lp == HUGE_VAL) {
      out->bound = p0 + pmin;
      out->infeasible = 1;
      goto done;
    }
    out->cover_lp = lp;
  }
  if (integral) {
    out->volume = ceil(out->volume - 1e-9);
    out->cover_lp = ceil(out->cover_lp - 1e-9);
  }
  {
    double cov = out->volume;
    double placed_all;
    if (out->l2 > cov) cov = out->l2;
    if (out->cover_lp > cov) cov = out->cover_lp;
    placed_all = m->w.cost * cov + m->w.balance * util + mig;
    out->bound = p0 + (placed_all < pmin ? placed_all : pmin);
  }
done:
  free(buf);
  free(cost_sorted);
  free(dbuf);
}

double vmp__model_bound(const vmp__model *m) {
  vmp__bounds b;
  vmp__model_bounds(m, &b);
  return b.bound;
}
