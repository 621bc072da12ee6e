/*
 * vmplace entitlements — how each overcommitted host's CPU is shared among
 * its VMs (the entitlements LP), and the scheduler values that enforce it,
 * in the file format `vmplace apply --cpu-sched` reads.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <vmplace/entitlements.h>

static void entitlements_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace entitlements [OPTIONS] PROBLEM [SOLUTION]\n"
          "\n"
          "Shares the CPU of every overcommitted host among its VMs: each VM gets\n"
          "its guarantee, then the rest by weighted max-min fairness (weight\n"
          "1 + priority), never above its demand (docs/formulations.md,\n"
          "\"Entitlements\"; an LP solved with GLPK).  VMs are where SOLUTION puts\n"
          "them, or on their current hosts.  Prints every host and VM with its\n"
          "entitlement, CFS shares and per-vCPU quota.\n"
          "\n"
          "options:\n"
          "  -r, --resource NAME      the resource shared (default cpu)\n"
          "      --min-fraction F     share of its demand every VM is guaranteed,\n"
          "                           0..1 (default 0)\n"
          "      --period US          CFS period in microseconds (default 100000)\n"
          "  -o, --output FILE        write scheduler values for 'vmplace apply\n"
          "                           --cpu-sched FILE': cpu_shares for every placed\n"
          "                           VM (work-conserving), and with --quota also\n"
          "                           vcpu_quota and vcpu_period\n"
          "      --quota              cap each VM at its entitlement (not\n"
          "                           work-conserving: idle CPU stays unused)\n"
          "      --format FMT         problem format (default auto)\n"
          "      --json               print the entitlements as JSON\n"
          "  -q, --quiet              no report (with -o: only the file)\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit status: 0 success, 2 bad usage or input, 3 internal error.\n");
}

typedef struct ent_args {
  vmp_entitlements_opts o;
  const char *output;
  int quota, json, quiet, format;
} ent_args;

static int parse_args(int argc, char **argv, ent_args *A) {
  static const struct option longopts[] = {
      {"resource", required_argument, NULL, 'r'}, {"min-fraction", required_argument, NULL, 'm'},
      {"period", required_argument, NULL, 'p'},   {"output", required_argument, NULL, 'o'},
      {"quota", no_argument, NULL, 'Q'},
      {"quiet", no_argument, NULL, 'q'},          {"format", required_argument, NULL, 'F'},
      {"json", no_argument, NULL, 'J'},           {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, ":r:o:qh", longopts, NULL)) != -1) {
    switch (c) {
      case 'r': A->o.resource = optarg; break;
      case 'm':
        if (cli_parse_double("--min-fraction", optarg, &A->o.min_fraction)) return -1;
        break;
      case 'p':
        if (cli_parse_double("--period", optarg, &A->o.period_us)) return -1;
        break;
      case 'o': A->output = optarg; break;
      case 'Q': A->quota = 1; break;
      case 'q': A->quiet = 1; break;
      case 'F':
        if (cli_format_option(optarg, &A->format)) return -1;
        break;
      case 'J': A->json = 1; break;
      case 'h': return 1;
      default: cli_bad_option(c, argv); return -1;
    }
  }
  if (optind != argc - 1 && optind != argc - 2) {
    cli_error("entitlements: expected PROBLEM and an optional SOLUTION");
    return -1;
  }
  if (A->quota && !A->output) {
    cli_error("entitlements: --quota only changes the file of --output");
    return -1;
  }
  return 0;
}

/* The scheduler values of placed VM v: {cpu_shares[, vcpu_quota,
 * vcpu_period]}. */
static json_t *sched_of(const vmp_entitlements *e, size_t v, int quota) {
  json_t *o = json_object();
  int bad = !o;
  if (!bad)
    bad |= json_object_set_new(o, "cpu_shares",
                               json_integer((json_int_t)vmp_entitlements_vm_shares(e, v)));
  if (!bad && quota) {
    bad |= json_object_set_new(o, "vcpu_quota",
                               json_integer((json_int_t)vmp_entitlements_vm_vcpu_quota_us(e, v)));
    bad |= json_object_set_new(o, "vcpu_period",
                               json_integer((json_int_t)vmp_entitlements_period_us(e)));
  }
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* The --output file: {"vm": {...}} for every placed VM. */
static int write_sched(const vmp_problem *p, const vmp_entitlements *e, int quota,
                       const char *path) {
  json_t *root = json_object();
  char *text;
  int bad = !root, rc;
  for (size_t v = 0; !bad && v < vmp_entitlements_num_vms(e); v++)
    if (vmp_entitlements_vm_host(e, v) != VMP_NONE)
      bad |= json_object_set_new(root, vmp_problem_vm_name(p, v), sched_of(e, v, quota));
  text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!text) return cli_fail(VMP_ENOMEM);
  rc = cli_write_text(path, text);
  free(text);
  return rc;
}

