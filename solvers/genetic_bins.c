/*
 * The genetic scheduler's exact repacking of the pool onto identical
 * hosts (genetic.h, vmp__gga_bin_completion): bin completion, a
 * depth-first search that fills one host at a time with the completions
 * that leave least room, and, where the pool's volume leaves no slack in
 * any resource, an exact cover by sets of up to three items.  Reinsertion
 * (genetic_ops.c) calls it before placing items one by one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "genetic.h"
#include "solvers.h"

/* ---- bin completion (identical hosts) ------------------------------------------ */

#define BC_EXTRA 3      /* items a completion adds to the host's first item */
#define BC_CHOICES 12   /* completions tried per host, fullest first */
#define BC_VISITS 512   /* candidate sets looked at per host */
/* Pools up to VMP__GGA_BC_MRV_POOL items open with the most constrained
 * item (exact packing only); */
#define BC_MRV_SAMPLE 32 /* larger ones look at this many candidates */

typedef struct bc_set {
  double size;
  uint32_t n;
  uint32_t it[BC_EXTRA];
} bc_set;

typedef struct bc {
  const vmp__gga *g;
  vmp__gga_ws *ws;
  uint32_t cls;
  uint64_t nodes, limit, visits;
  int aborted;
  double pvol[VMP__MAX_RESOURCES];  /* demand left in the pool */
  double need[VMP__MAX_RESOURCES];  /* what this host must still take */
  double need_size;
  const double *cap;                /* capx of the class */
  bc_set *best;                     /* [BC_CHOICES], fullest first */
  uint32_t nbest;
  vmp__rng *rng;
} bc;

static void bc_keep(bc *b, const uint32_t *it, uint32_t n, double size) {
  uint32_t p = b->nbest < BC_CHOICES ? b->nbest++ : BC_CHOICES;
  if (p == BC_CHOICES) {
    if (size <= b->best[BC_CHOICES - 1].size) return;
    p = BC_CHOICES - 1;
  }
  for (; p > 0 && b->best[p - 1].size < size; p--) b->best[p] = b->best[p - 1];
  b->best[p].size = size;
  b->best[p].n = n;
  memcpy(b->best[p].it, it, n * sizeof *it);
}

/* Sets of up to BC_EXTRA pool items from position `from` on that fit the
 * room and, with what is chosen already, meet the need in every
 * resource.  Equal items are tried once per position (ekey). */
static void bc_enum(bc *b, uint32_t h, size_t from, uint32_t *chosen, uint32_t depth,
                    double sum, double *room, double *got) {
  const vmp__gga *g = b->g;
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  vmp__gga_ws *ws = b->ws;
  double rs = 0.0;
  uint64_t prev = 0;
  int have_prev = 0;
  if (depth > 0) {
    uint32_t r;
    for (r = 0; r < nr && got[r] >= b->need[r]; r++) {}
    if (r == nr) bc_keep(b, chosen, depth, sum);
  }
  if (depth == BC_EXTRA) return;
  for (uint32_t r = 0; r < nr; r++) rs += room[r] * g->avginv[r];
  for (size_t j = from > vmp__gga_pool_from(ws, rs + 1e-12) ? from : vmp__gga_pool_from(ws, rs + 1e-12);
       j < ws->npool; j++) {
    uint32_t i = ws->pool[j];
    double s = ws->psize[j];
    const double *d = m->idem + (size_t)i * nr;
    if (sum + s * (BC_EXTRA - depth) < b->need_size - 1e-12) break;
    if (++b->visits > BC_VISITS) return;
    if (have_prev && g->ekey[i] == prev) continue;
    if (!vmp__model_allowed(m, i, h) || !vmp__gga_fits_vec(d, room, nr)) continue;
    have_prev = 1;
    prev = g->ekey[i];
    chosen[depth] = i;
    for (uint32_t r = 0; r < nr; r++) {
      room[r] -= d[r];
      got[r] += d[r];
    }
    bc_enum(b, h, j + 1, chosen, depth + 1, sum + s, room, got);
    for (uint32_t r = 0; r < nr; r++) {
      room[r] += d[r];
      got[r] -= d[r];
    }
  }
}

