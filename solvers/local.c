/*
 * local: improves a placement by moves, swaps and emptying hosts, within
 * the time budget, with a seeded random order.
 *
 * It starts from the incumbent (ctx->incumbent) or, without one, from the
 * greedy portfolio, and only ever accepts changes that lower the weighted
 * objective, so the result is never worse than the start.  Each round
 * runs these neighbourhoods, in the order of the objective's usual
 * priorities:
 *   1. place unplaced items where they fit (the unplaced penalty);
 *   2. empty a lightly loaded host (cost): its items go into a pool, and
 *      each pool item is put on a used host where it fits, or swapped in
 *      for a smaller item of a used host, which joins the pool; the pool's
 *      total size shrinks with every swap, so this ends; when the pool
 *      empties the host is closed, otherwise everything is undone;
 *   3. move or swap items that pay a soft penalty (soft rules and groups);
 *   4. move items back to their current host (migrations);
 *   5. move items off the most utilised host (balance).
 * Rounds repeat until `local.patience` rounds in a row improve nothing, the
 * objective meets the best lower bound known (the model's volume and L2
 * bounds, or a better one a stage before found), `local.budget` hosts per
 * item have been examined without a gain (plus three times what was spent
 * up to the last gain), or time runs out.  The budget is what auto gives
 * the stage: effort in proportion to the problem and to what pays, not to
 * the clock.
 *
 * Every change goes through a journal, so a failed attempt is undone
 * exactly; the objective's terms are kept up to date incrementally (the
 * highest utilisation through a max-tree over hosts).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hardcons.h"
#include "packing.h"
#include "solvers.h"

typedef struct jentry {
  uint32_t item;
  int32_t host;      /* where the item was before */
} jentry;

typedef struct ls {
  vmp__ctx *ctx;
  const vmp__model *m;
  vmp__state st;
  vmp__greedy *g;
  vmp__rng rng;
  /* items per host: doubly linked lists */
  int32_t *head, *next, *prev;
  /* used hosts as a set: array + position */
  uint32_t *used, *used_pos;
  size_t nused;
  /* objective terms */
  double pen, soft_rules, soft_groups, mig;
  double *gviol;           /* [ngroups] weighted soft penalty of a group */
  double *util;            /* [nhosts] max load/capacity (balance only) */
  double *umax;            /* max-tree over util, 2*usize */
  size_t usize;
  uint32_t *gbuf_dom, *gbuf_n;
  double w_unit[VMP__MAX_RESOURCES];
  double *size;            /* [i] L1 size with unit weights */
  /* journal */
  jentry *jr;
  size_t njr, jcap;
  int journaling;
  uint32_t *buf[2];         /* snapshots of a host's items (moves reorder
                               the lists) */
  size_t bufcap[2];
  uint64_t iterations;
  uint64_t budget;         /* iterations allowed without a gain; UINT64_MAX:
                              no budget */
  uint64_t paid;           /* iterations at the end of the last round that
                              gained */
  uint64_t *tabu;          /* [i] clock until which i stays on its host */
  uint64_t clock;
  size_t effort;           /* pool steps per pool item when emptying */
  size_t sample;
  double bound;
  /* transient resources, spread minimums, dependencies: a change that adds
   * a violated instance is never accepted (better()) */
  vmp__hardcons hd;
} ls;

/* ---- objective bookkeeping --------------------------------------------------- */

