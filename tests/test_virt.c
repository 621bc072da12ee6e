/* The libvirt adapter on libvirt's test driver: a datacenter of four hosts,
 * one custom node XML each (tests/data/virt), opened in this process.
 * Snapshots, cold moves for real, live migrations through a wrapped
 * virDomainMigrateToURI3 (the test driver cannot migrate), every libvirt
 * call of a plan failed in turn, a crash at every call followed by a
 * resume from the journal, and a rebalance end to end. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "virt/virt_impl.h"
#include "virt_wrap.h"

static const char *const HOSTS[] = {"h1", "h2", "h3", "h4"};
#define NHOSTS 4

static char logbuf[8192];
static char tmpdir[256];

static void capture_log(int level, const char *msg, void *ud) {
  size_t len = strlen(logbuf);
  (void)ud;
  snprintf(logbuf + len, sizeof logbuf - len, "[%d] %s\n", level, msg);
}

static vmp_virt *session(void) {
  vmp_virt_opts o = VMP_VIRT_OPTS_INIT;
  vmp_virt *v = NULL;
  o.log = capture_log;
  o.log_level = VMP_LOG_INFO;
  logbuf[0] = '\0';
  assert_int_equal(vmp_virt_new(&o, &v), VMP_OK);
  vw_reset(v);
  return v;
}

static vmp_problem *inventory(void) {
  vmp_problem *inv = NULL;
  assert_int_equal(vmp_problem_read(VMPLACE_VIRT_INVENTORY, VMP_FORMAT_JSON, &inv), VMP_OK);
  return inv;
}

static vmp_problem *snap(vmp_virt *v, uint32_t flags) {
  vmp_problem *inv = inventory(), *p = NULL;
  int rc = vmp_virt_snapshot(v, inv, flags, &p);
  if (rc) fail_msg("snapshot: %s: %s", vmp_err_name(rc), vmp_last_error());
  vmp_problem_free(inv);
  return p;
}

static virConnectPtr conn(vmp_virt *v, const char *host) {
  char uri[1024];
  virConnectPtr c = NULL;
  snprintf(uri, sizeof uri, "test://%s/%s.xml", VMPLACE_VIRT_DATA, host);
  assert_int_equal(vmp__virt_conn(v, uri, &c), VMP_OK);
  return c;
}

/* Where vm runs and how many hosts hold a definition or a running copy. */
typedef struct seen {
  int nactive, ndefs;
  const char *active_on;
} seen;

static seen where(vmp_virt *v, const char *vm) {
  seen s = {0, 0, NULL};
  for (int h = 0; h < NHOSTS; h++) {
    virDomainPtr d = virDomainLookupByName(conn(v, HOSTS[h]), vm);
    if (!d) continue;
    s.ndefs++;
    if (virDomainIsActive(d) == 1) {
      s.nactive++;
      s.active_on = HOSTS[h];
    }
    virDomainFree(d);
  }
  return s;
}

static size_t host_of(const vmp_problem *p, const char *vm) {
  size_t v;
  assert_int_equal(vmp_problem_find_vm(p, vm, &v), VMP_OK);
  return vmp_problem_vm_host(p, v);
}

/* The target "vm=host,..." from p's current placement (tu_target), which
 * every test here means to be valid. */
static vmp_solution *target(const vmp_problem *p, const char *spec) {
  vmp_solution *s = tu_target(p, spec);
  assert_int_not_equal(vmp_solution_status(s), VMP_STATUS_INVALID);
  return s;
}

static vmp_plan *plan_of(const vmp_problem *p, const vmp_solution *t) {
  vmp_plan *pl = NULL;
  assert_int_equal(vmp_plan_new(p, t, NULL, &pl), VMP_OK);
  return pl;
}

static const char *journal_path(const char *name) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  unlink(path);
  return path;
}

static int apply(vmp_virt *v, const vmp_plan *pl, const char *journal, int cold,
                 vmp_apply_report **rep) {
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  o.allow_cold_move = cold;
  o.journal = journal;
  return vmp_virt_apply(v, pl, &o, rep);
}

/* Every VM of p runs exactly once, on a host its plan steps touch (its
 * source, a staging host or its target).  VMs that a start step launches
 * run at most once and keep a definition. */
static void assert_consistent(vmp_virt *v, const vmp_problem *p, const vmp_plan *pl) {
  for (size_t vm = 0; vm < vmp_problem_num_vms(p); vm++) {
    const char *name = vmp_problem_vm_name(p, vm);
    size_t cur = vmp_problem_vm_host(p, vm);
    seen s = where(v, name);
    int ok = 0;
    if (cur == VMP_NONE) {
      assert_true(s.nactive <= 1);
      assert_true(s.ndefs >= 1);
      continue;
    }
    if (s.nactive != 1) fail_msg("%s runs on %d hosts", name, s.nactive);
    ok = !strcmp(s.active_on, vmp_problem_host_name(p, cur));
    for (size_t k = 0; k < vmp_plan_num_steps(pl); k++)
      if (!strcmp(vmp_plan_step_vm(pl, k), name) && !strcmp(vmp_plan_step_to(pl, k), s.active_on))
        ok = 1;
    if (!ok) fail_msg("%s runs on %s, off its route", name, s.active_on);
  }
}

/* Every VM runs once, where target puts it, with exactly one definition. */
static void assert_at_target(vmp_virt *v, const vmp_problem *p, const vmp_solution *t) {
  for (size_t vm = 0; vm < vmp_problem_num_vms(p); vm++) {
    const char *name = vmp_problem_vm_name(p, vm);
    seen s = where(v, name);
    if (s.nactive != 1 || s.ndefs != 1)
      fail_msg("%s: %d running copies, %d definitions", name, s.nactive, s.ndefs);
    assert_string_equal(s.active_on, vmp_solution_vm_host_name(t, vm));
  }
}

