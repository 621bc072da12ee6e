/*
 * The genetic scheduler's building blocks (internal): a grouping genetic
 * algorithm in the spirit of Falkenauer's hybrid GGA, where a chromosome is
 * the set of used hosts with their items (the genes are hosts, not item
 * positions), and every operator works on a vmp__state, so that hard
 * constraints hold by construction (every placement passes
 * vmp__state_fits).
 *
 * Operators (solvers/genetic_ops.c):
 *  - construction: insert every item into an empty placement (the warm
 *    start, the current placement and the first-fit-decreasing order seed
 *    the population; the rest use randomly perturbed orders);
 *  - crossover: the hosts of both parents, best filled first, are injected
 *    into an empty child as long as they share no item with a host already
 *    injected; the items of the hosts that were left out are displaced;
 *  - mutation: dissolves a few hosts, mostly the worst filled ones;
 *  - local search (dominance, after Martello and Toth): on each used host,
 *    replace up to two items by up to two displaced items that are larger
 *    together, pushing the small ones back to the pool, where they fill
 *    gaps more easily; with host costs, also move a whole host's items to
 *    an empty host that costs less;
 *  - reinsertion (the one seam with the greedy rules): constrained items
 *    first, then best fit decreasing into the used hosts; the rest open
 *    hosts, by cost efficiency, each filled from the pool (minimum bin
 *    slack); on identical hosts a node-limited bin completion search (Korf)
 *    first tries to pack them into as few hosts as their volume allows, as
 *    an exact cover (Algorithm X) when no slack is left.
 *
 * The solver (solvers/genetic.c) runs islands of individuals on threads.
 */
#ifndef VMP_GENETIC_H
#define VMP_GENETIC_H

#include <string.h>

#include "internal.h"
#include "state.h"

/* What the operators read, shared by every island (read-only once built). */
typedef struct vmp__gga {
  const vmp__model *m;
  double w[VMP__MAX_RESOURCES];  /* resource weights (sum 1): the scarcer a
                                    resource, the more its fill counts */
  double *size;        /* [nitems] sum_r w_r dem_ir / avgcap_r */
  double *hw;          /* [nhosts*nres] w_r / cap_hr (0 where cap_hr = 0):
                          fill of host h = sum_r load_hr * hw_hr */
  double *capm;        /* [nhosts] sum_r w_r cap_hr / avgcap_r */
  double *avginv;      /* [nres] w_r / avgcap_r */
  uint32_t *order;     /* placeable items, first-fit-decreasing order */
  size_t nplaceable;
  uint32_t *open_order;  /* host classes with a usable host, cheapest
                            capacity first (cost / capm) */
  uint32_t nopen;
  int one_class;       /* every usable host is in one class (open_order[0]):
                          displaced items may be repacked by bin completion */
  uint64_t *ekey;      /* [nitems] equal for items no host can tell apart
                          (demand, allowed class, groups) */
  int32_t *dhead;      /* [dmask+1] items by exact demand vector (hash */
  uint64_t *dkey;      /* table; chains through dnext), to find the */
  int32_t *dnext;      /* items that fill a host exactly */
  size_t dmask;
  int item_terms;      /* soft rules or migrations: where an item goes
                          changes the objective beyond host cost */
  int cost_aware;      /* hosts differ in cost and host cost counts: a
                          host's quality is the size it holds per cost */
  int spread;          /* balance counts and host cost does not:
                          reinsertion spreads instead of packing */
  double fill_exp;     /* k in the fitness term sum fill^k */
  double tol;          /* objectives closer than this are equal */
  uint64_t ls_budget;  /* candidate checks per local search */
  double bc_effort;    /* bin completion nodes per displaced item */
  int (*stop)(void *); /* polled by long searches: nonzero = give up */
  void *stop_arg;
} vmp__gga;

/* Tunables the solver passes to vmp__gga_init. */
typedef struct vmp__gga_opts {
  double fill_exp;
  double ls_effort;    /* local search budget, in checks per item */
  double bc_effort;    /* bin completion budget, in nodes per item */
} vmp__gga_opts;

/* An individual: a placement and its fitness. */
typedef struct vmp__gga_ind {
  vmp__state st;
  double obj;          /* model objective (solvers/objective.c) */
  double fill;         /* mean of fill^k over used hosts (cost-weighted
                          when hosts differ in cost): breaks ties */
  uint64_t hash;       /* of the grouping: which items share a host, and
                          the host's class (clone detection) */
} vmp__gga_ind;

/* A child under construction (one per island): the placement, the items
 * of each host as linked lists, the used hosts, the displaced items. */