static double group_penalty(ls *L, const vmp__mgroup *g) {
  const vmp__model *m = L->m;
  size_t nd = 0, placed = 0, best = 0;
  double viol = 0.0;
  for (uint32_t k = 0; k < g->nvms; k++) {
    int32_t h = L->st.host[m->vm_item[g->vms[k]]];
    uint32_t d;
    size_t j;
    if (h < 0) continue;
    placed++;
    d = vmp__model_dom(m, g->scope, (size_t)h);
    for (j = 0; j < nd && L->gbuf_dom[j] != d; j++) {}
    if (j == nd) {
      L->gbuf_dom[nd] = d;
      L->gbuf_n[nd++] = 0;
    }
    L->gbuf_n[j]++;
  }
  for (size_t j = 0; j < nd; j++) {
    if (g->policy == VMP_ANTI_AFFINITY && L->gbuf_n[j] > 1) viol += L->gbuf_n[j] - 1;
    if (L->gbuf_n[j] > best) best = L->gbuf_n[j];
  }
  if (g->policy == VMP_AFFINITY) viol = (double)(placed - best);
  return viol * g->weight;
}

static void update_groups(ls *L, size_t i) {
  const vmp__model *m = L->m;
  for (uint32_t k = m->item_sgroups_start[i]; k < m->item_sgroups_start[i + 1]; k++) {
    uint32_t g = m->item_sgroups[k];
    double v = group_penalty(L, &m->groups[g]);
    L->soft_groups += v - L->gviol[g];
    L->gviol[g] = v;
  }
}

static void update_util(ls *L, size_t h) {
  const vmp__model *m = L->m;
  double u = 0.0;
  size_t node;
  if (!L->util) return;
  if (L->st.count[h])
    for (uint32_t r = 0; r < m->nres; r++) {
      double c = m->cap[h * m->nres + r];
      if (c > 0.0 && L->st.load[h * m->nres + r] / c > u) u = L->st.load[h * m->nres + r] / c;
    }
  L->util[h] = u;
  node = L->usize + h;
  L->umax[node] = u;
  for (node >>= 1; node >= 1; node >>= 1) {
    double a = L->umax[2 * node], b = L->umax[2 * node + 1];
    L->umax[node] = a > b ? a : b;
  }
}

static double objective(const ls *L) {
  const vmp__model *m = L->m;
  double o = L->pen + m->w.cost * L->st.cost + L->soft_rules + L->soft_groups + L->mig;
  if (L->util) o += m->w.balance * L->umax[1];
  return o;
}

/* The state now is better than one of objective `before` with `vbefore`
 * hard violations: fewer violations, or as many and a lower objective. */
static int better(const ls *L, double before, size_t vbefore) {
  if (L->hd.nviol != vbefore) return L->hd.nviol < vbefore;
  return objective(L) < before - 1e-9;
}

/* The iteration budget is spent: every neighbourhood gives up.  What a
 * search may spend without a gain is the budget plus LOCAL_PAID_FACTOR
 * times what it spent until its last gain: a search that keeps paying off
 * goes on, one that never does stops at the budget. */
#define LOCAL_PAID_FACTOR 3
static int spent(const ls *L) {
  if (L->budget == UINT64_MAX) return 0;
  return L->iterations - L->paid >= L->budget + LOCAL_PAID_FACTOR * L->paid;
}

/* The objective meets the lower bound and no hard constraint is broken:
 * nothing better exists. */
static int at_bound(const ls *L) {
  return objective(L) <= L->bound + 1e-9 && !L->hd.nviol;
}

/* ---- moves ------------------------------------------------------------------------- */

static void used_add(ls *L, size_t h) {
  L->used_pos[h] = (uint32_t)L->nused;
  L->used[L->nused++] = (uint32_t)h;
}

static void used_del(ls *L, size_t h) {
  uint32_t p = L->used_pos[h], last = L->used[--L->nused];
  L->used[p] = last;
  L->used_pos[last] = p;
}

static int journal(ls *L, size_t i, int32_t from) {
  if (!L->journaling) return 0;
  if (vmp__grow(&L->jr, &L->jcap, L->njr + 1, sizeof *L->jr)) return VMP_ENOMEM;
  L->jr[L->njr].item = (uint32_t)i;
  L->jr[L->njr].host = from;
  L->njr++;
  return 0;
}

