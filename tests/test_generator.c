/*
 * The realistic generator (bench/generator.c): every knob shows in the
 * problem it builds, and a seed gives the same problem every time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generator.h"
#include "testutil.h"

static int in_list(double v, const double *list, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (v == list[k]) return 1;
  return 0;
}

static vmp_problem *realistic(size_t hosts, size_t vms, uint64_t seed) {
  vmpb_real_opts o;
  vmp_problem *p = NULL;
  vmpb_real_opts_init(&o, hosts, vms, seed);
  assert_int_equal(vmpb_generate_realistic(&o, &p), VMP_OK);
  return p;
}

static void test_generator__realistic_has_every_feature(void **state) {
  static const double vcpus[] = {1, 2, 4, 8, 16}, gib[] = {2, 4, 8},
                      disks[] = {40, 100, 200, 500};
  vmpb_real_opts o;
  vmp_problem *p;
  size_t secure = 0, overcommitted = 0, general = 0, pci = 0, replicas = 0;
  (void)state;
  vmpb_real_opts_init(&o, 50, 200, 3);
  p = realistic(50, 200, 3);
  assert_int_equal(vmp_problem_num_hosts(p), 50);
  assert_int_equal(vmp_problem_num_vms(p), 200);
  for (size_t h = 0; h < 50; h++) {
    const char *type = vmp_problem_host_label(p, h, "type");
    const char *zone = vmp_problem_host_label(p, h, "zone");
    const vmpb_host_type *ty = NULL;
    double price;
    for (size_t t = 0; t < o.ntypes; t++)
      if (type && !strcmp(type, o.types[t].name)) ty = &o.types[t];
    assert_non_null(ty);
    assert_true(vmp_problem_host_capacity(p, h, 0) == ty->cpu);
    assert_true(vmp_problem_host_capacity(p, h, 1) == ty->mem_gib * 1024.0);
    assert_true(vmp_problem_host_capacity(p, h, 2) == ty->disk_gb);
    /* the secure zone at a premium, prices rounded to whole numbers */
    price = !strcmp(zone, "secure") ? floor(ty->price * o.secure_premium + 0.5) : ty->price;
    assert_true(vmp_problem_host_cost(p, h) == price);
    secure += !strcmp(zone, "secure");
    general += ty->general;
    if (vmp_problem_host_overcommit(p, h, 0) != 1.0) {
      assert_true(ty->general);
      assert_true(vmp_problem_host_overcommit(p, h, 0) == o.overcommit);
      overcommitted++;
    }
  }
  assert_int_equal(secure, 10);   /* a fifth of 50 */
  assert_true(overcommitted > 0 && overcommitted < general);
  for (size_t v = 0; v < 200; v++) {
    double cpu = vmp_problem_vm_demand(p, v, 0);
    const char *label = vmp_problem_vm_label(p, v, "pci");
    assert_true(in_list(cpu, vcpus, 5));
    assert_true(in_list(vmp_problem_vm_demand(p, v, 1) / cpu / 1024.0, gib, 3));
    assert_true(in_list(vmp_problem_vm_demand(p, v, 2), disks, 4));
    pci += label && !strcmp(label, "true");
  }
  assert_true(pci > 0);
  /* replica sets: 3 to 5 identical VMs, hard anti-affinity per host */
  assert_true(vmp_problem_num_groups(p) > 0);
  for (size_t g = 0; g < vmp_problem_num_groups(p); g++) {
    size_t n = vmp_problem_group_num_vms(p, g), first = vmp_problem_group_vm(p, g, 0);
    assert_int_equal(vmp_problem_group_policy(p, g), VMP_ANTI_AFFINITY);
    assert_true(vmp_problem_group_hard(p, g));
    assert_string_equal(vmp_problem_group_scope(p, g), "host");
    assert_true(n >= 3 && n <= 5);
    for (size_t k = 1; k < n; k++)
      for (size_t r = 0; r < 3; r++)
        assert_true(vmp_problem_vm_demand(p, vmp_problem_group_vm(p, g, k), r) ==
                    vmp_problem_vm_demand(p, first, r));
    replicas += n;
  }
  assert_true(replicas > 0 && replicas < 200);
  /* the compliance rule */
  assert_int_equal(vmp_problem_num_rules(p), 1);
  assert_string_equal(vmp_problem_rule_when(p, 0), "vm.labels.pci == \"true\"");
  assert_string_equal(vmp_problem_rule_require(p, 0), "host.labels.zone == \"secure\"");
  assert_true(vmp_problem_rule_hard(p, 0));
  for (size_t v = 0; v < 200; v++) assert_int_equal(vmp_problem_vm_host(p, v), VMP_NONE);
  vmp_problem_free(p);
}

static void test_generator__realistic_is_reproducible(void **state) {
  vmp_problem *a = realistic(20, 60, 4), *b = realistic(20, 60, 4), *c = realistic(20, 60, 5);
  char *ja = NULL, *jb = NULL, *jc = NULL;
  vmpb_real_opts o;
  vmp_problem *d = NULL;
  (void)state;
  assert_int_equal(vmp_problem_to_json(a, &ja), VMP_OK);
  assert_int_equal(vmp_problem_to_json(b, &jb), VMP_OK);
  assert_int_equal(vmp_problem_to_json(c, &jc), VMP_OK);
  assert_string_equal(ja, jb);
  assert_string_not_equal(ja, jc);
  free(ja);
  free(jb);
  free(jc);
  /* with current hosts: a running datacenter */
  vmpb_real_opts_init(&o, 20, 60, 4);
  o.current = 1;
  assert_int_equal(vmpb_generate_realistic(&o, &d), VMP_OK);
  {
    size_t placed = 0;
    for (size_t v = 0; v < 60; v++) placed += vmp_problem_vm_host(d, v) != VMP_NONE;
    assert_true(placed > 0);
  }
  vmp_problem_free(d);
  /* knobs out of range */
  vmpb_real_opts_init(&o, 20, 60, 4);
  o.replica_min = 1;
  assert_int_equal(vmpb_generate_realistic(&o, &d), VMP_EINVAL);
  assert_null(d);
  vmpb_real_opts_init(&o, 20, 60, 4);
  o.load = 1.5;
  assert_int_equal(vmpb_generate_realistic(&o, &d), VMP_EINVAL);
  vmp_problem_free(a);
  vmp_problem_free(b);
  vmp_problem_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_generator__realistic_has_every_feature),
      cmocka_unit_test(test_generator__realistic_is_reproducible),
  };
  return cmocka_run_group_tests_name("generator", tests, NULL, NULL);
}
