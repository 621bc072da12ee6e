/*
 * The packing kernel (packing.h): the greedy placement rules, their
 * workspace (weights, host orders, the host trees), single choices and
 * vmp__greedy_insert.  The greedy portfolio solver (greedy.c), the local
 * search and the online placer build on it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "packing_impl.h"

/* ---- the rule table ---------------------------------------------------------- */

typedef struct rule_def {
  const char *name;
  uint8_t kind, measure, weight;
} rule_def;

#define R3(k, kn, m, mn)                                                   \
  {kn "_" mn "_unit", k, m, VMP__GW_UNIT}, {kn "_" mn "_avg", k, m, VMP__GW_AVG}, \
      {kn "_" mn "_rem", k, m, VMP__GW_REM}
#define R12(k, kn)                                                         \
  R3(k, kn, VMP__GM_MAX, "max"), R3(k, kn, VMP__GM_SUM, "sum"),              \
      R3(k, kn, VMP__GM_L2, "l2"), R3(k, kn, VMP__GM_PROD, "prod")

static const rule_def rules[] = {
    R12(VMP__GK_FF, "ffd"),
    R12(VMP__GK_BF, "bfd"),
    R12(VMP__GK_WF, "wfd"),
    {"dot_unit", VMP__GK_DOT, VMP__GM_SUM, VMP__GW_UNIT},
    {"dot_avg", VMP__GK_DOT, VMP__GM_SUM, VMP__GW_AVG},
    {"dot_rem", VMP__GK_DOT, VMP__GM_SUM, VMP__GW_REM},
    {"norm_unit", VMP__GK_NORM, VMP__GM_L2, VMP__GW_UNIT},
    {"norm_avg", VMP__GK_NORM, VMP__GM_L2, VMP__GW_AVG},
    {"norm_rem", VMP__GK_NORM, VMP__GM_L2, VMP__GW_REM},
    {"cos_unit", VMP__GK_COS, VMP__GM_SUM, VMP__GW_UNIT},
    {"cos_avg", VMP__GK_COS, VMP__GM_SUM, VMP__GW_AVG},
    {"cos_rem", VMP__GK_COS, VMP__GM_SUM, VMP__GW_REM},
};

#define NRULES ((int)(sizeof rules / sizeof rules[0]))
_Static_assert(NRULES == VMP__GREEDY_NRULES, "VMP__GREEDY_NRULES counts the rules");

int vmp__greedy_nrules(void) { return NRULES; }

const char *vmp__greedy_rule_name(int rule) {
  return rule >= 0 && rule < NRULES ? rules[rule].name : "?";
}

int vmp__greedy_rule_find(const char *name) {
  for (int k = 0; name && k < NRULES; k++)
    if (!strcmp(rules[k].name, name)) return k;
  return -1;
}

void vmp__greedy_rule_parts(int rule, int *kind, int *measure, int *weight) {
  const rule_def *r = &rules[rule >= 0 && rule < NRULES ? rule : 0];
  if (kind) *kind = r->kind;
  if (measure) *measure = r->measure;
  if (weight) *weight = r->weight;
}

int vmp__greedy_default_online_rule(void) { return vmp__greedy_rule_find("bfd_l2_avg"); }

int vmp__greedy_parse_rules(const char *text, int *ids) {
  int n = 0;
  const char *s = text;
  while (s && *s) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    char name[32];
    int id, dup = 0;
    while (len && *s == ' ') s++, len--;
    while (len && s[len - 1] == ' ') len--;
    if (len == 3 && !strncmp(s, "all", 3)) {
      for (int k = 0; k < NRULES; k++) ids[k] = k;
      return NRULES;
    }
    if (len == 0 || len >= sizeof name)
      return vmp__error(VMP_EINVAL, "greedy.rules: expected rule names separated "
                                    "by commas, got \"%s\"", text);
    memcpy(name, s, len);
    name[len] = '\0';
    if ((id = vmp__greedy_rule_find(name)) < 0)
      return vmp__error(VMP_EINVAL,
                        "greedy.rules: unknown rule \"%s\" (rules are "
                        "ffd|bfd|wfd _ max|sum|l2|prod _ unit|avg|rem, "
                        "dot|norm|cos _ unit|avg|rem, or all)",
                        name);
    for (int k = 0; k < n; k++)
      if (ids[k] == id) dup = 1;
    if (!dup) ids[n++] = id;
    s = e ? e + 1 : NULL;
  }
  if (n == 0) return vmp__error(VMP_EINVAL, "greedy.rules: no rule given");
  return n;
}

/* ---- host trees ------------------------------------------------------------------ */


static int tree_init(vmp__htree *t, size_t n, uint32_t nres) {
  t->size = 1;
  while (t->size < n) t->size <<= 1;
  t->dims = nres + 1;
  t->mx = malloc(2 * t->size * t->dims * sizeof *t->mx);
  t->mn = malloc(2 * t->size * t->dims * sizeof *t->mn);
  return t->mx && t->mn ? 0 : vmp__enomem();
}

static void tree_free(vmp__htree *t) {
  free(t->mx);
  free(t->mn);
  memset(t, 0, sizeof *t);
}

static void tree_pull(vmp__htree *t, size_t node) {
  const uint32_t D = t->dims;
  double *x = t->mx + node * D, *n = t->mn + node * D;
  const double *xl = t->mx + 2 * node * D, *xr = xl + D;
  const double *nl = t->mn + 2 * node * D, *nr = nl + D;
  for (uint32_t r = 0; r < D; r++) {
    x[r] = xl[r] > xr[r] ? xl[r] : xr[r];
    n[r] = nl[r] < nr[r] ? nl[r] : nr[r];
  }
}

/* Sets leaf pos to rem[0..nres) (present) or absent when rem is NULL,
 * without updating the ancestors. */
