/* compile: the model every solver reads — items, allowed classes, scopes,
 * unplaceable items, host classes, bounds, parameters. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "solvers.h"
#include "testutil.h"

static vmp__model *compile(vmp_problem *p) {
  vmp__model *m = NULL;
  int rc = vmp__model_compile(p, &m);
  if (rc) fail_msg("compile: %s", vmp_last_error());
  return m;
}

static void test_compile__affinity_merges_items(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8,\"mem\":64}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":8,\"mem\":64}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":1,\"mem\":2}},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":2,\"mem\":4}},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":3,\"mem\":8},\"host\":\"h2\"},"
      "{\"name\":\"d\",\"demand\":{\"cpu\":4,\"mem\":16}}],"
      "\"groups\":[{\"name\":\"ac\",\"policy\":\"affinity\",\"vms\":[\"a\",\"c\"],"
      "\"all_or_nothing\":true},"
      "{\"name\":\"cd\",\"policy\":\"affinity\",\"vms\":[\"c\",\"d\"],\"all_or_nothing\":true},"
      "{\"name\":\"soft\",\"policy\":\"affinity\",\"hard\":false,\"vms\":[\"a\",\"b\"]}]}");
  vmp__model *m = compile(p);
  (void)state;
  /* a, c, d form one unit (transitively); b stays alone */
  assert_int_equal(m->nitems, 2);
  assert_int_equal(m->vm_item[0], 0);
  assert_int_equal(m->vm_item[2], 0);
  assert_int_equal(m->vm_item[3], 0);
  assert_int_equal(m->vm_item[1], 1);
  assert_true(m->idem[0 * 2 + 0] == 8.0 && m->idem[0 * 2 + 1] == 26.0);
  /* members on different current hosts (c on h2, a and d new) */
  assert_int_equal(m->item_cur[0], -2);
  assert_int_equal(m->item_unplaceable[0], 0);
  /* only the soft group survives as a model group */
  assert_int_equal(m->ngroups, 1);
  assert_int_equal(m->groups[0].hard, 0);
  assert_int_equal(m->has_soft_groups, 1);
  vmp__model_free(m);
  vmp_problem_free(p);
}

/* A plain hard affinity group lets members stay out: its VMs stay items
 * of their own and the group a hard group of the model. */
static void test_compile__plain_affinity_is_a_group(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":2}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":1}},{\"name\":\"b\",\"demand\":{\"cpu\":1}},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":1}}],"
      "\"groups\":[{\"name\":\"g\",\"policy\":\"affinity\",\"vms\":[\"a\",\"b\",\"c\"]}]}");
  vmp__model *m = compile(p);
  (void)state;
  assert_int_equal(m->nitems, 3);
  for (uint32_t i = 0; i < 3; i++) assert_int_equal(m->item_unplaceable[i], 0);
  assert_int_equal(m->ngroups, 1);
  assert_int_equal(m->groups[0].hard, 1);
  assert_int_equal(m->groups[0].nitems, 3);
  assert_int_equal(m->item_groups_start[3], 3); /* each item lists the group */
  /* the online placer's model keeps the unit, which does not fit */
  vmp__model_free(m);
  assert_int_equal(vmp__model_compile_units(p, &m), VMP_OK);
  assert_int_equal(m->nitems, 1);
  assert_int_equal(m->item_unplaceable[0], VMP__TOO_LARGE);
  vmp__model_free(m);
  vmp_problem_free(p);
}

static void test_compile__rules_and_classes(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\"],"
      "\"hosts\":[{\"name\":\"a1\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"a\"}},"
      "{\"name\":\"a2\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"a\"}},"
      "{\"name\":\"b1\",\"capacity\":{\"cpu\":8},\"labels\":{\"zone\":\"b\"}},"
      "{\"name\":\"n1\",\"capacity\":{\"cpu\":8}},"
      "{\"name\":\"big\",\"capacity\":{\"cpu\":16},\"labels\":{\"zone\":\"b\"},"
      "\"maintenance\":true}],"
      "\"vms\":[{\"name\":\"v1\",\"demand\":{\"cpu\":1},\"labels\":{\"need\":\"a\"}},"
      "{\"name\":\"v2\",\"demand\":{\"cpu\":1},\"labels\":{\"need\":\"a\"}},"
      "{\"name\":\"v3\",\"demand\":{\"cpu\":1}},"
      "{\"name\":\"v4\",\"demand\":{\"cpu\":12}},"
      "{\"name\":\"v5\",\"demand\":{\"cpu\":1},\"allowed_hosts\":[\"big\"]},"
      "{\"name\":\"w1\",\"demand\":{\"cpu\":1}},{\"name\":\"w2\",\"demand\":{\"cpu\":1}}],"
      "\"groups\":[{\"name\":\"spread\",\"policy\":\"anti-affinity\",\"vms\":[\"w1\",\"w2\"],"
      "\"scope\":\"zone\"}],"
      "\"rules\":[{\"name\":\"r\",\"when\":\"vm.labels.need == \\\"a\\\"\","
      "\"require\":\"host.labels.zone == \\\"a\\\"\"},"
      "{\"name\":\"s\",\"require\":\"host.name != \\\"a1\\\"\",\"hard\":false,\"weight\":3}]}");
  vmp__model *m = compile(p);
  (void)state;
  assert_int_equal(m->nitems, 7);
  /* v1 and v2 share a class restricted to zone a */
  assert_int_equal(m->item_aclass[0], m->item_aclass[1]);
  assert_int_equal(vmp__model_allowed(m, 0, 0), 1);
  assert_int_equal(vmp__model_allowed(m, 0, 2), 0);
  assert_int_equal(vmp__model_allowed(m, 0, 3), 0);
  assert_int_equal(vmp__model_allowed(m, 2, 3), 1);
  assert_int_equal(vmp__model_allowed(m, 2, 4), 0); /* maintenance */
  /* soft rule: 3 on a1, 0 elsewhere */
  assert_true(vmp__model_soft(m, 2, 0) == 3.0);
  assert_true(vmp__model_soft(m, 2, 1) == 0.0);
  assert_int_equal(m->item_unplaceable[3], VMP__TOO_LARGE);   /* 12 > 8; big is down */
  assert_int_equal(m->item_unplaceable[4], VMP__NO_ALLOWED_HOST);
  assert_int_equal(m->item_unplaceable[2], VMP__PLACEABLE);
  /* zone scope: a1 and a2 share a domain, n1 is its own */
  assert_int_equal(m->nscopes, 1);
  assert_int_equal(vmp__model_dom(m, 0, 0), vmp__model_dom(m, 0, 1));
  assert_true(vmp__model_dom(m, 0, 2) != vmp__model_dom(m, 0, 0));
  assert_true(vmp__model_dom(m, 0, 3) != vmp__model_dom(m, 0, 2));
  /* host classes: a2 alone? a1 differs by the soft rule; a2 and b1 differ by
   * zone, n1 by the missing label, big by capacity: all distinct */
  assert_int_equal(m->nhclasses, 5);
  vmp__model_free(m);
  vmp_problem_free(p);
}

