/*
 * greedy: a portfolio of the packing kernel's rules (packing.h), best
 * result kept, then iterated-greedy passes that re-pack every item in an
 * order drawn from the best placements so far.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hardcons.h"
#include "packing_impl.h"

/* ---- the portfolio solver -------------------------------------------------------------------- */

/* The portfolio's default order when the problem is too large for every
 * rule: first fit under each weighting (each weighting also orders the
 * hosts by a different cost efficiency, which matters most on
 * heterogeneous hosts), then the searches that cost more. */
static const char *const auto_order[] = {
    "ffd_max_avg", "ffd_l2_avg", "ffd_sum_rem", "ffd_max_rem", "bfd_l2_avg",
    "dot_avg",     "ffd_l2_unit", "bfd_max_rem", "ffd_prod_avg", "wfd_l2_avg",
};

/* What the default portfolio may spend, in item placements: a first-fit
 * rule costs one per item, a best or worst fit (a branch and bound over
 * the host tree) about three, and a bin-centric rule is only run on
 * problems of at most BIN_CENTRIC_MAX_ITEMS items.  Problems small enough
 * run every rule. */
#define AUTO_BUDGET 4.0e6
#define BIN_CENTRIC_MAX_ITEMS 20000
#define ALL_RULES_MAX_ITEMS 5000
/* Iterated greedy on problems of up to ALL_RULES_MAX_ITEMS items: the item
 * placements its passes may spend (at most ITERATE_MAX passes), and the
 * noise on host fills when ranking hosts. */
#define ITERATE_BUDGET 32000.0
#define ITERATE_MAX 400
#define ITERATE_NOISE 0.1
/* Chains of passes: one from each of this many best placements. */
#define ITERATE_STARTS 4

static int param_rules(const char *value) {
  int ids[VMP__GREEDY_NRULES];
  if (!strcmp(value, "auto")) return 0;
  return vmp__greedy_parse_rules(value, ids) < 0 ? VMP_EINVAL : 0;
}

/* The online placer uses exactly one rule: "auto", "all" or lists are
 * refused rather than silently replaced by the default. */
static int param_online_rule(const char *value) {
  if (vmp__greedy_rule_find(value) >= 0) return 0;
  return vmp__error(VMP_EINVAL,
                    "greedy.online_rule: unknown rule \"%s\" (expected one "
                    "rule name, e.g. bfd_l2_avg, ffd_max_rem, dot_avg)",
                    value);
}

static const vmp__param_spec greedy_params[] = {
    {"greedy.rules", VMP_PARAM_STRING, 0, 0, "auto",
     "comma-separated rules the portfolio runs (ffd|bfd|wfd_max|sum|l2|prod_"
     "unit|avg|rem, dot|norm|cos_unit|avg|rem, all); auto: as many of the best "
     "as the problem's size allows",
     param_rules},
    {"greedy.restarts", VMP_PARAM_INT, -1, 1e6, "-1",
     "iterated-greedy passes after the rules (every item re-packed host by "
     "host, hosts in a random order, in chains from the four best "
     "placements); -1: automatic, as many as 32,000 item placements allow "
     "on problems of up to 5,000 items (at most 400)",
     NULL},
    {"greedy.online_rule", VMP_PARAM_STRING, 0, 0, "bfd_l2_avg",
     "the rule vmp_place and solve --incremental use for each arriving VM "
     "(one rule name)",
     param_online_rule},
};

