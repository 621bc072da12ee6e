/* Online placement: arrivals never move a running VM, departures free
 * capacity, affinity units follow their first member, errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "testutil.h"

static size_t hard_violations(const vmp_solution *s) {
  size_t n = 0;
  for (size_t j = 0; j < vmp_solution_num_violations(s); j++) {
    int hard = 0;
    vmp_solution_violation_at(s, j, NULL, NULL, &hard);
    n += hard != 0;
  }
  return n;
}

static void test_place__never_moves_a_running_vm(void **state) {
  vmpb_gen_opts o;
  vmp_problem *p = NULL;
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL, *running = NULL;
  size_t n, *before, placed = 0;
  (void)state;
  vmpb_gen_opts_init(&o, 40, 400, 3);
  o.current = 1;
  o.rules = 1;
  o.load = 0.7;
  assert_int_equal(vmpb_generate(&o, &p), VMP_OK);
  n = vmp_problem_num_vms(p);
  /* every fourth VM arrives */
  for (size_t v = 0; v < n; v += 4) assert_int_equal(vmp_problem_set_vm_host(p, v, VMP_NONE), VMP_OK);
  before = malloc(n * sizeof *before);
  for (size_t v = 0; v < n; v++) before[v] = vmp_problem_vm_host(p, v);
  assert_int_equal(vmp_evaluate_current(p, &running), VMP_OK);
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  for (size_t v = 0; v < n; v += 4) {
    size_t h;
    assert_int_equal(vmp_place(pl, v, &h), VMP_OK);
    placed += h != VMP_NONE;
  }
  assert_true(placed > 0);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_string_equal(vmp_solution_solver(s), "online");
  for (size_t v = 0; v < n; v++)
    if (before[v] != VMP_NONE) assert_int_equal(vmp_solution_vm_host(s, v), before[v]);
  /* the arrivals broke nothing: the generator's running placement breaks
   * some hard rules already (it fits by capacity only), no more */
  assert_int_equal(hard_violations(s), hard_violations(running));
  vmp_solution_free(s);
  vmp_solution_free(running);
  vmp_placer_free(pl);
  free(before);
  vmp_problem_free(p);
}

static const char *SMALL =
    "{\"version\":1,\"resources\":[\"cpu\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8}},{\"name\":\"h2\",\"capacity\":{\"cpu\":8}}],"
    "\"vms\":[{\"name\":\"old\",\"demand\":{\"cpu\":6},\"host\":\"h1\"},"
    "{\"name\":\"a\",\"demand\":{\"cpu\":4}},{\"name\":\"b\",\"demand\":{\"cpu\":4}},"
    "{\"name\":\"c\",\"demand\":{\"cpu\":4}},{\"name\":\"d\",\"demand\":{\"cpu\":1}},"
    "{\"name\":\"e\",\"demand\":{\"cpu\":1}}],"
    "\"groups\":[{\"name\":\"pair\",\"policy\":\"affinity\",\"vms\":[\"d\",\"e\"]}]}";

static void test_place__departures_free_capacity(void **state) {
  vmp_problem *p = tu_problem_json(SMALL);
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL;
  size_t h;
  (void)state;
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  assert_int_equal(vmp_place(pl, 1, &h), VMP_OK);
  assert_int_equal(h, 1);
  assert_int_equal(vmp_place(pl, 2, &h), VMP_OK);
  assert_int_equal(h, 1);
  assert_int_equal(vmp_place(pl, 3, &h), VMP_OK);
  assert_int_equal(h, VMP_NONE); /* full: 6 + 4 + 4 of 16 leaves no 4 */
  assert_int_equal(vmp_placer_remove(pl, 0), VMP_OK);
  assert_int_equal(vmp_place(pl, 3, &h), VMP_OK);
  assert_int_equal(h, 0);
  /* an affinity pair: the second follows the first */
  assert_int_equal(vmp_place(pl, 4, &h), VMP_OK);
  assert_int_equal(h, 0);
  assert_int_equal(vmp_place(pl, 5, &h), VMP_OK);
  assert_int_equal(h, 0);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_int_equal(vmp_solution_num_unplaced(s), 1); /* "old", removed */
  assert_int_equal(vmp_solution_num_violations(s), 0);
  vmp_solution_free(s);
  vmp_placer_free(pl);
  vmp_problem_free(p);
}

