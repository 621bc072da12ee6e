/*
 * vmplace explain — where one VM fits, host by host, and the exact reasons
 * where it does not.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void explain_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace explain [OPTIONS] PROBLEM VM\n"
          "\n"
          "For every host, says whether VM fits given where the other VMs\n"
          "are, and otherwise lists each failing constraint with its numbers\n"
          "(\"memory_mib: needs 8192, free 4096 of 253952\"), then counts hosts\n"
          "per constraint.  The other VMs are where PROBLEM says (their\n"
          "\"host\"), or where --solution puts them.\n"
          "\n"
          "options:\n"
          "      --solution FILE  place the other VMs as in this solution JSON\n"
          "      --format FMT     problem format (default auto)\n"
          "      --only-failing   list only the hosts where VM does not fit\n"
          "      --limit N        list at most N hosts (default 0: all); the\n"
          "                       summary always counts them all\n"
          "      --json           print the explanation as JSON (every host)\n"
          "  -q, --quiet          no report: the exit status says it all\n"
          "  -h, --help           this help\n"
          "\n"
          "PROBLEM - reads standard input.\n"
          "\n"
          "Exit status: 0 the VM fits on some host, 1 it fits nowhere, 2 bad\n"
          "usage or input, 3 internal error.\n");
}

/* The library's text: the summary, then one block per host ("NAME:" or
 * "NAME: fits", then indented reasons), in host order.  Prints the summary
 * and the blocks the filters keep. */
static void print_filtered(const vmp_explanation *e, const char *text, int only_failing,
                           size_t limit) {
  size_t nh = vmp_explanation_num_hosts(e), shown = 0, hidden = 0, k = 0;
  const char *line = text, *end;
  int keep = 1, in_hosts = 0;
  for (; *line; line = *end ? end + 1 : end) {
    end = strchr(line, '\n');
    if (!end) end = line + strlen(line);
    if (k < nh && line[0] != ' ') {
      const char *name = vmp_explanation_host(e, k);
      size_t n = strlen(name);
      if ((size_t)(end - line) > n && !strncmp(line, name, n) && line[n] == ':') {
        int fits = vmp_explanation_fits(e, k++);
        in_hosts = 1;
        keep = !(only_failing && fits);
        if (keep && limit && shown == limit) keep = 0, hidden++;
        else if (keep) shown++;
      }
    } else if (in_hosts && line[0] != ' ' && k >= nh) {
      keep = 1; /* anything after the last host block */
    }
    if (keep) printf("%.*s\n", (int)(end - line), line);
  }
  if (hidden)
    printf("(%zu more host%s; --limit 0 shows all)\n", hidden, hidden == 1 ? "" : "s");
}

int cmd_explain(int argc, char **argv) {
  static const struct option longopts[] = {{"solution", required_argument, NULL, 'S'},
                                           {"format", required_argument, NULL, 'F'},
                                           {"only-failing", no_argument, NULL, 'O'},
                                           {"limit", required_argument, NULL, 'l'},
                                           {"json", no_argument, NULL, 'J'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  vmp_explanation *e = NULL;
  const char *solution = NULL;
  char *text = NULL;
  int json = 0, quiet = 0, only_failing = 0, format = VMP_FORMAT_AUTO, c, rc, fits = 0;
  size_t vm, limit = 0;
  uint64_t u;
  optind = 0;
  while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'S': solution = optarg; break;
      case 'F':
        if (cli_format_option(optarg, &format)) goto usage;
        break;
      case 'O': only_failing = 1; break;
      case 'l':
        if (cli_parse_u64("--limit", optarg, &u)) goto usage;
        limit = (size_t)u;
        break;
      case 'J': json = 1; break;
      case 'q': quiet = 1; break;
      case 'h': explain_usage(stdout); return EXIT_OK;
      default: cli_bad_option(c, argv); goto usage;
    }
  }
  if (optind != argc - 2) {
    cli_error("explain: expected PROBLEM VM");
    goto usage;
  }
  if (json && (only_failing || limit)) {
    cli_error("explain: --json lists every host; --only-failing and --limit are for the "
              "report");
    goto usage;
  }
  if ((rc = cli_load_problem(argv[optind], format, &p))) goto out;
  if (vmp_problem_find_vm(p, argv[optind + 1], &vm)) {
    cli_error("%s: no VM named '%s'", argv[optind], argv[optind + 1]);
    rc = EXIT_USAGE;
    goto out;
  }
  if (solution && (rc = cli_load_solution(p, solution, &s))) goto out;
  if ((rc = vmp_explain(p, s, vm, &e)) ||
      (rc = json ? vmp_explanation_to_json(e, &text) : vmp_explanation_to_text(e, &text))) {
    rc = cli_fail(rc);
    goto out;
  }
  if (json) {
    fputs(text, stdout);
    fputc('\n', stdout);
  } else if (!quiet) {
    print_filtered(e, text, only_failing, limit);
  }
  for (size_t h = 0; h < vmp_explanation_num_hosts(e); h++) fits |= vmp_explanation_fits(e, h);
  rc = fits ? EXIT_OK : EXIT_NEGATIVE;
  goto out;
usage:
  rc = cli_hint();
out:
  vmp_free(text);
  vmp_explanation_free(e);
  vmp_solution_free(s);
  vmp_problem_free(p);
  return rc;
}
