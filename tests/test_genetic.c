/* The genetic scheduler: known optima, the same result whatever the thread
 * count, hard constraints on random problems, warm starts, the time limit,
 * progress and cancellation, parameter checks. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Solves with the genetic scheduler; params may be NULL. */
static vmp_solution *ga_solve(const vmp_problem *p, const vmp_params *ps,
                              uint64_t seed, uint32_t threads, double limit) {
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  int rc;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "genetic";
  opts.seed = seed;
  opts.threads = threads;
  opts.time_limit = limit;
  opts.params = ps;
  rc = vmp_solve(p, &opts, &s);
  if (rc) fail_msg("solve failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  return s;
}

static vmp_params *params(const char *const *kv) {
  vmp_params *ps = NULL;
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  for (; kv && kv[0]; kv += 2) assert_int_equal(vmp_params_set(ps, kv[0], kv[1]), VMP_OK);
  return ps;
}

static double stat(const vmp_solution *s, const char *name) {
  double v = NAN;
  assert_int_equal(vmp_solution_stat(s, name, &v), VMP_OK);
  return v;
}

/* ---- known optima ------------------------------------------------------------ */

/* Eight bins of 1000, each filled exactly by one item in [380, 490] and two
 * smaller ones (Falkenauer's triplets); first fit decreasing needs 10. */
static const double TRIPLETS[24] = {488, 385, 431, 272, 454, 256, 441, 281,
                                    288, 283, 283, 260, 281, 256, 274, 444,
                                    298, 258, 287, 332, 263, 477, 263, 445};

static vmp_problem *triplets(void) {
  vmp_problem *p = NULL;
  char name[16];
  double cap = 1000;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "size", NULL), VMP_OK);
  for (int h = 0; h < 24; h++) {
    snprintf(name, sizeof name, "b%d", h + 1);
    assert_int_equal(vmp_problem_add_host(p, name, &cap, NULL), VMP_OK);
  }
  for (int i = 0; i < 24; i++) {
    snprintf(name, sizeof name, "i%d", i + 1);
    assert_int_equal(vmp_problem_add_vm(p, name, &TRIPLETS[i], NULL), VMP_OK);
  }
  return p;
}

