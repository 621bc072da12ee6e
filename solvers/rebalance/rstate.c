/*
 * Incremental state of one rebalancer lane (see rstate.h).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rstate.h"

/* ---- shared index ------------------------------------------------------------ */

/* Builds a VM -> items CSR from n lists given by (start, items) with an
 * optional code function; code(k, i) gives the stored value of list k. */
static int invert(int nv, int n, const int *start, const int *items, int stride2,
                  int which, int **ostart, int **oitems)
{
  int *st = calloc((size_t)nv + 1, sizeof *st);
  if (!st) return VMP_ENOMEM;
  for (int k = 0; k < n; k++)
    for (int i = start[k]; i < start[k + 1]; i++) st[items[i] + 1]++;
  for (int v = 0; v < nv; v++) st[v + 1] += st[v];
  int *it = malloc(((size_t)st[nv] + 1) * sizeof *it), *fill = NULL;
  fill = malloc(((size_t)nv + 1) * sizeof *fill);
  if (!it || !fill) { free(st); free(it); free(fill); return VMP_ENOMEM; }
  memcpy(fill, st, (size_t)nv * sizeof *fill);
  for (int k = 0; k < n; k++)
    for (int i = start[k]; i < start[k + 1]; i++)
      it[fill[items[i]]++] = stride2 ? k * 2 + which : k;
  free(fill);
  *ostart = st;
  *oitems = it;
  return 0;
}

typedef struct lkey {
  const int *p;
  int n, label, side_idx;   /* side_idx = dependency * 2 + (1 for b) */
} lkey;

static int lkey_cmp(const void *a, const void *b)
{
  const lkey *x = a, *y = b;
  if (x->p != y->p) return x->p < y->p ? -1 : 1;
  if (x->n != y->n) return x->n < y->n ? -1 : 1;
  if (x->label != y->label) return x->label < y->label ? -1 : 1;
  return (x->side_idx > y->side_idx) - (x->side_idx < y->side_idx);
}

/* CSR of n buckets from (bucket, value) pairs. */
static int csr(int n, int cnt, const int *bucket, const int *val, int **ostart, int **oitems)
{
  int *st = calloc((size_t)n + 1, sizeof *st), *it = malloc(((size_t)cnt + 1) * sizeof *it);
  int *fill = malloc(((size_t)n + 1) * sizeof *fill);
  if (!st || !it || !fill) { free(st); free(it); free(fill); return VMP_ENOMEM; }
  for (int i = 0; i < cnt; i++) st[bucket[i] + 1]++;
  for (int k = 0; k < n; k++) st[k + 1] += st[k];
  memcpy(fill, st, (size_t)n * sizeof *fill);
  for (int i = 0; i < cnt; i++) it[fill[bucket[i]]++] = val[i];
  free(fill);
  *ostart = st;
  *oitems = it;
  return 0;
}

/* Deduplicates the dependencies' VM lists (same pointer, length, label)
 * and builds the list <-> VM and list <-> dependency maps. */
