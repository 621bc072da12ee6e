/* Migration plans: waves, the per-host cap, VMs in flight on both hosts,
 * cycles broken through staging hosts or reported as blocked, start steps,
 * durations, plan JSON, the independent checker and move pruning. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Two resources; hosts and VMs given as short JSON fragments. */
static vmp_problem *dc(const char *hosts, const char *vms, const char *extra) {
  char buf[8192];
  snprintf(buf, sizeof buf,
           "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\"],\"hosts\":[%s],"
           "\"vms\":[%s]%s}",
           hosts, vms, extra ? extra : "");
  return tu_problem_json(buf);
}

#define HOST(n, cpu, mem) "{\"name\":\"" n "\",\"capacity\":{\"cpu\":" #cpu ",\"memory_mib\":" #mem "}}"
#define VM(n, cpu, mem, h) \
  "{\"name\":\"" n "\",\"demand\":{\"cpu\":" #cpu ",\"memory_mib\":" #mem "},\"host\":\"" h "\"}"
#define NEWVM(n, cpu, mem) "{\"name\":\"" n "\",\"demand\":{\"cpu\":" #cpu ",\"memory_mib\":" #mem "}}"

static vmp_plan *plan(const vmp_problem *p, const vmp_solution *t, uint32_t cap,
                      int staging) {
  vmp_plan_opts o = VMP_PLAN_OPTS_INIT;
  vmp_plan *pl = NULL;
  int rc;
  o.max_concurrent = cap;
  o.staging = staging;
  rc = vmp_plan_new(p, t, &o, &pl);
  if (rc) fail_msg("plan failed: %s: %s", vmp_err_name(rc), vmp_last_error());
  /* Every plan the tests see also passes the independent replay. */
  assert_int_equal(vmp_plan_verify(pl, p, t), VMP_OK);
  assert_int_equal(vmp_plan_verify(pl, NULL, t), VMP_OK);
  return pl;
}

/* "wave:vm:from>to" for each step, joined by spaces. */
static const char *steps(const vmp_plan *pl) {
  static char buf[4096];
  size_t len = 0;
  buf[0] = '\0';
  for (size_t k = 0; k < vmp_plan_num_steps(pl); k++) {
    const char *from = vmp_plan_step_from(pl, k), *to = vmp_plan_step_to(pl, k);
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%zu:%s:%s>%s%s", k ? " " : "",
                            vmp_plan_step_wave(pl, k) + 1, vmp_plan_step_vm(pl, k),
                            from ? from : "-", to ? to : "-",
                            vmp_plan_step_staging(pl, k) ? "*" : "");
  }
  return buf;
}

static void test_plan__single_move_and_duration(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384),
                      VM("a", 2, 8192, "h1") "," VM("b", 2, 4096, "h1"), NULL);
  vmp_solution *t = tu_target(p, "a=h2");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:a:h1>h2");
  assert_int_equal(vmp_plan_step_action(pl, 0), VMP_ACTION_MIGRATE);
  assert_true(vmp_plan_step_memory(pl, 0) == 8192.0);
  /* 8192 MiB over 1000 MiB/s */
  assert_true(fabs(vmp_plan_duration(pl) - 8.192) < 1e-12);
  assert_int_equal(vmp_plan_num_hosts(pl), 2);
  assert_int_equal(vmp_plan_num_blocked(pl), 0);
  tu_release(p, t, pl);
}

static void test_plan__nothing_to_do_is_an_empty_complete_plan(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 16384), VM("a", 2, 8192, "h1"), NULL);
  vmp_solution *t = tu_target(p, "a=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_int_equal(vmp_plan_num_steps(pl), 0);
  assert_int_equal(vmp_plan_num_waves(pl), 0);
  assert_true(vmp_plan_duration(pl) == 0.0);
  tu_release(p, t, pl);
}

/* A VM leaving a full host still counts there while it migrates, so the VM
 * that replaces it waits for the next wave. */
static void test_plan__vm_in_flight_counts_on_both_hosts(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 8192) "," HOST("h2", 8, 8192) "," HOST("h3", 8, 8192),
                      VM("v1", 4, 4096, "h1") "," VM("v2", 4, 4096, "h2") "," VM("w", 4, 4096, "h2"),
                      NULL);
  vmp_solution *t = tu_target(p, "v1=h2,v2=h3");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_string_equal(steps(pl), "1:v2:h2>h3 2:v1:h1>h2");
  assert_int_equal(vmp_plan_num_waves(pl), 2);
  tu_release(p, t, pl);
}

static void test_plan__per_host_cap_makes_waves(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 65536) "," HOST("h2", 8, 65536) "," HOST("h3", 8, 65536)
                      "," HOST("h4", 8, 65536) "," HOST("h5", 8, 65536) "," HOST("h6", 8, 65536),
                      VM("a", 1, 1024, "h1") "," VM("b", 1, 1024, "h1") "," VM("c", 1, 1024, "h1")
                      "," VM("d", 1, 1024, "h1") "," VM("e", 1, 1024, "h1"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h3,c=h4,d=h5,e=h6");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  /* h1 takes part in every step: two per wave */
  assert_string_equal(steps(pl), "1:a:h1>h2 1:b:h1>h3 2:c:h1>h4 2:d:h1>h5 3:e:h1>h6");
  /* both of wave 1's VMs leave h1: 2048 MiB on its link */
  assert_true(fabs(vmp_plan_wave_duration(pl, 0) - 2.048) < 1e-12);
  assert_true(fabs(vmp_plan_duration(pl) - (2.048 + 2.048 + 1.024)) < 1e-12);
  vmp_plan_free(pl);
  pl = plan(p, t, 1, 1);
  assert_int_equal(vmp_plan_num_waves(pl), 5);
  vmp_plan_free(pl);
  pl = plan(p, t, 0, 1); /* no cap */
  assert_int_equal(vmp_plan_num_waves(pl), 1);
  assert_int_equal(vmp_plan_num_steps(pl), 5);
  tu_release(p, t, pl);
}

static void test_plan__cap_counts_the_target_too(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 65536) "," HOST("h2", 8, 65536) "," HOST("h3", 8, 65536)
                      "," HOST("h4", 8, 65536) "," HOST("h5", 16, 65536),
                      VM("a", 1, 1024, "h1") "," VM("b", 1, 1024, "h2") "," VM("c", 1, 1024, "h3")
                      "," VM("d", 1, 1024, "h4"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h5,b=h5,c=h5,d=h5");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_string_equal(steps(pl), "1:a:h1>h5 1:b:h2>h5 2:c:h3>h5 2:d:h4>h5");
  tu_release(p, t, pl);
}

static void test_plan__swap_without_room_is_blocked_with_reasons(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2"), NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_int_equal(vmp_plan_num_steps(pl), 0);
  assert_int_equal(vmp_plan_num_blocked(pl), 2);
  assert_string_equal(vmp_plan_blocked_vm(pl, 0), "a");
  assert_string_equal(vmp_plan_blocked_from(pl, 0), "h1");
  assert_string_equal(vmp_plan_blocked_to(pl, 0), "h2");
  assert_string_equal(vmp_plan_blocked_reason(pl, 0),
                      "h2 has no room for it (cpu: needs 4, free 0 of 4, memory_mib: needs "
                      "8192, free 0 of 8192); it waits for b to leave h2, which is blocked "
                      "too; no allowed host has room to stage a VM through, nor can one "
                      "be freed by moving a few of its VMs away for a while");
  vmp_plan_free(pl);
  pl = plan(p, t, 2, 0);
  assert_non_null(strstr(vmp_plan_blocked_reason(pl, 1), "; staging is off"));
  tu_release(p, t, pl);
}