static void test_place__errors(void **state) {
  vmp_problem *p = tu_problem_json(SMALL);
  vmp_placer *pl = NULL;
  vmp_solve_opts o;
  size_t h;
  (void)state;
  tu_assert_error(vmp_placer_new(NULL, NULL, &pl), VMP_EINVAL, "problem is NULL");
  assert_null(pl);
  vmp_solve_opts_init(&o, VMP_SOLVE_OPTS_VERSION);
  o.version = 77;
  tu_assert_error(vmp_placer_new(p, &o, &pl), VMP_EINVAL, "solve options: version 77 is unknown");
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  tu_assert_error(vmp_place(pl, 0, &h), VMP_ESTATE, "VM old is placed already (on h1)");
  tu_assert_error(vmp_place(pl, 99, &h), VMP_EINVAL, "out of range");
  tu_assert_error(vmp_placer_remove(pl, 1), VMP_ESTATE, "VM a is not placed");
  tu_assert_error(vmp_place(NULL, 1, &h), VMP_EINVAL, NULL);
  vmp_placer_free(pl);
  vmp_placer_free(NULL);
  vmp_problem_free(p);
}

/* Three equal hosts, two running VMs; a hard rule sends "gold" VMs to
 * zone a (h2 only).  By hand, under best fit (the used host left with the
 * least room, else the first empty host): free cpu h1 3, h2 6, h3 8. */
static const char *ONLINE =
    "{\"version\":1,\"resources\":[\"cpu\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"b\"}},"
    "{\"name\":\"h2\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"a\"}},"
    "{\"name\":\"h3\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"b\"}}],"
    "\"vms\":[{\"name\":\"run1\",\"demand\":{\"cpu\":5},\"host\":\"h1\"},"
    "{\"name\":\"run2\",\"demand\":{\"cpu\":2},\"host\":\"h2\"},"
    "{\"name\":\"g1\",\"demand\":{\"cpu\":1}},{\"name\":\"g2\",\"demand\":{\"cpu\":1}}],"
    "\"groups\":[{\"name\":\"pair\",\"policy\":\"anti-affinity\",\"vms\":[\"g1\",\"g2\"]}],"
    "\"rules\":[{\"name\":\"gold\",\"when\":\"vm.labels.tier == \\\"gold\\\"\","
    "\"require\":\"host.labels.zone == \\\"a\\\"\",\"hard\":true}]}";

static size_t add(vmp_placer *pl, const char *name, double cpu, size_t *vm) {
  size_t h = 12345;
  assert_int_equal(vmp_placer_add_vm(pl, name, &cpu, NULL, NULL, 0, vm, &h), VMP_OK);
  return h;
}

static size_t count_kind(const vmp_solution *s, const char *kind) {
  size_t n = 0;
  for (size_t j = 0; j < vmp_solution_num_violations(s); j++) {
    const char *k = NULL;
    vmp_solution_violation_at(s, j, &k, NULL, NULL);
    n += k && !strcmp(k, kind);
  }
  return n;
}

