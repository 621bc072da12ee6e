/*
 * Pricing knapsacks for column generation (knapsack.h).
 */
#include "knapsack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EPS 1e-9

static int candidate(const vmp__kp *kp, uint32_t t) { return kp->p[t] > EPS && kp->ub[t] > 0; }

/* Copies of item t that fit in cap on their own. */
static uint32_t fit_copies(const vmp__kp *kp, uint32_t t, const double *cap) {
  double most = (double)kp->ub[t];
  for (uint32_t r = 0; r < kp->nres; r++) {
    double w = kp->w[(size_t)t * kp->nres + r];
    if (w > 0.0) {
      double c = floor((cap[r] + EPS) / w);
      if (c < most) most = c;
    }
  }
  return most > 0.0 ? (uint32_t)most : 0;
}

/* ---- dynamic programming ----------------------------------------------------- */

struct vmp__kp_dp {
  uint32_t n, nres, nd;
  uint32_t dim[VMP__MAX_RESOURCES];     /* resource of each used dimension */
  uint64_t size[VMP__MAX_RESOURCES];    /* cells along it */
  uint64_t stride[VMP__MAX_RESOURCES];
  uint64_t cells;
  double *f;                            /* best value within each cell */
  uint64_t *bits;                       /* [piece][cell] the piece was taken */
  size_t words;
  uint32_t npieces;
  uint32_t *pitem, *pcopies;
  uint64_t *poff;
  double *p;                            /* [n] copy of the profits */
  double free_value;                    /* items that use no dimension */
  uint32_t *free_copies;                /* [n] their copies */
};

static int integral(double x) { return fabs(x - floor(x + 0.5)) <= EPS; }

double vmp__kp_dp_cells(const vmp__kp *kp, const double *box, double *bits) {
  double cells = 1.0, pieces = 0.0;
  uint8_t used[VMP__MAX_RESOURCES] = {0};
  for (uint32_t t = 0; t < kp->n; t++) {
    uint32_t c;
    if (!candidate(kp, t) || !(c = fit_copies(kp, t, box))) continue;
    if (kp->cstart && kp->cstart[t] != kp->cstart[t + 1]) return 0.0;
    for (uint32_t r = 0; r < kp->nres; r++) {
      double w = kp->w[(size_t)t * kp->nres + r];
      if (!integral(w)) return 0.0;
      if (w > 0.0) used[r] = 1;
    }
    for (uint32_t q = 1; c > 0; q <<= 1) {
      c -= q < c ? q : c;
      pieces += 1.0;
    }
  }
  for (uint32_t r = 0; r < kp->nres; r++)
    if (used[r]) cells *= floor(box[r] + EPS) + 1.0;
  *bits = cells * pieces;
  return cells;
}

void vmp__kp_dp_free(vmp__kp_dp *dp) {
  if (!dp) return;
  VMP__FREE_ALL(dp->f, dp->bits, dp->pitem, dp->pcopies, dp->poff, dp->p, dp->free_copies, dp);
}

/* One piece (copies of one item) over every cell, largest cells first so
 * that each cell still sees the values before the piece. */
static void dp_piece(vmp__kp_dp *dp, uint32_t k, const uint64_t *pw, double pv) {
  uint64_t *bits = dp->bits + (size_t)k * dp->words, off = dp->poff[k];
  double *f = dp->f;
  if (dp->nd == 1) {
    for (uint64_t c = dp->cells; c-- > pw[0];) {
      double cand = f[c - off] + pv;
      if (cand > f[c] + EPS) {
        f[c] = cand;
        bits[c >> 6] |= UINT64_C(1) << (c & 63);
      }
    }
    return;
  }
  {
    uint64_t co[VMP__MAX_RESOURCES];
    for (uint32_t d = 0; d < dp->nd; d++) co[d] = dp->size[d] - 1;
    for (uint64_t c = dp->cells; c-- > 0;) {
      int ok = 1;
      for (uint32_t d = 0; d < dp->nd && ok; d++) ok = co[d] >= pw[d];
      if (ok) {
        double cand = f[c - off] + pv;
        if (cand > f[c] + EPS) {
          f[c] = cand;
          bits[c >> 6] |= UINT64_C(1) << (c & 63);
        }
      }
      for (uint32_t d = 0; d < dp->nd; d++) {
        if (co[d]-- > 0) break;
        co[d] = dp->size[d] - 1;
      }
    }
  }
}

