/*
 * Tests of the rebalancer engine (solvers/rebalance/): the from-scratch
 * evaluator against the ROADEF 2012 statement's worked examples and the
 * published initial costs, the incremental state against the evaluator on
 * random move sequences, the pooled bound against the best known costs,
 * reproducibility across thread counts, validation errors.  The files are
 * read as users read them: the library's ROADEF reader, the compiled model
 * and the `rebalance` solver's conversion (bench/tools/roadef/roadef_load.h).
 *
 * The instances come from ../shared/instances beside the repository (or
 * $VMPLACE_INSTANCES); tests that need them skip when they are absent.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "internal.h"
#include "rmip.h"
#include "roadef_load.h"
#include "rstate.h"

/* The sanitizer build runs every step several times slower: long searches
 * are cut there (the plain build runs them in full). */
#if defined(__SANITIZE_ADDRESS__)
#  define SANITIZED 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define SANITIZED 1
#  endif
#endif
#ifndef SANITIZED
#  define SANITIZED 0
#endif

static const char *instances(void)
{
  const char *d = getenv("VMPLACE_INSTANCES");
  return d ? d : VMP_INSTANCES_DIR;
}

/* Reads roadef2012_machine_reassignment/<sub>/model_<name>.txt with the
 * assignment file `assign` of the same folder; skips when absent. */
static void load(roadef *rd, const char *sub, const char *name, const char *assign)
{
  char mp[1024], ap[1024];
  struct stat st;
  snprintf(mp, sizeof mp, "%s/roadef2012_machine_reassignment/%s/model_%s.txt",
           instances(), sub, name);
  snprintf(ap, sizeof ap, "%s/roadef2012_machine_reassignment/%s/%s", instances(), sub,
           assign);
  if (stat(mp, &st) != 0) {
    print_message("no instance at %s\n", mp);
    skip();
  }
  int rc = roadef_load(rd, mp, ap);
  if (rc) print_message("%s\n", vmp_last_error());
  assert_int_equal(rc, 0);
  assert_int_equal(vmp__rmodel_check(&rd->m), 0);
}

static void read_sol(const roadef *rd, const char *file, int *a)
{
  char p[1024];
  snprintf(p, sizeof p, "%s/roadef2012_machine_reassignment/spec_example/%s", instances(),
           file);
  int rc = roadef_read_solution(rd, p, a);
  if (rc) print_message("%s\n", vmp_last_error());
  assert_int_equal(rc, 0);
}

/* Load cost of resource r alone (the statement splits it by resource). */
static double load_of(const roadef *rd, const int *a, int r)
{
  double w[64] = {0};
  vmp__rmodel m = rd->m;
  vmp__rcost c;
  assert_non_null(rd->m.safety_weight);
  w[r] = rd->m.safety_weight[r];
  m.safety_weight = w;
  assert_int_equal(vmp__rmodel_eval(&m, a, &c), 0);
  return c.load;
}

/* ---- the statement's worked examples -------------------------------------------- */

static void test_rebalance__spec_costs(void **state)
{
  (void)state;
  roadef rd;
  int a[3];
  vmp__rcost c;
  load(&rd, "spec_example", "spec_example", "assignment_spec_example.sol");
  assert_int_equal(vmp__rmodel_eval(&rd.m, rd.init, &c), 0);
  assert_true(c.feasible);
  assert_true(c.total == 4200);
  assert_true(load_of(&rd, rd.init, 0) == 400 && load_of(&rd, rd.init, 1) == 1300);
  assert_true(c.balance == 2500 && c.pmc == 0 && c.smc == 0 && c.mmc == 0);

  read_sol(&rd, "new_spec_3510.sol", a);
  assert_int_equal(vmp__rmodel_eval(&rd.m, a, &c), 0);
  assert_true(c.feasible);
  assert_true(c.total == 3510);
  assert_true(load_of(&rd, a, 0) == 200 && load_of(&rd, a, 1) == 1300);
  assert_true(c.balance == 1700 && c.pmc == 100 && c.smc == 10 && c.mmc == 200);

  read_sol(&rd, "new_spec_2411.sol", a);
  assert_int_equal(vmp__rmodel_eval(&rd.m, a, &c), 0);
  assert_true(c.feasible);
  assert_true(c.total == 2411);
  assert_true(load_of(&rd, a, 0) == 0 && load_of(&rd, a, 1) == 400);
  assert_true(c.balance == 1600 && c.pmc == 101 && c.smc == 10 && c.mmc == 300);
  roadef_free(&rd);
}