static void raw_unplace(ls *L, size_t i) {
  const vmp__model *m = L->m;
  int32_t h = L->st.host[i];
  if (h < 0) return;
  vmp__greedy_unplace(L->g, i);
  if (L->prev[i] >= 0)
    L->next[L->prev[i]] = L->next[i];
  else
    L->head[h] = L->next[i];
  if (L->next[i] >= 0) L->prev[L->next[i]] = L->prev[i];
  if (L->st.count[h] == 0) used_del(L, (size_t)h);
  vmp__hardcons_unplace(&L->hd, i, (size_t)h);
  L->pen += m->item_pen[i];
  L->soft_rules -= vmp__model_soft(m, i, (size_t)h);
  L->mig -= vmp__model_migcost(m, i, (size_t)h);
  update_groups(L, i);
  update_util(L, (size_t)h);
}

static void raw_place(ls *L, size_t i, size_t h) {
  const vmp__model *m = L->m;
  if (L->st.count[h] == 0) used_add(L, h);
  vmp__greedy_place_at(L->g, i, h);
  L->prev[i] = -1;
  L->next[i] = L->head[h];
  if (L->head[h] >= 0) L->prev[L->head[h]] = (int32_t)i;
  L->head[h] = (int32_t)i;
  vmp__hardcons_place(&L->hd, i, h);
  L->pen -= m->item_pen[i];
  L->soft_rules += vmp__model_soft(m, i, h);
  L->mig += vmp__model_migcost(m, i, h);
  update_groups(L, i);
  update_util(L, h);
}

/* Journaled versions: the journal returns every item where it was. */
static int mv_unplace(ls *L, size_t i) {
  int rc = journal(L, i, L->st.host[i]);
  if (!rc) raw_unplace(L, i);
  return rc;
}

static int mv_place(ls *L, size_t i, size_t h) {
  int rc = journal(L, i, -1);
  if (!rc) raw_place(L, i, h);
  return rc;
}

static void rollback(ls *L, size_t mark) {
  while (L->njr > mark) {
    jentry e = L->jr[--L->njr];
    raw_unplace(L, e.item);
    if (e.host >= 0) raw_place(L, e.item, (size_t)e.host);
  }
}

/* Copies the items of host h into snapshot buffer k; returns how many
 * (or 0 on allocation failure: the caller then simply tries nothing). */
static size_t snapshot(ls *L, int k, size_t h) {
  size_t n = 0;
  for (int32_t i = L->head[h]; i >= 0; i = L->next[i]) {
    if (vmp__grow(&L->buf[k], &L->bufcap[k], n + 1, sizeof *L->buf[k])) return 0;
    L->buf[k][n++] = (uint32_t)i;
  }
  return n;
}

/* ---- neighbourhoods ------------------------------------------------------------------- */

/* 1. Unplaced items, most important first, where the rule finds room. */
static int insert_unplaced(ls *L, int *improved) {
  const vmp__model *m = L->m;
  for (size_t i = 0; i < m->nitems; i++) {
    double before;
    int32_t h;
    size_t mark, vbefore;
    int rc;
    if (L->st.host[i] >= 0 || m->item_unplaceable[i]) continue;
    if ((h = vmp__greedy_choose(L->g, i)) < 0) continue;
    before = objective(L);
    vbefore = L->hd.nviol;
    mark = L->njr;
    if ((rc = mv_place(L, i, (size_t)h))) return rc;
    if (better(L, before, vbefore))
      *improved = 1;
    else
      rollback(L, mark);
  }
  return 0;
}

/* Whether pool item p fits on used host t once items q1 and q2 (q2 may
 * be -1) are taken off it (capacity; allowed was checked). */