static void test_plan__swap_goes_through_a_staging_host(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192) "," HOST("h3", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2"), NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  /* b waits on h3 while a takes its place; b cannot enter h1 while a is
   * still in flight from there */
  assert_string_equal(steps(pl), "1:b:h2>h3* 2:a:h1>h2 3:b:h3>h1");
  assert_int_equal(vmp_plan_step_staging(pl, 0), 1);
  tu_release(p, t, pl);
}

static void test_plan__staging_host_must_be_allowed(void **state) {
  vmp_problem *p = dc(
      HOST("h1", 4, 8192) "," HOST("h2", 4, 8192) ","
      "{\"name\":\"h3\",\"capacity\":{\"cpu\":4,\"memory_mib\":8192},\"labels\":{\"zone\":\"dmz\"}}",
      VM("a", 4, 8192, "h1") ","
      "{\"name\":\"b\",\"demand\":{\"cpu\":4,\"memory_mib\":8192},\"host\":\"h2\","
      "\"labels\":{\"pci\":\"true\"}}",
      ",\"rules\":[{\"name\":\"pci\",\"when\":\"vm.labels.pci == \\\"true\\\"\","
      "\"require\":\"host.labels.zone != \\\"dmz\\\"\"}]");
  vmp_solution *t = tu_target(p, "a=h2,b=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  /* a may stage on h3; b may not */
  assert_string_equal(steps(pl), "1:a:h1>h3* 2:b:h2>h1 3:a:h3>h2");
  vmp_plan_free(pl);
  vmp_problem_set_host_maintenance(p, 2, 1);
  pl = plan(p, t, 2, 1);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  tu_release(p, t, pl);
}

static void test_plan__three_cycle_is_broken_once(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192) "," HOST("h3", 4, 8192)
                      "," HOST("spare", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2") "," VM("c", 4, 8192, "h3"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h3,c=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:b:h2>spare* 2:a:h1>h2 3:c:h3>h1 4:b:spare>h3");
  tu_release(p, t, pl);
}

/* A swap of two full hosts (a: hA -> hB, b: hB -> hA) that only hC can
 * break, while c (hD -> hC) fills hC.  The first pass takes c in wave 1
 * and is then stuck with no host left to stage through (a and b blocked).
 * The planner plans again with a and b urgent: a is staged on hC at once,
 * before c takes the room; b then moves into hA, a from hC into hB, and c
 * into hC last:
 *   wave 1: a hA -> hC (staging)   wave 2: b hB -> hA
 *   wave 3: a hC -> hB             wave 4: c hD -> hC */
static void test_plan__blocked_swap_is_staged_early_on_a_second_pass(void **state) {
  vmp_problem *p = dc(HOST("hA", 4, 8192) "," HOST("hB", 4, 8192) "," HOST("hC", 4, 8192) ","
                      HOST("hD", 2, 4096),
                      VM("a", 4, 8192, "hA") "," VM("b", 4, 8192, "hB") "," VM("c", 2, 4096, "hD"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=hB,b=hA,c=hC");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_int_equal(vmp_plan_num_blocked(pl), 0);
  assert_int_equal(vmp_plan_num_waves(pl), 4);
  assert_string_equal(steps(pl), "1:a:hA>hC* 2:b:hB>hA 3:a:hC>hB 4:c:hD>hC");
  vmp_plan_free(pl);
  /* without staging there is no second pass: c moves, a and b are blocked */
  pl = plan(p, t, 2, 0);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_string_equal(steps(pl), "1:c:hD>hC");
  assert_int_equal(vmp_plan_num_blocked(pl), 2);
  tu_release(p, t, pl);
}

/* A hard dependency A -> B within zones, one VM of each in each of three
 * zones, and the target rotates B (b1: z1 -> z2, b2: z2 -> z3, b3: z3 ->
 * z1).  Any one move, or any two, leaves a zone with its A VM and no B VM
 * after the wave; the three together in one wave keep every zone served:
 *   wave 1: b1 h1 -> h2, b3 h3 -> h1, b2 h2 -> h3
 * (the chain: b1 leaves z1, b3 fills it and leaves z3, b2 fills that).
 * The checker refuses the same moves spread over two waves. */
#define ZHOST(n, z) \
  "{\"name\":\"" n "\",\"capacity\":{\"cpu\":8,\"memory_mib\":16384},\"labels\":{\"zone\":\"" z "\"}}"
static void test_plan__dependency_rotation_moves_in_one_wave(void **state) {
  vmp_problem *p = dc(ZHOST("h1", "z1") "," ZHOST("h2", "z2") "," ZHOST("h3", "z3"),
                      VM("a1", 1, 1024, "h1") "," VM("a2", 1, 1024, "h2") ","
                      VM("a3", 1, 1024, "h3") "," VM("b1", 1, 1024, "h1") ","
                      VM("b2", 1, 1024, "h2") "," VM("b3", 1, 1024, "h3"),
                      ",\"groups\":[{\"name\":\"A\",\"policy\":\"spread\",\"min_domains\":1,"
                      "\"vms\":[\"a1\",\"a2\",\"a3\"]},{\"name\":\"B\",\"policy\":\"spread\","
                      "\"min_domains\":1,\"vms\":[\"b1\",\"b2\",\"b3\"]}],"
                      "\"dependencies\":[{\"group\":\"A\",\"on\":\"B\",\"scope\":\"zone\"}]");
  vmp_solution *t = tu_target(p, "b1=h2,b2=h3,b3=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  char *json = NULL, *x;
  (void)state;
  assert_int_equal(vmp_solution_num_violations(t), 0);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_int_equal(vmp_plan_num_waves(pl), 1);
  assert_string_equal(steps(pl), "1:b1:h1>h2 1:b3:h3>h1 1:b2:h2>h3");
  /* b2 a wave later: zone z3 is left without B after wave 1 */
  assert_int_equal(vmp_plan_to_json(pl, &json), VMP_OK);
  x = strstr(json, "\"wave\": 1,\n      \"action\": \"migrate\",\n      \"vm\": \"b2\"");
  assert_non_null(x);
  x[strlen("\"wave\": ")] = '2';
  tu_assert_plan_refused(json, p, t,
                         "wave 1: dependency A -> B: a3 runs on h3 after the wave, and B has "
                         "no VM in zone z3");
  vmp_free(json);
  tu_release(p, t, pl);
}

/* Hard anti-affinity holds between waves, as spread groups do: a VM that
 * goes where its partner is waits for a wave in which the partner has
 * left (b first, then a), and two partners exchanging hosts go in one
 * wave (in flight together, apart after it).  The checker refuses the
 * exchange split over two waves. */
static void test_plan__anti_affinity_holds_between_waves(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384) "," HOST("h3", 8, 16384),
                      VM("a", 1, 1024, "h1") "," VM("b", 1, 1024, "h2"),
                      ",\"groups\":[{\"name\":\"ab\",\"policy\":\"anti-affinity\","
                      "\"vms\":[\"a\",\"b\"]}]");
  vmp_solution *t1 = tu_target(p, "a=h2,b=h3"), *t2 = tu_target(p, "a=h2,b=h1");
  vmp_plan *pl = plan(p, t1, 2, 1);
  char *json = NULL, *x;
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:b:h2>h3 2:a:h1>h2");
  vmp_plan_free(pl);
  pl = plan(p, t2, 2, 1);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:a:h1>h2 1:b:h2>h1");
  assert_int_equal(vmp_plan_to_json(pl, &json), VMP_OK);
  x = strstr(json, "\"wave\": 1,\n      \"action\": \"migrate\",\n      \"vm\": \"b\"");
  assert_non_null(x);
  x[strlen("\"wave\": ")] = '2';
  tu_assert_plan_refused(json, p, t2,
                         "wave 1: anti-affinity ab: a and b share one host after the wave");
  vmp_free(json);
  vmp_plan_free(pl);
  vmp_solution_free(t2);
  tu_release(p, t1, NULL);
}

/* Starting a VM can break a spread group: the placed members must cover
 * min(minimum, members placed) domains, so b started beside a in zone z1
 * while c cannot start yet (h3 is full until d leaves) would leave two
 * placed members in one zone.  b waits until c runs in z2; the checker
 * refuses b's start in the first wave. */
#define HOSTS_Z1Z1Z2Z3                                                                     \
  ZHOST("h1", "z1") "," ZHOST("h2", "z1") ","                                              \
  "{\"name\":\"h3\",\"capacity\":{\"cpu\":4,\"memory_mib\":16384},\"labels\":{\"zone\":\"z2\"}}," \
  ZHOST("h4", "z3")
#define VMS_ABCD \
  VM("a", 1, 1024, "h1") "," NEWVM("b", 1, 1024) "," NEWVM("c", 3, 1024) "," VM("d", 3, 1024, "h3")
static void test_plan__start_waits_for_the_spread_it_needs(void **state) {
  vmp_problem *p = dc(HOSTS_Z1Z1Z2Z3, VMS_ABCD,
                      ",\"groups\":[{\"name\":\"app\",\"policy\":\"spread\",\"min_domains\":2,"
                      "\"scope\":\"zone\",\"vms\":[\"a\",\"b\",\"c\"]}]");
  vmp_problem *q;
  vmp_solution *t = tu_target(p, "b=h2,c=h3,d=h4"), *tq;
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_solution_num_violations(t), 0);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:d:h3>h4 2:c:->h3 3:b:->h2");
  vmp_plan_free(pl);
  /* the plan made without the group starts b in wave 1 */
  q = dc(HOSTS_Z1Z1Z2Z3, VMS_ABCD, NULL);
  tq = tu_target(q, "b=h2,c=h3,d=h4");
  pl = plan(q, tq, 2, 1);
  assert_string_equal(steps(pl), "1:b:->h2 1:d:h3>h4 2:c:->h3");
  tu_assert_error(vmp_plan_verify(pl, p, t), VMP_EINVAL,
                  "wave 1: spread app: its VMs cover 1 domain of zone after the wave, at "
                  "least 2 needed");
  tu_release(q, tq, pl);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

/* Hard affinity is kept on the target only: a group larger than the
 * per-host cap cannot move in one wave, so its members go over
 * consecutive waves (apart for a wave) rather than be blocked. */
static void test_plan__affinity_group_larger_than_the_cap_moves(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384),
                      VM("a", 1, 1024, "h1") "," VM("b", 1, 1024, "h1") "," VM("c", 1, 1024, "h1"),
                      ",\"groups\":[{\"name\":\"g\",\"policy\":\"affinity\",\"vms\":[\"a\",\"b\",\"c\"]}]");
  vmp_solution *t = tu_target(p, "a=h2,b=h2,c=h2");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:a:h1>h2 1:b:h1>h2 2:c:h1>h2");
  tu_release(p, t, pl);
}