static int build_lists(vmp__ridx *x, const vmp__rmodel *m)
{
  int nd = m->n_depend, nk = 2 * nd, rc = VMP_ENOMEM;
  lkey *k = malloc(((size_t)nk + 1) * sizeof *k);
  int *bk = NULL, *vv = NULL;
  x->dep_a = malloc(((size_t)nd + 1) * sizeof *x->dep_a);
  x->dep_b = malloc(((size_t)nd + 1) * sizeof *x->dep_b);
  x->list_label = malloc(((size_t)nk + 1) * sizeof *x->list_label);
  x->list_off = malloc(((size_t)nk + 2) * sizeof *x->list_off);
  if (!k || !x->dep_a || !x->dep_b || !x->list_label || !x->list_off) goto out;
  for (int j = 0; j < nd; j++) {
    const vmp__rdepend *d = &m->depend[j];
    k[2 * j] = (lkey){d->a, d->n_a, d->label, 2 * j};
    k[2 * j + 1] = (lkey){d->b, d->n_b, d->label, 2 * j + 1};
  }
  qsort(k, (size_t)nk, sizeof *k, lkey_cmp);
  int nl = 0;
  size_t members = 0;
  x->list_off[0] = 0;
  for (int i = 0; i < nk; i++) {
    if (i == 0 || k[i].p != k[i - 1].p || k[i].n != k[i - 1].n || k[i].label != k[i - 1].label) {
      x->list_label[nl] = k[i].label;
      x->list_off[nl + 1] = x->list_off[nl] + m->n_domains[k[i].label];
      members += (size_t)k[i].n;
      nl++;
    }
    int j = k[i].side_idx >> 1;
    if (k[i].side_idx & 1) x->dep_b[j] = nl - 1;
    else x->dep_a[j] = nl - 1;
  }
  x->n_lists = nl;
  x->lc_total = x->list_off[nl];
  /* VM -> lists */
  if (members < (size_t)nd) members = (size_t)nd;
  bk = malloc((members + 1) * sizeof *bk);
  vv = malloc((members + 1) * sizeof *vv);
  if (!bk || !vv) goto out;
  size_t c = 0;
  for (int i = 0, l = -1; i < nk; i++) {
    if (i == 0 || k[i].p != k[i - 1].p || k[i].n != k[i - 1].n || k[i].label != k[i - 1].label) {
      l++;
      for (int t = 0; t < k[i].n; t++) { bk[c] = k[i].p[t]; vv[c] = l; c++; }
    }
  }
  if ((rc = csr(m->nv, (int)c, bk, vv, &x->vl_start, &x->vl))) goto out;
  /* list -> dependencies, per side */
  for (int j = 0; j < nd; j++) { bk[j] = x->dep_a[j]; vv[j] = j; }
  if ((rc = csr(nl, nd, bk, vv, &x->la_start, &x->la))) goto out;
  for (int j = 0; j < nd; j++) bk[j] = x->dep_b[j];
  rc = csr(nl, nd, bk, vv, &x->lb_start, &x->lb);
out:
  free(k); free(bk); free(vv);
  return rc;
}

static int invert_spread(const vmp__rmodel *m, int **ostart, int **oitems)
{
  int nv = m->nv, *st = calloc((size_t)nv + 1, sizeof *st);
  if (!st) return VMP_ENOMEM;
  for (int s = 0; s < m->n_spread; s++)
    for (int i = 0; i < m->spread[s].n_vms; i++) st[m->spread[s].vms[i] + 1]++;
  for (int v = 0; v < nv; v++) st[v + 1] += st[v];
  int *it = malloc(((size_t)st[nv] + 1) * sizeof *it);
  int *fill = malloc(((size_t)nv + 1) * sizeof *fill);
  if (!it || !fill) { free(st); free(it); free(fill); return VMP_ENOMEM; }
  memcpy(fill, st, (size_t)nv * sizeof *fill);
  for (int s = 0; s < m->n_spread; s++)
    for (int i = 0; i < m->spread[s].n_vms; i++) it[fill[m->spread[s].vms[i]]++] = s;
  free(fill);
  *ostart = st;
  *oitems = it;
  return 0;
}

void vmp__ridx_free(vmp__ridx *x)
{
  if (!x) return;
  free(x->init); free(x->vc_start); free(x->vc); free(x->vg_start); free(x->vg);
  free(x->vs_start); free(x->vs); free(x->vl_start); free(x->vl);
  free(x->la_start); free(x->la); free(x->lb_start); free(x->lb);
  free(x->dep_a); free(x->dep_b); free(x->list_label); free(x->list_off);
  free(x->sp_off); free(x->movable); free(x->host_ok); free(x->init_tl);
  /* x->safety is borrowed (the model's safety array, or its capacities
   * when it has none): never freed here. */
  memset(x, 0, sizeof *x);
}

