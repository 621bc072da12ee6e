/*
 * vmplace rebalance — snapshot, solve, plan, apply, and check the result
 * with a fresh snapshot, in one process (so one libvirt session: libvirt's
 * test driver keeps its state in the connection).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_virt.h"
#include <vmplace/entitlements.h>

static void rebalance_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace rebalance --inventory FILE [OPTIONS]\n"
          "\n"
          "Takes a snapshot of the datacenter, solves it, keeps only the moves\n"
          "that gain something, plans them into capacity-safe waves, applies the\n"
          "plan through libvirt, then takes a fresh snapshot and checks that every\n"
          "VM is where the target put it.  Prints what moved and the score before\n"
          "and after.  A blocked plan is not applied.\n"
          "\n"
          "options:\n"
          "  -i, --inventory FILE     the inventory (required; see 'vmplace snapshot')\n"
          "  -s, --solver NAME        solver (default auto)\n"
          "  -t, --time-limit S       solver time limit (default 10)\n"
          "      --seed N             solver seed (default 1)\n"
          "      --max-moves N        move at most N VMs\n"
          "      --max-concurrent N   steps touching one host per wave (default 2)\n"
          "      --bandwidth MIBPS    migration bandwidth for the estimate (default\n"
          "                           1000)\n"
          "      --no-staging         no staging hosts for cycles\n"
          "      --allow-cold-move    move VMs shut down where live migration is not\n"
          "                           supported or their metadata forbids it\n"
          "      --journal FILE       journal of the apply (default: none)\n"
          "      --shutdown-timeout S seconds a guest gets to shut down (default 300)\n"
          "      --migrate-timeout S  abort a live migration after S seconds\n"
          "      --parallel N         run up to N steps of a wave at once (per host\n"
          "                           at most --max-concurrent; default 1)\n"
          "      --entitlements       then share each overcommitted host's CPU:\n"
          "                           set every placed VM's cpu_shares from its\n"
          "                           entitlement (see 'vmplace entitlements')\n"
          "      --entitlements-quota also cap each VM at its entitlement\n"
          "                           (vcpu_quota, vcpu_period)\n"
          "  -o, --output FILE        also write the plan JSON to FILE\n"
          "  -n, --dry-run            stop after planning; change nothing\n"
          "      --json               print the outcome as JSON (moves, verified,\n"
          "                           score_before, score_after, ...)\n"
          "  -v, --verbose            more detail on stderr\n"
          "  -q, --quiet              no report: the exit status says it all\n"
          "  -h, --help               this help\n"
          "\n"
          "Ctrl-C (or SIGTERM) during the solve keeps the best placement found so\n"
          "far; during the apply it stops after the step in flight (finished or\n"
          "undone); exit 130 (143) after the report.\n"
          "\n"
          "Exit status: 0 done and verified (or nothing to gain), 1 blocked plan,\n"
          "failed step or a fresh snapshot that differs from the target, 2 bad\n"
          "usage or input, 3 internal error.\n");
}

typedef struct rb {
  const char *inventory, *output;
  vmp_solve_opts so;
  vmp_plan_opts po;
  vmp_apply_opts ao;
  size_t max_moves;
  int json, verbose, quiet, entitlements; /* 0 no, 1 shares, 2 shares and quota */
} rb;

typedef struct outcome {
  vmp_problem *before, *after;
  vmp_solution *eval_before, *target, *eval_after;
  vmp_plan *plan;
  vmp_apply_report *report;
  vmp_cpu_sched *sched; /* VM names borrowed from `before` */
  size_t nsched, sched_set; /* entries, and how many were set */
  int applied, verified;
  char mismatch[512];
} outcome;