static void test_place__added_vms_land_by_best_fit(void **state) {
  vmp_problem *p = tu_problem_json(ONLINE);
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL;
  size_t vm, v4;
  (void)state;
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  assert_int_equal(add(pl, "n1", 3, &vm), 0); /* h1: 3 -> 0 beats h2: 6 -> 3 */
  assert_int_equal(vm, 4);
  assert_int_equal(add(pl, "n2", 4, &vm), 1); /* h1 full; h2: 6 -> 2 */
  assert_int_equal(add(pl, "n3", 5, &vm), 2); /* no used host has 5: h3 opens */
  assert_int_equal(add(pl, "n4", 4, &v4), VMP_NONE); /* free 0, 2, 3 */
  assert_int_equal(v4, 7);
  assert_int_equal(vmp_placer_num_vms(pl), 8);
  assert_int_equal(vmp_placer_vm_host(pl, v4), VMP_NONE);
  assert_string_equal(vmp_placer_vm_name(pl, v4), "n4");
  /* n2 leaves: h2 has 6 again, and n4 fits there (h3 has 3) */
  assert_int_equal(vmp_placer_remove_vm(pl, "n2"), VMP_OK);
  assert_null(vmp_placer_vm_name(pl, 5));
  assert_int_equal(vmp_place(pl, v4, &vm), VMP_OK);
  assert_int_equal(vm, 1);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  /* run1 run2 g1 g2 n1 n3 n4: n2 is gone, the added ones are there */
  assert_int_equal(vmp_solution_num_vms(s), 7);
  assert_string_equal(vmp_solution_vm_name(s, 4), "n1");
  assert_string_equal(vmp_solution_vm_name(s, 5), "n3");
  assert_string_equal(vmp_solution_vm_name(s, 6), "n4");
  assert_string_equal(vmp_solution_vm_host_name(s, 4), "h1");
  assert_string_equal(vmp_solution_vm_host_name(s, 5), "h3");
  assert_string_equal(vmp_solution_vm_host_name(s, 6), "h2");
  assert_int_equal(vmp_solution_num_unplaced(s), 2); /* g1, g2: never placed */
  assert_int_equal(vmp_solution_num_violations(s), 0);
  {
    double added = 0, removed = 0;
    assert_int_equal(vmp_solution_stat(s, "place.added", &added), VMP_OK);
    assert_int_equal(vmp_solution_stat(s, "place.removed", &removed), VMP_OK);
    assert_true(added == 4.0 && removed == 1.0);
  }
  vmp_solution_free(s);
  vmp_placer_free(pl);
  /* the problem saw none of it */
  assert_int_equal(vmp_problem_num_vms(p), 4);
  vmp_problem_free(p);
}

static void test_place__maintenance_host_never_chosen(void **state) {
  vmp_problem *p = tu_problem_json(ONLINE);
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL;
  size_t vm;
  (void)state;
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  assert_int_equal(vmp_placer_set_host_maintenance(pl, 0, 1), VMP_OK);
  assert_int_equal(add(pl, "m1", 4, &vm), 1);  /* h2: 6 -> 2 */
  assert_int_equal(add(pl, "m2", 3, &vm), 2);  /* h1 would be exact: h3 opens */
  assert_int_equal(vmp_placer_vm_host(pl, 0), 0); /* run1 stays on h1 */
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_int_equal(count_kind(s, "maintenance"), 1);
  assert_string_equal(vmp_solution_vm_host_name(s, 0), "h1");
  {
    size_t v = 9, h = 9, nv = 9;
    const char *name = "x", *res = "x";
    double amount = 0;
    assert_int_equal(vmp_solution_violation_detail(s, 0, &v, &h, &name, &res, &amount, &nv),
                     VMP_OK);
    assert_int_equal(v, 0);
    assert_int_equal(h, 0);
    assert_null(name);
    assert_null(res);
    assert_true(isnan(amount));
    assert_int_equal(nv, 0);
  }
  vmp_solution_free(s);
  /* back in service: h1 (3 free) is the best fit for 3 again */
  assert_int_equal(vmp_placer_set_host_maintenance(pl, 0, 0), VMP_OK);
  assert_int_equal(add(pl, "m3", 3, &vm), 0);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_int_equal(count_kind(s, "maintenance"), 0);
  vmp_solution_free(s);
  vmp_placer_free(pl);
  vmp_problem_free(p);
}

