/*
 * vmplace explain — where one VM fits, host by host, and the exact reasons
 * where it does not.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>

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
          "      --json           print the explanation as JSON\n"
          "  -h, --help           this help\n"
          "\n"
          "Exit status: 0 the VM fits on some host, 1 it fits nowhere, 2 bad\n"
          "usage or input, 3 internal error.\n");
}

int cmd_explain(int argc, char **argv) {
  static const struct option longopts[] = {{"solution", required_argument, NULL, 'S'},
                                           {"format", required_argument, NULL, 'F'},
                                           {"json", no_argument, NULL, 'J'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  vmp_explanation *e = NULL;
  const char *solution = NULL;
  char *text = NULL;
  int json = 0, format = VMP_FORMAT_AUTO, c, rc, fits = 0;
  size_t vm;
  optind = 0;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'S': solution = optarg; break;
      case 'F':
        if (cli_format_option(optarg, &format)) goto usage;
        break;
      case 'J': json = 1; break;
      case 'h': explain_usage(stdout); return EXIT_OK;
      default: goto usage;
    }
  }
  if (optind != argc - 2) {
    cli_error("explain: expected PROBLEM VM");
    goto usage;
  }
  if ((rc = cli_load_problem(argv[optind], format, &p))) goto out;
  if (vmp_problem_find_vm(p, argv[optind + 1], &vm)) {
    cli_error("%s: no VM named '%s'", argv[optind], argv[optind + 1]);
    rc = EXIT_USAGE;
    goto out;
  }
  if (solution && (rc = vmp_solution_read(p, solution, &s))) {
    rc = cli_fail(rc);
    goto out;
  }
  if ((rc = vmp_explain(p, s, vm, &e)) ||
      (rc = json ? vmp_explanation_to_json(e, &text) : vmp_explanation_to_text(e, &text))) {
    rc = cli_fail(rc);
    goto out;
  }
  fputs(text, stdout);
  if (json) fputc('\n', stdout);
  for (size_t h = 0; h < vmp_explanation_num_hosts(e); h++) fits |= vmp_explanation_fits(e, h);
  rc = fits ? EXIT_OK : EXIT_NEGATIVE;
  goto out;
usage:
  explain_usage(stderr);
  rc = EXIT_USAGE;
out:
  vmp_free(text);
  vmp_explanation_free(e);
  vmp_solution_free(s);
  vmp_problem_free(p);
  return rc;
}