/* With allow_stop, a swap of two full hosts that no third host can break
 * becomes a cold move of one VM, the last resort: b is shut down on hB
 * (wave 1), a moves into hB once b's room is free (wave 2), and b is
 * started on hA once a has left (wave 3).  Without it both are blocked. */
static void test_plan__allow_stop_moves_a_stuck_swap_cold(void **state) {
  vmp_problem *p = dc(HOST("hA", 4, 8192) "," HOST("hB", 4, 8192),
                      VM("a", 4, 8192, "hA") "," VM("b", 4, 8192, "hB"), NULL);
  vmp_solution *t = tu_target(p, "a=hB,b=hA");
  vmp_plan_opts o = VMP_PLAN_OPTS_INIT;
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_int_equal(vmp_plan_num_blocked(pl), 2);
  vmp_plan_free(pl);
  o.allow_stop = 1;
  assert_int_equal(vmp_plan_new(p, t, &o, &pl), VMP_OK);
  assert_int_equal(vmp_plan_verify(pl, p, t), VMP_OK);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(steps(pl), "1:b:hB>- 2:a:hA>hB 3:b:->hA");
  assert_int_equal(vmp_plan_step_action(pl, 0), VMP_ACTION_STOP);
  assert_int_equal(vmp_plan_step_action(pl, 2), VMP_ACTION_START);
  tu_release(p, t, pl);
}

static void test_plan__new_vm_is_started_and_running_vm_never_stopped(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384),
                      VM("a", 2, 8192, "h1") "," NEWVM("fresh", 2, 2048), NULL);
  vmp_solution *t = tu_target(p, "fresh=h2,a=");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_string_equal(steps(pl), "1:fresh:->h2");
  assert_int_equal(vmp_plan_step_action(pl, 0), VMP_ACTION_START);
  assert_null(vmp_plan_step_from(pl, 0));
  assert_int_equal(vmp_plan_step_from_host(pl, 0), VMP_NONE);
  assert_true(vmp_plan_duration(pl) == 0.0);
  assert_string_equal(vmp_plan_blocked_vm(pl, 0), "a");
  assert_null(vmp_plan_blocked_to(pl, 0));
  assert_string_equal(vmp_plan_blocked_reason(pl, 0),
                      "the target leaves it unplaced, and a running VM is never stopped");
  tu_release(p, t, pl);
}

/* With allow_stop, a running VM the target leaves unplaced is stopped: in
 * the first wave its host's cap allows, holding its room until that wave is
 * over, so the move into that room comes a wave later. */
static void test_plan__allow_stop_stops_unplaced_vms_first(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 2, 4096, "h2") "," VM("c", 2, 4096, "h2"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=,c=");
  vmp_plan_opts o = VMP_PLAN_OPTS_INIT;
  vmp_plan *pl = NULL, *back = NULL;
  char *json = NULL;
  (void)state;
  /* without it, b and c are blocked, and a waits for them */
  pl = plan(p, t, 2, 1);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_int_equal(vmp_plan_num_steps(pl), 0);
  assert_int_equal(vmp_plan_num_blocked(pl), 3);
  vmp_plan_free(pl);
  o.allow_stop = 1;
  o.max_concurrent = 1;
  assert_int_equal(vmp_plan_new(p, t, &o, &pl), VMP_OK);
  assert_int_equal(vmp_plan_verify(pl, p, t), VMP_OK);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  /* one step per host and wave: b, then c, then a */
  assert_string_equal(steps(pl), "1:b:h2>- 2:c:h2>- 3:a:h1>h2");
  assert_int_equal(vmp_plan_step_action(pl, 0), VMP_ACTION_STOP);
  assert_string_equal(vmp_plan_action_name(VMP_ACTION_STOP), "stop");
  assert_string_equal(vmp_plan_step_from(pl, 0), "h2");
  assert_null(vmp_plan_step_to(pl, 0));
  assert_int_equal(vmp_plan_step_to_host(pl, 0), VMP_NONE);
  /* a stop copies nothing: only a's 8192 MiB take time */
  assert_true(vmp_plan_wave_duration(pl, 0) == 0.0);
  assert_true(vmp_plan_duration(pl) == 8.192);
  assert_int_equal(vmp_plan_to_json(pl, &json), VMP_OK);
  assert_non_null(strstr(json, "\"action\": \"stop\",\n      \"vm\": \"b\",\n      \"from\": \"h2\",\n"
                               "      \"to\": null,"));
  assert_int_equal(vmp_plan_parse(json, strlen(json), "plan.json", &back), VMP_OK);
  assert_string_equal(steps(back), "1:b:h2>- 2:c:h2>- 3:a:h1>h2");
  assert_int_equal(vmp_plan_step_action(back, 1), VMP_ACTION_STOP);
  vmp_free(json);
  vmp_plan_free(back);
  vmp_plan_free(pl);
  /* with the default cap of 2 both stops share the first wave */
  o.max_concurrent = 2;
  assert_int_equal(vmp_plan_new(p, t, &o, &pl), VMP_OK);
  assert_string_equal(steps(pl), "1:b:h2>- 1:c:h2>- 2:a:h1>h2");
  tu_release(p, t, pl);
}