static int fits_without(const ls *L, size_t p, uint32_t t, int32_t q1, int32_t q2) {
  const vmp__model *m = L->m;
  const uint32_t R = m->nres;
  const double *ld = L->st.load + (size_t)t * R, *cx = m->capx + (size_t)t * R;
  const double *dp = m->idem + p * R, *d1 = m->idem + (size_t)q1 * R;
  const double *d2 = q2 >= 0 ? m->idem + (size_t)q2 * R : NULL;
  for (uint32_t r = 0; r < R; r++)
    if (ld[r] - d1[r] - (d2 ? d2[r] : 0.0) + dp[r] > cx[r]) return 0;
  /* Groups (rare) are checked with q1, q2 still there: conservative when
   * one of them is the member in the way, never wrong. */
  return m->item_groups_start[p] == m->item_groups_start[p + 1] ||
         vmp__state_groups_ok(&L->st, p, t);
}

/* Hosts with more items than this are not searched for pairs. */
#define PAIR_MAX_ITEMS 16

/* The swap for pool item p: a used host t (not `closing`) and one or two
 * items on it (not tabu) such that p fits on t once they are gone, chosen
 * to shrink the pool's weight (the sum of squared sizes: big items are the
 * hard ones) the most, or grow it the least: the tabu list keeps the
 * search from undoing itself, so a swap that does not pay now may lead to
 * one that does.  Ties go to the first found from a random start. */
static void find_swap(ls *L, size_t p, size_t closing, const uint64_t *tabu, uint64_t now,
                      int32_t *bt, int32_t *bq1, int32_t *bq2) {
  const vmp__model *m = L->m;
  double best = HUGE_VAL, wp = L->size[p] * L->size[p];
  size_t n = L->nused, k0, tries = n < L->sample ? n : L->sample;
  *bt = *bq1 = *bq2 = -1;
  if (!n) return;
  k0 = (size_t)vmp__rng_below(&L->rng, n);
  for (size_t k = 0; k < tries; k++) {
    uint32_t t = L->used[(k0 + k) % n];
    size_t cnt = 0;
    if (t == closing || !vmp__model_allowed(m, p, t)) continue;
    for (int32_t q = L->head[t]; q >= 0; q = L->next[q], cnt++) {
      double d = L->size[q] * L->size[q] - wp;
      if (tabu[q] > now || d >= best || !fits_without(L, p, t, q, -1)) continue;
      best = d;
      *bt = (int32_t)t;
      *bq1 = q;
      *bq2 = -1;
    }
    if (cnt <= PAIR_MAX_ITEMS)
      for (int32_t q = L->head[t]; q >= 0; q = L->next[q]) {
        if (tabu[q] > now) continue;
        for (int32_t r2 = L->next[q]; r2 >= 0; r2 = L->next[r2]) {
          double d = L->size[q] * L->size[q] + L->size[r2] * L->size[r2] - wp;
          if (tabu[r2] > now || d >= best || !fits_without(L, p, t, q, r2)) continue;
          best = d;
          *bt = (int32_t)t;
          *bq1 = q;
          *bq2 = r2;
        }
      }
    L->iterations++;
  }
}

/* 2. Empties host h into the other used hosts; keeps the result only when
 * the objective improves. */
