/*
 * vmplace-bench's command line and the order of a run: parse options,
 * list instances and solvers, drop what results.csv already holds (unless
 * --force), run the rest through the scheduler (runner.c), then write the
 * reports from the whole table.  docs/benchmarks.md is the manual.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "vmplace/vmplace.h"
#include "bench.h"
#include "runner.h"

#ifndef VMPB_SOURCE_DIR
#error "VMPB_SOURCE_DIR must name the source tree"
#endif

enum { EXIT_DONE = 0, EXIT_FAILED_RUNS = 1, EXIT_USAGE = 2, EXIT_IO = 3,
       EXIT_INTERRUPTED = 130 };

#define MAX_SELECTIONS 64
#define MAX_SOLVERS 64
#define DEFAULT_TIME_LIMIT 10.0
#define DEFAULT_DC_SUITE "datacenter:1000x10000:1"

/* The --default selection: a spread over every suite (26 instances that
 * load, plus the 2 unsupported .mvp examples), small enough for a few
 * minutes on two cores with every solver of a full build: at most 5 s
 * per run, so about 26 x 7 time-limited solvers x 5 s / 2 jobs = 7.5 min
 * in the worst case, much less where solvers finish early.
 * docs/benchmarks.md lists it; commands.txt and summary.md repeat it. */
static const struct {
  const char *suite, *filter;
  size_t limit;
} default_selection[] = {
    {"examples", NULL, 0},
    {"bpplib-falkenauer", "^Falkenauer_(u120|t60)_0[01]$", 0},
    {"bpplib-scholl", "^N1C1W1_[AB]$", 0},
    {"bpplib-hard28", NULL, 1},
    {"vbp-panigrahy", "^Panigrahy/class[13579]_20_3_0$", 0},
    {"vbp-new", "^New/class[135]_20_3_0$", 0},
    {"vbp-triplet", "^Triplet/classF_60_3_[01]$", 0},
    {"cloudbalancing", "^(2|3|4|100)computers", 0},
};
#define DEFAULT_TIME 5.0
#define DEFAULT_JOBS 2
#define DEFAULT_DATACENTER "datacenter:200x2000:1"
#define DEFAULT_ONLINE 1000

typedef struct cfg {
  vmpb_selection sel[MAX_SELECTIONS];
  size_t nsel;
  char *suite_text[MAX_SELECTIONS];   /* owned copies of --suite words */
  size_t nsuite_text;
  const char *solvers_arg;
  double time_limit;
  int time_limit_set;
  double kill_after;
  int kill_after_set;
  unsigned jobs;
  int jobs_set;
  unsigned threads;
  uint64_t seed;
  const char *filter;
  size_t limit;
  const char *out, *data, *instances, *optima;
  size_t online;
  int force, deflt, help;
} cfg;

typedef struct run_state {
  const cfg *c;
  FILE *csv;
  vmpb_table *table;
  vmpb_table *online;
  const char *online_path;
  size_t failed;
  int io_error;
  char err[VMPB_ERRLEN];
} run_state;

static void usage(FILE *f) {
  const char *const *names = vmpb_suite_names();
  fprintf(f,
      "usage: vmplace-bench --suite NAME[,NAME] [OPTIONS] --out DIR\n"
      "       vmplace-bench --instances DIR [--optima CSV] [OPTIONS] --out DIR\n"
      "       vmplace-bench --default [--out DIR]\n"
      "       vmplace-bench --out DIR            (rewrite the reports only)\n"
      "\n"
      "Runs solvers on benchmark suites, one child process per instance and\n"
      "solver, and writes DIR/results.csv, results.json, summary.md and\n"
      "profile.svg.  Runs already in DIR/results.csv are skipped (resume).\n"
      "\n"
      "options:\n"
      "  --suite NAME[,NAME]    suites to run (repeatable); see below\n"
      "  --instances DIR        every .json .vbp .mvp .txt file under DIR, as\n"
      "                         suite dir:<name of DIR>\n"
      "  --optima CSV           best-known values for --instances (columns\n"
      "                         instance,opt_or_best[,is_proven_optimal])\n"
      "  --solvers LIST         comma-separated (default: every solver of this\n"
      "                         build, the peers cbc and cpsat where installed,\n"
      "                         and the reference row best-heuristic)\n"
      "  --time-limit S         per run (default 10; 0 = none)\n"
      "  --kill-after S         hard kill of a run (default 3 x time limit +\n"
      "                         30; 0 = never)\n"
      "  --jobs N               runs in parallel (default 1)\n"
      "  --threads N            threads per solver (default 1)\n"
      "  --filter REGEX         instances whose name matches (POSIX ERE)\n"
      "  --limit N              at most N instances per suite (after --filter)\n"
      "  --seed N               solver seed (default 1)\n"
      "  --online N             place N arriving VMs one at a time through\n"
      "                         vmp_place into each datacenter suite (or\n"
      "                         %s); latencies in DIR/online.csv\n"
      "  --data DIR             the shared instances (default\n"
      "                         $VMPLACE_INSTANCES, else ../shared/instances\n"
      "                         beside the source tree)\n"
      "  --out DIR              where results and reports go (required)\n"
      "  --force                rerun what DIR/results.csv already holds\n"
      "  --default              the short selection `make bench` runs (out\n"
      "                         DIR defaults to bench-results)\n"
      "  -h, --help             this help\n"
      "\n"
      "suites:\n",
      DEFAULT_DC_SUITE);
  for (size_t k = 0; names[k]; k++)
    fprintf(f, "  %-18s %s\n", names[k], vmpb_suite_describe(names[k]));
  fprintf(f,
      "  %-18s a generated datacenter (bench/generator.c)\n"
      "  %-18s generated datacenters with host prices, overcommit, a\n"
      "  %-18s compliance zone and replica sets: 10 each of 20x60,\n"
      "  %-18s 50x200 and 100x400 hosts x VMs (30)\n"
      "\n"
      "Exit status: 0 done, 1 done but some runs crashed or failed, 2 bad\n"
      "usage or input, 3 cannot write the results, 130 interrupted.\n",
      "datacenter:HxV[:S]", "realistic", "", "");
}