/* 1 when item k comes after item i in pool order (size, then index):
 * each unordered set is then found once. */
static inline int after(const vmp__gga *g, uint32_t k, uint32_t i) {
  return g->size[k] < g->size[i] || (g->size[k] == g->size[i] && k > i);
}

static inline int same_vec(const double *a, const double *b, uint32_t n) {
  for (uint32_t r = 0; r < n; r++)
    if (a[r] != b[r]) return 0;
  return 1;
}

/* Pool items (unplaced, after `last` in pool order, not excluded) whose
 * demand is exactly t and that host h allows; keeps each with `chosen`. */
static void bc_lookup(bc *b, uint32_t h, const double *t, uint32_t *chosen,
                      uint32_t depth, double sum) {
  const vmp__gga *g = b->g;
  const vmp__model *m = g->m;
  uint64_t seen = 0;
  int any = 0;
  for (int32_t k = vmp__gga_demand_chain(g, t); k >= 0; k = g->dnext[k]) {
    if (b->ws->st.host[k] >= 0 || (depth && !after(g, (uint32_t)k, chosen[depth - 1])) ||
        !same_vec(m->idem + (size_t)k * m->nres, t, m->nres) ||
        !vmp__model_allowed(m, (size_t)k, h))
      continue;
    if (any && g->ekey[k] == seen) continue;
    any = 1;
    seen = g->ekey[k];
    chosen[depth] = (uint32_t)k;
    bc_keep(b, chosen, depth + 1, sum + g->size[k]);
  }
}

/* 1 when pool position j holds an item that fits within t, that host h
 * allows, and that differs from the item before it (equal items are
 * tried once). */
static int bc_first(bc *b, uint32_t h, const double *t, size_t j, size_t from) {
  const vmp__gga *g = b->g;
  const vmp__model *m = g->m;
  uint32_t i = b->ws->pool[j], r;
  const double *d = m->idem + (size_t)i * m->nres;
  if (j > from && g->ekey[i] == g->ekey[b->ws->pool[j - 1]]) return 0;
  for (r = 0; r < m->nres && d[r] <= t[r]; r++) {}
  return r == m->nres && vmp__model_allowed(m, i, h);
}

/* A host that must end exactly full (no slack left in any resource): the
 * completions are the pool sets of up to BC_EXTRA items whose demand is
 * exactly the room, found by looking the last item up by its demand:
 * singles and pairs in O(pool); sets of three, only when there is no
 * smaller one, within the visit budget. */
static void bc_exact(bc *b, uint32_t h, const double *target) {
  const vmp__gga *g = b->g;
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  vmp__gga_ws *ws = b->ws;
  uint32_t chosen[BC_EXTRA];
  double t2[VMP__MAX_RESOURCES], t3[VMP__MAX_RESOURCES];
  bc_lookup(b, h, target, chosen, 0, 0.0);
  for (int three = 0; three < (BC_EXTRA >= 3 ? 2 : 1); three++) {
    if (three && b->nbest) return;
    for (size_t j = 0; j < ws->npool && b->visits <= BC_VISITS; j++) {
      uint32_t i = ws->pool[j];
      const double *d = m->idem + (size_t)i * nr;
      if (!bc_first(b, h, target, j, 0)) continue;
      chosen[0] = i;
      for (uint32_t r = 0; r < nr; r++) t2[r] = target[r] - d[r];
      if (!three) {
        bc_lookup(b, h, t2, chosen, 1, g->size[i]);
        continue;
      }
      for (size_t q = j + 1; q < ws->npool && b->visits <= BC_VISITS; q++) {
        uint32_t i2 = ws->pool[q];
        const double *d2 = m->idem + (size_t)i2 * nr;
        b->visits++;
        if (!bc_first(b, h, t2, q, j + 1)) continue;
        chosen[1] = i2;
        for (uint32_t r = 0; r < nr; r++) t3[r] = t2[r] - d2[r];
        bc_lookup(b, h, t3, chosen, 2, g->size[i] + g->size[i2]);
      }
    }
  }
}

/* Exact completions (one more item, or two) of item x on the empty host
 * e, counted up to `stop`. */