int vmp__ridx_build(vmp__ridx *x, const vmp__rmodel *m)
{
  static const int zero = 0;
  memset(x, 0, sizeof *x);
  x->m = m;
  x->nv = m->nv; x->nh = m->nh; x->nr = m->nr;
  size_t nv = (size_t)m->nv, nh = (size_t)m->nh, nr = (size_t)m->nr;
  x->safety = m->safety ? m->safety : m->cap;
  for (size_t r = 0; r < nr; r++) {
    x->sw[r] = m->safety_weight ? m->safety_weight[r] : 0;
    x->tr[r] = m->transient ? m->transient[r] : 0;
    x->any_tr |= x->tr[r];
  }
  x->init = malloc((nv + 1) * sizeof *x->init);
  x->movable = malloc((nv + 1) * sizeof *x->movable);
  x->host_ok = malloc(nh);
  x->sp_off = malloc(((size_t)m->n_spread + 1) * sizeof *x->sp_off);
  if (!x->init || !x->movable || !x->host_ok || !x->sp_off) goto oom;
  for (size_t v = 0; v < nv; v++) {
    x->init[v] = m->init ? m->init[v] : -1;
    if (!(m->pinned && m->pinned[v])) x->movable[x->n_movable++] = (int)v;
  }
  for (size_t h = 0; h < nh; h++) x->host_ok[h] = !(m->closed && m->closed[h]);
  if (invert(m->nv, m->n_conflict, m->n_conflict ? m->conflict_start : &zero,
             m->conflict_vms, 0, 0, &x->vc_start, &x->vc) ||
      invert(m->nv, m->n_groups, m->n_groups ? m->group_start : &zero,
             m->group_vms, 0, 0, &x->vg_start, &x->vg) ||
      invert_spread(m, &x->vs_start, &x->vs) || build_lists(x, m))
    goto oom;
  x->conf_members = (size_t)x->vc_start[nv];
  for (int g = 0; g < m->n_groups; g++) {
    int sz = m->group_start[g + 1] - m->group_start[g];
    if (sz > x->max_group) x->max_group = sz;
  }
  x->sp_off[0] = 0;
  for (int s = 0; s < m->n_spread; s++)
    x->sp_off[s + 1] = x->sp_off[s] + m->n_domains[m->spread[s].label];
  x->sp_total = x->sp_off[m->n_spread];
  if (x->any_tr) {
    if (!(x->init_tl = calloc(nh * nr + 1, sizeof *x->init_tl))) goto oom;
    for (size_t v = 0; v < nv; v++) {
      if (x->init[v] < 0) continue;
      double *T = x->init_tl + (size_t)x->init[v] * nr;
      const double *d = m->demand + v * nr;
      for (size_t r = 0; r < nr; r++)
        if (x->tr[r]) T[r] += d[r];
    }
  }
  return 0;
oom:
  vmp__ridx_free(x);
  return vmp__enomem();
}

double vmp__ridx_move_cost(const vmp__ridx *x, int v, int h)
{
  const vmp__rmodel *m = x->m;
  int h0 = x->init[v];
  if (h0 < 0 || h0 == h) return 0;
  double c = m->pmc ? m->w_pmc * m->pmc[v] : 0;
  if (m->n_hmc_class)
    c += m->w_mmc * m->hmc[(size_t)m->hmc_class[h0] * (size_t)m->n_hmc_class +
                           (size_t)m->hmc_class[h]];
  return c;
}

int vmp__ridx_allowed(const vmp__ridx *x, int v, int h)
{
  const vmp__rmodel *m = x->m;
  if (!x->host_ok[h]) return 0;
  if (!m->allowed_start) return 1;
  for (int k = m->allowed_start[v]; k < m->allowed_start[v + 1]; k++)
    if (m->allowed_hosts[k] == h) return 1;
  return 0;
}

/* ---- conflict hash ---------------------------------------------------------- */

static inline size_t hslot(uint64_t key, size_t mask)
{
  key *= 0x9E3779B97F4A7C15ull;
  return (size_t)(key >> 20) & mask;
}

static inline int conf_get(const vmp__rstate *s, int c, int h)
{
  uint64_t key = (uint64_t)c * (uint64_t)s->x->nh + (uint64_t)h + 1;
  for (size_t i = hslot(key, s->hmask);; i = (i + 1) & s->hmask) {
    if (s->hkey[i] == key) return s->hval[i];
    if (!s->hkey[i]) return 0;
  }
}

static void conf_add(vmp__rstate *s, int c, int h, int d)
{
  uint64_t key = (uint64_t)c * (uint64_t)s->x->nh + (uint64_t)h + 1;
  size_t i = hslot(key, s->hmask);
  while (s->hkey[i] && s->hkey[i] != key) i = (i + 1) & s->hmask;
  if (!s->hkey[i]) { s->hkey[i] = key; s->hval[i] = 0; }
  s->hval[i] += d;
  if (s->hval[i] != 0) return;
  /* remove with backward shift, so probe chains stay unbroken */
  size_t j = i;
  for (;;) {
    j = (j + 1) & s->hmask;
    if (!s->hkey[j]) break;
    size_t home = hslot(s->hkey[j], s->hmask);
    /* can the entry at j move to the hole at i? yes unless home lies
     * cyclically in (i, j] */
    int stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
    if (stays) continue;
    s->hkey[i] = s->hkey[j];
    s->hval[i] = s->hval[j];
    i = j;
  }
  s->hkey[i] = 0;
  s->hval[i] = 0;
}

/* ---- state -------------------------------------------------------------------- */

