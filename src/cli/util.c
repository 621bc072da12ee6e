/*
 * Helpers shared by the subcommands.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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

int cli_load_problem(const char *path, int format, vmp_problem **out) {
  int rc = vmp_problem_read(path, format, out);
  return rc ? cli_fail(rc) : 0;
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
  fprintf(f, "status:     %s (%s)", vmp_status_name(vmp_solution_status(s)),
          vmp_stop_reason_name(vmp_solution_stop_reason(s)));
  if (solver && solver[0]) fprintf(f, ", solver %s", solver);
  fprintf(f, ", %.3f s\n", vmp_solution_time(s));
  fprintf(f, "objective:  ");
  print_num(f, vmp_solution_objective(s));
  fprintf(f, "   bound: ");
  print_num(f, vmp_solution_bound(s));
  fprintf(f, "   gap: %.2f%%\n", 100.0 * vmp_solution_gap(s));
  fprintf(f, "hosts used: %zu of %zu\n", vmp_solution_hosts_used(s), nh);
  fprintf(f, "score:     ");
  for (size_t k = 0; k < vmp_solution_num_terms(s); k++) {
    const char *name;
    double value, weighted;
    vmp_solution_term_at(s, k, &name, &value, &weighted);
    fprintf(f, " %s ", name);
    print_num(f, value);
    if (weighted != value) {
      fprintf(f, " (");
      print_num(f, weighted);
      fprintf(f, ")");
    }
    fprintf(f, k + 1 < vmp_solution_num_terms(s) ? "," : "\n");
  }
  if (show_placement && nv) {
    size_t *count = calloc(nh + 1, sizeof *count);
    double *load = calloc(nh * nr + 1, sizeof *load);
    fprintf(f, "placement:\n");
    for (size_t v = 0; count && load && v < nv; v++) {
      size_t h = vmp_solution_vm_host(s, v);
      if (h == VMP_NONE) continue;
      count[h]++;
      for (size_t r = 0; r < nr; r++) load[h * nr + r] += vmp_problem_vm_demand(p, v, r);
    }
    for (size_t h = 0; count && load && h < nh; h++) {
      size_t shown = 0;
      if (!count[h]) continue;
      fprintf(f, "  %s (%zu VM%s;", vmp_solution_host_name(s, h), count[h],
              count[h] == 1 ? "" : "s");
      for (size_t r = 0; r < nr; r++) {
        double cap = vmp_problem_host_effective_capacity(p, h, r);
        fprintf(f, " %s %.0f%%", vmp_problem_resource_name(p, r),
                cap > 0 ? 100.0 * load[h * nr + r] / cap : 0.0);
      }
      fprintf(f, "):");
      for (size_t v = 0; v < nv; v++) {
        if (vmp_solution_vm_host(s, v) != h) continue;
        if (shown++ == 12) {
          fprintf(f, " ... (+%zu more)", count[h] - 12);
          break;
        }
        fprintf(f, " %s", vmp_solution_vm_name(s, v));
      }
      fputc('\n', f);
    }
    free(count);
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