static uint32_t bc_count(bc *b, uint32_t e, uint32_t x, uint32_t stop) {
  const vmp__gga *g = b->g;
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  vmp__gga_ws *ws = b->ws;
  const double *dx = m->idem + (size_t)x * nr, *c = m->cap + (size_t)e * nr;
  double t[VMP__MAX_RESOURCES], t2[VMP__MAX_RESOURCES];
  uint32_t n = 0, r;
  for (r = 0; r < nr; r++) t[r] = c[r] - dx[r];
  for (int32_t k = vmp__gga_demand_chain(g, t); k >= 0; k = g->dnext[k])
    if ((uint32_t)k != x && ws->st.host[k] < 0 && same_vec(m->idem + (size_t)k * nr, t, nr) &&
        vmp__model_allowed(m, (size_t)k, e) && ++n >= stop)
      return n;
  for (size_t j = 0; j < ws->npool; j++) {
    uint32_t a = ws->pool[j];
    const double *da = m->idem + (size_t)a * nr;
    if (a == x) continue;
    for (r = 0; r < nr && da[r] <= t[r]; r++) t2[r] = t[r] - da[r];
    if (r < nr || !vmp__model_allowed(m, a, e)) continue;
    for (int32_t k = vmp__gga_demand_chain(g, t2); k >= 0; k = g->dnext[k])
      if ((uint32_t)k != x && (uint32_t)k != a && after(g, (uint32_t)k, a) &&
          ws->st.host[k] < 0 && same_vec(m->idem + (size_t)k * nr, t2, nr) &&
          vmp__model_allowed(m, (size_t)k, e) && ++n >= stop)
        return n;
  }
  return n;
}

/* With no slack left, the next host opens with the item that has the
 * fewest exact completions (most constrained first: forced choices are
 * made at once, and dead ends show up early).  Returns -1 when some item
 * can be completed by neither one nor two others nor, by size, three. */
static int64_t bc_most_constrained(bc *b, uint32_t e) {
  const vmp__gga *g = b->g;
  vmp__gga_ws *ws = b->ws;
  double smallest = ws->psize[ws->npool - 1], capm = g->capm[e];
  uint32_t best_n = UINT32_MAX;
  int64_t best = ws->pool[0];
  size_t look = ws->npool <= VMP__GGA_BC_MRV_POOL ? ws->npool : BC_MRV_SAMPLE;
  for (size_t q = 0; q < look && best_n > 1; q++) {
    /* large pools: the largest items and a random sample of the rest */
    size_t j = ws->npool <= VMP__GGA_BC_MRV_POOL || q < BC_MRV_SAMPLE / 2
                   ? q
                   : (size_t)vmp__rng_below(b->rng, ws->npool);
    uint32_t x = ws->pool[j], n;
    if (j > 0 && g->ekey[x] == g->ekey[ws->pool[j - 1]]) continue;
    n = bc_count(b, e, x, best_n);
    if (n == 0) {
      if (ws->psize[j] + 3.0 * smallest > capm * (1.0 + 1e-9)) return -1;
      continue; /* may need three more items: not counted */
    }
    if (n < best_n) {
      best_n = n;
      best = x;
    }
  }
  return best;
}

static void bc_take(bc *b, uint32_t i, uint32_t h) {
  const double *d = b->g->m->idem + (size_t)i * b->g->m->nres;
  vmp__gga_pool_remove(b->ws, (size_t)vmp__gga_pool_find(b->g, b->ws, i));
  for (uint32_t r = 0; r < b->g->m->nres; r++) b->pvol[r] -= d[r];
  vmp__gga_ws_place(b->g, b->ws, i, h);
}

static void bc_give(bc *b, uint32_t i) {
  const double *d = b->g->m->idem + (size_t)i * b->g->m->nres;
  vmp__gga_ws_unplace(b->g, b->ws, i);
  for (uint32_t r = 0; r < b->g->m->nres; r++) b->pvol[r] += d[r];
  vmp__gga_pool_add(b->g, b->ws, i);
}

/* Packs the whole pool into at most `bins` empty hosts of the class:
 * each level opens a host with the largest item left and tries its
 * fullest completions.  Returns 1 on success (placed), 0 otherwise (the
 * child is as before). */