static int usage_error(const char *fmt, ...) {
  va_list ap;
  fputs("vmplace-bench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (see --help)\n", stderr);
  return EXIT_USAGE;
}

static int parse_double(const char *opt, const char *text, double *out) {
  char *end;
  errno = 0;
  *out = strtod(text, &end);
  if (end == text || *end || errno || !isfinite(*out) || *out < 0) {
    usage_error("%s: expected a number >= 0, got \"%s\"", opt, text);
    return -1;
  }
  return 0;
}

static int parse_u64(const char *opt, const char *text, uint64_t *out) {
  char *end;
  errno = 0;
  if (!*text || *text == '-') goto bad;
  *out = strtoull(text, &end, 10);
  if (*end || errno) goto bad;
  return 0;
bad:
  usage_error("%s: expected a whole number >= 0, got \"%s\"", opt, text);
  return -1;
}

static int add_suites(cfg *c, const char *text) {
  char *copy, *save = NULL, *tok;
  if (c->nsuite_text == MAX_SELECTIONS) return usage_error("too many --suite options"), -1;
  if (!(copy = strdup(text))) return usage_error("out of memory"), -1;
  c->suite_text[c->nsuite_text++] = copy;
  for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    if (!*tok) continue;
    if (c->nsel == MAX_SELECTIONS) return usage_error("too many suites"), -1;
    if (!vmpb_suite_known(tok))
      return usage_error("unknown suite \"%s\"", tok), -1;
    memset(&c->sel[c->nsel], 0, sizeof c->sel[c->nsel]);
    c->sel[c->nsel++].suite = tok;
  }
  return 0;
}

/* Options take their value as the next word or after '='. */
static int parse_args(int argc, char **argv, cfg *c) {
  for (int k = 1; k < argc; k++) {
    const char *a = argv[k], *val = NULL, *eq;
    char name[64];
    uint64_t u;
    static const char *const with_value[] = {
        "--suite", "--solvers", "--time-limit", "--kill-after", "--jobs",
        "--threads", "--filter", "--limit", "--seed", "--out", "--data",
        "--instances", "--optima", "--online", NULL};
    int needs = 0;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      c->help = 1;
      continue;
    }
    if (!strcmp(a, "--force")) {
      c->force = 1;
      continue;
    }
    if (!strcmp(a, "--default")) {
      c->deflt = 1;
      continue;
    }
    eq = strchr(a, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
    for (int w = 0; with_value[w]; w++)
      if (!strcmp(name, with_value[w])) needs = 1;
    if (!needs) return usage_error("unknown option \"%s\"", a);
    if (eq)
      val = eq + 1;
    else if (k + 1 < argc)
      val = argv[++k];
    else
      return usage_error("%s needs a value", name);
    if (!strcmp(name, "--suite")) {
      if (add_suites(c, val)) return EXIT_USAGE;
    } else if (!strcmp(name, "--solvers")) {
      c->solvers_arg = val;
    } else if (!strcmp(name, "--time-limit")) {
      if (parse_double(name, val, &c->time_limit)) return EXIT_USAGE;
      c->time_limit_set = 1;
    } else if (!strcmp(name, "--kill-after")) {
      if (parse_double(name, val, &c->kill_after)) return EXIT_USAGE;
      c->kill_after_set = 1;
    } else if (!strcmp(name, "--jobs") || !strcmp(name, "--threads")) {
      if (parse_u64(name, val, &u)) return EXIT_USAGE;
      if (u < 1 || u > 1024) return usage_error("%s: expected 1..1024", name);
      if (name[2] == 'j') {
        c->jobs = (unsigned)u;
        c->jobs_set = 1;
      } else {
        c->threads = (unsigned)u;
      }
    } else if (!strcmp(name, "--filter")) {
      c->filter = val;
    } else if (!strcmp(name, "--limit")) {
      if (parse_u64(name, val, &u)) return EXIT_USAGE;
      c->limit = (size_t)u;
    } else if (!strcmp(name, "--seed")) {
      if (parse_u64(name, val, &c->seed)) return EXIT_USAGE;
    } else if (!strcmp(name, "--out")) {
      c->out = val;
    } else if (!strcmp(name, "--data")) {
      c->data = val;
    } else if (!strcmp(name, "--instances")) {
      c->instances = val;
    } else if (!strcmp(name, "--optima")) {
      c->optima = val;
    } else if (!strcmp(name, "--online")) {
      if (parse_u64(name, val, &u)) return EXIT_USAGE;
      if (!u) return usage_error("--online: expected a number of VMs >= 1");
      c->online = (size_t)u;
    }
  }
  return 0;
}

