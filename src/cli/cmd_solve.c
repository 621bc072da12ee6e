/*
 * vmplace solve — compute a placement for a problem.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void solve_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace solve [OPTIONS] PROBLEM\n"
          "\n"
          "Computes a placement for PROBLEM (vmplace JSON, .vbp, .mvp, BPPLIB\n"
          ".txt, cloud balancing JSON or ROADEF model_*.txt), verifies it and\n"
          "prints it with its lower bound and gap.\n"
          "\n"
          "options:\n"
          "  -s, --solver NAME      solver (default auto; --list-solvers)\n"
          "  -t, --time-limit S     wall-clock limit in seconds (default 10;\n"
          "                         0 = none)\n"
          "      --seed N           random seed (default 1)\n"
          "  -j, --threads N        worker threads (default 1; 0 = all cores)\n"
          "  -p, --param NAME=VALUE solver parameter (repeatable; --list-params)\n"
          "      --format FMT       input format: auto json vbp mvp bpplib cloud\n"
          "                         roadef (default auto)\n"
          "      --from-scratch     ROADEF: read the model without its initial\n"
          "                         assignment and place every process anew\n"
          "                         (without this option the assignment_X.sol\n"
          "                         beside model_X.txt is required)\n"
          "      --write-roadef FILE\n"
          "                         also write the placement in the ROADEF 2012\n"
          "                         solution format (one host index per VM)\n"
          "      --max-moves N      move at most N of the running VMs (those\n"
          "                         with a current host); the cheapest moves to\n"
          "                         undo go first\n"
          "      --json             print the solution as JSON (one document)\n"
          "  -o, --output FILE      also write the solution JSON to FILE (-:\n"
          "                         stdout)\n"
          "      --incremental      online placement: VMs with a host stay there,\n"
          "                         every VM without one is placed in input order\n"
          "                         by the rule greedy.online_rule, moving no one\n"
          "      --write-model FILE write the assignment MIP that the ilp solver\n"
          "                         would solve (FILE.lp: CPLEX LP, FILE.mps: free\n"
          "                         MPS) and exit, for cross-checking with other\n"
          "                         MIP solvers\n"
          "  -q, --quiet            no report and no progress: only errors,\n"
          "                         --json and -o\n"
          "  -v, --verbose          solver log on stderr\n"
          "      --list-solvers     list solvers and exit\n"
          "      --list-params      list solver parameters and exit\n"
          "  -h, --help             this help\n"
          "\n"
          "PROBLEM - reads standard input.  Among placements of equal\n"
          "objective the one that moves fewest VMs wins: moves that gain nothing\n"
          "are undone.  Ctrl-C (or SIGTERM) stops the search: the best placement\n"
          "so far is printed and written, stop reason interrupted, exit 130\n"
          "(143); a second Ctrl-C ends at once.\n"
          "\n"
          "Exit status: 0 every VM placed, 1 some VMs unplaced, 2 bad usage\n"
          "or input, 3 internal error, 130/143 interrupted (after the output).\n");
}

/* Always installed: it is how an interrupt stops the solve.  Draws the
 * progress line when ud is non-NULL (stderr is a terminal). */
static int on_progress(const vmp_progress *pr, void *ud) {
  if (cli_interrupted()) return 1;
  if (!ud) return 0;
  fprintf(stderr, "\r[%s] %6.1fs  objective %-12.6g bound %-12.6g gap %6.2f%%  ",
          pr->solver, pr->elapsed, pr->objective, pr->bound,
          isfinite(pr->gap) ? 100.0 * pr->gap : 100.0);
  fflush(stderr);
  return 0;
}

static void on_log(int level, const char *msg, void *ud) {
  static const char *const names[] = {"error", "warn", "info", "debug"};
  (void)ud;
  fprintf(stderr, "[%s] %s\n", names[level >= 0 && level <= 3 ? level : 3], msg);
}