static void tree_leaf(vmp__htree *t, size_t pos, const double *rem) {
  const uint32_t D = t->dims;
  double *x = t->mx + (t->size + pos) * D, *n = t->mn + (t->size + pos) * D;
  if (rem) {
    memcpy(x, rem, (D - 1) * sizeof *x);
    memcpy(n, rem, (D - 1) * sizeof *n);
    x[D - 1] = n[D - 1] = 0.0;
  } else {
    for (uint32_t r = 0; r < D; r++) {
      x[r] = -HUGE_VAL;
      n[r] = HUGE_VAL;
    }
  }
}

/* tree_pull that says whether the node changed. */
static int tree_pull_changed(vmp__htree *t, size_t node) {
  const uint32_t D = t->dims;
  double *x = t->mx + node * D, *n = t->mn + node * D;
  const double *xl = t->mx + 2 * node * D, *xr = xl + D;
  const double *nl = t->mn + 2 * node * D, *nr = nl + D;
  int changed = 0;
  if (!t->minima) {
    for (uint32_t r = 0; r < D; r++) {
      double a = xl[r] > xr[r] ? xl[r] : xr[r];
      changed |= a != x[r];
      x[r] = a;
    }
    return changed;
  }
  for (uint32_t r = 0; r < D; r++) {
    double a = xl[r] > xr[r] ? xl[r] : xr[r], b = nl[r] < nr[r] ? nl[r] : nr[r];
    changed |= a != x[r] || b != n[r];
    x[r] = a;
    n[r] = b;
  }
  return changed;
}

/* Sets a leaf and updates its ancestors, stopping where nothing changes
 * (most placements do not move their subtree's extremes). */
static void tree_set(vmp__htree *t, size_t pos, const double *rem) {
  size_t node = (t->size + pos) >> 1;
  tree_leaf(t, pos, rem);
  for (; node >= 1 && tree_pull_changed(t, node); node >>= 1) {}
}

static void tree_build(vmp__htree *t) {
  for (size_t node = t->size - 1; node >= 1; node--) tree_pull(t, node);
}

static inline int tree_covers(const vmp__htree *t, size_t node, const double *d) {
  const double *x = t->mx + node * t->dims;
  for (uint32_t r = 0; r < t->dims; r++)
    if (x[r] < d[r]) return 0;
  return 1;
}

/* ---- the workspace --------------------------------------------------------------------- */


/* A class is "small" when scanning its hosts beats searching the trees. */
static int small_class(const vmp__model *m, const vmp__aclass *a) {
  return a->allowed.bits && (size_t)a->allowed.count * 64 <= m->nhosts + 4096;
}

static void compute_weights(vmp__greedy *g) {
  const vmp__model *m = g->m;
  const uint32_t R = m->nres;
  double capsum[VMP__MAX_RESOURCES] = {0}, demsum[VMP__MAX_RESOURCES] = {0};
  size_t nusable = 0, nplaceable = 0;
  for (size_t h = 0; h < m->nhosts; h++) {
    if (!m->usable[h]) continue;
    nusable++;
    for (uint32_t r = 0; r < R; r++) capsum[r] += m->cap[h * R + r];
  }
  for (size_t i = 0; i < m->nitems; i++) {
    if (m->item_unplaceable[i]) continue;
    nplaceable++;
    for (uint32_t r = 0; r < R; r++) demsum[r] += m->idem[i * R + r];
  }
  for (uint32_t r = 0; r < R; r++) {
    double avgcap = nusable ? capsum[r] / (double)nusable : 0.0;
    double unit = avgcap > 0.0 ? 1.0 / avgcap : 0.0;
    double reldem = nplaceable && avgcap > 0.0 ? demsum[r] / (double)nplaceable / avgcap : 0.0;
    double slack = capsum[r] > 0.0 ? 1.0 - demsum[r] / capsum[r] : 1.0;
    if (slack < 0.01) slack = 0.01;
    g->w[VMP__GW_UNIT][r] = unit;
    /* A resource that is barely demanded should not decide the order;
     * keep a floor so that it still breaks ties. */
    g->w[VMP__GW_AVG][r] = unit * (reldem > 1e-6 ? reldem : 1e-6);
    g->w[VMP__GW_REM][r] = unit / slack;
  }
}

/* Hosts by cost per weighted capacity (L1), cheapest capacity first;
 * hosts without capacity last. */
static int host_orders(vmp__greedy *g) {
  const vmp__model *m = g->m;
  vmp__keyed *k = malloc((m->nhosts + 1) * sizeof *k);
  if (!k) return vmp__enomem();
  for (int w = 0; w < VMP__GREEDY_NW; w++) {
    for (size_t h = 0; h < m->nhosts; h++) {
      double c = 0.0;
      for (uint32_t r = 0; r < m->nres; r++) c += g->w[w][r] * m->cap[h * m->nres + r];
      k[h].key = c > 0.0 ? m->cost[h] / c : HUGE_VAL;
      if (m->nres == 0) k[h].key = m->cost[h];
      k[h].i = (uint32_t)h;
      g->eff[w][h] = k[h].key;
    }
    qsort(k, m->nhosts, sizeof *k, vmp__keyed_asc);
    for (size_t p = 0; p < m->nhosts; p++) {
      g->order[w][p] = k[p].i;
      g->pos[w][k[p].i] = (uint32_t)p;
    }
  }
  free(k);
  return 0;
}

void vmp__greedy_free(vmp__greedy *g) {
  if (!g) return;
  for (int w = 0; w < VMP__GREEDY_NW; w++) {
    free(g->order[w]);
    free(g->pos[w]);
    free(g->eff[w]);
    if (g->alist[w])
      for (uint32_t a = 0; a < g->nalist[w]; a++) free(g->alist[w][a]);
    free(g->alist[w]);
    free(g->alist_n[w]);
  }
  VMP__FREE_ALL(g->alist_done, g->tier, g->has_soft, g->hidden, g->where);
  tree_free(&g->used);
  tree_free(&g->empty);
  VMP__FREE_ALL(g->rem, g->ffc, g->k1, g->k2, g->v2, g);
}

