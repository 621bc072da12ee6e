/*
 * The rebalancer: a local search from the current placement, over ten
 * neighbourhoods (shift, swap, their targeted and best-of variants, back
 * home, ejection chains, and an exact two-host re-split by branch and
 * bound), priced incrementally (rstate.c).
 *
 * Acceptance, per lane: an opening phase accepts only moves that gain at
 * least `need` (1% of the cost at first, halved whenever a window of
 * attempts finds none), because with transient resources every move
 * spends capacity on its source host and a first-improvement descent
 * wastes it on small gains; then simulated annealing, cooled at every
 * meeting and restarted from the best when cold.
 *
 * Lanes are independent searches (seeds derived from the run's seed) run
 * on the threads and meeting after every EPOCH_MOVES attempts, in lane
 * order: the best lane's best becomes the run's best, and every fourth
 * meeting the lane with the worst best restarts from it.  Nothing depends
 * on timing but where the run stops, so a run ended by its move budget
 * gives the same answer for a seed and a lane count at any thread count.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rstate.h"

#define EPOCH_MOVES 200000     /* move attempts per lane between meetings */
#define CLOCK_EVERY 128        /* attempts between clock reads */
#define SCAN_HOSTS 128         /* hosts a best shift prices */
#define SCAN_VMS 32            /* VMs a best swap prices */
#define NEED_WINDOW 4096       /* attempts without a gain before need halves */
#define NEED_START 1e-2        /* first required gain, times the cost */
#define NEED_DECAY 0.5
/* temperature at a (re)start, x cost / nv: lanes take these in turn, a
 * portfolio (no single value suits every instance) */
static const double sa_t0[4] = {0.1, 1.0, 0.3, 3.0};
#define SA_TMIN 1e-4           /* restart below this (same unit) */
#define SA_ALPHA 0.9           /* cooling per meeting */

typedef struct lane {
  vmp__rstate s;
  double cost;
  uint64_t rng;
  int64_t attempts, accepted;
  int64_t budget;              /* attempts this epoch */
  double temp;                 /* annealing temperature (0: descent) */
  double need;                 /* gain a move must bring (the opening
                                  phase takes big gains first) */
  int jfull;                   /* the journal overflowed (stopped) */
  int win, win_acc;            /* attempts and acceptances in the window */
  double op_w[16];             /* neighbourhood weights (sum 1) */
  /* the lane's best assignment, and the moves made since it (replayed into
   * it when the current assignment becomes the new best) */
  int *best_a;
  double best_cost;
  int *jv, *jh;
  size_t jn, jcap;
} lane;

typedef struct run {
  const vmp__ridx *x;
  const vmp__rebalance_opts *o;
  lane *lanes;
  int nl, nt;
  atomic_int stop;             /* 1 deadline, 2 callback */
  double best, bound, last_cb;
} run;

/* ---- random numbers (splitmix64 seeding, xorshift64*) ---------------------------- */