static int try_empty(ls *L, size_t h, int *improved) {
  uint32_t *pool = NULL;
  size_t np = 0, cap = 0, mark = L->njr, steps = 0, limit;
  double before = objective(L);
  size_t vbefore = L->hd.nviol;
  int rc = 0;
  vmp__greedy_hide(L->g, h, 1);
  while (L->head[h] >= 0 && !rc) {
    size_t i = (size_t)L->head[h];
    if ((rc = vmp__grow(&pool, &cap, np + 1, sizeof *pool))) break;
    pool[np++] = (uint32_t)i;
    rc = mv_unplace(L, i);
  }
  limit = L->effort * (np + 1);
  while (np && !rc && steps++ < limit && !spent(L)) {
    uint32_t p;
    size_t pick;
    int32_t t, q, q2;
    /* A random pool item: the tabu search needs the variety. */
    pick = (size_t)vmp__rng_below(&L->rng, np);
    p = pool[pick];
    L->clock++;
    if ((t = vmp__greedy_choose_used(L->g, p)) >= 0) {
      pool[pick] = pool[--np];
      rc = mv_place(L, p, (size_t)t);
      continue;
    }
    find_swap(L, p, h, L->tabu, L->clock, &t, &q, &q2);
    if (t < 0) continue;
    rc = mv_unplace(L, (size_t)q);
    if (!rc && q2 >= 0) rc = mv_unplace(L, (size_t)q2);
    if (!rc) rc = mv_place(L, p, (size_t)t);
    /* p stays where it went for a while. */
    L->tabu[p] = L->clock + 7 + vmp__rng_below(&L->rng, 8);
    pool[pick] = (uint32_t)q;
    if (!rc && q2 >= 0 && !(rc = vmp__grow(&pool, &cap, np + 1, sizeof *pool)))
      pool[np++] = (uint32_t)q2;
    if ((steps & 63) == 0 && vmp__ctx_should_stop(L->ctx)) break;
  }
  vmp__greedy_hide(L->g, h, 0);
  free(pool);
  if (rc) return rc;
  if (!np && better(L, before, vbefore)) {
    *improved = 1;
    return 0;
  }
  rollback(L, mark);
  return 0;
}

static int empty_hosts(ls *L, int *improved) {
  const vmp__model *m = L->m;
  vmp__keyed *k;
  size_t n = L->nused;
  int rc = 0;
  if (m->w.cost <= 0.0 || n < 2) return 0;
  if (!(k = malloc(n * sizeof *k))) return vmp__enomem();
  /* The least filled hosts per unit of cost first; random ties. */
  for (size_t j = 0; j < n; j++) {
    uint32_t h = L->used[j];
    double fill = 0.0;
    for (uint32_t r = 0; r < m->nres; r++)
      fill += L->w_unit[r] * L->st.load[(size_t)h * m->nres + r];
    k[j].key = (fill + 1e-9 * vmp__rng_unit(&L->rng)) / (m->cost[h] > 0 ? m->cost[h] : 1e-9);
    k[j].i = h;
  }
  qsort(k, n, sizeof *k, vmp__keyed_asc);
  for (size_t j = 0; j < n && !rc; j++) {
    int ok = 0;
    if (L->st.count[k[j].i] == 0) continue;
    if (m->cost[k[j].i] <= 0.0) continue;
    rc = try_empty(L, k[j].i, &ok);
    if (ok) *improved = 1;
    if (vmp__ctx_should_stop(L->ctx) || at_bound(L) || spent(L)) break;
    if ((j & 15) == 0 && vmp__ctx_progress(L->ctx, objective(L), -HUGE_VAL, L->iterations,
                                           L->st.placed, 0))
      break;
  }
  free(k);
  return rc;
}

/* Moves item i to host t if that lowers the objective. */
static int try_move(ls *L, size_t i, size_t t, int *improved) {
  double before = objective(L);
  size_t vbefore = L->hd.nviol;
  size_t mark = L->njr;
  int rc;
  if ((int32_t)t == L->st.host[i]) return 0;
  if ((rc = mv_unplace(L, i))) return rc;
  if (!vmp__state_fits(&L->st, i, t)) {
    rollback(L, mark);
    return 0;
  }
  if ((rc = mv_place(L, i, t))) return rc;
  if (better(L, before, vbefore)) {
    *improved = 1;
    return 0;
  }
  rollback(L, mark);
  return 0;
}