/* The rules to run: the parameter's list, or the budgeted default. */
static int portfolio(const vmp__ctx *ctx, int *ids) {
  const vmp__model *m = ctx->m;
  const char *text = vmp__param_str(ctx, "greedy.rules", "auto");
  double work = 0.0, per = (double)(m->nitems ? m->nitems : 1);
  int n = 0;
  if (strcmp(text, "auto")) return vmp__greedy_parse_rules(text, ids);
  if (m->nitems <= ALL_RULES_MAX_ITEMS) {
    /* The preferred rules first, so that a time limit keeps them. */
    for (size_t k = 0; k < sizeof auto_order / sizeof *auto_order; k++)
      ids[n++] = vmp__greedy_rule_find(auto_order[k]);
    for (int id = 0; id < VMP__GREEDY_NRULES; id++) {
      int dup = 0;
      for (int k = 0; k < n; k++) dup |= ids[k] == id;
      if (!dup) ids[n++] = id;
    }
    return n;
  }
  for (size_t k = 0; k < sizeof auto_order / sizeof *auto_order; k++) {
    int id = vmp__greedy_rule_find(auto_order[k]), kind;
    double cost;
    vmp__greedy_rule_parts(id, &kind, NULL, NULL);
    if (kind >= VMP__GK_DOT && m->nitems > BIN_CENTRIC_MAX_ITEMS)
      continue;
    cost = per * (kind == VMP__GK_FF ? 1.0 : 3.0);
    if (n > 0 && work + cost > AUTO_BUDGET) continue;
    ids[n++] = id;
    work += cost;
  }
  return n;
}

static int any_current(const vmp__model *m) {
  if (m->w.migrations <= 0.0) return 0;
  for (size_t i = 0; i < m->nitems; i++)
    if (m->item_cur[i] >= 0) return 1;
  return 0;
}

/* The (up to) four best item-centric rules of the portfolio, best first,
 * as indices into ids; returns how many. */
static int best_item_rules(const int *ids, const double *objs, int nrules, int *top) {
  int ntop = 0;
  for (int pass = 0; pass < 4; pass++) {
    int bk = -1;
    for (int k = 0; k < nrules; k++) {
      int kind, dup = 0;
      vmp__greedy_rule_parts(ids[k], &kind, NULL, NULL);
      for (int j = 0; j < ntop; j++) dup |= top[j] == k;
      if (dup || kind > VMP__GK_WF || objs[k] == HUGE_VAL) continue;
      if (bk < 0 || objs[k] < objs[bk]) bk = k;
    }
    if (bk >= 0) top[ntop++] = bk;
  }
  return ntop;
}

/* How full host h is: its load relative to its capacity, summed over
 * resources. */
static double host_fill(const vmp__model *m, const double *load, size_t h) {
  double f = 0.0;
  for (uint32_t r = 0; r < m->nres; r++) {
    double c = m->cap[h * m->nres + r];
    if (c > 0.0) f += load[h * m->nres + r] / c;
  }
  return f;
}

/* Iterated greedy: what a pass needs besides the workspace. */
typedef struct iter_ctx {
  const vmp__model *m;
  int32_t *cur;           /* [nitems] the placement being re-packed */
  double *load;           /* [nhosts * nres] its loads */
  uint64_t *hkey;         /* [nhosts] host sort keys */
  uint32_t *hosts;        /* [nhosts] used hosts, then sorted */
  uint32_t *rank;         /* [nhosts] 1 + position of a used host */
  uint32_t *count;        /* [nhosts + 2] counting sort */
  uint32_t *order;        /* [nitems] the pass's item order */
  int pen_varies;         /* items have different unplaced penalties */
  int tier_varies;        /* items have different restriction tiers */
} iter_ctx;

static void iter_free(iter_ctx *c) {
  VMP__FREE_ALL(c->cur, c->load, c->hkey, c->hosts, c->rank, c->count, c->order);
}

static int iter_init(iter_ctx *c, const vmp__greedy *g, const vmp__model *m) {
  size_t H = m->nhosts + 2;
  memset(c, 0, sizeof *c);
  c->m = m;
  c->cur = malloc((m->nitems + 1) * sizeof *c->cur);
  c->load = malloc((H * m->nres + 1) * sizeof *c->load);
  c->hkey = malloc(H * sizeof *c->hkey);
  c->hosts = malloc(H * sizeof *c->hosts);
  c->rank = malloc(H * sizeof *c->rank);
  c->count = malloc(H * sizeof *c->count);
  c->order = malloc((m->nitems + 1) * sizeof *c->order);
  if (!c->cur || !c->load || !c->hkey || !c->hosts || !c->rank || !c->count || !c->order) {
    iter_free(c);
    return vmp__enomem();
  }
  for (size_t i = 1; i < m->nitems; i++) {
    if (m->item_pen[i] != m->item_pen[0]) c->pen_varies = 1;
    if (g->tier[i] != g->tier[0]) c->tier_varies = 1;
  }
  return 0;
}