static void test_compile__identical_hosts_share_a_class(void **state) {
  vmp_problem *p = NULL;
  vmp__model *m;
  (void)state;
  assert_int_equal(vmp_problem_read(tu_data("formats/tiny_bpplib.txt"), 0, &p), VMP_OK);
  m = compile(p);
  assert_int_equal(m->nhclasses, 1);
  assert_int_equal(m->hclass_start[1], (uint32_t)m->nhosts);
  vmp__model_free(m);
  vmp_problem_free(p);
}

static void test_compile__volume_bound(void **state) {
  /* two resources; volumes 17/10 and 9/10 of one host: bound 2 hosts */
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"x\",\"y\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"x\":10,\"y\":10}},"
      "{\"name\":\"h2\",\"capacity\":{\"x\":10,\"y\":10}},"
      "{\"name\":\"h3\",\"capacity\":{\"x\":10,\"y\":10},\"cost\":0.5}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"x\":9,\"y\":1}},"
      "{\"name\":\"b\",\"demand\":{\"x\":8,\"y\":8}}]}");
  vmp__model *m = compile(p);
  (void)state;
  /* cheapest cover of x volume 17: h3 (0.5 per 10) then 7/10 of a cost-1
   * host = 1.2; but both items exceed half a host in x, so Martello-Toth
   * L2 needs 2 hosts, costed at the cheapest two: 0.5 + 1 = 1.5.  Costs
   * are not all integral, so no rounding. */
  vmp__bounds b;
  vmp__model_bounds(m, &b);
  assert_true(fabs(b.volume - 1.2) < 1e-12);
  assert_true(fabs(vmp__model_bound(m) - 1.5) < 1e-12);
  vmp__model_free(m);
  vmp_problem_free(p);
}

static void test_compile__params_are_checked(void **state) {
  vmp_params *ps = NULL;
  (void)state;
  assert_int_equal(vmp_params_new(&ps), VMP_OK);
  tu_assert_error(vmp_params_set(ps, "nope.x", "1"), VMP_ENOTFOUND, "unknown parameter");
  assert_null(vmp_params_get(ps, "nope.x"));
  for (size_t k = 0; k < vmp_num_params(); k++) {
    const char *name, *def;
    int type;
    double lo, hi;
    assert_int_equal(vmp_param_at(k, &name, &type, &lo, &hi, &def, NULL), VMP_OK);
    /* every default is a valid value of its own parameter */
    assert_int_equal(vmp_params_set(ps, name, def), VMP_OK);
    assert_string_equal(vmp_params_get(ps, name), def);
    if (type == VMP_PARAM_INT || type == VMP_PARAM_DOUBLE) {
      char buf[64];
      snprintf(buf, sizeof buf, "%.17g", hi * 2 + 1);
      if (isfinite(hi)) tu_assert_error(vmp_params_set(ps, name, buf), VMP_ERANGE, name);
      tu_assert_error(vmp_params_set(ps, name, "abc"), VMP_EINVAL, "expected");
    }
  }
  tu_assert_error(vmp_param_at(vmp_num_params(), NULL, NULL, NULL, NULL, NULL, NULL),
                  VMP_EINVAL, "out of range");
  vmp_params_free(ps);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compile__affinity_merges_items),
      cmocka_unit_test(test_compile__plain_affinity_is_a_group),
      cmocka_unit_test(test_compile__rules_and_classes),
      cmocka_unit_test(test_compile__identical_hosts_share_a_class),
      cmocka_unit_test(test_compile__volume_bound),
      cmocka_unit_test(test_compile__params_are_checked),
  };
  return cmocka_run_group_tests_name("compile", tests, NULL, NULL);
}
