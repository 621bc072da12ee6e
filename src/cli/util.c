/*
 * Helpers shared by the subcommands.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...) {
  va_list ap;
  fputs("vmplace: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_fail(int rc) {
  const char *msg = vmp_last_error();
  cli_error("%s", msg[0] ? msg : vmp_strerror(rc));
  switch (rc) {
    case VMP_ENOMEM:
    case VMP_EINTERNAL:
    case VMP_ESOLVER:
      return EXIT_INTERNAL;
    default:
      return EXIT_USAGE;
  }
}

int cli_format(const char *name) {
  static const struct { const char *name; int fmt; } map[] = {
      {"auto", VMP_FORMAT_AUTO}, {"json", VMP_FORMAT_JSON},
      {"vbp", VMP_FORMAT_VBP},   {"mvp", VMP_FORMAT_MVP},
      {"bpplib", VMP_FORMAT_BPPLIB}, {"txt", VMP_FORMAT_BPPLIB},
      {"cloud", VMP_FORMAT_CLOUDBALANCING},
      {"cloudbalancing", VMP_FORMAT_CLOUDBALANCING},
      {"roadef", VMP_FORMAT_ROADEF}};
  for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
    if (!strcmp(map[k].name, name)) return map[k].fmt;
  return -1;
}

int cli_format_option(const char *arg, int *format) {
  int f = cli_format(arg);
  if (f < 0) {
    cli_error("--format: unknown format '%s' (expected auto, json, vbp, mvp, "
              "bpplib, cloud or roadef)",
              arg);
    return -1;
  }
  *format = f;
  return 0;
}

int cli_write_json(int rc, char *text, const char *path) {
  if (rc) return cli_fail(rc);
  rc = cli_write_text(path, text);
  vmp_free(text);
  return rc;
}

int cli_write_solution_json(const vmp_solution *s, const char *path) {
  char *text = NULL;
  int rc = vmp_solution_to_json(s, &text);
  return cli_write_json(rc, text, path);
}


int cli_load_problem_opt(const char *path, int format, int from_scratch,
                         vmp_problem **out) {
  int rc;
  size_t n = strlen(path);
  if (!from_scratch) return cli_load_problem(path, format, out);
  if ((format == VMP_FORMAT_AUTO && (n < 4 || strcmp(path + n - 4, ".txt"))) ||
      (format != VMP_FORMAT_AUTO && format != VMP_FORMAT_ROADEF)) {
    cli_error("--from-scratch: only for ROADEF model files");
    return EXIT_USAGE;
  }
  rc = vmp_problem_read_roadef(path, NULL, out);
  return rc ? cli_fail(rc) : 0;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}


int cli_parse_double(const char *opt, const char *text, double *out) {
  char *end;
  double d;
  errno = 0;
  d = strtod(text, &end);
  if (end == text || *end || errno || !isfinite(d) || d < 0) {
    cli_error("%s: expected a number >= 0, got '%s'", opt, text);
    return -1;
  }
  *out = d;
  return 0;
}

int cli_parse_u64(const char *opt, const char *text, uint64_t *out) {
  char *end;
  unsigned long long v;
  errno = 0;
  if (text[0] == '-') {
    cli_error("%s: expected a non-negative integer, got '%s'", opt, text);
    return -1;
  }
  v = strtoull(text, &end, 10);
  if (end == text || *end || errno) {
    cli_error("%s: expected a non-negative integer, got '%s'", opt, text);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_write_text(const char *path, const char *text) {
  FILE *f;
  if (!strcmp(path, "-")) {
    fputs(text, stdout);
    fputc('\n', stdout);
    return fflush(stdout) ? EXIT_INTERNAL : EXIT_OK;
  }
  f = fopen(path, "w");
  if (!f) {
    cli_error("%s: cannot open for writing: %s", path, strerror(errno));
    return EXIT_USAGE;
  }
  fputs(text, f);
  fputc('\n', f);
  if (fclose(f)) {
    cli_error("%s: write failed: %s", path, strerror(errno));
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

int cli_stderr_tty(void) { return isatty(STDERR_FILENO); }

static void print_num(FILE *f, double v) {
  if (v == floor(v) && fabs(v) < 1e15)
    fprintf(f, "%.0f", v);
  else
    fprintf(f, "%.6g", v);
}

void cli_print_solution(FILE *f, const vmp_problem *p, const vmp_solution *s,
                        int show_placement) {
  size_t nh = vmp_solution_num_hosts(s), nv = vmp_solution_num_vms(s);
  size_t nr = vmp_problem_num_resources(p);
  const char *solver = vmp_solution_solver(s);
  double mig = 0.0;
  fprintf(f, "status:     %s (%s)", vmp_status_name(vmp_solution_status(s)),
          vmp_stop_reason_name(vmp_solution_stop_reason(s)));
  if (solver && solver[0]) fprintf(f, ", solver %s", solver);
  fprintf(f, ", %.3f s\n", vmp_solution_time(s));
  fprintf(f, "objective:  ");
  print_num(f, vmp_solution_objective(s));
  if (vmp_solution_status(s) == VMP_STATUS_INVALID) {
    /* no bound or gap: the placement is no answer to the problem */
    fprintf(f, "   (hard constraints broken: no bound or gap)\n");
  } else {
    fprintf(f, "   bound: ");
    print_num(f, vmp_solution_bound(s));
    fprintf(f, "   gap: %.2f%%\n", 100.0 * vmp_solution_gap(s));
  }
  fprintf(f, "hosts used: %zu of %zu\n", vmp_solution_hosts_used(s), nh);
  {
    size_t running, moved = cli_moves(p, s, &running, &mig);
    fprintf(f, "moves:      %zu of %zu running VM%s (migration cost ", moved, running,
            running == 1 ? "" : "s");
    print_num(f, mig);
    fprintf(f, ")\n");
  }
  /* Raw values with their unit; the weighted value (what the objective
   * counts) where it differs. */
  fprintf(f, "score:     ");
  for (size_t k = 0; k < vmp_solution_num_terms(s); k++) {
    const char *name;
    double value, weighted;
    vmp_solution_term_at(s, k, &name, &value, &weighted);
    fprintf(f, " %s ", name);
    if (!strcmp(name, "balance")) {
      fprintf(f, "%.0f%%", 100.0 * value);
    } else {
      print_num(f, value);
      if (!strcmp(name, "unplaced")) fprintf(f, " VM%s", value == 1 ? "" : "s");
    }
    if (weighted != value) {
      fprintf(f, " (weighted ");
      print_num(f, weighted);
      fprintf(f, ")");
    }
    fprintf(f, k + 1 < vmp_solution_num_terms(s) ? "," : "\n");
  }
  if (show_placement && nv) {
    /* Each host's VMs from one counting sort: linear in VMs plus hosts
     * (scanning every VM for each host took minutes for 10^6 VMs). */
    size_t *count = calloc(nh + 1, sizeof *count);
    size_t *start = calloc(nh + 2, sizeof *start);
    size_t *order = malloc((nv + 1) * sizeof *order);
    double *load = calloc(nh * nr + 1, sizeof *load);
    int ok = count && start && order && load;
    fprintf(f, "placement:\n");
    for (size_t v = 0; ok && v < nv; v++) {
      size_t h = vmp_solution_vm_host(s, v);
      if (h == VMP_NONE) continue;
      count[h]++;
      for (size_t r = 0; r < nr; r++) load[h * nr + r] += vmp_problem_vm_demand(p, v, r);
    }
    for (size_t h = 0; ok && h < nh; h++) start[h + 1] = start[h] + count[h];
    for (size_t v = 0; ok && v < nv; v++) {
      size_t h = vmp_solution_vm_host(s, v);
      if (h != VMP_NONE) order[start[h]++] = v;
    }
    for (size_t h = nh; ok && h > 0; h--) start[h] = start[h - 1];
    if (ok) start[0] = 0;
    for (size_t h = 0; ok && h < nh; h++) {
      if (!count[h]) continue;
      fprintf(f, "  %s (%zu VM%s;", vmp_solution_host_name(s, h), count[h],
              count[h] == 1 ? "" : "s");
      for (size_t r = 0; r < nr; r++) {
        double cap = vmp_problem_host_effective_capacity(p, h, r);
        fprintf(f, " %s %.0f%%", vmp_problem_resource_name(p, r),
                cap > 0 ? 100.0 * load[h * nr + r] / cap : 0.0);
      }
      fprintf(f, "):");
      for (size_t k = 0; k < count[h] && k < 12; k++)
        fprintf(f, " %s", vmp_solution_vm_name(s, order[start[h] + k]));
      if (count[h] > 12) fprintf(f, " ... (+%zu more)", count[h] - 12);
      fputc('\n', f);
    }
    free(count);
    free(start);
    free(order);
    free(load);
  }
  if (vmp_solution_num_unplaced(s)) {
    fprintf(f, "unplaced (%zu):\n", vmp_solution_num_unplaced(s));
    for (size_t k = 0; k < vmp_solution_num_unplaced(s); k++) {
      if (k == 50) {
        fprintf(f, "  ... (%zu more; --json lists all)\n", vmp_solution_num_unplaced(s) - 50);
        break;
      }
      fprintf(f, "  %s: %s\n", vmp_solution_vm_name(s, vmp_solution_unplaced_vm(s, k)),
              vmp_solution_unplaced_reason(s, k));
    }
  }
  if (vmp_solution_num_violations(s)) {
    fprintf(f, "violations (%zu):\n", vmp_solution_num_violations(s));
    for (size_t k = 0; k < vmp_solution_num_violations(s); k++) {
      const char *kind, *msg;
      int hard;
      vmp_solution_violation_at(s, k, &kind, &msg, &hard);
      fprintf(f, "  [%s] %s\n", hard ? "hard" : "soft", msg);
    }
  }
}