static void test_rebalance__spec_transient_rejected(void **state)
{
  (void)state;
  roadef rd;
  int a[2];
  vmp__rcost c;
  load(&rd, "spec_example", "spec_transient", "assignment_spec_transient.sol");
  assert_int_equal(vmp__rmodel_eval(&rd.m, rd.init, &c), 0);
  assert_true(c.feasible);
  read_sol(&rd, "new_spec_transient.sol", a);
  assert_int_equal(vmp__rmodel_eval(&rd.m, a, &c), 0);
  assert_false(c.feasible);
  assert_string_equal(c.why, "host 1: transient resource 1 over capacity");
  /* the same assignment is fine without the transient flag */
  unsigned char none[2] = {0, 0};
  vmp__rmodel m = rd.m;
  m.transient = none;
  assert_int_equal(vmp__rmodel_eval(&m, a, &c), 0);
  assert_true(c.feasible);
  roadef_free(&rd);
}

/* The engine from the statement's original solution: 2411 is the optimum
 * (it is the statement's), so a run must reach exactly it. */
static void test_rebalance__spec_optimum(void **state)
{
  (void)state;
  roadef rd;
  int a[3];
  double obj, bound;
  load(&rd, "spec_example", "spec_example", "assignment_spec_example.sol");
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  o.max_moves = 20000;
  assert_int_equal(vmp__rebalance_run(&rd.m, rd.init, &o, a, &obj, &bound, NULL), 0);
  assert_true(obj == 2411);
  assert_true(bound == 2411);   /* proven by the exact stage */
  vmp__rcost c;
  assert_int_equal(vmp__rmodel_eval(&rd.m, a, &c), 0);
  assert_true(c.feasible && c.total == 2411);
  roadef_free(&rd);
}

/* ---- the 18 instances: published initial costs, bounds -------------------------- */

static const char *const names[] = {"a1_1", "a1_2", "a1_3", "a1_4", "a1_5", "a2_1",
                                    "a2_2", "a2_3", "a2_4", "a2_5", "b_1",  "b_2",
                                    "b_3",  "b_4",  "b_5",  "b_6",  "b_8",  "b_9"};

/* initial_cost and opt_or_best of model_<name> from the csv */
static void csv_costs(const char *name, double *initial, double *best)
{
  char p[1024], line[1024], key[64];
  snprintf(p, sizeof p, "%s/optima/roadef2012_best_known.csv", instances());
  FILE *f = fopen(p, "r");
  assert_non_null(f);
  snprintf(key, sizeof key, "model_%s,", name);
  *initial = *best = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, strlen(key))) continue;
    /* instance,opt_or_best,is_proven_optimal,"source",initial_cost,... */
    *best = strtod(line + strlen(key), NULL);
    char *q = strrchr(line, '"');
    if (!q) q = strchr(strchr(strchr(line, ',') + 1, ',') + 1, ',') + 1;
    *initial = strtod(strchr(q, ',') + 1, NULL);
  }
  fclose(f);
  assert_true(*initial > 0 && *best > 0);
}

static void test_rebalance__initial_costs_and_bounds(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    roadef rd;
    char assign[64];
    double initial, best;
    vmp__rcost c;
    snprintf(assign, sizeof assign, "assignment_%s.sol", names[i]);
    load(&rd, "import", names[i], assign);
    csv_costs(names[i], &initial, &best);
    assert_int_equal(vmp__rmodel_eval(&rd.m, rd.init, &c), 0);
    assert_true(c.feasible);
    if (c.total != initial)
      print_message("%s: evaluated %.0f, published %.0f\n", names[i], c.total, initial);
    assert_true(c.total == initial);
    double lb = vmp__rmodel_bound(&rd.m);
    if (!(lb <= best)) print_message("%s: bound %.0f above best %.0f\n", names[i], lb, best);
    assert_true(lb >= 0 && lb <= best);
    roadef_free(&rd);
  }
}

/* a1_1's optimum is proven (44,306,501): the local search alone ends
 * within 0.001 % of it in a fixed move budget, its bound below it, and
 * with the exact stage (100 VMs x 4 hosts: on by default) the engine
 * reaches and proves it.  (The search alone reached it exactly with the
 * first lane starting cold; since both start at 1.0, which pays on a2_2
 * and a2_3, it stops 202 above: rebalance.c, sa_t0.) */
