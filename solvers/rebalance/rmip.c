/*
 * The rebalancer's exact stage (rmip.h): on a small model, every VM that
 * may move is re-assigned by GLPK's branch and bound over the whole
 * reassignment model, from the local search's best as incumbent.  It
 * proves that answer optimal, finds a better one, or leaves a lower bound
 * from its tree where the time runs out.
 *
 * Formulation (docs/formulations.md, "Rebalancing: the exact stage"),
 * side j standing for host hs[j], F the free VMs (those not pinned) and
 * "fixed" what the pinned VMs contribute:
 *   x[i][j] binary, sum_j x[i][j] = 1, only where v_i may go to h_j and
 *     fits it alone;
 *   capacity   sum_i d[i][r] x[i][j] <= cap - fixed load;
 *   transient  sum over i not from h_j of d[i][r] x[i][j] <= cap - fixed
 *     transient load - demand of the free VMs from h_j (they hold h_j
 *     wherever they go);
 *   load cost  over[j][r] >= fixed load + sum d x - safety, cost sw[r];
 *   balance    bal[j][b] >= t (cap1 - load1) - (cap2 - load2), cost w_b;
 *   move costs linear in x; the group move cost w_smc * M with M >= each
 *     group's moved count;
 *   host cost  y[j] >= x[i][j], cost w_host * host_cost (a constant where
 *     a pinned VM keeps the host open);
 *   conflict   per set and side: free members <= 1 - fixed members;
 *   spread     z[d] <= free members in domain d (d among the domains
 *     without fixed members), sum z >= what the spread lacks without
 *     them (only when it could lack anything);
 *   dependency per (a, b, domain d without fixed VMs of b): every free VM
 *     of a in d needs a free VM of b in d, and if fixed VMs of a stay in
 *     d, some VM of b must.
 * Every term of the model is in the objective, so an optimum of the MIP is
 * an optimum of the model; before GLPK runs, the MIP's objective of the
 * incumbent is compared with the engine's own price of it, and a
 * mismatch (a term this file would price differently) skips the stage.
 * The formulation is checked against brute force in test_rebalance.
 *
 * GLPK is driven as ilp.c does (glpk_util.h guard, no output).  Without a
 * deadline its tree is limited by nodes, never by time, so that a move
 * budget still gives the same answer at any thread count.
 */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glpk_util.h"
#include "rmip.h"

typedef struct mip {
  const vmp__rstate *s;
  const vmp__ridx *x;
  const vmp__rmodel *m;
  const int *hs, *vm;
  int k, n;
  int *side, *home;       /* n: current side, side of the initial host (-1) */
  int *xc;                /* n x k: column of x[i][j], 0 when not allowed */
  double *lfix, *tfix;    /* k x nr: fixed load, fixed transient load */
  /* columns (1-based; index 0 unused) */
  int ncol, ccap;
  double *obj, *clo, *chi, *inc;
  unsigned char *bin;
  /* rows, and the matrix as triplets (1-based) */
  int nrow, rcap;
  int *rtype;
  double *rlo, *rhi;
  int nnz, zcap;
  int *ia, *ja;
  double *ar;
  int oom;
  double obj0;            /* the objective's constant (hosts kept open by
                             pinned VMs) */
  /* the solve */
  const vmp__rmip_limits *lim;
  int heur_given;
  int64_t nodes;
  double inc_obj;         /* the incumbent's objective in the MIP */
  double tree_bound;      /* the lowest bound of an active node */
  double bound_in;        /* the caller's bound (for progress reports) */
  double last_progress;
  int stopped, by_callback;
  vmp__glpk_steps steps;  /* glp_intopt's steps, timed (on_tree) */
  vmp__glpk *g;
} mip;

/* ---- building ---------------------------------------------------------------- */

static int grow(void **p, int *cap, int need, size_t each)
{
  if (need < *cap) return 0;
  int nc = *cap ? *cap * 2 : 64;
  while (nc <= need) nc *= 2;
  void *q = realloc(*p, (size_t)nc * each);
  if (!q) return -1;
  *p = q;
  *cap = nc;
  return 0;
}