static void test_genetic__triplets_reach_the_optimum(void **state) {
  vmp_problem *p = triplets();
  vmp_solution *s;
  (void)state;
  s = tu_solve(p, "greedy", 5);
  assert_true(vmp_solution_objective(s) > 8.0);
  vmp_solution_free(s);
  s = ga_solve(p, NULL, 1, 1, 0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_COMPLETED);
  assert_true(vmp_solution_objective(s) == 8.0);
  assert_true(stat(s, "genetic.bound_reached") == 1.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* Five bins of (100, 100, 100), each filled exactly in every dimension by
 * three items. */
static const char *VECTOR_TRIPLETS =
    "3\n100 100 100\n15\n"
    "30 44 37 1\n20 32 23 1\n40 21 25 1\n33 41 45 1\n30 35 38 1\n"
    "49 38 41 1\n25 32 25 1\n30 47 21 1\n47 27 32 1\n23 20 31 1\n"
    "47 33 48 1\n20 22 23 1\n31 40 36 1\n39 25 37 1\n36 43 38 1\n";

static void test_genetic__vector_triplets_reach_the_optimum(void **state) {
  vmp_problem *p = NULL;
  vmp_solution *s;
  (void)state;
  assert_int_equal(vmp_problem_parse(VECTOR_TRIPLETS, strlen(VECTOR_TRIPLETS),
                                     VMP_FORMAT_VBP, "triplets.vbp", &p),
                   VMP_OK);
  s = ga_solve(p, NULL, 7, 2, 0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(s) == 5.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* Two kinds of host: big ones (capacity 10, cost 3) are cheaper per unit
 * than small ones (4, cost 2).  Demand 20 packs exactly into two big
 * hosts: cost 6, which is also the cover bound. */
static const char *COSTS =
    "{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":["
    "{\"name\":\"s1\",\"capacity\":{\"cpu\":4},\"cost\":2},"
    "{\"name\":\"s2\",\"capacity\":{\"cpu\":4},\"cost\":2},"
    "{\"name\":\"s3\",\"capacity\":{\"cpu\":4},\"cost\":2},"
    "{\"name\":\"s4\",\"capacity\":{\"cpu\":4},\"cost\":2},"
    "{\"name\":\"s5\",\"capacity\":{\"cpu\":4},\"cost\":2},"
    "{\"name\":\"b1\",\"capacity\":{\"cpu\":10},\"cost\":3},"
    "{\"name\":\"b2\",\"capacity\":{\"cpu\":10},\"cost\":3},"
    "{\"name\":\"b3\",\"capacity\":{\"cpu\":10},\"cost\":3}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":4}},{\"name\":\"b\",\"demand\":{\"cpu\":3}},"
    "{\"name\":\"c\",\"demand\":{\"cpu\":3}},{\"name\":\"d\",\"demand\":{\"cpu\":5}},"
    "{\"name\":\"e\",\"demand\":{\"cpu\":5}}]}";

static void test_genetic__host_costs_pick_the_cheap_capacity(void **state) {
  vmp_problem *p = tu_problem_json(COSTS);
  vmp_solution *s;
  (void)state;
  s = ga_solve(p, NULL, 3, 1, 0);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(s) == 6.0);
  assert_int_equal(vmp_solution_hosts_used(s), 2);
  for (size_t v = 0; v < vmp_solution_num_vms(s); v++)
    assert_int_equal(vmp_solution_vm_host_name(s, v)[0], 'b');
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* ---- random problems ------------------------------------------------------------ */

static uint64_t rnd(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static size_t below(uint64_t *x, size_t n) { return (size_t)(rnd(x) % n); }

/* A small datacenter with every kind of constraint: zones and racks,
 * hosts of three sizes and costs, one host in maintenance; VMs with
 * current hosts, labels and priorities; a pinned VM, a VM restricted to a
 * few hosts; hard anti-affinity by host and by zone, hard affinity (a
 * merged unit) and by rack, soft groups; a hard and a soft rule; and
 * sometimes migration and balance terms. */
static vmp_problem *random_problem(uint64_t seed) {
  static const char *zones[] = {"a", "b", "c"};
  static const double shapes[3][2] = {{16, 64}, {32, 128}, {64, 256}};
  static const double costs[3] = {1.0, 1.7, 3.1};
  uint64_t x = seed;
  vmp_problem *p = NULL;
  size_t nh = 6 + below(&x, 8), nv = 12 + below(&x, 40), v, grp[4];
  char name[32];
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "memory_mib", NULL), VMP_OK);
  for (size_t h = 0; h < nh; h++) {
    size_t k = below(&x, 3);
    snprintf(name, sizeof name, "h%zu", h);
    assert_int_equal(vmp_problem_add_host(p, name, shapes[k], NULL), VMP_OK);
    assert_int_equal(vmp_problem_set_host_cost(p, h, costs[k]), VMP_OK);
    assert_int_equal(vmp_problem_set_host_label(p, h, "zone", zones[h % 3]), VMP_OK);
    assert_int_equal(vmp_problem_set_host_label(p, h, "rack", h % 2 ? "r1" : "r2"), VMP_OK);
    if (h % 4 == 1) assert_int_equal(vmp_problem_set_host_label(p, h, "ssd", "yes"), VMP_OK);
    if (below(&x, 3) == 0)
      assert_int_equal(vmp_problem_set_host_overcommit(p, h, 0, 1.5), VMP_OK);
  }
  assert_int_equal(vmp_problem_set_host_maintenance(p, nh - 1, 1), VMP_OK);
  for (v = 0; v < nv; v++) {
    double d[2] = {(double)(1 + below(&x, 12)), (double)(2 + below(&x, 48))};
    snprintf(name, sizeof name, "vm%zu", v);
    assert_int_equal(vmp_problem_add_vm(p, name, d, NULL), VMP_OK);
    if (below(&x, 3) == 0)
      assert_int_equal(vmp_problem_set_vm_label(p, v, "tier", "db"), VMP_OK);
    if (below(&x, 2) == 0)
      assert_int_equal(vmp_problem_set_vm_host(p, v, below(&x, nh)), VMP_OK);
    if (below(&x, 5) == 0)
      assert_int_equal(vmp_problem_set_vm_priority(p, v, (int32_t)below(&x, 10)), VMP_OK);
  }
  /* a pinned VM on its current host, and a VM limited to three hosts */
  assert_int_equal(vmp_problem_set_vm_host(p, 0, 0), VMP_OK);
  assert_int_equal(vmp_problem_set_vm_pinned(p, 0, 1), VMP_OK);
  {
    size_t allowed[3] = {1, 2, nh - 1};
    assert_int_equal(vmp_problem_set_vm_allowed_hosts(p, 1, allowed, 3), VMP_OK);
  }
  /* hard anti-affinity by host and by zone, hard affinity by host (a
   * merged unit) and by rack, soft groups */
  grp[0] = 2, grp[1] = 3, grp[2] = 4;
  assert_int_equal(vmp_problem_add_group(p, "spread", VMP_ANTI_AFFINITY, 1, NULL, grp, 3, NULL), VMP_OK);
  grp[0] = 5, grp[1] = 6, grp[2] = 7;
  assert_int_equal(vmp_problem_add_group(p, "zones", VMP_ANTI_AFFINITY, 1, "zone", grp, 3, NULL), VMP_OK);
  grp[0] = 8, grp[1] = 9;
  assert_int_equal(vmp_problem_add_group(p, "pair", VMP_AFFINITY, 1, NULL, grp, 2, NULL), VMP_OK);
  grp[0] = 10, grp[1] = 11;
  assert_int_equal(vmp_problem_add_group(p, "rack", VMP_AFFINITY, 1, "rack", grp, 2, NULL), VMP_OK);
  if (nv > 15) {
    grp[0] = 12, grp[1] = 13, grp[2] = 14, grp[3] = 15;
    assert_int_equal(vmp_problem_add_group(p, "soft-spread", VMP_ANTI_AFFINITY, 0, NULL, grp, 4, NULL), VMP_OK);
    assert_int_equal(vmp_problem_add_group(p, "soft-pack", VMP_AFFINITY, 0, "zone", grp + 1, 3, NULL), VMP_OK);
  }
  assert_int_equal(vmp_problem_add_rule(p, "ssd", "vm.labels.tier == \"db\"",
                                        "host.labels.ssd == \"yes\" || host.labels.zone == \"a\"", 1, NULL),
                   VMP_OK);
  assert_int_equal(vmp_problem_add_rule(p, "prefer-b", NULL, "host.labels.zone == \"b\"", 0, NULL), VMP_OK);
  if (below(&x, 2)) assert_int_equal(vmp_problem_set_objective(p, "migrations", 0.01), VMP_OK);
  if (below(&x, 3) == 0) assert_int_equal(vmp_problem_set_objective(p, "balance", 2.0), VMP_OK);
  return p;
}

static size_t hard_violations(const vmp_solution *s) {
  size_t n = 0;
  for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
    const char *kind, *msg;
    int hard;
    assert_int_equal(vmp_solution_violation_at(s, k, &kind, &msg, &hard), VMP_OK);
    n += hard != 0;
  }
  return n;
}

/* vmp_solve passes every placement through the evaluator and fails with
 * VMP_EINTERNAL on a broken hard constraint; on top, the warm start from
 * greedy must never be lost. */
static void test_genetic__random_problems_keep_every_hard_constraint(void **state) {
  static const char *const kv[] = {"genetic.generations", "6", "genetic.population", "6",
                                   "genetic.islands", "3", "genetic.migration_interval", "2",
                                   NULL};
  vmp_params *ps = params(kv);
  (void)state;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    vmp_problem *p = random_problem(seed);
    vmp_solution *g = tu_solve(p, "greedy", 5), *s = NULL;
    vmp_solve_opts opts;
    int rc;
    vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
    opts.solver = "genetic";
    opts.seed = seed;
    opts.threads = 1 + (uint32_t)(seed % 3);
    opts.params = ps;
    opts.time_limit = 0;
    opts.incumbent = g;
    rc = vmp_solve(p, &opts, &s);
    if (rc) fail_msg("seed %llu: %s: %s", (unsigned long long)seed, vmp_err_name(rc), vmp_last_error());
    assert_int_equal(hard_violations(s), 0);
    assert_int_not_equal(vmp_solution_status(s), VMP_STATUS_INVALID);
    if (vmp_solution_objective(s) > vmp_solution_objective(g) + 1e-9)
      fail_msg("seed %llu: genetic %.10g is worse than its warm start %.10g",
               (unsigned long long)seed, vmp_solution_objective(s), vmp_solution_objective(g));
    /* the pinned VM is home or unplaced */
    assert_true(vmp_solution_vm_host(s, 0) == 0 || vmp_solution_vm_host(s, 0) == VMP_NONE);
    vmp_solution_free(s);
    /* and without a warm start */
    s = ga_solve(p, ps, seed, 2, 0);
    assert_int_equal(hard_violations(s), 0);
    vmp_solution_free(s);
    vmp_solution_free(g);
    vmp_problem_free(p);
  }
  vmp_params_free(ps);
}

/* ---- determinism ------------------------------------------------------------------ */

static void test_genetic__same_result_with_1_2_and_4_threads(void **state) {
  static const char *const kv[] = {"genetic.generations", "25", "genetic.islands", "4",
                                   "genetic.migration_interval", "5", "genetic.population", "10",
                                   NULL};
  vmp_params *ps = params(kv);
  (void)state;
  for (uint64_t seed = 11; seed <= 13; seed++) {
    vmp_problem *p = random_problem(seed * 7);
    vmp_solution *s[3];
    uint32_t threads[3] = {1, 2, 4};
    for (int k = 0; k < 3; k++) s[k] = ga_solve(p, ps, seed, threads[k], 0);
    for (int k = 1; k < 3; k++) {
      assert_true(vmp_solution_objective(s[k]) == vmp_solution_objective(s[0]));
      assert_true(stat(s[k], "genetic.children") == stat(s[0], "genetic.children"));
      for (size_t v = 0; v < vmp_solution_num_vms(s[0]); v++)
        assert_int_equal(vmp_solution_vm_host(s[k], v), vmp_solution_vm_host(s[0], v));
    }
    assert_true(stat(s[2], "genetic.threads") == 4.0);
    for (int k = 0; k < 3; k++) vmp_solution_free(s[k]);
    vmp_problem_free(p);
  }
  vmp_params_free(ps);
}

/* Reaching the bound stops the run; the island with the lowest number
 * that reached it wins, so the thread count still does not matter. */
static void test_genetic__stop_at_the_bound_is_deterministic(void **state) {
  vmp_problem *p = triplets();
  vmp_solution *a = ga_solve(p, NULL, 5, 1, 0), *b = ga_solve(p, NULL, 5, 4, 0);
  (void)state;
  assert_true(vmp_solution_objective(a) == 8.0);
  for (size_t v = 0; v < vmp_solution_num_vms(a); v++)
    assert_int_equal(vmp_solution_vm_host(a, v), vmp_solution_vm_host(b, v));
  vmp_solution_free(a);
  vmp_solution_free(b);
  vmp_problem_free(p);
}

/* ---- limits, progress, cancellation ------------------------------------------------ */

/* 40 items of 40% of a host: 20 hosts are needed, the volume bound (and
 * L2, the items being small) says 16, so only the clock ends the run. */
static vmp_problem *unreachable_bound(void) {
  vmp_problem *p = NULL;
  char name[16];
  double cap = 10, d = 4;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "size", NULL), VMP_OK);
  for (int h = 0; h < 40; h++) {
    snprintf(name, sizeof name, "h%d", h);
    assert_int_equal(vmp_problem_add_host(p, name, &cap, NULL), VMP_OK);
    snprintf(name, sizeof name, "v%d", h);
    assert_int_equal(vmp_problem_add_vm(p, name, &d, NULL), VMP_OK);
  }
  return p;
}