static int bc_dfs(bc *b, uint32_t bins) {
  const vmp__gga *g = b->g;
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  vmp__gga_ws *ws = b->ws;
  bc_set set[BC_CHOICES];
  uint32_t chosen[BC_EXTRA], nset, r;
  int64_t i;
  int exact = 1;
  double room[VMP__MAX_RESOURCES], got[VMP__MAX_RESOURCES];
  int32_t e;
  if (!ws->npool) return 1;
  if (!bins || b->aborted) return 0;
  if (++b->nodes > b->limit || ((b->nodes & 255) == 0 && g->stop && g->stop(g->stop_arg))) {
    b->aborted = 1;
    return 0;
  }
  if ((e = vmp__gga_empty_in_class(g, ws, b->cls)) < 0) return 0;
  for (r = 0; r < nr; r++) {
    double c = m->cap[(size_t)e * nr + r] * bins;
    if (b->pvol[r] > bins * b->cap[r] * (1 + VMP__REL_EPS) + VMP__ABS_EPS) return 0;
    /* no slack left in this resource: every host must end exactly full */
    if (c - b->pvol[r] > 1e-9 * (1.0 + c)) exact = 0;
  }
  i = exact ? bc_most_constrained(b, (uint32_t)e) : ws->pool[0];
  if (i < 0 || !vmp__state_fits(&ws->st, (size_t)i, (size_t)e)) return 0;
  bc_take(b, (uint32_t)i, (uint32_t)e);
  b->need_size = 0.0;
  for (r = 0; r < nr; r++) {
    const double *l = ws->st.load + (size_t)e * nr;
    room[r] = b->cap[r] - l[r];
    got[r] = 0.0;
    b->need[r] = b->pvol[r] - (bins - 1) * b->cap[r];
    if (b->need[r] > 0.0) b->need_size += b->need[r] * g->avginv[r];
  }
  b->best = set;
  b->nbest = 0;
  b->visits = 0;
  for (r = 0; r < nr && b->need[r] <= 1e-9 * (1.0 + b->cap[r]); r++) {}
  if (r == nr) bc_keep(b, chosen, 0, 0.0);
  if (exact) {
    double target[VMP__MAX_RESOURCES];
    const double *c = m->cap + (size_t)e * nr, *l = ws->st.load + (size_t)e * nr;
    for (r = 0; r < nr; r++) target[r] = c[r] - l[r];
    bc_exact(b, (uint32_t)e, target);
  }
  if (!b->nbest) bc_enum(b, (uint32_t)e, 0, chosen, 0, 0.0, room, got);
  nset = b->nbest;
  /* Equally full completions in random order: each search is a
   * different restart. */
  for (uint32_t k = 0; k < nset;) {
    uint32_t z = k + 1;
    while (z < nset && set[z].size >= set[k].size - 1e-12) z++;
    for (uint32_t q = k; q + 1 < z; q++) {
      uint32_t w = q + (uint32_t)vmp__rng_below(b->rng, z - q);
      bc_set t = set[q];
      set[q] = set[w];
      set[w] = t;
    }
    k = z;
  }
  for (uint32_t k = 0; k < nset && !b->aborted; k++) {
    uint32_t q;
    for (q = 0; q < set[k].n; q++) {
      if (!vmp__state_fits(&ws->st, set[k].it[q], (size_t)e)) break;
      bc_take(b, set[k].it[q], (uint32_t)e);
    }
    if (q == set[k].n && bc_dfs(b, bins - 1)) return 1;
    while (q-- > 0) bc_give(b, set[k].it[q]);
  }
  bc_give(b, (uint32_t)i);
  return 0;
}

/* ---- exact cover (identical hosts, no slack) ------------------------------------- */

/*
 * When the pool's volume fills its hosts exactly in every resource, every
 * host must end exactly full: packing is an exact cover of the pool by
 * "full host" sets.  The sets of up to three items are listed once
 * (looking the last item up by its exact demand), then Knuth's Algorithm X
 * picks, at each level, the item in the fewest remaining sets, and tries
 * its sets in random order; counts are kept up to date as sets die, so a
 * level costs what it touches.  Node-limited; on success the sets become
 * hosts (hard groups are checked then).
 */
