/*
 * genetic: a grouping genetic algorithm (genetic.h, genetic_ops.c) run as
 * islands on threads.
 *
 * Islands.  genetic.islands populations evolve independently, each from
 * its own random stream (derived from the seed and the island number).
 * Threads only execute islands: thread t runs islands t, t + T, ...  Every
 * genetic.migration_interval generations all islands meet at a barrier,
 * where the calling thread copies the best genetic.migrants individuals of
 * each island into the next one (a ring).  Nothing an island computes
 * depends on when another island runs, so a seed gives the same result
 * whatever the number of threads, as long as the run ends on a generation
 * limit, a stall limit or the bound (not on the clock).
 *
 * Stopping at the bound stays deterministic too: the island with the
 * lowest number that reaches the bound wins ties, so when island j reaches
 * it, islands after j stop at once (they cannot win) and islands before j
 * finish the epoch (they still could).
 *
 * A generation of an island (population mu, best first): mu/2 children
 * by crossover of two parents chosen by tournament, each mutated with
 * probability genetic.mutation_rate; a mutated copy of each of the
 * genetic.elite best; every child gets the local search, reinsertion and
 * (hosts of different cost) relocation.  The next population is the best
 * mu of parents and children: clones (the same grouping) last, and among
 * equals children first.  The mutation size grows while an island does
 * not improve (mutation_share).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "genetic.h"
#include "hardcons.h"
#include "solvers.h"

enum { PHASE_INIT = 0, PHASE_EVOLVE, PHASE_QUIT };

/* A barrier whose size is set after the threads exist (so that a thread
 * that could not be created simply is not waited for). */
typedef struct barrier {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  unsigned n, waiting;
  unsigned long gen;
} barrier;

static void barrier_wait(barrier *b) {
  unsigned long gen;
  pthread_mutex_lock(&b->mu);
  gen = b->gen;
  if (++b->waiting == b->n) {
    b->waiting = 0;
    b->gen++;
    pthread_cond_broadcast(&b->cv);
  } else {
    while (gen == b->gen) pthread_cond_wait(&b->cv, &b->mu);
  }
  pthread_mutex_unlock(&b->mu);
}

typedef struct island {
  uint32_t id;
  vmp__rng rng;
  vmp__gga_ind *store;     /* [mu + lambda + elite] */
  vmp__gga_ind **pop;      /* the first n are the population, best first;
                              the rest are buffers for children */
  vmp__gga_ind **dup;      /* scratch for selection */
  size_t n;                /* individuals built (mu after the first phase) */
  vmp__gga_ws ws;
  uint64_t gens, children;
  double best;             /* best objective so far */
  double best_fill;        /* fill of the best so far (at equal objective) */
  uint64_t stag;           /* generations since the best improved
                              (objective, or fill at equal objective) */
  double t_best;           /* seconds from the start when it was found */
  int at_bound;
  /* the hard rebalancing constraints (only when the model has one) */
  vmp__state hst;          /* the repair's placement */
  vmp__hardcons hd;        /* its tracker */
  int32_t *hbuf;           /* [nitems] the child's placement, repaired */
  int err;                 /* a repair ran out of memory */
} island;

typedef struct run {
  vmp__ctx *ctx;
  const vmp__model *m;
  vmp__gga g;
  /* parameters */
  size_t mu, lambda, elite, migrants;
  uint32_t nisl, tournament;
  double mrate, msize;
  int ls;
  uint64_t gen_limit, interval, stall;
  /* state */
  island *isl;
  vmp__gga_ind *emig;      /* [nisl * migrants] snapshot at migration */
  int32_t *current;        /* [nitems] the current placement, or NULL */
  double bound, btol;
  _Atomic uint32_t stop_from;   /* lowest island at the bound, else nisl */
  uint64_t epoch_end;
  int phase;
  uint32_t nthreads;
  int hard;                /* the model has a hard rebalancing constraint */
  barrier bar;
  pthread_mutex_t lock;    /* guards the three fields below */
  double shared_best;
  size_t shared_placed;
  uint64_t shared_gens;
} run;

/* ---- parameters ------------------------------------------------------------- */