/* The item order of a pass: the items of c->cur host by host, hosts in an
 * order drawn at random (fullest first, shuffled, or emptiest first; fills
 * perturbed so that equal hosts vary), items within a host in `base` order
 * (the rule's); unplaced items first.  As in the rule's own order, scarce
 * items (restriction tier) and then high-priority ones come before all
 * that: taking them host by host could leave a pinned or narrowly allowed
 * VM without room. */
static void iter_order(iter_ctx *c, vmp__greedy *g, const uint32_t *base, vmp__rng *rng) {
  const vmp__model *m = c->m;
  const uint32_t R = m->nres;
  int how = (int)vmp__rng_below(rng, 3);
  size_t nh = 0;
  memset(c->load, 0, m->nhosts * R * sizeof *c->load);
  for (size_t h = 0; h < m->nhosts; h++) c->rank[h] = 0;
  for (size_t i = 0; i < m->nitems; i++) {
    int32_t h = c->cur[i];
    if (h < 0) continue;
    if (!c->rank[h]) {
      c->rank[h] = 1;
      c->hosts[nh++] = (uint32_t)h;
    }
    for (uint32_t r = 0; r < R; r++) c->load[(size_t)h * R + r] += m->idem[i * R + r];
  }
  for (size_t k = 0; k < nh; k++) {
    double f = host_fill(m, c->load, c->hosts[k]) *
               (1.0 + ITERATE_NOISE * (2.0 * vmp__rng_unit(rng) - 1.0));
    c->hkey[k] = how == 0 ? ~vmp__dkey(f) : how == 1 ? vmp__rng_next(rng) : vmp__dkey(f);
  }
  vmp__radix_sort(c->hkey, c->hosts, g->k2, g->v2, nh);
  for (size_t k = 0; k < nh; k++) c->rank[c->hosts[k]] = (uint32_t)k + 1;
  /* A stable counting sort by host rank keeps `base` order within hosts. */
  memset(c->count, 0, (nh + 2) * sizeof *c->count);
  for (size_t i = 0; i < m->nitems; i++) c->count[(c->cur[i] >= 0 ? c->rank[c->cur[i]] : 0) + 1]++;
  for (size_t k = 1; k <= nh + 1; k++) c->count[k] += c->count[k - 1];
  for (size_t j = 0; j < m->nitems; j++) {
    uint32_t i = base[j];
    c->order[c->count[c->cur[i] >= 0 ? c->rank[c->cur[i]] : 0]++] = i;
  }
  if (c->tier_varies) {
    for (size_t j = 0; j < m->nitems; j++) g->k1[j] = (uint64_t)(255 - g->tier[c->order[j]]);
    vmp__radix_sort(g->k1, c->order, g->k2, g->v2, m->nitems);
  }
  if (c->pen_varies) {
    for (size_t j = 0; j < m->nitems; j++) g->k1[j] = ~vmp__dkey(m->item_pen[c->order[j]]);
    vmp__radix_sort(g->k1, c->order, g->k2, g->v2, m->nitems);
  }
}

/* Sum of squared host fills: higher when load is concentrated on fewer
 * hosts (Falkenauer's measure). */
static double concentration(const vmp__state *st) {
  const vmp__model *m = st->m;
  double s = 0.0;
  for (size_t h = 0; h < m->nhosts; h++) {
    double f;
    if (!st->count[h]) continue;
    f = host_fill(m, st->load, h);
    s += f * f;
  }
  return s;
}

/* The best placements of the portfolio, best first: iterated greedy
 * starts a chain of passes from each. */