static int col_add(mip *p, double obj, double lo, double hi, int bin, double inc)
{
  int j = p->ncol + 1, cap = p->ccap;
  if (j >= cap) {
    int c0 = cap;
    if (grow((void **)&p->obj, &cap, j, sizeof *p->obj)) goto oom;
    cap = c0;
    if (grow((void **)&p->clo, &cap, j, sizeof *p->clo)) goto oom;
    cap = c0;
    if (grow((void **)&p->chi, &cap, j, sizeof *p->chi)) goto oom;
    cap = c0;
    if (grow((void **)&p->inc, &cap, j, sizeof *p->inc)) goto oom;
    cap = c0;
    if (grow((void **)&p->bin, &cap, j, sizeof *p->bin)) goto oom;
    p->ccap = cap;
  }
  p->obj[j] = obj;
  p->clo[j] = lo;
  p->chi[j] = hi;
  p->bin[j] = (unsigned char)bin;
  p->inc[j] = inc;
  p->ncol = j;
  return j;
oom:
  p->oom = 1;
  return 0;
}

/* Starts a row of GLPK type `type` (GLP_UP, GLP_LO, GLP_FX) with bounds. */
static void row_add(mip *p, int type, double lo, double hi)
{
  int r = p->nrow + 1, cap = p->rcap;
  if (r >= cap) {
    int c0 = cap;
    if (grow((void **)&p->rtype, &cap, r, sizeof *p->rtype)) goto oom;
    cap = c0;
    if (grow((void **)&p->rlo, &cap, r, sizeof *p->rlo)) goto oom;
    cap = c0;
    if (grow((void **)&p->rhi, &cap, r, sizeof *p->rhi)) goto oom;
    p->rcap = cap;
  }
  p->rtype[r] = type;
  p->rlo[r] = lo;
  p->rhi[r] = hi;
  p->nrow = r;
  return;
oom:
  p->oom = 1;
}

/* Adds coefficient a of column c to the last row (no column twice). */
static void ent(mip *p, int c, double a)
{
  if (p->oom || c <= 0 || a == 0) return;
  int e = p->nnz + 1, cap = p->zcap;
  if (e >= cap) {
    int c0 = cap;
    if (grow((void **)&p->ia, &cap, e, sizeof *p->ia)) goto oom;
    cap = c0;
    if (grow((void **)&p->ja, &cap, e, sizeof *p->ja)) goto oom;
    cap = c0;
    if (grow((void **)&p->ar, &cap, e, sizeof *p->ar)) goto oom;
    p->zcap = cap;
  }
  p->ia[e] = p->nrow;
  p->ja[e] = c;
  p->ar[e] = a;
  p->nnz = e;
  return;
oom:
  p->oom = 1;
}

static const double *dem(const mip *p, int i)
{
  return p->m->demand + (size_t)p->vm[i] * (size_t)p->x->nr;
}

static int set_of(const int *start, const int *list, int v, int c)
{
  for (int a = start[v]; a < start[v + 1]; a++)
    if (list[a] == c) return 1;
  return 0;
}

/* Fixed loads, and which sides each free VM may take (allowed, fits
 * alone, no fixed VM of its conflict sets there). */
static void build_sides(mip *p)
{
  const vmp__rstate *s = p->s;
  const vmp__ridx *x = p->x;
  const vmp__rmodel *m = p->m;
  int k = p->k, nr = x->nr;
  for (int j = 0; j < k; j++) {
    memcpy(p->lfix + (size_t)j * nr, s->load + (size_t)p->hs[j] * nr, (size_t)nr * sizeof(double));
    memcpy(p->tfix + (size_t)j * nr, s->tl + (size_t)p->hs[j] * nr, (size_t)nr * sizeof(double));
  }
  for (int i = 0; i < p->n; i++) {
    int v = p->vm[i];
    p->side[i] = p->home[i] = -1;
    for (int j = 0; j < k; j++) {
      if (s->a[v] == p->hs[j]) p->side[i] = j;
      if (x->init[v] == p->hs[j]) p->home[i] = j;
    }
    const double *d = dem(p, i);
    double *L = p->lfix + (size_t)p->side[i] * nr, *T = p->tfix;
    for (int r = 0; r < nr; r++) {
      L[r] -= d[r];
      if (!x->tr[r]) continue;
      /* v holds its current host, and its initial one when it left it */
      T[(size_t)p->side[i] * nr + r] -= d[r];
      if (p->home[i] >= 0 && p->home[i] != p->side[i]) T[(size_t)p->home[i] * nr + r] -= d[r];
    }
  }
  for (int i = 0; i < p->n; i++) {
    int v = p->vm[i];
    const double *d = dem(p, i);
    for (int j = 0; j < k; j++) {
      int h = p->hs[j], ok = j == p->side[i] || vmp__ridx_allowed(x, v, h);
      const double *C = m->cap + (size_t)h * nr;
      for (int r = 0; r < nr && ok; r++) {
        if (p->lfix[(size_t)j * nr + r] + d[r] > C[r]) ok = 0;
        if (x->tr[r] && p->tfix[(size_t)j * nr + r] + d[r] > C[r]) ok = 0;
      }
      for (int a = x->vc_start[v]; a < x->vc_start[v + 1] && ok; a++) {
        int c = x->vc[a], fixed = vmp__rstate_conf_count(s, c, h);
        for (int t = 0; t < p->n; t++)
          if (p->side[t] == j && set_of(x->vc_start, x->vc, p->vm[t], c)) fixed--;
        if (fixed > 0) ok = 0;
      }
      p->xc[(size_t)i * k + j] = ok ? -1 : 0;
    }
  }
}