static const vmp__param_spec genetic_params[] = {
    {"genetic.population", VMP_PARAM_INT, 2, 100000, "20",
     "individuals per island"},
    {"genetic.islands", VMP_PARAM_INT, 1, 256, "4",
     "independent populations; threads run them, the result does not depend "
     "on the thread count"},
    {"genetic.generations", VMP_PARAM_INT, 0, 1e12, "0",
     "generations per island; 0 = no limit (the time limit decides)"},
    {"genetic.migration_interval", VMP_PARAM_INT, 1, 1e9, "10",
     "generations between exchanges of individuals between islands"},
    {"genetic.migrants", VMP_PARAM_INT, 0, 1000, "1",
     "best individuals each island sends to the next at every exchange "
     "(less than genetic.population)"},
    {"genetic.elite", VMP_PARAM_INT, 0, 100000, "2",
     "best individuals of an island that get a mutated copy every "
     "generation (at most genetic.population)"},
    {"genetic.mutation_rate", VMP_PARAM_DOUBLE, 0, 1, "0.5",
     "probability that a crossover child is also mutated"},
    {"genetic.mutation_size", VMP_PARAM_DOUBLE, 0, 1, "0.05",
     "share of the used hosts a mutation dissolves (at least one)"},
    {"genetic.tournament", VMP_PARAM_INT, 1, 64, "2",
     "tournament size for choosing parents"},
    {"genetic.fill_exponent", VMP_PARAM_DOUBLE, 1, 10, "2",
     "k in the fitness term: mean over used hosts of fill^k (Falkenauer: 2)"},
    {"genetic.local_search", VMP_PARAM_BOOL, 0, 1, "true",
     "dominance local search on every child"},
    {"genetic.ls_effort", VMP_PARAM_DOUBLE, 1, 1e9, "400",
     "local search budget per child, in candidate checks per item"},
    {"genetic.stall", VMP_PARAM_INT, 0, 1e12, "0",
     "stop when the best has not improved for this many generations; 0 = "
     "never (500 when there is neither a time nor a generation limit)"},
};

#define NPARAMS (sizeof genetic_params / sizeof genetic_params[0])

static int read_params(run *R) {
  vmp__ctx *ctx = R->ctx;
  R->mu = (size_t)vmp__param_num(ctx, "genetic.population", 20);
  R->nisl = (uint32_t)vmp__param_num(ctx, "genetic.islands", 4);
  R->gen_limit = (uint64_t)vmp__param_num(ctx, "genetic.generations", 0);
  R->interval = (uint64_t)vmp__param_num(ctx, "genetic.migration_interval", 10);
  R->migrants = (size_t)vmp__param_num(ctx, "genetic.migrants", 1);
  R->elite = (size_t)vmp__param_num(ctx, "genetic.elite", 2);
  R->mrate = vmp__param_num(ctx, "genetic.mutation_rate", 0.5);
  R->msize = vmp__param_num(ctx, "genetic.mutation_size", 0.05);
  R->tournament = (uint32_t)vmp__param_num(ctx, "genetic.tournament", 2);
  R->ls = vmp__param_num(ctx, "genetic.local_search", 1) != 0.0;
  R->stall = (uint64_t)vmp__param_num(ctx, "genetic.stall", 0);
  if (R->migrants >= R->mu)
    return vmp__error(VMP_EINVAL,
                      "genetic.migrants: %zu must be less than genetic.population (%zu)",
                      R->migrants, R->mu);
  if (R->elite > R->mu)
    return vmp__error(VMP_EINVAL,
                      "genetic.elite: %zu must be at most genetic.population (%zu)",
                      R->elite, R->mu);
  if (R->nisl < 2) R->migrants = 0;
  if (!R->gen_limit && !R->stall && ctx->deadline == HUGE_VAL) R->stall = 500;
  R->lambda = R->mu / 2 ? R->mu / 2 : 1;
  return 0;
}

/* ---- islands ---------------------------------------------------------------- */