typedef struct xc {
  uint32_t (*set)[3];  /* pool positions; UINT32_MAX pads */
  size_t nset, cap;
  uint32_t *start, *of;  /* sets of each position (CSR) */
  uint32_t *cnt;       /* live sets per position */
  uint8_t *alive, *covered;
  uint32_t *trail;     /* killed sets, undone on backtrack */
  size_t ntrail;
  uint32_t *cand;      /* candidate sets per level (a stack) */
  size_t ncand;
  uint32_t *chosen;
  size_t nchosen;
  uint64_t nodes, limit;
  int aborted;
} xc;

static void xc_free(xc *x) {
  VMP__FREE_ALL(x->set, x->start, x->of, x->cnt, x->alive, x->covered, x->trail, x->cand,
                x->chosen);
}

#define XC_MAX_SETS 400000 /* more sets than this: give up (memory) */
#define XC_EFFORT 12       /* a node costs what it touches: this many times
                              the bin completion node budget */

static int xc_add(xc *x, uint32_t a, uint32_t b, uint32_t c) {
  if (x->nset == x->cap) {
    size_t nc = x->cap ? 2 * x->cap : 1024;
    void *p;
    if (nc > XC_MAX_SETS) return -1;
    if (!(p = realloc(x->set, nc * sizeof *x->set))) return -1;
    x->set = p;
    x->cap = nc;
  }
  x->set[x->nset][0] = a;
  x->set[x->nset][1] = b;
  x->set[x->nset][2] = c;
  x->nset++;
  return 0;
}

/* Positions after position a in the pool whose demand is exactly t and
 * that host e allows; adds the set {a, b, pos} or {a, pos}. */
static int xc_lookup(xc *x, const vmp__gga *g, const vmp__gga_ws *ws, const uint32_t *pos,
                     uint32_t e, const double *t, uint32_t a, uint32_t b) {
  const vmp__model *m = g->m;
  uint32_t last = b != UINT32_MAX ? b : a;
  for (int32_t k = vmp__gga_demand_chain(g, t); k >= 0; k = g->dnext[k]) {
    uint32_t q = pos[k];
    if (q == UINT32_MAX || q <= last || ws->pool[q] != (uint32_t)k ||
        !same_vec(m->idem + (size_t)k * m->nres, t, m->nres) ||
        !vmp__model_allowed(m, (size_t)k, e))
      continue;
    if (xc_add(x, a, b != UINT32_MAX ? b : q, b != UINT32_MAX ? q : UINT32_MAX)) return -1;
  }
  return 0;
}

/* Lists every set of one to three pool items that fills host e exactly. */
static int xc_build(xc *x, const vmp__gga *g, const vmp__gga_ws *ws, const uint32_t *pos,
                    uint32_t e) {
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  const double *c = m->cap + (size_t)e * nr;
  size_t n = ws->npool;
  double t[VMP__MAX_RESOURCES], t2[VMP__MAX_RESOURCES];
  for (uint32_t a = 0; a < n; a++) {
    const double *da = m->idem + (size_t)ws->pool[a] * nr;
    uint32_t r;
    if (!vmp__model_allowed(m, ws->pool[a], e)) continue;
    for (r = 0; r < nr && da[r] <= c[r]; r++) t[r] = c[r] - da[r];
    if (r < nr) continue;
    for (r = 0; r < nr && t[r] == 0.0; r++) {}
    if (r == nr && xc_add(x, a, UINT32_MAX, UINT32_MAX)) return -1;
    if (xc_lookup(x, g, ws, pos, e, t, a, UINT32_MAX)) return -1;
    for (uint32_t b = a + 1; b < n; b++) {
      const double *db = m->idem + (size_t)ws->pool[b] * nr;
      for (r = 0; r < nr && db[r] <= t[r]; r++) t2[r] = t[r] - db[r];
      if (r < nr || !vmp__model_allowed(m, ws->pool[b], e)) continue;
      if (xc_lookup(x, g, ws, pos, e, t2, a, b)) return -1;
    }
  }
  return 0;
}