static void build_x(mip *p)
{
  int k = p->k;
  for (int i = 0; i < p->n; i++) {
    row_add(p, GLP_FX, 1, 1);
    for (int j = 0; j < k; j++) {
      if (!p->xc[(size_t)i * k + j]) continue;
      int c = col_add(p, vmp__ridx_move_cost(p->x, p->vm[i], p->hs[j]), 0, 1, 1, j == p->side[i]);
      p->xc[(size_t)i * k + j] = c;
      ent(p, c, 1);
    }
  }
}

/* Capacity, transient, load-cost and balance rows of each side. */
static void build_loads(mip *p)
{
  const vmp__rstate *s = p->s;
  const vmp__ridx *x = p->x;
  const vmp__rmodel *m = p->m;
  int k = p->k, nr = x->nr;
  for (int j = 0; j < k; j++) {
    int h = p->hs[j];
    const double *C = m->cap + (size_t)h * nr, *S = x->safety + (size_t)h * nr;
    const double *L = p->lfix + (size_t)j * nr, *T = p->tfix + (size_t)j * nr;
    const double *Lc = s->load + (size_t)h * nr;
    for (int r = 0; r < nr; r++) {
      double most = 0, held = 0, most_in = 0;
      for (int i = 0; i < p->n; i++) {
        double d = dem(p, i)[r];
        if (p->home[i] == j) held += d;
        if (!p->xc[(size_t)i * k + j]) continue;
        most += d;
        if (p->home[i] != j) most_in += d;
      }
      if (L[r] + most > C[r]) {
        row_add(p, GLP_UP, 0, C[r] - L[r]);
        for (int i = 0; i < p->n; i++) ent(p, p->xc[(size_t)i * k + j], dem(p, i)[r]);
      }
      if (x->tr[r] && T[r] + held + most_in > C[r]) {
        row_add(p, GLP_UP, 0, C[r] - T[r] - held);
        for (int i = 0; i < p->n; i++)
          if (p->home[i] != j) ent(p, p->xc[(size_t)i * k + j], dem(p, i)[r]);
      }
      if (x->sw[r] > 0 && L[r] + most > S[r]) {
        double cur = Lc[r] - S[r];
        int c = col_add(p, x->sw[r], 0, INFINITY, 0, cur > 0 ? cur : 0);
        row_add(p, GLP_LO, L[r] - S[r], 0);
        ent(p, c, 1);
        for (int i = 0; i < p->n; i++) ent(p, p->xc[(size_t)i * k + j], -dem(p, i)[r]);
      }
    }
    for (int b = 0; b < m->n_balance; b++) {
      const vmp__rbalance *B = &m->balance[b];
      if (B->weight <= 0) continue;
      double cur = B->target * (C[B->r1] - Lc[B->r1]) - (C[B->r2] - Lc[B->r2]);
      int c = col_add(p, B->weight, 0, INFINITY, 0, cur > 0 ? cur : 0);
      row_add(p, GLP_LO, B->target * (C[B->r1] - L[B->r1]) - (C[B->r2] - L[B->r2]), 0);
      ent(p, c, 1);
      for (int i = 0; i < p->n; i++) {
        const double *d = dem(p, i);
        ent(p, p->xc[(size_t)i * k + j], B->target * d[B->r1] - d[B->r2]);
      }
    }
  }
}

/* (key, free VM) pairs, sorted by key then VM. */
typedef struct pair {
  int key, i;
} pair;

static int pair_cmp(const void *a, const void *b)
{
  const pair *p = a, *q = b;
  if (p->key != q->key) return p->key < q->key ? -1 : 1;
  return (p->i > q->i) - (p->i < q->i);
}