static void test_place__added_vms_obey_rules(void **state) {
  vmp_problem *p = tu_problem_json(ONLINE);
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL;
  const char *k[] = {"tier"}, *gold[] = {"gold"}, *silver[] = {"silver"};
  double three = 3, four = 4;
  size_t vm, h;
  (void)state;
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  /* best fit says h1 (3 -> 0); the rule says zone a: h2 */
  assert_int_equal(vmp_placer_add_vm(pl, "gold-1", &three, k, gold, 1, &vm, &h), VMP_OK);
  assert_int_equal(h, 1);
  assert_int_equal(vmp_placer_add_vm(pl, "silver-1", &three, k, silver, 1, &vm, &h), VMP_OK);
  assert_int_equal(h, 0);
  /* h2 has 3 left and is the only zone-a host: a second gold of 4 waits */
  assert_int_equal(vmp_placer_add_vm(pl, "gold-2", &four, k, gold, 1, &vm, &h), VMP_OK);
  assert_int_equal(h, VMP_NONE);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_int_equal(vmp_solution_num_violations(s), 0);
  assert_int_equal(vmp_solution_num_unplaced(s), 3); /* g1, g2, gold-2 */
  assert_int_equal(vmp_solution_unplaced_vm(s, 2), 6);
  vmp_solution_free(s);
  vmp_placer_free(pl);
  vmp_problem_free(p);
}

static void test_place__add_remove_errors(void **state) {
  vmp_problem *p = tu_problem_json(ONLINE);
  vmp_placer *pl = NULL;
  double one = 1, bad = -1;
  const char *k[] = {"tier"};
  size_t vm = 0, h = 0;
  (void)state;
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  tu_assert_error(vmp_placer_add_vm(pl, "run1", &one, NULL, NULL, 0, &vm, &h), VMP_EEXIST,
                  "VM \"run1\" is in the placer already");
  assert_int_equal(vm, VMP_NONE);
  assert_int_equal(h, VMP_NONE);
  assert_int_equal(add(pl, "x", 1, &vm), 0);
  tu_assert_error(vmp_placer_add_vm(pl, "x", &one, NULL, NULL, 0, &vm, &h), VMP_EEXIST,
                  "VM \"x\" is in the placer already");
  tu_assert_error(vmp_placer_remove_vm(pl, "ghost"), VMP_ENOTFOUND, "unknown VM \"ghost\"");
  tu_assert_error(vmp_placer_find_vm(pl, "ghost", &vm), VMP_ENOTFOUND, "unknown VM \"ghost\"");
  assert_int_equal(vm, VMP_NONE);
  assert_int_equal(vmp_placer_find_vm(pl, "x", &vm), VMP_OK);
  assert_int_equal(vm, 4);
  assert_int_equal(vmp_placer_remove_vm(pl, "x"), VMP_OK);
  tu_assert_error(vmp_placer_remove_vm(pl, "x"), VMP_ENOTFOUND,
                  "VM \"x\" was removed from the placer");
  tu_assert_error(vmp_place(pl, 4, &h), VMP_ESTATE, "VM x was removed from the placer");
  tu_assert_error(vmp_placer_remove(pl, 4), VMP_ESTATE, "VM x was removed");
  /* a departed name may come back, as a new VM in the same slot */
  assert_int_equal(add(pl, "x", 2, &vm), 0);
  assert_int_equal(vm, 4);
  /* a VM of the problem comes back as a new VM (in no group) */
  assert_int_equal(vmp_placer_remove_vm(pl, "g1"), VMP_OK);
  assert_int_equal(add(pl, "g1", 1, &vm), 0);
  assert_int_equal(vm, 5);
  assert_int_equal(vmp_placer_find_vm(pl, "g1", &vm), VMP_OK);
  assert_int_equal(vm, 5);
  tu_assert_error(vmp_placer_add_vm(pl, "g1", &one, NULL, NULL, 0, &vm, &h), VMP_EEXIST,
                  "VM \"g1\" is in the placer already");
  {
    vmp_solution *s = NULL;
    const char *names[] = {"run1", "run2", "g2", "x", "g1"};
    assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
    assert_int_equal(vmp_solution_num_vms(s), 5);
    for (size_t j = 0; j < 5; j++) assert_string_equal(vmp_solution_vm_name(s, j), names[j]);
    assert_int_equal(vmp_solution_num_violations(s), 0);
    vmp_solution_free(s);
  }
  /* bad input leaves no VM behind */
  tu_assert_error(vmp_placer_add_vm(pl, "neg", &bad, NULL, NULL, 0, &vm, &h), VMP_ERANGE,
                  "demand.cpu");
  tu_assert_error(vmp_placer_add_vm(pl, "nolabels", &one, k, NULL, 1, &vm, &h), VMP_EINVAL,
                  "labels");
  tu_assert_error(vmp_placer_find_vm(pl, "neg", &vm), VMP_ENOTFOUND, "neg");
  tu_assert_error(vmp_placer_add_vm(pl, NULL, &one, NULL, NULL, 0, &vm, &h), VMP_EINVAL,
                  "name is NULL");
  tu_assert_error(vmp_placer_add_vm(NULL, "y", &one, NULL, NULL, 0, &vm, &h), VMP_EINVAL,
                  "placer is NULL");
  tu_assert_error(vmp_placer_set_host_maintenance(pl, 3, 1), VMP_EINVAL,
                  "host index 3 out of range (3 hosts)");
  vmp_placer_free(pl);
  vmp_problem_free(p);
}

