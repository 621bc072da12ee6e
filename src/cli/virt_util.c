/*
 * Helpers of the libvirt subcommands.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli_virt.h"

static void on_log(int level, const char *msg, void *ud) {
  static const char *const names[] = {"error", "warning", "info", "debug"};
  (void)ud;
  fprintf(stderr, "vmplace: %s: %s\n", names[level >= 0 && level <= 3 ? level : 3], msg);
}

int cli_virt_session(int verbose, vmp_virt **out) {
  vmp_virt_opts o;
  int rc;
  /* libvirt writes to its daemons' sockets: a daemon that goes away while
   * a plan runs (closing the connection when the session ends, or a call
   * on it) must fail that call, not end vmplace by SIGPIPE between a step
   * and its journal record.  libvirt asks its applications to ignore it. */
  signal(SIGPIPE, SIG_IGN);
  vmp_virt_opts_init(&o, VMP_VIRT_OPTS_VERSION);
  o.log = on_log;
  o.log_level = verbose ? VMP_LOG_INFO : VMP_LOG_WARN;
  rc = vmp_virt_new(&o, out);
  return rc ? cli_fail(rc) : EXIT_OK;
}

int cli_snapshot(vmp_virt *v, const char *inventory, uint32_t flags, vmp_problem **out) {
  vmp_problem *inv = NULL;
  int rc;
  *out = NULL;
  if ((rc = cli_load_problem(inventory, VMP_FORMAT_JSON, &inv))) return rc;
  rc = vmp_virt_snapshot(v, inv, flags, out);
  vmp_problem_free(inv);
  return rc ? cli_fail(rc) : EXIT_OK;
}

void cli_free_cpu_sched(vmp_cpu_sched *e, size_t n) {
  for (size_t k = 0; e && k < n; k++) free((char *)e[k].vm);
  free(e);
}

static int sched_field(const char *path, const char *vm, json_t *o, const char *key,
                       int allow_minus_one, long long *out) {
  json_t *v = json_object_get(o, key);
  *out = 0;
  if (!v) return 0;
  if (!json_is_integer(v) || json_integer_value(v) < (allow_minus_one ? -1 : 0)) {
    cli_error("%s: %s.%s: expected an integer >= %d", path, vm, key, allow_minus_one ? -1 : 0);
    return -1;
  }
  *out = (long long)json_integer_value(v);
  return 0;
}

int cli_read_cpu_sched(const char *path, vmp_cpu_sched **out, size_t *n) {
  json_error_t err;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &err), *o;
  const char *vm;
  size_t k = 0;
  *out = NULL;
  *n = 0;
  if (!root || !json_is_object(root)) {
    if (root)
      cli_error("%s: expected an object of VM -> {cpu_shares, vcpu_quota, vcpu_period}", path);
    else
      cli_error("%s: line %d: %s", path, err.line, err.text);
    json_decref(root);
    return EXIT_USAGE;
  }
  *out = calloc(json_object_size(root) + 1, sizeof **out);
  if (!*out) {
    json_decref(root);
    return cli_fail(VMP_ENOMEM);
  }
  json_object_foreach(root, vm, o) {
    long long shares, quota, period;
    const char *key;
    json_t *ignored;
    if (!json_is_object(o)) {
      cli_error("%s: %s: expected an object", path, vm);
      goto bad;
    }
    json_object_foreach(o, key, ignored) {
      (void)ignored;
      if (strcmp(key, "cpu_shares") && strcmp(key, "vcpu_quota") && strcmp(key, "vcpu_period")) {
        cli_error("%s: %s: unknown key \"%s\"", path, vm, key);
        goto bad;
      }
    }
    if (sched_field(path, vm, o, "cpu_shares", 0, &shares) ||
        sched_field(path, vm, o, "vcpu_quota", 1, &quota) ||
        sched_field(path, vm, o, "vcpu_period", 0, &period))
      goto bad;
    (*out)[k].vm = strdup(vm);
    (*out)[k].cpu_shares = (uint64_t)shares;
    (*out)[k].vcpu_quota = quota;
    (*out)[k].vcpu_period = (uint64_t)period;
    *n = ++k;
  }
  json_decref(root);
  return EXIT_OK;
bad:
  json_decref(root);
  cli_free_cpu_sched(*out, *n);
  *out = NULL;
  *n = 0;
  return EXIT_USAGE;
}

void cli_print_report(FILE *f, const vmp_plan *pl, const vmp_apply_report *r) {
  for (size_t k = 0; k < vmp_apply_report_num_steps(r); k++) {
    const char *method = vmp_apply_report_method(r, k), *msg = vmp_apply_report_message(r, k);
    const char *from = vmp_plan_step_from(pl, k), *to = vmp_plan_step_to(pl, k);
    fprintf(f, "  %-3zu %-20s %s -> %s  %s", k + 1, vmp_plan_step_vm(pl, k), from ? from : "(new)",
            to ? to : "(stopped)", vmp_step_state_name(vmp_apply_report_state(r, k)));
    if (method[0]) fprintf(f, " (%s)", method);
    if (msg[0]) fprintf(f, ": %s", msg);
    fputc('\n', f);
  }
}

int cli_apply_progress(const vmp_apply_event *ev, void *userdata) {
  /* An interrupt stops after the step in flight (finished or undone), so
   * the journal stays consistent. */
  if (cli_interrupted()) return 1;
  if (!userdata) return 0;
  if (ev->state == VMP_STEP_PENDING)
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s -> %s ...", ev->step + 1, ev->nsteps, ev->vm,
            ev->from ? ev->from : "(new)", ev->to);
  else
    fprintf(stderr, " %s\n", vmp_step_state_name(ev->state));
  fflush(stderr);
  return 0;
}