static void test_plan__bad_input(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2"), NULL);
  vmp_problem *q = dc(HOST("h1", 4, 8192), VM("a", 4, 8192, "h1"), NULL);
  vmp_solution *bad = tu_target(p, "a=h2"), *other = tu_target(q, "a=h1");
  vmp_plan_opts o = VMP_PLAN_OPTS_INIT;
  vmp_plan *pl = (vmp_plan *)&o;
  (void)state;
  tu_assert_error(vmp_plan_new(p, bad, NULL, &pl), VMP_EINVAL,
                  "the target placement breaks a hard constraint: h2: cpu 8 > 4");
  assert_null(pl);
  tu_assert_error(vmp_plan_new(p, other, NULL, &pl), VMP_EINVAL, "made for another problem");
  o.bandwidth_mibps = 0;
  tu_assert_error(vmp_plan_new(q, other, &o, &pl), VMP_EINVAL, "bandwidth_mibps must be > 0");
  tu_assert_error(vmp_plan_new(NULL, other, NULL, &pl), VMP_EINVAL, "NULL");
  assert_int_equal(vmp_plan_status(NULL), -1);
  assert_null(vmp_plan_step_vm(NULL, 0));
  vmp_plan_free(NULL);
  vmp_solution_free(bad);
  vmp_solution_free(other);
  vmp_problem_free(p);
  vmp_problem_free(q);
}

static char *to_json(const vmp_plan *pl) {
  char *text = NULL;
  assert_int_equal(vmp_plan_to_json(pl, &text), VMP_OK);
  return text;
}

/* "wave:vm:from>to" as steps(), with "[for X]" after a temporary eviction
 * that makes room for X. */
static const char *room_steps(const vmp_plan *pl) {
  static char buf[4096];
  size_t len = 0;
  buf[0] = '\0';
  for (size_t k = 0; k < vmp_plan_num_steps(pl); k++) {
    const char *from = vmp_plan_step_from(pl, k), *to = vmp_plan_step_to(pl, k);
    const char *room = vmp_plan_step_makes_room_for(pl, k);
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%zu:%s:%s>%s%s%s%s%s", k ? " " : "",
                            vmp_plan_step_wave(pl, k) + 1, vmp_plan_step_vm(pl, k),
                            from ? from : "-", to ? to : "-",
                            vmp_plan_step_staging(pl, k) ? "*" : "", room ? "[for " : "",
                            room ? room : "", room ? "]" : "");
  }
  return buf;
}

/* a and b swap two full hosts; neither fits on h3 (c, which stays, takes
 * half of it) nor on h4 (half a host, empty).  The planner moves c away to
 * h4 for a while (wave 1), b goes onto h3 (2), a into h2 (3), b on to h1
 * (4) once a has left, and c comes back to h3 (5) once b has left: h3
 * takes no other VM meanwhile.  All live: no --allow-stop. */
static void test_plan__temporary_eviction_frees_a_third_host(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192) "," HOST("h3", 4, 8192)
                      "," HOST("h4", 2, 4096),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2") "," VM("c", 2, 4096, "h3"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1");
  vmp_plan *pl = plan(p, t, 2, 1), *back = NULL;
  char *a, *b;
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(room_steps(pl),
                      "1:c:h3>h4*[for b] 2:b:h2>h3* 3:a:h1>h2 4:b:h3>h1 5:c:h4>h3");
  assert_int_equal(vmp_plan_num_blocked(pl), 0);
  assert_null(vmp_plan_step_makes_room_for(pl, 1));
  assert_null(vmp_plan_step_makes_room_for(pl, 99));
  /* JSON keeps it, and the checker replays the parsed plan */
  a = to_json(pl);
  assert_non_null(strstr(a, "\"makes_room_for\": \"b\""));
  assert_int_equal(vmp_plan_parse(a, strlen(a), "plan.json", &back), VMP_OK);
  b = to_json(back);
  assert_string_equal(a, b);
  assert_string_equal(vmp_plan_step_makes_room_for(back, 0), "b");
  assert_int_equal(vmp_plan_verify(back, p, t), VMP_OK);
  free(a);
  free(b);
  vmp_plan_free(back);
  /* with one step per host and wave the same plan (each wave touches h3
   * or a host of the swap once) */
  vmp_plan_free(pl);
  pl = plan(p, t, 1, 1);
  assert_string_equal(room_steps(pl),
                      "1:c:h3>h4*[for b] 2:b:h2>h3* 3:a:h1>h2 4:b:h3>h1 5:c:h4>h3");
  tu_release(p, t, pl);
}

/* The same swap where c has nowhere to go (no h4): no host can be freed,
 * both moves stay blocked with the documented reason, c does not move;
 * with allow_stop the swap is moved cold instead (the last resort). */
static void test_plan__no_eviction_leaves_the_swap_blocked(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 4, 8192) "," HOST("h3", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2") "," VM("c", 2, 4096, "h3"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1");
  vmp_plan_opts o = VMP_PLAN_OPTS_INIT;
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_BLOCKED);
  assert_int_equal(vmp_plan_num_steps(pl), 0);
  assert_int_equal(vmp_plan_num_blocked(pl), 2);
  assert_string_equal(vmp_plan_blocked_vm(pl, 1), "b");
  assert_string_equal(vmp_plan_blocked_reason(pl, 1),
                      "h1 has no room for it (cpu: needs 4, free 0 of 4, memory_mib: needs "
                      "8192, free 0 of 8192); it waits for a to leave h1, which is blocked "
                      "too; no allowed host has room to stage a VM through, nor can one be "
                      "freed by moving a few of its VMs away for a while");
  vmp_plan_free(pl);
  o.max_concurrent = 2;
  o.allow_stop = 1;
  assert_int_equal(vmp_plan_new(p, t, &o, &pl), VMP_OK);
  assert_int_equal(vmp_plan_verify(pl, p, t), VMP_OK);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(room_steps(pl), "1:b:h2>- 2:a:h1>h2 3:b:->h1");
  tu_release(p, t, pl);
}

/* Transient disk: a VM that leaves its initial host keeps its disk there.
 * b (disk 5) must go through a third host.  h3 lacks only disk (4 free):
 * moving c away would free none (its disk stays held on h3), so h3 cannot
 * be freed; h5 lacks cpu and memory, which moving e away frees.  e's disk
 * counts in full on h4 while it is there, and when e comes back to h5 it
 * takes its disk, still held there, only once: h5 (disk 15) holds e's 10
 * and b's 5 while b passes, and e's return would not fit if its disk
 * counted twice. */
static void test_plan__eviction_keeps_transient_resources_held(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\",\"disk\"],"
      "\"transient\":[\"disk\"],\"hosts\":["
      "{\"name\":\"h1\",\"capacity\":{\"cpu\":4,\"memory_mib\":8,\"disk\":100}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":4,\"memory_mib\":8,\"disk\":100}},"
      "{\"name\":\"h3\",\"capacity\":{\"cpu\":8,\"memory_mib\":16,\"disk\":20}},"
      "{\"name\":\"h4\",\"capacity\":{\"cpu\":2,\"memory_mib\":4,\"disk\":10}},"
      "{\"name\":\"h5\",\"capacity\":{\"cpu\":4,\"memory_mib\":8,\"disk\":15}}],"
      "\"vms\":["
      "{\"name\":\"a\",\"demand\":{\"cpu\":4,\"memory_mib\":8,\"disk\":5},\"host\":\"h1\"},"
      "{\"name\":\"b\",\"demand\":{\"cpu\":4,\"memory_mib\":8,\"disk\":5},\"host\":\"h2\"},"
      "{\"name\":\"c\",\"demand\":{\"cpu\":1,\"memory_mib\":1,\"disk\":16},\"host\":\"h3\"},"
      "{\"name\":\"e\",\"demand\":{\"cpu\":2,\"memory_mib\":4,\"disk\":10},\"host\":\"h5\"}]}");
  vmp_solution *t = tu_target(p, "a=h2,b=h1");
  vmp_plan *pl = plan(p, t, 2, 1);
  (void)state;
  assert_int_equal(vmp_solution_num_violations(t), 0);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_string_equal(room_steps(pl),
                      "1:e:h5>h4*[for b] 2:b:h2>h5* 3:a:h1>h2 4:b:h5>h1 5:e:h4>h5");
  tu_release(p, t, pl);
}