/* Frees what a test made, in reverse order of making (each may be NULL). */
static void release(vmp_virt *v, vmp_problem *p, vmp_solution *t, vmp_plan *pl) {
  tu_release(p, t, pl);
  vmp_virt_free(v);
}

/* ---- snapshot ----------------------------------------------------------------------- */

static void test_virt__snapshot_reads_the_datacenter(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  size_t idx, cpu, mem, disk;
  (void)state;
  assert_int_equal(vmp_has_feature("libvirt"), 1);
  assert_int_equal(vmp_problem_num_hosts(p), 4);
  assert_int_equal(vmp_problem_num_vms(p), 8);
  vmp_problem_find_resource(p, "cpu", &cpu);
  vmp_problem_find_resource(p, "memory_mib", &mem);
  vmp_problem_find_resource(p, "disk_gb", &disk);
  /* reconciliation: 0 takes libvirt's 8 CPUs and 16 GiB; h4's 6 CPUs are
   * kept (held back); its 65536 MiB exceed the node and are cut */
  assert_true(vmp_problem_host_capacity(p, 0, cpu) == 8);
  assert_true(vmp_problem_host_capacity(p, 0, mem) == 16384);
  assert_true(vmp_problem_host_capacity(p, 3, cpu) == 6);
  assert_true(vmp_problem_host_capacity(p, 3, mem) == 16384);
  assert_true(vmp_problem_host_capacity(p, 3, disk) == 4000);
  assert_true(vmp_problem_host_reserved(p, 3, mem) == 1024);
  assert_non_null(strstr(logbuf, "h4: capacity.memory_mib 65536 in the inventory exceeds the "
                                 "16384 libvirt reports; using 16384"));
  /* VMs host by host, by name; demands from libvirt or the metadata */
  assert_string_equal(vmp_problem_vm_name(p, 0), "db-1");
  assert_string_equal(vmp_problem_vm_name(p, 1), "web-1");
  assert_string_equal(vmp_problem_vm_name(p, 7), "app-2");
  assert_int_equal(vmp_problem_find_vm(p, "db-1", &idx), VMP_OK);
  assert_int_equal(vmp_problem_vm_host(p, idx), 0);
  assert_true(vmp_problem_vm_demand(p, idx, cpu) == 4);
  assert_true(vmp_problem_vm_demand(p, idx, mem) == 4096);
  assert_true(vmp_problem_vm_demand(p, idx, disk) == 200);
  assert_int_equal(vmp_problem_vm_priority(p, idx), 100);
  assert_string_equal(vmp_problem_vm_label(p, idx, "tier"), "db");
  /* the test driver reports 1099506450432 bytes for every disk; the
   * CD-ROM is not counted */
  assert_int_equal(vmp_problem_find_vm(p, "web-1", &idx), VMP_OK);
  assert_true(vmp_problem_vm_demand(p, idx, disk) == 1099.506450432);
  assert_int_equal(vmp_problem_find_vm(p, "batch-1", &idx), VMP_OK);
  assert_true(vmp_problem_vm_migration_cost(p, idx) == 10);
  /* the group from metadata, and the shut-off spare-1 left out */
  assert_int_equal(vmp_problem_num_groups(p), 1);
  assert_string_equal(vmp_problem_group_name(p, 0), "web-spread");
  assert_int_equal(vmp_problem_group_num_vms(p, 0), 2);
  assert_int_equal(vmp_problem_find_vm(p, "spare-1", &idx), VMP_ENOTFOUND);
  vmp_problem_free(p);
  p = snap(v, VMP_SNAPSHOT_INACTIVE);
  assert_int_equal(vmp_problem_num_vms(p), 9);
  assert_int_equal(host_of(p, "spare-1"), VMP_NONE);
  vmp_problem_free(p);
  vmp_virt_free(v);
}

/* Runs f with stderr sent to a file; returns what was written there. */
static size_t stderr_bytes_during(void (*f)(void)) {
  char path[512];
  struct stat st;
  int saved = dup(2), fd;
  snprintf(path, sizeof path, "%s/stderr", tmpdir);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fflush(stderr);
  dup2(fd, 2);
  f();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  stat(path, &st);
  return (size_t)st.st_size;
}

static void unreachable_host(void) {
  vmp_virt *v = session();
  vmp_problem *inv = inventory(), *p = NULL;
  vmp_problem_set_host_uri(inv, 2, "test:///no/such/node.xml");
  tu_assert_error(vmp_virt_snapshot(v, inv, 0, &p), VMP_EVIRT,
                  "inventory host h3: cannot connect to test:///no/such/node.xml: ");
  assert_null(p);
  vmp_problem_free(inv);
  vmp_virt_free(v);
}

static void test_virt__libvirt_errors_carry_its_message_and_never_print(void **state) {
  (void)state;
  assert_int_equal(stderr_bytes_during(unreachable_host), 0);
  /* libvirt's own words */
  assert_non_null(strstr(vmp_last_error(), "/no/such/node.xml"));
}

static void test_virt__inventory_errors(void **state) {
  vmp_virt *v = session();
  vmp_problem *inv = inventory(), *p = NULL;
  (void)state;
  vmp_problem_set_host_uri(inv, 1, NULL);
  tu_assert_error(vmp_virt_snapshot(v, inv, 0, &p), VMP_EINVAL, "inventory host h2 has no uri");
  vmp_problem_set_host_uri(inv, 1, vmp_problem_host_uri(inv, 0));
  tu_assert_error(vmp_virt_snapshot(v, inv, 0, &p), VMP_EINVAL,
                  "inventory hosts h1 and h2 share the uri");
  vmp_problem_free(inv);
  inv = inventory();
  vmp_problem_add_vm(inv, "ghost", NULL, NULL);
  tu_assert_error(vmp_virt_snapshot(v, inv, 0, &p), VMP_EINVAL, "the inventory lists 1 VMs");
  tu_assert_error(vmp_virt_snapshot(v, inv, 0x10, &p), VMP_EINVAL, "unknown snapshot flags");
  assert_null(p);
  vmp_problem_free(inv);
  vmp_virt_free(v);
}

