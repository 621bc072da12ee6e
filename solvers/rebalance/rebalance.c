/*
 * The rebalancer: a local search from the current placement, over eleven
 * neighbourhoods (shift, swap, their targeted and best-of variants, back
 * home, ejection chains, the reclaim of a host's transient capacity, and
 * an exact re-split of two hosts' VMs by branch and bound), priced
 * incrementally (rstate.c).  Each lane draws the
 * neighbourhoods from a mix that adapts, at every meeting, to the
 * improvement each brought per unit of work (op_adapt): even lanes set
 * drawing weights by it, odd lanes shares of the work (a portfolio, as
 * neither rule suits every instance).
 *
 * Acceptance, per lane: an opening phase accepts only moves that gain at
 * least `need` (1% of the cost at first, halved whenever a window of
 * attempts finds none), because with transient resources every move
 * spends capacity on its source host and a first-improvement descent
 * wastes it on small gains; then simulated annealing, cooled with the
 * search's progress through its time or move budget so that it ends cold
 * when the search ends (SA_TEND).
 *
 * Lanes are independent searches (seeds derived from the run's seed) run
 * on the threads and meeting after every EPOCH_MOVES attempts or
 * EPOCH_WORK units of work, whichever comes first, in lane order: the
 * best lane's best becomes the run's best, and every fourth
 * meeting the lane with the worst best restarts from it.  Without a time
 * limit nothing depends on timing, so a run ended by its move budget
 * gives the same answer for a seed and a lane count at any thread count;
 * with one, the temperatures follow the clock as well.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rmip.h"
#include "rstate.h"

#define EPOCH_MOVES 200000     /* move attempts per lane between meetings */
#define EPOCH_WORK 4000000     /* or this much work, whichever comes first */
#define CLOCK_EVERY 128        /* attempts between clock reads */
#define CLOCK_WORK 20000       /* or this much work (a re-split can take
                                  50,000 nodes: 128 of them would overshoot) */
#define SCAN_HOSTS 128         /* hosts a best shift prices */
#define SCAN_VMS 32            /* VMs a best swap prices */
#define NEED_WINDOW 4096       /* attempts without a gain before need halves */
#define NEED_START 1e-2        /* first required gain, times the cost */
#define NEED_DECAY 0.5
/* temperature at a (re)start, x cost / nv: lanes take these in turn, a
 * portfolio (no single value suits every instance).  The first two are
 * both 1.0: the first lane used to start at 0.1, made nearly every
 * improvement after the opening phase of a2_2 and a2_3 and stayed in the
 * basin it cooled into; at 1.0 their 60 s answers (2 threads, seeds 1 and
 * 2) went from 4.1-5.6 % to 2.9-3.6 % above the best known (normalized),
 * while a1_1's search alone ends 202 above its optimum instead of at it
 * (the exact stage proves it anyway).  docs/benchmarks.md, "A hotter
 * first lane at 60 s". */
static const double sa_t0[4] = {1.0, 1.0, 0.3, 3.0};
/* With a deadline or a move budget, a lane's temperature follows the
 * search's progress p (0 at its start, 1 at the end of its time or
 * budget, whichever is nearer), geometrically from sa_t0 x the start's
 * cost / nv when its opening phase ends to SA_TEND x the best cost / nv
 * at p = 1: one anneal that ends cold exactly when the search ends.  The
 * per-meeting cooling it replaced (SA_ALPHA, a restart below SA_TMIN)
 * froze a2_2 and a2_3 at 42-47 s of a 60 s run, where the lanes stopped
 * moving (below about 2e-3 x cost / nv), and left short runs hot; it
 * stays for runs stopped only by the progress callback.  docs/
 * benchmarks.md, "One anneal over the whole time". */
#define SA_TEND 1e-3
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
  double p0;                   /* the search's progress when the lane's
                                  opening phase ended (-1 before) */
  int jfull;                   /* the journal overflowed (stopped) */
  int win, win_acc;            /* attempts and acceptances in the window */
  double op_w[16];             /* neighbourhood weights (sum 1) */
  int share;                   /* the mix follows shares of the work (odd
                                  lanes of the portfolio), not draws */
  int64_t work;                /* elementary steps done (prices, moves, search
                                  nodes): the clock of the adaptive mix */
  double gain[16], cost_w[16], tries[16]; /* per neighbourhood since the
                                  last meeting (halved at each): improvement
                                  (net of climbs where `share`), work,
                                  attempts */
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
  double t_start, best_start;  /* when the current search began, and its
                                  best then */
  int64_t a_start;             /* lane 0's attempts then */
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
  ln->work++;
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
  ln->work++;
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
    const double *C = x->m->cap + (size_t)h * (size_t)x->nr;
    const double *T = s->tl + (size_t)h * (size_t)x->nr;
    double sc = 0;
    for (int r = 0; r < x->nr; r++) {
      /* room to take load: below safety, and for a transient resource
       * also below capacity counting what is held for VMs that left */
      double room = S[r] - L[r];
      if (x->tr[r] && C[r] - T[r] < room) room = C[r] - T[r];
      if (room > 0) sc += (x->sw[r] + 1e-9) * room;
    }
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

/* Reclaim (instances with transient resources): a host's transient
 * capacity, once spent on VMs that moved in, stays spent however much of
 * its own load leaves, so the hosts a big VM could go to fill up with
 * small moves and the big VM stays where it costs most.  v goes to a host
 * where it fits what the host holds for its own VMs alone (init_tl),
 * after up to RECLAIM_MAX of the VMs that moved into that host leave for
 * their cheapest feasible hosts (home among them): first those that hold
 * most of the transient resource v lacks.  Kept when the whole chain
 * changes the cost by <= thr, else undone. */
