/*
 * vmplace apply — execute a plan through libvirt, with a journal.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_virt.h"

static void apply_usage(FILE *f) {
  fprintf(f,
          "usage: vmplace apply [OPTIONS] PLAN\n"
          "\n"
          "Executes a plan (from 'vmplace plan -o') through libvirt, wave after\n"
          "wave.  Migrations are live (peer to peer, persistent on the target,\n"
          "undefined on the source) where the driver supports it.  A failed step\n"
          "is undone (the VM keeps running where it ran) and later waves do not\n"
          "run.  Every step is recorded in a journal; running the same command\n"
          "again resumes: done steps are skipped and what an interrupted run left\n"
          "half done is finished or undone (docs/libvirt.md).\n"
          "\n"
          "options:\n"
          "  -n, --dry-run            connect and show what would be done; change\n"
          "                           nothing\n"
          "      --allow-cold-move    where live migration is not supported, or the\n"
          "                           VM's metadata says <vmplace:live-migration>\n"
          "                           false, move the VM shut down (define on the\n"
          "                           target, shut down, start on the target,\n"
          "                           undefine the source)\n"
          "      --journal FILE       the journal (default: PLAN.journal)\n"
          "      --no-journal         keep none (a re-run then cannot clean up)\n"
          "      --partial            apply the safe steps of a blocked plan\n"
          "      --shutdown-timeout S seconds a guest gets to shut down (default 300)\n"
          "      --bandwidth MIBPS    cap on live migration bandwidth (default: the\n"
          "                           driver's)\n"
          "      --migrate-timeout S  abort a live migration after S seconds (the VM\n"
          "                           keeps running on its source; default: no limit)\n"
          "      --parallel N         run up to N steps of a wave at once, never\n"
          "                           more per host than the plan's max_concurrent\n"
          "                           (default 1: one after another)\n"
          "      --domain-xml DIR     definitions of new VMs: DIR/<vm>.xml\n"
          "      --cpu-sched FILE     then set CPU scheduler values, a JSON object\n"
          "                           {\"vm\": {\"cpu_shares\": N, \"vcpu_quota\": N,\n"
          "                           \"vcpu_period\": N}}\n"
          "      --json               print the report as JSON\n"
          "  -v, --verbose            more detail on stderr\n"
          "  -q, --quiet              no report: the exit status says it all\n"
          "  -h, --help               this help\n"
          "\n"
          "Ctrl-C (or SIGTERM) stops after the step in flight, which is finished\n"
          "or undone: the journal stays consistent; exit 130 (143).  PLAN - reads\n"
          "standard input (give --journal FILE or --no-journal).\n"
          "\n"
          "Exit status: 0 every step done, 1 a step failed (and was undone) or\n"
          "the plan is blocked, 2 bad usage or input (an unreachable host, a\n"
          "journal of another plan), 3 internal error.\n");
}

typedef struct apply_args {
  vmp_apply_opts o;
  const char *journal;
  int no_journal, partial, json, verbose, quiet;
  const char *sched_file;
} apply_args;

static int parse_args(int argc, char **argv, apply_args *A) {
  static const struct option longopts[] = {
      {"dry-run", no_argument, NULL, 'n'},
      {"allow-cold-move", no_argument, NULL, 'c'},
      {"journal", required_argument, NULL, 'j'},
      {"no-journal", no_argument, NULL, 'J'},
      {"partial", no_argument, NULL, 'P'},
      {"shutdown-timeout", required_argument, NULL, 't'},
      {"bandwidth", required_argument, NULL, 'b'},
      {"domain-xml", required_argument, NULL, 'd'},
      {"migrate-timeout", required_argument, NULL, 'M'},
      {"parallel", required_argument, NULL, 'p'},
      {"cpu-sched", required_argument, NULL, 's'},
      {"json", no_argument, NULL, 'O'},
      {"verbose", no_argument, NULL, 'v'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  uint64_t u;
  int c;
  optind = 0;
  while ((c = getopt_long(argc, argv, ":nvqh", longopts, NULL)) != -1) {
    switch (c) {
      case 'n': A->o.dry_run = 1; break;
      case 'c': A->o.allow_cold_move = 1; break;
      case 'j': A->journal = optarg; break;
      case 'J': A->no_journal = 1; break;
      case 'P': A->partial = 1; break;
      case 't':
        if (cli_parse_double("--shutdown-timeout", optarg, &A->o.shutdown_timeout)) return -1;
        break;
      case 'b':
        if (cli_parse_u64("--bandwidth", optarg, &u)) return -1;
        A->o.bandwidth_mibps = u;
        break;
      case 'd': A->o.domain_xml_dir = optarg; break;
      case 'M':
        if (cli_parse_double("--migrate-timeout", optarg, &A->o.migrate_timeout)) return -1;
        break;
      case 'p':
        if (cli_parse_u64("--parallel", optarg, &u)) return -1;
        if (u > 64) {
          cli_error("--parallel: expected 1..64, got %llu", (unsigned long long)u);
          return -1;
        }
        A->o.parallel = (uint32_t)u;
        break;
      case 's': A->sched_file = optarg; break;
      case 'O': A->json = 1; break;
      case 'v': A->verbose = 1; break;
      case 'q': A->quiet = 1; break;
      case 'h': return 1;
      default: cli_bad_option(c, argv); return -1;
    }
  }
  if (optind != argc - 1) {
    cli_error("apply: expected one PLAN file");
    return -1;
  }
  if (A->journal && A->no_journal) {
    cli_error("apply: --journal and --no-journal exclude each other");
    return -1;
  }
  return 0;
}

int cmd_apply(int argc, char **argv) {
  apply_args A;
  vmp_plan *pl = NULL;
  vmp_virt *v = NULL;
  vmp_apply_report *rep = NULL;
  vmp_cpu_sched *sched = NULL;
  size_t nsched = 0;
  char *journal = NULL;
  int rc, arc;
  memset(&A, 0, sizeof A);
  vmp_apply_opts_init(&A.o, VMP_APPLY_OPTS_VERSION);
  if ((rc = parse_args(argc, argv, &A))) {
    if (rc > 0) apply_usage(stdout);
    return rc > 0 ? EXIT_OK : cli_hint();
  }
  if (!strcmp(argv[optind], "-") && !A.journal && !A.no_journal) {
    cli_error("apply: a plan from standard input needs --journal FILE or --no-journal");
    return cli_hint();
  }
  if (A.journal && cli_check_output("--journal", A.journal)) return EXIT_USAGE;
  if ((rc = cli_load_plan(argv[optind], &pl))) return rc;
  if (vmp_plan_status(pl) == VMP_PLAN_BLOCKED && !A.partial) {
    cli_error("%s: the plan is blocked (%zu moves have no safe order; see 'vmplace plan'); "
              "--partial applies its safe steps", argv[optind], vmp_plan_num_blocked(pl));
    rc = EXIT_NEGATIVE;
    goto out;
  }
  if (A.sched_file && (rc = cli_read_cpu_sched(A.sched_file, &sched, &nsched))) goto out;
  if (!A.no_journal && !A.journal) {
    size_t len = strlen(argv[optind]) + sizeof ".journal";
    if (!(journal = malloc(len))) {
      rc = cli_fail(VMP_ENOMEM);
      goto out;
    }
    snprintf(journal, len, "%s.journal", argv[optind]);
    A.journal = journal;
  }
  A.o.journal = A.no_journal ? NULL : A.journal;
  A.o.cpu_sched = sched;
  A.o.ncpu_sched = nsched;
  A.o.progress = cli_apply_progress;
  A.o.progress_userdata = cli_stderr_tty() && !A.json && !A.quiet ? (void *)stderr : NULL;
  cli_catch_interrupts();
  if ((rc = cli_virt_session(A.verbose, &v))) goto out;
  arc = vmp_virt_apply(v, pl, &A.o, &rep);
  if (!rep) {
    rc = cli_fail(arc);
    goto out;
  }
  if (A.json) {
    char *text = NULL;
    rc = vmp_apply_report_to_json(rep, &text);
    if ((rc = cli_write_json(rc, text, "-"))) goto out;
  } else if (!A.quiet) {
    printf("%s%zu steps: %zu done, %zu already done, %zu failed, %zu not run",
           A.o.dry_run ? "dry run: " : "", vmp_apply_report_num_steps(rep),
           vmp_apply_report_num_in_state(rep, VMP_STEP_DONE),
           vmp_apply_report_num_in_state(rep, VMP_STEP_ALREADY),
           vmp_apply_report_num_in_state(rep, VMP_STEP_FAILED),
           vmp_apply_report_num_in_state(rep, VMP_STEP_PENDING));
    if (A.o.dry_run)
      printf(", %zu would run", vmp_apply_report_num_in_state(rep, VMP_STEP_WOULD_RUN));
    printf("\n");
    cli_print_report(stdout, pl, rep);
    if (vmp_apply_report_cpu_sched(rep))
      printf("CPU scheduler values set on %zu VMs\n", vmp_apply_report_cpu_sched(rep));
  }
  if (arc) {
    /* A report comes only with step failures (undone) or a stop: the
     * datacenter is consistent, the answer is "not done". */
    cli_error("%s", vmp_last_error());
    rc = EXIT_NEGATIVE;
  } else {
    rc = vmp_plan_status(pl) == VMP_PLAN_COMPLETE ? EXIT_OK : EXIT_NEGATIVE;
  }
  rc = cli_interrupt_status(rc);
out:
  cli_free_cpu_sched(sched, nsched);
  free(journal);
  vmp_apply_report_free(rep);
  vmp_plan_free(pl);
  vmp_virt_free(v);
  return rc;
}