static void test_place__violation_details(void **state) {
  vmp_problem *p = tu_problem_json(ONLINE);
  vmp_solution *s = NULL;
  const size_t at[] = {0, 1, 0, 0}; /* g1 and g2 together on h1 (7 of 8 cpu) */
  size_t v, h, nv;
  const char *name, *res, *kind;
  double amount;
  (void)state;
  assert_int_equal(vmp_evaluate(p, at, &s), VMP_OK);
  assert_int_equal(vmp_solution_num_violations(s), 1);
  assert_int_equal(vmp_solution_violation_at(s, 0, &kind, NULL, NULL), VMP_OK);
  assert_string_equal(kind, "anti-affinity");
  assert_int_equal(vmp_solution_violation_detail(s, 0, &v, &h, &name, &res, &amount, &nv),
                   VMP_OK);
  assert_string_equal(name, "pair");
  assert_null(res);
  assert_int_equal(nv, 2);
  assert_int_equal(vmp_solution_violation_vm(s, 0, 0), 2);
  assert_int_equal(vmp_solution_violation_vm(s, 0, 1), 3);
  assert_int_equal(vmp_solution_violation_vm(s, 0, 2), VMP_NONE);
  tu_assert_error(vmp_solution_violation_detail(s, 1, &v, &h, &name, &res, &amount, &nv),
                  VMP_EINVAL, "out of range");
  assert_int_equal(v, VMP_NONE);
  vmp_solution_free(s);
  vmp_problem_free(p);
}

/* A fixed random mix of arrivals of the problem's VMs, unforeseen
 * arrivals with labels (the generator's rules read them), departures and
 * maintenance: every placement the placer reports is in its solution,
 * removed VMs are not, and nothing the placer placed breaks a hard
 * constraint (the generator's running placement fits by capacity, so no
 * capacity violation at all; no rule violation of an added VM). */