static void test_rebalance__a1_1_optimum(void **state)
{
  (void)state;
  roadef rd;
  double obj, bound;
  if (SANITIZED) {
    print_message("4 million moves: left to the plain build\n");
    skip();
  }
  load(&rd, "import", "a1_1", "assignment_a1_1.sol");
  int *a = malloc((size_t)rd.m.nv * sizeof *a);
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  vmp__rebalance_stats st;
  vmp__rcost c;
  o.max_moves = 4000000;
  o.seed = 2;
  o.exact = -1;
  assert_int_equal(vmp__rebalance_run(&rd.m, rd.init, &o, a, &obj, &bound, NULL), 0);
  print_message("the search alone: %.0f\n", obj);
  assert_true(bound < 44306501);
  assert_true(obj >= 44306501 && obj <= 44306501 + 443);
  assert_int_equal(vmp__rmodel_eval(&rd.m, a, &c), 0);
  assert_true(c.feasible && c.total == obj);
  o.exact = 0;
  assert_int_equal(vmp__rebalance_run(&rd.m, rd.init, &o, a, &obj, &bound, &st), 0);
  print_message("exact stage: %lld nodes\n", (long long)st.exact_nodes);
  assert_true(st.exact_ran && st.exact_proven && st.stopped_by == 0);
  assert_true(obj == 44306501 && bound == 44306501);
  assert_int_equal(vmp__rmodel_eval(&rd.m, a, &c), 0);
  assert_true(c.feasible && c.total == obj);
  free(a);
  roadef_free(&rd);
}

/* ---- incremental state == from-scratch evaluator ------------------------------- */

static uint64_t lcg(uint64_t *s)
{
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return *s >> 33;
}

static void random_moves(const char *name, int steps)
{
  roadef rd;
  char assign[64];
  snprintf(assign, sizeof assign, "assignment_%s.sol", name);
  load(&rd, "import", name, assign);
  vmp__ridx x;
  vmp__rstate s;
  vmp__rcost c;
  assert_int_equal(vmp__ridx_build(&x, &rd.m), 0);
  assert_int_equal(vmp__rstate_init(&s, &x), 0);
  vmp__rstate_load(&s, rd.init);
  uint64_t seed = 12345;
  int kept = 0, refused = 0;
  for (int k = 0; k < steps; k++) {
    int v1 = (int)(lcg(&seed) % (uint64_t)rd.m.nv), h1 = s.a[v1];
    int ok;
    if (lcg(&seed) & 1) {
      int h = (int)(lcg(&seed) % (uint64_t)rd.m.nh);
      if (h == h1) continue;
      vmp__rstate_move(&s, v1, h);
      ok = vmp__rstate_ok_after(&s, v1, h1);
      assert_int_equal(vmp__rmodel_eval(&rd.m, s.a, &c), 0);
      assert_int_equal(ok, c.feasible);
      assert_true(vmp__rstate_cost(&s) == c.total);
      if (!ok) vmp__rstate_move(&s, v1, h1);
    } else {
      int v2 = (int)(lcg(&seed) % (uint64_t)rd.m.nv), h2 = s.a[v2];
      if (h1 == h2) continue;
      vmp__rstate_move(&s, v1, h2);
      vmp__rstate_move(&s, v2, h1);
      ok = vmp__rstate_ok_after(&s, v1, h1) && vmp__rstate_ok_after(&s, v2, h2);
      assert_int_equal(vmp__rmodel_eval(&rd.m, s.a, &c), 0);
      assert_int_equal(ok, c.feasible);
      assert_true(vmp__rstate_cost(&s) == c.total);
      if (!ok) {
        vmp__rstate_move(&s, v2, h2);
        vmp__rstate_move(&s, v1, h1);
      }
    }
    kept += ok;
    refused += !ok;
    assert_true(vmp__rstate_cost(&s) ==
                (vmp__rmodel_eval(&rd.m, s.a, &c), c.total));
  }
  print_message("%s: %d moves kept, %d refused\n", name, kept, refused);
  assert_true(kept > 0 && refused > 0);
  vmp__rstate_free(&s);
  vmp__ridx_free(&x);
  roadef_free(&rd);
}

static void test_rebalance__delta_equals_scratch(void **state)
{
  (void)state;
  random_moves("a1_2", 3000);  /* transient resources, dependencies */
  random_moves("a2_1", 3000);
  random_moves("b_1", 300);    /* spread minimum above 1 */
}

/* ---- reproducibility --------------------------------------------------------------- */