/* A one-host inventory on a node file of tests/data/virt. */
static int snapshot_node(vmp_virt *v, const char *file, vmp_problem **out) {
  char json[2048];
  vmp_problem *inv;
  int rc;
  snprintf(json, sizeof json,
           "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\",\"disk_gb\"],\"hosts\":["
           "{\"name\":\"h1\",\"uri\":\"test:///%s/h1.xml\",\"capacity\":{\"cpu\":0,"
           "\"memory_mib\":0,\"disk_gb\":100}},"
           "{\"name\":\"x\",\"uri\":\"test://%s/%s\",\"capacity\":{\"cpu\":0,\"memory_mib\":0,"
           "\"disk_gb\":100}}]}",
           VMPLACE_VIRT_DATA, VMPLACE_VIRT_DATA, file);
  inv = tu_problem_json(json);
  rc = vmp_virt_snapshot(v, inv, 0, out);
  vmp_problem_free(inv);
  return rc;
}

static void test_virt__bad_metadata_is_refused_with_its_place(void **state) {
  static const struct {
    const char *file;
    int rc;
    const char *needle;
  } cases[] = {
      {"bad_element.xml", VMP_EPARSE, "x: domain odd-1: metadata: <vmplace:pined>: unknown element"},
      {"bad_priority.xml", VMP_EPARSE,
       "x: domain odd-2: metadata: <vmplace:priority>: expected an integer 0..1000000, got \"high\""},
      {"bad_host.xml", VMP_ENOTFOUND,
       "x: domain odd-3: metadata: <vmplace:allowed-host>: \"h9\" is not in the inventory"},
      {"bad_group.xml", VMP_EPARSE,
       "group g: domains odd-4 and odd-5 describe it differently"},
      {"bad_resource.xml", VMP_ENOTFOUND,
       "x: domain odd-6: metadata: <vmplace:demand>: unknown resource \"gpu\""},
      {"twice.xml", VMP_ESTATE, "domain web-1 runs on both h1 and x"},
  };
  vmp_virt *v = session();
  (void)state;
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    vmp_problem *p = NULL;
    tu_assert_error(snapshot_node(v, cases[k].file, &p), cases[k].rc, cases[k].needle);
    assert_null(p);
  }
  vmp_virt_free(v);
}

/* ---- cold moves on the test driver --------------------------------------------------- */

/* The tour: four moves that touch every host (h4 in two waves) and a
 * start step for the shut-off spare-1, whose definition is on h3. */
static const char *TOUR = "app-1=h1,app-2=h3,cache-1=h4,batch-1=h2,spare-1=h4";

static void test_virt__cold_moves_reach_the_target(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, VMP_SNAPSHOT_INACTIVE), *after;
  vmp_solution *t = target(p, TOUR);
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_report *rep = NULL;
  (void)state;
  assert_int_equal(vmp_plan_num_steps(pl), 5);
  assert_int_equal(vmp_plan_num_waves(pl), 2);
  /* without cold moves nothing can move: every live attempt is refused,
   * and the second wave does not run */
  tu_assert_error(apply(v, pl, NULL, 0, &rep), VMP_EVIRT,
                  "p2p migration is not supported by the source host; it can only move shut down");
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_DONE), 0);
  assert_true(vmp_apply_report_num_in_state(rep, VMP_STEP_PENDING) > 0);
  vmp_apply_report_free(rep);
  assert_consistent(v, p, pl);
  assert_string_equal(where(v, "app-1").active_on, "h4");
  assert_int_equal(apply(v, pl, journal_path("cold"), 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_DONE), 5);
  for (size_t k = 0; k < 5; k++)
    assert_string_equal(vmp_apply_report_method(rep, k),
                        vmp_plan_step_action(pl, k) == VMP_ACTION_START ? "start" : "cold");
  vmp_apply_report_free(rep);
  assert_at_target(v, p, t);
  /* the same session's fresh snapshot shows the target */
  after = snap(v, VMP_SNAPSHOT_INACTIVE);
  assert_int_equal(host_of(after, "app-1"), 0);
  assert_int_equal(host_of(after, "spare-1"), 3);
  assert_int_equal(host_of(after, "db-1"), 0);
  vmp_problem_free(after);
  /* applying again finds everything done */
  assert_int_equal(apply(v, pl, journal_path("cold"), 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_ALREADY), 5);
  vmp_apply_report_free(rep);
  release(v, p, t, pl);
}

static void test_virt__dry_run_changes_nothing(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, VMP_SNAPSHOT_INACTIVE);
  vmp_solution *t = target(p, TOUR);
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_apply_report *rep = NULL;
  const char *j = journal_path("dry");
  (void)state;
  o.dry_run = 1;
  o.journal = j;
  assert_int_equal(vmp_virt_apply(v, pl, &o, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_WOULD_RUN), 5);
  assert_int_equal(vw.calls, 0);
  assert_int_equal(access(j, F_OK), -1);
  assert_string_equal(where(v, "app-1").active_on, "h4");
  vmp_apply_report_free(rep);
  release(v, p, t, pl);
}

/* ---- faults and crashes ------------------------------------------------------------- */

/* How many state-changing libvirt calls a clean run of the tour makes. */
static int tour_calls(void) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, VMP_SNAPSHOT_INACTIVE);
  vmp_solution *t = target(p, TOUR);
  vmp_plan *pl = plan_of(p, t);
  int n;
  assert_int_equal(apply(v, pl, NULL, 1, NULL), VMP_OK);
  n = vw.calls;
  release(v, p, t, pl);
  return n;
}