int vmp__kp_dp_build(vmp__kp_dp **out, const vmp__kp *kp, const double *box) {
  vmp__kp_dp *dp = calloc(1, sizeof *dp);
  int8_t dmap[VMP__MAX_RESOURCES];
  size_t pcap = 0;
  *out = NULL;
  if (!dp) return vmp__enomem();
  dp->n = kp->n;
  dp->nres = kp->nres;
  dp->p = malloc((kp->n + 1) * sizeof *dp->p);
  dp->free_copies = calloc(kp->n + 1, sizeof *dp->free_copies);
  if (!dp->p || !dp->free_copies) goto oom;
  memcpy(dp->p, kp->p, kp->n * sizeof *dp->p);
  memset(dmap, -1, sizeof dmap);
  for (uint32_t t = 0; t < kp->n; t++) {
    if (!candidate(kp, t) || !fit_copies(kp, t, box)) continue;
    for (uint32_t r = 0; r < kp->nres; r++)
      if (kp->w[(size_t)t * kp->nres + r] > 0.0 && dmap[r] < 0) {
        dmap[r] = 0;
      }
  }
  dp->cells = 1;
  for (uint32_t r = 0; r < kp->nres; r++)
    if (dmap[r] == 0) {
      dmap[r] = (int8_t)dp->nd;
      dp->dim[dp->nd] = r;
      dp->size[dp->nd] = (uint64_t)floor(box[r] + EPS) + 1;
      dp->stride[dp->nd] = dp->cells;
      dp->cells *= dp->size[dp->nd];
      dp->nd++;
    }
  dp->words = (size_t)((dp->cells + 63) / 64);
  if (!(dp->f = calloc(dp->cells, sizeof *dp->f))) goto oom;
  /* Pieces: copies of an item split into 1, 2, 4, ... (binary splitting
   * keeps the bounded knapsack a 0-1 knapsack of log(ub) pieces). */
  for (uint32_t t = 0; t < kp->n; t++) {
    uint32_t c;
    int uses = 0;
    if (!candidate(kp, t) || !(c = fit_copies(kp, t, box))) continue;
    for (uint32_t r = 0; r < kp->nres; r++) uses |= kp->w[(size_t)t * kp->nres + r] > 0.0;
    if (!uses) {
      dp->free_copies[t] = c;
      dp->free_value += c * kp->p[t];
      continue;
    }
    for (uint32_t q = 1; c > 0; q <<= 1) {
      uint32_t take = q < c ? q : c;
      size_t c1 = pcap, c2 = pcap;
      if (vmp__grow(&dp->pitem, &c1, dp->npieces + 1, sizeof *dp->pitem) ||
          vmp__grow(&dp->pcopies, &c2, dp->npieces + 1, sizeof *dp->pcopies) ||
          vmp__grow(&dp->poff, &pcap, dp->npieces + 1, sizeof *dp->poff))
        goto oom;
      dp->pitem[dp->npieces] = t;
      dp->pcopies[dp->npieces] = take;
      dp->poff[dp->npieces] = 0;
      for (uint32_t d = 0; d < dp->nd; d++)
        dp->poff[dp->npieces] +=
            (uint64_t)floor(kp->w[(size_t)t * kp->nres + dp->dim[d]] + 0.5) * take * dp->stride[d];
      dp->npieces++;
      c -= take;
    }
  }
  if (dp->npieces && !(dp->bits = calloc((size_t)dp->npieces * dp->words, sizeof *dp->bits)))
    goto oom;
  for (uint32_t k = 0; k < dp->npieces; k++) {
    uint64_t pw[VMP__MAX_RESOURCES];
    /* A piece costs a pass over the table: poll between pieces. */
    if (kp->stop && kp->stop(kp->stop_arg)) {
      vmp__kp_dp_free(dp);
      return 1;
    }
    uint32_t t = dp->pitem[k];
    for (uint32_t d = 0; d < dp->nd; d++)
      pw[d] = (uint64_t)floor(kp->w[(size_t)t * kp->nres + dp->dim[d]] + 0.5) * dp->pcopies[k];
    dp_piece(dp, k, pw, kp->p[t] * dp->pcopies[k]);
  }
  *out = dp;
  return 0;
oom:
  vmp__kp_dp_free(dp);
  return vmp__enomem();
}