int vmp__greedy_new(const vmp__model *m, vmp__greedy **out) {
  vmp__greedy *g = calloc(1, sizeof *g);
  size_t nusable = 0;
  int rc = 0;
  *out = NULL;
  if (!g) return vmp__enomem();
  g->m = m;
  g->rule = -1;
  for (int w = 0; w < VMP__GREEDY_NW && !rc; w++) {
    g->order[w] = malloc((m->nhosts + 1) * sizeof *g->order[w]);
    g->pos[w] = malloc((m->nhosts + 1) * sizeof *g->pos[w]);
    g->eff[w] = malloc((m->nhosts + 1) * sizeof *g->eff[w]);
    if (!g->order[w] || !g->pos[w] || !g->eff[w]) rc = vmp__enomem();
  }
  g->alist_done = calloc(VMP__GREEDY_NW, 1);
  g->tier = calloc(m->nitems + 1, 1);
  g->has_soft = calloc(m->nitems + 1, 1);
  g->hidden = calloc(m->nhosts + 1, 1);
  g->where = calloc(m->nhosts + 1, 1);
  g->rem = malloc((m->nres + 1) * sizeof *g->rem);
  if (!rc && (!g->alist_done || !g->tier || !g->has_soft || !g->hidden || !g->where ||
              !g->rem))
    rc = vmp__enomem();
  if (!rc) rc = tree_init(&g->used, m->nhosts, m->nres);
  if (!rc) rc = tree_init(&g->empty, m->nhosts, m->nres);
  if (rc) {
    vmp__greedy_free(g);
    return rc;
  }
  compute_weights(g);
  if ((rc = host_orders(g))) {
    vmp__greedy_free(g);
    return rc;
  }
  for (size_t h = 0; h < m->nhosts; h++) nusable += m->usable[h];
  g->nusable = nusable;
  for (size_t i = 0; i < m->nitems; i++) {
    const vmp__aclass *a = &m->aclasses[m->item_aclass[i]];
    uint32_t cnt = a->allowed.count;
    int t = 0;
    /* Tiers of scarcity: an item allowed on half the hosts or more is as
     * free as an unrestricted one; each halving below that goes first. */
    if (a->allowed.bits && cnt > 0)
      while (t < 60 && ((size_t)cnt << (t + 1)) <= nusable) t++;
    g->tier[i] = (uint8_t)t;
    g->has_soft[i] = a->soft != NULL ||
                     m->item_sgroups_start[i] != m->item_sgroups_start[i + 1];
  }
  *out = g;
  return 0;
}

/* The host list of allowed class a in weighting w when the class is small
 * (else none).  0 or VMP_ENOMEM. */
static int build_alist(vmp__greedy *g, int w, uint32_t a) {
  const vmp__model *m = g->m;
  const vmp__aclass *ac = &m->aclasses[a];
  uint32_t n = 0, *l;
  free(g->alist[w][a]);
  g->alist[w][a] = NULL;
  g->alist_n[w][a] = 0;
  if (!small_class(m, ac)) return 0;
  l = malloc(((size_t)ac->allowed.count + 1) * sizeof *l);
  if (!l) return vmp__enomem();
  for (size_t p = 0; p < m->nhosts; p++) {
    uint32_t h = g->order[w][p];
    if (m->usable[h] && vmp__hostset_has(&ac->allowed, h) && n < ac->allowed.count)
      l[n++] = h;
  }
  g->alist[w][a] = l;
  g->alist_n[w][a] = n;
  return 0;
}

/* Host lists of small allowed classes, sorted by position in weighting w. */
static int ensure_alists(vmp__greedy *g, int w) {
  const vmp__model *m = g->m;
  if (g->alist_done[w]) return 0;
  g->alist[w] = calloc(m->naclasses + 1, sizeof *g->alist[w]);
  g->alist_n[w] = calloc(m->naclasses + 1, sizeof *g->alist_n[w]);
  if (!g->alist[w] || !g->alist_n[w]) return vmp__enomem();
  g->nalist[w] = m->naclasses;
  for (uint32_t a = 0; a < m->naclasses; a++)
    if (build_alist(g, w, a)) return vmp__enomem();
  g->alist_done[w] = 1;
  return 0;
}

int vmp__greedy_classes_added(vmp__greedy *g) {
  const vmp__model *m = g->m;
  for (int w = 0; w < VMP__GREEDY_NW; w++) {
    uint32_t **l;
    uint32_t *n;
    if (!g->alist_done[w] || g->nalist[w] >= m->naclasses) continue;
    l = realloc(g->alist[w], (m->naclasses + 1) * sizeof *l);
    if (!l) return vmp__enomem();
    g->alist[w] = l;
    n = realloc(g->alist_n[w], (m->naclasses + 1) * sizeof *n);
    if (!n) return vmp__enomem();
    g->alist_n[w] = n;
    for (uint32_t a = g->nalist[w]; a < m->naclasses; a++) {
      l[a] = NULL;
      n[a] = 0;
    }
    for (uint32_t a = g->nalist[w]; a < m->naclasses; a++) {
      g->nalist[w] = a + 1;
      if (build_alist(g, w, a)) return vmp__enomem();
    }
  }
  return 0;
}

int vmp__greedy_hosts_changed(vmp__greedy *g, size_t h) {
  const vmp__model *m = g->m;
  g->nusable = 0;
  for (size_t k = 0; k < m->nhosts; k++) g->nusable += m->usable[k];
  for (int w = 0; w < VMP__GREEDY_NW; w++) {
    if (!g->alist_done[w]) continue;
    for (uint32_t a = 0; a < g->nalist[w]; a++)
      if (vmp__hostset_has(&m->aclasses[a].allowed, h) && build_alist(g, w, a))
        return vmp__enomem();
  }
  if (g->st) vmp__greedy_refresh(g, h);
  return 0;
}