/* Completes the configuration: --default, the --instances suite, shared
 * filters, and the defaults of what was not given. */
static int settle(cfg *c) {
  if (c->deflt) {
    if (c->nsel || c->instances || c->filter || c->limit)
      return usage_error("--default makes its own selection: drop --suite, "
                         "--instances, --filter and --limit");
    for (size_t k = 0; k < sizeof default_selection / sizeof *default_selection; k++) {
      vmpb_selection *s = &c->sel[c->nsel++];
      memset(s, 0, sizeof *s);
      s->suite = default_selection[k].suite;
      s->filter = default_selection[k].filter;
      s->limit = default_selection[k].limit;
    }
    memset(&c->sel[c->nsel], 0, sizeof c->sel[c->nsel]);
    c->sel[c->nsel++].suite = DEFAULT_DATACENTER;
    if (!c->online) c->online = DEFAULT_ONLINE;
    if (!c->time_limit_set) c->time_limit = DEFAULT_TIME;
    if (!c->jobs_set) c->jobs = DEFAULT_JOBS;
    if (!c->out) c->out = "bench-results";
  } else {
    for (size_t k = 0; k < c->nsel; k++) {
      c->sel[k].filter = c->filter;
      c->sel[k].limit = c->limit;
    }
  }
  if (c->optima && !c->instances)
    return usage_error("--optima goes with --instances");
  if (c->instances) {
    if (c->nsel == MAX_SELECTIONS) return usage_error("too many suites");
    memset(&c->sel[c->nsel], 0, sizeof c->sel[c->nsel]);
    c->sel[c->nsel].suite = "dir";
    c->sel[c->nsel].dir = c->instances;
    c->sel[c->nsel].optima = c->optima;
    c->sel[c->nsel].filter = c->filter;
    c->sel[c->nsel].limit = c->limit;
    c->nsel++;
  }
  if (!c->out) return usage_error("--out DIR is required");
  if (!c->kill_after_set)
    c->kill_after = c->time_limit > 0 ? 3 * c->time_limit + 30 : 0;
  return 0;
}

/* ---- solvers ------------------------------------------------------------------- */

typedef struct solver_list {
  char *names[MAX_SOLVERS];
  size_t n;
  char *buf;
} solver_list;

static int known_solver(const char *s) {
  return vmpb_is_library_solver(s) || vmpb_is_peer(s) ||
         !strcmp(s, VMPB_BEST_HEURISTIC);
}

static void list_known(FILE *f) {
  for (size_t k = 0; k < vmp_num_solvers(); k++)
    fprintf(f, "%s%s", k ? ", " : "", vmp_solver_name(k));
  fprintf(f, "; peers: cbc, cpsat; reference: %s", VMPB_BEST_HEURISTIC);
}

/* The solvers to run, with unavailable peers dropped (and why, in notes). */
static int pick_solvers(const cfg *c, solver_list *sl, FILE *notes) {
  char *save = NULL, *tok;
  size_t need = 1;
  for (size_t k = 0; k < vmp_num_solvers(); k++) need += strlen(vmp_solver_name(k)) + 1;
  need += 64 + (c->solvers_arg ? strlen(c->solvers_arg) : 0);
  if (!(sl->buf = malloc(need))) return -1;
  if (c->solvers_arg) {
    snprintf(sl->buf, need, "%s", c->solvers_arg);
  } else {
    sl->buf[0] = 0;
    for (size_t k = 0; k < vmp_num_solvers(); k++) {
      strcat(sl->buf, vmp_solver_name(k));
      strcat(sl->buf, ",");
    }
    strcat(sl->buf, "cbc,cpsat," VMPB_BEST_HEURISTIC);
  }
  for (tok = strtok_r(sl->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char why[300];
    int dup = 0;
    if (!*tok) continue;
    if (!known_solver(tok)) {
      fprintf(stderr, "vmplace-bench: unknown solver \"%s\" (this build has: ",
              tok);
      list_known(stderr);
      fprintf(stderr, ")\n");
      return EXIT_USAGE;
    }
    for (size_t k = 0; k < sl->n; k++) dup |= !strcmp(sl->names[k], tok);
    if (dup) continue;
    if (vmpb_is_peer(tok) && !vmpb_peer_available(tok, why, sizeof why)) {
      fprintf(stderr, "vmplace-bench: %s skipped: %s\n", tok, why);
      if (notes) fprintf(notes, "# %s skipped: %s\n", tok, why);
      continue;
    }
    if (sl->n == MAX_SOLVERS) return usage_error("too many solvers");
    sl->names[sl->n++] = tok;
  }
  if (!sl->n && c->nsel) return usage_error("no solver to run");
  return 0;
}

/* ---- files ------------------------------------------------------------------------ */

static int mkdirs(const char *path) {
  char buf[4096];
  size_t len = strlen(path);
  if (len >= sizeof buf) return -1;
  memcpy(buf, path, len + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0755) && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, 0755) && errno != EEXIST) return -1;
  return 0;
}