/* The pairs (entry of a VM's CSR list, free VM) over the free VMs. */
static pair *pairs_of(mip *p, const int *start, const int *list, int *np)
{
  int cnt = 0;
  for (int i = 0; i < p->n; i++) cnt += start[p->vm[i] + 1] - start[p->vm[i]];
  pair *pr = malloc(((size_t)cnt + 1) * sizeof *pr);
  if (!pr) {
    p->oom = 1;
    return NULL;
  }
  cnt = 0;
  for (int i = 0; i < p->n; i++)
    for (int a = start[p->vm[i]]; a < start[p->vm[i] + 1]; a++) {
      pr[cnt].key = list[a];
      pr[cnt++].i = i;
    }
  qsort(pr, (size_t)cnt, sizeof *pr, pair_cmp);
  *np = cnt;
  return pr;
}

static void build_conflicts(mip *p)
{
  int np, k = p->k;
  pair *pr = pairs_of(p, p->x->vc_start, p->x->vc, &np);
  if (!pr) return;
  for (int a = 0, b; a < np; a = b) {
    for (b = a; b < np && pr[b].key == pr[a].key; b++) {}
    if (b - a < 2) continue;  /* fixed members were ruled out by build_sides */
    for (int j = 0; j < k; j++) {
      int cols = 0;
      for (int t = a; t < b; t++) cols += p->xc[(size_t)pr[t].i * k + j] != 0;
      if (cols < 2) continue;
      row_add(p, GLP_UP, 0, 1);
      for (int t = a; t < b; t++) ent(p, p->xc[(size_t)pr[t].i * k + j], 1);
    }
  }
  free(pr);
}

/* Distinct domains of the sides under label l, into dom[k]; returns how
 * many, and side_dom[j] the index of side j's domain. */
static int side_domains(const mip *p, int l, int *dom, int *side_dom)
{
  const int *lab = p->m->label + (size_t)l * (size_t)p->x->nh;
  int nd = 0;
  for (int j = 0; j < p->k; j++) {
    int d = lab[p->hs[j]], t;
    for (t = 0; t < nd && dom[t] != d; t++) {}
    if (t == nd) dom[nd++] = d;
    side_dom[j] = t;
  }
  return nd;
}

/* dom, sd, cnt and zs: k entries each. */
static void build_spreads(mip *p, int *dom, int *sd, int *cnt, int *zs)
{
  const vmp__rstate *s = p->s;
  const vmp__ridx *x = p->x;
  int np, k = p->k;
  pair *pr = pairs_of(p, x->vs_start, x->vs, &np);
  if (!pr) return;
  for (int a = 0, b; a < np; a = b) {
    for (b = a; b < np && pr[b].key == pr[a].key; b++) {}
    int sp = pr[a].key;
    const vmp__rspread *S = &p->m->spread[sp];
    int nd = side_domains(p, S->label, dom, sd);
    const int *c = s->spc + x->sp_off[sp];
    for (int t = 0; t < nd; t++) cnt[t] = c[dom[t]];
    for (int t = a; t < b; t++) cnt[sd[p->side[pr[t].i]]]--;   /* now: fixed members */
    int have = s->spdist[sp];
    for (int t = 0; t < nd; t++) have -= c[dom[t]] > 0;
    for (int t = 0; t < nd; t++) have += cnt[t] > 0;
    if (have >= S->min_domains) continue;
    row_add(p, GLP_LO, S->min_domains - have, 0);
    int nz = 0;
    for (int t = 0; t < nd; t++) {
      if (cnt[t] > 0) continue;
      int occ = 0;
      for (int u = a; u < b; u++) occ |= sd[p->side[pr[u].i]] == t;
      zs[nz++] = col_add(p, 0, 0, 1, 0, occ);
    }
    for (int t = 0; t < nz; t++) ent(p, zs[t], 1);  /* the sum row (no row added yet) */
    for (int t = 0, z = 0; t < nd && z < nz; t++) {
      if (cnt[t] > 0) continue;
      row_add(p, GLP_UP, 0, 0);
      ent(p, zs[z++], 1);
      for (int u = a; u < b; u++)
        for (int j = 0; j < k; j++)
          if (sd[j] == t) ent(p, p->xc[(size_t)pr[u].i * k + j], -1);
    }
  }
  free(pr);
}

static int in_list(const vmp__ridx *x, int v, int l)
{
  return set_of(x->vl_start, x->vl, v, l);
}

