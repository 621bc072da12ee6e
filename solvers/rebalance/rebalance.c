/*
 * The rebalancer: local search over shift and swap moves with
 * incremental evaluation, run as independent lanes that meet at fixed
 * move counts (so a seed gives the same answer at any thread count when
 * the run ends by its move budget), with perturbation from the best
 * assignment when the lanes stall.
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

typedef struct lane {
  vmp__rstate s;
  double cost;
  uint64_t rng;
  int64_t attempts, accepted;
  int64_t budget;              /* attempts this epoch */
  int kick;                    /* perturbation moves to make first */
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

/* Tries v -> h2; keeps it when feasible and the cost changes by <= thr. */
static int try_shift(lane *ln, int v, int h2, double thr)
{
  vmp__rstate *s = &ln->s;
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
  if (dc > thr) return 0;
  double before = ln->cost;
  vmp__rstate_move(s, v, h2);
  double after = vmp__rstate_cost(s);
  if (after - before > thr || !vmp__rstate_ok_after(s, v, h1)) {
    vmp__rstate_move(s, v, h1);
    return 0;
  }
  ln->cost = after;
  return 1;
}

/* Tries exchanging the hosts of v1 and v2. */
static int try_swap(lane *ln, int v1, int v2, double thr)
{
  vmp__rstate *s = &ln->s;
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
  double dc = vmp__rstate_host_cost(x, h1, A) - s->hc[h1] +
              vmp__rstate_host_cost(x, h2, B) - s->hc[h2] +
              move_terms(x, v1, h1, h2) + move_terms(x, v2, h2, h1);
  if (dc > thr) return 0;
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
  return 1;
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

/* One attempt: a shift or a swap of random VMs. */
static int attempt(lane *ln, double thr)
{
  const vmp__ridx *x = ln->s.x;
  if (x->n_movable == 0) return 0;
  int v = x->movable[rnd_below(&ln->rng, x->n_movable)];
  if (rnd(&ln->rng) & 1) {
    int h = random_host_for(x, &ln->rng, v);
    return h >= 0 && try_shift(ln, v, h, thr);
  }
  int w = x->movable[rnd_below(&ln->rng, x->n_movable)];
  return try_swap(ln, v, w, thr);
}

/* Perturbation: `n` random feasible moves whatever their cost. */
static void kick(lane *ln, int n)
{
  for (int tries = 0; n > 0 && tries < 1000 * n; tries++)
    if (attempt(ln, INFINITY)) n--;
}

static void lane_epoch(run *R, lane *ln, int main_thread)
{
  const vmp__rebalance_opts *o = R->o;
  if (ln->kick) { kick(ln, ln->kick); ln->kick = 0; }
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
    ln->accepted += attempt(ln, 0);
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
    if ((rc = vmp__rstate_init(&R.lanes[i].s, &x))) goto out;
    R.lanes[i].rng = splitmix(&sm) | 1;
  }
  lane *l0 = &R.lanes[0];
  vmp__rstate_load(&l0->s, start);
  l0->cost = vmp__rstate_cost(&l0->s);
  stats.start_cost = l0->cost;
  if ((rc = evacuate(l0))) goto out;
  memcpy(best_a, l0->s.a, (size_t)m->nv * sizeof *best_a);
  R.best = l0->cost;
  for (int i = 1; i < nl; i++) {
    vmp__rstate_load(&R.lanes[i].s, best_a);
    R.lanes[i].cost = R.best;
  }
  int64_t done = 0;
  int stall = 0;
  for (;;) {
    int64_t e = EPOCH_MOVES;
    if (o.max_moves > 0 && o.max_moves - done < e) e = o.max_moves - done;
    if (e <= 0) break;
    for (int i = 0; i < nl; i++) R.lanes[i].budget = e;
    run_epoch(&R);
    done += e;
    stats.epochs++;
    /* meet: re-derive each lane's cost from scratch, keep the best */
    int bl = 0;
    for (int i = 0; i < nl; i++) {
      lane *ln = &R.lanes[i];
      vmp__rstate_load(&ln->s, ln->s.a);
      ln->cost = vmp__rstate_cost(&ln->s);
      if (ln->cost < R.lanes[bl].cost) bl = i;
    }
    if (R.lanes[bl].cost < R.best) {
      R.best = R.lanes[bl].cost;
      memcpy(best_a, R.lanes[bl].s.a, (size_t)m->nv * sizeof *best_a);
      stats.improvements++;
      stall = 0;
    } else {
      stall++;
    }
    if (atomic_load(&R.stop)) break;
    for (int i = 0; i < nl; i++) {
      lane *ln = &R.lanes[i];
      if (stall >= 3 || ln->cost > R.best) {
        vmp__rstate_load(&ln->s, best_a);
        ln->cost = R.best;
      }
      if (stall >= 3) ln->kick = 2 + rnd_below(&ln->rng, 30);
    }
    if (stall >= 3) stall = 0;
    logf_(&o, "rebalance: epoch %d best %.0f", stats.epochs, R.best);
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
    for (int i = 0; i < nl; i++) vmp__rstate_free(&R.lanes[i].s);
  free(R.lanes);
  free(best_a);
  vmp__ridx_free(&x);
  return rc;
}