/* ---- usage errors --------------------------------------------------------- */

const char *cli_command_name = "vmplace";

int cli_hint(void) {
  fprintf(stderr, "see 'vmplace %s --help'\n", cli_command_name);
  return EXIT_USAGE;
}

void cli_bad_option(int c, char **argv) {
  const char *arg = argv[optind - 1];
  if (c == ':')
    cli_error("%s: option '%s' needs a value", cli_command_name, arg);
  else if (optopt)
    cli_error("%s: unknown option '-%c'", cli_command_name, optopt);
  else
    cli_error("%s: unknown option '%s'", cli_command_name, arg);
}

/* ---- files ---------------------------------------------------------------- */

int cli_check_output(const char *opt, const char *path) {
  char *dir, *slash;
  int ok;
  if (!strcmp(path, "-")) return 0;
  if (!path[0]) {
    cli_error("%s: expected a file name", opt);
    return -1;
  }
  if (access(path, F_OK) == 0) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      cli_error("%s: cannot open for writing: Is a directory", path);
      return -1;
    }
    if (access(path, W_OK)) {
      cli_error("%s: cannot open for writing: %s", path, strerror(errno));
      return -1;
    }
    return 0;
  }
  if (!(dir = strdup(path))) return 0;
  slash = strrchr(dir, '/');
  if (!slash)
    strcpy(dir, ".");
  else if (slash == dir)
    slash[1] = '\0';
  else
    *slash = '\0';
  ok = access(dir, W_OK) == 0;
  if (!ok) cli_error("%s: cannot open for writing: %s", path, strerror(errno));
  free(dir);
  return ok ? 0 : -1;
}