/* The checker: a transient resource stays held on a VM's initial host
 * while the VM is away (f cannot take e's disk on h1 in the wave after e
 * left), and a VM that comes back takes it there only once (e back on h1,
 * full again, is fine). */
static void test_plan__checker_holds_transient_resources_while_away(void **state) {
  vmp_problem *p = tu_problem_json(
      "{\"version\":1,\"resources\":[\"cpu\",\"disk\"],\"transient\":[\"disk\"],\"hosts\":["
      "{\"name\":\"h1\",\"capacity\":{\"cpu\":8,\"disk\":10}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":8,\"disk\":100}}],\"vms\":["
      "{\"name\":\"e\",\"demand\":{\"cpu\":1,\"disk\":10},\"host\":\"h1\"},"
      "{\"name\":\"f\",\"demand\":{\"cpu\":1,\"disk\":1},\"host\":\"h2\"}]}");
  vmp_solution *stay = tu_target(p, "");
  const char *head =
      "{\"version\":1,\"kind\":\"plan\",\"status\":\"complete\",\"max_concurrent\":2,"
      "\"bandwidth_mibps\":1000,\"resources\":[\"cpu\",\"disk\"],\"hosts\":["
      "{\"name\":\"h1\",\"capacity\":{\"cpu\":8,\"disk\":10},\"load\":{\"cpu\":1,\"disk\":10}},"
      "{\"name\":\"h2\",\"capacity\":{\"cpu\":8,\"disk\":100},\"load\":{\"cpu\":1,\"disk\":1}}],"
      "\"vms\":[{\"name\":\"e\",\"demand\":{\"cpu\":1,\"disk\":10}},"
      "{\"name\":\"f\",\"demand\":{\"cpu\":1,\"disk\":1}}],\"steps\":[";
  char buf[2048];
  vmp_plan *pl = NULL;
  (void)state;
  /* e away to h2 and back to h1: h1 holds e's disk once throughout */
  snprintf(buf, sizeof buf, "%s%s", head,
           "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"e\",\"from\":\"h1\",\"to\":\"h2\","
           "\"staging\":true,\"makes_room_for\":\"f\"},"
           "{\"wave\":2,\"action\":\"migrate\",\"vm\":\"e\",\"from\":\"h2\",\"to\":\"h1\"}],"
           "\"blocked\":[]}");
  assert_int_equal(vmp_plan_parse(buf, strlen(buf), "plan.json", &pl), VMP_OK);
  assert_string_equal(vmp_plan_step_makes_room_for(pl, 0), "f");
  assert_int_equal(vmp_plan_verify(pl, p, stay), VMP_OK);
  vmp_plan_free(pl);
  pl = NULL;
  /* f into h1 once e has left: e's disk is still held there */
  snprintf(buf, sizeof buf, "%s%s", head,
           "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"e\",\"from\":\"h1\",\"to\":\"h2\"},"
           "{\"wave\":2,\"action\":\"migrate\",\"vm\":\"f\",\"from\":\"h2\",\"to\":\"h1\"}],"
           "\"blocked\":[]}");
  assert_int_equal(vmp_plan_parse(buf, strlen(buf), "plan.json", &pl), VMP_OK);
  tu_assert_error(vmp_plan_verify(pl, p, NULL), VMP_EINVAL,
                  "wave 2: h1 disk 11 > 10 with f in flight");
  vmp_plan_free(pl);
  pl = NULL;
  /* makes_room_for only on a staging step, naming a VM of the plan */
  snprintf(buf, sizeof buf, "%s%s", head,
           "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"e\",\"from\":\"h1\",\"to\":\"h2\","
           "\"makes_room_for\":\"f\"}],\"blocked\":[]}");
  tu_assert_error(vmp_plan_parse(buf, strlen(buf), "plan.json", &pl), VMP_EPARSE,
                  "plan.json: steps[0]: makes_room_for: only a staging step makes room for "
                  "another VM");
  snprintf(buf, sizeof buf, "%s%s", head,
           "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"e\",\"from\":\"h1\",\"to\":\"h2\","
           "\"staging\":true,\"makes_room_for\":\"g\"}],\"blocked\":[]}");
  tu_assert_error(vmp_plan_parse(buf, strlen(buf), "plan.json", &pl), VMP_ENOTFOUND,
                  "plan.json: steps[0]: makes_room_for: unknown VM \"g\" (not in \"vms\")");
  assert_null(pl);
  tu_release(p, stay, NULL);
}