void vmp__greedy_item_changed(vmp__greedy *g, size_t i) {
  const vmp__model *m = g->m;
  const vmp__aclass *a = &m->aclasses[m->item_aclass[i]];
  int t = 0;
  g->has_soft[i] = a->soft != NULL ||
                   m->item_sgroups_start[i] != m->item_sgroups_start[i + 1];
  if (a->allowed.bits && a->allowed.count > 0)
    while (t < 60 && ((size_t)a->allowed.count << (t + 1)) <= g->nusable) t++;
  g->tier[i] = (uint8_t)t;
}

/* Remaining capacity of host h (capacity with tolerance minus load). */
static const double *host_rem(vmp__greedy *g, size_t h) {
  const vmp__model *m = g->m;
  const double *c = m->capx + h * m->nres, *l = g->st->load + h * m->nres;
  for (uint32_t r = 0; r < m->nres; r++) g->rem[r] = c[r] - l[r];
  return g->rem;
}

/* Which tree host h belongs in now. */
static uint8_t host_where(const vmp__greedy *g, size_t h) {
  if (!g->m->usable[h] || g->hidden[h]) return 0;
  return g->st->count[h] > 0 ? 1 : 2;
}

void vmp__greedy_refresh(vmp__greedy *g, size_t h) {
  size_t p = g->pos[g->weighting][h];
  uint8_t w = host_where(g, h);
  if (g->where[h] != w) {
    if (g->where[h] == 1) tree_set(&g->used, p, NULL);
    if (g->where[h] == 2) tree_set(&g->empty, p, NULL);
    g->where[h] = w;
  }
  if (w) tree_set(w == 1 ? &g->used : &g->empty, p, host_rem(g, h));
}

void vmp__greedy_hide(vmp__greedy *g, size_t h, int hidden) {
  g->hidden[h] = hidden != 0;
  if (g->st) vmp__greedy_refresh(g, h);
}

int vmp__greedy_bind(vmp__greedy *g, vmp__state *st, int rule) {
  const vmp__model *m = g->m;
  int rc;
  if (rule < 0 || rule >= NRULES) rule = 0;
  g->st = st;
  g->rule = rule;
  g->kind = rules[rule].kind;
  g->measure = rules[rule].measure;
  g->weighting = rules[rule].weight;
  if ((rc = ensure_alists(g, g->weighting))) return rc;
  for (size_t p = 0; p < g->used.size; p++) {
    if (p < m->nhosts) {
      uint32_t h = g->order[g->weighting][p];
      const double *rem = host_rem(g, h);
      uint8_t w = host_where(g, h);
      g->where[h] = w;
      tree_leaf(&g->used, p, w == 1 ? rem : NULL);
      tree_leaf(&g->empty, p, w == 2 ? rem : NULL);
    } else {
      tree_leaf(&g->used, p, NULL);
      tree_leaf(&g->empty, p, NULL);
    }
  }
  tree_build(&g->used);
  tree_build(&g->empty);
  g->used.minima = g->empty.minima = g->kind != VMP__GK_FF;
  return 0;
}

/* ---- scores ---------------------------------------------------------------------------- */

/* The measure of vector x (already weighted, >= 0). */
static inline double measure(int meas, const double *x, uint32_t R) {
  double s;
  switch (meas) {
    case VMP__GM_MAX:
      s = 0.0;
      for (uint32_t r = 0; r < R; r++)
        if (x[r] > s) s = x[r];
      return s;
    case VMP__GM_SUM:
      s = 0.0;
      for (uint32_t r = 0; r < R; r++) s += x[r];
      return s;
    case VMP__GM_L2:
      s = 0.0;
      for (uint32_t r = 0; r < R; r++) s += x[r] * x[r];
      return s;
    default:
      s = 1.0;
      for (uint32_t r = 0; r < R; r++) s *= x[r];
      return s;
  }
}

/* Score to minimise of placing demand d on a host whose remaining capacity
 * is rem (a leaf), or a bound on it over a subtree with component-wise
 * max mx and min mn. */
static double score_bound(const vmp__greedy *g, const double *mx, const double *mn,
                          const double *d) {
  const uint32_t R = g->m->nres;
  const double *w = g->w[g->weighting];
  double x[VMP__MAX_RESOURCES], s = 0.0;
  switch (g->kind) {
    case VMP__GK_BF:
      for (uint32_t r = 0; r < R; r++) {
        double v = mn[r] - d[r];
        x[r] = w[r] * (v > 0.0 ? v : 0.0);
      }
      return measure(g->measure, x, R);
    case VMP__GK_WF:
      for (uint32_t r = 0; r < R; r++) {
        double v = mx[r] - d[r];
        x[r] = w[r] * (v > 0.0 ? v : 0.0);
      }
      return -measure(g->measure, x, R);
    case VMP__GK_DOT:
      for (uint32_t r = 0; r < R; r++) s += w[r] * w[r] * d[r] * (mx[r] > 0.0 ? mx[r] : 0.0);
      return -s;
    case VMP__GK_COS: {
      /* Over a subtree, the dot product is at most the one with the
       * largest room, and the room's length at least the one of the
       * smallest room a fitting host can have (never below the demand). */
      double xy = 0.0, xx = 0.0, yy = 0.0;
      for (uint32_t r = 0; r < R; r++) {
        double a = w[r] * d[r], b = w[r] * (mx[r] > 0.0 ? mx[r] : 0.0);
        double c = w[r] * (mn[r] > d[r] ? mn[r] : d[r]);
        xy += a * b;
        xx += a * a;
        yy += c * c;
      }
      return xx > 0.0 && yy > 0.0 ? -xy / sqrt(xx * yy) : 0.0;
    }
    default: /* NORM */
      for (uint32_t r = 0; r < R; r++) {
        double v = mn[r] - d[r];
        x[r] = w[r] * (v > 0.0 ? v : 0.0);
      }
      return measure(VMP__GM_L2, x, R);
  }
}

/* ---- searches ---------------------------------------------------------------------------- */

typedef struct query {
  vmp__greedy *g;
  const vmp__htree *t;
  size_t i;          /* item; SIZE_MAX: capacity only */
  const double *d;   /* demand with a trailing 0 (presence) */
  size_t nhosts;
  double best;
  size_t best_pos;
  long budget;       /* tree nodes that may still be visited; < 0: no
                        limit */
} query;