static void test_genetic__time_limit_ends_the_run(void **state) {
  vmp_problem *p = unreachable_bound();
  vmp_solution *s = ga_solve(p, NULL, 1, 2, 0.5);
  (void)state;
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_TIME_LIMIT);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  assert_true(vmp_solution_objective(s) == 20.0);
  assert_true(vmp_solution_bound(s) == 16.0);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

typedef struct seen {
  pthread_t caller;
  int calls, other_thread, bad, stop_after;
} seen;

static int on_progress(const vmp_progress *pr, void *ud) {
  seen *w = ud;
  w->calls++;
  if (!pthread_equal(pthread_self(), w->caller)) w->other_thread = 1;
  if (strcmp(pr->solver, "genetic") || !(pr->objective >= pr->bound) || pr->bound != 16.0)
    w->bad = 1;
  return w->stop_after && w->calls >= w->stop_after;
}

static void test_genetic__progress_on_the_caller_and_cancellation(void **state) {
  vmp_problem *p = unreachable_bound();
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  seen w = {pthread_self(), 0, 0, 0, 0};
  (void)state;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "genetic";
  opts.threads = 4;
  opts.time_limit = 0.3;
  opts.progress = on_progress;
  opts.progress_userdata = &w;
  opts.progress_interval = 0;
  assert_int_equal(vmp_solve(p, &opts, &s), VMP_OK);
  assert_true(w.calls > 0);
  assert_int_equal(w.other_thread, 0);
  assert_int_equal(w.bad, 0);
  vmp_solution_free(s);
  /* the callback says stop: no time limit, yet the run ends */
  w.calls = 0;
  w.stop_after = 3;
  opts.time_limit = 0;
  assert_int_equal(vmp_solve(p, &opts, &s), VMP_OK);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_INTERRUPTED);
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_FEASIBLE);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