static void test_rebalance__same_answer_at_1_and_2_threads(void **state)
{
  (void)state;
  roadef rd;
  double obj1, obj2;
  load(&rd, "import", "a1_2", "assignment_a1_2.sol");
  int *a1 = malloc((size_t)rd.m.nv * sizeof *a1), *a2 = malloc((size_t)rd.m.nv * sizeof *a2);
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  o.max_moves = SANITIZED ? 450000 : 700000;  /* several meetings of the lanes */
  o.seed = 42;
  o.lanes = 3;
  o.threads = 1;
  assert_int_equal(vmp__rebalance_run(&rd.m, rd.init, &o, a1, &obj1, NULL, NULL), 0);
  o.threads = 2;
  assert_int_equal(vmp__rebalance_run(&rd.m, rd.init, &o, a2, &obj2, NULL, NULL), 0);
  assert_true(obj1 == obj2);
  assert_memory_equal(a1, a2, (size_t)rd.m.nv * sizeof *a1);
  vmp__rcost c;
  assert_int_equal(vmp__rmodel_eval(&rd.m, a1, &c), 0);
  assert_true(c.feasible && c.total == obj1 && obj1 < 1061649570);
  free(a1);
  free(a2);
  roadef_free(&rd);
}

/* ---- validation and start states ------------------------------------------------- */

static void test_rebalance__check_errors(void **state)
{
  (void)state;
  roadef rd;
  load(&rd, "spec_example", "spec_example", "assignment_spec_example.sol");
  vmp__rmodel m = rd.m;
  int bad[2] = {0, 9};
  vmp__rspread sp = {1, 2, 2, bad, 0};
  m.spread = &sp;
  m.n_spread = 1;
  assert_int_equal(vmp__rmodel_check(&m), VMP_EINVAL);
  assert_string_equal(vmp_last_error(), "spread[0].vms[1]: VM index 9 out of range");
  bad[1] = 1;
  sp.weight = 5;
  assert_int_equal(vmp__rmodel_check(&m), VMP_ENOTSUP);
  assert_string_equal(vmp_last_error(),
                      "spread[0].weight: soft spread is not supported by the rebalancer");
  m = rd.m;
  vmp__rbalance b = {0, 2, 1, 1};
  m.balance = &b;
  assert_int_equal(vmp__rmodel_check(&m), VMP_EINVAL);
  assert_string_equal(vmp_last_error(), "balance[0]: resource index out of range");
  /* an infeasible start: both processes of service 0 on machine 0 */
  int start[3] = {0, 0, 0}, out[3];
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  o.max_moves = 100;
  assert_int_equal(vmp__rebalance_run(&rd.m, start, &o, out, NULL, NULL, NULL), VMP_ESTATE);
  assert_string_equal(vmp_last_error(),
                      "start assignment infeasible: conflict set 0: two VMs on host 0");
  o.mix = 3;
  assert_int_equal(vmp__rebalance_run(&rd.m, rd.init, &o, out, NULL, NULL, NULL), VMP_EINVAL);
  assert_string_equal(vmp_last_error(),
                      "opts.mix: expected 0 (portfolio), 1 (draws) or 2 (work shares), got 3");
  roadef_free(&rd);
}

/* A closed host is emptied first, then the search goes on; the pinned
 * process stays; the exact stage proves the answer optimal. */
static void test_rebalance__closed_and_pinned(void **state)
{
  (void)state;
  roadef rd;
  load(&rd, "spec_example", "spec_example", "assignment_spec_example.sol");
  unsigned char closed[4] = {0, 0, 0, 1}, pinned[3] = {0, 0, 1};
  vmp__rmodel m = rd.m;
  m.closed = closed;
  m.pinned = pinned;
  int a[3];
  double obj, bound;
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  o.max_moves = 20000;
  assert_int_equal(vmp__rebalance_run(&m, rd.init, &o, a, &obj, &bound, NULL), 0);
  assert_true(bound == obj);  /* the exact stage proves it, closed host and pin included */
  vmp__rcost c;
  assert_int_equal(vmp__rmodel_eval(&m, a, &c), 0);
  assert_true(c.feasible && c.total == obj);
  assert_int_not_equal(a[1], 3);
  assert_int_equal(a[2], rd.init[2]);
  /* p1 must leave machine 3: its pmc 100, the service move cost 10 and
   * 100 x the cheapest move-cost entry to an open machine (2) are forced */
  m.closed = NULL;
  double open_lb = vmp__rmodel_bound(&m);
  m.closed = closed;
  print_message("bound %.0f (all open %.0f), found %.0f\n", vmp__rmodel_bound(&m), open_lb, obj);
  assert_true(vmp__rmodel_bound(&m) <= obj);
  roadef_free(&rd);
}