/* Swaps items i and j (on different hosts) if that lowers the objective. */
static int try_swap(ls *L, size_t i, size_t j, int *improved) {
  double before = objective(L);
  size_t vbefore = L->hd.nviol;
  int32_t hi = L->st.host[i], hj = L->st.host[j];
  size_t mark = L->njr;
  int rc;
  if (hi < 0 || hj < 0 || hi == hj) return 0;
  if ((rc = mv_unplace(L, i)) || (rc = mv_unplace(L, j))) return rc;
  if (!vmp__state_fits(&L->st, i, (size_t)hj)) {
    rollback(L, mark);
    return 0;
  }
  if ((rc = mv_place(L, i, (size_t)hj))) return rc;
  if (!vmp__state_fits(&L->st, j, (size_t)hi)) {
    rollback(L, mark);
    return 0;
  }
  if ((rc = mv_place(L, j, (size_t)hi))) return rc;
  if (better(L, before, vbefore)) {
    *improved = 1;
    return 0;
  }
  rollback(L, mark);
  return 0;
}

/* Tries to move item i to one of a sample of used hosts, and to swap it
 * with an item there. */
static int improve_item(ls *L, size_t i, int swaps, int *improved) {
  size_t n = L->nused, tries = n < L->sample ? n : L->sample, k0;
  int rc = 0;
  if (!n) return 0;
  k0 = (size_t)vmp__rng_below(&L->rng, n);
  for (size_t k = 0; k < tries && !rc && !spent(L); k++) {
    uint32_t t = L->used[(k0 + k) % n];
    int ok = 0;
    L->iterations++;
    if ((int32_t)t == L->st.host[i]) continue;
    rc = try_move(L, i, t, &ok);
    if (ok) {
      *improved = 1;
      return rc;
    }
    if (!swaps) continue;
    for (size_t nj = snapshot(L, 0, t), k2 = 0; k2 < nj && !rc; k2++) {
      rc = try_swap(L, i, L->buf[0][k2], &ok);
      if (ok) {
        *improved = 1;
        return rc;
      }
    }
  }
  return rc;
}

/* 3. Items that pay a soft penalty where they are. */
static int soft_moves(ls *L, int *improved) {
  const vmp__model *m = L->m;
  int rc = 0;
  if (!m->has_soft_rules && !m->has_soft_groups) return 0;
  for (size_t i = 0; i < m->nitems && !rc; i++) {
    int32_t h = L->st.host[i];
    if (h < 0) continue;
    if (vmp__greedy_soft_delta(&L->st, i, (size_t)h) <= 0.0) continue;
    rc = improve_item(L, i, 1, improved);
    if (spent(L) || ((i & 255) == 0 && vmp__ctx_should_stop(L->ctx))) break;
  }
  return rc;
}

/* 4. Items away from their current host go back where that pays. */
static int home_moves(ls *L, int *improved) {
  const vmp__model *m = L->m;
  int rc = 0;
  if (m->w.migrations <= 0.0) return 0;
  for (size_t i = 0; i < m->nitems && !rc; i++) {
    int32_t c = m->item_cur[i];
    if (c < 0 || L->st.host[i] == c || L->st.host[i] < 0) continue;
    rc = try_move(L, i, (size_t)c, improved);
  }
  return rc;
}

/* 5. Items off the most utilised host. */
static int balance_moves(ls *L, int *improved) {
  const vmp__model *m = L->m;
  int rc = 0;
  if (!L->util) return 0;
  for (int rounds = 0; rounds < 64 && !rc; rounds++) {
    size_t node = 1, h;
    int ok = 0;
    while (node < L->usize) node = L->umax[2 * node] >= L->umax[2 * node + 1] ? 2 * node : 2 * node + 1;
    h = node - L->usize;
    for (size_t ni = snapshot(L, 1, h), k1 = 0; k1 < ni && !ok && !rc; k1++) {
      /* Moves to empty hosts too: spreading may be worth a host. */
      size_t hs = m->nhosts, tries = hs < L->sample ? hs : L->sample;
      size_t k0 = (size_t)vmp__rng_below(&L->rng, hs ? hs : 1);
      for (size_t k = 0; k < tries && !ok && !rc; k++)
        rc = try_move(L, L->buf[1][k1], (k0 + k) % hs, &ok);
    }
    if (!ok) break;
    *improved = 1;
  }
  return rc;
}