int vmp__rstate_conf_count(const vmp__rstate *s, int c, int h)
{
  return conf_get(s, c, h);
}

void vmp__rstate_free(vmp__rstate *s)
{
  if (!s) return;
  free(s->a); free(s->load); free(s->tl); free(s->hc); free(s->cnt);
  free(s->hkey); free(s->hval); free(s->spc); free(s->spdist);
  free(s->lc); free(s->gm); free(s->hist);
  if (s->hv)
    for (int h = 0; h < s->x->nh; h++) free(s->hv[h]);
  free(s->hv); free(s->hn); free(s->hcap); free(s->pos);
  memset(s, 0, sizeof *s);
}

int vmp__rstate_init(vmp__rstate *s, const vmp__ridx *x)
{
  const vmp__rmodel *m = x->m;
  size_t nv = (size_t)x->nv, nh = (size_t)x->nh, nr = (size_t)x->nr;
  memset(s, 0, sizeof *s);
  s->x = x;
  size_t hs = 16;
  while (hs < 2 * x->conf_members + 16) hs <<= 1;
  s->hmask = hs - 1;
  s->a = malloc((nv + 1) * sizeof *s->a);
  s->load = malloc(nh * nr * sizeof *s->load);
  s->tl = malloc(nh * nr * sizeof *s->tl);
  s->hc = malloc(nh * sizeof *s->hc);
  s->cnt = malloc(nh * sizeof *s->cnt);
  s->hkey = malloc(hs * sizeof *s->hkey);
  s->hval = malloc(hs * sizeof *s->hval);
  s->spc = malloc(((size_t)x->sp_total + 1) * sizeof *s->spc);
  s->spdist = malloc(((size_t)m->n_spread + 1) * sizeof *s->spdist);
  s->lc = malloc(((size_t)x->lc_total + 1) * sizeof *s->lc);
  s->gm = malloc(((size_t)m->n_groups + 1) * sizeof *s->gm);
  s->hist = malloc(((size_t)x->max_group + 2) * sizeof *s->hist);
  s->hv = calloc(nh, sizeof *s->hv);
  s->hn = calloc(nh, sizeof *s->hn);
  s->hcap = calloc(nh, sizeof *s->hcap);
  s->pos = malloc((nv + 1) * sizeof *s->pos);
  if (!s->hv || !s->hn || !s->hcap || !s->pos || !s->a || !s->load || !s->tl || !s->hc || !s->cnt || !s->hkey || !s->hval ||
      !s->spc || !s->spdist || !s->lc || !s->gm || !s->hist) {
    vmp__rstate_free(s);
    return vmp__enomem();
  }
  return 0;
}

double vmp__rstate_host_cost(const vmp__ridx *x, int h, const double *L)
{
  const vmp__rmodel *m = x->m;
  size_t nr = (size_t)x->nr, base = (size_t)h * nr;
  double c = 0;
  for (size_t r = 0; r < nr; r++) {
    double over = L[r] - x->safety[base + r];
    if (over > 0) c += x->sw[r] * over;
  }
  for (int b = 0; b < m->n_balance; b++) {
    const vmp__rbalance *q = &m->balance[b];
    double t = q->target * (m->cap[base + (size_t)q->r1] - L[q->r1]) -
               (m->cap[base + (size_t)q->r2] - L[q->r2]);
    if (t > 0) c += q->weight * t;
  }
  return c;
}

static inline double hmc_of(const vmp__ridx *x, int h0, int h)
{
  const vmp__rmodel *m = x->m;
  if (!m->n_hmc_class) return 0;
  return m->hmc[(size_t)m->hmc_class[h0] * (size_t)m->n_hmc_class +
                (size_t)m->hmc_class[h]];
}

/* Appends v to host h's list.  Lists grow by doubling; when memory runs
 * out the lists freeze (s->oom; they are only used to pick candidates, and
 * the engine stops at the next meeting with VMP_ENOMEM). */
static void hv_push(vmp__rstate *s, int v, int h)
{
  if (s->oom) return;
  if (s->hn[h] == s->hcap[h]) {
    int nc = s->hcap[h] ? 2 * s->hcap[h] : 8;
    int *n = realloc(s->hv[h], (size_t)nc * sizeof *n);
    if (!n) { s->oom = 1; return; }
    s->hv[h] = n;
    s->hcap[h] = nc;
  }
  s->pos[v] = s->hn[h];
  s->hv[h][s->hn[h]++] = v;
}