/* A model with the load term only: demand, capacity, safety and its
 * weights, transient flags and the initial hosts (the arrays stay the
 * caller's). */
static vmp__rmodel load_model(int nv, int nh, int nr, const double *demand, const double *cap,
                              const double *safety, const double *weight,
                              const unsigned char *transient, const int *init)
{
  vmp__rmodel m = {0};
  m.nv = nv;
  m.nh = nh;
  m.nr = nr;
  m.demand = demand;
  m.cap = cap;
  m.safety = safety;
  m.safety_weight = weight;
  m.transient = transient;
  m.init = init;
  return m;
}

/* Stuck VMs raise the bound.  Three hosts of capacity 10; host 0 has no
 * safety capacity, hosts 1 and 2 keep all 10.  v0 (6) is on host 0, v1
 * and v2 (5 each) on hosts 1 and 2.  With the resource transient, every
 * host holds its own initial load whatever leaves, so v0 would need 6 + 5
 * > 10 on either other host: it stays, and its 6 units above host 0's
 * safety cost 6 in every feasible assignment.  The pooled figure is 0
 * (demand 16 against 20 of safety).  The optimum is 6 (nothing moves), so
 * the bound proves it.  Without the transient flag v0 can go (v2 to host
 * 1, v0 to host 2, or the mirror image) and both the bound and the
 * optimum are 0. */
static void test_rebalance__stuck_vms_bound(void **state)
{
  (void)state;
  double demand[3] = {6, 5, 5}, cap[3] = {10, 10, 10}, safety[3] = {0, 10, 10};
  double weight[1] = {1};
  unsigned char transient[1] = {1};
  int init[3] = {0, 1, 2}, a[3];
  vmp__rmodel m = load_model(3, 3, 1, demand, cap, safety, weight, transient, init);
  assert_int_equal(vmp__rmodel_check(&m), 0);
  assert_true(vmp__rmodel_bound(&m) == 6);
  double obj, bound;
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  o.max_moves = 20000;
  assert_int_equal(vmp__rebalance_run(&m, init, &o, a, &obj, &bound, NULL), 0);
  assert_true(obj == 6 && bound == 6);

  m.transient = NULL;
  assert_true(vmp__rmodel_bound(&m) == 0);
  assert_int_equal(vmp__rebalance_run(&m, init, &o, a, &obj, &bound, NULL), 0);
  assert_true(obj == 0 && bound == 0);
  assert_int_not_equal(a[0], 0);  /* v0 left host 0 (to 1 or 2: both optimal) */

  /* pinned, v0 stays whatever the resource: the bound is 6 again */
  unsigned char pinned[3] = {1, 0, 0};
  m.pinned = pinned;
  assert_true(vmp__rmodel_bound(&m) == 6);
}

/* The exact stage on a model past VMP__REXACT_MAX_PAIRS (41 hosts x 102
 * VMs, 4,182 pairs): with a deadline the search runs first and the stage
 * has the rest of the time, for a bound.  The optimum is 1: host 0 holds
 * 30 GiB above its safety of 90 (weight 10 per GiB), every VM there
 * weighs 40 GiB and may move for 1 to any other host, which has room; the
 * pooled bound says 0.  Whatever the stage has time for, the answer must
 * be 1 with a bound of at most 1 (the schedule depends on the clock, so
 * that is all a test can ask; the formulation itself is checked against
 * brute force below). */
static void test_rebalance__bound_stage_on_a_larger_model(void **state)
{
  (void)state;
  enum { NH = 41, NV = 102 };
  static double demand[NV], cap[NH], safety[NH], pmc[NV];
  static int init[NV], a[NV];
  double weight = 10, obj, bound;
  for (int h = 0; h < NH; h++) {
    cap[h] = 200;
    safety[h] = h == 0 ? 90 : 200;
  }
  for (int v = 0; v < NV; v++) {
    init[v] = v < 3 ? 0 : 1 + (v - 3) % (NH - 1);
    demand[v] = v < 3 ? 40 : 10;
    pmc[v] = 1;
  }
  vmp__rmodel m = load_model(NV, NH, 1, demand, cap, safety, &weight, NULL, init);
  m.pmc = pmc;
  m.w_pmc = 1;
  vmp__ridx x;
  assert_int_equal(vmp__ridx_build(&x, &m), 0);
  assert_int_equal(vmp__rmip_pairs(&x, VMP__REXACT_BOUND_PAIRS), NH * NV);
  assert_true(NH * NV > VMP__REXACT_MAX_PAIRS && NH * NV <= VMP__REXACT_BOUND_PAIRS);
  vmp__ridx_free(&x);
  assert_true(vmp__rmodel_bound(&m) == 0);
  vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
  vmp__rebalance_stats st;
  o.deadline = vmp__now() + 2.0;
  assert_int_equal(vmp__rebalance_run(&m, init, &o, a, &obj, &bound, &st), 0);
  print_message("exact stage ran %d, proven %d, %lld nodes: %g / %g\n", st.exact_ran,
                st.exact_proven, (long long)st.exact_nodes, obj, bound);
  assert_true(obj == 1);
  assert_true(bound <= 1);
}