static int island_init(run *R, island *I, uint32_t id) {
  size_t n = R->mu + R->lambda + R->elite;
  int rc;
  memset(I, 0, sizeof *I);
  I->id = id;
  I->best = HUGE_VAL;
  /* Streams far apart: island k's seed is a different splitmix64 input. */
  vmp__rng_seed(&I->rng, R->ctx->seed * 0x9e3779b97f4a7c15ULL + id * 0xd1b54a32d192ed03ULL + 1);
  I->store = calloc(n, sizeof *I->store);
  I->pop = calloc(n, sizeof *I->pop);
  I->dup = calloc(n, sizeof *I->dup);
  if (!I->store || !I->pop || !I->dup) return vmp__enomem();
  for (size_t k = 0; k < n; k++) {
    if ((rc = vmp__gga_ind_init(&I->store[k], &R->g))) return rc;
    I->pop[k] = &I->store[k];
  }
  if (R->hard) {
    if ((rc = vmp__state_init(&I->hst, R->m))) return rc;
    if ((rc = vmp__hardcons_init(&I->hd, R->m))) return rc;
    if (!(I->hbuf = malloc((R->m->nitems + 1) * sizeof *I->hbuf))) return vmp__enomem();
  }
  return vmp__gga_ws_init(&I->ws, &R->g);
}

static void island_free(run *R, island *I) {
  size_t n = R->mu + R->lambda + R->elite;
  if (I->store)
    for (size_t k = 0; k < n; k++) vmp__gga_ind_free(&I->store[k]);
  free(I->store);
  free(I->pop);
  free(I->dup);
  vmp__gga_ws_free(&I->ws);
  if (R->hard) {
    vmp__state_free(&I->hst);
    vmp__hardcons_free(&I->hd);
  }
  free(I->hbuf);
}

/* The child in I->ws, made to meet the hard rebalancing constraints
 * (transient resources, spread minimums, dependencies; hardcons.h) before
 * it is evaluated, so that every individual -- and so the answer -- meets
 * them: VMs stay where the child put them as far as the constraints let
 * them, the others are tried again where they add no violation, and what
 * still breaks one stays out.  The repair is deterministic, so a seed
 * still gives the same result on any number of threads.  Out of memory,
 * the child becomes the empty placement (which meets them: the solver
 * refuses problems where the running VMs alone break a transient
 * capacity) and the run reports the error. */
static void constrain(run *R, island *I) {
  const vmp__model *m = R->m;
  size_t viol = 0;
  int rc;
  if (!R->hard) return;
  memcpy(I->hbuf, I->ws.st.host, m->nitems * sizeof *I->hbuf);
  rc = vmp__hardcons_repair(&I->hst, &I->hd, I->hbuf, &viol, R->ctx);
  if (rc || viol) {
    if (rc && !I->err) I->err = rc;
    vmp__gga_ws_start(&R->g, &I->ws, NULL);
    return;
  }
  vmp__gga_ws_adopt(&R->g, &I->ws, &I->hst);
}

/* Stable insertion sort of pop[0..n) by fitness. */
static void sort_pop(const vmp__gga *g, vmp__gga_ind **pop, size_t n) {
  for (size_t k = 1; k < n; k++) {
    vmp__gga_ind *x = pop[k];
    size_t j = k;
    while (j > 0 && vmp__gga_better(g, x, pop[j - 1])) {
      pop[j] = pop[j - 1];
      j--;
    }
    pop[j] = x;
  }
}

/* Keeps the best mu of the population pop[0..mu) and the children
 * pop[mu..n), clones after every distinct individual.  Children go first
 * among equals, so that the population drifts on plateaus of equal
 * fitness instead of sticking to its oldest members. */
static void select_pop(run *R, island *I, size_t n) {
  vmp__gga_ind **p = I->pop, **tmp = I->dup;
  size_t keep = 0, nd = 0, mu = R->mu < n ? R->mu : n;
  memcpy(tmp, p + mu, (n - mu) * sizeof *p);
  memcpy(tmp + (n - mu), p, mu * sizeof *p);
  memcpy(p, tmp, n * sizeof *p);
  sort_pop(&R->g, p, n);
  for (size_t k = 0; k < n; k++) {
    /* a clone has the same fitness: look back over the equals only */
    size_t q = keep;
    while (q > 0 && !vmp__gga_better(&R->g, p[q - 1], p[k]) &&
           !vmp__gga_same(&R->g, p[k], p[q - 1]))
      q--;
    if (q > 0 && vmp__gga_same(&R->g, p[k], p[q - 1]))
      tmp[nd++] = p[k];
    else
      p[keep++] = p[k];
  }
  memcpy(p + keep, tmp, nd * sizeof *tmp);
}