static void hv_remove(vmp__rstate *s, int v, int h)
{
  if (s->oom) return;
  int i = s->pos[v], last = s->hv[h][--s->hn[h]];
  s->hv[h][i] = last;
  s->pos[last] = i;
}

void vmp__rstate_load(vmp__rstate *s, const int *a)
{
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  size_t nv = (size_t)x->nv, nh = (size_t)x->nh, nr = (size_t)x->nr;
  memcpy(s->a, a, nv * sizeof *a);
  memset(s->load, 0, nh * nr * sizeof *s->load);
  memset(s->tl, 0, nh * nr * sizeof *s->tl);
  memset(s->cnt, 0, nh * sizeof *s->cnt);
  memset(s->hkey, 0, (s->hmask + 1) * sizeof *s->hkey);
  memset(s->spc, 0, ((size_t)x->sp_total + 1) * sizeof *s->spc);
  memset(s->spdist, 0, ((size_t)m->n_spread + 1) * sizeof *s->spdist);
  memset(s->lc, 0, ((size_t)x->lc_total + 1) * sizeof *s->lc);
  memset(s->gm, 0, ((size_t)m->n_groups + 1) * sizeof *s->gm);
  memset(s->hist, 0, ((size_t)x->max_group + 2) * sizeof *s->hist);
  s->c_pmc = s->c_mmc = s->c_hcost = 0;
  memset(s->hn, 0, nh * sizeof *s->hn);
  s->oom = 0;
  for (size_t v = 0; v < nv; v++) hv_push(s, (int)v, a[v]);
  for (size_t v = 0; v < nv; v++) {
    int h = a[v], h0 = x->init[v], moved = h0 >= 0 && h0 != h;
    const double *d = m->demand + v * nr;
    s->cnt[h]++;
    for (size_t r = 0; r < nr; r++) {
      s->load[(size_t)h * nr + r] += d[r];
      s->tl[(size_t)h * nr + r] += d[r];
      if (moved) s->tl[(size_t)h0 * nr + r] += d[r];
    }
    if (moved) {
      if (m->pmc) s->c_pmc += m->pmc[v];
      s->c_mmc += hmc_of(x, h0, h);
      for (int k = x->vg_start[v]; k < x->vg_start[v + 1]; k++) s->gm[x->vg[k]]++;
    }
    for (int k = x->vc_start[v]; k < x->vc_start[v + 1]; k++) conf_add(s, x->vc[k], h, 1);
    for (int k = x->vs_start[v]; k < x->vs_start[v + 1]; k++) {
      int sp = x->vs[k], d0 = m->label[(size_t)m->spread[sp].label * nh + (size_t)h];
      if (s->spc[x->sp_off[sp] + d0]++ == 0) s->spdist[sp]++;
    }
    for (int k = x->vl_start[v]; k < x->vl_start[v + 1]; k++) {
      int l = x->vl[k];
      s->lc[x->list_off[l] + m->label[(size_t)x->list_label[l] * nh + (size_t)h]]++;
    }
  }
  s->gmax = 0;
  for (int g = 0; g < m->n_groups; g++) {
    s->hist[s->gm[g]]++;
    if (s->gm[g] > s->gmax) s->gmax = s->gm[g];
  }
  s->c_host = 0;
  for (size_t h = 0; h < nh; h++) {
    s->hc[h] = vmp__rstate_host_cost(x, (int)h, s->load + h * nr);
    s->c_host += s->hc[h];
    if (m->host_cost && s->cnt[h]) s->c_hcost += m->host_cost[h];
  }
}

double vmp__rstate_cost(const vmp__rstate *s)
{
  const vmp__rmodel *m = s->x->m;
  return s->c_host + m->w_pmc * s->c_pmc + m->w_mmc * s->c_mmc +
         m->w_smc * s->gmax + m->w_host * s->c_hcost;
}

static void group_step(vmp__rstate *s, int v, int d)
{
  const vmp__ridx *x = s->x;
  for (int k = x->vg_start[v]; k < x->vg_start[v + 1]; k++) {
    int g = x->vg[k];
    s->hist[s->gm[g]]--;
    s->gm[g] += d;
    s->hist[s->gm[g]]++;
    if (s->gm[g] > s->gmax) s->gmax = s->gm[g];
  }
  while (s->gmax > 0 && s->hist[s->gmax] == 0) s->gmax--;
}