static void build_depends(mip *p, int *dom, int *sd)
{
  const vmp__rstate *s = p->s;
  const vmp__ridx *x = p->x;
  int k = p->k, nd_all = 0, cap = 0;
  int *deps = NULL;
  /* the dependencies with a free VM on either side */
  for (int i = 0; i < p->n; i++) {
    int v = p->vm[i];
    for (int a = x->vl_start[v]; a < x->vl_start[v + 1]; a++) {
      int l = x->vl[a];
      for (int side = 0; side < 2; side++) {
        const int *st = side ? x->lb_start : x->la_start, *li = side ? x->lb : x->la;
        for (int t = st[l]; t < st[l + 1]; t++) {
          if (grow((void **)&deps, &cap, nd_all, sizeof *deps)) {
            p->oom = 1;
            free(deps);
            return;
          }
          deps[nd_all++] = li[t];
        }
      }
    }
  }
  if (nd_all == 0) {
    free(deps);
    return;
  }
  pair *pr = malloc((size_t)nd_all * sizeof *pr);
  if (!pr) {
    p->oom = 1;
    free(deps);
    return;
  }
  for (int t = 0; t < nd_all; t++) pr[t].key = deps[t], pr[t].i = 0;
  qsort(pr, (size_t)nd_all, sizeof *pr, pair_cmp);
  free(deps);
  unsigned char *inA = malloc((size_t)p->n * 2 + 1), *inB = inA + p->n;
  if (!inA) {
    p->oom = 1;
    free(pr);
    return;
  }
  for (int t = 0; t < nd_all; t++) {
    if (t > 0 && pr[t].key == pr[t - 1].key) continue;
    int dp = pr[t].key, A = x->dep_a[dp], B = x->dep_b[dp];
    int nd = side_domains(p, x->list_label[A], dom, sd);
    for (int i = 0; i < p->n; i++) {
      inA[i] = (unsigned char)in_list(x, p->vm[i], A);
      inB[i] = (unsigned char)in_list(x, p->vm[i], B);
    }
    for (int d = 0; d < nd; d++) {
      int bfix = s->lc[x->list_off[B] + dom[d]], afix = s->lc[x->list_off[A] + dom[d]];
      for (int i = 0; i < p->n; i++) {
        if (sd[p->side[i]] != d) continue;
        bfix -= inB[i];
        afix -= inA[i];
      }
      if (bfix > 0) continue;
      if (afix > 0) {
        row_add(p, GLP_LO, 1, 0);
        for (int i = 0; i < p->n; i++)
          if (inB[i])
            for (int j = 0; j < k; j++)
              if (sd[j] == d) ent(p, p->xc[(size_t)i * k + j], 1);
      }
      for (int i = 0; i < p->n; i++) {
        if (!inA[i] || inB[i]) continue;  /* a VM in b supports itself */
        int any = 0;
        for (int j = 0; j < k; j++) any |= sd[j] == d && p->xc[(size_t)i * k + j];
        if (!any) continue;
        row_add(p, GLP_UP, 0, 0);
        for (int j = 0; j < k; j++)
          if (sd[j] == d) ent(p, p->xc[(size_t)i * k + j], 1);
        for (int u = 0; u < p->n; u++)
          if (inB[u])
            for (int j = 0; j < k; j++)
              if (sd[j] == d) ent(p, p->xc[(size_t)u * k + j], -1);
      }
    }
  }
  free(inA);
  free(pr);
}

/* The group move cost: M >= each touched group's moved count, M >= the
 * largest count of the untouched groups (its lower bound). */
static void build_groups(mip *p)
{
  const vmp__rstate *s = p->s;
  const vmp__ridx *x = p->x;
  const vmp__rmodel *m = p->m;
  int np, k = p->k;
  if (m->w_smc <= 0 || m->n_groups == 0) return;
  pair *pr = pairs_of(p, x->vg_start, x->vg, &np);
  if (!pr || np == 0) {
    free(pr);
    return;
  }
  /* the largest moved count among the untouched groups, from the
   * histogram less the touched ones */
  int lb = 0;
  for (int c = s->gmax; c > 0 && !lb; c--) {
    int left = s->hist[c];
    for (int a = 0; a < np; a++)
      if ((a == 0 || pr[a].key != pr[a - 1].key) && s->gm[pr[a].key] == c) left--;
    if (left > 0) lb = c;
  }
  int M = col_add(p, m->w_smc, lb, INFINITY, 0, s->gmax);
  for (int a = 0, b; a < np; a = b) {
    for (b = a; b < np && pr[b].key == pr[a].key; b++) {}
    int g = pr[a].key, fixed = s->gm[g], could = 0;
    for (int t = a; t < b; t++) {
      int i = pr[t].i, v = p->vm[i];
      if (x->init[v] < 0) continue;
      could++;
      if (s->a[v] != x->init[v]) fixed--;
    }
    if (fixed + could <= lb) continue;
    row_add(p, GLP_LO, fixed + could, 0);
    ent(p, M, 1);
    for (int t = a; t < b; t++) {
      int i = pr[t].i;
      if (p->home[i] >= 0) ent(p, p->xc[(size_t)i * k + p->home[i]], 1);
    }
  }
  free(pr);
}