static int parse_args(int argc, char **argv, rb *R) {
  static const struct option longopts[] = {
      {"inventory", required_argument, NULL, 'i'}, {"solver", required_argument, NULL, 's'},
      {"time-limit", required_argument, NULL, 't'}, {"seed", required_argument, NULL, 'S'},
      {"max-moves", required_argument, NULL, 'm'},
      {"max-concurrent", required_argument, NULL, 'C'},
      {"bandwidth", required_argument, NULL, 'B'}, {"no-staging", no_argument, NULL, 'N'},
      {"allow-cold-move", no_argument, NULL, 'c'}, {"journal", required_argument, NULL, 'j'},
      {"shutdown-timeout", required_argument, NULL, 'T'},
      {"migrate-timeout", required_argument, NULL, 'M'}, {"parallel", required_argument, NULL, 'P'},
      {"entitlements", no_argument, NULL, 'E'}, {"entitlements-quota", no_argument, NULL, 'Q'},
      {"output", required_argument, NULL, 'o'}, {"dry-run", no_argument, NULL, 'n'},
      {"json", no_argument, NULL, 'J'}, {"verbose", no_argument, NULL, 'v'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  uint64_t u;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, ":i:s:t:o:nvqh", longopts, NULL)) != -1) {
    switch (c) {
      case 'i': R->inventory = optarg; break;
      case 's': R->so.solver = optarg; break;
      case 't':
        if (cli_parse_double("--time-limit", optarg, &R->so.time_limit)) return -1;
        break;
      case 'S':
        if (cli_parse_u64("--seed", optarg, &u)) return -1;
        R->so.seed = u;
        break;
      case 'm':
        if (cli_parse_u64("--max-moves", optarg, &u)) return -1;
        R->max_moves = (size_t)u;
        break;
      case 'C':
      case 'B':
      case 'N':
        if (cli_parse_plan_opt(c, optarg, &R->po)) return -1;
        break;
      case 'c': R->ao.allow_cold_move = 1; break;
      case 'j': R->ao.journal = optarg; break;
      case 'T':
        if (cli_parse_double("--shutdown-timeout", optarg, &R->ao.shutdown_timeout)) return -1;
        break;
      case 'M':
        if (cli_parse_double("--migrate-timeout", optarg, &R->ao.migrate_timeout)) return -1;
        break;
      case 'P':
        if (cli_parse_u64("--parallel", optarg, &u)) return -1;
        if (u > 64) {
          cli_error("--parallel: expected 1..64, got %llu", (unsigned long long)u);
          return -1;
        }
        R->ao.parallel = (uint32_t)u;
        break;
      case 'E':
        if (!R->entitlements) R->entitlements = 1;
        break;
      case 'Q': R->entitlements = 2; break;
      case 'o': R->output = optarg; break;
      case 'n': R->ao.dry_run = 1; break;
      case 'J': R->json = 1; break;
      case 'v': R->verbose = 1; break;
      case 'q': R->quiet = 1; break;
      case 'h': return 1;
      default: cli_bad_option(c, argv); return -1;
    }
  }
  if (!R->inventory || optind != argc) {
    cli_error("rebalance: expected --inventory FILE and no other argument");
    return -1;
  }
  return 0;
}

/* An interrupt stops the solve, which keeps its best placement. */
static int rebalance_progress(const vmp_progress *pr, void *ud) {
  (void)pr;
  (void)ud;
  return cli_interrupted() != 0;
}

/* Does the fresh snapshot show exactly the target placement? */
static int matches(const vmp_problem *after, const vmp_solution *target, char *why, size_t len) {
  size_t n = vmp_solution_num_vms(target);
  if (vmp_problem_num_vms(after) != n) {
    snprintf(why, len, "the fresh snapshot has %zu VMs, the target %zu", vmp_problem_num_vms(after),
             n);
    return 0;
  }
  for (size_t v = 0; v < n; v++) {
    const char *name = vmp_solution_vm_name(target, v), *want = vmp_solution_vm_host_name(target, v);
    const char *have;
    size_t idx;
    if (vmp_problem_find_vm(after, name, &idx)) {
      snprintf(why, len, "%s is missing from the fresh snapshot", name);
      return 0;
    }
    have = vmp_problem_host_name(after, vmp_problem_vm_host(after, idx));
    if ((have == NULL) != (want == NULL) || (have && strcmp(have, want))) {
      snprintf(why, len, "%s is on %s, the target puts it on %s", name, have ? have : "no host",
               want ? want : "no host");
      return 0;
    }
  }
  return 1;
}

static double objective(const vmp_solution *s) { return s ? vmp_solution_objective(s) : 0.0; }

static void print_text(const rb *R, const outcome *O) {
  printf("snapshot:   %zu hosts, %zu VMs, score %g (%zu hosts used)\n",
         vmp_problem_num_hosts(O->before), vmp_problem_num_vms(O->before), objective(O->eval_before),
         vmp_solution_hosts_used(O->eval_before));
  printf("target:     score %g (%zu hosts used), solver %s; moves without gain left out\n",
         objective(O->target), vmp_solution_hosts_used(O->target), vmp_solution_solver(O->target));
  cli_print_plan(stdout, O->plan);
  if (O->applied) {
    printf("apply:\n");
    cli_print_report(stdout, O->plan, O->report);
  }
  if (O->nsched && !R->ao.dry_run)
    printf("cpu:        scheduler values set on %zu of %zu VMs from their entitlements\n",
           O->sched_set, O->nsched);
  if (R->ao.dry_run)
    printf("dry run:    nothing was changed\n");
  else if (O->eval_after)
    printf("verified:   %s\n", O->verified ? "yes, the fresh snapshot shows the target placement"
                                           : O->mismatch);
  if (O->eval_after)
    printf("score:      %g -> %g (hosts used %zu -> %zu)\n", objective(O->eval_before),
           objective(O->eval_after), vmp_solution_hosts_used(O->eval_before),
           vmp_solution_hosts_used(O->eval_after));
}