static int list_solvers(int json) {
  if (json) {
    printf("[");
    for (size_t k = 0; k < vmp_num_solvers(); k++) {
      json_t *o = json_pack("{s:s, s:s}", "name", vmp_solver_name(k), "summary",
                            vmp_solver_summary(k));
      char *t = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
      printf("%s\n  %s", k ? "," : "", t ? t : "null");
      free(t);
      json_decref(o);
    }
    printf("\n]\n");
    return EXIT_OK;
  }
  for (size_t k = 0; k < vmp_num_solvers(); k++)
    printf("%-12s %s\n", vmp_solver_name(k), vmp_solver_summary(k));
  return EXIT_OK;
}

static int list_params(void) {
  static const char *const types[] = {"int", "double", "bool", "string"};
  for (size_t k = 0; k < vmp_num_params(); k++) {
    const char *name, *def, *doc;
    int type;
    double lo, hi;
    vmp_param_at(k, &name, &type, &lo, &hi, &def, &doc);
    printf("%-28s %-6s default %-10s", name, types[type & 3], def);
    if (type == VMP_PARAM_INT || type == VMP_PARAM_DOUBLE) printf(" range [%g, %g]", lo, hi);
    printf("\n    %s\n", doc);
  }
  return EXIT_OK;
}

/* --incremental: every VM without a current host arrives, in input
 * order; the others stay where they are. */
static int place_arrivals(const vmp_problem *p, const vmp_solve_opts *opts,
                          vmp_solution **out) {
  vmp_placer *pl = NULL;
  int rc = vmp_placer_new(p, opts, &pl);
  for (size_t v = 0; !rc && v < vmp_problem_num_vms(p); v++)
    if (vmp_problem_vm_host(p, v) == VMP_NONE) rc = vmp_place(pl, v, NULL);
  if (!rc) rc = vmp_placer_solution(pl, out);
  vmp_placer_free(pl);
  if (!rc && vmp_solution_status(*out) == VMP_STATUS_INVALID) {
    /* The current placement breaks hard constraints: nothing may stay as
     * it is.  A full solve, whose minimal-disruption pass keeps every VM
     * it can where it runs, mends it with few moves. */
    vmp_solution_free(*out);
    *out = NULL;
    fprintf(stderr, "vmplace: warning: the current placement breaks hard constraints; "
                    "solving it whole, moving as few VMs as it can\n");
    rc = vmp_solve(p, opts, out);
  }
  return rc;
}