/* The host cost: y[j] >= x[i][j] on each side whose host costs anything
 * and holds no pinned VM; with a pinned VM it is a constant. */
static void build_hosts(mip *p)
{
  const vmp__rmodel *m = p->m;
  int k = p->k;
  if (!m->host_cost || m->w_host <= 0) return;
  for (int j = 0; j < k; j++) {
    int h = p->hs[j], fixed = p->s->cnt[h];
    double c = m->w_host * m->host_cost[h];
    if (c <= 0) continue;
    for (int i = 0; i < p->n; i++) fixed -= p->side[i] == j;
    if (fixed > 0) {
      p->obj0 += c;
      continue;
    }
    int y = 0;
    for (int i = 0; i < p->n; i++) {
      int col = p->xc[(size_t)i * k + j];
      if (!col) continue;
      if (!y) y = col_add(p, c, 0, 1, 1, p->s->cnt[h] > 0);
      row_add(p, GLP_UP, -INFINITY, 0);
      ent(p, col, 1);
      ent(p, y, -1);
    }
  }
}

/* ---- solving ----------------------------------------------------------------- */

static void on_tree(glp_tree *T, void *info)
{
  mip *p = info;
  const vmp__rmip_limits *lim = p->lim;
  int a, n, t, best = glp_ios_best_node(T);
  /* GLPK's steps between two calls do not look at the clock: the next one
   * starts only if it fits in the time left (glpk_util.h) */
  if (lim->deadline > 0 &&
      vmp__glpk_steps_enter(&p->steps, T, lim->deadline - vmp__now()) == VMP__GLPK_STOP)
    p->stopped = 1;
  if (glp_ios_reason(T) == GLP_IHEUR && !p->heur_given) {
    p->heur_given = 1;
    glp_ios_heur_sol(T, p->inc);
  }
  /* the tree's bound: the lowest bound of an active node */
  if (best) p->tree_bound = glp_ios_node_bound(T, best) + p->obj0;
  glp_ios_tree_size(T, &a, &n, &t);
  p->nodes = t;
  if (lim->nodes > 0 && t > lim->nodes) {
    p->stopped = 1;
  } else if (lim->deadline > 0 && vmp__now() >= lim->deadline) {
    p->stopped = 1;
  } else if (lim->progress) {
    double now = vmp__now();
    if (now - p->last_progress >= 0.005) {
      p->last_progress = now;
      double inc = p->inc_obj;
      glp_prob *P = glp_ios_get_prob(T);
      if (glp_mip_status(P) == GLP_FEAS || glp_mip_status(P) == GLP_OPT) {
        double v = glp_mip_obj_val(P) + p->obj0;
        if (v < inc) inc = v;
      }
      double b = p->tree_bound > p->bound_in ? p->tree_bound : p->bound_in;
      if (lim->progress(inc, b < inc ? b : inc, lim->progress_userdata)) p->stopped = p->by_callback = 1;
    }
  }
  if (p->stopped) glp_ios_terminate(T);
  if (lim->deadline > 0) vmp__glpk_steps_leave(&p->steps, T);
}

/* The assignment of GLPK's MIP solution into out->a (the incumbent's
 * hosts where a VM has no column set). */
static void read_assignment(mip *p, glp_prob *lp, int *a)
{
  for (int i = 0; i < p->n; i++) {
    int best = p->side[i];
    for (int j = 0; j < p->k; j++) {
      int c = p->xc[(size_t)i * p->k + j];
      if (c && glp_mip_col_val(lp, c) > 0.5) best = j;
    }
    a[p->vm[i]] = p->hs[best];
  }
}