void vmp__kp_dp_query(const vmp__kp_dp *dp, const double *cap, vmp__kp_sol *sol) {
  uint64_t c = 0;
  double v = 0.0;
  memcpy(sol->a, dp->free_copies, dp->n * sizeof *sol->a);
  for (uint32_t d = 0; d < dp->nd; d++) {
    double x = floor(cap[dp->dim[d]] + EPS);
    uint64_t k = x < 0.0 ? 0 : (uint64_t)x;
    if (k > dp->size[d] - 1) k = dp->size[d] - 1;
    c += k * dp->stride[d];
  }
  for (uint32_t k = dp->npieces; k-- > 0;)
    if ((dp->bits[(size_t)k * dp->words + (c >> 6)] >> (c & 63)) & 1) {
      sol->a[dp->pitem[k]] += dp->pcopies[k];
      c -= dp->poff[k];
    }
  for (uint32_t t = 0; t < dp->n; t++) v += sol->a[t] * dp->p[t];
  sol->value = v;
}

/* ---- greedy ------------------------------------------------------------------------- */

void vmp__kp_greedy(const vmp__kp *kp, const double *cap, vmp__kp_sol *sol) {
  double rem[VMP__MAX_RESOURCES];
  vmp__keyed *k = malloc((kp->n + 1) * sizeof *k);
  uint32_t *used = kp->nsets ? calloc(kp->nsets, sizeof *used) : NULL;
  uint32_t n = 0;
  memset(sol->a, 0, kp->n * sizeof *sol->a);
  sol->value = 0.0;
  if (!k || (kp->nsets && !used)) {
    free(k);
    free(used);
    return;   /* no solution is a valid answer for a heuristic */
  }
  for (uint32_t t = 0; t < kp->n; t++) {
    double size = 0.0;
    if (!candidate(kp, t)) continue;
    for (uint32_t r = 0; r < kp->nres; r++)
      if (cap[r] > 0.0 && kp->w[(size_t)t * kp->nres + r] / cap[r] > size)
        size = kp->w[(size_t)t * kp->nres + r] / cap[r];
    k[n].key = size > 0.0 ? kp->p[t] / size : HUGE_VAL;
    k[n++].i = t;
  }
  qsort(k, n, sizeof *k, vmp__keyed_desc);
  memcpy(rem, cap, kp->nres * sizeof *rem);
  for (uint32_t j = 0; j < n; j++) {
    uint32_t t = k[j].i, c = fit_copies(kp, t, rem), free_ = 1;
    if (kp->cstart)
      for (uint32_t q = kp->cstart[t]; q < kp->cstart[t + 1]; q++)
        if (used[kp->cset[q]]) free_ = 0;
    if (!c || !free_) continue;
    sol->a[t] = c;
    sol->value += c * kp->p[t];
    for (uint32_t r = 0; r < kp->nres; r++) rem[r] -= c * kp->w[(size_t)t * kp->nres + r];
    if (kp->cstart)
      for (uint32_t q = kp->cstart[t]; q < kp->cstart[t + 1]; q++) used[kp->cset[q]]++;
  }
  free(k);
  free(used);
}

/* ---- a quick upper bound ------------------------------------------------------------ */

double vmp__kp_upper(const vmp__kp *kp, const double *cap) {
  vmp__keyed *k = malloc((kp->n + 1) * sizeof *k);
  double best = HUGE_VAL, all = 0.0;
  uint32_t n = 0;
  if (!k) {
    /* Without memory: every candidate at its copies that fit alone. */
    for (uint32_t t = 0; t < kp->n; t++)
      if (candidate(kp, t)) all += fit_copies(kp, t, cap) * kp->p[t];
    return all;
  }
  for (uint32_t t = 0; t < kp->n; t++)
    if (candidate(kp, t) && fit_copies(kp, t, cap)) {
      all += fit_copies(kp, t, cap) * kp->p[t];
      k[n++].i = t;
    }
  for (uint32_t r = 0; r < kp->nres; r++) {
    double room = cap[r], v = 0.0;
    for (uint32_t j = 0; j < n; j++) {
      double w = kp->w[(size_t)k[j].i * kp->nres + r];
      k[j].key = w > 0.0 ? kp->p[k[j].i] / w : HUGE_VAL;
    }
    qsort(k, n, sizeof *k, vmp__keyed_desc);
    for (uint32_t j = 0; j < n; j++) {
      uint32_t t = k[j].i;
      double w = kp->w[(size_t)t * kp->nres + r], c = fit_copies(kp, t, cap);
      if (w <= 0.0) {
        v += c * kp->p[t];
      } else if (c * w <= room) {
        v += c * kp->p[t];
        room -= c * w;
      } else {
        v += kp->p[t] * (room > 0.0 ? room : 0.0) / w;
        room = 0.0;
      }
    }
    if (v < best) best = v;
  }
  free(k);
  return best < all ? best : all;
}