static int xc_index(xc *x, size_t n) {
  x->start = calloc(n + 2, sizeof *x->start);
  x->of = malloc((3 * x->nset + 1) * sizeof *x->of);
  x->cnt = calloc(n + 1, sizeof *x->cnt);
  x->alive = malloc(x->nset + 1);
  x->covered = calloc(n + 1, 1);
  x->trail = malloc((x->nset + 1) * sizeof *x->trail);
  x->cand = malloc((x->nset + 1) * sizeof *x->cand);
  x->chosen = malloc((n + 1) * sizeof *x->chosen);
  if (!x->start || !x->of || !x->cnt || !x->alive || !x->covered || !x->trail || !x->cand ||
      !x->chosen)
    return -1;
  memset(x->alive, 1, x->nset);
  for (size_t s = 0; s < x->nset; s++)
    for (int k = 0; k < 3 && x->set[s][k] != UINT32_MAX; k++) x->start[x->set[s][k] + 2]++;
  for (size_t p = 0; p < n; p++) x->start[p + 2] += x->start[p + 1];
  for (size_t s = 0; s < x->nset; s++)
    for (int k = 0; k < 3 && x->set[s][k] != UINT32_MAX; k++)
      x->of[x->start[x->set[s][k] + 1]++] = (uint32_t)s;
  for (size_t p = 0; p < n; p++) x->cnt[p] = x->start[p + 1] - x->start[p];
  return 0;
}

/* Takes set s: its positions are covered and every other set touching
 * them dies. */
static void xc_select(xc *x, uint32_t s) {
  for (int k = 0; k < 3 && x->set[s][k] != UINT32_MAX; k++) {
    uint32_t p = x->set[s][k];
    x->covered[p] = 1;
    for (uint32_t j = x->start[p]; j < x->start[p + 1]; j++) {
      uint32_t d = x->of[j];
      if (!x->alive[d]) continue;
      x->alive[d] = 0;
      x->trail[x->ntrail++] = d;
      for (int q = 0; q < 3 && x->set[d][q] != UINT32_MAX; q++) x->cnt[x->set[d][q]]--;
    }
  }
}

static void xc_undo(xc *x, uint32_t s, size_t mark) {
  while (x->ntrail > mark) {
    uint32_t d = x->trail[--x->ntrail];
    x->alive[d] = 1;
    for (int q = 0; q < 3 && x->set[d][q] != UINT32_MAX; q++) x->cnt[x->set[d][q]]++;
  }
  for (int k = 0; k < 3 && x->set[s][k] != UINT32_MAX; k++) x->covered[x->set[s][k]] = 0;
}

static int xc_search(xc *x, size_t n, size_t left, const vmp__gga *g, vmp__rng *rng) {
  uint32_t best = UINT32_MAX, bn = UINT32_MAX;
  size_t base = x->ncand, nc;
  if (!left) return 1;
  if (++x->nodes > x->limit || ((x->nodes & 255) == 0 && g->stop && g->stop(g->stop_arg))) {
    x->aborted = 1;
    return 0;
  }
  for (uint32_t p = 0; p < n && bn > 1; p++)
    if (!x->covered[p] && x->cnt[p] < bn) {
      bn = x->cnt[p];
      best = p;
    }
  if (!bn) return 0;
  for (uint32_t j = x->start[best]; j < x->start[best + 1]; j++)
    if (x->alive[x->of[j]]) x->cand[x->ncand++] = x->of[j];
  nc = x->ncand - base;
  for (size_t k = 0; k + 1 < nc; k++) {
    size_t r = k + (size_t)vmp__rng_below(rng, nc - k);
    uint32_t t = x->cand[base + k];
    x->cand[base + k] = x->cand[base + r];
    x->cand[base + r] = t;
  }
  for (size_t k = 0; k < nc && !x->aborted; k++) {
    uint32_t s = x->cand[base + k];
    size_t mark = x->ntrail, took = 0;
    for (int q = 0; q < 3 && x->set[s][q] != UINT32_MAX; q++) took++;
    xc_select(x, s);
    x->chosen[x->nchosen++] = s;
    if (xc_search(x, n, left - took, g, rng)) return 1;
    x->nchosen--;
    xc_undo(x, s, mark);
  }
  x->ncand = base;
  return 0;
}