/* Builds the MIP in GLPK and solves it. */
static void solve(mip *p, vmp__rmip_out *out)
{
  glp_prob *lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  glp_add_cols(lp, p->ncol);
  for (int j = 1; j <= p->ncol; j++) {
    if (p->bin[j]) glp_set_col_kind(lp, j, GLP_BV);
    else if (p->chi[j] == INFINITY) glp_set_col_bnds(lp, j, GLP_LO, p->clo[j], 0);
    else glp_set_col_bnds(lp, j, GLP_DB, p->clo[j], p->chi[j]);
    glp_set_obj_coef(lp, j, p->obj[j]);
  }
  glp_add_rows(lp, p->nrow);
  for (int r = 1; r <= p->nrow; r++) glp_set_row_bnds(lp, r, p->rtype[r], p->rlo[r], p->rhi[r]);
  glp_load_matrix(lp, p->nnz, p->ia, p->ja, p->ar);
  glp_scale_prob(lp, GLP_SF_AUTO);
  glp_smcp sm;
  glp_init_smcp(&sm);
  sm.msg_lev = GLP_MSG_OFF;
  sm.presolve = GLP_OFF;
  if (p->lim->deadline > 0) sm.tm_lim = vmp__glpk_ms(p->lim->deadline - vmp__now());
  double t0 = vmp__now();
  vmp__glpk_steps_start(&p->steps);
  if (glp_simplex(lp, &sm) != 0 || glp_get_status(lp) != GLP_OPT) return;
  double t_root = vmp__now() - t0;
  /* GLPK's tolerances are relative: on a badly scaled model it may call a
   * root LP optimal whose value its duals do not back (ilp.c does the same
   * check); then nothing GLPK's tree says is a bound or a proof here, and
   * the stage leaves the search's answer alone */
  double z = glp_get_obj_val(lp), safe = vmp__glpk_safe_bound(lp);
  if (!(safe >= z - 1e-6 * (fabs(z) > 1.0 ? fabs(z) : 1.0))) {
    /* what the duals do prove (weak duality, in double from the unscaled
     * model) is still a bound; the tree's node values are not */
    out->unreliable = 1;
    out->lp_value = z + p->obj0;
    if (safe > -HUGE_VAL) {
      out->ran = 1;
      out->bound = safe + p->obj0;
      out->stopped_by = 1;
    }
    return;
  }
  /* GLPK's objective leaves the constant out: every value read back from
   * it gets obj0 added here */
  p->tree_bound = z + p->obj0;
  out->ran = 1;
  out->bound = p->tree_bound;
  if (p->tree_bound >= p->inc_obj - 1e-9 * (fabs(p->inc_obj) + 1)) {
    out->proven = 1;   /* the LP bound proves the incumbent optimal */
    out->bound = p->inc_obj;
    return;
  }
  glp_iocp io;
  glp_init_iocp(&io);
  io.msg_lev = GLP_MSG_OFF;
  io.presolve = GLP_OFF;
  io.cb_func = on_tree;
  io.cb_info = p;
  if (p->lim->deadline > 0) io.tm_lim = vmp__glpk_ms(p->lim->deadline - vmp__now());
  /* Cuts and branching, measured on the generated models of
   * docs/benchmarks.md (*The exact stage on small rebalancing problems*):
   * MIR cuts close most of the gap the load and balance terms leave in the
   * LP (a round of them proved an 8 x 36 model at the root, where the
   * plain tree left 11 % open after 12,000 nodes); Gomory's cuts and
   * Driebeck and Tomlin's branching (GLPK's default) proved 9 of 12 within
   * 10 s, against 7 with MIR cuts and the most fractional column.  Both
   * compute tableau rows, so the steps guard (glpk_util.h) times them. */
  io.mir_cuts = GLP_ON;
  io.gmi_cuts = GLP_ON;
  io.br_tech = GLP_BR_DTH;
  p->steps.iocp = &io;
  p->steps.cut_guess = 5e-6 * (double)p->nnz;
  if (t_root > p->steps.cut_guess) p->steps.cut_guess = t_root;
  p->steps.price_rows = 1;
  int rc = glp_intopt(lp, &io), st = glp_mip_status(lp);
  p->steps.iocp = NULL;
  out->nodes = p->nodes;
  if (st == GLP_FEAS || st == GLP_OPT) {
    double v = glp_mip_obj_val(lp) + p->obj0;
    if (v < p->inc_obj - 1e-9 * (fabs(p->inc_obj) + 1)) {
      read_assignment(p, lp, out->a);
      out->improved = 1;
      out->obj = v;
    }
  }
  if (rc == 0 && st == GLP_OPT && !p->stopped) {
    out->proven = 1;
    out->bound = out->improved ? out->obj : p->inc_obj;
  } else if ((rc == 0 && !p->stopped) || (rc != 0 && rc != GLP_ESTOP && rc != GLP_ETMLIM)) {
    /* GLPK finished without an optimum (it found the model infeasible,
     * though the start is a solution) or failed: its numbers disagree
     * with the model, so the stage proves nothing */
    out->improved = 0;
    out->bound = -HUGE_VAL;
    out->stopped_by = 1;
  } else {
    out->stopped_by = p->by_callback ? 2 : 1;
    if (p->tree_bound > out->bound) out->bound = p->tree_bound;
  }
}

