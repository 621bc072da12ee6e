/*
 * vmplace plan — the ordered, capacity-safe moves from a problem's current
 * placement to a solution.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void plan_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace plan [OPTIONS] PROBLEM SOLUTION\n"
          "\n"
          "Plans the moves from the current placement in PROBLEM (each VM's\n"
          "\"host\") to the placement in SOLUTION (from 'vmplace solve -o'), in\n"
          "waves of steps that may run together.  While a VM migrates it counts\n"
          "on both hosts, and no host goes over capacity at any step; hard\n"
          "anti-affinity, spread minimums and dependencies hold after every\n"
          "wave (VMs that must move together go in one wave).  Cycles of\n"
          "full hosts go through a host with spare room (staging), or through\n"
          "one freed by moving a few of its VMs away for a while (they come\n"
          "back); moves with no safe order are listed as blocked, with the\n"
          "reason.\n"
          "\n"
          "options:\n"
          "      --max-concurrent N  steps touching one host per wave (default 2;\n"
          "                          0 = no cap)\n"
          "      --bandwidth MIBPS   migration bandwidth per host in MiB/s, for the\n"
          "                          duration estimate (default 1000)\n"
          "      --no-staging        report cycles as blocked instead of staging\n"
          "                          (or moving VMs away for a while)\n"
          "      --allow-stop        shut down running VMs that SOLUTION leaves\n"
          "                          unplaced (stop steps; they stay defined where\n"
          "                          they ran) instead of reporting them as blocked;\n"
          "                          and, as the last resort, move a VM of a cycle\n"
          "                          no host can break cold (stop, then start)\n"
          "      --max-moves N       move at most N of the running VMs (needless\n"
          "                          moves, then those that gain least, go first)\n"
          "      --format FMT        problem format (default auto)\n"
          "      --json              print the plan as JSON (one document)\n"
          "  -o, --output FILE       also write the plan JSON to FILE (for\n"
          "                          'vmplace apply'; - is stdout)\n"
          "  -q, --quiet             no report: the exit status says it all\n"
          "      --check PLAN        plan nothing: replay PLAN (plan JSON) through\n"
          "                          the independent plan checker against PROBLEM\n"
          "                          and SOLUTION (exit 0 safe, 1 refused)\n"
          "  -h, --help              this help\n"
          "\n"
          "With --max-moves, the moves of SOLUTION that gain nothing are left out\n"
          "first (as 'vmplace rebalance' does).  PROBLEM or SOLUTION - reads\n"
          "standard input.\n"
          "\n"
          "Exit status: 0 the plan reaches the target, 1 some moves are blocked,\n"
          "2 bad usage or input, 3 internal error.\n");
}

void cli_print_plan(FILE *f, const vmp_plan *pl) {
  size_t nsteps = vmp_plan_num_steps(pl), wave = VMP_NONE;
  uint32_t cap = vmp_plan_max_concurrent(pl);
  fprintf(f, "plan:       %s, %zu step%s in %zu wave%s, about %.1f s\n",
          vmp_plan_status_name(vmp_plan_status(pl)), nsteps, nsteps == 1 ? "" : "s",
          vmp_plan_num_waves(pl), vmp_plan_num_waves(pl) == 1 ? "" : "s",
          vmp_plan_duration(pl));
  fprintf(f, "limits:     ");
  if (cap)
    fprintf(f, "at most %u step%s per host and wave", cap, cap == 1 ? "" : "s");
  else
    fprintf(f, "no cap on steps per host");
  fprintf(f, ", %g MiB/s per host\n", vmp_plan_bandwidth(pl));
  for (size_t k = 0; k < nsteps; k++) {
    const char *from = vmp_plan_step_from(pl, k);
    if (vmp_plan_step_wave(pl, k) != wave) {
      wave = vmp_plan_step_wave(pl, k);
      fprintf(f, "wave %zu (%.1f s):\n", wave + 1, vmp_plan_wave_duration(pl, wave));
    }
    if (vmp_plan_step_action(pl, k) == VMP_ACTION_STOP)
      fprintf(f, "  %-20s stop on %s\n", vmp_plan_step_vm(pl, k), from);
    else if (vmp_plan_step_makes_room_for(pl, k))
      fprintf(f, "  %-20s %s -> %s (away for a while: makes room for %s)  (%.0f MiB)\n",
              vmp_plan_step_vm(pl, k), from, vmp_plan_step_to(pl, k),
              vmp_plan_step_makes_room_for(pl, k), vmp_plan_step_memory(pl, k));
    else if (from)
      fprintf(f, "  %-20s %s -> %s%s  (%.0f MiB)\n", vmp_plan_step_vm(pl, k), from,
              vmp_plan_step_to(pl, k), vmp_plan_step_staging(pl, k) ? " (staging)" : "",
              vmp_plan_step_memory(pl, k));
    else
      fprintf(f, "  %-20s start on %s\n", vmp_plan_step_vm(pl, k), vmp_plan_step_to(pl, k));
  }
  if (vmp_plan_num_blocked(pl)) {
    fprintf(f, "blocked (%zu):\n", vmp_plan_num_blocked(pl));
    for (size_t k = 0; k < vmp_plan_num_blocked(pl); k++) {
      const char *from = vmp_plan_blocked_from(pl, k), *to = vmp_plan_blocked_to(pl, k);
      fprintf(f, "  %s %s -> %s: %s\n", vmp_plan_blocked_vm(pl, k), from ? from : "(nowhere)",
              to ? to : "(unplaced)", vmp_plan_blocked_reason(pl, k));
    }
  }
}

int cli_parse_plan_opt(int c, const char *arg, vmp_plan_opts *opts) {
  uint64_t u;
  switch (c) {
    case 'C':
      if (cli_parse_u64("--max-concurrent", arg, &u)) return -1;
      if (u > UINT32_MAX) {
        cli_error("--max-concurrent: at most %u", UINT32_MAX);
        return -1;
      }
      opts->max_concurrent = (uint32_t)u;
      return 0;
    case 'B':
      if (cli_parse_double("--bandwidth", arg, &opts->bandwidth_mibps)) return -1;
      if (!(opts->bandwidth_mibps > 0)) {
        cli_error("--bandwidth: expected a number > 0, got '%s'", arg);
        return -1;
      }
      return 0;
    case 'N':
      opts->staging = 0;
      return 0;
    default:
      return -1;
  }
}

int cmd_plan(int argc, char **argv) {
  static const struct option longopts[] = {
      {"max-concurrent", required_argument, NULL, 'C'},
      {"bandwidth", required_argument, NULL, 'B'},
      {"no-staging", no_argument, NULL, 'N'},
      {"allow-stop", no_argument, NULL, 'S'},
      {"max-moves", required_argument, NULL, 'm'},
      {"format", required_argument, NULL, 'F'},
      {"json", no_argument, NULL, 'J'},
      {"output", required_argument, NULL, 'o'},
      {"quiet", no_argument, NULL, 'q'},
      {"check", required_argument, NULL, 'K'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  vmp_plan_opts opts;
  vmp_problem *p = NULL;
  vmp_solution *s = NULL, *pruned = NULL;
  vmp_plan *pl = NULL;
  const char *output = NULL, *check = NULL;
  int json = 0, quiet = 0, format = VMP_FORMAT_AUTO, c, rc;
  size_t max_moves = VMP_NONE;
  uint64_t u;
  vmp_plan_opts_init(&opts, VMP_PLAN_OPTS_VERSION);
  optind = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'C':
      case 'B':
      case 'N':
        if (cli_parse_plan_opt(c, optarg, &opts)) goto usage;
        break;
      case 'S':
        opts.allow_stop = 1;
        break;
      case 'm':
        if (cli_parse_u64("--max-moves", optarg, &u)) goto usage;
        max_moves = (size_t)u;
        break;
      case 'F':
        if (cli_format_option(optarg, &format)) goto usage;
        break;
      case 'J': json = 1; break;
      case 'o': output = optarg; break;
      case 'q': quiet = 1; break;
      case 'K': check = optarg; break;
      case 'h': plan_usage(stdout); return EXIT_OK;
      default: cli_bad_option(c, argv); goto usage;
    }
  }
  if (optind != argc - 2) {
    cli_error("plan: expected PROBLEM and SOLUTION");
    goto usage;
  }
  if (output && !strcmp(output, "-") && json) {
    cli_error("plan: --json and -o - both write the plan to stdout; give one");
    goto usage;
  }
  if (!strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-")) {
    cli_error("plan: PROBLEM and SOLUTION cannot both be standard input");
    goto usage;
  }
  if (check && (output || json || max_moves != VMP_NONE)) {
    cli_error("plan: --check replays a plan; it takes no -o, --json or --max-moves");
    goto usage;
  }
  if (check && (!strcmp(check, "-") || !strcmp(argv[optind], "-") ||
                !strcmp(argv[optind + 1], "-"))) {
    cli_error("plan: with --check, PLAN, PROBLEM and SOLUTION must be files");
    goto usage;
  }
  if (output && cli_check_output("--output", output)) return EXIT_USAGE;
  if ((rc = cli_load_problem(argv[optind], format, &p)) ||
      (rc = cli_load_solution(p, argv[optind + 1], &s)))
    goto out;
  if (check) {
    if ((rc = cli_load_plan(check, &pl))) goto out;
    if ((rc = vmp_plan_verify(pl, p, s))) {
      if (rc == VMP_ENOMEM) {
        rc = cli_fail(rc);
        goto out;
      }
      cli_error("%s: unsafe plan: %s", check, vmp_last_error());
      rc = EXIT_NEGATIVE;
      goto out;
    }
    if (!quiet)
      printf("%s: safe: %s, %zu step%s in %zu wave%s, %zu blocked\n", check,
             vmp_plan_status_name(vmp_plan_status(pl)), vmp_plan_num_steps(pl),
             vmp_plan_num_steps(pl) == 1 ? "" : "s", vmp_plan_num_waves(pl),
             vmp_plan_num_waves(pl) == 1 ? "" : "s", vmp_plan_num_blocked(pl));
    rc = EXIT_OK;
    goto out;
  }
  /* solve already leaves needless moves out; --max-moves caps the rest */
  if ((max_moves != VMP_NONE && (rc = vmp_solution_prune_moves(p, s, max_moves, &pruned))) ||
      (rc = vmp_plan_new(p, pruned ? pruned : s, &opts, &pl))) {
    rc = cli_fail(rc);
    goto out;
  }
  if (output) {
    char *text = NULL;
    rc = vmp_plan_to_json(pl, &text);
    if ((rc = cli_write_json(rc, text, output))) goto out;
  }
  if (json) {
    char *text = NULL;
    rc = vmp_plan_to_json(pl, &text);
    if ((rc = cli_write_json(rc, text, "-"))) goto out;
  } else if (!quiet && !(output && !strcmp(output, "-"))) {
    cli_print_plan(stdout, pl);
  }
  rc = vmp_plan_status(pl) == VMP_PLAN_COMPLETE ? EXIT_OK : EXIT_NEGATIVE;
  goto out;
usage:
  rc = cli_hint();
out:
  vmp_plan_free(pl);
  vmp_solution_free(pruned);
  vmp_solution_free(s);
  vmp_problem_free(p);
  return rc;
}