#define RECLAIM_MAX 6
#define RECLAIM_SAMPLE 8
#define RECLAIM_SCAN 64
static int reclaim_target(lane *ln, int v)
{
  const vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  size_t nr = (size_t)x->nr;
  const double *d = x->m->demand + (size_t)v * nr;
  int best = -1;
  double bs = -1;
  for (int i = 0; i < RECLAIM_SAMPLE; i++) {
    int h = random_host_for(x, &ln->rng, v);
    if (h < 0 || h == s->a[v] || !vmp__ridx_allowed(x, v, h)) continue;
    const double *C = x->m->cap + (size_t)h * nr, *I = x->init_tl + (size_t)h * nr;
    const double *L = s->load + (size_t)h * nr, *S = x->safety + (size_t)h * nr;
    int fits = 1;
    double sc = 0;
    for (size_t r = 0; r < nr && fits; r++) {
      if (x->tr[r] && h != x->init[v] && I[r] + d[r] > C[r]) fits = 0;
      double room = S[r] - L[r];
      if (room > 0) sc += (x->sw[r] + 1e-9) * (room < d[r] ? room : d[r]);
    }
    ln->work++;
    if (fits && sc > bs) { bs = sc; best = h; }
  }
  return best;
}

/* The VM on h (not v) to move out first: one that moved in and holds most
 * of what v lacks on h (transient capacity, then capacity), -1 if none. */
static int reclaim_victim(lane *ln, int v, int h)
{
  const vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  size_t nr = (size_t)x->nr;
  const double *d = m->demand + (size_t)v * nr, *C = m->cap + (size_t)h * nr;
  const double *L = s->load + (size_t)h * nr, *T = s->tl + (size_t)h * nr;
  double lack[64];
  int any = 0;
  for (size_t r = 0; r < nr; r++) {
    double e = L[r] + d[r] - C[r];
    if (x->tr[r] && h != x->init[v] && T[r] + d[r] - C[r] > e) e = T[r] + d[r] - C[r];
    lack[r] = e > 0 ? e : 0;
    any |= e > 0;
  }
  int n = s->hn[h], start = n ? rnd_below(&ln->rng, n) : 0, span = n < RECLAIM_SCAN ? n : RECLAIM_SCAN;
  int best = -1;
  double bs = 0;
  for (int i = 0; i < span; i++) {
    int w = s->hv[h][(start + i) % n];
    if (w == v || (m->pinned && m->pinned[w])) continue;
    const double *dw = m->demand + (size_t)w * nr;
    int in = x->init[w] != h;
    double sc = 0;
    for (size_t r = 0; r < nr; r++) {
      if (lack[r] <= 0) continue;
      /* a VM at home frees capacity but not what the host holds */
      if (x->tr[r] && !in) continue;
      sc += (dw[r] < lack[r] ? dw[r] : lack[r]) / lack[r];
    }
    if (!any) sc = in ? 1 : 0;
    ln->work++;
    if (sc > bs) { bs = sc; best = w; }
  }
  return best;
}

static int try_reclaim(lane *ln, int v, double thr)
{
  vmp__rstate *s = &ln->s;
  if (v < 0 || !s->x->init_tl) return 0;
  int h = reclaim_target(ln, v);
  if (h < 0) return 0;
  double c0 = ln->cost, dc;
  int ev[RECLAIM_MAX], eh[RECLAIM_MAX], n = 0;
  for (;;) {
    if (shift_price(ln, v, h, &dc)) {
      if (try_shift(ln, v, h, thr - (ln->cost - c0))) return 1;
      break;
    }
    if (n == RECLAIM_MAX) break;
    int w = reclaim_victim(ln, v, h);
    if (w < 0) break;
    if (!best_shift(ln, w, INFINITY)) break;
    ev[n] = w;
    eh[n++] = h;
  }
  while (n > 0) {
    n--;
    vmp__rstate_move(s, ev[n], eh[n]);
    journal(ln, ev[n], eh[n]);
  }
  ln->cost = vmp__rstate_cost(s);
  return 0;
}

/* ---- large neighbourhood: a few hosts' VMs re-split exactly ---------------------- */

#define LNS_HOSTS 4              /* hosts a re-split can take */
#define LNS_PAIR 2               /* hosts the neighbourhood re-splits (three
                                    paid less than two on the ROADEF A set) */
#define LNS_MAX 24               /* free VMs per re-split */
#define LNS_NODES 50000          /* search nodes per re-split */

typedef struct split {
  lane *ln;
  int k, n;                      /* hosts, free VMs */
  int h[LNS_HOSTS];
  int vm[LNS_MAX];
  int home[LNS_MAX];             /* side of the VM's initial host, -1: none */
  unsigned allow[LNS_MAX];       /* sides the VM may take (bit per side) */
  uint32_t cf[LNS_MAX];          /* free VMs in a conflict set with it */
  uint32_t occ[LNS_HOSTS];       /* free VMs placed on each side so far */
  int side[LNS_MAX], best_side[LNS_MAX];
  int nw, nt;                    /* resources with a safety weight, transient */
  int wr[64], trr[64];           /* their indices */
  double mc[LNS_MAX][LNS_HOSTS]; /* move cost of free VM i on side j */
  double mlb[LNS_MAX + 1];       /* least move cost of the free VMs from i on */
  const double *d[LNS_MAX];      /* demand rows of the free VMs */
  double L[LNS_HOSTS][64], T[LNS_HOSTS][64]; /* loads, transient loads so far */
  double suf[LNS_MAX + 1][64];   /* demand of the free VMs from i on */
  const double *C[LNS_HOSTS], *S[LNS_HOSTS];
  double best;                   /* cost of the best complete split */
  int64_t nodes;
} split;

/* Whether free VM i fits on side j now, transient holds included. */
static inline int split_fits(const split *sp, int i, int j)
{
  const vmp__ridx *x = sp->ln->s.x;
  const double *d = sp->d[i], *L = sp->L[j], *C = sp->C[j];
  int o = sp->home[i];
  if (!(sp->allow[i] >> j & 1) || (sp->occ[j] & sp->cf[i])) return 0;
  for (int r = 0; r < x->nr; r++)
    if (L[r] + d[r] > C[r]) return 0;
  for (int t = 0; t < sp->nt; t++) {
    int r = sp->trr[t];
    if (sp->T[j][r] + d[r] > C[r] || (o >= 0 && o != j && sp->T[o][r] + d[r] > sp->C[o][r]))
      return 0;
  }
  return 1;
}