/* ---- branch and bound ------------------------------------------------------------ */

typedef struct bb {
  const vmp__kp *kp;
  uint32_t nc;             /* candidates, by decreasing efficiency */
  uint32_t *cand;
  uint32_t *cub;           /* copies that fit alone */
  uint32_t *ord;           /* [r*nc] candidate positions by p/w_r */
  double *ns;              /* [nc] size relative to the capacity, summed
                              over resources (the surrogate constraint) */
  double *psize, *pprof;   /* [nc+1] prefix sums of ns x copies, profit x
                              copies, in the search order */
  uint32_t *byprofit;      /* [nc] positions by decreasing profit */
  double minw[VMP__MAX_RESOURCES];  /* smallest size per resource; 0 when
                                      some candidate has size 0 there */
  double rem[VMP__MAX_RESOURCES];
  double cap[VMP__MAX_RESOURCES];
  double mult[VMP__MAX_RESOURCES];  /* surrogate multipliers */
  uint32_t *cur;           /* [n] copies chosen */
  uint32_t *setuse;        /* [nsets] */
  double val, best;
  uint32_t hot;            /* the resource that bounded last: tried first */
  uint64_t nodes, limit;
  int aborted;
  vmp__kp_sol *sols;
  size_t want, nsols;
} bb;

static int blocked(const bb *s, uint32_t t) {
  const vmp__kp *kp = s->kp;
  if (!kp->cstart) return 0;
  for (uint32_t k = kp->cstart[t]; k < kp->cstart[t + 1]; k++)
    if (s->setuse[kp->cset[k]]) return 1;
  return 0;
}

/* Fractional bound on what candidates from position j on can add: the
 * smallest over resources of the one-resource fractional knapsack. */
static double bound_from(bb *s, uint32_t j) {
  const vmp__kp *kp = s->kp;
  double best = HUGE_VAL;
  uint32_t hot = s->hot;
  for (uint32_t q = 0; q < kp->nres; q++) {
    uint32_t r = q == 0 ? hot : (q <= hot ? q - 1 : q);
    const uint32_t *ord = s->ord + (size_t)r * s->nc;
    double room = s->rem[r], v = 0.0;
    for (uint32_t k = 0; k < s->nc; k++) {
      uint32_t pos = ord[k], t;
      double w, n;
      if (pos < j) continue;
      t = s->cand[pos];
      w = kp->w[(size_t)t * kp->nres + r];
      n = (double)s->cub[pos];
      if (w <= 0.0) {
        v += n * kp->p[t];
        continue;
      }
      if (room <= EPS) break;
      if (n * w <= room) {
        v += n * kp->p[t];
        room -= n * w;
      } else {
        v += kp->p[t] * room / w;
        room = 0.0;
      }
    }
    if (v < best) {
      best = v;
      s->hot = r;
    }
    if (s->val + best <= s->best + EPS) return best;   /* pruned already */
  }
  if (best == HUGE_VAL) {
    best = 0.0;
    for (uint32_t pos = j; pos < s->nc; pos++) best += s->cub[pos] * kp->p[s->cand[pos]];
  }
  return best;
}

/* The surrogate relaxation: every resource's constraint divided by its
 * capacity and summed.  The search order is by profit per unit of that
 * sum, so its fractional bound is a prefix sum: O(log n) a node, a cheap
 * filter before bound_from. */
static double surrogate_from(const bb *s, uint32_t j) {
  const vmp__kp *kp = s->kp;
  double room = 0.0, base = s->psize[j];
  uint32_t lo = j, hi = s->nc;
  for (uint32_t r = 0; r < kp->nres; r++)
    room += s->rem[r] * s->mult[r];
  /* the last m with psize[m] - base <= room */
  while (lo < hi) {
    uint32_t mid = (lo + hi + 1) / 2;
    if (s->psize[mid] - base <= room + EPS)
      lo = mid;
    else
      hi = mid - 1;
  }
  {
    double v = s->pprof[lo] - s->pprof[j];
    if (lo < s->nc && s->ns[lo] > 0.0)
      v += (room - (s->psize[lo] - base)) * kp->p[s->cand[lo]] / s->ns[lo];
    return v;
  }
}