static void shell_quote(const char *a, char *out, size_t len) {
  int plain = *a != 0;
  size_t o = 0;
  for (const char *p = a; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "0123456789_./:=,+-@%", *p))
      plain = 0;
  if (plain) {
    snprintf(out, len, "%s", a);
    return;
  }
  if (o + 1 < len) out[o++] = '\'';
  for (const char *p = a; *p && o + 5 < len; p++) {
    if (*p == '\'') {
      memcpy(out + o, "'\\''", 4);
      o += 4;
    } else {
      out[o++] = *p;
    }
  }
  if (o + 1 < len) out[o++] = '\'';
  out[o] = 0;
}

/* First line of a command's output, or "" (for git describe). */
static void command_line_output(char *const argv[], char *buf, size_t len) {
  char tmp[64];
  int st;
  FILE *f;
  buf[0] = 0;
  snprintf(tmp, sizeof tmp, "/tmp/vmplace-bench-out-%ld", (long)getpid());
  if (vmpb_spawn_wait(argv, tmp, NULL, &st, NULL, NULL) == 0 &&
      (f = fopen(tmp, "r"))) {
    if (!fgets(buf, (int)len, f)) buf[0] = 0;
    buf[strcspn(buf, "\n")] = 0;
    fclose(f);
  }
  remove(tmp);
}

static void cpu_model(char *buf, size_t len) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  snprintf(buf, len, "unknown CPU");
  if (!f) return;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "model name", 10)) {
      char *p = strchr(line, ':');
      if (p) {
        p++;
        while (*p == ' ') p++;
        p[strcspn(p, "\n")] = 0;
        snprintf(buf, len, "%s", p);
      }
      break;
    }
  fclose(f);
}

/* Appends this run's command line and context to DIR/commands.txt. */
static int record_command(const cfg *c, int argc, char **argv,
                          const char *path, const char *notes) {
  FILE *f = fopen(path, "a");
  char q[4096], when[64], git[128], cpu[256], cwd[2048];
  char *gitargv[] = {"git", "-C", VMPB_SOURCE_DIR, "describe", "--always",
                     "--dirty", NULL};
  struct utsname un;
  time_t now = time(NULL);
  struct tm tm;
  double load[1] = {0};
  if (!f) return -1;
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
  command_line_output(gitargv, git, sizeof git);
  cpu_model(cpu, sizeof cpu);
  if (uname(&un)) snprintf(un.sysname, sizeof un.sysname, "?");
  if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "?");
  getloadavg(load, 1);
  fprintf(f, "# %s: vmplace %s%s%s, %s %s, %ld cores (%s), load %.2f, in %s\n",
          when, vmp_version_string(), *git ? " git " : "", git, un.sysname,
          un.machine, sysconf(_SC_NPROCESSORS_ONLN), cpu, load[0], cwd);
  if (c->deflt) {
    fprintf(f, "# --default: time limit %g s, %u jobs;", c->time_limit, c->jobs);
    for (size_t k = 0; k < c->nsel; k++)
      fprintf(f, " %s%s%s%s", c->sel[k].suite, c->sel[k].filter ? " /" : "",
              c->sel[k].filter ? c->sel[k].filter : "",
              c->sel[k].filter ? "/" : "");
    fputc('\n', f);
  }
  if (notes && *notes) fputs(notes, f);
  fputs("$", f);
  for (int k = 0; k < argc; k++) {
    shell_quote(argv[k], q, sizeof q);
    fprintf(f, " %s", q);
  }
  fputc('\n', f);
  return fclose(f) ? -1 : 0;
}

/* The "$ ..." lines and the comments before each, as one string per run. */
static char **read_commands(const char *path, size_t *n) {
  FILE *f = fopen(path, "r");
  char **v = NULL, *line = NULL, *cur = NULL;
  size_t cap = 0, curlen = 0;
  *n = 0;
  if (!f) return NULL;
  while (getline(&line, &cap, f) >= 0) {
    size_t l = strlen(line);
    char *nc = realloc(cur, curlen + l + 1);
    char **nv;
    if (!nc) break;
    cur = nc;
    memcpy(cur + curlen, line, l + 1);
    curlen += l;
    if (line[0] != '$') continue;
    if (!(nv = realloc(v, (*n + 1) * sizeof *v))) break;
    v = nv;
    while (curlen && cur[curlen - 1] == '\n') cur[--curlen] = 0;
    v[(*n)++] = cur;
    cur = NULL;
    curlen = 0;
  }
  free(cur);
  free(line);
  fclose(f);
  return v;
}

/* ---- rows -------------------------------------------------------------------------- */