typedef struct starts {
  int32_t *host;                      /* [ITERATE_STARTS * nitems] */
  double obj[ITERATE_STARTS];
  int n;
} starts;

/* Keeps placement `host` of objective obj if it is among the best
 * ITERATE_STARTS so far (ties keep the earlier one).  Many rules end in
 * the same placement; a copy would only start a chain where another
 * already starts, so copies are dropped. */
static void starts_keep(starts *s, size_t nitems, const int32_t *host, double obj) {
  int j;
  if (!s->host || obj == HUGE_VAL) return;
  if (s->n == ITERATE_STARTS && obj >= s->obj[s->n - 1]) return;
  for (j = 0; j < s->n; j++)
    if (s->obj[j] == obj && !memcmp(s->host + (size_t)j * nitems, host, nitems * sizeof *host))
      return;
  if (s->n < ITERATE_STARTS) s->n++;
  for (j = s->n - 1; j > 0 && s->obj[j - 1] > obj; j--) {
    s->obj[j] = s->obj[j - 1];
    memcpy(s->host + (size_t)j * nitems, s->host + (size_t)(j - 1) * nitems,
           nitems * sizeof *s->host);
  }
  s->obj[j] = obj;
  memcpy(s->host + (size_t)j * nitems, host, nitems * sizeof *s->host);
}

/* The best objective meets the best lower bound known (the model's, or a
 * better one found before): no rule or pass can do better, so the
 * portfolio stops there. */
static int at_bound(const vmp__ctx *ctx, double best_obj) {
  double tol = 1e-9 * (fabs(best_obj) > 1.0 ? fabs(best_obj) : 1.0);
  return best_obj <= ctx->best_bound + tol;
}

/* Iterated-greedy passes for a problem of m's size (greedy.restarts). */
static long iterate_passes(const vmp__ctx *ctx) {
  const vmp__model *m = ctx->m;
  long n = (long)vmp__param_num(ctx, "greedy.restarts", -1);
  if (n >= 0) return n;
  if (!m->nitems || m->nitems > ALL_RULES_MAX_ITEMS) return 0;
  n = (long)(ITERATE_BUDGET / (double)m->nitems);
  return n < ITERATE_MAX ? n : ITERATE_MAX;
}

/*
 * Iterated greedy (after Culberson's iterated greedy for graph colouring).
 * Each pass re-packs every item with one of the best item-centric rules,
 * taking them host by host of the current placement (iter_order).  On
 * identical hosts without placement rules a pass never needs more hosts
 * than the placement it re-packs: a rule opens a host only when no used
 * host fits, and once the first item of a host's group opens one, the rest
 * of the group fits there too.  Meanwhile items of later hosts fill gaps in
 * earlier ones, so hosts empty out.  A pass replaces the current placement
 * when its objective is lower, or equal with load at least as concentrated,
 * which steers towards emptying a host.
 *
 * A chain of passes tends to settle on one placement, so the passes are
 * split into chains, one from each of the best placements of the portfolio
 * (`from`): different starting points end in different places, and that
 * pays more than a longer single chain.  Seeded, so reproducible.
 */