/* The cardinality bound: no more items fit than the smallest sizes
 * allow, and they bring at most the largest profits left.  Strong when a
 * host holds few items (each at least a quarter of it: at most 3 or 4). */
static double cardinality_from(const bb *s, uint32_t j) {
  const vmp__kp *kp = s->kp;
  double most = HUGE_VAL, v = 0.0;
  for (uint32_t r = 0; r < kp->nres; r++)
    if (s->minw[r] > 0.0) {
      double k = floor((s->rem[r] + EPS) / s->minw[r]);
      if (k < most) most = k;
    }
  if (most > 16.0) return HUGE_VAL;   /* scanning would cost more than it saves */
  for (uint32_t q = 0; q < s->nc && most > 0.0; q++) {
    uint32_t pos = s->byprofit[q];
    double take;
    if (pos < j) continue;
    take = s->cub[pos] < most ? s->cub[pos] : most;
    v += take * kp->p[s->cand[pos]];
    most -= take;
  }
  return v;
}

static void record(bb *s) {
  vmp__kp_sol keep;
  if (!s->want) return;
  /* Each new solution beats every earlier one: newest first. */
  keep = s->sols[s->want - 1];
  memmove(s->sols + 1, s->sols, (s->want - 1) * sizeof *s->sols);
  s->sols[0] = keep;
  memcpy(keep.a, s->cur, s->kp->n * sizeof *keep.a);
  s->sols[0].value = s->val;
  if (s->nsols < s->want) s->nsols++;
}

static void dfs(bb *s, uint32_t j) {
  const vmp__kp *kp = s->kp;
  uint32_t t, most;
  if (s->nodes++ >= s->limit ||
      ((s->nodes & 4095) == 0 && kp->stop && kp->stop(kp->stop_arg))) {
    s->aborted = 1;
    return;
  }
  if (s->val > s->best + EPS) {
    s->best = s->val;
    record(s);
  }
  if (j >= s->nc || s->val + surrogate_from(s, j) <= s->best + EPS ||
      s->val + cardinality_from(s, j) <= s->best + EPS || s->val + bound_from(s, j) <= s->best + EPS)
    return;
  t = s->cand[j];
  most = blocked(s, t) ? 0 : s->cub[j];
  for (uint32_t r = 0; r < kp->nres && most; r++) {
    double w = kp->w[(size_t)t * kp->nres + r];
    if (w > 0.0) {
      double c = floor((s->rem[r] + EPS) / w);
      if (c < most) most = c < 0.0 ? 0 : (uint32_t)c;
    }
  }
  for (uint32_t c = most + 1; c-- > 0 && !s->aborted;) {
    for (uint32_t r = 0; r < kp->nres; r++) s->rem[r] -= c * kp->w[(size_t)t * kp->nres + r];
    s->cur[t] = c;
    s->val += c * kp->p[t];
    if (c && kp->cstart)
      for (uint32_t k = kp->cstart[t]; k < kp->cstart[t + 1]; k++) s->setuse[kp->cset[k]]++;
    dfs(s, j + 1);
    if (c && kp->cstart)
      for (uint32_t k = kp->cstart[t]; k < kp->cstart[t + 1]; k++) s->setuse[kp->cset[k]]--;
    s->val -= c * kp->p[t];
    s->cur[t] = 0;
    for (uint32_t r = 0; r < kp->nres; r++) s->rem[r] += c * kp->w[(size_t)t * kp->nres + r];
  }
}