static void test_plan__json_round_trip(void **state) {
  vmp_problem *p = dc(
      HOST("h1", 4, 8192) "," HOST("h2", 4, 8192) ","
      "{\"name\":\"h3\",\"capacity\":{\"cpu\":4,\"memory_mib\":8192},\"uri\":\"test:///x\"}",
      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2") "," NEWVM("n", 0, 0), NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1,n=h3");
  vmp_plan *pl = plan(p, t, 2, 1), *back = NULL;
  char *a = to_json(pl), *b;
  (void)state;
  assert_int_equal(vmp_plan_parse(a, strlen(a), "plan.json", &back), VMP_OK);
  b = to_json(back);
  assert_string_equal(a, b);
  assert_string_equal(vmp_plan_host_uri(back, 2), "test:///x");
  assert_null(vmp_plan_host_uri(back, 0));
  assert_int_equal(vmp_plan_verify(back, p, t), VMP_OK);
  free(a);
  free(b);
  vmp_plan_free(pl);
  vmp_plan_free(back);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

/* Hand-edited plans: the reader replays them and refuses unsafe ones. */
static void test_plan__reader_refuses_unsafe_and_malformed_plans(void **state) {
  static const char *head =
      "{\"version\":1,\"status\":\"complete\",\"max_concurrent\":2,\"bandwidth_mibps\":1000,"
      "\"resources\":[\"memory_mib\"],"
      "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"memory_mib\":8192},\"load\":{\"memory_mib\":8192}},"
      "{\"name\":\"h2\",\"capacity\":{\"memory_mib\":8192},\"load\":{\"memory_mib\":8192}},"
      "{\"name\":\"h3\",\"capacity\":{\"memory_mib\":8192},\"load\":{\"memory_mib\":0}}],"
      "\"vms\":[{\"name\":\"a\",\"demand\":{\"memory_mib\":8192}},"
      "{\"name\":\"b\",\"demand\":{\"memory_mib\":8192}}],";
  static const struct {
    const char *steps;
    int rc;
    const char *needle;
  } cases[] = {
      /* the swap without staging: a lands on full h2 */
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h2\"},"
       "{\"wave\":2,\"action\":\"migrate\",\"vm\":\"b\",\"from\":\"h2\",\"to\":\"h1\"}]}",
       VMP_EINVAL, "plan.json: unsafe plan: wave 1: h2 memory_mib 16384 > 8192 with a in flight"},
      /* both into h3 at once */
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"},"
       "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"b\",\"from\":\"h2\",\"to\":\"h3\"}]}",
       VMP_EINVAL, "wave 1: h3 memory_mib 16384 > 8192 with a, b in flight"},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"},"
       "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h3\",\"to\":\"h2\"}]}",
       VMP_EINVAL, "step 2: a moves twice in wave 1"},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"},"
       "{\"wave\":2,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h2\"}]}",
       VMP_EINVAL, "step 2: a starts from h1 but is on h3"},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"},"
       "{\"wave\":3,\"action\":\"migrate\",\"vm\":\"b\",\"from\":\"h2\",\"to\":\"h3\"}]}",
       VMP_EPARSE, "steps[1]: wave: expected 1 or 2, got 3"},
      {"\"steps\":[{\"wave\":2,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"}]}",
       VMP_EPARSE, "steps[0]: wave: the first step is in wave 1, not 2"},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"zz\",\"from\":\"h1\",\"to\":\"h3\"}]}",
       VMP_ENOTFOUND, "steps[0]: vm: unknown VM \"zz\""},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h9\"}]}",
       VMP_ENOTFOUND, "steps[0]: to: unknown host \"h9\""},
      {"\"steps\":[{\"wave\":1,\"action\":\"start\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"}]}",
       VMP_EPARSE, "steps[0]: from: a start step has no source host"},
      /* a stop holds its VM's room for its whole wave */
      {"\"steps\":[{\"wave\":1,\"action\":\"stop\",\"vm\":\"b\",\"from\":\"h2\",\"to\":null},"
       "{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h2\"}]}",
       VMP_EINVAL, "plan.json: unsafe plan: wave 1: h2 memory_mib 16384 > 8192 with a in flight"},
      {"\"steps\":[{\"wave\":1,\"action\":\"stop\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"}]}",
       VMP_EPARSE, "steps[0]: to: a stop step has no target host (null)"},
      {"\"steps\":[{\"wave\":1,\"action\":\"stop\",\"vm\":\"a\",\"from\":null,\"to\":null}]}",
       VMP_EPARSE, "steps[0]: from: a stop step needs a source host"},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":null}]}",
       VMP_EPARSE, "steps[0]: to: a migrate step needs a target host"},
      {"\"steps\":[{\"wave\":1,\"action\":\"halt\",\"vm\":\"a\",\"from\":\"h1\",\"to\":null}]}",
       VMP_EPARSE, "steps[0]: action: expected \"migrate\", \"start\" or \"stop\", got \"halt\""},
      {"\"steps\":[{\"wave\":0,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\"}]}",
       VMP_EPARSE, "steps[0]: wave: expected an integer >= 1"},
      {"\"steps\":[{\"wave\":1,\"action\":\"migrate\",\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h3\","
       "\"speed\":3}]}",
       VMP_EPARSE, "steps[0]: unknown key \"speed\""},
      {"\"steps\":[],\"blocked\":[{\"vm\":\"a\",\"from\":\"h1\",\"to\":\"h2\",\"reason\":\"x\"}]}",
       VMP_EPARSE, "status: \"complete\" does not match 1 blocked moves"},
  };
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char buf[4096];
    vmp_plan *pl = NULL;
    snprintf(buf, sizeof buf, "%s%s", head, cases[k].steps);
    tu_assert_error(vmp_plan_parse(buf, strlen(buf), "plan.json", &pl), cases[k].rc,
                    cases[k].needle);
    assert_null(pl);
  }
}

/* The checker against the problem and target, on plans that are internally
 * consistent but wrong for them. */
static void test_plan__checker_compares_with_problem_and_target(void **state) {
  vmp_problem *p = dc(HOST("h1", 4, 8192) "," HOST("h2", 8, 16384) "," HOST("h3", 4, 8192),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2"), NULL);
  vmp_solution *t1 = tu_target(p, "a=h2"), *t2 = tu_target(p, "a=h3");
  vmp_plan *pl = plan(p, t1, 2, 1);
  (void)state;
  tu_assert_error(vmp_plan_verify(pl, p, t2), VMP_EINVAL,
                  "a ends on h2, but the target puts it on h3");
  /* the same plan against a problem where h2 is smaller */
  vmp_problem_set_host_capacity(p, 1, 1, 12000);
  tu_assert_error(vmp_plan_verify(pl, p, NULL), VMP_EINVAL,
                  "wave 1: h2 memory_mib 16384 > 12000 with a in flight");
  vmp_problem_set_host_capacity(p, 1, 1, 16384);
  vmp_problem_set_vm_pinned(p, 0, 1);
  tu_assert_error(vmp_plan_verify(pl, p, NULL), VMP_EINVAL, "step 1: a is pinned but moves to h2");
  vmp_plan_free(pl);
  vmp_solution_free(t1);
  vmp_solution_free(t2);
  vmp_problem_free(p);
}

static size_t moves(const vmp_problem *p, const vmp_solution *s) {
  size_t n = 0;
  for (size_t v = 0; v < vmp_problem_num_vms(p); v++)
    n += vmp_problem_vm_host(p, v) != VMP_NONE &&
         vmp_solution_vm_host(s, v) != vmp_problem_vm_host(p, v);
  return n;
}

static void test_plan__prune_keeps_only_moves_with_gain(void **state) {
  /* h3 and h4 hold one small VM each: emptying both saves two hosts; the
   * shuffle of a and b between h1 and h2 gains nothing */
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384) "," HOST("h3", 8, 16384)
                      "," HOST("h4", 8, 16384),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h2") "," VM("c", 2, 4096, "h3")
                      "," VM("d", 2, 4096, "h4"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1,c=h1,d=h2"), *s = NULL;
  (void)state;
  assert_int_equal(vmp_solution_prune_moves(p, t, VMP_NONE, &s), VMP_OK);
  assert_int_equal(moves(p, s), 2);
  assert_int_equal(vmp_solution_vm_host(s, 0), 0);
  assert_int_equal(vmp_solution_vm_host(s, 1), 1);
  assert_int_equal(vmp_solution_hosts_used(s), 2);
  vmp_solution_free(s);
  /* one move at most: still one host saved */
  assert_int_equal(vmp_solution_prune_moves(p, t, 1, &s), VMP_OK);
  assert_int_equal(moves(p, s), 1);
  assert_int_equal(vmp_solution_hosts_used(s), 3);
  vmp_solution_free(s);
  assert_int_equal(vmp_solution_prune_moves(p, t, 0, &s), VMP_OK);
  assert_int_equal(moves(p, s), 0);
  vmp_solution_free(s);
  vmp_solution_free(t);
  /* undoing a alone lets b join it on h1 and empties h2: a gain found
   * on the way */
  t = tu_target(p, "a=h2,b=h1");
  assert_int_equal(vmp_solution_prune_moves(p, t, VMP_NONE, &s), VMP_OK);
  assert_int_equal(moves(p, s), 1);
  assert_int_equal(vmp_solution_hosts_used(s), 3);
  vmp_solution_free(s);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

static void test_plan__prune_undoes_a_useless_swap(void **state) {
  /* full hosts: neither half of the swap can be undone alone */
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384),
                      VM("a", 4, 8192, "h1") "," VM("x", 4, 8192, "h1") "," VM("b", 4, 8192, "h2")
                      "," VM("y", 4, 8192, "h2"),
                      NULL);
  vmp_solution *t = tu_target(p, "a=h2,b=h1"), *s = NULL;
  (void)state;
  assert_int_equal(vmp_solution_prune_moves(p, t, VMP_NONE, &s), VMP_OK);
  assert_int_equal(moves(p, s), 0);
  vmp_solution_free(s);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

static void test_plan__prune_with_balance_and_affinity_units(void **state) {
  /* balance is not local: the whole objective decides; the affine pair
   * x, y moves as one */
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384) "," HOST("h3", 8, 16384),
                      VM("a", 4, 4096, "h1") "," VM("b", 4, 4096, "h1") "," VM("c", 2, 2048, "h2")
                      "," VM("x", 1, 1024, "h3") "," VM("y", 1, 1024, "h3"),
                      ",\"groups\":[{\"name\":\"xy\",\"policy\":\"affinity\","
                      "\"vms\":[\"x\",\"y\"]}],\"objective\":{\"cost\":0,\"balance\":1}");
  vmp_solution *t = tu_target(p, "b=h2,c=h1,x=h2,y=h2"), *s = NULL;
  (void)state;
  assert_int_equal(vmp_solution_prune_moves(p, t, VMP_NONE, &s), VMP_OK);
  /* only b's move lowers the highest utilisation (1 -> 0.75) */
  assert_int_equal(moves(p, s), 1);
  assert_int_equal(vmp_solution_vm_host(s, 1), 1);
  assert_true(fabs(vmp_solution_objective(s) - 0.75) < 1e-12);
  vmp_solution_free(s);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