static int set_common(vmpb_row *r, const cfg *c, const vmpb_instance *in,
                      const char *solver) {
  char buf[64];
  int bad = 0;
  bad |= vmpb_row_set(r, VMPB_COL_SUITE, in->suite);
  bad |= vmpb_row_set(r, VMPB_COL_INSTANCE, in->name);
  bad |= vmpb_row_set(r, VMPB_COL_SOLVER, solver);
  bad |= vmpb_row_setf(r, VMPB_COL_BEST_KNOWN, "%.10g", in->best_known);
  bad |= vmpb_row_set(r, VMPB_COL_BEST_KNOWN_PROVEN,
                      in->best_known_proven < 0 ? ""
                      : in->best_known_proven ? "true" : "false");
  bad |= vmpb_row_setf(r, VMPB_COL_BEST_HEURISTIC, "%.10g", in->best_heuristic);
  bad |= vmpb_row_setf(r, VMPB_COL_TIME_LIMIT, "%g", c->time_limit);
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->seed);
  bad |= vmpb_row_set(r, VMPB_COL_SEED, buf);
  snprintf(buf, sizeof buf, "%u", c->threads);
  bad |= vmpb_row_set(r, VMPB_COL_THREADS, buf);
  return bad ? -1 : 0;
}

static void append_row(run_state *rs, const vmpb_row *r) {
  if (vmpb_results_write_row(rs->csv, r) || fflush(rs->csv)) rs->io_error = 1;
}

static void on_result(vmpb_runner *rn, const vmpb_job *j, const vmpb_outcome *o,
                      double wall) {
  run_state *rs = rn->user;
  vmpb_row *r = vmpb_table_add(rs->table);
  int bad;
  if (!r) {
    rs->io_error = 1;
    return;
  }
  bad = set_common(r, rs->c, j->inst, j->solver);
  bad |= vmpb_row_set(r, VMPB_COL_STATUS, o->status);
  bad |= vmpb_row_setf(r, VMPB_COL_VALUE, "%.10g", o->value);
  /* an instance the reader refused proved nothing either way */
  bad |= vmpb_row_set(r, VMPB_COL_PROVEN_OPTIMAL,
                      o->proven_optimal ? "true"
                      : strcmp(o->status, "unsupported") ? "false" : "");
  bad |= vmpb_row_setf(r, VMPB_COL_BOUND, "%.10g", o->bound);
  bad |= vmpb_row_setf(r, VMPB_COL_GAP_TO_BEST, "%.6f",
                       vmpb_gap(o->value, j->inst->best_known));
  bad |= vmpb_row_setf(r, VMPB_COL_TIME_S, "%.6f", o->time_s);
  bad |= vmpb_row_setf(r, VMPB_COL_PEAK_MIB, "%.1f", o->peak_mib);
  bad |= vmpb_row_set(r, VMPB_COL_STOP_REASON, o->stop_reason);
  bad |= vmpb_row_setf(r, VMPB_COL_HOSTS_USED, "%.0f", o->hosts_used);
  bad |= vmpb_row_setf(r, VMPB_COL_VMS, "%.0f", o->vms);
  bad |= vmpb_row_setf(r, VMPB_COL_UNPLACED, "%.0f", o->unplaced);
  bad |= vmpb_row_setf(r, VMPB_COL_READ_S, "%.6f", o->read_s);
  bad |= vmpb_row_setf(r, VMPB_COL_WALL_S, "%.3f", wall);
  bad |= vmpb_row_set(r, VMPB_COL_NOTE, o->note);
  bad |= vmpb_row_setf(r, VMPB_COL_INITIAL_COST, "%.10g", j->inst->initial_cost);
  if (!isnan(j->inst->initial_cost) && j->inst->initial_cost > 0 &&
      (!strcmp(o->status, "optimal") || !strcmp(o->status, "feasible"))) {
    bad |= vmpb_row_setf(r, VMPB_COL_NORMALIZED_GAP, "%.8f",
                         (o->value - j->inst->best_known) / j->inst->initial_cost);
    bad |= vmpb_row_setf(r, VMPB_COL_VS_BEST, "%.8f",
                         o->value / j->inst->best_known);
  }
  if (bad) rs->io_error = 1;
  if (!strcmp(o->status, "crash") || !strcmp(o->status, "error")) rs->failed++;
  append_row(rs, r);
}

static void on_online(vmpb_runner *rn, const vmpb_job *j,
                      const vmpb_online_result *o) {
  run_state *rs = rn->user;
  vmpb_row *r = vmpb_table_add(rs->online);
  char buf[64];
  int bad;
  if (!r) {
    rs->io_error = 1;
    return;
  }
  bad = vmpb_row_set(r, VMPB_OCOL_SUITE, j->inst->suite);
#define SETZ(col, v) (snprintf(buf, sizeof buf, "%zu", (size_t)(v)), vmpb_row_set(r, col, buf))
  bad |= SETZ(VMPB_OCOL_HOSTS, o->hosts);
  bad |= SETZ(VMPB_OCOL_VMS, o->vms);
  bad |= SETZ(VMPB_OCOL_ARRIVALS, o->arrivals);
  bad |= SETZ(VMPB_OCOL_PLACED, o->placed);
#undef SETZ
  bad |= vmpb_row_setf(r, VMPB_OCOL_SETUP_S, "%.6f", o->setup_s);
  bad |= vmpb_row_setf(r, VMPB_OCOL_MEDIAN_US, "%.3f", o->median_us);
  bad |= vmpb_row_setf(r, VMPB_OCOL_P99_US, "%.3f", o->p99_us);
  bad |= vmpb_row_setf(r, VMPB_OCOL_MAX_US, "%.3f", o->max_us);
  bad |= vmpb_row_setf(r, VMPB_OCOL_MEAN_US, "%.3f", o->mean_us);
  bad |= vmpb_row_setf(r, VMPB_OCOL_PEAK_MIB, "%.1f", o->peak_mib);
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)rs->c->seed);
  bad |= vmpb_row_set(r, VMPB_OCOL_SEED, buf);
  bad |= vmpb_row_set(r, VMPB_OCOL_STATUS, o->status);
  bad |= vmpb_row_set(r, VMPB_OCOL_NOTE, o->note);
  snprintf(buf, sizeof buf, "%zu", o->added);
  bad |= vmpb_row_set(r, VMPB_OCOL_ADDED, buf);
  snprintf(buf, sizeof buf, "%zu", o->added_placed);
  bad |= vmpb_row_set(r, VMPB_OCOL_ADD_PLACED, buf);
  bad |= vmpb_row_setf(r, VMPB_OCOL_ADD_MEDIAN_US, "%.3f", o->add_median_us);
  bad |= vmpb_row_setf(r, VMPB_OCOL_ADD_P99_US, "%.3f", o->add_p99_us);
  bad |= vmpb_row_setf(r, VMPB_OCOL_ADD_MAX_US, "%.3f", o->add_max_us);
  if (bad) rs->io_error = 1;
  if (strcmp(o->status, "ok")) rs->failed++;
  if (vmpb_online_write(rs->online_path, rs->online, rs->err)) rs->io_error = 1;
}