static int leaf_ok(query *q, size_t p) {
  uint32_t h = q->g->order[q->g->weighting][p];
  if (q->g->hidden[h]) return 0;
  return q->i == SIZE_MAX || vmp__state_fits(q->g->st, q->i, h);
}

/* Leftmost position >= from in [lo, hi) that covers d and fits. */
static long ff_rec(query *q, size_t node, size_t lo, size_t hi, size_t from) {
  size_t mid;
  long r;
  if (hi <= from || lo >= q->nhosts || q->budget == 0) return -1;
  if (q->budget > 0) q->budget--;
  if (!tree_covers(q->t, node, q->d)) return -1;
  if (hi - lo == 1) return leaf_ok(q, lo) ? (long)lo : -1;
  mid = (lo + hi) / 2;
  if ((r = ff_rec(q, 2 * node, lo, mid, from)) >= 0) return r;
  return ff_rec(q, 2 * node + 1, mid, hi, from);
}

/* Leftmost fitting position >= from, visiting at most budget nodes
 * (< 0: no limit; the budget is decremented). */
static long first_fit_budget(vmp__greedy *g, const vmp__htree *t, size_t i, const double *d,
                             size_t from, long *budget) {
  query q = {g, t, i, d, g->m->nhosts, 0, 0, *budget};
  long p;
  if (!g->m->nhosts) return -1;
  p = ff_rec(&q, 1, 0, t->size, from);
  *budget = q.budget;
  return p;
}

static long first_fit(vmp__greedy *g, const vmp__htree *t, size_t i, const double *d,
                      size_t from) {
  long unlimited = -1;
  return first_fit_budget(g, t, i, d, from, &unlimited);
}

/* The first position >= from whose host has room for d (capacity only). */
static long next_host(vmp__greedy *g, const vmp__htree *t, const double *d, size_t from) {
  return first_fit(g, t, SIZE_MAX, d, from);
}

/* Branch and bound for the smallest score; ties go to the leftmost. */
static void bb_rec(query *q, size_t node, size_t lo, size_t hi, double lb) {
  const vmp__htree *t = q->t;
  const uint32_t D = t->dims;
  size_t mid;
  double lbl, lbr;
  if (lb > q->best || (lb == q->best && lo > q->best_pos)) return;
  if (q->budget == 0) return;
  if (q->budget > 0) q->budget--;
  if (hi - lo == 1) {
    if (leaf_ok(q, lo) && (lb < q->best || lo < q->best_pos)) {
      q->best = lb;
      q->best_pos = lo;
    }
    return;
  }
  mid = (lo + hi) / 2;
  lbl = lbr = HUGE_VAL;
  if (lo < q->nhosts && tree_covers(t, 2 * node, q->d))
    lbl = score_bound(q->g, t->mx + 2 * node * D, t->mn + 2 * node * D, q->d);
  if (mid < q->nhosts && tree_covers(t, 2 * node + 1, q->d))
    lbr = score_bound(q->g, t->mx + (2 * node + 1) * D, t->mn + (2 * node + 1) * D, q->d);
  if (lbr < lbl) {
    if (lbr < HUGE_VAL) bb_rec(q, 2 * node + 1, mid, hi, lbr);
    if (lbl < HUGE_VAL) bb_rec(q, 2 * node, lo, mid, lbl);
  } else {
    if (lbl < HUGE_VAL) bb_rec(q, 2 * node, lo, mid, lbl);
    if (lbr < HUGE_VAL) bb_rec(q, 2 * node + 1, mid, hi, lbr);
  }
}

static long best_fit(vmp__greedy *g, const vmp__htree *t, size_t i, const double *d) {
  query q = {g, t, i, d, g->m->nhosts, HUGE_VAL, (size_t)-1,
             g->bb_budget > 0 ? g->bb_budget : -1};
  const uint32_t D = t->dims;
  if (!g->m->nhosts || !tree_covers(t, 1, d)) return -1;
  bb_rec(&q, 1, 0, t->size, score_bound(g, t->mx + D, t->mn + D, d));
  return q.best < HUGE_VAL ? (long)q.best_pos : -1;
}

double vmp__greedy_soft_delta(const vmp__state *st, size_t i, size_t h) {
  const vmp__model *m = st->m;
  double s = vmp__model_soft(m, i, h);
  for (uint32_t k = m->item_sgroups_start[i]; k < m->item_sgroups_start[i + 1]; k++) {
    const vmp__mgroup *gr = &m->groups[m->item_sgroups[k]];
    uint32_t d = vmp__model_dom(m, gr->scope, h), cnt = 0;
    int any = 0;
    for (uint32_t j = 0; j < gr->nitems; j++) {
      uint32_t o = gr->items[j];
      int32_t oh;
      if (o == i || (oh = st->host[o]) < 0) continue;
      any = 1;
      if (vmp__model_dom(m, gr->scope, (size_t)oh) == d) cnt++;
    }
    if (gr->policy == VMP_ANTI_AFFINITY)
      s += gr->weight * cnt;
    else if (any && cnt == 0)
      s += gr->weight;
  }
  return s;
}

/* Tree nodes visited when looking for a softer tie (a few dozen hosts). */
#define SOFT_LOOKAHEAD 512

/* Soft terms break ties: the rule chose position p of tree t; look at a
 * few more fitting hosts that cost the same to use and keep the one with
 * the least soft penalty. */
static long soft_tiebreak(vmp__greedy *g, const vmp__htree *t, size_t i, const double *d,
                          long p, int empty) {
  const uint32_t *order = g->order[g->weighting];
  const double *eff = g->eff[g->weighting];
  double best = vmp__greedy_soft_delta(g->st, i, order[p]);
  long bestp = p, q = -1, budget = SOFT_LOOKAHEAD;
  if (best <= 0.0) return p;
  while (budget > 0) {
    double s;
    q = first_fit_budget(g, t, i, d, (size_t)(q + 1), &budget);
    if (q < 0) break;
    if (q == p) continue;
    if (empty && eff[order[q]] != eff[order[p]]) continue;
    s = vmp__greedy_soft_delta(g->st, i, order[q]);
    if (s < best) {
      best = s;
      bestp = q;
      if (s <= 0.0) break;
    }
  }
  return bestp;
}