static void polish(run *R, island *I) {
  if (R->ls) vmp__gga_local_search(&R->g, &I->ws, &I->rng);
  vmp__gga_reinsert(&R->g, &I->ws, 0.0, &I->rng);
  if (R->g.cost_aware) vmp__gga_relocate(&R->g, &I->ws);
}

static size_t vms_placed(const vmp__model *m, const vmp__state *st) {
  size_t n = 0;
  for (size_t i = 0; i < m->nitems; i++)
    if (st->host[i] >= 0) n += m->item_start[i + 1] - m->item_start[i];
  return n;
}

/* Records island I's best and whether it reached the bound. */
static void note_best(run *R, island *I, int generation) {
  const vmp__gga_ind *b = I->pop[0];
  pthread_mutex_lock(&R->lock);
  R->shared_gens += (uint64_t)generation;
  if (b->obj < I->best - R->g.tol ||
      (b->obj <= I->best + R->g.tol && b->fill > I->best_fill + 1e-12)) {
    I->stag = 0;
    I->best_fill = b->fill;
  } else {
    I->stag += (uint64_t)generation;
  }
  if (b->obj < I->best) {
    I->best = b->obj;
    I->t_best = vmp__now() - R->ctx->t_start;
    if (b->obj < R->shared_best) {
      R->shared_best = b->obj;
      R->shared_placed = vms_placed(R->m, &b->st);
    }
  }
  pthread_mutex_unlock(&R->lock);
  if (!I->at_bound && b->obj <= R->bound + R->btol) {
    uint32_t cur = atomic_load(&R->stop_from);
    I->at_bound = 1;
    while (I->id < cur && !atomic_compare_exchange_weak(&R->stop_from, &cur, I->id)) {}
  }
}

static void report(run *R) {
  double best;
  size_t placed;
  uint64_t gens;
  pthread_mutex_lock(&R->lock);
  best = R->shared_best;
  placed = R->shared_placed;
  gens = R->shared_gens;
  pthread_mutex_unlock(&R->lock);
  vmp__ctx_progress(R->ctx, best, R->bound, gens, placed, 0);
}

static int must_stop(run *R, island *I) {
  return I->at_bound || atomic_load(&R->stop_from) < I->id ||
         vmp__ctx_should_stop(R->ctx);
}

/* The first population: the warm start, the current placement, first fit
 * decreasing (island 0), then randomly perturbed orders.  Island 0 always
 * builds at least one individual, whatever the clock says. */
static void populate(run *R, island *I, int main_thread) {
  enum { WARM, CURRENT, FFD };
  vmp__gga *g = &R->g;
  int seeds[3], nseeds = 0;
  if (R->ctx->incumbent) seeds[nseeds++] = WARM;
  if (R->current) seeds[nseeds++] = CURRENT;
  if (I->id == 0) seeds[nseeds++] = FFD;
  for (size_t j = 0; j < R->mu; j++) {
    const int32_t *start = NULL;
    double noise = 0.05 + 0.45 * vmp__rng_unit(&I->rng);
    if ((j > 0 || I->id > 0) && must_stop(R, I)) break;
    if (j < (size_t)nseeds) {
      noise = 0.0;
      if (seeds[j] == WARM) start = R->ctx->incumbent;
      if (seeds[j] == CURRENT) start = R->current;
    }
    vmp__gga_ws_start(g, &I->ws, start);
    vmp__gga_reinsert(g, &I->ws, noise, &I->rng);
    /* A given placement stays as it is (relocation only looks at host
     * cost and item terms; it could lose on soft groups or balance). */
    if (g->cost_aware && !start) vmp__gga_relocate(g, &I->ws);
    constrain(R, I);
    vmp__gga_finish(g, &I->ws, I->pop[j]);
    I->n = j + 1;
    sort_pop(g, I->pop, I->n);
    note_best(R, I, 0);
    if (main_thread) report(R);
  }
}

static size_t tournament(run *R, island *I) {
  size_t best = (size_t)vmp__rng_below(&I->rng, I->n);
  for (uint32_t k = 1; k < R->tournament; k++) {
    size_t c = (size_t)vmp__rng_below(&I->rng, I->n);
    if (c < best) best = c;
  }
  return best;
}

