/*
 * vmplace snapshot — the datacenter, read through libvirt, as a problem.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>
#include <stdlib.h>

#include "cli_virt.h"

static void snapshot_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace snapshot --inventory FILE [OPTIONS]\n"
          "\n"
          "Connects to every host of the inventory (a problem JSON without VMs,\n"
          "whose hosts have a libvirt \"uri\") and writes the datacenter as a\n"
          "problem: node CPUs and memory reconciled with the inventory, and a VM\n"
          "for each running domain with its vCPUs, memory, disks, current host\n"
          "and vmplace metadata (docs/libvirt.md).\n"
          "\n"
          "options:\n"
          "  -i, --inventory FILE  the inventory (required)\n"
          "      --inactive        also list shut-off domains, as VMs without a host\n"
          "  -o, --output FILE     write the problem to FILE and print a summary\n"
          "                        (default: the problem JSON on stdout)\n"
          "  -v, --verbose         more detail on stderr\n"
          "  -q, --quiet           no summary after -o FILE\n"
          "  -h, --help            this help\n"
          "\n"
          "Exit status: 0 success, 2 bad usage or input (an unreachable host\n"
          "included), 3 internal error.\n");
}

int cmd_snapshot(int argc, char **argv) {
  static const struct option longopts[] = {{"inventory", required_argument, NULL, 'i'},
                                           {"inactive", no_argument, NULL, 'I'},
                                           {"output", required_argument, NULL, 'o'},
                                           {"verbose", no_argument, NULL, 'v'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *inventory = NULL, *output = NULL;
  uint32_t flags = 0;
  int verbose = 0, quiet = 0, c, rc;
  vmp_virt *v = NULL;
  vmp_problem *p = NULL;
  char *text = NULL;
  optind = 0;
  while ((c = getopt_long(argc, argv, ":i:o:vqh", longopts, NULL)) != -1) {
    switch (c) {
      case 'i': inventory = optarg; break;
      case 'I': flags |= VMP_SNAPSHOT_INACTIVE; break;
      case 'o': output = optarg; break;
      case 'v': verbose = 1; break;
      case 'q': quiet = 1; break;
      case 'h': snapshot_usage(stdout); return EXIT_OK;
      default: cli_bad_option(c, argv); goto usage;
    }
  }
  if (!inventory || optind != argc) {
    cli_error("snapshot: expected --inventory FILE and no other argument");
    goto usage;
  }
  if (output && cli_check_output("--output", output)) return EXIT_USAGE;
  if ((rc = cli_virt_session(verbose, &v)) || (rc = cli_snapshot(v, inventory, flags, &p)))
    goto out;
  if ((rc = vmp_problem_to_json(p, &text))) {
    rc = cli_fail(rc);
    goto out;
  }
  if ((rc = cli_write_text(output ? output : "-", text))) goto out;
  if (output && strcmp(output, "-") && !quiet) {
    size_t placed = 0;
    for (size_t k = 0; k < vmp_problem_num_vms(p); k++)
      placed += vmp_problem_vm_host(p, k) != VMP_NONE;
    printf("%s: %zu hosts, %zu VMs running", output, vmp_problem_num_hosts(p), placed);
    if (placed < vmp_problem_num_vms(p)) printf(", %zu shut off", vmp_problem_num_vms(p) - placed);
    printf(", %zu groups from metadata\n", vmp_problem_num_groups(p));
  }
  goto out;
usage:
  rc = cli_hint();
out:
  vmp_free(text);
  vmp_problem_free(p);
  vmp_virt_free(v);
  return rc;
}