/* Adds (sign 1) or removes (sign -1) free VM i on side j: loads, and
 * transient loads (on its initial side too when it leaves it). */
static inline void split_put(split *sp, int i, int j, double sign)
{
  const vmp__ridx *x = sp->ln->s.x;
  const double *d = sp->d[i];
  double *L = sp->L[j];
  int o = sp->home[i];
  for (int r = 0; r < x->nr; r++) L[r] += sign * d[r];
  for (int t = 0; t < sp->nt; t++) {
    int r = sp->trr[t];
    sp->T[j][r] += sign * d[r];
    if (o >= 0 && o != j) sp->T[o][r] += sign * d[r];
  }
  if (sign > 0) sp->occ[j] |= 1u << i; else sp->occ[j] &= ~(1u << i);
}

/* The branch and bound over the sides of free VMs i, i+1, ...: `over` is
 * the weighted load above safety on all sides so far, room[r] their
 * unused safety capacity of resource r.  A lower bound on a completion:
 * what overflows stays, the demand of the VMs left beyond the room must
 * overflow somewhere, and each of them pays at least its cheapest move.
 * Each side a VM may take is bounded before it is entered. */
static void split_dfs(split *sp, int i, double moves, double over, const double *room)
{
  const vmp__ridx *x = sp->ln->s.x;
  if (i == sp->n) {
    double c = moves;
    for (int k = 0; k < sp->k; k++) c += vmp__rstate_host_cost(x, sp->h[k], sp->L[k]);
    if (c < sp->best) {
      sp->best = c;
      memcpy(sp->best_side, sp->side, sizeof sp->side);
    }
    return;
  }
  const double *d = sp->d[i], *suf = sp->suf[i + 1];
  /* sides in order of the load cost they would add (cheapest first),
   * each with the bound and sums of the node it leads to */
  int ord[LNS_HOSTS], no = 0;
  double key[LNS_HOSTS], bnd[LNS_HOSTS], ov[LNS_HOSTS];
  double rm[LNS_HOSTS][64];
  for (int j = 0; j < sp->k; j++) {
    if (!split_fits(sp, i, j)) continue;
    double c = 0, b = 0;
    double *rj = rm[j];
    for (int t = 0; t < sp->nw; t++) {
      int r = sp->wr[t];
      double e0 = sp->L[j][r] - sp->S[j][r], e1 = e0 + d[r];
      c += x->sw[r] * ((e1 > 0 ? e1 : 0) - (e0 > 0 ? e0 : 0));
      rj[r] = room[r] + (e1 < 0 ? -e1 : 0) - (e0 < 0 ? -e0 : 0);
      double rest = suf[r] - rj[r];
      if (rest > 0) b += x->sw[r] * rest;
    }
    ov[j] = over + c;
    bnd[j] = ov[j] + b + sp->mlb[i + 1] + sp->mc[i][j];
    int t = no++;
    while (t > 0 && key[t - 1] > c) { key[t] = key[t - 1]; ord[t] = ord[t - 1]; t--; }
    key[t] = c;
    ord[t] = j;
  }
  for (int t = 0; t < no; t++) {
    int j = ord[t];
    if (++sp->nodes > LNS_NODES) return;
    sp->ln->work++;
    if (moves + bnd[j] >= sp->best) continue;
    split_put(sp, i, j, 1);
    sp->side[i] = j;
    split_dfs(sp, i + 1, moves + sp->mc[i][j], ov[j], rm[j]);
    split_put(sp, i, j, -1);
  }
}

/* Whether v is in conflict set c. */
static int vm_in_set(const vmp__ridx *x, int v, int c)
{
  for (int a = x->vc_start[v]; a < x->vc_start[v + 1]; a++)
    if (x->vc[a] == c) return 1;
  return 0;
}

/* Whether free VMs v and w share a conflict set. */
static int in_conflict(const vmp__ridx *x, int v, int w)
{
  for (int a = x->vc_start[v]; a < x->vc_start[v + 1]; a++)
    for (int b = x->vc_start[w]; b < x->vc_start[w + 1]; b++)
      if (x->vc[a] == x->vc[b]) return 1;
  return 0;
}

/* Re-splits up to LNS_MAX VMs of the k hosts hs[] among them by branch
 * and bound (capacity, transient, conflict and load-cost pruning); the
 * best split is applied and kept when every constraint holds and the
 * cost changes by <= thr. */