static int iterate(vmp__ctx *ctx, vmp__greedy *g, vmp__state *st, const int *ids,
                   const double *objs, int nrules, uint32_t *const *sorted, int stay,
                   const starts *from, int32_t *best, double *best_obj, size_t *runs) {
  const vmp__model *m = ctx->m;
  long n = iterate_passes(ctx);
  int top[4], ntop = best_item_rules(ids, objs, nrules, top), rc, chain = -1;
  double cur_obj = HUGE_VAL, cur_conc = -HUGE_VAL;
  iter_ctx c;
  vmp__rng rng;
  if (n <= 0 || !ntop || !from->n) return 0;
  if ((rc = iter_init(&c, g, m))) return rc;
  if ((rc = vmp__greedy_scratch(g, m->nitems > m->nhosts ? m->nitems : m->nhosts))) {
    iter_free(&c);
    return rc;
  }
  vmp__rng_seed(&rng, ctx->seed);
  for (long r = 0; r < n && !rc; r++) {
    int rule = ids[top[r % ntop]], meas, wt;
    double obj, conc;
    if (chain < (int)(r * from->n / n)) {
      chain = (int)(r * from->n / n);
      memcpy(c.cur, from->host + (size_t)chain * m->nitems, m->nitems * sizeof *c.cur);
      cur_obj = from->obj[chain];
      cur_conc = -HUGE_VAL;
    }
    vmp__greedy_rule_parts(rule, NULL, &meas, &wt);
    iter_order(&c, g, sorted[meas * VMP__GREEDY_NW + wt], &rng);
    vmp__state_clear(st);
    if ((rc = vmp__greedy_insert(st, c.order, m->nitems, rule,
                                 VMP__GREEDY_KEEP_ORDER | (stay ? VMP__GREEDY_STAY : 0), g)) < 0)
      break;
    rc = 0;
    (*runs)++;
    obj = vmp__model_objective(m, st->host);
    conc = concentration(st);
    if (obj < cur_obj || (obj == cur_obj && conc >= cur_conc)) {
      cur_obj = obj;
      cur_conc = conc;
      memcpy(c.cur, st->host, m->nitems * sizeof *c.cur);
    }
    if (obj < *best_obj) {
      *best_obj = obj;
      memcpy(best, st->host, m->nitems * sizeof *best);
    }
    if (vmp__ctx_progress(ctx, *best_obj, -HUGE_VAL, *runs, st->placed, 0) ||
        vmp__ctx_should_stop(ctx) || at_bound(ctx, *best_obj))
      break;
  }
  iter_free(&c);
  return rc;
}