static int print_json(const vmp_problem *p, const vmp_entitlements *e) {
  json_t *root = json_object(), *hosts = json_array(), *vms = json_array();
  char *text;
  int bad = !root || !hosts || !vms;
  for (size_t h = 0; !bad && h < vmp_entitlements_num_hosts(e); h++)
    bad |= json_array_append_new(
        hosts, json_pack("{s:s, s:f, s:f, s:b}", "host", vmp_problem_host_name(p, h), "capacity",
                         vmp_entitlements_host_capacity(e, h), "demand",
                         vmp_entitlements_host_demand(e, h), "overcommitted",
                         vmp_entitlements_host_overcommitted(e, h)));
  for (size_t v = 0; !bad && v < vmp_entitlements_num_vms(e); v++) {
    size_t h = vmp_entitlements_vm_host(e, v);
    bad |= json_array_append_new(
        vms, json_pack("{s:s, s:o, s:f, s:f, s:I, s:I, s:I}", "vm", vmp_problem_vm_name(p, v),
                       "host", h == VMP_NONE ? json_null() : json_string(vmp_problem_host_name(p, h)),
                       "demand", vmp_entitlements_vm_demand(e, v), "entitled",
                       vmp_entitlements_vm_guaranteed(e, v), "cpu_shares",
                       (json_int_t)vmp_entitlements_vm_shares(e, v), "quota_us",
                       (json_int_t)vmp_entitlements_vm_quota_us(e, v), "vcpu_quota_us",
                       (json_int_t)vmp_entitlements_vm_vcpu_quota_us(e, v)));
  }
  if (!bad) {
    bad |= json_object_set_new(root, "period_us", json_real(vmp_entitlements_period_us(e)));
    bad |= json_object_set_new(root, "hosts", hosts);
    hosts = NULL;
    bad |= json_object_set_new(root, "vms", vms);
    vms = NULL;
  }
  text = bad ? NULL : json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  json_decref(hosts);
  json_decref(vms);
  if (!text) return cli_fail(VMP_ENOMEM);
  puts(text);
  free(text);
  return EXIT_OK;
}

static int print_text(const vmp_problem *p, const vmp_entitlements *e) {
  size_t nh = vmp_entitlements_num_hosts(e), nv = vmp_entitlements_num_vms(e), over = 0;
  /* VMs grouped by host (a counting sort), so that listing every
   * overcommitted host's VMs stays linear in the problem's size */
  size_t *start = calloc(nh + 1, sizeof *start), *by_host = malloc((nv + 1) * sizeof *by_host);
  if (!start || !by_host) {
    free(start);
    free(by_host);
    return cli_fail(VMP_ENOMEM);
  }
  for (size_t v = 0; v < nv; v++)
    if (vmp_entitlements_vm_host(e, v) != VMP_NONE) start[vmp_entitlements_vm_host(e, v) + 1]++;
  for (size_t h = 0; h < nh; h++) start[h + 1] += start[h];
  for (size_t v = 0; v < nv; v++)
    if (vmp_entitlements_vm_host(e, v) != VMP_NONE) by_host[start[vmp_entitlements_vm_host(e, v)]++] = v;
  for (size_t h = nh; h > 0; h--) start[h] = start[h - 1];
  start[0] = 0;
  for (size_t h = 0; h < nh; h++) over += (size_t)vmp_entitlements_host_overcommitted(e, h);
  printf("%zu of %zu hosts overcommitted; period %.0f us\n", over, nh, vmp_entitlements_period_us(e));
  for (size_t h = 0; h < nh; h++) {
    int oc = vmp_entitlements_host_overcommitted(e, h);
    printf("%s: demand %g of %g%s\n", vmp_problem_host_name(p, h),
           vmp_entitlements_host_demand(e, h), vmp_entitlements_host_capacity(e, h),
           oc ? " (overcommitted)" : "");
    for (size_t k = start[h]; oc && k < start[h + 1]; k++) {
      size_t v = by_host[k];
      printf("  %-20s demand %-8g entitled %-8.4g shares %-6llu quota %lld us/vCPU\n",
             vmp_problem_vm_name(p, v), vmp_entitlements_vm_demand(e, v),
             vmp_entitlements_vm_guaranteed(e, v),
             (unsigned long long)vmp_entitlements_vm_shares(e, v),
             (long long)vmp_entitlements_vm_vcpu_quota_us(e, v));
    }
  }
  free(start);
  free(by_host);
  return EXIT_OK;
}

int cmd_entitlements(int argc, char **argv) {
  ent_args A;
  vmp_problem *p = NULL;
  vmp_solution *s = NULL;
  vmp_entitlements *e = NULL;
  int rc;
  memset(&A, 0, sizeof A);
  vmp_entitlements_opts_init(&A.o, VMP_ENTITLEMENTS_OPTS_VERSION);
  A.format = VMP_FORMAT_AUTO;
  if ((rc = parse_args(argc, argv, &A))) {
    if (rc > 0) entitlements_usage(stdout);
    return rc > 0 ? EXIT_OK : cli_hint();
  }
  if (A.output && cli_check_output("--output", A.output)) return EXIT_USAGE;
  if ((rc = cli_load_problem(argv[optind], A.format, &p))) goto out;
  if (optind + 1 < argc && (rc = cli_load_solution(p, argv[optind + 1], &s))) goto out;
  if ((rc = vmp_entitlements_compute(p, s, &A.o, &e))) {
    rc = cli_fail(rc);
    goto out;
  }
  rc = A.json ? print_json(p, e) : A.quiet ? EXIT_OK : print_text(p, e);
  if (!rc && A.output) rc = write_sched(p, e, A.quota, A.output);
out:
  vmp_entitlements_free(e);
  vmp_solution_free(s);
  vmp_problem_free(p);
  return rc;
}