static void test_genetic__generation_and_stall_limits(void **state) {
  static const char *const gens[] = {"genetic.generations", "7", "genetic.migration_interval", "3", NULL};
  static const char *const stall[] = {"genetic.stall", "20", NULL};
  vmp_problem *p = unreachable_bound();
  vmp_params *ps = params(gens);
  vmp_solution *s = ga_solve(p, ps, 1, 1, 0);
  (void)state;
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_COMPLETED);
  assert_true(stat(s, "genetic.generations") == 7.0);
  vmp_solution_free(s);
  vmp_params_free(ps);
  ps = params(stall);
  s = ga_solve(p, ps, 1, 1, 0);
  assert_int_equal(vmp_solution_stop_reason(s), VMP_STOP_COMPLETED);
  assert_true(stat(s, "genetic.generations") == 20.0);
  vmp_solution_free(s);
  vmp_params_free(ps);
  vmp_problem_free(p);
}

/* ---- auto ---------------------------------------------------------------------------- */

/* 80 bins of Falkenauer-like triplets (240 items), where greedy misses
 * the optimum: auto's later stages (the exact stage proves this one; the
 * genetic scheduler follows when it cannot) reach the bound. */
static void test_genetic__auto_improves_on_greedy(void **state) {
  vmp_problem *p = NULL;
  vmp_solution *g, *s;
  uint64_t x = 42;
  char name[16];
  double cap = 1000, d[3];
  double v;
  size_t h = 0;
  (void)state;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "size", NULL), VMP_OK);
  for (int b = 0; b < 80; b++) {
    d[0] = 380 + (double)below(&x, 111);
    d[1] = 250 + (double)below(&x, (size_t)(750 - d[0]) - 250 + 1);
    d[2] = 1000 - d[0] - d[1];
    for (int k = 0; k < 3; k++, h++) {
      snprintf(name, sizeof name, "b%zu", h);
      assert_int_equal(vmp_problem_add_host(p, name, &cap, NULL), VMP_OK);
      snprintf(name, sizeof name, "i%zu", h);
      assert_int_equal(vmp_problem_add_vm(p, name, &d[k], NULL), VMP_OK);
    }
  }
  g = tu_solve(p, "greedy", 10);
  /* auto stops as soon as it proves the optimum (well under a second
   * here) */
  s = tu_solve(p, NULL, TU_PROOF_LIMIT);
  assert_true(vmp_solution_objective(g) > 80.0);
  assert_string_equal(vmp_solution_solver(s), "auto");
  assert_int_equal(vmp_solution_status(s), VMP_STATUS_OPTIMAL);
  assert_true(vmp_solution_objective(s) == 80.0);
  assert_int_equal(vmp_solution_stat(s, "auto.stages", &v), VMP_OK);
  assert_true(v >= 2.0);
  vmp_solution_free(g);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* A balance-only objective (no host cost: no column generation) on 1,000
 * hosts x 250 VMs (more pairs than the assignment MIP takes): the exact
 * stage has nothing to run, so auto hands local search's placement to the
 * genetic scheduler, which keeps the better one. */