/* The share of hosts a mutation dissolves: the base value, doubled every
 * STAG_STEP generations without progress; after four doublings, one step
 * of restarts (every host dissolved and rebuilt from scratch), then the
 * base again.  Small mutations refine; large ones let bin completion
 * rebuild tightly packed regions, which instances without slack
 * (triplets) need, and restarts rebuild everything. */
#define STAG_STEP 10
static double mutation_share(const run *R, const island *I) {
  uint64_t level = (I->stag / STAG_STEP) % 5;
  double s = level == 4 ? 1.0 : R->msize * (double)(1u << level);
  return s < 1.0 ? s : 1.0;
}

static void generation(run *R, island *I) {
  vmp__gga *g = &R->g;
  vmp__gga_ind **kid = I->pop + R->mu;
  size_t nk = 0;
  double ms = mutation_share(R, I);
  for (size_t c = 0; c < R->lambda && !(c && must_stop(R, I)); c++) {
    size_t a = tournament(R, I), b = tournament(R, I);
    if (b == a && I->n > 1) b = (a + 1 + (size_t)vmp__rng_below(&I->rng, I->n - 1)) % I->n;
    vmp__gga_crossover(g, &I->ws, I->pop[a], I->pop[b], &I->rng);
    if (I->ws.npool == 0 || vmp__rng_unit(&I->rng) < R->mrate)
      vmp__gga_mutate(g, &I->ws, ms, &I->rng);
    polish(R, I);
    constrain(R, I);
    vmp__gga_finish(g, &I->ws, kid[nk++]);
  }
  for (size_t e = 0; e < R->elite && !must_stop(R, I); e++) {
    vmp__gga_ws_load(g, &I->ws, I->pop[e]);
    vmp__gga_mutate(g, &I->ws, ms, &I->rng);
    polish(R, I);
    constrain(R, I);
    vmp__gga_finish(g, &I->ws, kid[nk++]);
  }
  I->children += nk;
  select_pop(R, I, R->mu + nk);
}

static void evolve(run *R, island *I, int main_thread) {
  while (I->gens < R->epoch_end && !must_stop(R, I)) {
    generation(R, I);
    I->gens++;
    note_best(R, I, 1);
    if (main_thread) report(R);
  }
}

/* Runs this thread's share of the islands for the current phase. */
static void run_share(run *R, uint32_t t) {
  for (uint32_t k = t; k < R->nisl; k += R->nthreads) {
    if (R->phase == PHASE_INIT)
      populate(R, &R->isl[k], t == 0);
    else
      evolve(R, &R->isl[k], t == 0);
  }
}

typedef struct worker {
  run *R;
  uint32_t t;
  pthread_t th;
} worker;

static void *worker_main(void *arg) {
  worker *w = arg;
  for (;;) {
    barrier_wait(&w->R->bar);
    if (w->R->phase == PHASE_QUIT) break;
    run_share(w->R, w->t);
    barrier_wait(&w->R->bar);
  }
  return NULL;
}

/* One phase on every thread; the calling thread takes share 0. */
static void run_phase(run *R, int phase) {
  R->phase = phase;
  if (R->nthreads > 1) barrier_wait(&R->bar);
  run_share(R, 0);
  if (R->nthreads > 1) barrier_wait(&R->bar);
}

/* Ring migration: island k receives copies of the best of island k-1,
 * which replace its worst (unless they are clones of someone there). */
static void migrate(run *R) {
  for (uint32_t k = 0; k < R->nisl; k++)
    for (size_t j = 0; j < R->migrants; j++)
      vmp__gga_ind_copy(&R->emig[k * R->migrants + j], R->isl[k].pop[j]);
  for (uint32_t k = 0; k < R->nisl; k++) {
    island *I = &R->isl[(k + 1) % R->nisl];
    for (size_t j = 0; j < R->migrants; j++) {
      const vmp__gga_ind *x = &R->emig[k * R->migrants + j];
      size_t q;
      for (q = 0; q < I->n && !vmp__gga_same(&R->g, x, I->pop[q]); q++) {}
      if (q < I->n || !vmp__gga_better(&R->g, x, I->pop[I->n - 1])) continue;
      vmp__gga_ind_copy(I->pop[I->n - 1], x);
      sort_pop(&R->g, I->pop, I->n);
    }
  }
}

/* The island whose best is the result: the lowest-numbered island at the
 * bound, else the best objective, the lowest island on ties. */