static void fault_run(int call, int crash) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, VMP_SNAPSHOT_INACTIVE);
  vmp_solution *t = target(p, TOUR);
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_report *rep = NULL;
  const char *j = journal_path("fault");
  int rc;
  if (crash)
    vw.crash_at = call;
  else
    vw.fail_at = call;
  rc = apply(v, pl, j, 1, &rep);
  if (rc == VMP_OK) fail_msg("call %d: the %s went unnoticed", call, crash ? "crash" : "fault");
  if (!crash) {
    /* The failed step was undone: every VM runs once, on its route. */
    assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_FAILED), 1);
    assert_consistent(v, p, pl);
  }
  vmp_apply_report_free(rep);
  vw.fail_at = vw.crash_at = 0;
  rc = apply(v, pl, j, 1, &rep);
  if (rc) fail_msg("call %d: the re-run failed: %s", call, vmp_last_error());
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_DONE) +
                       vmp_apply_report_num_in_state(rep, VMP_STEP_ALREADY),
                   5);
  assert_at_target(v, p, t);
  vmp_apply_report_free(rep);
  release(v, p, t, pl);
}

static void test_virt__each_call_failed_in_turn_is_undone(void **state) {
  int n = tour_calls();
  (void)state;
  /* 4 cold moves (a refused live attempt, define, shutdown, start, two
   * undefine attempts) and a start step (define, start, two undefine
   * attempts) */
  assert_int_equal(n, 4 * 6 + 4);
  for (int call = 1; call <= n; call++) fault_run(call, 0);
}

static void test_virt__a_crash_at_each_call_resumes_from_the_journal(void **state) {
  int n = tour_calls();
  (void)state;
  for (int call = 1; call <= n; call++) fault_run(call, 1);
}

static int stop_after(const vmp_apply_event *ev, void *ud) {
  return ev->state != VMP_STEP_PENDING && ev->step == *(size_t *)ud;
}

static void test_virt__a_stop_between_steps_resumes_from_the_journal(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, VMP_SNAPSHOT_INACTIVE);
  vmp_solution *t = target(p, TOUR);
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_apply_report *rep = NULL;
  size_t last = 2;
  (void)state;
  o.allow_cold_move = 1;
  o.journal = journal_path("stop");
  o.progress = stop_after;
  o.progress_userdata = &last;
  tu_assert_error(vmp_virt_apply(v, pl, &o, &rep), VMP_ECANCELED, "stopped after step 3");
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_DONE), 3);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_PENDING), 2);
  vmp_apply_report_free(rep);
  assert_consistent(v, p, pl);
  o.progress = NULL;
  assert_int_equal(vmp_virt_apply(v, pl, &o, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_ALREADY), 3);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_DONE), 2);
  assert_at_target(v, p, t);
  vmp_apply_report_free(rep);
  release(v, p, t, pl);
}

/* A copy on the target that no journal shows vmplace made is left alone. */
static void test_virt__a_copy_vmplace_did_not_make_is_left_alone(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1");
  vmp_plan *pl = plan_of(p, t);
  virDomainPtr d = virDomainLookupByName(conn(v, "h4"), "app-1"), copy;
  char *xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
  vmp_apply_report *rep = NULL;
  (void)state;
  copy = virDomainDefineXML(conn(v, "h1"), xml);
  assert_non_null(copy);
  tu_assert_error(apply(v, pl, journal_path("foreign"), 1, &rep), VMP_ESTATE,
                  "app-1 is on both h4 (running) and h1 (shut off), and no journal record shows "
                  "that vmplace made the copy on h1");
  assert_int_equal(where(v, "app-1").ndefs, 2);
  vmp_apply_report_free(rep);
  virDomainFree(copy);
  virDomainFree(d);
  free(xml);
  release(v, p, t, pl);
}

static void test_virt__journal_of_another_plan_is_refused(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t1 = target(p, "app-1=h1"), *t2 = target(p, "app-2=h1");
  vmp_plan *pl1 = plan_of(p, t1), *pl2 = plan_of(p, t2);
  const char *j = journal_path("other");
  vmp_apply_report *rep = NULL;
  char path[512];
  (void)state;
  snprintf(path, sizeof path, "%s", j);
  assert_int_equal(apply(v, pl1, path, 1, NULL), VMP_OK);
  tu_assert_error(apply(v, pl2, path, 1, &rep), VMP_ESTATE, "the journal belongs to another plan");
  assert_null(rep);
  /* a journal torn by a crash mid-record still reads */
  {
    FILE *f = fopen(path, "a");
    fputs("{\"step\":1,\"vm\":\"app-1\",\"ev", f);
    fclose(f);
  }
  assert_int_equal(apply(v, pl1, path, 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_ALREADY), 1);
  vmp_apply_report_free(rep);
  /* ... and was dropped, so the journal stays readable */
  assert_int_equal(apply(v, pl1, path, 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_ALREADY), 1);
  vmp_apply_report_free(rep);
  vmp_plan_free(pl1);
  vmp_plan_free(pl2);
  vmp_solution_free(t1);
  vmp_solution_free(t2);
  vmp_problem_free(p);
  vmp_virt_free(v);
}

/* A crash while the journal was created can tear its header line: that is
 * an empty journal, like a torn last line; a file that does not
 * start like a header is still refused, never cut. */