int cmd_solve(int argc, char **argv) {
  static const struct option longopts[] = {
      {"solver", required_argument, NULL, 's'},
      {"time-limit", required_argument, NULL, 't'},
      {"seed", required_argument, NULL, 'S'},
      {"threads", required_argument, NULL, 'j'},
      {"param", required_argument, NULL, 'p'},
      {"format", required_argument, NULL, 'F'},
      {"max-moves", required_argument, NULL, 'm'},
      {"json", no_argument, NULL, 'J'},
      {"output", required_argument, NULL, 'o'},
      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},
      {"list-solvers", no_argument, NULL, 'L'},
      {"list-params", no_argument, NULL, 'P'},
      {"incremental", no_argument, NULL, 'I'},
      {"write-model", required_argument, NULL, 'W'},
      {"from-scratch", no_argument, NULL, 'X'},
      {"write-roadef", required_argument, NULL, 'R'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  vmp_solve_opts opts;
  vmp_params *params = NULL;
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  const char *output = NULL, *model = NULL, *roadef = NULL;
  int json = 0, quiet = 0, verbose = 0, incremental = 0, format = VMP_FORMAT_AUTO, c, rc,
      status, list = 0, tty, from_scratch = 0;
  size_t max_moves = VMP_NONE;
  uint64_t u;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  if (vmp_params_new(&params)) return cli_fail(VMP_ENOMEM);
  optind = 0;
  while ((c = getopt_long(argc, argv, ":s:t:j:p:o:qvh", longopts, NULL)) != -1) {
    switch (c) {
      case 's': opts.solver = optarg; break;
      case 't':
        if (cli_parse_double("--time-limit", optarg, &opts.time_limit)) goto usage;
        break;
      case 'S':
        if (cli_parse_u64("--seed", optarg, &u)) goto usage;
        opts.seed = u;
        break;
      case 'j':
        if (cli_parse_u64("--threads", optarg, &u)) goto usage;
        if (u > 1024) {
          cli_error("--threads: at most 1024, got %s", optarg);
          goto usage;
        }
        opts.threads = (uint32_t)u;
        break;
      case 'p': {
        char *eq = strchr(optarg, '=');
        if (!eq) {
          cli_error("--param: expected NAME=VALUE, got '%s'", optarg);
          goto usage;
        }
        *eq = '\0';
        if ((rc = vmp_params_set(params, optarg, eq + 1))) {
          rc = cli_fail(rc);
          goto out;
        }
        break;
      }
      case 'F':
        if (cli_format_option(optarg, &format)) goto usage;
        break;
      case 'm':
        if (cli_parse_u64("--max-moves", optarg, &u)) goto usage;
        max_moves = (size_t)u;
        break;
      case 'J': json = 1; break;
      case 'I': incremental = 1; break;
      case 'o': output = optarg; break;
      case 'W': model = optarg; break;
      case 'X': from_scratch = 1; break;
      case 'R': roadef = optarg; break;
      case 'q': quiet = 1; break;
      case 'v': verbose = 1; break;
      case 'L': list = 1; break;
      case 'P': list = 2; break;
      case 'h': solve_usage(stdout); rc = EXIT_OK; goto out;
      default: cli_bad_option(c, argv); goto usage;
    }
  }
  if (list) {
    rc = list == 1 ? list_solvers(json) : list_params();
    goto out;
  }
  /* Fail fast: every option combination and output path before any work. */
  if (optind != argc - 1) {
    cli_error("solve: expected one PROBLEM file");
    goto usage;
  }
  if (model && (output || json || max_moves != VMP_NONE || incremental)) {
    cli_error("solve: --write-model writes the model and exits: it takes no -o, --json or "
              "--max-moves");
    goto usage;
  }
  if (incremental && max_moves != VMP_NONE) {
    cli_error("solve: --incremental moves no one; --max-moves does not apply");
    goto usage;
  }
  if (output && !strcmp(output, "-") && json) {
    cli_error("solve: --json and -o - both write the solution to stdout; give one");
    goto usage;
  }
  if ((output && cli_check_output("--output", output)) ||
      (model && cli_check_output("--write-model", model))) {
    rc = EXIT_USAGE;
    goto out;
  }
  if ((rc = cli_load_problem_opt(argv[optind], format, from_scratch, &p))) goto out;
  opts.params = params;
  tty = !quiet && cli_stderr_tty();
  opts.progress = on_progress;
  opts.progress_userdata = tty ? (void *)stderr : NULL;
  if (verbose) {
    opts.log = on_log;
    opts.log_level = VMP_LOG_DEBUG;
  }
  if (model) {
    if ((rc = vmp_write_model(p, &opts, model, VMP_MODEL_AUTO))) {
      rc = cli_fail(rc);
      goto out;
    }
    if (!quiet) fprintf(stderr, "wrote %s\n", model);
    rc = EXIT_OK;
    goto out;
  }
  cli_catch_interrupts();
  rc = incremental ? place_arrivals(p, &opts, &s) : vmp_solve(p, &opts, &s);
  if (tty) fputs("\r\033[K", stderr);
  if (!rc && max_moves != VMP_NONE) {
    vmp_solution *capped = NULL;
    rc = vmp_solution_prune_moves(p, s, max_moves, &capped);
    vmp_solution_free(s);
    s = capped;
  }
  if (rc) {
    rc = cli_fail(rc);
    goto out;
  }
  if (output && (rc = cli_write_solution_json(s, output))) goto out;
  if (roadef && (rc = vmp_solution_write_roadef(s, roadef))) {
    rc = cli_fail(rc);
    goto out;
  }
  if (json) {
    if ((rc = cli_write_solution_json(s, "-"))) goto out;
  } else if (!quiet && !(output && !strcmp(output, "-"))) {
    cli_print_solution(stdout, p, s, 1);
  }
  status = vmp_solution_status(s);
  rc = (status == VMP_STATUS_OPTIMAL || status == VMP_STATUS_FEASIBLE) ? EXIT_OK
                                                                       : EXIT_NEGATIVE;
  rc = cli_interrupt_status(rc);
  goto out;
usage:
  rc = cli_hint();
out:
  vmp_solution_free(s);
  vmp_problem_free(p);
  vmp_params_free(params);
  return rc;
}