static island *winner(run *R) {
  uint32_t s = atomic_load(&R->stop_from);
  island *w = NULL;
  if (s < R->nisl) return &R->isl[s];
  for (uint32_t k = 0; k < R->nisl; k++) {
    island *I = &R->isl[k];
    if (!I->n) continue;
    if (!w || I->pop[0]->obj < w->pop[0]->obj - R->g.tol) w = I;
  }
  return w;
}

static double global_best(run *R) {
  double b = HUGE_VAL;
  for (uint32_t k = 0; k < R->nisl; k++)
    if (R->isl[k].n && R->isl[k].pop[0]->obj < b) b = R->isl[k].pop[0]->obj;
  return b;
}

/* The main loop: epochs separated by barriers until a limit is hit. */
static int drive(run *R) {
  uint64_t gens = 0, last_gain = 0;
  double best;
  run_phase(R, PHASE_INIT);
  best = global_best(R);
  if (best < HUGE_VAL) R->g.tol = 1e-9 * (fabs(best) > 1.0 ? fabs(best) : 1.0);
  for (;;) {
    double b;
    if (atomic_load(&R->stop_from) < R->nisl) return VMP_STOP_COMPLETED;
    if (vmp__ctx_should_stop(R->ctx)) return vmp__ctx_stop_reason(R->ctx);
    for (uint32_t k = 0; k < R->nisl; k++)
      if (R->isl[k].n < R->mu) return vmp__ctx_stop_reason(R->ctx);
    if (R->gen_limit && gens >= R->gen_limit) return VMP_STOP_COMPLETED;
    if (R->stall && gens - last_gain >= R->stall) return VMP_STOP_COMPLETED;
    R->epoch_end = gens + R->interval;
    if (R->gen_limit && R->epoch_end > R->gen_limit) R->epoch_end = R->gen_limit;
    run_phase(R, PHASE_EVOLVE);
    gens = R->epoch_end;
    if (atomic_load(&R->stop_from) < R->nisl) return VMP_STOP_COMPLETED;
    for (uint32_t k = 0; k < R->nisl; k++)
      if (R->isl[k].gens < gens) return vmp__ctx_stop_reason(R->ctx);
    b = global_best(R);
    if (b < best - R->g.tol) {
      best = b;
      last_gain = gens;
    }
    vmp__ctx_log(R->ctx, VMP_LOG_DEBUG,
                 "genetic: generation %llu: best %.10g (island 0: %.10g, fill %.6f)",
                 (unsigned long long)gens, b, R->isl[0].pop[0]->obj, R->isl[0].pop[0]->fill);
    if (R->migrants) migrate(R);
    vmp__ctx_progress(R->ctx, R->shared_best, R->bound, R->shared_gens,
                      R->shared_placed, 1);
  }
}

static int start_threads(run *R, worker *w) {
  uint32_t want = R->ctx->threads < R->nisl ? R->ctx->threads : R->nisl;
  uint32_t made = 1;
  if (want < 1) want = 1;
  pthread_mutex_init(&R->bar.mu, NULL);
  pthread_cond_init(&R->bar.cv, NULL);
  R->bar.waiting = 0;
  R->bar.gen = 0;
  for (uint32_t t = 1; t < want; t++) {
    w[t].R = R;
    w[t].t = t;
    if (pthread_create(&w[t].th, NULL, worker_main, &w[t])) break;
    made++;
  }
  /* Workers block on the barrier before reading these. */
  pthread_mutex_lock(&R->bar.mu);
  R->bar.n = made;
  R->nthreads = made;
  pthread_mutex_unlock(&R->bar.mu);
  return 0;
}

static void stop_threads(run *R, worker *w) {
  if (R->nthreads > 1) {
    R->phase = PHASE_QUIT;
    barrier_wait(&R->bar);
    for (uint32_t t = 1; t < R->nthreads; t++) pthread_join(w[t].th, NULL);
  }
  pthread_cond_destroy(&R->bar.cv);
  pthread_mutex_destroy(&R->bar.mu);
}

static int make_current(run *R) {
  const vmp__model *m = R->m;
  int any = 0;
  for (size_t i = 0; i < m->nitems; i++)
    if (m->item_cur[i] >= 0) any = 1;
  if (!any) return 0;
  if (!(R->current = malloc(m->nitems * sizeof *R->current))) return vmp__enomem();
  for (size_t i = 0; i < m->nitems; i++)
    R->current[i] = m->item_cur[i] >= 0 ? m->item_cur[i] : -1;
  return 0;
}