static uint64_t splitmix(uint64_t *x)
{
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline uint64_t rnd(uint64_t *s)
{
  uint64_t x = *s;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

static inline int rnd_below(uint64_t *s, int n)
{
  return (int)(((rnd(s) >> 32) * (uint64_t)n) >> 32);
}

/* ---- moves ------------------------------------------------------------------------ */

/* Price change of the move-cost terms when v goes from h1 to h2; the group
 * term is replaced by a lower bound on its change. */
static double move_terms(const vmp__ridx *x, int v, int h1, int h2)
{
  const vmp__rmodel *m = x->m;
  int h0 = x->init[v];
  if (h0 < 0) return 0;
  int was = h1 != h0, now = h2 != h0;
  double d = 0;
  if (now != was) {
    if (m->pmc) d += m->w_pmc * m->pmc[v] * (now - was);
    if (now < was) d -= m->w_smc;
  }
  if (m->n_hmc_class) {
    const double *row = m->hmc + (size_t)m->hmc_class[h0] * (size_t)m->n_hmc_class;
    d += m->w_mmc * ((now ? row[m->hmc_class[h2]] : 0) - (was ? row[m->hmc_class[h1]] : 0));
  }
  return d;
}

static int pick_vm_on(lane *ln, int h);

/* Records an applied move.  When the journal is full it stops; the next
 * new best is then copied whole instead of replayed. */
static void journal(lane *ln, int v, int h)
{
  if (ln->jn == ln->jcap) {
    ln->jfull = 1;
    return;
  }
  ln->jv[ln->jn] = v;
  ln->jh[ln->jn] = h;
  ln->jn++;
}

/* Makes the current assignment the lane's best. */
static void lane_new_best(lane *ln)
{
  if (ln->jfull)
    memcpy(ln->best_a, ln->s.a, (size_t)ln->s.x->nv * sizeof *ln->best_a);
  else
    for (size_t i = 0; i < ln->jn; i++) ln->best_a[ln->jv[i]] = ln->jh[i];
  ln->jn = 0;
  ln->jfull = 0;
  ln->best_cost = ln->cost;
}

/* Puts assignment a (of cost c) in the lane as current and best. */
static void lane_reset(lane *ln, const int *a, double c)
{
  vmp__rstate_load(&ln->s, a);
  ln->cost = c;
  memcpy(ln->best_a, a, (size_t)ln->s.x->nv * sizeof *a);
  ln->best_cost = c;
  ln->jn = 0;
  ln->jfull = 0;
}

/* Capacity check and price estimate (exact but for the group term, which
 * is bounded below) of v -> h2.  0 when it breaks a capacity. */
static int shift_price(lane *ln, int v, int h2, double *out)
{
  const vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  size_t nr = (size_t)x->nr;
  int h1 = s->a[v];
  if (h1 == h2 || !vmp__ridx_allowed(x, v, h2)) return 0;
  const double *d = m->demand + (size_t)v * nr, *C = m->cap + (size_t)h2 * nr;
  const double *L1 = s->load + (size_t)h1 * nr, *L2 = s->load + (size_t)h2 * nr;
  const double *T2 = s->tl + (size_t)h2 * nr;
  int home = h2 == x->init[v];
  double A[64], B[64];
  for (size_t r = 0; r < nr; r++) {
    B[r] = L2[r] + d[r];
    if (B[r] > C[r]) return 0;
    if (x->tr[r] && !home && T2[r] + d[r] > C[r]) return 0;
    A[r] = L1[r] - d[r];
  }
  double dc = vmp__rstate_host_cost(x, h1, A) - s->hc[h1] +
              vmp__rstate_host_cost(x, h2, B) - s->hc[h2] + move_terms(x, v, h1, h2);
  if (m->host_cost) {
    if (s->cnt[h1] == 1) dc -= m->w_host * m->host_cost[h1];
    if (s->cnt[h2] == 0) dc += m->w_host * m->host_cost[h2];
  }
  *out = dc;
  return 1;
}

/* Applies v -> h2 and keeps it when every constraint holds and the cost
 * changed by <= thr; else undoes it. */
static int shift_commit(lane *ln, int v, int h2, double thr)
{
  vmp__rstate *s = &ln->s;
  int h1 = s->a[v];
  double before = ln->cost;
  vmp__rstate_move(s, v, h2);
  double after = vmp__rstate_cost(s);
  if (after - before > thr || !vmp__rstate_ok_after(s, v, h1)) {
    vmp__rstate_move(s, v, h1);
    return 0;
  }
  ln->cost = after;
  journal(ln, v, h2);
  return 1;
}

/* Tries v -> h2; keeps it when feasible and the cost changes by <= thr. */
static int try_shift(lane *ln, int v, int h2, double thr)
{
  double dc;
  return shift_price(ln, v, h2, &dc) && dc <= thr && shift_commit(ln, v, h2, thr);
}

/* The best shift of v over SCAN_HOSTS consecutive hosts from a random one
 * (all of them on small instances): the cheapest few candidates by price
 * are committed in order until one holds. */
static int best_shift(lane *ln, int v, double thr)
{
  enum { K = 4 };
  double pc[K];
  int ph[K], n = 0;
  const vmp__ridx *x = ln->s.x;
  int nh = x->nh, start = rnd_below(&ln->rng, nh), span = nh < SCAN_HOSTS ? nh : SCAN_HOSTS;
  for (int i = 0; i < span; i++) {
    int h = start + i < nh ? start + i : start + i - nh;
    double dc;
    if (!shift_price(ln, v, h, &dc) || dc > thr) continue;
    if (n == K && dc >= pc[K - 1]) continue;
    int j = n < K ? n++ : K - 1;
    while (j > 0 && pc[j - 1] > dc) { pc[j] = pc[j - 1]; ph[j] = ph[j - 1]; j--; }
    pc[j] = dc;
    ph[j] = h;
  }
  for (int i = 0; i < n; i++)
    if (shift_commit(ln, v, ph[i], thr)) return 1;
  return 0;
}

/* An ejection chain of two shifts: w leaves h2 for h3 to make room, then
 * v takes its place; kept when the pair changes the cost by <= thr. */
static int try_chain(lane *ln, int v, int h2, int h3, double thr)
{
  vmp__rstate *s = &ln->s;
  int w = pick_vm_on(ln, h2);
  if (w < 0 || w == v || h3 == h2 || s->a[v] == h2) return 0;
  double c0 = ln->cost, dc;
  if (!shift_price(ln, w, h3, &dc) || dc > thr + 1e18) return 0;
  if (!shift_commit(ln, w, h3, INFINITY)) return 0;
  if (try_shift(ln, v, h2, thr - (ln->cost - c0))) return 1;
  shift_commit(ln, w, h2, INFINITY);  /* undo: the old state was feasible */
  ln->cost = c0;
  return 0;
}

/* Tries exchanging the hosts of v1 and v2. */
static int swap_price(lane *ln, int v1, int v2, double *out)
{
  const vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  size_t nr = (size_t)x->nr;
  int h1 = s->a[v1], h2 = s->a[v2];
  if (h1 == h2 || !vmp__ridx_allowed(x, v1, h2) || !vmp__ridx_allowed(x, v2, h1))
    return 0;
  const double *d1 = m->demand + (size_t)v1 * nr, *d2 = m->demand + (size_t)v2 * nr;
  const double *C1 = m->cap + (size_t)h1 * nr, *C2 = m->cap + (size_t)h2 * nr;
  const double *L1 = s->load + (size_t)h1 * nr, *L2 = s->load + (size_t)h2 * nr;
  double A[64], B[64];
  for (size_t r = 0; r < nr; r++) {
    A[r] = L1[r] - d1[r] + d2[r];
    B[r] = L2[r] - d2[r] + d1[r];
    if (A[r] > C1[r] || B[r] > C2[r]) return 0;
  }
  if (x->any_tr) {
    const double *T1 = s->tl + (size_t)h1 * nr, *T2 = s->tl + (size_t)h2 * nr;
    int i1 = x->init[v1], i2 = x->init[v2];
    for (size_t r = 0; r < nr; r++) {
      if (!x->tr[r]) continue;
      double t1 = T1[r] - (h1 != i1 ? d1[r] : 0) + (h1 != i2 ? d2[r] : 0);
      double t2 = T2[r] - (h2 != i2 ? d2[r] : 0) + (h2 != i1 ? d1[r] : 0);
      if (t1 > C1[r] || t2 > C2[r]) return 0;
    }
  }
  *out = vmp__rstate_host_cost(x, h1, A) - s->hc[h1] +
         vmp__rstate_host_cost(x, h2, B) - s->hc[h2] +
         move_terms(x, v1, h1, h2) + move_terms(x, v2, h2, h1);
  return 1;
}

static int swap_commit(lane *ln, int v1, int v2, double thr)
{
  vmp__rstate *s = &ln->s;
  int h1 = s->a[v1], h2 = s->a[v2];
  double before = ln->cost;
  vmp__rstate_move(s, v1, h2);
  vmp__rstate_move(s, v2, h1);
  double after = vmp__rstate_cost(s);
  if (after - before > thr || !vmp__rstate_ok_after(s, v1, h1) ||
      !vmp__rstate_ok_after(s, v2, h2)) {
    vmp__rstate_move(s, v2, h2);
    vmp__rstate_move(s, v1, h1);
    return 0;
  }
  ln->cost = after;
  journal(ln, v1, h2);
  journal(ln, v2, h1);
  return 1;
}

static int try_swap(lane *ln, int v1, int v2, double thr)
{
  double dc;
  return swap_price(ln, v1, v2, &dc) && dc <= thr && swap_commit(ln, v1, v2, thr);
}

/* The best swap of v with one of SCAN_VMS VMs of host h2 (a random
 * window of its list). */
static int best_swap(lane *ln, int v, int h2, double thr)
{
  enum { K = 3 };
  const vmp__rstate *s = &ln->s;
  const unsigned char *pin = s->x->m->pinned;
  double pc[K];
  int pw[K], n = 0;
  if (h2 < 0 || h2 == s->a[v] || s->hn[h2] == 0) return 0;
  int cnt = s->hn[h2], start = rnd_below(&ln->rng, cnt), span = cnt < SCAN_VMS ? cnt : SCAN_VMS;
  for (int i = 0; i < span; i++) {
    int w = s->hv[h2][start + i < cnt ? start + i : start + i - cnt];
    double dc;
    if ((pin && pin[w]) || !swap_price(ln, v, w, &dc) || dc > thr) continue;
    if (n == K && dc >= pc[K - 1]) continue;
    int j = n < K ? n++ : K - 1;
    while (j > 0 && pc[j - 1] > dc) { pc[j] = pc[j - 1]; pw[j] = pw[j - 1]; j--; }
    pc[j] = dc;
    pw[j] = w;
  }
  for (int i = 0; i < n; i++)
    if (swap_commit(ln, v, pw[i], thr)) return 1;
  return 0;
}

static int random_host_for(const vmp__ridx *x, uint64_t *rng, int v)
{
  const vmp__rmodel *m = x->m;
  if (m->allowed_start) {
    int n = m->allowed_start[v + 1] - m->allowed_start[v];
    if (n <= 0) return -1;
    return m->allowed_hosts[m->allowed_start[v] + rnd_below(rng, n)];
  }
  return rnd_below(rng, x->nh);
}

/* A host by tournament among `k` random non-empty hosts: the costliest
 * (hot) or the cheapest (cold). -1 when all samples were empty. */
static int pick_host(lane *ln, int k, int hot)
{
  const vmp__rstate *s = &ln->s;
  int best = -1;
  for (int i = 0; i < k; i++) {
    int h = rnd_below(&ln->rng, s->x->nh);
    if (hot && s->hn[h] == 0) continue;
    if (best < 0 || (hot ? s->hc[h] > s->hc[best] : s->hc[h] < s->hc[best])) best = h;
  }
  return best;
}

/* The host, among k random ones, with the most weighted unused safety
 * capacity (the best place to shed load to). */
static int pick_roomy(lane *ln, int k)
{
  const vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  int best = -1;
  double bs = -1;
  for (int i = 0; i < k; i++) {
    int h = rnd_below(&ln->rng, x->nh);
    const double *L = s->load + (size_t)h * (size_t)x->nr;
    const double *S = x->safety + (size_t)h * (size_t)x->nr;
    double sc = 0;
    for (int r = 0; r < x->nr; r++)
      if (S[r] > L[r]) sc += (x->sw[r] + 1e-9) * (S[r] - L[r]);
    if (sc > bs) { bs = sc; best = h; }
  }
  return best;
}

static int pick_vm_on(lane *ln, int h)
{
  const vmp__rstate *s = &ln->s;
  if (h < 0 || s->hn[h] == 0) return -1;
  int v = s->hv[h][rnd_below(&ln->rng, s->hn[h])];
  const unsigned char *pin = s->x->m->pinned;
  return pin && pin[v] ? -1 : v;
}

/* Ejection: v goes to h2 after up to EJECT_MAX VMs of h2 leave for their
 * cheapest feasible hosts; kept when the whole chain changes the cost by
 * <= thr, else undone. */
#define EJECT_MAX 4
static int try_eject(lane *ln, int v, int h2, double thr)
{
  vmp__rstate *s = &ln->s;
  if (v < 0 || h2 < 0 || s->a[v] == h2 || !vmp__ridx_allowed(s->x, v, h2)) return 0;
  double c0 = ln->cost;
  int ev[EJECT_MAX], n = 0;
  for (;;) {
    if (try_shift(ln, v, h2, thr - (ln->cost - c0))) return 1;
    if (n == EJECT_MAX) break;
    int w = pick_vm_on(ln, h2);
    if (w < 0 || w == v) break;
    if (!best_shift(ln, w, INFINITY)) break;
    ev[n++] = w;
  }
  while (n > 0) {
    int w = ev[--n];
    vmp__rstate_move(s, w, h2);
    journal(ln, w, h2);
  }
  ln->cost = vmp__rstate_cost(s);
  return 0;
}

/* ---- large neighbourhood: two hosts' VMs re-split exactly ------------------------ */

#define LNS_MAX 14               /* free VMs per re-split */

typedef struct split {
  lane *ln;
  int h[2], n;
  int vm[LNS_MAX];
  int side[LNS_MAX], best_side[LNS_MAX];
  double L[2][64], T[2][64];     /* loads and transient loads so far */
  const double *C[2], *S[2];
  double best;                   /* cost of the best complete split */
  int64_t nodes;
} split;

/* Load cost of host side k (monotone in the VMs added: a valid bound). */
static double side_load(const split *sp, int k)
{
  const vmp__ridx *x = sp->ln->s.x;
  double c = 0;
  for (int r = 0; r < x->nr; r++) {
    double over = sp->L[k][r] - sp->S[k][r];
    if (over > 0) c += x->sw[r] * over;
  }
  return c;
}

/* Move-cost terms (without the group term) of v ending on host h. */
static double vm_move_cost(const vmp__ridx *x, int v, int h)
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

static void split_dfs(split *sp, int i, double moves)
{
  const vmp__ridx *x = sp->ln->s.x;
  const vmp__rmodel *m = x->m;
  int nr = x->nr;
  if (++sp->nodes > 20000) return;
  if (moves + side_load(sp, 0) + side_load(sp, 1) >= sp->best) return;
  if (i == sp->n) {
    double c = moves + vmp__rstate_host_cost(x, sp->h[0], sp->L[0]) +
               vmp__rstate_host_cost(x, sp->h[1], sp->L[1]);
    if (c < sp->best) {
      sp->best = c;
      memcpy(sp->best_side, sp->side, sizeof sp->side);
    }
    return;
  }
  int v = sp->vm[i], h0 = x->init[v];
  const double *d = m->demand + (size_t)v * (size_t)nr;
  int first = (int)(rnd(&sp->ln->rng) & 1);
  for (int t = 0; t < 2; t++) {
    int k = first ^ t, o = 1 - k, ok = 1;
    /* v on side k; it also holds transient resources on its initial host
     * when that is the other side */
    int hold = h0 == sp->h[o];
    for (int r = 0; r < nr && ok; r++) {
      if (sp->L[k][r] + d[r] > sp->C[k][r]) ok = 0;
      else if (x->tr[r] && (sp->T[k][r] + d[r] > sp->C[k][r] ||
                            (hold && sp->T[o][r] + d[r] > sp->C[o][r])))
        ok = 0;
    }
    if (!ok) continue;
    for (int r = 0; r < nr; r++) {
      sp->L[k][r] += d[r];
      sp->T[k][r] += d[r];
      if (hold) sp->T[o][r] += d[r];
    }
    sp->side[i] = k;
    split_dfs(sp, i + 1, moves + vm_move_cost(x, v, sp->h[k]));
    for (int r = 0; r < nr; r++) {
      sp->L[k][r] -= d[r];
      sp->T[k][r] -= d[r];
      if (hold) sp->T[o][r] -= d[r];
    }
  }
}

/* Re-splits up to LNS_MAX VMs of hosts h1 and h2 between the two by
 * branch and bound (capacity, transient and load-cost pruning); the best
 * split is applied and kept when every constraint holds and the cost
 * changes by <= thr. */
static int lns_pair(lane *ln, int h1, int h2, double thr)
{
  vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  int nr = x->nr;
  if (h1 < 0 || h2 < 0 || h1 == h2 || !x->host_ok[h1] || !x->host_ok[h2]) return 0;
  split sp;
  memset(&sp, 0, sizeof sp);
  sp.ln = ln;
  sp.h[0] = h1;
  sp.h[1] = h2;
  for (int k = 0; k < 2; k++) {
    memcpy(sp.L[k], s->load + (size_t)sp.h[k] * (size_t)nr, (size_t)nr * sizeof(double));
    memcpy(sp.T[k], s->tl + (size_t)sp.h[k] * (size_t)nr, (size_t)nr * sizeof(double));
    sp.C[k] = m->cap + (size_t)sp.h[k] * (size_t)nr;
    sp.S[k] = x->safety + (size_t)sp.h[k] * (size_t)nr;
  }
  /* pick the free VMs: a random sample of both hosts' movable VMs that may
   * sit on either host */
  double cur = 0;
  for (int k = 0; k < 2; k++) {
    int hk = sp.h[k], cnt = s->hn[hk], start = cnt ? rnd_below(&ln->rng, cnt) : 0;
    for (int j = 0; j < cnt && sp.n < LNS_MAX; j++) {
      int v = s->hv[hk][(start + j) % cnt];
      if ((m->pinned && m->pinned[v]) || !vmp__ridx_allowed(x, v, sp.h[1 - k])) continue;
      if (k == 0 && sp.n >= LNS_MAX / 2) break;
      sp.vm[sp.n++] = v;
    }
  }
  if (sp.n < 2) return 0;
  /* take the free VMs out of the loads; their current split is the
   * incumbent */
  for (int i = 0; i < sp.n; i++) {
    int v = sp.vm[i], k = s->a[v] == h1 ? 0 : 1, o = 1 - k, h0 = x->init[v];
    const double *d = m->demand + (size_t)v * (size_t)nr;
    for (int r = 0; r < nr; r++) {
      sp.L[k][r] -= d[r];
      sp.T[k][r] -= d[r];
      if (h0 == sp.h[o]) sp.T[o][r] -= d[r];
    }
    sp.side[i] = k;
    cur += vm_move_cost(x, v, sp.h[k]);
  }
  cur += s->hc[h1] + s->hc[h2];
  sp.best = cur + (thr < 0 ? thr : 0);
  memcpy(sp.best_side, sp.side, sizeof sp.side);
  double target = sp.best;
  split_dfs(&sp, 0, 0);
  if (!(sp.best < target)) return 0;
  /* apply, check, keep or undo */
  double before = ln->cost;
  int moved[LNS_MAX], from[LNS_MAX], nm = 0;
  for (int i = 0; i < sp.n; i++) {
    int v = sp.vm[i], h = sp.h[sp.best_side[i]];
    if (s->a[v] == h) continue;
    moved[nm] = v;
    from[nm++] = s->a[v];
    vmp__rstate_move(s, v, h);
  }
  double after = vmp__rstate_cost(s);
  int ok = after - before <= thr;
  for (int i = 0; i < nm && ok; i++) ok = vmp__rstate_ok_after(s, moved[i], from[i]);
  if (!ok) {
    for (int i = nm - 1; i >= 0; i--) vmp__rstate_move(s, moved[i], from[i]);
    return 0;
  }
  ln->cost = after;
  for (int i = 0; i < nm; i++) journal(ln, moved[i], s->a[moved[i]]);
  return 1;
}

/* The neighbourhoods; each attempt draws one from the lane's mix. */
enum {
  OP_SHIFT,       /* random VM to a random host */
  OP_SWAP,        /* two random VMs */
  OP_HOT_SHIFT,   /* VM of a costly host to a cheap or roomy one */
  OP_HOT_SWAP,    /* VM of a costly host with one of a cheap host */
  OP_BEST_SHIFT,  /* VM of a costly host to its best host */
  OP_BEST_SWAP,   /* VM of a costly host with the best VM of a roomy host */
  OP_HOME,        /* moved VM back to its initial host, alone or swapped */
  OP_CHAIN,       /* make room on a cheap host by moving one VM away */
  OP_EJECT,       /* make room by moving up to EJECT_MAX VMs away */
  OP_LNS,         /* two hosts re-split exactly */
  N_OPS
};

static int op_run(lane *ln, int op, double thr)
{
  const vmp__ridx *x = ln->s.x;
  int v, w, h;
  uint64_t r = rnd(&ln->rng);
  switch (op) {
  case OP_SHIFT:
    v = x->movable[rnd_below(&ln->rng, x->n_movable)];
    h = random_host_for(x, &ln->rng, v);
    return h >= 0 && try_shift(ln, v, h, thr);
  case OP_SWAP:
    v = x->movable[rnd_below(&ln->rng, x->n_movable)];
    w = x->movable[rnd_below(&ln->rng, x->n_movable)];
    return try_swap(ln, v, w, thr);
  case OP_HOT_SHIFT:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    h = (r & 4) ? ((r & 8) ? pick_roomy(ln, 3) : pick_host(ln, 3, 0))
                : rnd_below(&ln->rng, x->nh);
    return v >= 0 && h >= 0 && try_shift(ln, v, h, thr);
  case OP_HOT_SWAP:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    w = pick_vm_on(ln, (r & 4) ? pick_host(ln, 3, 0) : rnd_below(&ln->rng, x->nh));
    return v >= 0 && w >= 0 && try_swap(ln, v, w, thr);
  case OP_BEST_SHIFT:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    return v >= 0 && best_shift(ln, v, thr);
  case OP_BEST_SWAP:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    return v >= 0 && best_swap(ln, v, (r & 4) ? pick_roomy(ln, 3) : pick_host(ln, 3, 0), thr);
  case OP_HOME:
    v = x->movable[rnd_below(&ln->rng, x->n_movable)];
    h = x->init[v];
    if (h < 0 || h == ln->s.a[v]) return 0;
    return (r & 4) ? try_shift(ln, v, h, thr) : best_swap(ln, v, h, thr);
  case OP_CHAIN:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    h = pick_host(ln, 3, 0);
    return v >= 0 && h >= 0 && try_chain(ln, v, h, rnd_below(&ln->rng, x->nh), thr);
  case OP_EJECT:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    return try_eject(ln, v, (r & 4) ? pick_roomy(ln, 3) : rnd_below(&ln->rng, x->nh), thr);
  default:
    return lns_pair(ln, pick_host(ln, 3, 1),
                    (r & 4) ? pick_roomy(ln, 3) : rnd_below(&ln->rng, x->nh), thr);
  }
}

/* The fixed mix of neighbourhoods.  The exact two-host re-split and the
 * ejection pay off where hosts hold few VMs (A set, b_1, b_4, b_9 of the
 * ROADEF instances: <= 64 per host) and cost more than they bring where
 * hosts hold hundreds.  Where they pay, odd lanes draw them four times as
 * often: a portfolio, as the best rate differs from instance to instance
 * (a2_2 gains from 1/16, a1_2 loses). */
static void op_init(lane *ln, const vmp__ridx *x, int lane_index)
{
  double big = x->nv <= 64.0 * x->nh ? (lane_index & 1 ? 1.0 / 16 : 1.0 / 64) : 1.0 / 1024;
  double w[N_OPS] = {0};
  w[OP_LNS] = big;
  w[OP_EJECT] = big;
  w[OP_BEST_SHIFT] = 0.12;
  w[OP_BEST_SWAP] = 0.10;
  w[OP_HOME] = 0.08;
  w[OP_CHAIN] = 0.08;
  double rest = (1 - 2 * big - 0.38) / 4;
  w[OP_SHIFT] = w[OP_SWAP] = w[OP_HOT_SHIFT] = w[OP_HOT_SWAP] = rest;
  for (int k = 0; k < N_OPS; k++) ln->op_w[k] = w[k];
}

/* One attempt of a neighbourhood drawn from the lane's mix. */
static int attempt(lane *ln, double thr)
{
  const vmp__ridx *x = ln->s.x;
  if (x->n_movable == 0) return 0;
  double u = (double)(rnd(&ln->rng) >> 11) * 0x1.0p-53, acc = 0;
  int op = N_OPS - 1;
  for (int k = 0; k < N_OPS; k++) {
    acc += ln->op_w[k];
    if (u < acc) { op = k; break; }
  }
  return op_run(ln, op, thr);
}

/* One step: an attempt accepted when it gains at least `need` (opening
 * phase) or passes the annealing test (temperature `temp`). */
static inline void step(lane *ln)
{
  double thr = -ln->need;
  if (ln->temp > 0 && ln->need <= 0) {
    double u = (double)((rnd(&ln->rng) >> 11) + 1) * 0x1.0p-53;
    thr += -ln->temp * log(u);
  }
  ln->accepted += attempt(ln, thr);
  if (ln->cost < ln->best_cost) lane_new_best(ln);
}

static void lane_epoch(run *R, lane *ln, int main_thread)
{
  const vmp__rebalance_opts *o = R->o;
  for (int64_t i = 0; i < ln->budget; i++) {
    if ((i % CLOCK_EVERY) == 0) {
      if (atomic_load_explicit(&R->stop, memory_order_relaxed)) break;
      if (o->deadline > 0 || (main_thread && o->progress)) {
        double now = vmp__now();
        if (o->deadline > 0 && now >= o->deadline) {
          atomic_store(&R->stop, 1);
          break;
        }
        if (main_thread && o->progress && now - R->last_cb >= 0.005) {
          R->last_cb = now;
          double b = ln->cost < R->best ? ln->cost : R->best;
          if (o->progress(b, R->bound, o->progress_userdata)) {
            atomic_store(&R->stop, 2);
            break;
          }
        }
      }
    }
    ln->attempts++;
    int64_t acc = ln->accepted;
    step(ln);
    /* opening phase: when a window of attempts finds no move bringing the
     * required gain, halve it */
    if (ln->need > 0) {
      ln->win_acc += ln->accepted - acc;
      if (++ln->win == NEED_WINDOW) {
        if (ln->win_acc == 0) {
          ln->need *= NEED_DECAY;
          if (ln->need < 1e-9 * ln->cost) ln->need = 0;
        }
        ln->win = ln->win_acc = 0;
      }
    }
  }
}

typedef struct worker {
  run *R;
  int t;
} worker;

static void *worker_main(void *arg)
{
  worker *w = arg;
  for (int i = w->t; i < w->R->nl; i += w->R->nt) lane_epoch(w->R, &w->R->lanes[i], w->t == 0);
  return NULL;
}

/* Runs one epoch of every lane on the threads; the calling thread is
 * thread 0. */
static void run_epoch(run *R)
{
  pthread_t th[64];
  worker w[64];
  int started = 0;
  for (int t = 1; t < R->nt; t++) {
    w[t].R = R;
    w[t].t = t;
    if (pthread_create(&th[t], NULL, worker_main, &w[t]) != 0) break;
    started = t;
  }
  /* lanes of threads that failed to start run here, in order */
  w[0].R = R;
  w[0].t = 0;
  if (started == R->nt - 1) {
    worker_main(&w[0]);
  } else {
    for (int i = 0; i < R->nl; i++)
      if (i % R->nt == 0 || i % R->nt > started) lane_epoch(R, &R->lanes[i], 1);
  }
  for (int t = 1; t <= started; t++) pthread_join(th[t], NULL);
}

/* ---- evacuation of closed hosts ------------------------------------------------- */

static int evacuate(lane *ln)
{
  const vmp__ridx *x = ln->s.x;
  for (int v = 0; v < x->nv; v++) {
    if (x->host_ok[ln->s.a[v]]) continue;
    int moved = 0;
    /* cheapest feasible target first: try every host with thr = +inf and
     * keep the best */
    double best = INFINITY;
    int bh = -1, h1 = ln->s.a[v];
    for (int h = 0; h < x->nh; h++) {
      double c0 = ln->cost;
      if (!try_shift(ln, v, h, INFINITY)) continue;
      if (ln->cost - c0 < best) { best = ln->cost - c0; bh = h; }
      vmp__rstate_move(&ln->s, v, h1);
      ln->cost = c0;
    }
    if (bh >= 0) moved = try_shift(ln, v, bh, INFINITY);
    if (!moved)
      return vmp__error(VMP_ESTATE, "VM %d cannot leave closed host %d without "
                        "breaking a hard constraint", v, h1);
  }
  return 0;
}

/* ---- entry point ------------------------------------------------------------------ */

static int check_start(const vmp__rmodel *m, const int *start)
{
  vmp__rmodel open = *m;
  vmp__rcost c;
  int rc;
  open.closed = NULL;
  if ((rc = vmp__rmodel_eval(&open, start, &c))) return rc;
  if (m->pinned)
    for (int v = 0; v < m->nv; v++)
      if (m->pinned[v] && m->init && m->init[v] >= 0 && start[v] != m->init[v])
        return vmp__error(VMP_ESTATE, "start: pinned VM %d is not on its initial host", v);
  if (!c.feasible) return vmp__error(VMP_ESTATE, "start assignment infeasible: %s", c.why);
  return 0;
}

static void logf_(const vmp__rebalance_opts *o, const char *fmt, ...) VMP__PRINTF(2, 3);
static void logf_(const vmp__rebalance_opts *o, const char *fmt, ...)
{
  if (!o->log) return;
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  o->log(VMP_LOG_INFO, buf, o->log_userdata);
}

static int lane_alloc(lane *ln, const vmp__ridx *x, int lane_index)
{
  int rc;
  if ((rc = vmp__rstate_init(&ln->s, x))) return rc;
  op_init(ln, x, lane_index);
  ln->jcap = (size_t)x->nv * 2 + 100000;
  ln->best_a = malloc(((size_t)x->nv + 1) * sizeof *ln->best_a);
  ln->jv = malloc(ln->jcap * sizeof *ln->jv);
  ln->jh = malloc(ln->jcap * sizeof *ln->jh);
  if (!ln->best_a || !ln->jv || !ln->jh) return vmp__enomem();
  return 0;
}

static void lane_free(lane *ln)
{
  vmp__rstate_free(&ln->s);
  free(ln->best_a);
  free(ln->jv);
  free(ln->jh);
}

int vmp__rebalance_run(const vmp__rmodel *m, const int *start,
                       const vmp__rebalance_opts *opts, int *best_out,
                       double *obj_out, double *bound_out, vmp__rebalance_stats *st)
{
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  vmp__rebalance_stats stats = {0};
  double t0 = vmp__now();
  int rc;
  if (opts) o = *opts;
  if ((rc = vmp__rmodel_check(m))) return rc;
  if (!start || !best_out) return vmp__error(VMP_EINVAL, "start/best_out: NULL");
  if (o.deadline <= 0 && o.max_moves <= 0 && !o.progress)
    return vmp__error(VMP_EINVAL, "opts: no deadline, move budget or callback to stop");
  if ((rc = check_start(m, start))) return rc;
  int nl = o.lanes > 0 ? o.lanes : 2, nt = o.threads > 0 ? o.threads : 1;
  if (nl > 64) nl = 64;
  if (nt > nl) nt = nl;
  vmp__ridx x;
  if ((rc = vmp__ridx_build(&x, m))) return rc;
  run R = {0};
  R.x = &x;
  R.o = &o;
  R.nl = nl;
  R.nt = nt;
  R.bound = vmp__rmodel_bound(m);
  R.lanes = calloc((size_t)nl, sizeof *R.lanes);
  int *best_a = malloc(((size_t)m->nv + 1) * sizeof *best_a);
  if (!R.lanes || !best_a) { rc = vmp__enomem(); goto out; }
  uint64_t sm = o.seed;
  for (int i = 0; i < nl; i++) {
    if ((rc = lane_alloc(&R.lanes[i], &x, i))) goto out;
    R.lanes[i].rng = splitmix(&sm) | 1;
  }
  lane *l0 = &R.lanes[0];
  vmp__rstate_load(&l0->s, start);
  l0->cost = vmp__rstate_cost(&l0->s);
  stats.start_cost = l0->cost;
  if ((rc = evacuate(l0))) goto out;
  memcpy(best_a, l0->s.a, (size_t)m->nv * sizeof *best_a);
  R.best = l0->cost;
  for (int i = 0; i < nl; i++) {
    lane_reset(&R.lanes[i], best_a, R.best);
    R.lanes[i].temp = sa_t0[i % 4] * R.best / (m->nv + 1);
    R.lanes[i].need = NEED_START * R.best;
  }
  int64_t done = 0;
  for (;;) {
    int64_t e = EPOCH_MOVES;
    if (o.max_moves > 0 && o.max_moves - done < e) e = o.max_moves - done;
    if (e <= 0) break;
    for (int i = 0; i < nl; i++) R.lanes[i].budget = e;
    run_epoch(&R);
    done += e;
    stats.epochs++;
    /* meet: the best of the lanes' bests becomes the global best */
    int bl = 0, wl = 0;
    for (int i = 0; i < nl; i++) {
      if (R.lanes[i].best_cost < R.lanes[bl].best_cost) bl = i;
      if (R.lanes[i].best_cost >= R.lanes[wl].best_cost) wl = i;
    }
    if (R.lanes[bl].best_cost < R.best) {
      lane *b = &R.lanes[bl];
      /* re-derive the cost from scratch: no drift from incremental sums */
      memcpy(best_a, b->best_a, (size_t)m->nv * sizeof *best_a);
      R.best = b->best_cost;
      stats.improvements++;
    }
    for (int i = 0; i < nl; i++)
      if (R.lanes[i].s.oom) { rc = vmp__enomem(); goto out; }
    if (atomic_load(&R.stop)) break;
    for (int i = 0; i < nl; i++) {
      lane *ln = &R.lanes[i];
      if (ln->need > 0) continue;
      ln->temp *= SA_ALPHA;
      if (ln->temp < SA_TMIN * R.best / (m->nv + 1)) {
        ln->temp = sa_t0[i % 4] * R.best / (m->nv + 1);
        lane_reset(ln, best_a, R.best);
      }
    }
    /* the lane with the worst best restarts from the global best */
    if (nl > 1 && wl != bl && R.lanes[wl].best_cost > R.best && stats.epochs % 4 == 0)
      lane_reset(&R.lanes[wl], best_a, R.best);
    if (o.log) {
      char buf[200];
      int n = snprintf(buf, sizeof buf, "epoch %d best %.0f lanes", stats.epochs, R.best);
      for (int i = 0; i < nl && n < (int)sizeof buf - 40; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, " [%.0f %.0f T=%.3g need=%.3g]",
                      R.lanes[i].cost, R.lanes[i].best_cost, R.lanes[i].temp, R.lanes[i].need);
      logf_(&o, "%s", buf);
    }
  }
  memcpy(best_out, best_a, (size_t)m->nv * sizeof *best_a);
  if (obj_out) *obj_out = R.best;
  if (bound_out) *bound_out = R.bound;
  for (int i = 0; i < nl; i++) {
    stats.attempts += R.lanes[i].attempts;
    stats.accepted += R.lanes[i].accepted;
  }
  stats.stopped_by = atomic_load(&R.stop);
  rc = 0;
out:
  stats.seconds = vmp__now() - t0;
  if (st) *st = stats;
  if (R.lanes)
    for (int i = 0; i < nl; i++) lane_free(&R.lanes[i]);
  free(R.lanes);
  free(best_a);
  vmp__ridx_free(&x);
  return rc;
}