/* The bound against brute force: small random models with transient
 * resources, zero and partial safety, pins, hosts in maintenance and move
 * costs; every assignment is evaluated from scratch and the bound must
 * not exceed the cheapest feasible one.  Fixed seed: the same 400 models
 * every run. */
static void test_rebalance__bound_below_brute_force(void **state)
{
  (void)state;
  uint64_t seed = 0x5eed0b0d;
  int checked = 0, stuck_raised = 0;
  for (int it = 0; it < 400; it++) {
#define RND(n) ((int)((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33) % (n))
    int nh = 2 + RND(3), nv = 2 + RND(5), nr = 1 + RND(2);
    double demand[6 * 2], cap[4 * 2], safety[4 * 2], weight[2], pmc[6];
    unsigned char transient[2], pinned[6], closed[4];
    int init[6], a[6];
    for (int r = 0; r < nr; r++) {
      weight[r] = 1 + RND(3);
      transient[r] = (unsigned char)(RND(2));
    }
    for (int h = 0; h < nh; h++) {
      closed[h] = (unsigned char)(RND(8) == 0);
      for (int r = 0; r < nr; r++) {
        cap[h * nr + r] = 6 + RND(8);
        safety[h * nr + r] = RND(3) == 0 ? 0 : RND((int)cap[h * nr + r] + 1);
      }
    }
    for (int v = 0; v < nv; v++) {
      init[v] = RND(nh);
      pinned[v] = (unsigned char)(RND(6) == 0);
      pmc[v] = RND(3);
      for (int r = 0; r < nr; r++) demand[v * nr + r] = 1 + RND(6);
    }
#undef RND
    vmp__rmodel m = load_model(nv, nh, nr, demand, cap, safety, weight, transient, init);
    m.pmc = pmc;
    m.w_pmc = 1;
    m.pinned = pinned;
    m.closed = closed;
    assert_int_equal(vmp__rmodel_check(&m), 0);
    double best = INFINITY;
    int total = 1;
    for (int v = 0; v < nv; v++) total *= nh;
    for (int k = 0; k < total; k++) {
      for (int v = 0, x = k; v < nv; v++, x /= nh) a[v] = x % nh;
      vmp__rcost c;
      assert_int_equal(vmp__rmodel_eval(&m, a, &c), 0);
      if (c.feasible && c.total < best) best = c.total;
    }
    if (best == INFINITY) continue;
    double lb = vmp__rmodel_bound(&m);
    if (!(lb <= best + 1e-9)) fail_msg("model %d: bound %.17g above the optimum %.17g", it, lb, best);
    m.pinned = NULL;
    m.transient = NULL;
    if (vmp__rmodel_bound(&m) < lb) stuck_raised++;
    checked++;
  }
  /* the property is not empty: most models have a feasible assignment,
   * and on some the stuck VMs raise the bound */
  print_message("%d models checked, bound raised by stuck VMs on %d\n", checked, stuck_raised);
  assert_true(checked >= 200 && stuck_raised >= 10);
}

/* Every term and rule at once, against brute force: small random models
 * with balance terms, host move-cost classes, group move costs, host
 * costs, conflict sets, a spread minimum and a dependency over a two-way
 * host label, allowed hosts, transient resources, pins and maintenance.
 * The pooled bound must not exceed the cheapest feasible assignment, and
 * the engine, started from a feasible assignment, must return one that is
 * feasible, whose objective (as it reports it and as the evaluator scores
 * it from scratch) is at least that optimum, with a bound at most it; with
 * its exact stage (the default on models this small) both must be the
 * optimum.
 * Fixed seed: the same 300 models every run (60 under the sanitizers). */