/* First fit resumes where the last item of the same demand and allowed
 * class landed: while an insert run only adds load, no host before that
 * one can have room for it.  The cache is a small direct-mapped table;
 * a collision just loses the hint.  NULL when not in an insert run. */
static struct ffc *ff_cache(vmp__greedy *g, size_t i, int phase) {
  const vmp__model *m = g->m;
  const double *d = m->idem + i * m->nres;
  uint32_t a = m->item_aclass[i];
  uint64_t h = (UINT64_C(1469598103934665603) ^ a) + (uint64_t)phase;
  struct ffc *c;
  if (!g->ff_cache_on || !g->nffc) return NULL;
  for (uint32_t r = 0; r < m->nres; r++) {
    uint64_t u;
    memcpy(&u, &d[r], sizeof u);
    h = (h ^ u) * UINT64_C(1099511628211);
    h ^= h >> 29;
  }
  c = &g->ffc[h & (g->nffc - 1)];
  if (c->gen == g->ff_gen && c->hash == h && c->aclass == a && c->phase == phase) {
    const double *e = m->idem + (size_t)c->item * m->nres;
    if (!memcmp(d, e, m->nres * sizeof *d)) return c;
  }
  c->gen = g->ff_gen;
  c->hash = h;
  c->aclass = a;
  c->phase = phase;
  c->item = (uint32_t)i;
  c->pos = 0;
  return c;
}

static long cached_first_fit(vmp__greedy *g, const vmp__htree *t, size_t i, const double *d,
                             int phase) {
  const vmp__model *m = g->m;
  struct ffc *c = ff_cache(g, i, phase);
  long p = first_fit(g, t, i, d, c ? c->pos : 0);
  /* Only an item that no group held back may vouch for the hosts it
   * skipped. */
  if (c && p >= 0 && m->item_groups_start[i] == m->item_groups_start[i + 1])
    c->pos = (uint32_t)p;
  return p;
}

/* Restricted items: scan their (few) allowed hosts in position order. */
static int32_t choose_small(vmp__greedy *g, size_t i, const double *d) {
  const vmp__model *m = g->m;
  uint32_t a = m->item_aclass[i];
  const uint32_t *l = g->alist[g->weighting][a];
  uint32_t n = g->alist_n[g->weighting][a];
  int32_t best = -1, first_empty = -1;
  double bs = HUGE_VAL, bsoft = HUGE_VAL;
  for (uint32_t k = 0; k < n; k++) {
    uint32_t h = l[k];
    double s, soft;
    if (g->hidden[h] || !vmp__state_fits(g->st, i, h)) continue;
    if (g->st->count[h] == 0) {
      if (first_empty < 0) first_empty = (int32_t)h;
      continue;
    }
    if (g->kind == VMP__GK_FF) {
      s = 0.0;
    } else {
      const double *rem = host_rem(g, h);
      s = score_bound(g, rem, rem, d);
    }
    soft = g->has_soft[i] ? vmp__greedy_soft_delta(g->st, i, h) : 0.0;
    if (s < bs || (s == bs && soft < bsoft)) {
      bs = s;
      bsoft = soft;
      best = (int32_t)h;
    }
  }
  return best >= 0 ? best : first_empty;
}

static int32_t choose(vmp__greedy *g, size_t i, int used_only) {
  const vmp__model *m = g->m;
  double d[VMP__MAX_RESOURCES + 1];
  long p;
  if (m->item_unplaceable[i] || !m->nhosts) return -1;
  memcpy(d, m->idem + i * m->nres, m->nres * sizeof *d);
  d[m->nres] = 0.0;
  if (g->alist[g->weighting][m->item_aclass[i]]) {
    int32_t h = choose_small(g, i, d);
    return h >= 0 && used_only && g->st->count[h] == 0 ? -1 : h;
  }
  if (g->kind == VMP__GK_FF) {
    p = cached_first_fit(g, &g->used, i, d, 0);
  } else {
    p = best_fit(g, &g->used, i, d);
  }
  if (p >= 0) {
    if (g->has_soft[i]) p = soft_tiebreak(g, &g->used, i, d, p, 0);
    return (int32_t)g->order[g->weighting][p];
  }
  if (used_only) return -1;
  /* Empty hosts never gain room during an insert run either. */
  p = cached_first_fit(g, &g->empty, i, d, 1);
  if (p < 0) return -1;
  if (g->has_soft[i]) p = soft_tiebreak(g, &g->empty, i, d, p, 1);
  return (int32_t)g->order[g->weighting][p];
}

int32_t vmp__greedy_choose(vmp__greedy *g, size_t i) { return choose(g, i, 0); }

void vmp__greedy_set_search_budget(vmp__greedy *g, long nodes) {
  g->bb_budget = nodes > 0 ? nodes : 0;
}

int32_t vmp__greedy_choose_used(vmp__greedy *g, size_t i) { return choose(g, i, 1); }

void vmp__greedy_place_at(vmp__greedy *g, size_t i, size_t h) {
  vmp__state_place(g->st, i, h);
  vmp__greedy_refresh(g, h);
}

void vmp__greedy_unplace(vmp__greedy *g, size_t i) {
  int32_t h = g->st->host[i];
  if (h < 0) return;
  vmp__state_unplace(g->st, i);
  vmp__greedy_refresh(g, (size_t)h);
}

int32_t vmp__greedy_place(vmp__greedy *g, size_t i) {
  int32_t h = vmp__greedy_choose(g, i);
  if (h >= 0) vmp__greedy_place_at(g, i, (size_t)h);
  return h;
}

/* ---- item order -------------------------------------------------------------------------- */