static int lns_hosts(lane *ln, const int *hs, int k, double thr)
{
  vmp__rstate *s = &ln->s;
  const vmp__ridx *x = s->x;
  const vmp__rmodel *m = x->m;
  int nr = x->nr;
  for (int j = 0; j < k; j++) {
    if (hs[j] < 0 || !x->host_ok[hs[j]]) return 0;
    for (int i = 0; i < j; i++)
      if (hs[i] == hs[j]) return 0;
  }
  split sp;
  memset(&sp, 0, offsetof(split, L));
  sp.ln = ln;
  sp.k = k;
  sp.nodes = 0;
  sp.nw = sp.nt = 0;
  for (int r = 0; r < nr; r++) {
    if (x->sw[r] != 0) sp.wr[sp.nw++] = r;
    if (x->tr[r]) sp.trr[sp.nt++] = r;
  }
  for (int j = 0; j < k; j++) {
    sp.h[j] = hs[j];
    memcpy(sp.L[j], s->load + (size_t)hs[j] * (size_t)nr, (size_t)nr * sizeof(double));
    memcpy(sp.T[j], s->tl + (size_t)hs[j] * (size_t)nr, (size_t)nr * sizeof(double));
    sp.C[j] = m->cap + (size_t)hs[j] * (size_t)nr;
    sp.S[j] = x->safety + (size_t)hs[j] * (size_t)nr;
  }
  /* the free VMs: the hosts' movable VMs, a random sample of LNS_MAX when
   * there are more */
  int cand[LNS_HOSTS * 256], nc = 0;
  for (int j = 0; j < k; j++)
    for (int t = 0; t < s->hn[hs[j]] && nc < (int)(sizeof cand / sizeof *cand); t++) {
      int v = s->hv[hs[j]][t];
      if (!(m->pinned && m->pinned[v])) cand[nc++] = v;
    }
  int want = nc < LNS_MAX ? nc : LNS_MAX;
  for (int i = 0; i < want; i++) {
    int j = i + rnd_below(&ln->rng, nc - i), t = cand[i];
    cand[i] = cand[j];
    cand[j] = t;
  }
  if (want < 2) return 0;
  /* biggest first (relative to the first host's capacity): the bound
   * bites early */
  double key[LNS_MAX];
  for (int i = 0; i < want; i++) {
    const double *d = m->demand + (size_t)cand[i] * (size_t)nr;
    double kk = 0;
    for (int r = 0; r < nr; r++) kk += d[r] / (sp.C[0][r] > 0 ? sp.C[0][r] : 1);
    int t = i;
    while (t > 0 && key[t - 1] < kk) { key[t] = key[t - 1]; sp.vm[t] = sp.vm[t - 1]; t--; }
    key[t] = kk;
    sp.vm[t] = cand[i];
  }
  sp.n = want;
  /* take the free VMs out of the loads; their current split is the
   * incumbent */
  double cur = 0;
  for (int i = 0; i < sp.n; i++) {
    int v = sp.vm[i], c = -1;
    sp.home[i] = -1;
    for (int j = 0; j < k; j++) {
      if (s->a[v] == hs[j]) c = j;
      if (x->init[v] == hs[j]) sp.home[i] = j;
      if (vmp__ridx_allowed(x, v, hs[j])) sp.allow[i] |= 1u << j;
    }
    sp.side[i] = c;
    sp.d[i] = m->demand + (size_t)v * (size_t)nr;
    split_put(&sp, i, c, -1);
    for (int j = 0; j < k; j++) sp.mc[i][j] = vmp__ridx_move_cost(x, v, hs[j]);
    cur += sp.mc[i][c];
  }
  for (int i = 0; i < sp.n; i++)
    for (int t = 0; t < i; t++)
      if (in_conflict(x, sp.vm[i], sp.vm[t])) {
        sp.cf[i] |= 1u << t;
        sp.cf[t] |= 1u << i;
      }
  /* a free VM may not join a host where a VM of its conflict sets stays */
  for (int i = 0; i < sp.n; i++) {
    int v = sp.vm[i];
    for (int a = x->vc_start[v]; a < x->vc_start[v + 1]; a++)
      for (int j = 0; j < k; j++) {
        if (!(sp.allow[i] >> j & 1)) continue;
        int left = vmp__rstate_conf_count(s, x->vc[a], hs[j]);
        if (left == 0 || (left == 1 && sp.side[i] == j)) continue;
        for (int t = 0; t < sp.n; t++)
          if (sp.side[t] == j && vm_in_set(x, sp.vm[t], x->vc[a])) left--;
        if (left > 0) sp.allow[i] &= ~(1u << j);
      }
  }
  for (int j = 0; j < k; j++) sp.occ[j] = 0;
  for (int j = 0; j < k; j++) cur += s->hc[hs[j]];
  for (int r = 0; r < nr; r++) sp.suf[sp.n][r] = 0;
  sp.mlb[sp.n] = 0;
  for (int i = sp.n - 1; i >= 0; i--) {
    const double *d = sp.d[i];
    for (int r = 0; r < nr; r++) sp.suf[i][r] = sp.suf[i + 1][r] + d[r];
    double lo = INFINITY;
    for (int j = 0; j < k; j++)
      if ((sp.allow[i] >> j & 1) && sp.mc[i][j] < lo) lo = sp.mc[i][j];
    if (lo == INFINITY) lo = 0;
    sp.mlb[i] = sp.mlb[i + 1] + lo;
  }
  sp.best = cur + (thr < 0 ? thr : 0);
  memcpy(sp.best_side, sp.side, sizeof sp.side);
  double target = sp.best;
  double over = 0, room[64], root = sp.mlb[0];
  for (int t = 0; t < sp.nw; t++) {
    int r = sp.wr[t];
    room[r] = 0;
    for (int j = 0; j < k; j++) {
      double e = sp.L[j][r] - sp.S[j][r];
      if (e > 0) over += x->sw[r] * e; else room[r] -= e;
    }
    double rest = sp.suf[0][r] - room[r];
    if (rest > 0) root += x->sw[r] * rest;
  }
  sp.nodes = 1;
  ln->work++;
  if (over + root < sp.best) split_dfs(&sp, 0, 0, over, room);
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
  OP_RECLAIM,     /* a host's transient capacity won back for a big VM */
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
  case OP_RECLAIM:
    v = pick_vm_on(ln, pick_host(ln, 3, 1));
    return try_reclaim(ln, v, thr);
  default: {
    int hs[LNS_HOSTS], k = LNS_PAIR;
    hs[0] = pick_host(ln, 3, 1);
    hs[1] = (r & 4) ? pick_roomy(ln, 3) : rnd_below(&ln->rng, x->nh);
    for (int j = 2; j < k; j++) hs[j] = rnd_below(&ln->rng, x->nh);
    return lns_hosts(ln, hs, k, thr);
  }
  }
}

/* Lowers every weight of w[n] (sum 1) above cap to it and hands the
 * excess to the weights below it, in proportion to them, until none is
 * above.  Needs n * cap >= 1 among the weights that are positive. */
static void cap_weights(double *w, int n, double cap)
{
  for (int round = 0; round < n; round++) {
    double excess = 0, below = 0;
    for (int k = 0; k < n; k++) {
      if (w[k] > cap) { excess += w[k] - cap; w[k] = cap; }
      else if (w[k] < cap) below += w[k];
    }
    if (excess <= 0 || below <= 0) return;
    for (int k = 0; k < n; k++)
      if (w[k] < cap) w[k] += excess * w[k] / below;
  }
}

#define SHARE_CAP 0.15         /* most a neighbourhood draws under `share` */

/* The starting mix of neighbourhoods (op_adapt moves it).  The exact
 * re-split and the ejection pay off where hosts hold few VMs (A set, b_1,
 * b_4, b_9 of the ROADEF instances: <= 64 per host) and cost more than
 * they bring where hosts hold hundreds.  Where they pay, odd lanes start
 * with them four times as often: a portfolio, as the best rate differs
 * from instance to instance. */