/* The reference row of the VBP tables' best_heuristic column. */
static int reference_row(run_state *rs, const vmpb_instance *in) {
  vmpb_row *r = vmpb_table_add(rs->table);
  int bad;
  if (!r) return -1;
  bad = set_common(r, rs->c, in, VMPB_BEST_HEURISTIC);
  bad |= vmpb_row_set(r, VMPB_COL_STATUS, "reference");
  bad |= vmpb_row_setf(r, VMPB_COL_VALUE, "%.10g", in->best_heuristic);
  bad |= vmpb_row_set(r, VMPB_COL_PROVEN_OPTIMAL, "false");
  bad |= vmpb_row_setf(r, VMPB_COL_GAP_TO_BEST, "%.6f",
                       vmpb_gap(in->best_heuristic, in->best_known));
  bad |= vmpb_row_setf(r, VMPB_COL_HOSTS_USED, "%.10g", in->best_heuristic);
  bad |= vmpb_row_set(r, VMPB_COL_TIME_LIMIT, "");
  bad |= vmpb_row_set(r, VMPB_COL_SEED, "");
  bad |= vmpb_row_set(r, VMPB_COL_THREADS, "");
  bad |= vmpb_row_set(r, VMPB_COL_NOTE, "best of about 700 published greedy "
                      "heuristics (Mommessin et al., results_data)");
  if (bad) return -1;
  append_row(rs, r);
  return 0;
}

/* ---- the run ---------------------------------------------------------------------------- */

static int path_in(char *buf, size_t len, const char *dir, const char *name) {
  return snprintf(buf, len, "%s/%s", dir, name) >= (int)len ? -1 : 0;
}

/* Removes the rows --force will redo. */
static void drop_rows(vmpb_table *t, const vmpb_instances *il,
                      const solver_list *sl) {
  size_t w = 0;
  for (size_t k = 0; k < t->n; k++) {
    int drop = 0;
    for (size_t i = 0; !drop && i < il->n; i++)
      for (size_t s = 0; !drop && s < sl->n; s++)
        drop = vmpb_row_is(&t->rows[k], il->v[i].suite, il->v[i].name, sl->names[s]);
    if (drop) {
      for (int c = 0; c < VMPB_NCOLS; c++) free(t->rows[k].f[c]);
    } else {
      t->rows[w++] = t->rows[k];
    }
  }
  t->n = w;
  vmpb_table_invalidate(t);
}

static int write_reports(const cfg *c, vmpb_table *t,
                         const vmpb_table *online, const char *cmds_path) {
  char path[4096], err[VMPB_ERRLEN];
  size_t ncmd = 0;
  char **cmds = read_commands(cmds_path, &ncmd);
  int rc = 0;
  if (path_in(path, sizeof path, c->out, "results.json") ||
      vmpb_results_write_json(path, t, (const char *const *)cmds, ncmd, err))
    rc = -1;
  if (!rc && (path_in(path, sizeof path, c->out, "summary.md") ||
              vmpb_report_summary(path, t, online, (const char *const *)cmds,
                                  ncmd, err)))
    rc = -1;
  if (!rc && (path_in(path, sizeof path, c->out, "profile.svg") ||
              vmpb_report_profile(path, t, err)))
    rc = -1;
  if (rc) fprintf(stderr, "vmplace-bench: %s\n", err);
  for (size_t k = 0; k < ncmd; k++) free(cmds[k]);
  free(cmds);
  return rc;
}

static int need_data(const cfg *c) {
  for (size_t k = 0; k < c->nsel; k++)
    if (!c->sel[k].dir && strncmp(c->sel[k].suite, "datacenter:", 11) &&
        strcmp(c->sel[k].suite, "realistic"))
      return 1;
  return 0;
}