static void test_plan__prune_cannot_undo_needed_moves(void **state) {
  vmp_problem *p = dc(HOST("h1", 8, 16384) "," HOST("h2", 8, 16384),
                      VM("a", 4, 8192, "h1") "," VM("b", 4, 8192, "h1"), NULL);
  vmp_solution *t, *s = NULL;
  (void)state;
  vmp_problem_set_host_maintenance(p, 0, 1);
  t = tu_target(p, "a=h2,b=h2");
  tu_assert_error(vmp_solution_prune_moves(p, t, 1, &s), VMP_ERANGE,
                  "max_moves 1 cannot be honoured");
  assert_null(s);
  assert_int_equal(vmp_solution_prune_moves(p, t, 2, &s), VMP_OK);
  assert_int_equal(moves(p, s), 2);
  vmp_solution_free(s);
  vmp_solution_free(t);
  vmp_problem_free(p);
}

/* Random datacenters: whatever the planner emits passes the replay, and a
 * complete plan reaches the target. */
static void test_plan__random_plans_pass_the_checker(void **state) {
  uint64_t x = 12345;
  (void)state;
  for (int round = 0; round < 60; round++) {
    vmp_problem *p = NULL;
    vmp_solution *t = NULL;
    vmp_plan *pl = NULL;
    size_t nh = 3 + round % 5, nv = 4 + round % 11, *cur, *tg;
    double cap[2] = {16, 32768};
    assert_int_equal(vmp_problem_new(&p), VMP_OK);
    vmp_problem_add_resource(p, "cpu", NULL);
    vmp_problem_add_resource(p, "memory_mib", NULL);
    for (size_t h = 0; h < nh; h++) {
      char name[16];
      snprintf(name, sizeof name, "h%zu", h);
      assert_int_equal(vmp_problem_add_host(p, name, cap, NULL), VMP_OK);
    }
    cur = calloc(nv, sizeof *cur);
    tg = calloc(nv, sizeof *tg);
    for (size_t v = 0; v < nv; v++) {
      char name[16];
      double d[2];
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      d[0] = (double)(1 + (x >> 33) % 6);
      d[1] = d[0] * 2048;
      snprintf(name, sizeof name, "v%zu", v);
      assert_int_equal(vmp_problem_add_vm(p, name, d, NULL), VMP_OK);
    }
    /* two random feasible placements by first fit from random starts */
    for (int which = 0; which < 2; which++) {
      double load[16] = {0};
      size_t *out = which ? tg : cur;
      for (size_t v = 0; v < nv; v++) {
        size_t start, h;
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        start = (x >> 33) % nh;
        out[v] = VMP_NONE;
        for (size_t k = 0; k < nh; k++) {
          h = (start + k) % nh;
          if (load[h] + vmp_problem_vm_demand(p, v, 0) <= 16) {
            load[h] += vmp_problem_vm_demand(p, v, 0);
            out[v] = h;
            break;
          }
        }
      }
    }
    for (size_t v = 0; v < nv; v++) vmp_problem_set_vm_host(p, v, cur[v]);
    assert_int_equal(vmp_evaluate(p, tg, &t), VMP_OK);
    if (vmp_solution_status(t) == VMP_STATUS_INVALID) {
      vmp_solution_free(t);
      vmp_problem_free(p);
      free(cur);
      free(tg);
      continue;
    }
    pl = plan(p, t, 1 + round % 3, round % 2);
    if (vmp_plan_status(pl) == VMP_PLAN_BLOCKED) assert_true(vmp_plan_num_blocked(pl) > 0);
    tu_release(p, t, pl);
    free(cur);
    free(tg);
  }
}

/* Random rebalancing datacenters (tu_zoned_problem, with and without the
 * classic features), new VMs, stops, tight hosts.  The test keeps its own
 * books while it replays each plan: during a wave every host must hold
 * what stays on it, every VM in flight to it, and, for the transient
 * resource, every VM it is the initial host of (each VM once); after each
 * wave the placement must break no hard constraint by the evaluator but
 * hard affinity (kept on the target only); a complete plan ends at the
 * target.  Plans are made with and without staging hosts, per-host caps 0
 * (none) to 3. */