static void test_rebalance__every_term_against_brute_force(void **state)
{
  (void)state;
  uint64_t seed = 0xb0a7d5eedULL;
  int checked = 0, at_optimum = 0, models = SANITIZED ? 60 : 300;
  for (int it = 0; it < models; it++) {
#define RND(n) ((int)((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 33) % (n))
    int nh = 2 + RND(3), nv = 2 + RND(5), nr = 1 + RND(2);
    double demand[6 * 2], cap[4 * 2], safety[4 * 2], weight[2], pmc[6], hcost[4];
    double hmc[3 * 3];
    unsigned char transient[2], pinned[6], closed[4];
    int init[6], a[6], start[6], best_a[6], hmc_class[4], dom[4], ndom = 2;
    int gstart[3], gvms[12], cstart[2], cvms[6], astart[7], ahosts[6 * 4];
    int svms[6], da[6], db[6];
    vmp__rbalance bal[2];
    vmp__rspread sp;
    vmp__rdepend dep;
    for (int r = 0; r < nr; r++) {
      weight[r] = 1 + RND(3);
      transient[r] = (unsigned char)(RND(3) == 0);
    }
    for (int h = 0; h < nh; h++) {
      closed[h] = (unsigned char)(RND(10) == 0);
      hcost[h] = RND(4);
      dom[h] = h % 2;
      for (int r = 0; r < nr; r++) {
        cap[h * nr + r] = 6 + RND(8);
        safety[h * nr + r] = RND(3) == 0 ? 0 : RND((int)cap[h * nr + r] + 1);
      }
    }
    int nc = 1 + RND(3);
    for (int h = 0; h < nh; h++) hmc_class[h] = RND(nc);
    for (int i = 0; i < nc; i++)
      for (int j = 0; j < nc; j++) hmc[i * nc + j] = i == j ? 0 : RND(5);
    for (int v = 0; v < nv; v++) {
      init[v] = RND(nh);
      pinned[v] = (unsigned char)(RND(8) == 0);
      pmc[v] = RND(3);
      for (int r = 0; r < nr; r++) demand[v * nr + r] = 1 + RND(6);
    }
    /* two move-cost groups over random VMs (a VM may be in both) */
    int k = 0;
    for (int g = 0; g < 2; g++) {
      gstart[g] = k;
      for (int v = 0; v < nv; v++)
        if (RND(2)) gvms[k++] = v;
    }
    gstart[2] = k;
    /* one conflict set of two or three VMs */
    int ncf = 0;
    if (RND(2)) {
      int n = 0;
      for (int v = 0; v < nv && n < 3; v++)
        if (RND(2)) cvms[n++] = v;
      cstart[0] = 0;
      cstart[1] = n;
      ncf = n >= 2;
    }
    /* allowed hosts: most VMs anywhere, some on a random non-empty subset */
    k = 0;
    astart[0] = 0;
    for (int v = 0; v < nv; v++) {
      int any = RND(3) != 0, first = k;
      for (int h = 0; h < nh; h++)
        if (any || RND(2)) ahosts[k++] = h;
      if (k == first) ahosts[k++] = RND(nh);
      astart[v + 1] = k;
    }
    /* the label splits the hosts in two domains; a spread minimum over
     * some VMs and a dependency between two VM lists */
    int nsp = 0, ndep = 0, ns = 0, na = 0, nb = 0;
    for (int v = 0; v < nv; v++)
      if (RND(2)) svms[ns++] = v;
    if (ns >= 2 && RND(2)) {
      sp.label = 0;
      sp.min_domains = 1 + RND(2);
      sp.n_vms = ns;
      sp.vms = svms;
      sp.weight = 0;
      nsp = 1;
    }
    for (int v = 0; v < nv; v++) {
      int x = RND(4);
      if (x == 0) da[na++] = v;
      else if (x == 1) db[nb++] = v;
    }
    if (na && nb && RND(2)) {
      dep.label = 0;
      dep.n_a = na;
      dep.a = da;
      dep.n_b = nb;
      dep.b = db;
      dep.weight = 0;
      ndep = 1;
    }
    int nbal = RND(3) == 0 ? 0 : 1 + (nr == 2 && RND(2));
    for (int b = 0; b < nbal; b++) {
      bal[b].r1 = RND(nr);
      bal[b].r2 = RND(nr);
      bal[b].target = 1 + RND(3);
      bal[b].weight = 1 + RND(2);
    }
#undef RND
    vmp__rmodel m = load_model(nv, nh, nr, demand, cap, safety, weight, transient, init);
    m.pmc = pmc;
    m.w_pmc = 1;
    m.n_groups = 2;
    m.group_start = gstart;
    m.group_vms = gvms;
    m.w_smc = 2;
    m.n_hmc_class = nc;
    m.hmc_class = hmc_class;
    m.hmc = hmc;
    m.w_mmc = 1;
    m.n_conflict = ncf;
    m.conflict_start = cstart;
    m.conflict_vms = cvms;
    m.n_labels = 1;
    m.n_domains = &ndom;
    m.label = dom;
    m.n_spread = nsp;
    m.spread = &sp;
    m.n_depend = ndep;
    m.depend = &dep;
    m.n_balance = nbal;
    m.balance = bal;
    m.allowed_start = astart;
    m.allowed_hosts = ahosts;
    m.pinned = pinned;
    m.closed = closed;
    m.host_cost = hcost;
    m.w_host = 1;
    assert_int_equal(vmp__rmodel_check(&m), 0);

    /* the optimum, and a start the engine accepts: feasible with the
     * maintenance flags ignored (the engine empties those hosts itself) */
    vmp__rmodel open = m;
    open.closed = NULL;
    double best = INFINITY;
    int total = 1, have_start = 0;
    for (int v = 0; v < nv; v++) total *= nh;
    for (int c = 0; c < total; c++) {
      for (int v = 0, x = c; v < nv; v++, x /= nh) a[v] = x % nh;
      vmp__rcost cc;
      assert_int_equal(vmp__rmodel_eval(&m, a, &cc), 0);
      if (cc.feasible && cc.total < best) best = cc.total;
      if (!have_start) {
        assert_int_equal(vmp__rmodel_eval(&open, a, &cc), 0);
        int pins_kept = 1;
        for (int v = 0; v < nv; v++)
          if (pinned[v] && a[v] != init[v]) pins_kept = 0;
        if (cc.feasible && pins_kept) {
          memcpy(start, a, sizeof start);
          have_start = 1;
        }
      }
    }
    if (best == INFINITY) continue;
    double lb = vmp__rmodel_bound(&m);
    if (!(lb <= best + 1e-9)) fail_msg("model %d: bound %.17g above the optimum %.17g", it, lb, best);
    if (!have_start) fail_msg("model %d: feasible, yet no start with the pins kept", it);
    double obj, bound;
    vmp__rebalance_opts o = VMP__REBALANCE_OPTS_INIT;
    o.max_moves = 3000;
    o.seed = (uint64_t)it + 1;
    for (int exact = -1; exact <= 0; exact++) {
      /* the local search alone, then with the exact stage (the default) */
      o.exact = exact;
      int rc = vmp__rebalance_run(&m, start, &o, best_a, &obj, &bound, NULL);
      if (rc) fail_msg("model %d: engine failed: %s", it, vmp_last_error());
      vmp__rcost got;
      assert_int_equal(vmp__rmodel_eval(&m, best_a, &got), 0);
      if (!got.feasible) fail_msg("model %d: engine's answer infeasible: %s", it, got.why);
      if (fabs(got.total - obj) > 1e-9)
        fail_msg("model %d: engine reports %.17g, the evaluator %.17g", it, obj, got.total);
      if (!(obj >= best - 1e-9 && bound <= best + 1e-9))
        fail_msg("model %d: engine %.17g / bound %.17g against the optimum %.17g", it, obj,
                 bound, best);
      if (exact == -1) {
        at_optimum += obj <= best + 1e-9;
      } else if (!(obj <= best + 1e-9 && bound >= best - 1e-9)) {
        /* the exact stage solves these models to the end: the optimum,
         * and the bound that proves it */
        fail_msg("model %d: exact stage %.17g / bound %.17g, the optimum %.17g", it, obj, bound,
                 best);
      }
    }
    checked++;
  }
  print_message("%d models checked, the local search alone at the optimum on %d, the exact "
                "stage on all\n", checked, at_optimum);
  assert_true(checked >= models / 3);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_rebalance__spec_costs),
    cmocka_unit_test(test_rebalance__spec_transient_rejected),
    cmocka_unit_test(test_rebalance__spec_optimum),
    cmocka_unit_test(test_rebalance__initial_costs_and_bounds),
    cmocka_unit_test(test_rebalance__a1_1_optimum),
    cmocka_unit_test(test_rebalance__delta_equals_scratch),
    cmocka_unit_test(test_rebalance__same_answer_at_1_and_2_threads),
    cmocka_unit_test(test_rebalance__check_errors),
    cmocka_unit_test(test_rebalance__closed_and_pinned),
    cmocka_unit_test(test_rebalance__stuck_vms_bound),
    cmocka_unit_test(test_rebalance__bound_stage_on_a_larger_model),
    cmocka_unit_test(test_rebalance__bound_below_brute_force),
    cmocka_unit_test(test_rebalance__every_term_against_brute_force),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