static void mip_free(mip *p)
{
  free(p->side);
  free(p->home);
  free(p->xc);
  free(p->lfix);
  free(p->tfix);
  free(p->obj);
  free(p->clo);
  free(p->chi);
  free(p->inc);
  free(p->bin);
  free(p->rtype);
  free(p->rlo);
  free(p->rhi);
  free(p->ia);
  free(p->ja);
  free(p->ar);
  free(p);
}

size_t vmp__rmip_pairs(const vmp__ridx *x, size_t limit)
{
  const vmp__rmodel *m = x->m;
  size_t pairs = 0, open = 0;
  for (int h = 0; h < x->nh; h++) open += x->host_ok[h];
  for (int i = 0; i < x->n_movable && pairs <= limit; i++) {
    int v = x->movable[i];
    if (!m->allowed_start) {
      pairs += open;
      continue;
    }
    for (int k = m->allowed_start[v]; k < m->allowed_start[v + 1]; k++)
      pairs += x->host_ok[m->allowed_hosts[k]];
  }
  return pairs;
}

/* Empties out but for its assignment, which becomes the start. */
static void out_reset(vmp__rmip_out *out, const int *start, int nv)
{
  int *a = out->a;
  memset(out, 0, sizeof *out);
  out->a = a;
  out->bound = -HUGE_VAL;
  memcpy(a, start, (size_t)nv * sizeof *a);
}

/* The GLPK part, in a frame of its own for the error trap. */
static void run_glpk(mip *p, vmp__rmip_out *out, const int *start)
{
  if (!(p->g = vmp__glpk_open("rebalance.exact", NULL, NULL, 0))) return;
  if (setjmp(p->g->jb)) {
    /* GLPK failed: the stage proves nothing, the search's answer stands */
    vmp__glpk_abandon(p->g);
    p->g = NULL;
    out_reset(out, start, p->x->nv);
    return;
  }
  solve(p, out);
  vmp__glpk_close(p->g);
  p->g = NULL;
}

int vmp__rmip_exact(const vmp__ridx *x, const int *start, double bound_in,
                    const vmp__rmip_limits *lim, vmp__rmip_out *out)
{
  int nr = x->nr, nh = x->nh, n = x->n_movable, rc = 0;
  vmp__rstate s;
  out_reset(out, start, x->nv);
  if (n == 0) return 0;
  if ((rc = vmp__rstate_init(&s, x))) return rc;
  vmp__rstate_load(&s, start);
  mip *p = calloc(1, sizeof *p);
  int *hs = malloc(((size_t)nh + 1) * sizeof *hs);
  int *dom = malloc(((size_t)nh * 4 + 1) * sizeof *dom);
  if (!p || !hs || !dom) {
    rc = vmp__enomem();
    goto out;
  }
  for (int h = 0; h < nh; h++) hs[h] = h;
  p->s = &s;
  p->x = x;
  p->m = x->m;
  p->hs = hs;
  p->vm = x->movable;
  p->k = nh;
  p->n = n;
  p->lim = lim;
  p->bound_in = bound_in;
  p->side = malloc((size_t)n * sizeof *p->side);
  p->home = malloc((size_t)n * sizeof *p->home);
  p->xc = malloc((size_t)n * (size_t)nh * sizeof *p->xc);
  p->lfix = malloc((size_t)nh * (size_t)nr * sizeof *p->lfix);
  p->tfix = malloc((size_t)nh * (size_t)nr * sizeof *p->tfix);
  if (!p->side || !p->home || !p->xc || !p->lfix || !p->tfix) {
    rc = vmp__enomem();
    goto out;
  }
  build_sides(p);
  build_x(p);
  build_hosts(p);
  build_loads(p);
  build_conflicts(p);
  build_spreads(p, dom, dom + nh, dom + 2 * nh, dom + 3 * nh);
  build_depends(p, dom, dom + nh);
  build_groups(p);
  if (p->oom) {
    rc = vmp__enomem();
    goto out;
  }
  /* the MIP prices the incumbent as the engine does, or it is not the
   * model: then it proves nothing, and the stage is skipped */
  p->inc_obj = p->obj0;
  for (int j = 1; j <= p->ncol; j++) p->inc_obj += p->obj[j] * p->inc[j];
  out->start_obj = vmp__rstate_cost(&s);
  out->mip_obj = p->inc_obj;
  out->rows = p->nrow;
  out->cols = p->ncol;
  if (fabs(p->inc_obj - out->start_obj) <= 1e-7 * (fabs(out->start_obj) + 1))
    run_glpk(p, out, start);
out:
  free(dom);
  free(hs);
  if (p) mip_free(p);
  vmp__rstate_free(&s);
  return rc;
}