typedef struct vmp__gga_ws {
  vmp__state st;
  int32_t *head;       /* [nhosts] first item on host, -1 none */
  int32_t *next, *prev;  /* [nitems] */
  uint32_t *used;      /* [nhosts] used hosts (dense, unordered) */
  uint32_t *upos;      /* [nhosts] position of h in used */
  size_t nused;
  uint32_t *cused;     /* [nhclasses] used hosts per host class */
  uint32_t *pool;      /* [nitems] displaced items */
  size_t npool;
  /* scratch */
  uint32_t *tmp;       /* [nitems] */
  void *ikeys;         /* [nitems] item sort keys */
  void *hkeys;         /* [2*nhosts] host sort keys */
  double *psize;       /* [nitems] sizes of pool items (local search) */
  uint64_t *gsum;      /* [nhosts] per-host item hash sums */
  uint32_t *cstart[2]; /* [nhosts+1] parents' items by host */
  uint32_t *citems[2]; /* [nitems] */
  uint64_t checks;     /* local search work counter */
} vmp__gga_ws;

/* Builds g for model m (which must outlive it); g->stop and g->tol may be
 * set afterwards.  0 or VMP_ENOMEM (g is then empty).  _free releases
 * everything and accepts an empty g. */
int vmp__gga_init(vmp__gga *g, const vmp__model *m, const vmp__gga_opts *o);
void vmp__gga_free(vmp__gga *g);

/* A workspace for children of g, O(items + hosts).  0 or VMP_ENOMEM (ws
 * is then empty); _free accepts an empty ws. */
int vmp__gga_ws_init(vmp__gga_ws *ws, const vmp__gga *g);
void vmp__gga_ws_free(vmp__gga_ws *ws);
/* An individual of g (everything unplaced, objective HUGE_VAL).  0 or
 * VMP_ENOMEM; _free accepts a zeroed x. */
int vmp__gga_ind_init(vmp__gga_ind *x, const vmp__gga *g);
void vmp__gga_ind_free(vmp__gga_ind *x);
/* dst becomes a copy of src. */
void vmp__gga_ind_copy(vmp__gga_ind *dst, const vmp__gga_ind *src);

/* Starts a child from `start` ([nitems] host or -1; items that do not fit
 * are displaced), or from nothing when start is NULL: every placeable item
 * not placed is in the pool. */
void vmp__gga_ws_start(const vmp__gga *g, vmp__gga_ws *ws, const int32_t *start);
/* Starts a child as a copy of placement st (the pool holds its unplaced
 * items). */
void vmp__gga_ws_adopt(const vmp__gga *g, vmp__gga_ws *ws, const vmp__state *st);
/* Starts a child as a copy of x (the pool holds x's unplaced items). */
void vmp__gga_ws_load(const vmp__gga *g, vmp__gga_ws *ws, const vmp__gga_ind *x);

/* Crossover: the child (ws) gets hosts of a and b as described above; the
 * items of hosts left out are in the pool. */
void vmp__gga_crossover(const vmp__gga *g, vmp__gga_ws *ws,
                        const vmp__gga_ind *a, const vmp__gga_ind *b,
                        vmp__rng *rng);
/* Mutation: dissolves about share x used hosts (at least one), half of
 * them the worst filled, into the pool. */
void vmp__gga_mutate(const vmp__gga *g, vmp__gga_ws *ws, double share,
                     vmp__rng *rng);
/* Dominance local search between the used hosts and the pool. */
void vmp__gga_local_search(const vmp__gga *g, vmp__gga_ws *ws, vmp__rng *rng);
/* Relocation: moves the items of a used host to an empty host that costs
 * less, where they all fit.  Only when g->cost_aware. */
void vmp__gga_relocate(const vmp__gga *g, vmp__gga_ws *ws);
/* The seam with the greedy rules: inserts the pool into the child (see
 * genetic_ops.c).  noise > 0 perturbs the item order (sizes times a random
 * factor in [1 - noise, 1 + noise]).  Items that fit nowhere stay in the
 * pool.  Returns the number left. */
size_t vmp__gga_reinsert(const vmp__gga *g, vmp__gga_ws *ws, double noise,
                         vmp__rng *rng);
/* Evaluates the child and stores it into x. */
void vmp__gga_finish(const vmp__gga *g, vmp__gga_ws *ws, vmp__gga_ind *x);
/* Tries to pack the (size-sorted) pool into as few hosts of the cheapest
 * class as its volume allows (genetic_bins.c: bin completion, or an exact
 * cover when no resource has slack).  Returns 1 when it did. */
int vmp__gga_bin_completion(const vmp__gga *g, vmp__gga_ws *ws, vmp__rng *rng);
/* Bin completion opens with the most constrained item on pools up to this
 * size; reinsertion with noise leaves larger pools to the filling. */
#define VMP__GGA_BC_MRV_POOL 256

/* ---- helpers the operators share (genetic_ops.c, genetic_bins.c) ------------ */

static inline uint64_t vmp__gga_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Hash of a demand vector by its exact bits (hot in bin completion). */
static inline uint64_t vmp__gga_demand_hash(const double *d, uint32_t nres) {
  uint64_t h = 0x5eed;
  for (uint32_t r = 0; r < nres; r++) {
    double v = d[r] + 0.0; /* -0 is 0 */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    h = vmp__gga_mix64(h ^ u);
  }
  return h;
}