void vmp__rstate_move(vmp__rstate *s, int v, int h)
{
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  size_t nh = (size_t)x->nh, nr = (size_t)x->nr;
  int h1 = s->a[v], h0 = x->init[v];
  if (h1 == h) return;
  const double *d = m->demand + (size_t)v * nr;
  double *L1 = s->load + (size_t)h1 * nr, *L2 = s->load + (size_t)h * nr;
  double *T1 = s->tl + (size_t)h1 * nr, *T2 = s->tl + (size_t)h * nr;
  for (size_t r = 0; r < nr; r++) {
    L1[r] -= d[r];
    L2[r] += d[r];
    if (h1 != h0) T1[r] -= d[r];
    if (h != h0) T2[r] += d[r];
  }
  double n1 = vmp__rstate_host_cost(x, h1, L1), n2 = vmp__rstate_host_cost(x, h, L2);
  s->c_host += (n1 - s->hc[h1]) + (n2 - s->hc[h]);
  s->hc[h1] = n1;
  s->hc[h] = n2;
  if (m->host_cost) {
    if (--s->cnt[h1] == 0) s->c_hcost -= m->host_cost[h1];
    if (s->cnt[h]++ == 0) s->c_hcost += m->host_cost[h];
  } else {
    s->cnt[h1]--;
    s->cnt[h]++;
  }
  if (h0 >= 0) {
    int was = h1 != h0, now = h != h0;
    double p = m->pmc ? m->pmc[v] : 0;
    s->c_pmc += p * (now - was);
    s->c_mmc += (now ? hmc_of(x, h0, h) : 0) - (was ? hmc_of(x, h0, h1) : 0);
    if (now != was) group_step(s, v, now - was);
  }
  s->a[v] = h;
  hv_remove(s, v, h1);
  hv_push(s, v, h);
  for (int k = x->vc_start[v]; k < x->vc_start[v + 1]; k++) {
    conf_add(s, x->vc[k], h1, -1);
    conf_add(s, x->vc[k], h, 1);
  }
  for (int k = x->vs_start[v]; k < x->vs_start[v + 1]; k++) {
    int sp = x->vs[k];
    const int *lab = m->label + (size_t)m->spread[sp].label * nh;
    int a1 = lab[h1], a2 = lab[h];
    if (a1 == a2) continue;
    int *c = s->spc + x->sp_off[sp];
    if (--c[a1] == 0) s->spdist[sp]--;
    if (c[a2]++ == 0) s->spdist[sp]++;
  }
  for (int k = x->vl_start[v]; k < x->vl_start[v + 1]; k++) {
    int l = x->vl[k];
    const int *lab = m->label + (size_t)x->list_label[l] * nh;
    int *c = s->lc + x->list_off[l];
    c[lab[h1]]--;
    c[lab[h]]++;
  }
}

int vmp__rstate_ok_after(const vmp__rstate *s, int v, int from)
{
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  size_t nh = (size_t)x->nh, nr = (size_t)x->nr;
  int h = s->a[v];
  const double *L = s->load + (size_t)h * nr, *T = s->tl + (size_t)h * nr;
  const double *C = m->cap + (size_t)h * nr;
  for (size_t r = 0; r < nr; r++) {
    if (L[r] > C[r]) return 0;
    if (x->tr[r] && T[r] > C[r]) return 0;
  }
  for (int k = x->vc_start[v]; k < x->vc_start[v + 1]; k++)
    if (conf_get(s, x->vc[k], h) > 1) return 0;
  for (int k = x->vs_start[v]; k < x->vs_start[v + 1]; k++) {
    int sp = x->vs[k];
    if (s->spdist[sp] < m->spread[sp].min_domains) return 0;
  }
  for (int k = x->vl_start[v]; k < x->vl_start[v + 1]; k++) {
    int l = x->vl[k];
    const int *lab = m->label + (size_t)x->list_label[l] * nh;
    int d1 = lab[from], d2 = lab[h];
    if (d1 == d2) continue;
    /* v left d1: dependencies that need list l there */
    if (s->lc[x->list_off[l] + d1] == 0)
      for (int i = x->lb_start[l]; i < x->lb_start[l + 1]; i++)
        if (s->lc[x->list_off[x->dep_a[x->lb[i]]] + d1] > 0) return 0;
    /* v arrived in d2: its dependencies must be there */
    for (int i = x->la_start[l]; i < x->la_start[l + 1]; i++)
      if (s->lc[x->list_off[x->dep_b[x->la[i]]] + d2] == 0) return 0;
  }
  return 1;
}