static void test_virt__torn_journal_header_is_an_empty_journal(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1");
  vmp_plan *pl = plan_of(p, t);
  const char *j = journal_path("torn_header");
  vmp_apply_report *rep = NULL;
  char path[512];
  FILE *f;
  (void)state;
  snprintf(path, sizeof path, "%s", j);
  f = fopen(path, "w");
  fputs("{\"vmplace_journal\":1,\"pl", f);
  fclose(f);
  assert_int_equal(apply(v, pl, path, 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_count(rep, VMP_STEP_DONE), 1);
  vmp_apply_report_free(rep);
  /* the header was written again: the journal reads */
  assert_int_equal(apply(v, pl, path, 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_count(rep, VMP_STEP_ALREADY), 1);
  vmp_apply_report_free(rep);
  f = fopen(path, "w");
  fputs("not a journal", f);
  fclose(f);
  tu_assert_error(apply(v, pl, path, 1, &rep), VMP_EPARSE, "not a vmplace journal");
  assert_null(rep);
  release(v, p, t, pl);
}

static void test_virt__transient_domain_only_moves_live(void **state) {
  static const char *xml =
      "<domain type='test'><name>tmp-1</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>"
      "<os><type arch='x86_64'>hvm</type></os></domain>";
  vmp_virt *v = session();
  virDomainPtr tr = virDomainCreateXML(conn(v, "h2"), xml, 0);
  vmp_problem *p;
  vmp_solution *t;
  vmp_plan *pl;
  (void)state;
  assert_non_null(tr);
  p = snap(v, 0);
  t = target(p, "tmp-1=h3");
  pl = plan_of(p, t);
  tu_assert_error(apply(v, pl, NULL, 1, NULL), VMP_ESTATE,
                  "tmp-1 is transient on h2: shutting it down would lose it");
  assert_string_equal(where(v, "tmp-1").active_on, "h2");
  virDomainFree(tr);
  release(v, p, t, pl);
}

/* Sets a domain's vmplace metadata, live and in its definition. */
static void set_metadata(vmp_virt *v, const char *host, const char *vm, const char *inner) {
  virDomainPtr d = virDomainLookupByName(conn(v, host), vm);
  assert_non_null(d);
  assert_int_equal(virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, inner, VMP__XMLNS_PREFIX,
                                        VMP__XMLNS,
                                        VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG),
                   0);
  virDomainFree(d);
}

/* A VM whose metadata says it cannot move live moves cold, and only with
 * cold moves allowed: no live migration is even tried (it would succeed
 * here, through the wrapper). */
static void test_virt__metadata_cold_only_moves_cold(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1,app-2=h3");
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_apply_report *rep = NULL;
  const char *journal = journal_path("cold-only");
  seen s;
  size_t k1 = strcmp(vmp_plan_step_vm(pl, 0), "app-1") ? 1 : 0;
  (void)state;
  assert_int_equal(vmp_plan_num_steps(pl), 2);
  vw.emulate_migrate = 1;
  set_metadata(v, "h4", "app-1", "<vm><live-migration>false</live-migration></vm>");
  /* the dry run tells which way it would go, and that it is not allowed */
  o.dry_run = 1;
  tu_assert_error(vmp_virt_apply(v, pl, &o, &rep), VMP_ESTATE,
                  "h4: the metadata of app-1 says it cannot move live "
                  "(<vmplace:live-migration>false); it can only move shut down (allow a cold move)");
  assert_int_equal(vmp_apply_report_state(rep, k1), VMP_STEP_FAILED);
  assert_string_equal(vmp_apply_report_method(rep, k1), "cold");
  assert_int_equal(vmp_apply_report_state(rep, 1 - k1), VMP_STEP_WOULD_RUN);
  assert_string_equal(vmp_apply_report_method(rep, 1 - k1), "live");
  vmp_apply_report_free(rep);
  o.allow_cold_move = 1;
  assert_int_equal(vmp_virt_apply(v, pl, &o, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_state(rep, k1), VMP_STEP_WOULD_RUN);
  assert_string_equal(vmp_apply_report_method(rep, k1), "cold");
  assert_string_equal(vmp_apply_report_message(rep, k1), "its metadata says it cannot move live");
  vmp_apply_report_free(rep);
  assert_int_equal(vw.migrations, 0);
  /* without cold moves: refused before anything changes; the other step,
   * in the same wave, moves live */
  tu_assert_error(apply(v, pl, journal, 0, &rep), VMP_ESTATE,
                  "the metadata of app-1 says it cannot move live");
  assert_int_equal(vmp_apply_report_state(rep, k1), VMP_STEP_FAILED);
  assert_int_equal(vmp_apply_report_state(rep, 1 - k1), VMP_STEP_DONE);
  vmp_apply_report_free(rep);
  assert_int_equal(vw.migrations, 1);
  s = where(v, "app-1");
  assert_int_equal(s.ndefs, 1);
  assert_string_equal(s.active_on, "h4");
  /* allowed: define on h1, shut down on h4, start on h1, undefine on h4 */
  assert_int_equal(apply(v, pl, journal, 1, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_state(rep, k1), VMP_STEP_DONE);
  assert_string_equal(vmp_apply_report_method(rep, k1), "cold");
  assert_int_equal(vmp_apply_report_state(rep, 1 - k1), VMP_STEP_ALREADY);
  vmp_apply_report_free(rep);
  assert_int_equal(vw.migrations, 1);
  assert_at_target(v, p, t);
  /* a value that is neither true nor false stops the step, naming it
   * (a snapshot would refuse it too: the plan is made before) */
  vmp_plan_free(pl);
  vmp_solution_free(t);
  vmp_problem_free(p);
  p = snap(v, 0);
  t = target(p, "app-2=h2");
  pl = plan_of(p, t);
  set_metadata(v, "h3", "app-2", "<vm><live-migration>maybe</live-migration></vm>");
  tu_assert_error(apply(v, pl, NULL, 1, NULL), VMP_ESTATE,
                  "cannot tell how app-2 may move: h3: domain app-2: metadata: "
                  "<vmplace:live-migration>: expected true or false, got \"maybe\"");
  assert_string_equal(where(v, "app-2").active_on, "h3");
  vmp_plan_free(pl);
  vmp_solution_free(t);
  vmp_problem_free(p);
  vmp_virt_free(v);
}

/* A stop step shuts down, where it runs, a VM the target leaves unplaced;
 * its definition stays there.  A failed shutdown leaves it running; a
 * re-run finds a stopped VM done. */
static void test_virt__stop_steps_shut_down_and_keep_the_definition(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=,app-2=h3");
  vmp_plan_opts po = VMP_PLAN_OPTS_INIT;
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_plan *pl = NULL;
  vmp_apply_report *rep = NULL;
  const char *journal = journal_path("stop");
  char *json = NULL;
  size_t ks;
  seen s;
  (void)state;
  po.allow_stop = 1;
  assert_int_equal(vmp_plan_new(p, t, &po, &pl), VMP_OK);
  assert_int_equal(vmp_plan_num_steps(pl), 2);
  ks = vmp_plan_step_action(pl, 0) == VMP_ACTION_STOP ? 0 : 1;
  assert_int_equal(vmp_plan_step_action(pl, ks), VMP_ACTION_STOP);
  assert_string_equal(vmp_plan_step_vm(pl, ks), "app-1");
  vw.emulate_migrate = 1;
  o.dry_run = 1;
  assert_int_equal(vmp_virt_apply(v, pl, &o, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_state(rep, ks), VMP_STEP_WOULD_RUN);
  assert_string_equal(vmp_apply_report_method(rep, ks), "stop");
  vmp_apply_report_free(rep);
  assert_string_equal(where(v, "app-1").active_on, "h4");
  /* the shutdown fails: the VM runs on, the report names the step */
  vw.fail_at = vw.calls + 1;
  tu_assert_error(apply(v, pl, journal, 0, &rep), VMP_EVIRT, "(stop app-1 on h4): h4: cannot shut down app-1");
  assert_int_equal(vmp_apply_report_state(rep, ks), VMP_STEP_FAILED);
  vmp_apply_report_free(rep);
  vw.fail_at = 0;
  s = where(v, "app-1");
  assert_int_equal(s.nactive, 1);
  assert_string_equal(s.active_on, "h4");
  /* the re-run stops it, keeping its definition on h4 */
  assert_int_equal(apply(v, pl, journal, 0, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_state(rep, ks), VMP_STEP_DONE);
  assert_string_equal(vmp_apply_report_method(rep, ks), "stop");
  assert_int_equal(vmp_apply_report_to_json(rep, &json), VMP_OK);
  assert_non_null(strstr(json, "\"to\": null"));
  vmp_free(json);
  vmp_apply_report_free(rep);
  s = where(v, "app-1");
  assert_int_equal(s.nactive, 0);
  assert_int_equal(s.ndefs, 1);
  {
    virDomainPtr d = virDomainLookupByName(conn(v, "h4"), "app-1");
    assert_non_null(d);
    assert_int_equal(virDomainIsPersistent(d), 1);
    virDomainFree(d);
  }
  assert_string_equal(where(v, "app-2").active_on, "h3");
  /* and again: found done */
  assert_int_equal(apply(v, pl, journal, 0, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_state(rep, ks), VMP_STEP_ALREADY);
  vmp_apply_report_free(rep);
  vmp_plan_free(pl);
  vmp_solution_free(t);
  vmp_problem_free(p);
  vmp_virt_free(v);
}

/* A transient VM has no definition to keep: a stop step refuses it. */
static void test_virt__stop_step_refuses_a_transient_vm(void **state) {
  static const char *xml =
      "<domain type='test'><name>tmp-2</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>"
      "<os><type arch='x86_64'>hvm</type></os></domain>";
  vmp_virt *v = session();
  virDomainPtr tr = virDomainCreateXML(conn(v, "h2"), xml, 0);
  vmp_problem *p;
  vmp_solution *t;
  vmp_plan_opts po = VMP_PLAN_OPTS_INIT;
  vmp_plan *pl = NULL;
  (void)state;
  assert_non_null(tr);
  p = snap(v, 0);
  t = target(p, "tmp-2=");
  po.allow_stop = 1;
  assert_int_equal(vmp_plan_new(p, t, &po, &pl), VMP_OK);
  tu_assert_error(apply(v, pl, NULL, 0, NULL), VMP_ESTATE,
                  "step 1 (stop tmp-2 on h2): tmp-2 is transient on h2: shutting it down would "
                  "lose it, and a stop step keeps the VM's definition");
  assert_string_equal(where(v, "tmp-2").active_on, "h2");
  virDomainFree(tr);
  vmp_plan_free(pl);
  vmp_solution_free(t);
  vmp_problem_free(p);
  vmp_virt_free(v);
}

static void test_virt__start_step_from_a_domain_xml_file(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t;
  vmp_plan *pl;
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_apply_report *rep = NULL;
  double d[3] = {1, 512, 10};
  size_t idx, h2;
  (void)state;
  assert_int_equal(vmp_problem_add_vm(p, "fresh-1", d, &idx), VMP_OK);
  vmp_problem_find_host(p, "h2", &h2);
  t = target(p, "fresh-1=h2");
  pl = plan_of(p, t);
  assert_int_equal(vmp_plan_step_action(pl, 0), VMP_ACTION_START);
  tu_assert_error(vmp_virt_apply(v, pl, &o, &rep), VMP_ENOTFOUND,
                  "no definition of fresh-1: no host of the plan has one");
  vmp_apply_report_free(rep);
  o.domain_xml_dir = VMPLACE_VIRT_DATA;
  if (vmp_virt_apply(v, pl, &o, &rep)) fail_msg("%s", vmp_last_error());
  assert_int_equal(vmp_apply_report_num_in_state(rep, VMP_STEP_DONE), 1);
  assert_string_equal(where(v, "fresh-1").active_on, "h2");
  vmp_apply_report_free(rep);
  release(v, p, t, pl);
}

/* ---- live migration (wrapped virDomainMigrateToURI3) ----------------------------------- */

static void test_virt__live_migration(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1,app-2=h3");
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_apply_report *rep = NULL;
  char *json = NULL;
  (void)state;
  vw.emulate_migrate = 1;
  o.bandwidth_mibps = 500;
  o.journal = journal_path("live");
  assert_int_equal(vmp_virt_apply(v, pl, &o, &rep), VMP_OK);
  assert_int_equal(vw.migrations, 2);
  assert_int_equal(vw.migrate_flags, VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER |
                                         VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE);
  assert_int_equal(vw.migrate_bandwidth, 500);
  assert_string_equal(vmp_apply_report_method(rep, 0), "live");
  assert_string_equal(vmp_apply_report_method(rep, 1), "live");
  assert_at_target(v, p, t);
  assert_int_equal(vmp_apply_report_to_json(rep, &json), VMP_OK);
  assert_non_null(strstr(json, "\"done\": 2"));
  assert_non_null(strstr(json, "\"method\": \"live\""));
  free(json);
  vmp_apply_report_free(rep);
  release(v, p, t, pl);
}

/* The inventory's migration network reaches virDomainMigrateToURI3, via
 * the plan JSON: h1 takes migrations on a given URI and listen address, h3
 * tunnelled. */
static void test_virt__migration_network(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1,app-2=h3");
  vmp_plan *made, *pl = NULL;
  size_t h1, h3;
  char *json = NULL;
  const char *uri, *listen;
  int tunnelled;
  (void)state;
  assert_int_equal(vmp_problem_find_host(p, "h1", &h1), VMP_OK);
  assert_int_equal(vmp_problem_find_host(p, "h3", &h3), VMP_OK);
  assert_int_equal(vmp_problem_set_host_migration(p, h1, "tcp://127.0.0.1:49300", "127.0.0.1", 0),
                   VMP_OK);
  assert_int_equal(vmp_problem_set_host_migration(p, h3, NULL, NULL, 1), VMP_OK);
  made = plan_of(p, t);
  assert_int_equal(vmp_plan_to_json(made, &json), VMP_OK);
  assert_non_null(strstr(json, "\"tunnelled\": true"));
  assert_int_equal(vmp_plan_parse(json, strlen(json), "plan.json", &pl), VMP_OK);
  assert_int_equal(vmp_plan_host_migration(pl, h1, &uri, &listen, &tunnelled), VMP_OK);
  assert_string_equal(uri, "tcp://127.0.0.1:49300");
  assert_string_equal(listen, "127.0.0.1");
  assert_int_equal(tunnelled, 0);
  vw.emulate_migrate = 1;
  assert_int_equal(apply(v, pl, NULL, 1, NULL), VMP_OK);
  assert_int_equal(vw.migrations, 2);
  for (int k = 0; k < 2; k++) {
    unsigned int base = VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |
                        VIR_MIGRATE_UNDEFINE_SOURCE;
    if (vw.flags_of[k] & VIR_MIGRATE_TUNNELLED) {
      /* app-2 to h3 */
      assert_int_equal(vw.flags_of[k], base | VIR_MIGRATE_TUNNELLED);
      assert_string_equal(vw.uri_of[k], "");
      assert_string_equal(vw.listen_of[k], "");
    } else {
      assert_int_equal(vw.flags_of[k], base);
      assert_string_equal(vw.uri_of[k], "tcp://127.0.0.1:49300");
      assert_string_equal(vw.listen_of[k], "127.0.0.1");
    }
  }
  assert_int_not_equal(vw.flags_of[0] & VIR_MIGRATE_TUNNELLED, vw.flags_of[1] & VIR_MIGRATE_TUNNELLED);
  assert_at_target(v, p, t);
  vmp_free(json);
  vmp_plan_free(made);
  release(v, p, t, pl);
}

static void test_virt__failed_live_migration_removes_the_half_made_target(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1");
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_report *rep = NULL;
  seen s;
  (void)state;
  vw.emulate_migrate = 1;
  vw.migrate_half = 1;
  tu_assert_error(apply(v, pl, NULL, 1, &rep), VMP_EVIRT,
                  "step 1 (app-1 h4 -> h1): live migration of app-1 from h4 to h1");
  assert_int_equal(vmp_apply_report_state(rep, 0), VMP_STEP_FAILED);
  s = where(v, "app-1");
  assert_int_equal(s.nactive, 1);
  assert_int_equal(s.ndefs, 1);
  assert_string_equal(s.active_on, "h4");
  vmp_apply_report_free(rep);
  /* a failure that is not "unsupported" is not retried cold */
  vw.migrate_half = 0;
  vw.fail_at = vw.calls + 1;
  tu_assert_error(apply(v, pl, NULL, 1, NULL), VMP_EVIRT, "live migration of app-1");
  assert_string_equal(where(v, "app-1").active_on, "h4");
  release(v, p, t, pl);
}

/* ---- CPU scheduler parameters ---------------------------------------------------------- */

static void test_virt__cpu_scheduler_values(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0);
  vmp_solution *t = target(p, "app-1=h1");
  vmp_plan *pl = plan_of(p, t);
  vmp_apply_opts o = VMP_APPLY_OPTS_INIT;
  vmp_apply_report *rep = NULL;
  vmp_cpu_sched e[2] = {{"app-1", 2048, 50000, 100000}, {"db-1", 512, 0, 0}};
  (void)state;
  vw.emulate_migrate = 1;
  vw.record_sched = 1;
  o.cpu_sched = e;
  o.ncpu_sched = 2;
  assert_int_equal(vmp_virt_apply(v, pl, &o, &rep), VMP_OK);
  assert_int_equal(vmp_apply_report_cpu_sched(rep), 2);
  assert_int_equal(vw.nsched, 2);
  assert_string_equal(vw.sched[0].vm, "app-1");
  assert_true(vw.sched[0].has_shares && vw.sched[0].shares == 2048);
  assert_true(vw.sched[0].has_quota && vw.sched[0].quota == 50000);
  assert_true(vw.sched[0].has_period && vw.sched[0].period == 100000);
  assert_int_equal(vw.sched[0].flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG);
  assert_string_equal(vw.sched[1].vm, "db-1");
  assert_false(vw.sched[1].has_quota || vw.sched[1].has_period);
  vmp_apply_report_free(rep);
  /* on its own, through a problem */
  vw.nsched = 0;
  vmp_problem_free(p);
  p = snap(v, 0);
  assert_int_equal(vmp_virt_set_cpu_sched(v, p, e, 1), VMP_OK);
  assert_int_equal(vw.nsched, 1);
  e[1].vm = "nobody";
  tu_assert_error(vmp_virt_set_cpu_sched(v, p, e, 2), VMP_ENOTFOUND,
                  "cpu_sched: nobody runs on no host");
  e[1].vm = "db-1";
  e[1].vcpu_quota = -5;
  tu_assert_error(vmp_virt_set_cpu_sched(v, p, e, 2), VMP_EINVAL, "vcpu_quota must be -1");
  /* the test driver itself has no cpu_shares: libvirt's refusal, verbatim */
  vw.record_sched = 0;
  tu_assert_error(vmp_virt_set_cpu_sched(v, p, e, 1), VMP_EVIRT,
                  "h1: app-1: cannot set CPU scheduler parameters: argument unsupported: "
                  "parameter 'cpu_shares' not supported");
  release(v, p, t, pl);
}

/* ---- rebalance end to end ---------------------------------------------------------------- */

/* What `vmplace rebalance` does, through the library: consolidate the
 * four-host datacenter and check a fresh snapshot against the target. */
static void test_virt__rebalance_consolidates_and_verifies(void **state) {
  vmp_virt *v = session();
  vmp_problem *p = snap(v, 0), *after;
  vmp_solution *now = NULL, *solved = tu_solve(p, "greedy", 5), *t = NULL, *then = NULL;
  vmp_plan *pl;
  (void)state;
  assert_int_equal(vmp_evaluate_current(p, &now), VMP_OK);
  assert_int_equal(vmp_solution_hosts_used(now), 4);
  assert_int_equal(vmp_solution_prune_moves(p, solved, VMP_NONE, &t), VMP_OK);
  assert_int_equal(vmp_solution_hosts_used(t), 3);
  pl = plan_of(p, t);
  assert_int_equal(vmp_plan_status(pl), VMP_PLAN_COMPLETE);
  assert_true(vmp_plan_num_steps(pl) >= 2);
  assert_int_equal(apply(v, pl, NULL, 1, NULL), VMP_OK);
  after = snap(v, 0);
  for (size_t vm = 0; vm < vmp_problem_num_vms(p); vm++) {
    size_t idx;
    assert_int_equal(vmp_problem_find_vm(after, vmp_problem_vm_name(p, vm), &idx), VMP_OK);
    assert_int_equal(vmp_problem_vm_host(after, idx), vmp_solution_vm_host(t, vm));
  }
  assert_int_equal(vmp_problem_num_vms(after), vmp_problem_num_vms(p));
  assert_int_equal(vmp_evaluate_current(after, &then), VMP_OK);
  assert_int_equal(vmp_solution_hosts_used(then), 3);
  assert_true(vmp_solution_objective(then) < vmp_solution_objective(now));
  vmp_solution_free(now);
  vmp_solution_free(then);
  vmp_solution_free(solved);
  vmp_solution_free(t);
  vmp_plan_free(pl);
  vmp_problem_free(after);
  vmp_problem_free(p);
  vmp_virt_free(v);
}

static int setup(void **state) {
  (void)state;
  /* tmpfs where there is one: the journal fsyncs every record. */
  snprintf(tmpdir, sizeof tmpdir, "%s/vmplace-test-virt-XXXXXX",
           access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
  char cmd[600];
  (void)state;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_virt__snapshot_reads_the_datacenter),
      cmocka_unit_test(test_virt__libvirt_errors_carry_its_message_and_never_print),
      cmocka_unit_test(test_virt__inventory_errors),
      cmocka_unit_test(test_virt__bad_metadata_is_refused_with_its_place),
      cmocka_unit_test(test_virt__cold_moves_reach_the_target),
      cmocka_unit_test(test_virt__dry_run_changes_nothing),
      cmocka_unit_test(test_virt__each_call_failed_in_turn_is_undone),
      cmocka_unit_test(test_virt__a_crash_at_each_call_resumes_from_the_journal),
      cmocka_unit_test(test_virt__a_stop_between_steps_resumes_from_the_journal),
      cmocka_unit_test(test_virt__a_copy_vmplace_did_not_make_is_left_alone),
      cmocka_unit_test(test_virt__journal_of_another_plan_is_refused),
      cmocka_unit_test(test_virt__torn_journal_header_is_an_empty_journal),
      cmocka_unit_test(test_virt__transient_domain_only_moves_live),
      cmocka_unit_test(test_virt__metadata_cold_only_moves_cold),
      cmocka_unit_test(test_virt__stop_steps_shut_down_and_keep_the_definition),
      cmocka_unit_test(test_virt__stop_step_refuses_a_transient_vm),
      cmocka_unit_test(test_virt__start_step_from_a_domain_xml_file),
      cmocka_unit_test(test_virt__live_migration),
      cmocka_unit_test(test_virt__migration_network),
      cmocka_unit_test(test_virt__failed_live_migration_removes_the_half_made_target),
      cmocka_unit_test(test_virt__cpu_scheduler_values),
      cmocka_unit_test(test_virt__rebalance_consolidates_and_verifies),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