static json_t *jmoves(const outcome *O) {
  json_t *a = json_array();
  for (size_t k = 0; a && k < vmp_plan_num_steps(O->plan); k++) {
    int state = O->report ? vmp_apply_report_state(O->report, k) : VMP_STEP_WOULD_RUN;
    const char *from = vmp_plan_step_from(O->plan, k), *to = vmp_plan_step_to(O->plan, k);
    json_t *o;
    if (O->applied && state != VMP_STEP_DONE && state != VMP_STEP_ALREADY) continue;
    o = json_pack("{s:s, s:o, s:o, s:i, s:b, s:s, s:s}", "vm", vmp_plan_step_vm(O->plan, k), "from",
                  from ? json_string(from) : json_null(), "to", to ? json_string(to) : json_null(),
                  "wave", (int)vmp_plan_step_wave(O->plan, k) + 1, "staging",
                  vmp_plan_step_staging(O->plan, k), "state", vmp_step_state_name(state), "method",
                  O->report ? vmp_apply_report_method(O->report, k) : "");
    if (!o || json_array_append_new(a, o)) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static int print_json(const rb *R, const outcome *O) {
  json_t *root = json_object(), *blocked = json_array();
  char *text;
  int bad = !root || !blocked;
  for (size_t k = 0; !bad && k < vmp_plan_num_blocked(O->plan); k++)
    bad |= json_array_append_new(
        blocked, json_pack("{s:s, s:s}", "vm", vmp_plan_blocked_vm(O->plan, k), "reason",
                           vmp_plan_blocked_reason(O->plan, k)));
  if (!bad) {
    bad |= json_object_set_new(root, "dry_run", json_boolean(R->ao.dry_run));
    bad |= json_object_set_new(root, "plan_status",
                               json_string(vmp_plan_status_name(vmp_plan_status(O->plan))));
    bad |= json_object_set_new(root, "moves", jmoves(O));
    bad |= json_object_set_new(root, "blocked", blocked);
    blocked = NULL;
    bad |= json_object_set_new(root, "verified", json_boolean(O->verified));
    bad |= json_object_set_new(root, "score_before", json_real(objective(O->eval_before)));
    bad |= json_object_set_new(root, "score_target", json_real(objective(O->target)));
    bad |= json_object_set_new(root, "score_after", O->eval_after ? json_real(objective(O->eval_after))
                                                                  : json_null());
    bad |= json_object_set_new(root, "hosts_used_before",
                               json_integer((json_int_t)vmp_solution_hosts_used(O->eval_before)));
    bad |= json_object_set_new(
        root, "hosts_used_after",
        O->eval_after ? json_integer((json_int_t)vmp_solution_hosts_used(O->eval_after))
                      : json_null());
    bad |= json_object_set_new(root, "solver", json_string(vmp_solution_solver(O->target)));
    if (O->nsched)
      bad |= json_object_set_new(
          root, "cpu_sched_set",
          json_integer((json_int_t)O->sched_set));
    if (!O->verified && O->mismatch[0])
      bad |= json_object_set_new(root, "mismatch", json_string(O->mismatch));
  }
  text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  json_decref(blocked);
  if (!text) return cli_fail(VMP_ENOMEM);
  puts(text);
  free(text);
  return EXIT_OK;
}

static void outcome_free(outcome *O) {
  vmp_problem_free(O->before);
  vmp_problem_free(O->after);
  vmp_solution_free(O->eval_before);
  vmp_solution_free(O->target);
  vmp_solution_free(O->eval_after);
  vmp_plan_free(O->plan);
  vmp_apply_report_free(O->report);
  free(O->sched);
}

/* Scheduler values from the entitlements of the target placement. */
static int entitlements(const rb *R, outcome *O) {
  vmp_entitlements *e = NULL;
  size_t n = 0;
  int rc = vmp_entitlements_compute(O->before, O->target, NULL, &e);
  if (rc) return cli_fail(rc);
  if (!(O->sched = calloc(vmp_entitlements_num_vms(e) + 1, sizeof *O->sched))) {
    vmp_entitlements_free(e);
    return cli_fail(VMP_ENOMEM);
  }
  for (size_t v = 0; v < vmp_entitlements_num_vms(e); v++) {
    if (vmp_entitlements_vm_host(e, v) == VMP_NONE) continue;
    O->sched[n].vm = vmp_problem_vm_name(O->before, v);
    O->sched[n].cpu_shares = vmp_entitlements_vm_shares(e, v);
    if (R->entitlements == 2) {
      O->sched[n].vcpu_quota = vmp_entitlements_vm_vcpu_quota_us(e, v);
      O->sched[n].vcpu_period = (uint64_t)vmp_entitlements_period_us(e);
    }
    n++;
  }
  O->nsched = n;
  vmp_entitlements_free(e);
  return EXIT_OK;
}

/* Snapshot, solve, prune, plan.  Exit status. */
static int prepare(const rb *R, vmp_virt *v, outcome *O) {
  vmp_solution *solved = NULL;
  int rc;
  if ((rc = cli_snapshot(v, R->inventory, 0, &O->before))) return rc;
  if ((rc = vmp_evaluate_current(O->before, &O->eval_before)) ||
      (rc = vmp_solve(O->before, &R->so, &solved)))
    return cli_fail(rc);
  rc = vmp_solution_prune_moves(O->before, solved, R->max_moves, &O->target);
  vmp_solution_free(solved);
  if (rc || (rc = vmp_plan_new(O->before, O->target, &R->po, &O->plan))) return cli_fail(rc);
  if (R->output && (rc = vmp_plan_write(O->plan, R->output))) return cli_fail(rc);
  return R->entitlements ? entitlements(R, O) : EXIT_OK;
}

/* Apply, then the fresh snapshot.  Exit status of the whole run. */
static int execute(const rb *R, vmp_virt *v, outcome *O) {
  int arc, rc;
  vmp_apply_opts ao = R->ao;
  O->applied = 1;
  ao.cpu_sched = O->sched;
  ao.ncpu_sched = O->nsched;
  arc = vmp_virt_apply(v, O->plan, &ao, &O->report);
  if (!O->report) return cli_fail(arc);
  O->sched_set = vmp_apply_report_cpu_sched(O->report);
  if (arc) cli_error("%s", vmp_last_error());
  if ((rc = cli_snapshot(v, R->inventory, 0, &O->after))) return rc;
  if ((rc = vmp_evaluate_current(O->after, &O->eval_after))) return cli_fail(rc);
  O->verified = matches(O->after, O->target, O->mismatch, sizeof O->mismatch);
  return arc || !O->verified ? EXIT_NEGATIVE : EXIT_OK;
}

int cmd_rebalance(int argc, char **argv) {
  rb R;
  outcome O;
  vmp_virt *v = NULL;
  int rc, prc;
  memset(&R, 0, sizeof R);
  memset(&O, 0, sizeof O);
  vmp_solve_opts_init(&R.so, VMP_SOLVE_OPTS_VERSION);
  vmp_plan_opts_init(&R.po, VMP_PLAN_OPTS_VERSION);
  vmp_apply_opts_init(&R.ao, VMP_APPLY_OPTS_VERSION);
  R.max_moves = VMP_NONE;
  if ((rc = parse_args(argc, argv, &R))) {
    if (rc > 0) rebalance_usage(stdout);
    return rc > 0 ? EXIT_OK : cli_hint();
  }
  if (R.output && cli_check_output("--output", R.output)) return EXIT_USAGE;
  if (R.ao.journal && cli_check_output("--journal", R.ao.journal)) return EXIT_USAGE;
  R.so.progress = rebalance_progress;
  R.ao.progress_userdata = cli_stderr_tty() && !R.json && !R.quiet ? (void *)stderr : NULL;
  R.ao.progress = cli_apply_progress;
  cli_catch_interrupts();
  if ((rc = cli_virt_session(R.verbose, &v)) || (rc = prepare(&R, v, &O))) goto out;
  if (vmp_plan_status(O.plan) == VMP_PLAN_BLOCKED) {
    rc = EXIT_NEGATIVE;
  } else if (R.ao.dry_run) {
    rc = EXIT_OK;
  } else if (!vmp_plan_num_steps(O.plan)) {
    /* Nothing gains: the datacenter is the target already. */
    O.verified = 1;
    rc = vmp_evaluate_current(O.before, &O.eval_after) ? cli_fail(VMP_ENOMEM) : EXIT_OK;
    if (!rc && O.nsched) {
      if ((rc = vmp_virt_set_cpu_sched(v, O.before, O.sched, O.nsched)))
        rc = cli_fail(rc);
      else
        O.sched_set = O.nsched;
    }
  } else {
    rc = execute(&R, v, &O);
  }
  if (rc > EXIT_NEGATIVE) goto out;
  prc = R.json ? print_json(&R, &O) : R.quiet ? EXIT_OK : (print_text(&R, &O), EXIT_OK);
  if (prc) rc = prc;
  rc = cli_interrupt_status(rc);
out:
  outcome_free(&O);
  vmp_virt_free(v);
  return rc;
}