/* The first item whose demand may be exactly v (callers compare). */
static inline int32_t vmp__gga_demand_chain(const vmp__gga *g, const double *v) {
  uint64_t key = vmp__gga_demand_hash(v, g->m->nres);
  size_t k = key & g->dmask;
  while (g->dhead[k] >= 0 && g->dkey[k] != key) k = (k + 1) & g->dmask;
  return g->dhead[k];
}

/* An empty host of class c, or -1. */
static inline int32_t vmp__gga_empty_in_class(const vmp__gga *g, const vmp__gga_ws *ws, uint32_t c) {
  const vmp__model *m = g->m;
  if (ws->cused[c] >= m->hclass_start[c + 1] - m->hclass_start[c]) return -1;
  for (uint32_t k = m->hclass_start[c]; k < m->hclass_start[c + 1]; k++) {
    uint32_t h = m->hclass_hosts[k];
    if (ws->st.count[h] == 0) return (int32_t)h;
  }
  return -1;
}

/* First position whose size is <= s (sizes are decreasing). */
static inline size_t vmp__gga_pool_from(const vmp__gga_ws *ws, double s) {
  size_t lo = 0, hi = ws->npool;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ws->psize[mid] > s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static inline void vmp__gga_pool_remove(vmp__gga_ws *ws, size_t x) {
  memmove(ws->pool + x, ws->pool + x + 1, (ws->npool - x - 1) * sizeof *ws->pool);
  memmove(ws->psize + x, ws->psize + x + 1, (ws->npool - x - 1) * sizeof *ws->psize);
  ws->npool--;
}

static inline void vmp__gga_pool_add(const vmp__gga *g, vmp__gga_ws *ws, uint32_t i) {
  double s = g->size[i];
  size_t x = vmp__gga_pool_from(ws, s);
  memmove(ws->pool + x + 1, ws->pool + x, (ws->npool - x) * sizeof *ws->pool);
  memmove(ws->psize + x + 1, ws->psize + x, (ws->npool - x) * sizeof *ws->psize);
  ws->pool[x] = i;
  ws->psize[x] = s;
  ws->npool++;
}

/* Position of item i in the pool, or -1. */
static inline long vmp__gga_pool_find(const vmp__gga *g, const vmp__gga_ws *ws, uint32_t i) {
  for (size_t x = vmp__gga_pool_from(ws, g->size[i]); x < ws->npool && ws->psize[x] >= g->size[i]; x++)
    if (ws->pool[x] == i) return (long)x;
  return -1;
}

static inline int vmp__gga_fits_vec(const double *d, const double *c, uint32_t nres) {
  for (uint32_t r = 0; r < nres; r++)
    if (d[r] > c[r]) return 0;
  return 1;
}

/* ---- the child: placement plus item lists ------------------------------------ */

static inline void vmp__gga_ws_place(const vmp__gga *g, vmp__gga_ws *ws, uint32_t i, uint32_t h) {
  int32_t hd = ws->head[h];
  if (ws->st.count[h] == 0) {
    ws->upos[h] = (uint32_t)ws->nused;
    ws->used[ws->nused++] = h;
    ws->cused[g->m->hclass[h]]++;
  }
  vmp__state_place(&ws->st, i, h);
  ws->next[i] = hd;
  ws->prev[i] = -1;
  if (hd >= 0) ws->prev[hd] = (int32_t)i;
  ws->head[h] = (int32_t)i;
}

static inline void vmp__gga_ws_unplace(const vmp__gga *g, vmp__gga_ws *ws, uint32_t i) {
  int32_t h = ws->st.host[i], nx = ws->next[i], pv = ws->prev[i];
  if (h < 0) return;
  vmp__state_unplace(&ws->st, i);
  if (pv >= 0) ws->next[pv] = nx;
  else ws->head[h] = nx;
  if (nx >= 0) ws->prev[nx] = pv;
  if (ws->st.count[h] == 0) {
    uint32_t p = ws->upos[h], last = ws->used[--ws->nused];
    ws->used[p] = last;
    ws->upos[last] = p;
    ws->cused[g->m->hclass[h]]--;
  }
}


/* Fitness order: 1 when a is strictly better than b (lower objective;
 * equal objectives: higher fill). */
static inline int vmp__gga_better(const vmp__gga *g, const vmp__gga_ind *a,
                                  const vmp__gga_ind *b) {
  if (a->obj < b->obj - g->tol) return 1;
  if (a->obj > b->obj + g->tol) return 0;
  return a->fill > b->fill + 1e-12;
}

/* 1 when a and b group the items the same way (up to interchangeable
 * hosts): clones. */
static inline int vmp__gga_same(const vmp__gga *g, const vmp__gga_ind *a,
                                const vmp__gga_ind *b) {
  double d = a->obj - b->obj;
  return a->hash == b->hash && d <= g->tol && d >= -g->tol;
}

#endif /* VMP_GENETIC_H */