static void set_stats(run *R, island *w, vmp__result *res, int reached) {
  uint64_t gens = 0, kids = 0;
  for (uint32_t k = 0; k < R->nisl; k++) {
    if (R->isl[k].gens > gens) gens = R->isl[k].gens;
    kids += R->isl[k].children;
  }
  vmp__stats_set(&res->stats, "genetic.generations", (double)gens);
  vmp__stats_set(&res->stats, "genetic.children", (double)kids);
  vmp__stats_set(&res->stats, "genetic.islands", (double)R->nisl);
  vmp__stats_set(&res->stats, "genetic.threads", (double)R->nthreads);
  vmp__stats_set(&res->stats, "genetic.bound_reached", reached);
  if (w) vmp__stats_set(&res->stats, "genetic.time_to_best", w->t_best);
}

static int ctx_stop(void *ctx) { return vmp__ctx_should_stop(ctx); }

static int genetic_solve(vmp__ctx *ctx, vmp__result *res) {
  const vmp__model *m = ctx->m;
  vmp__gga_opts go;
  worker *w = NULL;
  island *best;
  run *R = calloc(1, sizeof *R);
  int rc, stop;
  if (!R) return vmp__enomem();
  R->ctx = ctx;
  R->m = m;
  R->hard = (m->needs & VMP__NEED_HARD) != 0;
  if ((rc = read_params(R))) goto out;
  go.fill_exp = vmp__param_num(ctx, "genetic.fill_exponent", 2);
  go.ls_effort = vmp__param_num(ctx, "genetic.ls_effort", 400);
  go.bc_effort = 4.0;
  if ((rc = vmp__gga_init(&R->g, m, &go))) goto out;
  R->g.stop = ctx_stop;
  R->g.stop_arg = ctx;
  R->bound = vmp__model_bound(m);
  R->btol = 1e-6 * (fabs(R->bound) > 1.0 ? fabs(R->bound) : 1.0);
  res->bound = R->bound;
  if (R->g.nplaceable == 0) {
    res->stop_reason = VMP_STOP_COMPLETED;
    goto out;
  }
  atomic_init(&R->stop_from, R->nisl);
  R->shared_best = HUGE_VAL;
  pthread_mutex_init(&R->lock, NULL);
  R->isl = calloc(R->nisl, sizeof *R->isl);
  R->emig = calloc(R->nisl * R->migrants + 1, sizeof *R->emig);
  w = calloc(R->nisl + 1, sizeof *w);
  if (!R->isl || !R->emig || !w) rc = vmp__enomem();
  for (uint32_t k = 0; k < R->nisl && !rc; k++) rc = island_init(R, &R->isl[k], k);
  for (size_t k = 0; k < R->nisl * R->migrants && !rc; k++)
    rc = vmp__gga_ind_init(&R->emig[k], &R->g);
  if (!rc) rc = make_current(R);
  if (!rc) {
    start_threads(R, w);
    stop = drive(R);
    stop_threads(R, w);
    best = winner(R);
    if (best) memcpy(res->host, best->pop[0]->st.host, m->nitems * sizeof *res->host);
    res->stop_reason = stop;
    set_stats(R, best, res, atomic_load(&R->stop_from) < R->nisl);
    for (uint32_t k = 0; k < R->nisl && !rc; k++) rc = R->isl[k].err;
  }
  for (uint32_t k = 0; R->isl && k < R->nisl; k++) island_free(R, &R->isl[k]);
  for (size_t k = 0; R->emig && k < R->nisl * R->migrants; k++)
    vmp__gga_ind_free(&R->emig[k]);
  pthread_mutex_destroy(&R->lock);
out:
  VMP__FREE_ALL(R->isl, R->emig, R->current, w);
  vmp__gga_free(&R->g);
  free(R);
  return rc;
}

const vmp__solver vmp__solver_genetic = {
    "genetic",
    "grouping genetic algorithm with local search; islands on threads",
    genetic_solve, genetic_params, NPARAMS,
    VMP__NEED_TRANSIENT | VMP__NEED_SPREAD | VMP__NEED_DEPEND};
