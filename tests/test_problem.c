/* problem: building, validation, getters, clone, JSON round trip. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static vmp_problem *two_res(void) {
  vmp_problem *p = NULL;
  assert_int_equal(vmp_problem_new(&p), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "cpu", NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_resource(p, "memory_mib", NULL), VMP_OK);
  return p;
}

/* A host's migration network: set, read back, through JSON and back, and
 * the combinations libvirt would refuse are refused here first. */
static void test_problem__host_migration(void **state) {
  static const char json[] =
      "{\"version\": 1, \"resources\": [\"cpu\"], \"hosts\": ["
      "{\"name\": \"a\", \"capacity\": {\"cpu\": 4}, "
      "\"migration\": {\"uri\": \"tcp://127.0.0.1:49200\", \"listen_address\": \"127.0.0.1\"}},"
      "{\"name\": \"b\", \"capacity\": {\"cpu\": 4}, \"migration\": {\"tunnelled\": true}},"
      "{\"name\": \"c\", \"capacity\": {\"cpu\": 4}}], \"vms\": []}";
  vmp_problem *p = NULL, *q = NULL;
  const char *uri, *listen;
  char *text = NULL;
  int tunnelled;
  (void)state;
  assert_int_equal(vmp_problem_parse(json, sizeof json - 1, VMP_FORMAT_JSON, "inv.json", &p), VMP_OK);
  assert_int_equal(vmp_problem_to_json(p, &text), VMP_OK);
  assert_int_equal(vmp_problem_parse(text, strlen(text), VMP_FORMAT_JSON, "again", &q), VMP_OK);
  vmp_free(text);
  for (int round = 0; round < 2; round++) {
    const vmp_problem *r = round ? q : p;
    assert_int_equal(vmp_problem_host_migration(r, 0, &uri, &listen, &tunnelled), VMP_OK);
    assert_string_equal(uri, "tcp://127.0.0.1:49200");
    assert_string_equal(listen, "127.0.0.1");
    assert_int_equal(tunnelled, 0);
    assert_int_equal(vmp_problem_host_migration(r, 1, &uri, &listen, &tunnelled), VMP_OK);
    assert_null(uri);
    assert_null(listen);
    assert_int_equal(tunnelled, 1);
    assert_int_equal(vmp_problem_host_migration(r, 2, &uri, &listen, &tunnelled), VMP_OK);
    assert_null(uri);
    assert_int_equal(tunnelled, 0);
  }
  tu_assert_error(vmp_problem_set_host_migration(p, 1, "tcp://127.0.0.1", NULL, 1), VMP_EINVAL,
                  "a tunnelled migration travels through libvirtd's connection; it takes no uri "
                  "or listen_address");
  tu_assert_error(vmp_problem_set_host_migration(p, 0, "127.0.0.1", NULL, 0), VMP_EINVAL,
                  "migration: uri \"127.0.0.1\" lacks a scheme (tcp://HOST[:PORT])");
  tu_assert_error(vmp_problem_set_host_migration(p, 0, NULL, "", 0), VMP_EINVAL,
                  "must not be empty");
  tu_assert_error(vmp_problem_host_migration(p, 3, &uri, NULL, NULL), VMP_EINVAL,
                  "host index 3 out of range");
  vmp_problem_free(q);
  vmp_problem_free(p);
  {
    static const char bad[] =
        "{\"version\": 1, \"resources\": [\"cpu\"], \"hosts\": ["
        "{\"name\": \"a\", \"capacity\": {\"cpu\": 4}, \"migration\": {\"url\": \"x\"}}], "
        "\"vms\": []}";
    tu_assert_error(vmp_problem_parse(bad, sizeof bad - 1, VMP_FORMAT_JSON, "inv.json", &p),
                    VMP_EPARSE, "inv.json: hosts[0].migration: unknown key \"url\"");
  }
}

