/*
 * vmplace check — audit a placement: hard and soft violations, unplaced
 * VMs, the score, and (with --alerts or --metrics) host utilisation alerts.
 * Without a solution file it audits the problem's current placement (each
 * VM's "host").
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check_alerts.h"
#include "cli.h"

static void check_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace check [OPTIONS] PROBLEM [SOLUTION]\n"
          "\n"
          "Checks a placement against every constraint and rule of PROBLEM and\n"
          "prints each violation, the unplaced VMs and the score.  SOLUTION is\n"
          "a solution JSON (from 'vmplace solve -o') or a ROADEF solution\n"
          "(*.sol, one host index per VM); without it the current placement in\n"
          "PROBLEM (each VM's \"host\") is audited.\n"
          "\n"
          "options:\n"
          "      --format FMT   problem format (default auto)\n"
          "      --from-scratch ROADEF: read the model without its initial\n"
          "                     assignment\n"
          "      --json         print the evaluated solution as JSON (one\n"
          "                     document)\n"
          "      --strict       soft violations fail the check too\n"
          "  -q, --quiet        no report: the exit status says it all\n"
          "  -h, --help         this help\n"
          "\n"
          "alerts (docs/forecast.md):\n"
          "      --alerts       list host utilisation alerts; a critical one\n"
          "                     fails the check\n"
          "      --metrics FILE write utilisation and alerts in the Prometheus\n"
          "                     text format (node_exporter textfile collector;\n"
          "                     FILE is replaced atomically; - is stdout,\n"
          "                     and the report then goes to stderr)\n"
          "      --history FILE utilisation from measured usage (CSV or JSON,\n"
          "                     as for 'vmplace forecast'), not from demands\n"
          "      --forecast     with --history: from the forecast of that usage\n"
          "      --horizon DUR  forecast horizon (default 24h)\n"
          "      --quantile Q   forecast quantile (default 0.95)\n"
          "      --step DUR     bucket width (default: the history's step)\n"
          "      --window DUR   how long a condition must hold before it\n"
          "                     alerts (default 15m; 0: at once)\n"
          "      --warn [RESOURCE=]RATIO       overload warning (default 0.8)\n"
          "      --crit [RESOURCE=]RATIO       overload critical (default 0.95)\n"
          "      --underload [RESOURCE=]RATIO  underload, or off (default 0.2)\n"
          "                     RATIO is 0.8 or 80%%; with RESOURCE= it sets\n"
          "                     that resource only; repeatable\n"
          "\n"
          "Soft violations are listed and scored; they only fail the check\n"
          "with --strict, as soft rules are preferences, not requirements.\n"
          "Without --history, utilisation is the placement's demands, which\n"
          "hold for ever: they alert at once.  Measured usage alerts when a\n"
          "condition has held for the window up to the latest sample; a\n"
          "forecast when it holds for the window anywhere in the horizon.\n"
          "\n"
          "PROBLEM or SOLUTION - reads standard input.\n"
          "\n"
          "Exit status: 0 every VM placed and no hard violation (no soft one\n"
          "either with --strict; no critical alert with --alerts), 1 unplaced\n"
          "VMs, hard violations or a critical alert, 2 bad usage or input, 3\n"
          "internal error.\n");
}

int cmd_check(int argc, char **argv) {
  static const struct option longopts[] = {{"format", required_argument, NULL, 'F'},
                                           {"from-scratch", no_argument, NULL, 'S'},
                                           {"json", no_argument, NULL, 'J'},
                                           {"strict", no_argument, NULL, 'X'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           CLI_ALERT_LONGOPTS,
                                           {NULL, 0, NULL, 0}};
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  json_t *root = NULL;
  cli_alerts alerts;
  FILE *report = stdout;
  int json = 0, strict = 0, quiet = 0, format = VMP_FORMAT_AUTO, c, rc, critical = 0,
      from_scratch = 0;
  size_t hard = 0;
  cli_alerts_init(&alerts);
  optind = 0;
  while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'F':
        if (cli_format_option(optarg, &format)) goto usage;
        break;
      case 'J': json = 1; break;
      case 'X': strict = 1; break;
      case 'S': from_scratch = 1; break;
      case 'q': quiet = 1; break;
      case 'h': check_usage(stdout); return EXIT_OK;
      default:
        if (c >= CLI_OPT_ALERTS && c <= CLI_OPT_UNDERLOAD) {
          if (cli_alerts_option(&alerts, c, optarg)) goto usage;
          break;
        }
        cli_bad_option(c, argv);
        goto usage;
    }
  }
  if (optind != argc - 1 && optind != argc - 2) {
    cli_error("check: expected PROBLEM [SOLUTION]");
    goto usage;
  }
  if (cli_alerts_check(&alerts)) goto usage;
  if (alerts.metrics && !strcmp(alerts.metrics, "-")) {
    if (json) {
      cli_error("check: --json and --metrics - both write to stdout; give one");
      goto usage;
    }
    report = stderr; /* stdout holds the exposition text only */
  }
  if ((rc = cli_load_problem_opt(argv[optind], format, from_scratch, &p))) goto out;
  rc = optind == argc - 2 ? cli_load_solution(p, argv[optind + 1], &s)
                          : vmp_evaluate_current(p, &s);
  if (rc) {
    if (rc < 0) rc = cli_fail(rc);
    goto out;
  }
  if (json) {
    char *text = NULL;
    json_error_t err;
    if ((rc = vmp_solution_to_json(s, &text))) {
      rc = cli_fail(rc);
      goto out;
    }
    if (cli_alerts_wanted(&alerts)) {
      /* the alerts join the solution's JSON as two more members */
      root = json_loads(text, 0, &err);
      vmp_free(text);
      text = NULL;
      if (!root) {
        cli_error("out of memory");
        rc = EXIT_INTERNAL;
        goto out;
      }
      if ((rc = cli_alerts_run(&alerts, p, s, root, &critical))) goto out;
      text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    }
    rc = text ? cli_write_text("-", text) : EXIT_INTERNAL;
    free(text);
    if (rc) goto out;
  } else {
    if (!quiet) {
      cli_print_solution(report, p, s, 0);
      if (!vmp_solution_num_violations(s)) fprintf(report, "no violations\n");
      else if (vmp_solution_status(s) != VMP_STATUS_INVALID)
        fprintf(report, "no hard violations\n");
    }
    if (cli_alerts_wanted(&alerts)) {
      /* the alert list goes where the report goes; -q keeps only the
       * exit status (and the metrics) */
      cli_alerts shown = alerts;
      shown.out = report;
      if (quiet) shown.list = 0;
      if ((rc = cli_alerts_run(&shown, p, s, NULL, &critical))) goto out;
    }
  }
  for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
    int is_hard;
    vmp_solution_violation_at(s, k, NULL, NULL, &is_hard);
    hard += is_hard || strict;
  }
  rc = hard || vmp_solution_num_unplaced(s) || (alerts.list && critical) ? EXIT_NEGATIVE
                                                                          : EXIT_OK;
  goto out;
usage:
  rc = cli_hint();
out:
  json_decref(root);
  vmp_solution_free(s);
  vmp_problem_free(p);
  return rc;
}
