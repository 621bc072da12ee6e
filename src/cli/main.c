/*
 * vmplace — the command-line program.  `vmplace help` lists the commands;
 * `vmplace COMMAND --help` explains one.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"solve", "compute a placement (and its bound) for a problem", cmd_solve},
    {"check", "audit a placement: feasibility, rules, score, alerts", cmd_check},
    {"explain", "show, host by host, where a VM fits and why not", cmd_explain},
    {"forecast", "predict demands from usage history; right-size a problem", cmd_forecast},
    {"plan", "order the moves to a placement into capacity-safe waves", cmd_plan},
    {"entitlements", "share overcommitted CPU among VMs; CPU shares and quotas",
     cmd_entitlements},
    {"snapshot", "read the datacenter through libvirt into a problem", cmd_snapshot},
    {"apply", "execute a plan through libvirt, with a journal", cmd_apply},
    {"rebalance", "snapshot, solve, plan, apply and verify in one go", cmd_rebalance},
    {"version", "print the version and the features of this build", cmd_version},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f) {
  fprintf(f,
          "usage: vmplace COMMAND [OPTIONS] ARGS...\n"
          "\n"
          "vmplace decides where virtual machines should run.\n"
          "\n"
          "commands:\n");
  for (size_t k = 0; k < NCOMMANDS; k++)
    fprintf(f, "  %-12s %s\n", commands[k].name, commands[k].summary);
  fprintf(f,
          "\n"
          "Run 'vmplace COMMAND --help' for a command's options.\n"
          "Exit status: 0 success, 1 negative answer (partial, infeasible,\n"
          "violations), 2 bad usage or input, 3 internal error.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[1], "completion") || !strcmp(argv[1], "man")) {
    cli_command_name = argv[1];
    return cli_generate(argc - 1, argv + 1, commands, NCOMMANDS);
  }
  if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    if (argc > 2)
      for (size_t k = 0; k < NCOMMANDS; k++)
        if (!strcmp(commands[k].name, argv[2])) {
          char *args[] = {argv[2], "--help", NULL};
          return commands[k].run(2, args);
        }
    usage(stdout);
    return EXIT_OK;
  }
  if (!strcmp(argv[1], "--version")) return cmd_version(1, argv + 1);
  /* getopt's own messages are replaced by cli_bad_option's one line */
  opterr = 0;
  for (size_t k = 0; k < NCOMMANDS; k++)
    if (!strcmp(commands[k].name, argv[1])) {
      cli_command_name = commands[k].name;
      return commands[k].run(argc - 1, argv + 1);
    }
  cli_error("unknown command '%s' (see 'vmplace help')", argv[1]);
  return EXIT_USAGE;
}