static void test_problem__build_and_read_back(void **state) {
  vmp_problem *p = two_res();
  double cap[2] = {32, 262144}, dem[2] = {4, 8192};
  size_t h, v, g, allowed[1];
  (void)state;
  assert_int_equal(vmp_problem_add_host(p, "h1", cap, &h), VMP_OK);
  assert_int_equal(h, 0);
  assert_int_equal(vmp_problem_set_host_overcommit(p, h, 0, 4.0), VMP_OK);
  assert_int_equal(vmp_problem_set_host_reserved(p, h, 1, 8192), VMP_OK);
  assert_int_equal(vmp_problem_set_host_cost(p, h, 2.5), VMP_OK);
  assert_int_equal(vmp_problem_set_host_label(p, h, "zone", "a"), VMP_OK);
  assert_int_equal(vmp_problem_set_host_uri(p, h, "test:///default"), VMP_OK);
  assert_int_equal(vmp_problem_add_host(p, "h2", cap, NULL), VMP_OK);
  assert_int_equal(vmp_problem_add_vm(p, "web-1", dem, &v), VMP_OK);
  assert_int_equal(vmp_problem_add_vm(p, "web-2", dem, NULL), VMP_OK);
  assert_int_equal(vmp_problem_set_vm_host(p, v, h), VMP_OK);
  assert_int_equal(vmp_problem_set_vm_priority(p, v, 7), VMP_OK);
  allowed[0] = 1;
  assert_int_equal(vmp_problem_set_vm_allowed_hosts(p, 1, allowed, 1), VMP_OK);
  {
    size_t members[2] = {0, 1};
    assert_int_equal(vmp_problem_add_group(p, "web", VMP_ANTI_AFFINITY, 1, "zone",
                                           members, 2, &g), VMP_OK);
  }
  assert_int_equal(vmp_problem_add_rule(p, "r", "vm.labels.x == \"1\"",
                                        "host.labels.zone == \"a\"", 0, NULL), VMP_OK);

  assert_int_equal(vmp_problem_num_hosts(p), 2);
  assert_int_equal(vmp_problem_num_vms(p), 2);
  assert_true(vmp_problem_host_effective_capacity(p, 0, 0) == 128.0);
  assert_true(vmp_problem_host_effective_capacity(p, 0, 1) == 262144.0 - 8192.0);
  assert_true(vmp_problem_host_cost(p, 0) == 2.5);
  assert_string_equal(vmp_problem_host_label(p, 0, "zone"), "a");
  assert_null(vmp_problem_host_label(p, 1, "zone"));
  assert_string_equal(vmp_problem_host_uri(p, 0), "test:///default");
  assert_int_equal(vmp_problem_vm_host(p, 0), 0);
  assert_int_equal(vmp_problem_vm_host(p, 1), VMP_NONE);
  assert_int_equal(vmp_problem_vm_priority(p, 0), 7);
  /* default migration cost: the demand of the first mem* resource */
  assert_true(vmp_problem_vm_migration_cost(p, 0) == 8192.0);
  assert_int_equal(vmp_problem_vm_num_allowed_hosts(p, 1), 1);
  assert_int_equal(vmp_problem_vm_allowed_host(p, 1, 0), 1);
  assert_string_equal(vmp_problem_group_scope(p, g), "zone");
  assert_int_equal(vmp_problem_group_policy(p, g), VMP_ANTI_AFFINITY);
  assert_string_equal(vmp_problem_rule_require(p, 0), "host.labels.zone == \"a\"");
  assert_int_equal(vmp_problem_find_vm(p, "web-2", &v), VMP_OK);
  assert_int_equal(v, 1);
  tu_assert_error(vmp_problem_find_host(p, "h9", &h), VMP_ENOTFOUND, "unknown host \"h9\"");
  vmp_problem_free(p);
}

