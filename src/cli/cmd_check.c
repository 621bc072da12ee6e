/*
 * vmplace check — audit a placement: hard and soft violations, unplaced
 * VMs, the score.  Without a solution file it audits the problem's current
 * placement (each VM's "host").
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static void check_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace check [OPTIONS] PROBLEM [SOLUTION]\n"
          "\n"
          "Checks a placement against every constraint and rule of PROBLEM and\n"
          "prints each violation, the unplaced VMs and the score.  SOLUTION is\n"
          "a solution JSON (from 'vmplace solve -o'); without it the current\n"
          "placement in PROBLEM (each VM's \"host\") is audited.\n"
          "\n"
          "options:\n"
          "      --format FMT   problem format (default auto)\n"
          "      --json         print the evaluated solution as JSON\n"
          "      --strict       soft violations fail the check too\n"
          "  -h, --help         this help\n"
          "\n"
          "Soft violations are listed and scored; they only fail the check\n"
          "with --strict, as soft rules are preferences, not requirements.\n"
          "\n"
          "Exit status: 0 no hard violation, 1 hard violations found, 2 bad\n"
          "usage or input, 3 internal error.\n");
}

int cmd_check(int argc, char **argv) {
  static const struct option longopts[] = {{"format", required_argument, NULL, 'F'},
                                           {"json", no_argument, NULL, 'J'},
                                           {"strict", no_argument, NULL, 'X'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  int json = 0, strict = 0, format = VMP_FORMAT_AUTO, c, rc;
  size_t hard = 0;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'F':
        if (cli_format_option(optarg, &format)) goto usage;
        break;
      case 'J': json = 1; break;
      case 'X': strict = 1; break;
      case 'h': check_usage(stdout); return EXIT_OK;
      default: goto usage;
    }
  }
  if (optind != argc - 1 && optind != argc - 2) {
    cli_error("check: expected PROBLEM [SOLUTION]");
    goto usage;
  }
  if ((rc = cli_load_problem(argv[optind], format, &p))) goto out;
  rc = optind == argc - 2 ? vmp_solution_read(p, argv[optind + 1], &s)
                          : vmp_evaluate_current(p, &s);
  if (rc) {
    rc = cli_fail(rc);
    goto out;
  }
  if (json) {
    if ((rc = cli_write_solution_json(s, "-"))) goto out;
  } else {
    cli_print_solution(stdout, p, s, 0);
    if (!vmp_solution_num_violations(s)) printf("no violations\n");
    else if (vmp_solution_status(s) != VMP_STATUS_INVALID)
      printf("no hard violations\n");
  }
  for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
    int is_hard;
    vmp_solution_violation(s, k, NULL, NULL, &is_hard);
    hard += is_hard || strict;
  }
  rc = hard ? EXIT_NEGATIVE : EXIT_OK;
  goto out;
usage:
  check_usage(stderr);
  rc = EXIT_USAGE;
out:
  vmp_solution_free(s);
  vmp_problem_free(p);
  return rc;
}