static void op_init(lane *ln, const vmp__ridx *x, int lane_index, int mix)
{
  ln->share = mix == VMP__RB_MIX_WORK || (mix == VMP__RB_MIX_PORTFOLIO && (lane_index & 1));
  double big = x->nv <= 64.0 * x->nh ? (lane_index & 1 ? 1.0 / 16 : 1.0 / 64) : 1.0 / 1024;
  double w[N_OPS] = {0};
  w[OP_LNS] = big;
  w[OP_EJECT] = big;
  w[OP_RECLAIM] = x->init_tl ? 0.05 : 0;
  w[OP_BEST_SHIFT] = 0.12;
  w[OP_BEST_SWAP] = 0.10;
  w[OP_HOME] = 0.08;
  w[OP_CHAIN] = 0.08;
  double rest = (1 - 2 * big - w[OP_RECLAIM] - 0.38) / 4;
  w[OP_SHIFT] = w[OP_SWAP] = w[OP_HOT_SHIFT] = w[OP_HOT_SWAP] = rest;
  if (ln->share) cap_weights(w, N_OPS, SHARE_CAP);
  for (int k = 0; k < N_OPS; k++) ln->op_w[k] = w[k];
}

/* Forgets half of what the lane's mix learnt since the last meetings, so
 * the recent past counts most. */
static void op_decay(lane *ln)
{
  for (int k = 0; k < N_OPS; k++) {
    ln->gain[k] *= 0.5;
    ln->cost_w[k] *= 0.5;
    ln->tries[k] *= 0.5;
  }
}

/* Each neighbourhood's improvement per unit of work since the last
 * meetings, into sc[N_OPS]; returns their sum.  A net loss (possible
 * under `share`, which charges climbs) rates 0. */
static double op_rates(const lane *ln, double *sc)
{
  double tot = 0;
  for (int k = 0; k < N_OPS; k++) {
    sc[k] = (ln->gain[k] > 0 ? ln->gain[k] : 0) / (ln->cost_w[k] + 1);
    tot += sc[k];
  }
  return tot;
}

/* The floor of each neighbourhood's share, into f_of[N_OPS] (floor_big
 * for the dear ones, none for reclaim where nothing can be won back);
 * returns their sum. */
static double op_floors(const lane *ln, double floor_big, double *f_of)
{
  double fl = 0;
  for (int k = 0; k < N_OPS; k++) {
    f_of[k] = k == OP_LNS || k == OP_EJECT || k == OP_RECLAIM ? floor_big : 0.01;
    if (k == OP_RECLAIM && !ln->s.x->init_tl) f_of[k] = 0;
    fl += f_of[k];
  }
  return fl;
}

/* The work-share rule (lanes with `share`).  Each neighbourhood is
 * credited with the net change of the cost over its attempts (an uphill
 * move accepted by the annealing is charged to the neighbourhood that
 * made it, so the cheap moves are not paid for undoing each other's
 * climbs), and its rate is that net gain per unit of work.  The rates set
 * each neighbourhood's share of the work, above a floor that keeps every
 * one tried, and a share becomes a drawing weight through the
 * neighbourhood's mean work per attempt: an exact re-split can cost 50,000
 * units and a shift one, and under drawing weights alone the dearest takes
 * most of the time whatever its weight (82 % of it on b_2 at the floor
 * weight).  No weight exceeds SHARE_CAP: a move that costs almost nothing
 * (back home, two units) would otherwise buy nearly every draw after one
 * good window and starve the others (a1_2).  Each weight moves halfway
 * towards its target. */
static void op_adapt_share(lane *ln)
{
  double sc[N_OPS], tot = op_rates(ln, sc);
  if (tot > 0) {
    double f_of[N_OPS], p[N_OPS], ps = 0;
    double fl = op_floors(ln, 0.02, f_of);
    for (int k = 0; k < N_OPS; k++) {
      double share = f_of[k] + (1 - fl) * sc[k] / tot;
      double per = ln->tries[k] > 0 ? ln->cost_w[k] / ln->tries[k] : 1;
      p[k] = share / per;
      ps += p[k];
    }
    for (int k = 0; k < N_OPS; k++) p[k] /= ps;
    cap_weights(p, N_OPS, SHARE_CAP);
    for (int k = 0; k < N_OPS; k++) ln->op_w[k] = 0.5 * ln->op_w[k] + 0.5 * p[k];
  }
  op_decay(ln);
}

/* Adapts a lane's mix at a meeting: each neighbourhood's weight moves
 * halfway towards its share of the improvement per unit of work since the
 * last meetings (halved at each, so the recent past counts most), above a
 * floor that keeps every neighbourhood tried (lanes with `share` take
 * op_adapt_share instead).  Work is counted in prices, moves and search
 * nodes, not time, so the mix stays reproducible. */