static void test_genetic__auto_runs_the_ga_where_exact_cannot(void **state) {
  static const char *const gens[] = {"genetic.generations=3", NULL};
  vmp_problem *p = NULL;
  vmp_solution *l, *s;
  uint64_t x = 7;
  char name[16];
  double cap[2] = {64, 256}, d[2], v;
  (void)state;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "mem", NULL), VMP_OK);
  for (int h = 0; h < 1000; h++) {
    snprintf(name, sizeof name, "h%d", h);
    assert_int_equal(vmp_problem_add_host(p, name, cap, NULL), VMP_OK);
  }
  for (int i = 0; i < 250; i++) {
    d[0] = 1 + (double)below(&x, 16);
    d[1] = 2 + (double)below(&x, 64);
    snprintf(name, sizeof name, "v%d", i);
    assert_int_equal(vmp_problem_add_vm(p, name, d, NULL), VMP_OK);
  }
  assert_int_equal(vmp_problem_set_objective(p, "cost", 0), VMP_OK);
  assert_int_equal(vmp_problem_set_objective(p, "balance", 100), VMP_OK);
  /* local search ends by its patience, and a generation limit ends the
   * GA (and the test) whatever the machine: neither may meet the clock,
   * or auto would hand the GA less than its three generations */
  l = tu_solve(p, "local", TU_PROOF_LIMIT);
  s = tu_solve_params(p, NULL, TU_PROOF_LIMIT, gens);
  assert_string_equal(vmp_solution_solver(s), "auto");
  assert_int_equal(vmp_solution_stat(s, "genetic.generations", &v), VMP_OK);
  assert_true(v == 3.0);
  assert_int_equal(vmp_solution_stat(s, "auto.exact_ilp", &v), VMP_ENOTFOUND);
  assert_int_equal(vmp_solution_num_unplaced(s), 0);
  assert_true(vmp_solution_objective(s) <= vmp_solution_objective(l) + 1e-9);
  vmp_solution_free(l);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* ---- parameters --------------------------------------------------------------------- */