int vmp__kp_bb(const vmp__kp *kp, const double *cap, double floor_value,
               uint64_t node_limit, vmp__kp_sol *sols, size_t want,
               size_t *nsols, double *upper) {
  bb s;
  vmp__keyed *k = NULL;
  double root;
  int rc = 0;
  memset(&s, 0, sizeof s);
  s.kp = kp;
  s.limit = node_limit;
  s.best = floor_value;
  s.sols = sols;
  s.want = want;
  *nsols = 0;
  s.cand = malloc((kp->n + 1) * sizeof *s.cand);
  s.cub = malloc((kp->n + 1) * sizeof *s.cub);
  s.ord = malloc(((size_t)kp->n * kp->nres + 1) * sizeof *s.ord);
  s.cur = calloc(kp->n + 1, sizeof *s.cur);
  s.setuse = calloc(kp->nsets + 1, sizeof *s.setuse);
  s.ns = malloc((kp->n + 1) * sizeof *s.ns);
  s.psize = malloc((kp->n + 2) * sizeof *s.psize);
  s.pprof = malloc((kp->n + 2) * sizeof *s.pprof);
  s.byprofit = malloc((kp->n + 1) * sizeof *s.byprofit);
  k = malloc((kp->n + 1) * sizeof *k);
  if (!s.cand || !s.cub || !s.ord || !s.cur || !s.setuse || !s.ns || !s.psize || !s.pprof ||
      !s.byprofit || !k) {
    rc = vmp__enomem();
    goto out;
  }
  /* The surrogate multipliers: the caller's (the LP relaxation's duals
   * make the surrogate bound the LP bound at the root), else every
   * resource relative to its capacity. */
  {
    int any = 0;
    for (uint32_t r = 0; kp->sw && r < kp->nres; r++) any |= kp->sw[r] > 0.0;
    for (uint32_t r = 0; r < kp->nres; r++)
      s.mult[r] = any ? (kp->sw[r] > 0.0 ? kp->sw[r] : 0.0) : cap[r] > 0.0 ? 1.0 / cap[r] : 0.0;
  }
  /* Candidates by decreasing profit per unit of (surrogate) size. */
  for (uint32_t t = 0; t < kp->n; t++) {
    double size = 0.0;
    uint32_t c;
    if (!candidate(kp, t) || !(c = fit_copies(kp, t, cap))) continue;
    for (uint32_t r = 0; r < kp->nres; r++)
      size += kp->w[(size_t)t * kp->nres + r] * s.mult[r];
    k[s.nc].key = size > 0.0 ? kp->p[t] / size : HUGE_VAL;
    k[s.nc++].i = t;
  }
  qsort(k, s.nc, sizeof *k, vmp__keyed_desc);
  memcpy(s.cap, cap, kp->nres * sizeof *cap);
  s.psize[0] = s.pprof[0] = 0.0;
  for (uint32_t j = 0; j < s.nc; j++) {
    double size = 0.0;
    s.cand[j] = k[j].i;
    s.cub[j] = fit_copies(kp, k[j].i, cap);
    for (uint32_t r = 0; r < kp->nres; r++)
      size += kp->w[(size_t)k[j].i * kp->nres + r] * s.mult[r];
    s.ns[j] = size;
    s.psize[j + 1] = s.psize[j] + size * s.cub[j];
    s.pprof[j + 1] = s.pprof[j] + kp->p[k[j].i] * s.cub[j];
  }
  for (uint32_t r = 0; r < kp->nres; r++) {
    uint32_t *ord = s.ord + (size_t)r * s.nc;
    for (uint32_t j = 0; j < s.nc; j++) {
      double w = kp->w[(size_t)s.cand[j] * kp->nres + r];
      k[j].key = w > 0.0 ? kp->p[s.cand[j]] / w : HUGE_VAL;
      k[j].i = j;
    }
    qsort(k, s.nc, sizeof *k, vmp__keyed_desc);
    for (uint32_t j = 0; j < s.nc; j++) ord[j] = k[j].i;
  }
  for (uint32_t j = 0; j < s.nc; j++) {
    k[j].key = kp->p[s.cand[j]];
    k[j].i = j;
  }
  qsort(k, s.nc, sizeof *k, vmp__keyed_desc);
  for (uint32_t j = 0; j < s.nc; j++) s.byprofit[j] = k[j].i;
  for (uint32_t r = 0; r < kp->nres; r++) {
    /* A resource limits how many items fit only when every candidate
     * uses some of it: items of size 0 there would escape the count (0:
     * no limit from r). */
    s.minw[r] = 0.0;
    for (uint32_t j = 0; j < s.nc; j++) {
      double w = kp->w[(size_t)s.cand[j] * kp->nres + r];
      if (!(w > 0.0)) {
        s.minw[r] = 0.0;
        break;
      }
      if (s.minw[r] == 0.0 || w < s.minw[r]) s.minw[r] = w;
    }
  }
  memcpy(s.rem, cap, kp->nres * sizeof *cap);
  root = bound_from(&s, 0);
  dfs(&s, 0);
  *nsols = s.nsols;
  if (s.aborted)
    *upper = root > s.best ? root : s.best;
  else
    *upper = s.best;
  rc = !s.aborted;
out:
  VMP__FREE_ALL(s.cand, s.cub, s.ord, s.cur, s.setuse, s.ns, s.psize, s.pprof, s.byprofit, k);
  return rc;
}