static void test_plan__random_rebalancing_plans_keep_every_wave_feasible(void **state) {
  uint64_t x = 20261207;
  int planned = 0, complete = 0, waves_checked = 0, started = 0, stopped = 0, staged = 0;
  (void)state;
  for (int round = 0; round < 320; round++) {
    size_t cur[12], tgt[12], a[12], init[12];
    double d[12][2], cap[2];
    int tight = round % 4 == 3, nnew = (int)tu_rand(&x, 3);
    vmp_plan_opts o = VMP_PLAN_OPTS_INIT;
    cap[0] = tight ? 10 : 16;
    cap[1] = tight ? 60 : 100;
    vmp_problem *p = tu_zoned_problem(&x, cap[0], cap[1], round % 2);
    size_t nh = vmp_problem_num_hosts(p), nv = vmp_problem_num_vms(p);
    vmp_solution *t = NULL;
    vmp_plan *pl = NULL;
    for (size_t v = 0; v < nv; v++)
      for (size_t r = 0; r < 2; r++) d[v][r] = vmp_problem_vm_demand(p, v, r);
    if (!tu_random_clean(p, &x, 0, cur)) {
      vmp_problem_free(p);
      continue;
    }
    /* the last nnew VMs are new (no current host) */
    for (size_t v = 0; v < nv; v++) {
      if (v >= nv - (size_t)nnew) cur[v] = VMP_NONE;
      assert_int_equal(vmp_problem_set_vm_host(p, v, cur[v]), VMP_OK);
    }
    if (!tu_random_clean(p, &x, 0, tgt)) { /* now with the transient holds */
      vmp_problem_free(p);
      continue;
    }
    o.allow_stop = round % 3 == 2;
    if (o.allow_stop && tgt[7] != VMP_NONE && cur[7] != VMP_NONE) tgt[7] = VMP_NONE;
    assert_int_equal(vmp_evaluate(p, tgt, &t), VMP_OK);
    o.max_concurrent = (uint32_t)(round % 4); /* 0: no cap */
    o.staging = round % 5 != 4;
    int rc = vmp_plan_new(p, t, &o, &pl);
    if (rc) fail_msg("round %d: plan failed: %s: %s", round, vmp_err_name(rc), vmp_last_error());
    assert_int_equal(vmp_plan_verify(pl, p, t), VMP_OK);
    planned++;
    memcpy(a, cur, sizeof a);
    memcpy(init, cur, sizeof init);
    for (size_t w = 0; w < vmp_plan_num_waves(pl); w++) {
      double use[6][2] = {{0}};
      unsigned char counted[6][12] = {{0}};
      size_t inflight_to[12];
      unsigned char moving[12] = {0};
      for (size_t v = 0; v < nv; v++) inflight_to[v] = VMP_NONE;
      for (size_t k = 0; k < vmp_plan_num_steps(pl); k++) {
        size_t v;
        int act = vmp_plan_step_action(pl, k);
        if (vmp_plan_step_wave(pl, k) != w) continue;
        assert_int_equal(vmp_problem_find_vm(p, vmp_plan_step_vm(pl, k), &v), VMP_OK);
        if (vmp_plan_step_from_host(pl, k) != a[v])
          fail_msg("round %d, wave %zu: %s leaves %zu but is on %zu", round, w + 1,
                   vmp_plan_step_vm(pl, k), vmp_plan_step_from_host(pl, k), a[v]);
        assert_false(moving[v]); /* one step per VM and wave */
        moving[v] = 1;
        if (act == VMP_ACTION_STOP) {
          assert_true(o.allow_stop && a[v] != VMP_NONE);
          stopped++;
        } else {
          if (act == VMP_ACTION_START) started++;
          else assert_true(a[v] != VMP_NONE);
          inflight_to[v] = vmp_plan_step_to_host(pl, k);
          assert_true(inflight_to[v] != VMP_NONE);
        }
        staged += vmp_plan_step_staging(pl, k);
      }
      /* each VM once per host it occupies: where it is (a stopping VM holds
       * its room until the wave is over), where it goes, and (disk) its
       * initial host */
      for (size_t v = 0; v < nv; v++) {
        size_t on[3] = {a[v], inflight_to[v], init[v]};
        for (int j = 0; j < 3; j++) {
          size_t h = on[j];
          if (h == VMP_NONE) continue;
          if (j < 2 && !(counted[h][v] & 1u)) {
            counted[h][v] |= 1u;
            use[h][0] += d[v][0];
          }
          if (!(counted[h][v] & 2u)) {
            counted[h][v] |= 2u;
            use[h][1] += d[v][1];
          }
        }
      }
      for (size_t h = 0; h < nh; h++)
        for (int r = 0; r < 2; r++)
          if (use[h][r] > vmp_problem_host_effective_capacity(p, h, (size_t)r) + 1e-9)
            fail_msg("round %d, wave %zu of \"%s\": h%zu needs %g of %s, capacity %g", round,
                     w + 1, steps(pl), h, use[h][r], r ? "disk_gb" : "cpu",
                     vmp_problem_host_effective_capacity(p, h, (size_t)r));
      for (size_t v = 0; v < nv; v++)
        if (moving[v]) a[v] = inflight_to[v];
      {
        vmp_solution *s = NULL;
        assert_int_equal(vmp_evaluate(p, a, &s), VMP_OK);
        const char *kind = NULL, *msg = NULL;
        if (tu_hard_violations_but(s, "affinity", &kind, &msg)) {
          fail_msg("round %d: after wave %zu of \"%s\": %s: %s", round, w + 1, steps(pl),
                   kind, msg);
        }
        vmp_solution_free(s);
      }
      waves_checked++;
    }
    if (vmp_plan_status(pl) == VMP_PLAN_COMPLETE) {
      complete++;
      for (size_t v = 0; v < nv; v++)
        if (a[v] != tgt[v])
          fail_msg("round %d: complete plan leaves v%zu on %zu, target %zu", round, v, a[v],
                   tgt[v]);
    } else {
      assert_true(vmp_plan_num_blocked(pl) > 0);
    }
    tu_release(p, t, pl);
  }
  print_message("%d plans, %d complete, %d waves replayed, %d starts, %d stops, %d staging\n",
                planned, complete, waves_checked, started, stopped, staged);
  assert_true(planned >= 120 && complete >= planned / 2 && started > 0 && stopped > 0 &&
              staged > 0);
}

/* Move pruning leaves a target of the rebalancing model as it is (its
 * solver prices every move itself; undoing moves here could break a
 * transient, spread or dependency constraint) and refuses a cap on moves
 * with the reason, on the random zoned datacenters of the plan test. */
static void test_plan__prune_leaves_rebalancing_targets_alone(void **state) {
  uint64_t x = 99;
  int pruned = 0;
  (void)state;
  for (int round = 0; round < 100; round++) {
    vmp_problem *p = tu_zoned_problem(&x, 14, 90, round % 2);
    size_t nv = vmp_problem_num_vms(p), cur[12], tgt[12];
    vmp_solution *t = NULL, *r = NULL;
    if (!tu_random_clean(p, &x, 0, cur)) {
      vmp_problem_free(p);
      continue;
    }
    for (size_t v = 0; v < nv; v++) assert_int_equal(vmp_problem_set_vm_host(p, v, cur[v]), VMP_OK);
    if (!tu_random_clean(p, &x, 0, tgt)) {
      vmp_problem_free(p);
      continue;
    }
    assert_int_equal(vmp_evaluate(p, tgt, &t), VMP_OK);
    tu_assert_error(vmp_solution_prune_moves(p, t, 1, &r), VMP_ENOTSUP,
                    "max_moves: a cap on moves is not supported with the rebalancing model");
    assert_int_equal(vmp_solution_prune_moves(p, t, VMP_NONE, &r), VMP_OK);
    for (size_t v = 0; v < nv; v++) assert_int_equal(vmp_solution_vm_host(r, v), tgt[v]);
    assert_true(vmp_solution_objective(r) == vmp_solution_objective(t));
    pruned++;
    vmp_solution_free(r);
    vmp_solution_free(t);
    vmp_problem_free(p);
  }
  assert_true(pruned >= 30);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plan__single_move_and_duration),
      cmocka_unit_test(test_plan__nothing_to_do_is_an_empty_complete_plan),
      cmocka_unit_test(test_plan__vm_in_flight_counts_on_both_hosts),
      cmocka_unit_test(test_plan__per_host_cap_makes_waves),
      cmocka_unit_test(test_plan__cap_counts_the_target_too),
      cmocka_unit_test(test_plan__swap_without_room_is_blocked_with_reasons),
      cmocka_unit_test(test_plan__swap_goes_through_a_staging_host),
      cmocka_unit_test(test_plan__staging_host_must_be_allowed),
      cmocka_unit_test(test_plan__three_cycle_is_broken_once),
      cmocka_unit_test(test_plan__blocked_swap_is_staged_early_on_a_second_pass),
      cmocka_unit_test(test_plan__dependency_rotation_moves_in_one_wave),
      cmocka_unit_test(test_plan__anti_affinity_holds_between_waves),
      cmocka_unit_test(test_plan__start_waits_for_the_spread_it_needs),
      cmocka_unit_test(test_plan__affinity_group_larger_than_the_cap_moves),
      cmocka_unit_test(test_plan__allow_stop_moves_a_stuck_swap_cold),
      cmocka_unit_test(test_plan__new_vm_is_started_and_running_vm_never_stopped),
      cmocka_unit_test(test_plan__allow_stop_stops_unplaced_vms_first),
      cmocka_unit_test(test_plan__bad_input),
      cmocka_unit_test(test_plan__json_round_trip),
      cmocka_unit_test(test_plan__reader_refuses_unsafe_and_malformed_plans),
      cmocka_unit_test(test_plan__checker_compares_with_problem_and_target),
      cmocka_unit_test(test_plan__prune_keeps_only_moves_with_gain),
      cmocka_unit_test(test_plan__prune_undoes_a_useless_swap),
      cmocka_unit_test(test_plan__prune_with_balance_and_affinity_units),
      cmocka_unit_test(test_plan__prune_cannot_undo_needed_moves),
      cmocka_unit_test(test_plan__random_plans_pass_the_checker),
      cmocka_unit_test(test_plan__random_rebalancing_plans_keep_every_wave_feasible),
      cmocka_unit_test(test_plan__prune_leaves_rebalancing_targets_alone),
      cmocka_unit_test(test_plan__temporary_eviction_frees_a_third_host),
      cmocka_unit_test(test_plan__no_eviction_leaves_the_swap_blocked),
      cmocka_unit_test(test_plan__eviction_keeps_transient_resources_held),
      cmocka_unit_test(test_plan__checker_holds_transient_resources_while_away),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