static void op_adapt(lane *ln)
{
  if (ln->share) {
    op_adapt_share(ln);
    return;
  }
  double sc[N_OPS], tot = op_rates(ln, sc);
  if (tot > 0) {
    double f_of[N_OPS];
    double fl = op_floors(ln, 1.0 / 512, f_of);
    for (int k = 0; k < N_OPS; k++) {
      double f = f_of[k];
      ln->op_w[k] = 0.5 * ln->op_w[k] + 0.5 * (f + (1 - fl) * sc[k] / tot);
    }
  }
  op_decay(ln);
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
  double c0 = ln->cost;
  int64_t w0 = ln->work;
  int ok = op_run(ln, op, thr);
  ln->cost_w[op] += (double)(ln->work - w0) + 1;
  ln->tries[op] += 1;
  if (ln->share || ln->cost < c0) ln->gain[op] += c0 - ln->cost;
  return ok;
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
  int64_t w_end = ln->work + EPOCH_WORK, w_clock = ln->work;
  for (int64_t i = 0; i < ln->budget && ln->work < w_end; i++) {
    if ((i % CLOCK_EVERY) == 0 || ln->work - w_clock >= CLOCK_WORK) {
      w_clock = ln->work;
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

/* The last step: every moved VM of the best assignment that can go back
 * to its initial host without raising the cost does (the search may end
 * in a state where a needless move was never undone).  Deterministic and
 * quick: one shift price per moved VM and pass. */
static void polish(run *R, int *best_a)
{
  lane *ln = &R->lanes[0];
  const vmp__ridx *x = R->x;
  lane_reset(ln, best_a, R->best);
  ln->cost = vmp__rstate_cost(&ln->s);
  int changed = 1;
  for (int pass = 0; pass < 3 && changed; pass++) {
    changed = 0;
    for (int v = 0; v < x->nv; v++) {
      int h0 = x->init[v];
      if (h0 < 0 || ln->s.a[v] == h0 || (x->m->pinned && x->m->pinned[v])) continue;
      changed |= try_shift(ln, v, h0, 0);
    }
  }
  if (ln->cost <= R->best) {
    memcpy(best_a, ln->s.a, (size_t)x->nv * sizeof *best_a);
    R->best = ln->cost;
  }
}

/* ---- evacuation of closed hosts ------------------------------------------------- */

/* Every VM on a closed host moves to an open one before the search.  The
 * cheapest direct shift first.  A VM that no open host can take as things
 * stand gets rounds of: a shift to any open host, ejections (try_eject:
 * up to EJECT_MAX VMs of a target host leave for other hosts first) on
 * every open host, then a few random shifts and swaps among the open
 * hosts whatever they cost (they keep every hard constraint), which
 * unjam hosts where no single VM can move (the model in test_rebalance
 * that needs two swaps before the VM fits).  The search that follows
 * wins back what these moves cost.  It stops after EVACUATE_WORK units of
 * work on the VM or at the deadline.  Giving up proves nothing, so the
 * error says that no way was found, not that none exists. */
#define EVACUATE_ROUNDS 256
#define EVACUATE_KICKS 4
#define EVACUATE_WORK 4000000

static int random_open_vm(lane *ln)
{
  const vmp__ridx *x = ln->s.x;
  int h = rnd_below(&ln->rng, x->nh);
  return x->host_ok[h] ? pick_vm_on(ln, h) : -1;
}

static int evacuate_one(lane *ln, int v, double deadline)
{
  const vmp__ridx *x = ln->s.x;
  double best = INFINITY;
  int bh = -1, h1 = ln->s.a[v];
  for (int h = 0; h < x->nh; h++) {
    double c0 = ln->cost;
    if (!try_shift(ln, v, h, INFINITY)) continue;
    if (ln->cost - c0 < best) { best = ln->cost - c0; bh = h; }
    vmp__rstate_move(&ln->s, v, h1);
    ln->cost = c0;
  }
  if (bh >= 0) return try_shift(ln, v, bh, INFINITY);
  int64_t w_end = ln->work + EVACUATE_WORK;
  for (int round = 0; round < EVACUATE_ROUNDS && ln->work < w_end; round++) {
    if (deadline > 0 && vmp__now() >= deadline) break;
    if (round > 0 && best_shift(ln, v, INFINITY)) return 1;
    int start = rnd_below(&ln->rng, x->nh);
    for (int i = 0; i < x->nh && ln->work < w_end; i++) {
      int h = start + i < x->nh ? start + i : start + i - x->nh;
      if (x->host_ok[h] && try_eject(ln, v, h, INFINITY)) return 1;
    }
    for (int k = 0; k < EVACUATE_KICKS; k++) {
      int w = random_open_vm(ln), w2;
      if (w < 0) continue;
      if (rnd_below(&ln->rng, 2)) {
        int h = rnd_below(&ln->rng, x->nh);
        if (x->host_ok[h]) try_shift(ln, w, h, INFINITY);
      } else if ((w2 = random_open_vm(ln)) >= 0 && w2 != w) {
        try_swap(ln, w, w2, INFINITY);
      }
    }
  }
  return 0;
}

static int evacuate(lane *ln, double deadline)
{
  const vmp__ridx *x = ln->s.x;
  for (int v = 0; v < x->nv; v++) {
    if (x->host_ok[ln->s.a[v]]) continue;
    int h1 = ln->s.a[v];
    if (!evacuate_one(ln, v, deadline))
      return vmp__error(VMP_ESTATE, "VM %d on closed host %d: found no way to move it to "
                        "an open host without breaking a hard constraint (direct moves, "
                        "moves after up to %d VMs leave the target host, and random "
                        "moves of the other VMs were tried; this does not prove that "
                        "none exists)", v, h1, EJECT_MAX);
  }
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

/* How far the current search is, from 0 at its start to 1 at its
 * deadline or move budget (the nearer of the two; lanes make their
 * attempts in step, so lane 0's count stands for every lane's); -1 when
 * it has neither (a run stopped by the callback alone). */
static double progress(const run *R)
{
  const vmp__rebalance_opts *o = R->o;
  double p = -1;
  if (o->deadline > 0)
    p = o->deadline > R->t_start ? (vmp__now() - R->t_start) / (o->deadline - R->t_start) : 1;
  if (o->max_moves > 0) {
    int64_t span = o->max_moves - R->a_start;
    double f = span > 0 ? (double)(R->lanes[0].attempts - R->a_start) / (double)span : 1;
    if (f > p) p = f;
  }
  return p < 0 ? -1 : p > 1 ? 1 : p;
}

/* The local search: epochs of every lane until the move budget
 * (R->o->max_moves attempts per lane, counted from the start of the run),
 * the deadline or the callback stops it; best_a and R->best follow the
 * best of the lanes.  Called again, it goes on from where the lanes are,
 * with an anneal of its own over what is left. */
static int search(run *R, int *best_a, vmp__rebalance_stats *stats)
{
  int nl = R->nl;
  R->t_start = vmp__now();
  R->best_start = R->best;
  R->a_start = R->lanes[0].attempts;
  for (int i = 0; i < nl; i++) R->lanes[i].p0 = -1;
  for (;;) {
    /* each lane's attempts this epoch: an epoch may also end early by
     * work (lane_epoch), so the move budget counts attempts made */
    int more = 0;
    for (int i = 0; i < nl; i++) {
      int64_t e = EPOCH_MOVES, left = R->o->max_moves - R->lanes[i].attempts;
      if (R->o->max_moves > 0 && left < e) e = left > 0 ? left : 0;
      R->lanes[i].budget = e;
      more |= e > 0;
    }
    if (!more) break;
    run_epoch(R);
    stats->epochs++;
    /* meet: the best of the lanes' bests becomes the global best */
    int bl = 0, wl = 0;
    for (int i = 0; i < nl; i++) {
      if (R->lanes[i].best_cost < R->lanes[bl].best_cost) bl = i;
      if (R->lanes[i].best_cost >= R->lanes[wl].best_cost) wl = i;
    }
    if (R->lanes[bl].best_cost < R->best) {
      lane *b = &R->lanes[bl];
      /* re-derive the cost from scratch: no drift from incremental sums */
      memcpy(best_a, b->best_a, (size_t)R->x->nv * sizeof *best_a);
      R->best = b->best_cost;
      stats->improvements++;
    }
    for (int i = 0; i < nl; i++)
      if (R->lanes[i].s.oom) return vmp__enomem();
    if (atomic_load(&R->stop)) break;
    for (int i = 0; i < nl; i++) op_adapt(&R->lanes[i]);
    double p = progress(R), nv1 = R->x->nv + 1.0;
    for (int i = 0; i < nl; i++) {
      lane *ln = &R->lanes[i];
      if (ln->need > 0) continue;
      if (p >= 0) {
        /* the hot end is anchored at the search's start: at the best so
         * far (2 to 2.5 times lower on the A set by a third of the time)
         * the lanes cooled before their basin was chosen, and a2_5 lost */
        if (ln->p0 < 0) ln->p0 = p < 0.9 ? p : 0.9;
        double q = (p - ln->p0) / (1 - ln->p0);
        double hot = sa_t0[i % 4] * R->best_start / nv1, cold = SA_TEND * R->best / nv1;
        ln->temp = hot > 0 && cold > 0 ? hot * pow(cold / hot, q < 1 ? q : 1) : 0;
        continue;
      }
      ln->temp *= SA_ALPHA;
      if (ln->temp < SA_TMIN * R->best / nv1) {
        ln->temp = sa_t0[i % 4] * R->best / nv1;
        lane_reset(ln, best_a, R->best);
      }
    }
    /* the lane with the worst best restarts from the global best */
    if (nl > 1 && wl != bl && R->lanes[wl].best_cost > R->best && stats->epochs % 4 == 0)
      lane_reset(&R->lanes[wl], best_a, R->best);
    if (R->o->log) {
      char buf[200];
      int n = snprintf(buf, sizeof buf, "epoch %d best %.0f lanes", stats->epochs, R->best);
      for (int i = 0; i < nl && n < (int)sizeof buf - 40; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, " [%.0f %.0f T=%.3g need=%.3g]",
                      R->lanes[i].cost, R->lanes[i].best_cost, R->lanes[i].temp, R->lanes[i].need);
      logf_(R->o, "%s", buf);
    }
  }
  return 0;
}

/* ---- the exact stage ------------------------------------------------------------- */

/* The search again after the exact stage, from the stage's answer when it
 * found a better one, until the deadline and move budget now in R->o. */
static int search_again(run *R, int *best_a, vmp__rebalance_stats *stats)
{
  int rc;
  if (stats->exact_improved)
    for (int i = 0; i < R->nl; i++) lane_reset(&R->lanes[i], best_a, R->best);
  atomic_store(&R->stop, 0);
  if ((rc = search(R, best_a, stats))) return rc;
  if (!atomic_load(&R->stop) || atomic_load(&R->stop) == 1) polish(R, best_a);
  stats->stopped_by = atomic_load(&R->stop);
  return 0;
}

/* GLPK's branch and bound over the whole model from best_a (rmip.h).  A
 * better assignment is verified from scratch before it replaces best_a;
 * its bound raises R->bound.  The search's stop reason gives way to the
 * stage's: a proof ends the run as a finished one (0). */
static int exact_stage(run *R, int *best_a, vmp__rebalance_stats *stats)
{
  const vmp__rmodel *m = R->x->m;
  const vmp__rebalance_opts *o = R->o;
  vmp__rmip_limits lim = {o->deadline > 0 ? 0 : VMP__REXACT_NODES, o->deadline, o->progress,
                          o->progress_userdata};
  vmp__rmip_out out;
  int rc;
  if (!(out.a = malloc(((size_t)m->nv + 1) * sizeof *out.a))) return vmp__enomem();
  if ((rc = vmp__rmip_exact(R->x, best_a, R->bound, &lim, &out))) goto done;
  stats->exact_ran = out.ran;
  stats->exact_nodes = out.nodes;
  if (out.unreliable)
    logf_(o, "exact stage: GLPK's root LP value %.17g is not backed by its duals (badly "
          "scaled model): bound %.17g from the duals, no tree", out.lp_value, out.bound);
  if (!out.ran) {
    if (!out.unreliable)
      logf_(o, "exact stage: not run (MIP prices the start at %.17g, the engine at %.17g, "
            "or its LP failed)", out.mip_obj, out.start_obj);
    goto done;
  }
  if (out.improved) {
    vmp__rcost c;
    if ((rc = vmp__rmodel_eval(m, out.a, &c))) goto done;
    if (c.feasible && c.total < R->best - 1e-9 * (fabs(R->best) > 1.0 ? fabs(R->best) : 1.0)) {
      memcpy(best_a, out.a, (size_t)m->nv * sizeof *best_a);
      R->best = c.total;
      stats->improvements++;
      stats->exact_improved = 1;
    } else {
      /* GLPK's tolerances let through an answer the model refuses: its
       * tree says nothing sure about this model, so no proof either */
      logf_(o, "exact stage: GLPK's answer (%.17g) is %s; ignored", out.obj,
            c.feasible ? "not cheaper" : c.why);
      goto done;
    }
  }
  if (out.bound > R->bound) R->bound = out.bound < R->best ? out.bound : R->best;
  if (out.proven) {
    /* proven as ilp.c proves, to GLPK's tolerances: the bound is the
     * answer's own price, not the MIP's (they may differ in the last
     * digits) */
    R->bound = R->best;
    stats->exact_proven = 1;
    stats->stopped_by = 0;
  } else {
    stats->stopped_by = out.stopped_by;
  }
  logf_(o, "exact stage: %d rows, %d columns, %lld nodes, %s, best %.0f bound %.0f", out.rows,
        out.cols, (long long)out.nodes, out.proven ? "proven" : "stopped", R->best, R->bound);
done:
  free(out.a);
  return rc;
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


static int lane_alloc(lane *ln, const vmp__ridx *x, int lane_index, int mix)
{
  int rc;
  if ((rc = vmp__rstate_init(&ln->s, x))) return rc;
  op_init(ln, x, lane_index, mix);
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
  if (o.mix < VMP__RB_MIX_PORTFOLIO || o.mix > VMP__RB_MIX_WORK)
    return vmp__error(VMP_EINVAL, "opts.mix: expected 0 (portfolio), 1 (draws) or 2 (work "
                      "shares), got %d", o.mix);
  if ((rc = check_start(m, start))) return rc;
  if (o.exact < -1 || o.exact > 0)
    return vmp__error(VMP_EINVAL, "opts.exact: expected 0 (on small models) or -1 (never), "
                      "got %d", o.exact);
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
  /* the exact stage, on small models: a short search first, the stage,
   * then the search again for the rest (VMP__REXACT_*) */
  size_t pairs = o.exact == 0 ? vmp__rmip_pairs(&x, VMP__REXACT_BOUND_PAIRS) : 0;
  int exact = o.exact == 0 && pairs <= VMP__REXACT_MAX_PAIRS;
  int bound_stage = o.exact == 0 && !exact && pairs <= VMP__REXACT_BOUND_PAIRS && o.deadline > 0;
  double deadline = o.deadline;
  int64_t max_moves = o.max_moves;
  if (exact) {
    /* a count that grows with the model (a run the stage proves is then
     * the same run on any machine), and a share of the time so that a
     * slow machine still leaves the stage its time */
    int64_t first = (int64_t)(VMP__REXACT_SEARCH_PER_PAIR * (double)pairs);
    if (first < VMP__REXACT_SEARCH_MIN) first = VMP__REXACT_SEARCH_MIN;
    if (first > VMP__REXACT_SEARCH_MOVES) first = VMP__REXACT_SEARCH_MOVES;
    if (o.max_moves <= 0 || o.max_moves > first) o.max_moves = first;
    if (deadline > 0) o.deadline = t0 + VMP__REXACT_SEARCH_SHARE * (deadline - t0);
  } else if (bound_stage) {
    o.deadline = t0 + VMP__REXACT_BOUND_SHARE * (deadline - t0);
  }
  R.lanes = calloc((size_t)nl, sizeof *R.lanes);
  int *best_a = malloc(((size_t)m->nv + 1) * sizeof *best_a);
  if (!R.lanes || !best_a) { rc = vmp__enomem(); goto out; }
  uint64_t sm = o.seed;
  for (int i = 0; i < nl; i++) {
    if ((rc = lane_alloc(&R.lanes[i], &x, i, o.mix))) goto out;
    R.lanes[i].rng = splitmix(&sm) | 1;
  }
  lane *l0 = &R.lanes[0];
  vmp__rstate_load(&l0->s, start);
  l0->cost = vmp__rstate_cost(&l0->s);
  stats.start_cost = l0->cost;
  if ((rc = evacuate(l0, deadline))) goto out;  /* the whole time, not the first share */
  memcpy(best_a, l0->s.a, (size_t)m->nv * sizeof *best_a);
  R.best = l0->cost;
  for (int i = 0; i < nl; i++) {
    lane_reset(&R.lanes[i], best_a, R.best);
    R.lanes[i].temp = sa_t0[i % 4] * R.best / (m->nv + 1);
    R.lanes[i].need = NEED_START * R.best;
  }
  if ((rc = search(&R, best_a, &stats))) goto out;
  if (!atomic_load(&R.stop) || atomic_load(&R.stop) == 1) polish(&R, best_a);
  stats.stopped_by = atomic_load(&R.stop);
  if (bound_stage && stats.stopped_by != 2 && vmp__now() < deadline) {
    /* the search had its share; the stage has the rest, and what the stage
     * leaves of it (it proved, or gave up early) goes back to the search */
    o.deadline = deadline;
    if ((rc = exact_stage(&R, best_a, &stats))) goto out;
    if (!stats.exact_proven && stats.stopped_by != 2 && vmp__now() < deadline - 0.05 * (deadline - t0)) {
      if ((rc = search_again(&R, best_a, &stats))) goto out;
    }
  } else if (exact && stats.stopped_by != 2 && (deadline <= 0 || vmp__now() < deadline)) {
    /* the exact stage, then the search again for what it leaves (from the
     * stage's answer when it found a better one) */
    o.deadline = deadline > 0 ? t0 + VMP__REXACT_STAGE_END * (deadline - t0) : 0;
    if ((rc = exact_stage(&R, best_a, &stats))) goto out;
    o.deadline = deadline;
    o.max_moves = max_moves;
    if (!stats.exact_proven && stats.stopped_by != 2 && (deadline <= 0 || vmp__now() < deadline) &&
        (o.max_moves <= 0 || R.lanes[0].attempts < o.max_moves)) {
      if ((rc = search_again(&R, best_a, &stats))) goto out;
    } else if (stats.stopped_by == 1 && !(deadline > 0 && vmp__now() >= deadline)) {
      /* the stage's own share or node budget ended it, not the caller's
       * deadline: the run ended as one ended by its move budget does */
      stats.stopped_by = 0;
    }
  }
  for (int i = 0; i < nl; i++) {
    stats.attempts += R.lanes[i].attempts;
    stats.accepted += R.lanes[i].accepted;
  }
  memcpy(best_out, best_a, (size_t)m->nv * sizeof *best_a);
  if (obj_out) *obj_out = R.best;
  if (bound_out) *bound_out = R.bound < R.best ? R.bound : R.best;
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