static void test_problem__rejects_bad_values(void **state) {
  vmp_problem *p = two_res();
  double cap[2] = {8, 1024}, bad[2] = {NAN, 1};
  size_t members[2] = {0, 0};
  (void)state;
  tu_assert_error(vmp_problem_add_resource(p, "cpu", NULL), VMP_EEXIST, "declared twice");
  tu_assert_error(vmp_problem_add_resource(p, "my resource", NULL), VMP_EINVAL,
                  "may only hold letters");
  assert_int_equal(vmp_problem_add_host(p, "h1", cap, NULL), VMP_OK);
  tu_assert_error(vmp_problem_add_resource(p, "disk", NULL), VMP_ESTATE,
                  "before hosts and VMs");
  tu_assert_error(vmp_problem_add_host(p, "h1", cap, NULL), VMP_EEXIST,
                  "duplicate host name \"h1\"");
  tu_assert_error(vmp_problem_add_host(p, "", cap, NULL), VMP_EINVAL, "host name is empty");
  tu_assert_error(vmp_problem_add_vm(p, "v", bad, NULL), VMP_ERANGE,
                  "demand.cpu: expected a finite number");
  tu_assert_error(vmp_problem_set_host_overcommit(p, 0, 0, 0.0), VMP_ERANGE,
                  "expected a finite number > 0");
  tu_assert_error(vmp_problem_set_host_cost(p, 0, -1), VMP_ERANGE, ">= 0");
  tu_assert_error(vmp_problem_set_host_capacity(p, 3, 0, 1), VMP_EINVAL, "out of range");
  assert_int_equal(vmp_problem_add_vm(p, "v", cap, NULL), VMP_OK);
  tu_assert_error(vmp_problem_set_vm_priority(p, 0, -1), VMP_ERANGE, "0..1000000");
  tu_assert_error(vmp_problem_add_group(p, "g", VMP_AFFINITY, 1, NULL, members, 2, NULL),
                  VMP_EINVAL, "listed twice");
  tu_assert_error(vmp_problem_add_group(p, "g", VMP_AFFINITY, 1, NULL, members, 1, NULL),
                  VMP_EINVAL, "at least 2 VMs");
  tu_assert_error(vmp_problem_add_rule(p, "r", NULL, "host.labels.zone ==", 1, NULL),
                  VMP_EPARSE, "require: column");
  tu_assert_error(vmp_problem_add_rule(p, "r", NULL, "vm.demand.gpu > 1", 1, NULL),
                  VMP_ENOTFOUND, "gpu");
  tu_assert_error(vmp_problem_set_objective(p, "speed", 1), VMP_ENOTFOUND, "speed");
  tu_assert_error(vmp_problem_set_objective(p, "cost", -1), VMP_ERANGE, "objective.cost");
  vmp_problem_free(p);
}

static void test_problem__json_round_trip_is_exact(void **state) {
  vmp_problem *p = NULL, *q = NULL;
  char *a = NULL, *b = NULL;
  (void)state;
  assert_int_equal(vmp_problem_read(tu_example("datacenter.json"), VMP_FORMAT_AUTO, &p),
                   VMP_OK);
  assert_int_equal(vmp_problem_num_hosts(p), 8);
  assert_int_equal(vmp_problem_num_vms(p), 40);
  assert_int_equal(vmp_problem_to_json(p, &a), VMP_OK);
  assert_int_equal(vmp_problem_parse(a, strlen(a), VMP_FORMAT_JSON, "again", &q), VMP_OK);
  assert_int_equal(vmp_problem_to_json(q, &b), VMP_OK);
  assert_string_equal(a, b);
  vmp_free(a);
  vmp_free(b);
  vmp_problem_free(q);
  /* clone gives the same text too */
  assert_int_equal(vmp_problem_clone(p, &q), VMP_OK);
  assert_int_equal(vmp_problem_to_json(p, &a), VMP_OK);
  assert_int_equal(vmp_problem_to_json(q, &b), VMP_OK);
  assert_string_equal(a, b);
  vmp_free(a);
  vmp_free(b);
  vmp_problem_free(q);
  vmp_problem_free(p);
}

static int parse(const char *text, vmp_problem **p) {
  return vmp_problem_parse(text, strlen(text), VMP_FORMAT_JSON, "x.json", p);
}

static void test_problem__json_errors_name_the_field(void **state) {
  vmp_problem *p = NULL;
  (void)state;
  tu_assert_error(vmp_problem_parse("", 0, VMP_FORMAT_JSON, "x.json", &p), VMP_EPARSE,
                  "x.json: empty input");
  assert_null(p);
  tu_assert_error(
      parse("{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[],\"vms\":"
            "[{\"name\":\"v\",\"demand\":{\"cpu\":true}}]}", &p),
      VMP_EPARSE, "x.json: vms[0].demand.cpu: expected a number >= 0, got a boolean");
  tu_assert_error(
      parse("{\"version\":1,\"resources\":[\"cpu\"],\"hosts\":[],\"extra\":1}", &p),
      VMP_EPARSE, "unknown key \"extra\"");
  tu_assert_error(vmp_problem_read("/nonexistent/dc.json", VMP_FORMAT_AUTO, &p), VMP_EIO,
                  "/nonexistent/dc.json");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_problem__build_and_read_back),
      cmocka_unit_test(test_problem__host_migration),
      cmocka_unit_test(test_problem__rejects_bad_values),
      cmocka_unit_test(test_problem__json_round_trip_is_exact),
      cmocka_unit_test(test_problem__json_errors_name_the_field),
  };
  return cmocka_run_group_tests_name("problem", tests, NULL, NULL);
}