static int greedy_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  int ids[VMP__GREEDY_NRULES], nrules, rc = 0, stay = any_current(m), best_rule = -1;
  double objs[VMP__GREEDY_NRULES];
  uint32_t *all = NULL, *sorted[4 * VMP__GREEDY_NW] = {0};
  int32_t *best = NULL, *tmp = NULL;
  double best_obj = HUGE_VAL;
  vmp__greedy *g = NULL;
  vmp__state st;
  vmp__hardcons hd;
  starts from;
  size_t runs = 0;
  memset(&st, 0, sizeof st);
  memset(&hd, 0, sizeof hd);
  memset(&from, 0, sizeof from);
  if ((nrules = portfolio(ctx, ids)) < 0) return nrules;
  for (int k = 0; k < nrules; k++) objs[k] = HUGE_VAL;
  if ((rc = vmp__state_init(&st, m))) return rc;
  if ((rc = vmp__greedy_new(m, &g))) goto done;
  /* Transient resources, spread minimums, dependencies: every rule's
   * placement is repaired to respect them (hardcons.h), and so is the
   * current placement, which is a candidate of its own. */
  if ((rc = vmp__hardcons_init(&hd, m))) goto done;
  if (hd.on) {
    if (!(tmp = malloc((m->nitems + 1) * sizeof *tmp))) {
      rc = vmp__enomem();
      goto done;
    }
    for (size_t i = 0; i < m->nitems; i++) tmp[i] = m->item_cur[i] >= 0 ? m->item_cur[i] : -1;
    if ((rc = vmp__hardcons_repair(&st, &hd, tmp, NULL, ctx))) goto done;
  }
  all = malloc((m->nitems + 1) * sizeof *all);
  best = malloc((m->nitems + 1) * sizeof *best);
  if (iterate_passes(ctx) > 0)
    from.host = malloc(((size_t)ITERATE_STARTS * m->nitems + 1) * sizeof *from.host);
  if (!all || !best || (iterate_passes(ctx) > 0 && !from.host)) {
    rc = vmp__enomem();
    goto done;
  }
  for (size_t i = 0; i < m->nitems; i++) {
    all[i] = (uint32_t)i;
    best[i] = -1;
  }
  if (hd.on) {
    best_obj = vmp__model_objective(m, st.host);
    memcpy(best, st.host, m->nitems * sizeof *best);
    vmp__ctx_log(ctx, VMP_LOG_DEBUG, "greedy: current placement repaired: objective %.10g",
                 best_obj);
  }
  for (int k = 0; k < nrules && !rc; k++) {
    int kind, meas, wt;
    vmp__greedy_rule_parts(ids[k], &kind, &meas, &wt);
    for (int s = 0; s <= stay && !rc; s++) {
      const uint32_t *order = all;
      int flags = s ? VMP__GREEDY_STAY : 0;
      double obj;
      if (kind == VMP__GK_FF || kind == VMP__GK_BF || kind == VMP__GK_WF) {
        /* Rules that share a size measure and weighting share an order:
         * sort once. */
        uint32_t **o = &sorted[meas * VMP__GREEDY_NW + wt];
        if (!*o) {
          if (!(*o = malloc((m->nitems + 1) * sizeof **o))) {
            rc = vmp__enomem();
            break;
          }
          memcpy(*o, all, m->nitems * sizeof **o);
          vmp__greedy_sort(g, ids[k], *o, m->nitems);
        }
        order = *o;
        flags |= VMP__GREEDY_KEEP_ORDER;
      }
      vmp__state_clear(&st);
      if ((rc = vmp__greedy_insert(&st, order, m->nitems, ids[k], flags, g)) < 0) break;
      rc = 0;
      if (hd.on) {
        memcpy(tmp, st.host, m->nitems * sizeof *tmp);
        if ((rc = vmp__hardcons_repair(&st, &hd, tmp, NULL, ctx))) break;
      }
      runs++;
      obj = vmp__model_objective(m, st.host);
      vmp__ctx_log(ctx, VMP_LOG_DEBUG, "greedy: %s%s: objective %.10g, %zu hosts",
                   vmp__greedy_rule_name(ids[k]), s ? " (stay)" : "", obj, st.used);
      if (obj < objs[k]) objs[k] = obj;
      starts_keep(&from, m->nitems, st.host, obj);
      if (obj < best_obj) {
        best_obj = obj;
        best_rule = ids[k];
        memcpy(best, st.host, m->nitems * sizeof *best);
      }
      if (vmp__ctx_progress(ctx, best_obj, -HUGE_VAL, runs, st.placed, 0)) break;
    }
    if (vmp__ctx_should_stop(ctx) || at_bound(ctx, best_obj)) break;
  }
  /* (The iterated passes re-pack without the hard rebalancing
   * constraints: not run when the model has them.) */
  if (!rc && !hd.on && !vmp__ctx_should_stop(ctx) && !at_bound(ctx, best_obj))
    rc = iterate(ctx, g, &st, ids, objs, nrules, sorted, stay, &from, best, &best_obj, &runs);
  if (!rc) {
    memcpy(res->host, best, m->nitems * sizeof *best);
    res->stop_reason = vmp__ctx_should_stop(ctx) ? vmp__ctx_stop_reason(ctx)
                                                 : VMP_STOP_COMPLETED;
    vmp__stats_set(&res->stats, "greedy.rules_run", (double)runs);
    vmp__stats_set(&res->stats, "greedy.best_rule", (double)best_rule);
    vmp__ctx_log(ctx, VMP_LOG_INFO, "greedy: best rule %s of %zu run",
                 vmp__greedy_rule_name(best_rule), runs);
  }
done:
  for (int k = 0; k < 4 * VMP__GREEDY_NW; k++) free(sorted[k]);
  VMP__FREE_ALL(from.host, all, best, tmp);
  vmp__hardcons_free(&hd);
  vmp__greedy_free(g);
  vmp__state_free(&st);
  return rc;
}

const vmp__solver vmp__solver_greedy = {
    "greedy", "portfolio of packing rules (first/best/worst fit, dot product, norm), best kept",
    greedy_solve, greedy_params, sizeof greedy_params / sizeof greedy_params[0],
    VMP__NEED_TRANSIENT | VMP__NEED_SPREAD | VMP__NEED_DEPEND};