int vmp__greedy_scratch(vmp__greedy *g, size_t n) {
  if (g->scratch_n >= n && g->k1) return 0;
  free(g->k1);
  free(g->k2);
  free(g->v2);
  g->k1 = malloc((n + 1) * sizeof *g->k1);
  g->k2 = malloc((n + 1) * sizeof *g->k2);
  g->v2 = malloc((n + 1) * sizeof *g->v2);
  g->scratch_n = n;
  if (!g->k1 || !g->k2 || !g->v2) {
    g->scratch_n = 0;
    return vmp__enomem();
  }
  return 0;
}

/* Stable LSD radix sort of (k[j], v[j]) by k ascending; byte passes where
 * every key agrees are skipped. */
void vmp__radix_sort(uint64_t *k, uint32_t *v, uint64_t *k2, uint32_t *v2, size_t n) {
  for (int shift = 0; shift < 64; shift += 8) {
    size_t cnt[256] = {0}, sum = 0;
    int one = 0;
    for (size_t j = 0; j < n; j++) cnt[(k[j] >> shift) & 255]++;
    for (int b = 0; b < 256; b++)
      if (cnt[b] == n) one = 1;
    if (one) continue;
    for (int b = 0; b < 256; b++) {
      size_t c = cnt[b];
      cnt[b] = sum;
      sum += c;
    }
    for (size_t j = 0; j < n; j++) {
      size_t at = cnt[(k[j] >> shift) & 255]++;
      k2[at] = k[j];
      v2[at] = v[j];
    }
    memcpy(k, k2, n * sizeof *k);
    memcpy(v, v2, n * sizeof *v);
  }
}


static double item_size(const vmp__greedy *g, size_t i, int meas, int wt) {
  const vmp__model *m = g->m;
  double x[VMP__MAX_RESOURCES];
  for (uint32_t r = 0; r < m->nres; r++) x[r] = g->w[wt][r] * m->idem[i * m->nres + r];
  return measure(meas, x, m->nres);
}

static void sort_by(vmp__greedy *g, uint32_t *items, size_t n, int meas, int wt) {
  const vmp__model *m = g->m;
  /* Least significant first: index, size (descending), tier
   * (descending), priority penalty (descending). */
  for (size_t j = 0; j < n; j++) g->k1[j] = items[j];
  vmp__radix_sort(g->k1, items, g->k2, g->v2, n);
  for (size_t j = 0; j < n; j++) g->k1[j] = ~vmp__dkey(item_size(g, items[j], meas, wt));
  vmp__radix_sort(g->k1, items, g->k2, g->v2, n);
  for (size_t j = 0; j < n; j++) g->k1[j] = (uint64_t)(255 - g->tier[items[j]]);
  vmp__radix_sort(g->k1, items, g->k2, g->v2, n);
  for (size_t j = 0; j < n; j++) g->k1[j] = ~vmp__dkey(m->item_pen[items[j]]);
  vmp__radix_sort(g->k1, items, g->k2, g->v2, n);
}

void vmp__greedy_sort(vmp__greedy *g, int rule, uint32_t *items, size_t n) {
  int meas, wt;
  vmp__greedy_rule_parts(rule, NULL, &meas, &wt);
  if (vmp__greedy_scratch(g, n)) {
    /* Out of memory for the scratch: keep the given order (still a valid,
     * if weaker, order). */
    return;
  }
  sort_by(g, items, n, meas, wt);
}

/* ---- bin-centric rules -------------------------------------------------------------------- */

typedef struct bucket {
  uint32_t start, end;     /* into the sorted pending list */
  uint32_t left;           /* unplaced items in it */
  uint32_t skip_host;      /* host+1 on which no member passed the groups */
} bucket;

typedef struct bin_ctx {
  vmp__greedy *g;
  const uint32_t *list;    /* pending items by bucket */
  bucket *b;
  uint32_t nb;
  double *dmin;            /* [nres + 1] component-wise min over live buckets */
} bin_ctx;

typedef struct bkey {
  uint32_t aclass;
  uint32_t item;
  double pen;
  const double *dem;
  uint32_t nres;
} bkey;

static int cmp_bkey(const void *a, const void *b) {
  const bkey *x = a, *y = b;
  int c;
  if (x->aclass != y->aclass) return x->aclass < y->aclass ? -1 : 1;
  if (x->pen != y->pen) return x->pen > y->pen ? -1 : 1;
  c = memcmp(x->dem, y->dem, x->nres * sizeof *x->dem);
  if (c) return c;
  return (x->item > y->item) - (x->item < y->item);
}

static void bin_dmin(bin_ctx *c) {
  const vmp__model *m = c->g->m;
  for (uint32_t r = 0; r <= m->nres; r++) c->dmin[r] = HUGE_VAL;
  c->dmin[m->nres] = 0.0;
  for (uint32_t k = 0; k < c->nb; k++) {
    const double *d;
    if (!c->b[k].left) continue;
    d = m->idem + (size_t)c->list[c->b[k].start] * m->nres;
    for (uint32_t r = 0; r < m->nres; r++)
      if (d[r] < c->dmin[r]) c->dmin[r] = d[r];
  }
}