static const char *origin_of(const char *path) { return strcmp(path, "-") ? path : "<stdin>"; }
static int cli_read_quiet(const char *path, char **data, size_t *len);

int cli_read_input(const char *path, char **data, size_t *len) {
  int rc = cli_read_quiet(path, data, len);
  if (rc == EXIT_USAGE) cli_error("%s: cannot read: %s", origin_of(path), strerror(errno));
  else if (rc) cli_error("out of memory");
  return rc;
}

static int cli_read_quiet(const char *path, char **data, size_t *len) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  size_t cap = 1 << 16, n = 0, got;
  char *buf;
  int err = 0;
  *data = NULL;
  *len = 0;
  if (!f) return EXIT_USAGE;
  if (!(buf = malloc(cap))) err = ENOMEM;
  while (!err && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      char *more = realloc(buf, cap * 2);
      if (!more) {
        err = ENOMEM;
        break;
      }
      buf = more;
      cap *= 2;
    }
  }
  if (!err && ferror(f)) err = errno ? errno : EIO;
  if (f != stdin) fclose(f);
  if (err) {
    free(buf);
    errno = err;
    return err == ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

/* What kind of vmplace file a JSON text is: its "kind", or what its keys
 * say for files written before kinds existed; NULL when not JSON. */
static const char *file_kind(const char *data, size_t len, json_t **root) {
  json_t *k;
  *root = json_loadb(data, len, 0, NULL);
  if (!json_is_object(*root)) return NULL;
  if (json_is_string(k = json_object_get(*root, "kind"))) return json_string_value(k);
  if (json_object_get(*root, "assignments")) return "solution";
  if (json_object_get(*root, "steps")) return "plan";
  if (json_object_get(*root, "hosts") || json_object_get(*root, "computerList"))
    return "problem";
  return NULL;
}

int cli_check_kind(const char *path, const char *data, size_t len, const char *want) {
  static const struct { const char *kind, *maker; } makers[] = {
      {"problem", "vmplace snapshot -o"}, {"solution", "vmplace solve -o"},
      {"plan", "vmplace plan -o"}};
  json_t *root = NULL;
  const char *kind = file_kind(data, len, &root), *maker = NULL;
  int rc = 0;
  if (kind && strcmp(kind, want)) {
    for (size_t k = 0; k < sizeof makers / sizeof *makers; k++)
      if (!strcmp(makers[k].kind, want)) maker = makers[k].maker;
    cli_error("%s is a%s %s; %s expects a %s%s%s%s", path,
              strchr("aeiou", kind[0]) ? "n" : "", kind, cli_command_name, want,
              maker ? " (make one with '" : "", maker ? maker : "", maker ? "')" : "");
    rc = EXIT_USAGE;
  }
  json_decref(root);
  return rc;
}

/* After a read of path failed with rc: when the file is a vmplace file of
 * another kind, says so with the command that makes the right one (the
 * library only knows it is not what it expected); else prints the
 * library's message.  data: the text when it was read already (stdin).
 * Exit status. */
static int load_failed(int rc, const char *path, const char *data, size_t len,
                       const char *want) {
  char *own = NULL;
  int wrong = 0;
  if (!data && cli_read_quiet(path, &own, &len) == 0) data = own;
  if (data) {
    /* the library's message survives: jansson does not touch it */
    wrong = cli_check_kind(origin_of(path), data, len, want) != 0;
  }
  free(own);
  return wrong ? EXIT_USAGE : cli_fail(rc);
}

int cli_load_problem(const char *path, int format, vmp_problem **out) {
  char *data = NULL;
  size_t len = 0;
  int rc;
  *out = NULL;
  if (strcmp(path, "-")) {
    rc = vmp_problem_read(path, format, out);
  } else {
    if ((rc = cli_read_input(path, &data, &len))) return rc;
    rc = vmp_problem_parse(data, len, format == VMP_FORMAT_AUTO ? VMP_FORMAT_JSON : format,
                           "<stdin>", out);
  }
  if (rc) rc = load_failed(rc, path, data, len, "problem");
  free(data);
  return rc;
}

int cli_load_solution(const vmp_problem *p, const char *path, vmp_solution **out) {
  char *data = NULL;
  size_t len = 0;
  int rc;
  *out = NULL;
  if (strcmp(path, "-") && ends_with(path, ".sol")) {
    /* a ROADEF solution: one host index per VM */
    rc = vmp_solution_read_roadef(p, path, out);
    return rc ? cli_fail(rc) : 0;
  }
  if (strcmp(path, "-")) {
    rc = vmp_solution_read(p, path, out);
  } else {
    if ((rc = cli_read_input(path, &data, &len))) return rc;
    rc = vmp_solution_parse(p, data, len, "<stdin>", out);
  }
  if (rc) rc = load_failed(rc, path, data, len, "solution");
  free(data);
  return rc;
}

int cli_load_plan(const char *path, vmp_plan **out) {
  char *data = NULL;
  size_t len = 0;
  int rc;
  *out = NULL;
  if (strcmp(path, "-")) {
    rc = vmp_plan_read(path, out);
  } else {
    if ((rc = cli_read_input(path, &data, &len))) return rc;
    rc = vmp_plan_parse(data, len, "<stdin>", out);
  }
  if (rc) rc = load_failed(rc, path, data, len, "plan");
  free(data);
  return rc;
}

/* ---- interrupts ------------------------------------------------------------ */

static volatile sig_atomic_t interrupted_by;

static void on_signal(int sig) {
  /* The first signal asks the work to stop and keep its best; the handler
   * is reset (SA_RESETHAND), so a second one ends the process at once. */
  interrupted_by = sig;
}

void cli_catch_interrupts(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void) { return interrupted_by; }

int cli_interrupt_status(int rc) {
  if (!interrupted_by || rc > EXIT_NEGATIVE) return rc;
  return 128 + interrupted_by;
}

size_t cli_moves(const vmp_problem *p, const vmp_solution *s, size_t *running, double *cost) {
  size_t moved = 0, run = 0;
  double c = 0.0;
  for (size_t v = 0; v < vmp_problem_num_vms(p) && v < vmp_solution_num_vms(s); v++) {
    size_t cur = vmp_problem_vm_host(p, v), h = vmp_solution_vm_host(s, v);
    if (cur == VMP_NONE) continue;
    run++;
    if (h == cur) continue;
    moved++;
    if (h != VMP_NONE) c += vmp_problem_vm_migration_cost(p, v);
  }
  if (running) *running = run;
  if (cost) *cost = c;
  return moved;
}