int vmpb_main(int argc, char **argv, const char *self_exe) {
  cfg c;
  solver_list sl;
  vmpb_instances il = {0}, online_dc = {0};
  vmpb_table table = {0}, online = {0};
  vmpb_job *jobs = NULL, *ojobs = NULL;
  size_t njobs = 0, nojobs = 0, skipped = 0;
  char data[4096] = "", err[VMPB_ERRLEN], csv_path[4096], online_path[4096],
       cmds_path[4096], log_path[4096], tmpdir[4096];
  char *notes = NULL;
  size_t notes_len = 0;
  FILE *notes_f = NULL;
  run_state rs;
  vmpb_runner rn;
  int rc = EXIT_DONE, run_rc = 0;
  double t0 = vmpb_now();

  memset(&c, 0, sizeof c);
  memset(&sl, 0, sizeof sl);
  c.time_limit = DEFAULT_TIME_LIMIT;
  c.jobs = 1;
  c.threads = 1;
  c.seed = 1;
  if ((rc = parse_args(argc, argv, &c))) goto done;
  if (c.help) {
    usage(stdout);
    goto done;
  }
  if ((rc = settle(&c))) goto done;
  for (size_t k = 0; k < c.nsel; k++) {
    size_t h, v;
    uint64_t seed;
    if (strncmp(c.sel[k].suite, "datacenter:", 11)) continue;
    if (vmpb_parse_datacenter(c.sel[k].suite, &h, &v, &seed, err)) {
      rc = usage_error("%s", err);
      goto done;
    }
  }
  if (need_data(&c) && vmpb_data_dir(c.data, data, sizeof data, err)) {
    rc = usage_error("%s", err);
    goto done;
  }
  if (!(notes_f = open_memstream(&notes, &notes_len))) {
    rc = EXIT_IO;
    goto done;
  }
  if (c.nsel && (rc = pick_solvers(&c, &sl, notes_f))) goto done;
  fclose(notes_f);
  notes_f = NULL;
  for (size_t k = 0; k < c.nsel; k++)
    if (vmpb_instances_add(&il, &c.sel[k], data, stderr, err)) {
      rc = usage_error("%s", err);
      goto done;
    }
  if (c.online) {
    int any = 0;
    for (size_t k = 0; k < il.n; k++) any |= il.v[k].kind == VMPB_KIND_DATACENTER;
    if (!any) {
      vmpb_selection s = {DEFAULT_DC_SUITE, NULL, NULL, NULL, 0};
      if (vmpb_instances_add(&online_dc, &s, data, stderr, err)) {
        rc = usage_error("%s", err);
        goto done;
      }
    }
  }

  /* the output directory and what it already holds */
  if (mkdirs(c.out) || path_in(csv_path, sizeof csv_path, c.out, "results.csv") ||
      path_in(online_path, sizeof online_path, c.out, "online.csv") ||
      path_in(cmds_path, sizeof cmds_path, c.out, "commands.txt") ||
      path_in(log_path, sizeof log_path, c.out, "worker.log") ||
      path_in(tmpdir, sizeof tmpdir, c.out, "tmp") || mkdirs(tmpdir)) {
    fprintf(stderr, "vmplace-bench: %s: cannot create (%s)\n", c.out,
            strerror(errno));
    rc = EXIT_IO;
    goto done;
  }
  if (vmpb_results_read(csv_path, &table, err) ||
      vmpb_online_read(online_path, &online, err)) {
    fprintf(stderr, "vmplace-bench: %s (use another --out DIR)\n", err);
    rc = EXIT_USAGE;
    goto done;
  }
  if (c.force && (il.n || online_dc.n)) {
    drop_rows(&table, &il, &sl);
    if (vmpb_results_write(csv_path, &table, err)) {
      fprintf(stderr, "vmplace-bench: %s\n", err);
      rc = EXIT_IO;
      goto done;
    }
  }
  if (!c.nsel && !c.online) {
    /* nothing to run: rewrite the reports from what DIR holds */
    if (!table.n && !online.n) {
      rc = usage_error("nothing to run: give --suite, --instances or "
                       "--default (%s holds no results yet)", c.out);
      goto done;
    }
    rc = write_reports(&c, &table, &online, cmds_path) ? EXIT_IO : EXIT_DONE;
    goto done;
  }
  if (record_command(&c, argc, argv, cmds_path, notes)) {
    fprintf(stderr, "vmplace-bench: %s: %s\n", cmds_path, strerror(errno));
    rc = EXIT_IO;
    goto done;
  }

  memset(&rs, 0, sizeof rs);
  rs.c = &c;
  rs.table = &table;
  rs.online = &online;
  rs.online_path = online_path;
  {
    struct stat st;
    int fresh = stat(csv_path, &st) || st.st_size == 0, cut = 0;
    if (!fresh) {
      /* a runner killed while appending leaves a last line without its
       * end; reading dropped it, and so does rewriting the file */
      FILE *r = fopen(csv_path, "rb");
      if (r && !fseek(r, -1, SEEK_END)) cut = fgetc(r) != '\n';
      if (r) fclose(r);
      if (cut && vmpb_results_write(csv_path, &table, err)) {
        fprintf(stderr, "vmplace-bench: %s\n", err);
        rc = EXIT_IO;
        goto done;
      }
    }
    if (!(rs.csv = fopen(csv_path, "a")) ||
        (fresh && (vmpb_results_write_header(rs.csv) || fflush(rs.csv)))) {
      fprintf(stderr, "vmplace-bench: %s: %s\n", csv_path, strerror(errno));
      rc = EXIT_IO;
      goto done;
    }
  }

  /* the jobs: instance by instance, every solver */
  jobs = calloc(il.n * (sl.n ? sl.n : 1) + 1, sizeof *jobs);
  if (!jobs) {
    rc = EXIT_IO;
    goto done;
  }
  for (size_t i = 0; i < il.n; i++)
    for (size_t s = 0; s < sl.n; s++) {
      const vmpb_instance *in = &il.v[i];
      if (vmpb_table_find(&table, in->suite, in->name, sl.names[s]) != (size_t)-1) {
        skipped++;
        continue;
      }
      if (!strcmp(sl.names[s], VMPB_BEST_HEURISTIC)) {
        if (!isnan(in->best_heuristic) && reference_row(&rs, in)) rs.io_error = 1;
        continue;
      }
      jobs[njobs].inst = in;
      jobs[njobs].solver = sl.names[s];
      jobs[njobs].fd = -1;
      njobs++;
    }
  if (c.online) {
    const vmpb_instances *src = online_dc.n ? &online_dc : &il;
    ojobs = calloc(src->n + 1, sizeof *ojobs);
    if (!ojobs) {
      rc = EXIT_IO;
      goto done;
    }
    for (size_t i = 0; i < src->n; i++) {
      int done_already = 0;
      char arr[32];
      if (src->v[i].kind != VMPB_KIND_DATACENTER) continue;
      snprintf(arr, sizeof arr, "%zu", c.online);
      for (size_t k = 0; k < online.n; k++)
        done_already |= !strcmp(online.rows[k].f[VMPB_OCOL_SUITE], src->v[i].suite) &&
                        !strcmp(online.rows[k].f[VMPB_OCOL_ARRIVALS], arr);
      if (done_already && !c.force) {
        skipped++;
        continue;
      }
      if (done_already) {
        /* --force: the new row replaces the old */
        size_t w = 0;
        for (size_t k = 0; k < online.n; k++) {
          if (!strcmp(online.rows[k].f[VMPB_OCOL_SUITE], src->v[i].suite) &&
              !strcmp(online.rows[k].f[VMPB_OCOL_ARRIVALS], arr)) {
            for (int cc = 0; cc < VMPB_NCOLS; cc++) free(online.rows[k].f[cc]);
          } else {
            online.rows[w++] = online.rows[k];
          }
        }
        online.n = w;
        vmpb_table_invalidate(&online);
      }
      ojobs[nojobs].inst = &src->v[i];
      ojobs[nojobs].arrivals = c.online;
      ojobs[nojobs].fd = -1;
      nojobs++;
    }
  }
  if (skipped)
    fprintf(stderr, "vmplace-bench: %zu run(s) already in %s skipped (--force "
            "reruns them)\n", skipped, c.out);

  memset(&rn, 0, sizeof rn);
  rn.self_exe = self_exe;
  rn.tmpdir = tmpdir;
  rn.log_path = log_path;
  rn.time_limit = c.time_limit;
  rn.kill_after = c.kill_after;
  rn.seed = c.seed;
  rn.threads = c.threads;
  rn.jobs = c.jobs;
  rn.tty = isatty(2);
  rn.t_start = vmpb_now();
  rn.user = &rs;
  rn.on_result = on_result;
  rn.on_online = on_online;
  vmpb_runner_catch_signals();
  run_rc = vmpb_runner_run(&rn, jobs, njobs);
  if (!run_rc && nojobs) {
    /* latencies alone on the machine's cores, one datacenter at a time */
    rn.jobs = 1;
    rn.kill_after = 0;
    run_rc = vmpb_runner_run(&rn, ojobs, nojobs);
  }
  if (fclose(rs.csv)) rs.io_error = 1;
  rs.csv = NULL;
  /* leave no empty leftovers: peers clean their files, workers rarely log */
  rmdir(tmpdir);
  {
    struct stat st;
    if (!stat(log_path, &st) && st.st_size == 0) remove(log_path);
  }
  if (write_reports(&c, &table, &online, cmds_path)) rs.io_error = 1;
  fprintf(stderr, "vmplace-bench: %zu run(s) in %.1f s%s%s; report in %s/summary.md\n",
          njobs + nojobs, vmpb_now() - t0, rs.failed ? ", failures: " : "",
          rs.failed ? "see summary.md" : "", c.out);
  if (run_rc == 1)
    rc = EXIT_INTERRUPTED;
  else if (run_rc < 0 || rs.io_error)
    rc = EXIT_IO;
  else if (rs.failed)
    rc = EXIT_FAILED_RUNS;
done:
  if (notes_f) fclose(notes_f);
  free(notes);
  for (size_t k = 0; k < njobs; k++) free(jobs[k].buf);
  for (size_t k = 0; k < nojobs; k++) free(ojobs[k].buf);
  free(jobs);
  free(ojobs);
  vmpb_table_free(&table);
  vmpb_table_free(&online);
  vmpb_instances_free(&il);
  vmpb_instances_free(&online_dc);
  free(sl.buf);
  for (size_t k = 0; k < c.nsuite_text; k++) free(c.suite_text[k]);
  return rc;
}