static void test_place__random_changes_break_nothing(void **state) {
  vmpb_gen_opts o;
  vmp_problem *p = NULL, *src = NULL;
  vmp_placer *pl = NULL;
  vmp_solution *s = NULL;
  size_t nv, nsrc, nhosts, maint = VMP_NONE, live = 0, nadded = 0;
  size_t host_of[400], slot_of[400];
  int gone[400] = {0};
  uint64_t x = 12345;
  char name[32];
  (void)state;
  vmpb_gen_opts_init(&o, 30, 240, 5);
  o.current = 1;
  o.rules = 1;
  assert_int_equal(vmpb_generate(&o, &p), VMP_OK);
  nv = vmp_problem_num_vms(p);
  nhosts = vmp_problem_num_hosts(p);
  for (size_t v = 0; v < nv; v += 3) assert_int_equal(vmp_problem_set_vm_host(p, v, VMP_NONE), VMP_OK);
  vmpb_gen_opts_init(&o, 30, 400, 6);
  o.rules = 1;
  o.anti_affinity = 0;
  assert_int_equal(vmpb_generate(&o, &src), VMP_OK);
  nsrc = vmp_problem_num_vms(src);
  assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
  for (int step = 0; step < 600; step++) {
    unsigned r;
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    r = (unsigned)(x >> 33) % 100;
    if (r < 55 && nadded < nsrc) {
      const char *keys[8], *vals[8];
      double d[8];
      size_t nl = vmp_problem_vm_num_labels(src, nadded), h;
      assert_true(nl <= 8 && vmp_problem_num_resources(src) <= 8);
      for (size_t k = 0; k < nl; k++) vmp_problem_vm_label_at(src, nadded, k, &keys[k], &vals[k]);
      for (size_t k = 0; k < vmp_problem_num_resources(src); k++)
        d[k] = vmp_problem_vm_demand(src, nadded, k);
      snprintf(name, sizeof name, "new-%zu", nadded);
      assert_int_equal(vmp_placer_add_vm(pl, name, d, keys, vals, nl, &slot_of[nadded], &h),
                       VMP_OK);
      assert_int_equal(slot_of[nadded], nv + nadded);
      assert_true(h == VMP_NONE || h != maint);
      host_of[nadded++] = h;
      live++;
    } else if (r < 80 && live) {
      size_t k = (size_t)(x >> 20) % nadded;
      while (gone[k]) k = (k + 1) % nadded;
      snprintf(name, sizeof name, "new-%zu", k);
      assert_int_equal(vmp_placer_remove_vm(pl, name), VMP_OK);
      gone[k] = 1;
      live--;
    } else if (r < 95) {
      size_t v = 3 * ((size_t)(x >> 24) % ((nv + 2) / 3)), h;
      if (vmp_placer_vm_host(pl, v) == VMP_NONE) {
        assert_int_equal(vmp_place(pl, v, &h), VMP_OK);
        assert_true(h == VMP_NONE || h != maint);
      }
    } else {
      if (maint != VMP_NONE) assert_int_equal(vmp_placer_set_host_maintenance(pl, maint, 0), VMP_OK);
      maint = (size_t)(x >> 28) % nhosts;
      assert_int_equal(vmp_placer_set_host_maintenance(pl, maint, 1), VMP_OK);
    }
  }
  if (maint != VMP_NONE) assert_int_equal(vmp_placer_set_host_maintenance(pl, maint, 0), VMP_OK);
  assert_true(nadded > 200 && live > 50);
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  assert_int_equal(vmp_solution_num_vms(s), nv + live);
  for (size_t k = 0, j = nv; k < nadded; k++) {
    if (gone[k]) continue;
    snprintf(name, sizeof name, "new-%zu", k);
    assert_string_equal(vmp_solution_vm_name(s, j), name);
    assert_int_equal(vmp_solution_vm_host(s, j), host_of[k]);
    assert_int_equal(vmp_placer_vm_host(pl, slot_of[k]), host_of[k]);
    j++;
  }
  for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
    const char *kind;
    size_t vm;
    int hard;
    assert_int_equal(vmp_solution_violation_at(s, k, &kind, NULL, &hard), VMP_OK);
    assert_int_equal(vmp_solution_violation_detail(s, k, &vm, NULL, NULL, NULL, NULL, NULL),
                     VMP_OK);
    if (!hard) continue;
    assert_string_not_equal(kind, "capacity");
    assert_true(vm == VMP_NONE || vm < nv);
  }
  vmp_solution_free(s);
  vmp_placer_free(pl);
  vmp_problem_free(src);
  vmp_problem_free(p);
}