/* ---- set-up ------------------------------------------------------------------------------ */

static void ls_free(ls *L) {
  vmp__hardcons_free(&L->hd);
  vmp__state_free(&L->st);
  vmp__greedy_free(L->g);
  VMP__FREE_ALL(L->head, L->next, L->prev, L->used, L->used_pos, L->gviol, L->util, L->umax,
                L->gbuf_dom, L->gbuf_n, L->size, L->jr, L->buf[0], L->buf[1], L->tabu);
}

static int ls_init(ls *L, vmp__ctx *ctx, const int32_t *start) {
  const vmp__model *m = ctx->m;
  size_t maxg = 1;
  double avg[VMP__MAX_RESOURCES] = {0};
  size_t nus = 0;
  double per_item;
  int rc;
  memset(L, 0, sizeof *L);
  L->ctx = ctx;
  L->m = m;
  vmp__rng_seed(&L->rng, ctx->seed);
  L->sample = (size_t)vmp__param_num(ctx, "local.sample", 256);
  if ((rc = vmp__state_init(&L->st, m))) return rc;
  if ((rc = vmp__hardcons_init(&L->hd, m))) return rc;
  if ((rc = vmp__greedy_new(m, &L->g))) return rc;
  for (uint32_t g = 0; g < m->ngroups; g++)
    if (m->groups[g].nvms > maxg) maxg = m->groups[g].nvms;
  L->head = malloc((m->nhosts + 1) * sizeof *L->head);
  L->next = malloc((m->nitems + 1) * sizeof *L->next);
  L->prev = malloc((m->nitems + 1) * sizeof *L->prev);
  L->used = malloc((m->nhosts + 1) * sizeof *L->used);
  L->used_pos = malloc((m->nhosts + 1) * sizeof *L->used_pos);
  L->gviol = calloc(m->ngroups + 1, sizeof *L->gviol);
  L->gbuf_dom = malloc((maxg + 1) * sizeof *L->gbuf_dom);
  L->gbuf_n = malloc((maxg + 1) * sizeof *L->gbuf_n);
  L->size = malloc((m->nitems + 1) * sizeof *L->size);
  L->tabu = calloc(m->nitems + 1, sizeof *L->tabu);
  L->effort = (size_t)vmp__param_num(ctx, "local.effort", 200);
  if (!L->head || !L->next || !L->prev || !L->used || !L->used_pos || !L->gviol ||
      !L->gbuf_dom || !L->gbuf_n || !L->size || !L->tabu)
    return vmp__enomem();
  if (m->w.balance > 0.0) {
    L->usize = 1;
    while (L->usize < m->nhosts) L->usize <<= 1;
    L->util = calloc(m->nhosts + 1, sizeof *L->util);
    L->umax = calloc(2 * L->usize, sizeof *L->umax);
    if (!L->util || !L->umax) return vmp__enomem();
  }
  for (size_t h = 0; h < m->nhosts; h++) {
    L->head[h] = -1;
    if (!m->usable[h]) continue;
    nus++;
    for (uint32_t r = 0; r < m->nres; r++) avg[r] += m->cap[h * m->nres + r];
  }
  for (uint32_t r = 0; r < m->nres; r++)
    L->w_unit[r] = nus && avg[r] > 0.0 ? (double)nus / avg[r] : 0.0;
  for (size_t i = 0; i < m->nitems; i++) {
    double s = 0.0;
    for (uint32_t r = 0; r < m->nres; r++) s += L->w_unit[r] * m->idem[i * m->nres + r];
    L->size[i] = s;
    L->pen += m->item_pen[i];
  }
  if ((rc = vmp__greedy_bind(L->g, &L->st, vmp__greedy_rule_find("ffd_l2_avg")))) return rc;
  for (size_t i = 0; i < m->nitems; i++) {
    int32_t h = start ? start[i] : -1;
    if (h < 0 || m->item_unplaceable[i] || !vmp__state_fits(&L->st, i, (size_t)h)) continue;
    raw_place(L, i, (size_t)h);
  }
  L->bound = vmp__model_bound(m);
  if (ctx->best_bound > L->bound && ctx->best_bound < HUGE_VAL) L->bound = ctx->best_bound;
  per_item = vmp__param_num(ctx, "local.budget", 0);
  L->budget = per_item > 0 ? (uint64_t)(per_item * (double)(m->nitems ? m->nitems : 1))
                           : UINT64_MAX;
  return 0;
}