static void test_genetic__parameters_are_checked(void **state) {
  vmp_params *ps = params(NULL);
  vmp_problem *p = triplets();
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  (void)state;
  tu_assert_error(vmp_params_set(ps, "genetic.population", "1"), VMP_ERANGE,
                  "genetic.population: 1 is out of range [2, 100000]");
  tu_assert_error(vmp_params_set(ps, "genetic.mutation_rate", "1.5"), VMP_ERANGE,
                  "genetic.mutation_rate: 1.5 is out of range [0, 1]");
  tu_assert_error(vmp_params_set(ps, "genetic.islands", "0"), VMP_ERANGE,
                  "genetic.islands: 0 is out of range [1, 256]");
  tu_assert_error(vmp_params_set(ps, "genetic.islands", "two"), VMP_EINVAL,
                  "genetic.islands: expected a number, got \"two\"");
  tu_assert_error(vmp_params_set(ps, "genetic.generations", "2.5"), VMP_EINVAL,
                  "genetic.generations: expected an integer");
  tu_assert_error(vmp_params_set(ps, "genetic.local_search", "maybe"), VMP_EINVAL,
                  "genetic.local_search: expected true or false");
  tu_assert_error(vmp_params_set(ps, "genetic.nope", "1"), VMP_ENOTFOUND,
                  "unknown parameter \"genetic.nope\"");
  assert_string_equal(vmp_params_get(ps, "genetic.islands"), "4");
  /* limits that depend on each other are checked when the solve starts */
  assert_int_equal(vmp_params_set(ps, "genetic.population", "8"), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "genetic.elite", "9"), VMP_OK);
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = "genetic";
  opts.params = ps;
  tu_assert_error(vmp_solve(p, &opts, &s), VMP_EINVAL,
                  "genetic.elite: 9 must be at most genetic.population (8)");
  assert_null(s);
  assert_int_equal(vmp_params_set(ps, "genetic.elite", "2"), VMP_OK);
  assert_int_equal(vmp_params_set(ps, "genetic.migrants", "8"), VMP_OK);
  tu_assert_error(vmp_solve(p, &opts, &s), VMP_EINVAL,
                  "genetic.migrants: 8 must be less than genetic.population (8)");
  vmp_params_free(ps);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_genetic__triplets_reach_the_optimum),
      cmocka_unit_test(test_genetic__vector_triplets_reach_the_optimum),
      cmocka_unit_test(test_genetic__host_costs_pick_the_cheap_capacity),
      cmocka_unit_test(test_genetic__random_problems_keep_every_hard_constraint),
      cmocka_unit_test(test_genetic__same_result_with_1_2_and_4_threads),
      cmocka_unit_test(test_genetic__stop_at_the_bound_is_deterministic),
      cmocka_unit_test(test_genetic__time_limit_ends_the_run),
      cmocka_unit_test(test_genetic__progress_on_the_caller_and_cancellation),
      cmocka_unit_test(test_genetic__generation_and_stall_limits),
      cmocka_unit_test(test_genetic__auto_improves_on_greedy),
      cmocka_unit_test(test_genetic__auto_runs_the_ga_where_exact_cannot),
      cmocka_unit_test(test_genetic__parameters_are_checked),
  };
  return cmocka_run_group_tests_name("genetic", tests, NULL, NULL);
}
