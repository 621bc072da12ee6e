/*
 * The genetic scheduler's operators (genetic.h): construction, crossover,
 * mutation, dominance local search, relocation and reinsertion, over a
 * child kept as a vmp__state plus per-host item lists.  Reinsertion's
 * exact repacking onto identical hosts is genetic_bins.c.
 *
 * Sizes.  Every comparison of "how much" uses one scalar measure: item i
 * has size sum_r w_r dem_ir / avgcap_r, where avgcap_r is the average
 * capacity of the usable hosts and w_r (summing to 1) is resource r's
 * scarcity, total demand over total capacity, so that the resources that
 * bind count most.  A host's fill is sum_r w_r load_hr / cap_hr: on
 * identical hosts the two agree, and a fill of 1 means the host is full in
 * every resource that has demand.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "genetic.h"
#include "solvers.h"

/* ---- sorting keys -------------------------------------------------------- */

typedef struct ikey {
  double pen;        /* unplaced penalty: priority first */
  uint32_t allowed;  /* fewer allowed hosts first */
  double size;       /* larger first */
  uint32_t idx;
} ikey;

static int cmp_ikey(const void *a, const void *b) {
  const ikey *x = a, *y = b;
  if (x->pen != y->pen) return x->pen > y->pen ? -1 : 1;
  if (x->allowed != y->allowed) return x->allowed < y->allowed ? -1 : 1;
  if (x->size != y->size) return x->size > y->size ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* ---- setup ----------------------------------------------------------------- */

static void set_weights(vmp__gga *g) {
  const vmp__model *m = g->m;
  double vol[VMP__MAX_RESOURCES] = {0}, cap[VMP__MAX_RESOURCES] = {0}, sum = 0.0;
  size_t nu = 0;
  for (size_t h = 0; h < m->nhosts; h++) {
    if (!m->usable[h]) continue;
    nu++;
    for (uint32_t r = 0; r < m->nres; r++) cap[r] += m->cap[h * m->nres + r];
  }
  for (size_t i = 0; i < m->nitems; i++) {
    if (m->item_unplaceable[i]) continue;
    for (uint32_t r = 0; r < m->nres; r++) vol[r] += m->idem[i * m->nres + r];
  }
  for (uint32_t r = 0; r < m->nres; r++) {
    g->w[r] = cap[r] > 0.0 ? vol[r] / cap[r] : 0.0;
    sum += g->w[r];
  }
  for (uint32_t r = 0; r < m->nres; r++) {
    double avg = nu ? cap[r] / (double)nu : 0.0;
    g->w[r] = sum > 0.0 ? g->w[r] / sum : 1.0 / m->nres;
    g->avginv[r] = avg > 0.0 ? g->w[r] / avg : 0.0;
  }
}

static int set_order(vmp__gga *g) {
  const vmp__model *m = g->m;
  ikey *k = malloc((m->nitems + 1) * sizeof *k);
  size_t n = 0;
  if (!k) return vmp__enomem();
  for (size_t i = 0; i < m->nitems; i++) {
    if (m->item_unplaceable[i]) continue;
    k[n].pen = m->item_pen[i];
    k[n].allowed = m->aclasses[m->item_aclass[i]].allowed.count;
    k[n].size = g->size[i];
    k[n].idx = (uint32_t)i;
    n++;
  }
  qsort(k, n, sizeof *k, cmp_ikey);
  for (size_t j = 0; j < n; j++) g->order[j] = k[j].idx;
  g->nplaceable = n;
  free(k);
  return 0;
}

/* Host classes with usable hosts, cheapest capacity first. */
static int set_open_order(vmp__gga *g) {
  const vmp__model *m = g->m;
  vmp__keyed *k = malloc((m->nhclasses + 1) * sizeof *k);
  uint32_t n = 0;
  if (!k) return vmp__enomem();
  for (uint32_t c = 0; c < m->nhclasses; c++) {
    uint32_t h;
    if (m->hclass_start[c] == m->hclass_start[c + 1]) continue;
    h = m->hclass_hosts[m->hclass_start[c]];
    if (!m->usable[h]) continue;
    k[n].key = g->capm[h] > 0.0 ? m->cost[h] / g->capm[h] : HUGE_VAL;
    k[n].i = c;
    n++;
  }
  qsort(k, n, sizeof *k, vmp__keyed_asc);
  for (uint32_t j = 0; j < n; j++) g->open_order[j] = k[j].i;
  g->nopen = n;
  free(k);
  return 0;
}

/* Placeable items by exact demand vector, chains in first-fit-decreasing
 * order. */
static int set_demand_table(vmp__gga *g) {
  const vmp__model *m = g->m;
  size_t cap = 16;
  while (cap < 2 * g->nplaceable) cap <<= 1;
  g->dmask = cap - 1;
  g->dhead = malloc(cap * sizeof *g->dhead);
  g->dkey = malloc(cap * sizeof *g->dkey);
  g->dnext = malloc((m->nitems + 1) * sizeof *g->dnext);
  if (!g->dhead || !g->dkey || !g->dnext) return vmp__enomem();
  for (size_t k = 0; k < cap; k++) g->dhead[k] = -1;
  for (size_t j = g->nplaceable; j-- > 0;) {
    uint32_t i = g->order[j];
    uint64_t key = vmp__gga_demand_hash(m->idem + (size_t)i * m->nres, m->nres);
    size_t k = key & g->dmask;
    while (g->dhead[k] >= 0 && g->dkey[k] != key) k = (k + 1) & g->dmask;
    g->dnext[i] = g->dhead[k];
    g->dhead[k] = (int32_t)i;
    g->dkey[k] = key;
  }
  return 0;
}

int vmp__gga_init(vmp__gga *g, const vmp__model *m, const vmp__gga_opts *o) {
  size_t nh = m->nhosts, ni = m->nitems;
  uint32_t nr = m->nres;
  double c0 = -1.0;
  int rc;
  memset(g, 0, sizeof *g);
  g->m = m;
  g->size = malloc((ni + 1) * sizeof *g->size);
  g->hw = malloc((nh * nr + 1) * sizeof *g->hw);
  g->capm = malloc((nh + 1) * sizeof *g->capm);
  g->avginv = malloc((nr + 1) * sizeof *g->avginv);
  g->order = malloc((ni + 1) * sizeof *g->order);
  g->open_order = malloc((m->nhclasses + 1) * sizeof *g->open_order);
  g->ekey = malloc((ni + 1) * sizeof *g->ekey);
  if (!g->size || !g->hw || !g->capm || !g->avginv || !g->order ||
      !g->open_order || !g->ekey) {
    vmp__gga_free(g);
    return vmp__enomem();
  }
  set_weights(g);
  for (size_t i = 0; i < ni; i++) {
    double s = 0.0;
    for (uint32_t r = 0; r < nr; r++) s += m->idem[i * nr + r] * g->avginv[r];
    g->size[i] = s;
  }
  for (size_t h = 0; h < nh; h++) {
    double s = 0.0;
    for (uint32_t r = 0; r < nr; r++) {
      double c = m->cap[h * nr + r];
      g->hw[h * nr + r] = c > 0.0 ? g->w[r] / c : 0.0;
      s += c * g->avginv[r];
    }
    g->capm[h] = s;
    if (m->usable[h]) {
      if (c0 < 0.0) c0 = m->cost[h];
      else if (m->cost[h] != c0) g->cost_aware = 1;
    }
  }
  if (m->w.cost <= 0.0) g->cost_aware = 0;
  if ((rc = set_order(g)) || (rc = set_open_order(g)) || (rc = set_demand_table(g))) {
    vmp__gga_free(g);
    return rc;
  }
  g->item_terms = m->has_soft_rules;
  if (m->w.migrations > 0.0)
    for (size_t i = 0; i < ni && !g->item_terms; i++)
      if (m->item_cur[i] != -1) g->item_terms = 1;
  g->spread = m->w.cost <= 0.0 && m->w.balance > 0.0;
  g->one_class = g->nopen == 1;
  for (size_t i = 0; i < ni; i++) {
    uint64_t hsh = vmp__hash_bytes(m->idem + i * nr, nr * sizeof *m->idem, m->item_aclass[i]);
    for (uint32_t k = m->item_groups_start[i]; k < m->item_groups_start[i + 1]; k++)
      hsh = vmp__hash_bytes(&m->item_groups[k], sizeof *m->item_groups, hsh);
    /* members of a hard group are never interchangeable with outsiders */
    if (m->item_groups_start[i] < m->item_groups_start[i + 1]) hsh ^= (uint64_t)i << 1 | 1;
    g->ekey[i] = hsh;
  }
  g->fill_exp = o->fill_exp;
  g->bc_effort = o->bc_effort;
  g->tol = 1e-9;
  g->ls_budget = (uint64_t)(o->ls_effort * (double)(g->nplaceable + 1));
  return 0;
}

void vmp__gga_free(vmp__gga *g) {
  VMP__FREE_ALL(g->size, g->hw, g->capm, g->avginv, g->order, g->open_order, g->ekey, g->dhead,
                g->dkey, g->dnext);
  memset(g, 0, sizeof *g);
}

int vmp__gga_ws_init(vmp__gga_ws *ws, const vmp__gga *g) {
  const vmp__model *m = g->m;
  size_t nh = m->nhosts, ni = m->nitems;
  int rc;
  memset(ws, 0, sizeof *ws);
  if ((rc = vmp__state_init(&ws->st, m))) return rc;
  ws->head = malloc((nh + 1) * sizeof *ws->head);
  ws->next = malloc((ni + 1) * sizeof *ws->next);
  ws->prev = malloc((ni + 1) * sizeof *ws->prev);
  ws->used = malloc((nh + 1) * sizeof *ws->used);
  ws->upos = malloc((nh + 1) * sizeof *ws->upos);
  ws->cused = malloc((m->nhclasses + 1) * sizeof *ws->cused);
  ws->pool = malloc((ni + 1) * sizeof *ws->pool);
  ws->tmp = malloc((ni + 1) * sizeof *ws->tmp);
  ws->ikeys = malloc((ni + 1) * sizeof(ikey));
  ws->psize = malloc((ni + 1) * sizeof *ws->psize);
  ws->hkeys = malloc((2 * nh + 1) * sizeof(vmp__keyed));
  ws->gsum = calloc(nh + 1, sizeof *ws->gsum);
  for (int k = 0; k < 2; k++) {
    ws->cstart[k] = malloc((nh + 2) * sizeof *ws->cstart[k]);
    ws->citems[k] = malloc((ni + 1) * sizeof *ws->citems[k]);
  }
  if (!ws->head || !ws->next || !ws->prev || !ws->used || !ws->upos || !ws->cused ||
      !ws->pool || !ws->tmp || !ws->ikeys || !ws->psize || !ws->hkeys || !ws->gsum ||
      !ws->cstart[0] || !ws->cstart[1] || !ws->citems[0] || !ws->citems[1]) {
    vmp__gga_ws_free(ws);
    return vmp__enomem();
  }
  return 0;
}

void vmp__gga_ws_free(vmp__gga_ws *ws) {
  vmp__state_free(&ws->st);
  VMP__FREE_ALL(ws->head, ws->next, ws->prev, ws->used, ws->upos, ws->cused, ws->pool, ws->tmp,
                ws->ikeys, ws->psize, ws->hkeys, ws->gsum);
  for (int k = 0; k < 2; k++) {
    free(ws->cstart[k]);
    free(ws->citems[k]);
  }
  memset(ws, 0, sizeof *ws);
}

int vmp__gga_ind_init(vmp__gga_ind *x, const vmp__gga *g) {
  x->obj = HUGE_VAL;
  x->fill = 0.0;
  return vmp__state_init(&x->st, g->m);
}

void vmp__gga_ind_free(vmp__gga_ind *x) { vmp__state_free(&x->st); }

void vmp__gga_ind_copy(vmp__gga_ind *dst, const vmp__gga_ind *src) {
  vmp__state_copy(&dst->st, &src->st);
  dst->obj = src->obj;
  dst->fill = src->fill;
  dst->hash = src->hash;
}

/* Rebuilds lists, used hosts and the pool (every placeable item that is
 * not placed) from ws->st. */
static void ws_sync(const vmp__gga *g, vmp__gga_ws *ws) {
  const vmp__model *m = g->m;
  for (size_t h = 0; h < m->nhosts; h++) ws->head[h] = -1;
  memset(ws->cused, 0, m->nhclasses * sizeof *ws->cused);
  ws->nused = 0;
  for (size_t h = 0; h < m->nhosts; h++)
    if (ws->st.count[h]) {
      ws->upos[h] = (uint32_t)ws->nused;
      ws->used[ws->nused++] = (uint32_t)h;
      ws->cused[m->hclass[h]]++;
    }
  for (size_t i = m->nitems; i-- > 0;) {
    int32_t h = ws->st.host[i];
    if (h < 0) continue;
    ws->next[i] = ws->head[h];
    ws->prev[i] = -1;
    if (ws->head[h] >= 0) ws->prev[ws->head[h]] = (int32_t)i;
    ws->head[h] = (int32_t)i;
  }
  ws->npool = 0;
  for (size_t j = 0; j < g->nplaceable; j++)
    if (ws->st.host[g->order[j]] < 0) ws->pool[ws->npool++] = g->order[j];
}

void vmp__gga_ws_start(const vmp__gga *g, vmp__gga_ws *ws, const int32_t *start) {
  if (start)
    vmp__state_load(&ws->st, start);
  else
    vmp__state_clear(&ws->st);
  ws_sync(g, ws);
}

void vmp__gga_ws_adopt(const vmp__gga *g, vmp__gga_ws *ws, const vmp__state *st) {
  vmp__state_copy(&ws->st, st);
  ws_sync(g, ws);
}

void vmp__gga_ws_load(const vmp__gga *g, vmp__gga_ws *ws, const vmp__gga_ind *x) {
  vmp__state_copy(&ws->st, &x->st);
  ws_sync(g, ws);
}

static double fill_of(const vmp__gga *g, const vmp__state *st, size_t h) {
  const double *l = st->load + h * g->m->nres, *hw = g->hw + h * g->m->nres;
  double f = 0.0;
  for (uint32_t r = 0; r < g->m->nres; r++) f += l[r] * hw[r];
  return f;
}

/* How good a host is as a gene: the size it holds per unit of cost when
 * host cost counts, else its fill. */
static double quality(const vmp__gga *g, const vmp__state *st, size_t h) {
  const vmp__model *m = g->m;
  if (m->w.cost > 0.0 && m->cost[h] > 0.0) {
    const double *l = st->load + h * m->nres;
    double held = 0.0;
    for (uint32_t r = 0; r < m->nres; r++) held += l[r] * g->avginv[r];
    return held / m->cost[h];
  }
  return fill_of(g, st, h);
}

/* Objective terms that depend on where item i goes (beyond host cost). */
static inline double item_pen(const vmp__gga *g, size_t i, size_t h) {
  if (!g->item_terms) return 0.0;
  return vmp__model_soft(g->m, i, h) + vmp__model_migcost(g->m, i, h);
}

/* ---- crossover ------------------------------------------------------------------ */

/* Items of x by host (CSR into ws->cstart[k], ws->citems[k]). */
static void group_items(const vmp__gga *g, vmp__gga_ws *ws, int k, const vmp__state *x) {
  const vmp__model *m = g->m;
  uint32_t *st = ws->cstart[k], *it = ws->citems[k];
  memset(st, 0, (m->nhosts + 2) * sizeof *st);
  for (size_t i = 0; i < m->nitems; i++)
    if (x->host[i] >= 0) st[x->host[i] + 2]++;
  for (size_t h = 0; h < m->nhosts; h++) st[h + 2] += st[h + 1];
  for (size_t i = 0; i < m->nitems; i++)
    if (x->host[i] >= 0) it[st[x->host[i] + 1]++] = (uint32_t)i;
  /* st[h] .. st[h+1] now delimit host h */
}

/* Used hosts of x, best quality first, into out; returns their number. */
static size_t ranked_hosts(const vmp__gga *g, const vmp__state *x, vmp__keyed *out) {
  size_t n = 0;
  for (size_t h = 0; h < g->m->nhosts; h++)
    if (x->count[h]) {
      out[n].key = quality(g, x, h);
      out[n].i = (uint32_t)h;
      n++;
    }
  qsort(out, n, sizeof *out, vmp__keyed_desc);
  return n;
}

/* Injects host h of parent k into the child, whole or not at all. */
static void inject(const vmp__gga *g, vmp__gga_ws *ws, int k, uint32_t h) {
  const uint32_t *it = ws->citems[k] + ws->cstart[k][h];
  uint32_t n = ws->cstart[k][h + 1] - ws->cstart[k][h], j;
  int32_t t;
  for (j = 0; j < n; j++)
    if (ws->st.host[it[j]] >= 0) return;
  t = ws->st.count[h] == 0 ? (int32_t)h : vmp__gga_empty_in_class(g, ws, g->m->hclass[h]);
  if (t < 0) return;
  for (j = 0; j < n; j++) {
    if (!vmp__state_fits(&ws->st, it[j], (size_t)t)) break;
    vmp__gga_ws_place(g, ws, it[j], (uint32_t)t);
  }
  if (j < n)
    while (j-- > 0) vmp__gga_ws_unplace(g, ws, it[j]);
}

/*
 * Gene-level crossover (after Quiroz-Castellanos et al.'s GGA-CGT, a
 * refinement of Falkenauer's): the hosts of both parents are taken in
 * turn, the better of the two next ones first, and each is injected
 * unless it shares an item with a host already in the child.  A host keeps
 * its identity, or moves to an empty host of the same class (hosts that
 * no constraint or term can tell apart).  The items of the hosts left out
 * go to the pool for the local search and reinsertion.
 */
void vmp__gga_crossover(const vmp__gga *g, vmp__gga_ws *ws,
                        const vmp__gga_ind *a, const vmp__gga_ind *b,
                        vmp__rng *rng) {
  vmp__keyed *ha = (vmp__keyed *)ws->hkeys, *hb = ha + g->m->nhosts;
  size_t na, nb, i = 0, j = 0;
  int first = (int)(vmp__rng_next(rng) & 1);
  vmp__state_clear(&ws->st);
  ws_sync(g, ws);
  group_items(g, ws, 0, &a->st);
  group_items(g, ws, 1, &b->st);
  na = ranked_hosts(g, &a->st, ha);
  nb = ranked_hosts(g, &b->st, hb);
  while (i < na || j < nb) {
    int take_a;
    if (i == na) take_a = 0;
    else if (j == nb) take_a = 1;
    else if (ha[i].key != hb[j].key) take_a = ha[i].key > hb[j].key;
    else take_a = first;
    if (take_a) inject(g, ws, 0, ha[i++].i);
    else inject(g, ws, 1, hb[j++].i);
  }
  ws_sync(g, ws);
}

/* ---- mutation ------------------------------------------------------------------- */

static void dissolve(const vmp__gga *g, vmp__gga_ws *ws, uint32_t h) {
  while (ws->head[h] >= 0) {
    uint32_t i = (uint32_t)ws->head[h];
    vmp__gga_ws_unplace(g, ws, i);
    ws->pool[ws->npool++] = i;
  }
}

void vmp__gga_mutate(const vmp__gga *g, vmp__gga_ws *ws, double share,
                     vmp__rng *rng) {
  vmp__keyed *hk = (vmp__keyed *)ws->hkeys;
  size_t nu = ws->nused, k, worst;
  if (nu == 0) return;
  k = (size_t)floor(share * (double)nu * (0.5 + vmp__rng_unit(rng)) + 0.5);
  if (k < 1) k = 1;
  if (k > nu) k = nu;
  for (size_t j = 0; j < nu; j++) {
    hk[j].i = ws->used[j];
    hk[j].key = quality(g, &ws->st, ws->used[j]);
  }
  qsort(hk, nu, sizeof *hk, vmp__keyed_asc);
  worst = (k + 1) / 2;
  /* the rest at random among the better hosts */
  for (size_t j = worst; j < k; j++) {
    size_t r = j + (size_t)vmp__rng_below(rng, nu - j);
    vmp__keyed t = hk[j];
    hk[j] = hk[r];
    hk[r] = t;
  }
  for (size_t j = 0; j < k; j++) dissolve(g, ws, hk[j].i);
}

/* ---- dominance local search --------------------------------------------------- */

/* The pool sorted by decreasing size, with sizes alongside. */
static void pool_sort(const vmp__gga *g, vmp__gga_ws *ws) {
  ikey *k = (ikey *)ws->ikeys;
  for (size_t j = 0; j < ws->npool; j++) {
    k[j].pen = 0.0;
    k[j].allowed = 0;
    k[j].size = g->size[ws->pool[j]];
    k[j].idx = ws->pool[j];
  }
  qsort(k, ws->npool, sizeof *k, cmp_ikey);
  for (size_t j = 0; j < ws->npool; j++) {
    ws->pool[j] = k[j].idx;
    ws->psize[j] = k[j].size;
  }
}

static inline int fits_vec2(const double *d, const double *e, const double *c,
                            uint32_t nres) {
  for (uint32_t r = 0; r < nres; r++)
    if (d[r] + e[r] > c[r]) return 0;
  return 1;
}

/* Candidate bookkeeping of best_fill: the largest sum wins; sums within
 * eps of each other tie, and ties are drawn uniformly (reservoir
 * sampling), so that equally good completions vary between children. */
typedef struct pick {
  double best, eps;
  long x, y;
  unsigned nt;
  vmp__rng *rng;
} pick;

static void consider(pick *p, double sum, long x, long y) {
  if (!p->nt || sum > p->best + p->eps) {
    p->best = sum;
    p->x = x;
    p->y = y;
    p->nt = 1;
  } else if (sum >= p->best - p->eps && vmp__rng_below(p->rng, ++p->nt) == 0) {
    p->x = x;
    p->y = y;
  }
}

/* The sum a candidate must reach to count: above beat, and once one was
 * found, at least the best less eps (a tie). */
static inline double floor_of(const pick *p, double beat) {
  return p->nt ? p->best - p->eps : beat;
}

/* Item i may join host h as far as allowed hosts and hard groups go
 * (capacity is checked by the caller). */
static inline int can_take(const vmp__gga *g, const vmp__gga_ws *ws, uint32_t i, uint32_t h) {
  const vmp__model *m = g->m;
  return vmp__model_allowed(m, i, h) &&
         (m->item_groups_start[i] == m->item_groups_start[i + 1] ||
          vmp__state_groups_ok(&ws->st, i, h));
}

/* Bounds on the pair search, so that a host's move costs O(pool) checks
 * however large the pool: first items looked at and that fit, and
 * partners per first item (in 1-D the best partner is the first one
 * looked at; in several dimensions the search is a heuristic).  Singles
 * are all looked at: a host must not close with room an item could use. */
#define BF_SINGLE 256
#define BF_FIRST 48
#define BF_SECOND 48

/* The largest single item or pair of the pool that fits the room c on
 * host h and is larger than `beat`; sets *x, *y (-1 when unused) and
 * returns its size, or `beat` when none. */
static double best_fill(const vmp__gga *g, vmp__gga_ws *ws, uint32_t h,
                        const double *c, double room, double beat,
                        long *x, long *y, vmp__rng *rng) {
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  size_t n = ws->npool, lo, looked = 0, firsts = 0;
  pick p = {beat, 1e-12 * (1.0 + room), -1, -1, 0, rng};
  lo = vmp__gga_pool_from(ws, room + p.eps);
  for (size_t a = lo; a < n; a++) {
    uint32_t i = ws->pool[a];
    double s = ws->psize[a];
    if (s <= beat || s < floor_of(&p, beat)) break;
    ws->checks++;
    if (can_take(g, ws, i, h) && vmp__gga_fits_vec(m->idem + (size_t)i * nr, c, nr))
      consider(&p, s, (long)a, -1);
  }
  looked = 0;
  for (size_t a = lo; a + 1 < n && ws->checks <= g->ls_budget && firsts < BF_FIRST &&
                      looked++ < BF_SINGLE;
       a++) {
    uint32_t i = ws->pool[a];
    const double *di = m->idem + (size_t)i * nr;
    size_t b, tried = 0;
    if (ws->psize[a] + ws->psize[a + 1] <= beat ||
        ws->psize[a] + ws->psize[a + 1] < floor_of(&p, beat))
      break;
    ws->checks++;
    if (!can_take(g, ws, i, h) || !vmp__gga_fits_vec(di, c, nr)) continue;
    firsts++;
    b = vmp__gga_pool_from(ws, room - ws->psize[a] + p.eps);
    if (b <= a) b = a + 1;
    for (; b < n && tried++ < BF_SECOND; b++) {
      double s = ws->psize[a] + ws->psize[b];
      uint32_t j = ws->pool[b];
      if (s <= beat || s < floor_of(&p, beat)) break;
      ws->checks++;
      if (can_take(g, ws, j, h) && fits_vec2(di, m->idem + (size_t)j * nr, c, nr)) {
        consider(&p, s, (long)a, (long)b);
        break; /* smaller partners of a cannot beat this one */
      }
    }
  }
  *x = p.x;
  *y = p.y;
  return p.nt ? p.best : beat;
}

#define LS_MAX_OUT 8 /* removal candidates per host: its smallest items */
/* Opening hosts only adds items (minimum bin slack); swaps are the local
 * search's job, and measured no better here at twice the cost. */
#define FILL_MAX_OUT 0

/* Applies: items out[0..nout) leave h for the pool, pool items at px, py
 * come in.  Returns 0 (undone) when a hard group forbids it. */
static int swap_in(const vmp__gga *g, vmp__gga_ws *ws, uint32_t h,
                   const uint32_t *out, int nout, long px, long py) {
  uint32_t in[2];
  int nin = 0, k;
  in[nin++] = ws->pool[px];
  if (py >= 0) in[nin++] = ws->pool[py];
  if (py >= 0) vmp__gga_pool_remove(ws, (size_t)py);
  vmp__gga_pool_remove(ws, (size_t)px);
  for (k = 0; k < nout; k++) vmp__gga_ws_unplace(g, ws, out[k]);
  for (k = 0; k < nin; k++) {
    if (!vmp__state_fits(&ws->st, in[k], h)) break;
    vmp__gga_ws_place(g, ws, in[k], h);
  }
  if (k == nin) {
    for (k = 0; k < nout; k++) vmp__gga_pool_add(g, ws, out[k]);
    return 1;
  }
  while (k-- > 0) vmp__gga_ws_unplace(g, ws, in[k]);
  for (k = 0; k < nout; k++) vmp__gga_ws_place(g, ws, out[k], h);
  for (k = 0; k < nin; k++) vmp__gga_pool_add(g, ws, in[k]);
  return 0;
}

/* Improves host h until no move helps: each move replaces up to two of its
 * (smallest) items by up to two pool items that are larger together.
 * Returns the number of items pushed out to the pool. */
static int improve_host(const vmp__gga *g, vmp__gga_ws *ws, uint32_t h,
                        int max_out, vmp__rng *rng) {
  int pushed = 0;
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  uint32_t items[LS_MAX_OUT];
  double c0[VMP__MAX_RESOURCES], c[VMP__MAX_RESOURCES];
  for (int round = 0; round < 64 && ws->npool; round++) {
    int ni = 0, bo = 0;
    uint32_t bout[2];
    long bx = -1, by = -1;
    double room0 = 0.0, bgain = 0.0;
    const double *l = ws->st.load + (size_t)h * nr, *cx = m->capx + (size_t)h * nr;
    /* the smallest items of h */
    for (int32_t i = ws->head[h]; i >= 0; i = ws->next[i]) {
      int p;
      if (ni < LS_MAX_OUT) ni++;
      else if (g->size[i] >= g->size[items[ni - 1]]) continue;
      for (p = ni - 1; p > 0 && g->size[items[p - 1]] > g->size[i]; p--) items[p] = items[p - 1];
      items[p] = (uint32_t)i;
    }
    for (uint32_t r = 0; r < nr; r++) {
      c0[r] = cx[r] - l[r];
      room0 += c0[r] * g->avginv[r];
    }
    /* out = {} (a = b = -1), {a} (b = a), {a, b} (b > a) */
    for (int a = -1; a < (max_out > 0 ? ni : 0) && ws->checks <= g->ls_budget; a++)
      for (int b = a; b < ni; b++) {
        double sout = 0.0, room = room0, got, pen = 0.0;
        long x, y;
        uint32_t out[2];
        int nout = 0;
        if ((a < 0 && b >= 0) || (b > a && max_out < 2)) break;
        if (a >= 0) out[nout++] = items[a];
        if (b > a) out[nout++] = items[b];
        memcpy(c, c0, nr * sizeof *c);
        for (int k = 0; k < nout; k++) {
          const double *d = m->idem + (size_t)out[k] * nr;
          for (uint32_t r = 0; r < nr; r++) c[r] += d[r];
          sout += g->size[out[k]];
          room += g->size[out[k]];
        }
        got = best_fill(g, ws, h, c, room, sout + bgain + 1e-12 * (1.0 + room), &x, &y, rng);
        if (x < 0) continue;
        if (g->item_terms) {
          pen = item_pen(g, ws->pool[x], h) + (y >= 0 ? item_pen(g, ws->pool[y], h) : 0.0);
          for (int k = 0; k < nout; k++) pen -= item_pen(g, out[k], h);
          if (pen > 0.0) continue;
        }
        bgain = got - sout;
        bx = x;
        by = y;
        bo = nout;
        memcpy(bout, out, sizeof out);
      }
    if (bx < 0 || !swap_in(g, ws, h, bout, bo, bx, by)) break;
    pushed += bo;
  }
  return pushed;
}

void vmp__gga_local_search(const vmp__gga *g, vmp__gga_ws *ws, vmp__rng *rng) {
  uint32_t *hosts = ws->tmp;
  size_t n = ws->nused;
  if (!ws->npool || g->spread) return;
  pool_sort(g, ws);
  ws->checks = 0;
  memcpy(hosts, ws->used, n * sizeof *hosts);
  for (size_t j = 0; j + 1 < n; j++) {
    size_t r = j + (size_t)vmp__rng_below(rng, n - j);
    uint32_t t = hosts[j];
    hosts[j] = hosts[r];
    hosts[r] = t;
  }
  for (size_t j = 0; j < n && ws->npool && ws->checks <= g->ls_budget; j++)
    if (ws->st.count[hosts[j]]) improve_host(g, ws, hosts[j], 2, rng);
}

/* ---- reinsertion (the seam) ----------------------------------------------------- */

/* Best fit among used hosts: least objective terms of the item itself,
 * then the fullest host after placement, then the lowest index. */
static int32_t best_used(const vmp__gga *g, vmp__gga_ws *ws, uint32_t i) {
  const vmp__model *m = g->m;
  const double *d = m->idem + (size_t)i * m->nres;
  int32_t best = -1;
  double bpen = HUGE_VAL, bfill = -1.0;
  for (size_t k = 0; k < ws->nused; k++) {
    uint32_t h = ws->used[k];
    const double *l, *hw;
    double pen, f = 0.0;
    if (!vmp__state_fits(&ws->st, i, h)) continue;
    pen = item_pen(g, i, h);
    l = ws->st.load + (size_t)h * m->nres;
    hw = g->hw + (size_t)h * m->nres;
    for (uint32_t r = 0; r < m->nres; r++) f += (l[r] + d[r]) * hw[r];
    if (pen < bpen || (pen == bpen && (f > bfill || (f == bfill && (int32_t)h < best)))) {
      best = (int32_t)h;
      bpen = pen;
      bfill = f;
    }
  }
  return best;
}

/* The empty host to open for item i: the least share of host cost the
 * item would carry (cost x its size over the size the host can expect to
 * hold: its capacity, or what remains to place when that is less), plus
 * the item's own objective terms.  Classes come cheapest capacity first,
 * and an earlier class wins ties. */
static int32_t best_empty(const vmp__gga *g, vmp__gga_ws *ws, uint32_t i, double rem) {
  const vmp__model *m = g->m;
  int32_t best = -1;
  double bscore = HUGE_VAL;
  for (uint32_t k = 0; k < g->nopen; k++) {
    int32_t e = vmp__gga_empty_in_class(g, ws, g->open_order[k]);
    double score, expect;
    if (e < 0 || !vmp__state_fits(&ws->st, i, (size_t)e)) continue;
    expect = g->capm[e] < rem ? g->capm[e] : rem;
    if (expect < g->size[i]) expect = g->size[i];
    score = item_pen(g, i, (size_t)e);
    if (m->w.cost > 0.0 && m->cost[e] > 0.0)
      score += m->w.cost * m->cost[e] * (expect > 0.0 ? g->size[i] / expect : 1.0);
    if (score < bscore) {
      bscore = score;
      best = e;
    }
  }
  return best;
}

/* Spreading (balance only): the host where the highest utilisation after
 * placement is least, after the item's own terms. */
static int32_t best_spread(const vmp__gga *g, vmp__gga_ws *ws, uint32_t i) {
  const vmp__model *m = g->m;
  const double *d = m->idem + (size_t)i * m->nres;
  int32_t best = -1;
  double bscore = HUGE_VAL;
  for (size_t h = 0; h < m->nhosts; h++) {
    const double *l = ws->st.load + h * m->nres, *c = m->cap + h * m->nres;
    double u = 0.0, score;
    if (!vmp__state_fits(&ws->st, i, h)) continue;
    for (uint32_t r = 0; r < m->nres; r++)
      if (c[r] > 0.0 && (l[r] + d[r]) / c[r] > u) u = (l[r] + d[r]) / c[r];
    score = item_pen(g, i, h) + m->w.balance * u;
    if (score < bscore) {
      bscore = score;
      best = (int32_t)h;
    }
  }
  return best;
}

static size_t place_each(const vmp__gga *g, vmp__gga_ws *ws, uint32_t *items,
                         size_t n, int open) {
  double rem = 0.0;
  size_t left = 0;
  for (size_t j = 0; j < n; j++) rem += g->size[items[j]];
  for (size_t j = 0; j < n; j++) {
    uint32_t i = items[j];
    double before = rem;
    int32_t h;
    rem -= g->size[i];
    if (g->spread) {
      h = best_spread(g, ws, i);
    } else {
      h = best_used(g, ws, i);
      if (h < 0 && open) h = best_empty(g, ws, i, before);
    }
    if (h < 0)
      items[left++] = i;
    else
      vmp__gga_ws_place(g, ws, i, (uint32_t)h);
  }
  return left;
}

/* Host by host (minimum bin slack, after Gupta and Ho): opens a host for
 * the first item of `order` still in the pool, then fills it from the pool
 * with improve_host, which takes the largest pairs that fit and swaps
 * items for larger ones; items it pushes out go back to the pool and are
 * looked at again. */
static void fill_hosts(const vmp__gga *g, vmp__gga_ws *ws, const uint32_t *order,
                       size_t n, vmp__rng *rng) {
  size_t cur = 0;
  while (cur < n && ws->npool && !(g->stop && g->stop(g->stop_arg))) {
    uint32_t i = order[cur];
    double rem = 0.0;
    long x;
    int32_t e;
    if (ws->st.host[i] >= 0 || (x = vmp__gga_pool_find(g, ws, i)) < 0) {
      cur++;
      continue;
    }
    for (size_t j = 0; j < ws->npool; j++) rem += ws->psize[j];
    if ((e = best_empty(g, ws, i, rem)) < 0) {
      cur++;
      continue;
    }
    vmp__gga_pool_remove(ws, (size_t)x);
    vmp__gga_ws_place(g, ws, i, (uint32_t)e);
    ws->checks = 0; /* a budget per host: every host gets filled */
    if (improve_host(g, ws, (uint32_t)e, FILL_MAX_OUT, rng))
      cur = 0;
    else
      cur++;
  }
}

/*
 * The seam.  Reinsertion is the one place where the genetic scheduler
 * decides where displaced items go; the greedy rules of solvers/packing.h
 * can replace the body of this function without touching
 * anything else: it must place the items of ws->pool into ws->st,
 * honouring vmp__state_fits, and leave in ws->pool (ws->npool) the items
 * that fit nowhere; ws_sync rebuilds everything else from ws->st.
 *
 * Here: items by priority, restriction, then decreasing size (perturbed
 * by noise).  Items with a restricted host set or hard groups go one by
 * one to the used host they fill best, else open one; then the others
 * go to the used hosts by best fit decreasing; what is left opens hosts
 * one at a time, each filled from the pool (fill_hosts), or on identical
 * hosts is packed by bin completion when it can.  When items carry their
 * own objective terms (soft rules, migrations) or the objective spreads
 * load, every item is placed on its own (place_each), so that those terms
 * decide.
 */
size_t vmp__gga_reinsert(const vmp__gga *g, vmp__gga_ws *ws, double noise,
                         vmp__rng *rng) {
  const vmp__model *m = g->m;
  ikey *k = (ikey *)ws->ikeys;
  uint32_t *order = ws->tmp;
  size_t n = ws->npool, nc = 0, nf = 0, failed;
  int each = g->spread || g->item_terms;
  for (size_t j = 0; j < n; j++) {
    uint32_t i = ws->pool[j];
    k[j].pen = m->item_pen[i];
    k[j].allowed = m->aclasses[m->item_aclass[i]].allowed.count;
    k[j].size = g->size[i];
    if (noise > 0.0) k[j].size *= 1.0 + noise * (2.0 * vmp__rng_unit(rng) - 1.0);
    k[j].idx = i;
  }
  qsort(k, n, sizeof *k, cmp_ikey);
  /* Items with a restricted host set or hard groups go one by one first,
   * so that the others do not take their only places. */
  for (size_t j = 0; j < n; j++) {
    uint32_t i = k[j].idx;
    if (each || m->aclasses[m->item_aclass[i]].allowed.bits ||
        m->item_groups_start[i] < m->item_groups_start[i + 1])
      order[nc++] = i;
    else
      ws->pool[nf++] = i;
  }
  failed = place_each(g, ws, order, nc, 1);
  nf = place_each(g, ws, ws->pool, nf, 0);
  memcpy(order + failed, ws->pool, nf * sizeof *order);
  ws->npool = nf;
  if (nf) {
    pool_sort(g, ws);
    ws->checks = 0;
    if (!g->one_class || (noise > 0.0 && nf > VMP__GGA_BC_MRV_POOL) ||
        !vmp__gga_bin_completion(g, ws, rng))
      fill_hosts(g, ws, order + failed, nf, rng);
    /* what is left when the clock stopped the filling, one by one */
    if (ws->npool) ws->npool = place_each(g, ws, ws->pool, ws->npool, 1);
  }
  memcpy(ws->pool + ws->npool, order, failed * sizeof *order);
  ws->npool += failed;
  return ws->npool;
}

/* ---- relocation ------------------------------------------------------------------ */

/* Moves every item of h to host t; undoes it and returns 0 when a hard
 * constraint forbids it. */
static int move_host(const vmp__gga *g, vmp__gga_ws *ws, uint32_t h, uint32_t t) {
  uint32_t *it = ws->citems[0]; /* free outside crossover */
  size_t n = 0, k;
  while (ws->head[h] >= 0) {
    uint32_t i = (uint32_t)ws->head[h];
    vmp__gga_ws_unplace(g, ws, i);
    it[n++] = i;
  }
  for (k = 0; k < n; k++) {
    if (!vmp__state_fits(&ws->st, it[k], t)) break;
    vmp__gga_ws_place(g, ws, it[k], t);
  }
  if (k == n) return 1;
  while (k-- > 0) vmp__gga_ws_unplace(g, ws, it[k]);
  for (k = 0; k < n; k++) vmp__gga_ws_place(g, ws, it[k], h);
  return 0;
}

void vmp__gga_relocate(const vmp__gga *g, vmp__gga_ws *ws) {
  const vmp__model *m = g->m;
  const uint32_t nr = m->nres;
  uint32_t *hosts = ws->tmp;
  size_t n = ws->nused;
  if (!g->cost_aware) return;
  memcpy(hosts, ws->used, n * sizeof *hosts);
  for (size_t j = 0; j < n; j++) {
    uint32_t h = hosts[j];
    const double *l = ws->st.load + (size_t)h * nr;
    int32_t best = -1;
    double bcost = m->cost[h], pen = 0.0;
    if (!ws->st.count[h]) continue;
    for (uint32_t k = 0; k < g->nopen; k++) {
      uint32_t cl = g->open_order[k];
      uint32_t rep = m->hclass_hosts[m->hclass_start[cl]];
      int32_t e;
      if (m->cost[rep] >= bcost || !vmp__gga_fits_vec(l, m->capx + (size_t)rep * nr, nr)) continue;
      if ((e = vmp__gga_empty_in_class(g, ws, cl)) < 0) continue;
      best = e;
      bcost = m->cost[rep];
    }
    if (best < 0) continue;
    if (g->item_terms) {
      for (int32_t i = ws->head[h]; i >= 0; i = ws->next[i])
        pen += item_pen(g, (size_t)i, (size_t)best) - item_pen(g, (size_t)i, h);
      if (m->w.cost * (m->cost[h] - bcost) - pen <= 0.0) continue;
    }
    move_host(g, ws, h, (uint32_t)best);
  }
}

/* ---- evaluation ------------------------------------------------------------------ */

/* A hash of the grouping that does not change when interchangeable hosts
 * (one class) swap contents: per host, the sum of its items' hashes mixed
 * with its class; summed over hosts. */
static uint64_t grouping_hash(const vmp__gga *g, vmp__gga_ws *ws) {
  const vmp__model *m = g->m;
  uint64_t hash = 0;
  for (size_t i = 0; i < m->nitems; i++)
    if (ws->st.host[i] >= 0) ws->gsum[ws->st.host[i]] += vmp__gga_mix64(i + 0x9e3779b97f4a7c15ULL);
  for (size_t k = 0; k < ws->nused; k++) {
    uint32_t h = ws->used[k];
    hash += vmp__gga_mix64(ws->gsum[h] ^ ((uint64_t)m->hclass[h] * 0xd1b54a32d192ed03ULL));
    ws->gsum[h] = 0;
  }
  return hash;
}

void vmp__gga_finish(const vmp__gga *g, vmp__gga_ws *ws, vmp__gga_ind *x) {
  const vmp__model *m = g->m;
  double num = 0.0, den = 0.0;
  for (size_t k = 0; k < ws->nused; k++) {
    uint32_t h = ws->used[k];
    double f = fill_of(g, &ws->st, h), wt = g->cost_aware ? m->cost[h] : 1.0;
    num += wt * (g->fill_exp == 2.0 ? f * f : pow(f, g->fill_exp));
    den += wt;
  }
  vmp__state_copy(&x->st, &ws->st);
  x->obj = vmp__model_objective(m, ws->st.host);
  x->fill = den > 0.0 ? num / den : 0.0;
  x->hash = grouping_hash(g, ws);
}