/* Exact cover of the pool by full hosts of class cls.  Returns 1 when the
 * pool is placed, 0 when not (the child is unchanged), -1 on no memory. */
static int exact_cover(const vmp__gga *g, vmp__gga_ws *ws, uint32_t cls, vmp__rng *rng) {
  const vmp__model *m = g->m;
  size_t n = ws->npool, placed = 0;
  uint32_t *pos = malloc((m->nitems + 1) * sizeof *pos), e;
  xc x;
  int ok = 0;
  int32_t h0 = vmp__gga_empty_in_class(g, ws, cls);
  memset(&x, 0, sizeof x);
  if (!pos) return -1;
  if (h0 < 0) {
    free(pos);
    return 0;
  }
  e = (uint32_t)h0;
  for (size_t i = 0; i < m->nitems; i++) pos[i] = UINT32_MAX;
  for (size_t j = 0; j < n; j++) pos[ws->pool[j]] = (uint32_t)j;
  if (xc_build(&x, g, ws, pos, e) || xc_index(&x, n)) {
    ok = x.nset >= XC_MAX_SETS / 2 ? 0 : -1; /* too many sets: just not this way */
    goto out;
  }
  x.limit = (uint64_t)(XC_EFFORT * g->bc_effort * (double)n) + 64;
  if (!xc_search(&x, n, n, g, rng)) goto out;
  /* the sets become hosts; a hard group may still say no */
  for (size_t k = 0; k < x.nchosen; k++) {
    int32_t h = vmp__gga_empty_in_class(g, ws, cls);
    for (int q = 0; q < 3 && x.set[x.chosen[k]][q] != UINT32_MAX; q++) {
      uint32_t i = ws->pool[x.set[x.chosen[k]][q]];
      if (h < 0 || !vmp__state_fits(&ws->st, i, (size_t)h)) goto undo;
      vmp__gga_ws_place(g, ws, i, (uint32_t)h);
      pos[placed++] = i;
    }
  }
  ws->npool = 0;
  ok = 1;
  goto out;
undo:
  while (placed > 0) vmp__gga_ws_unplace(g, ws, pos[--placed]);
out:
  xc_free(&x);
  free(pos);
  return ok;
}

/* Tries to pack the (size-sorted) pool into as few hosts of the one class
 * as its volume allows.  Returns 1 when it did. */
int vmp__gga_bin_completion(const vmp__gga *g, vmp__gga_ws *ws, vmp__rng *rng) {
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  uint32_t cls = g->open_order[0], rep = m->hclass_hosts[m->hclass_start[cls]];
  double bins = 0.0;
  bc b;
  memset(&b, 0, sizeof b);
  b.g = g;
  b.ws = ws;
  b.cls = cls;
  b.rng = rng;
  b.cap = m->capx + (size_t)rep * nr;
  for (size_t j = 0; j < ws->npool; j++)
    for (uint32_t r = 0; r < nr; r++) b.pvol[r] += m->idem[(size_t)ws->pool[j] * nr + r];
  for (uint32_t r = 0; r < nr; r++) {
    double k;
    if (b.pvol[r] <= 0.0) continue;
    if (b.cap[r] <= 0.0) return 0;
    k = ceil(b.pvol[r] / b.cap[r] - 1e-9);
    if (k > bins) bins = k;
  }
  if (bins < 1.0) bins = 1.0;
  {
    /* no slack in any resource: an exact cover (sets of up to three) */
    const double *c = m->cap + (size_t)rep * nr;
    uint32_t r;
    for (r = 0; r < nr && bins * c[r] - b.pvol[r] <= 1e-9 * (1.0 + bins * c[r]); r++) {}
    if (r == nr) return exact_cover(g, ws, cls, rng) == 1;
  }
  b.limit = (uint64_t)(g->bc_effort * (double)ws->npool) + 16;
  return bins <= (double)UINT32_MAX && bc_dfs(&b, (uint32_t)bins);
}

/* Item by item: the used host the item fills best, else (when empty
 * hosts may open here) the empty host best_empty picks.  The items that
 * found no host are compacted to the front of items; returns their
 * number. */