/* Random datacenters with the rebalancing rules: zones, a transient
 * resource, a spread group with a minimum of two zones that depends on
 * another group in its zone, an anti-affinity pair.  Some VMs run, the
 * others arrive one at a time in random order, with random departures of
 * VMs outside the spread groups: after every placement and departure the
 * placer's solution breaks no hard constraint by the evaluator. */
static void assert_no_hard_violation(const vmp_placer *pl, int round, int step) {
  vmp_solution *s = NULL;
  const char *kind = NULL, *msg = NULL;
  assert_int_equal(vmp_placer_solution(pl, &s), VMP_OK);
  if (tu_hard_violations(s, &kind, &msg)) fail_msg("round %d, step %d: %s: %s", round, step, kind, msg);
  vmp_solution_free(s);
}

static void test_place__rebalancing_rules_hold_at_every_arrival(void **state) {
  uint64_t x = 777;
  int placed = 0, refused = 0;
  (void)state;
  for (int round = 0; round < 150; round++) {
    vmp_problem *p = tu_zoned_problem(&x, 12, 80, round % 2);
    size_t nh = vmp_problem_num_hosts(p), nv = vmp_problem_num_vms(p);
    vmp_placer *pl = NULL;
    /* a running placement free of hard violations for about half the VMs */
    size_t run[12];
    if (tu_random_clean(p, &x, 50, run))
      for (size_t v = 0; v < nv; v++) assert_int_equal(vmp_problem_set_vm_host(p, v, run[v]), VMP_OK);
    assert_int_equal(vmp_placer_new(p, NULL, &pl), VMP_OK);
    assert_no_hard_violation(pl, round, -1);
    for (int step = 0; step < 20; step++) {
      size_t v = tu_rand(&x, nv), h;
      if (vmp_placer_vm_host(pl, v) == VMP_NONE) {
        assert_int_equal(vmp_place(pl, v, &h), VMP_OK);
        if (h == VMP_NONE) {
          /* refused only when no host takes it without a hard violation */
          size_t a[12];
          for (size_t w = 0; w < nv; w++) a[w] = vmp_placer_vm_host(pl, w);
          for (size_t g = 0; g < nh; g++) {
            vmp_solution *s = NULL;
            int clean;
            a[v] = g;
            assert_int_equal(vmp_evaluate(p, a, &s), VMP_OK);
            clean = tu_hard_violations(s, NULL, NULL) == 0;
            vmp_solution_free(s);
            if (clean) fail_msg("round %d, step %d: v%zu refused, but h%zu takes it", round, step, v, g);
          }
          refused++;
        } else {
          placed++;
        }
      } else if (v >= 5 && tu_rand(&x, 4) == 0) {
        /* a departure is a fact, not a choice: only VMs whose leaving
         * cannot break a group (not in app or db) leave */
        assert_int_equal(vmp_placer_remove(pl, v), VMP_OK);
      }
      assert_no_hard_violation(pl, round, step);
    }
    vmp_placer_free(pl);
    vmp_problem_free(p);
  }
  print_message("%d placed, %d refused\n", placed, refused);
  assert_true(placed > 200 && refused > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_place__never_moves_a_running_vm),
      cmocka_unit_test(test_place__departures_free_capacity),
      cmocka_unit_test(test_place__errors),
      cmocka_unit_test(test_place__added_vms_land_by_best_fit),
      cmocka_unit_test(test_place__maintenance_host_never_chosen),
      cmocka_unit_test(test_place__added_vms_obey_rules),
      cmocka_unit_test(test_place__add_remove_errors),
      cmocka_unit_test(test_place__violation_details),
      cmocka_unit_test(test_place__random_changes_break_nothing),
      cmocka_unit_test(test_place__rebalancing_rules_hold_at_every_arrival),
  };
  return cmocka_run_group_tests_name("place", tests, NULL, NULL);
}