static const vmp__param_spec local_params[] = {
    {"local.patience", VMP_PARAM_INT, 0, 1e6, "3",
     "rounds in a row without improvement after which local search stops"},
    {"local.sample", VMP_PARAM_INT, 1, 1e9, "256",
     "used hosts examined per move or swap search"},
    {"local.effort", VMP_PARAM_INT, 1, 1e9, "200",
     "pool steps per displaced item when trying to empty a host"},
    {"local.budget", VMP_PARAM_DOUBLE, 0, 1e9, "0",
     "hosts examined per item the search may spend without a gain, plus three "
     "times what it spent up to its last gain; 0: no budget (auto uses 5000)"},
};

static int local_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  vmp__result start;
  const int32_t *from = ctx->incumbent;
  long patience = (long)vmp__param_num(ctx, "local.patience", 3), idle = 0;
  uint64_t rounds = 0;
  ls L;
  int rc = 0;
  memset(&start, 0, sizeof start);
  if (!from) {
    if ((rc = vmp__result_init(&start, m->nitems))) return rc;
    if ((rc = vmp__solver_run(ctx, "greedy", &start))) {
      vmp__result_free(&start);
      return rc;
    }
    from = start.host;
  }
  rc = ls_init(&L, ctx, from);
  vmp__result_free(&start);
  if (rc) {
    ls_free(&L);
    return rc;
  }
  L.journaling = 1;
  while (!rc && !vmp__ctx_should_stop(ctx)) {
    int improved = 0;
    double before = objective(&L);
    if (at_bound(&L) || spent(&L)) break;
    L.njr = 0;
    rc = insert_unplaced(&L, &improved);
    if (!rc) rc = empty_hosts(&L, &improved);
    L.njr = 0;
    if (!rc) rc = soft_moves(&L, &improved);
    L.njr = 0;
    if (!rc) rc = home_moves(&L, &improved);
    L.njr = 0;
    if (!rc) rc = balance_moves(&L, &improved);
    L.njr = 0;
    rounds++;
    if (vmp__ctx_progress(ctx, objective(&L), -HUGE_VAL, L.iterations, L.st.placed, 0)) break;
    if (objective(&L) < before - 1e-9) {
      idle = 0;
      L.paid = L.iterations;
    }
    else if (++idle >= patience)
      break;
  }
  /* A start that broke a hard rebalancing constraint the moves could not
   * mend: items come off until it holds. */
  if (!rc && L.hd.nviol) vmp__hardcons_shed(&L.st, &L.hd);
  if (!rc) {
    memcpy(res->host, L.st.host, m->nitems * sizeof *res->host);
    res->stop_reason = vmp__ctx_should_stop(ctx) ? vmp__ctx_stop_reason(ctx) : VMP_STOP_COMPLETED;
    vmp__stats_set(&res->stats, "local.rounds", (double)rounds);
    vmp__stats_set(&res->stats, "local.iterations", (double)L.iterations);
    vmp__stats_set(&res->stats, "local.budget_spent", spent(&L));
  }
  ls_free(&L);
  return rc;
}

const vmp__solver vmp__solver_local = {
    "local", "local search: moves, swaps, emptying hosts (from the incumbent or greedy)",
    local_solve, local_params, sizeof local_params / sizeof local_params[0],
    VMP__NEED_TRANSIENT | VMP__NEED_SPREAD | VMP__NEED_DEPEND};