/* Fills host h from the pending buckets; returns items placed. */
static size_t bin_fill(bin_ctx *c, uint32_t h) {
  vmp__greedy *g = c->g;
  const vmp__model *m = g->m;
  const uint32_t R = m->nres;
  size_t placed = 0;
  for (;;) {
    const double *rem = host_rem(g, h);
    double rr[VMP__MAX_RESOURCES];
    int32_t bestk = -1;
    double bpen = -1.0, bsoft = HUGE_VAL, bscore = HUGE_VAL;
    uint32_t chosen = UINT32_MAX;
    memcpy(rr, rem, R * sizeof *rr);
    for (uint32_t k = 0; k < c->nb; k++) {
      bucket *b = &c->b[k];
      uint32_t i0;
      const double *d;
      double s = 0.0, soft = 0.0;
      uint32_t r;
      if (!b->left || b->skip_host == h + 1) continue;
      i0 = c->list[b->start];
      if (!vmp__model_allowed(m, i0, h)) continue;
      d = m->idem + (size_t)i0 * R;
      for (r = 0; r < R && d[r] <= rr[r]; r++) {}
      if (r < R) continue;
      if (m->item_pen[i0] < bpen) continue;
      s = score_bound(g, rr, rr, d);
      if (g->has_soft[i0]) soft = vmp__greedy_soft_delta(g->st, i0, h);
      if (m->item_pen[i0] > bpen || soft < bsoft || (soft == bsoft && s < bscore)) {
        bpen = m->item_pen[i0];
        bsoft = soft;
        bscore = s;
        bestk = (int32_t)k;
      }
    }
    if (bestk < 0) return placed;
    {
      bucket *b = &c->b[bestk];
      for (uint32_t j = b->start; j < b->end; j++) {
        uint32_t i = c->list[j];
        if (g->st->host[i] >= 0) continue;
        if (vmp__state_fits(g->st, i, h)) {
          chosen = i;
          break;
        }
      }
      if (chosen == UINT32_MAX) {
        b->skip_host = h + 1;
        continue;
      }
      vmp__greedy_place_at(g, chosen, h);
      placed++;
      /* Keep the bucket's first unplaced member at its start. */
      while (b->start < b->end && g->st->host[c->list[b->start]] >= 0) b->start++;
      if (--b->left == 0) bin_dmin(c);
    }
  }
}

static int insert_bin(vmp__greedy *g, const uint32_t *items, size_t n, size_t *placed) {
  const vmp__model *m = g->m;
  bkey *keys = malloc((n + 1) * sizeof *keys);
  uint32_t *list = malloc((n + 1) * sizeof *list);
  bucket *b = malloc((n + 1) * sizeof *b);
  double dmin[VMP__MAX_RESOURCES + 1];
  bin_ctx c;
  uint32_t nb = 0;
  if (!keys || !list || !b) {
    free(keys);
    free(list);
    free(b);
    return vmp__enomem();
  }
  for (size_t j = 0; j < n; j++) {
    uint32_t i = items[j];
    keys[j].aclass = m->item_aclass[i];
    keys[j].item = i;
    keys[j].pen = m->item_pen[i];
    keys[j].dem = m->idem + (size_t)i * m->nres;
    keys[j].nres = m->nres;
  }
  qsort(keys, n, sizeof *keys, cmp_bkey);
  for (size_t j = 0; j < n; j++) {
    list[j] = keys[j].item;
    if (j == 0 || keys[j].aclass != keys[j - 1].aclass || keys[j].pen != keys[j - 1].pen ||
        memcmp(keys[j].dem, keys[j - 1].dem, m->nres * sizeof(double))) {
      b[nb].start = (uint32_t)j;
      b[nb].left = 0;
      b[nb].skip_host = 0;
      nb++;
    }
    b[nb - 1].end = (uint32_t)j + 1;
    b[nb - 1].left++;
  }
  free(keys);
  c.g = g;
  c.list = list;
  c.b = b;
  c.nb = nb;
  c.dmin = dmin;
  bin_dmin(&c);
  /* Used hosts first (they cost nothing more), then empty hosts in order
   * of cost efficiency; each host is filled until nothing more fits. */
  for (int phase = 0; phase < 2; phase++) {
    const vmp__htree *t = phase == 0 ? &g->used : &g->empty;
    size_t from = 0;
    while (*placed < n && m->nhosts) {
      long p;
      size_t got;
      /* The next host that could hold the smallest pending demand. */
      p = next_host(g, t, dmin, from);
      if (p < 0) break;
      from = (size_t)p + 1;
      {
        uint32_t h = g->order[g->weighting][p];
        if (g->hidden[h]) continue;
        got = bin_fill(&c, h);
        *placed += got;
      }
    }
  }
  free(list);
  free(b);
  return 0;
}

/* ---- insertion ------------------------------------------------------------------------------ */

int vmp__greedy_insert(vmp__state *st, const uint32_t *items, size_t n, int rule,
                       int flags, vmp__greedy *ws) {
  const vmp__model *m = st->m;
  vmp__greedy *g = ws;
  uint32_t *list;
  size_t k = 0, placed = 0;
  int rc;
  if (!g && (rc = vmp__greedy_new(m, &g))) return rc;
  if ((rc = vmp__greedy_bind(g, st, rule))) goto out;
  list = malloc((n + 1) * sizeof *list);
  if (!list) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t j = 0; j < n; j++) {
    uint32_t i = items[j];
    if (i < m->nitems && st->host[i] < 0 && !m->item_unplaceable[i]) list[k++] = i;
  }
  if (!(flags & VMP__GREEDY_KEEP_ORDER)) vmp__greedy_sort(g, rule, list, k);
  if (flags & VMP__GREEDY_STAY) {
    size_t j2 = 0;
    for (size_t j = 0; j < k; j++) {
      uint32_t i = list[j];
      int32_t c = m->item_cur[i];
      if (c >= 0 && !g->hidden[c] && vmp__state_fits(st, i, (size_t)c)) {
        vmp__greedy_place_at(g, i, (size_t)c);
        placed++;
      } else {
        list[j2++] = i;
      }
    }
    k = j2;
  }
  if (g->kind >= VMP__GK_DOT) {
    size_t got = 0;
    rc = insert_bin(g, list, k, &got);
    placed += got;
  } else {
    rc = 0;
    if (!g->ffc) {
      g->nffc = 4096;
      if (!(g->ffc = calloc(g->nffc, sizeof *g->ffc))) g->nffc = 0;
    }
    g->ff_gen++;
    g->ff_cache_on = 1;
    for (size_t j = 0; j < k; j++)
      if (vmp__greedy_place(g, list[j]) >= 0) placed++;
    g->ff_cache_on = 0;
  }
  free(list);
out:
  if (g != ws) vmp__greedy_free(g);
  return rc ? rc : (int)(placed > INT32_MAX ? INT32_MAX : placed);
}
