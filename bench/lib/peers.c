/*
 * Peers: other solvers run side by side with vmplace's on the same
 * instances, each reported as its own solver row.
 *
 *   cbc    COIN-OR CBC (Debian package coinor-cbc) on the MIP that
 *          `vmplace solve --write-model F.mps` exports (the exact engine's
 *          model): the same model, another MIP solver.
 *   cpsat  OR-Tools CP-SAT (PyPI package ortools, optional) through
 *          bench/peers/cpsat.py, on the problem JSON of the same instance.
 *          Its placement is judged by vmplace's own evaluator.
 *
 * The library solvers run in the worker through vmp_solve (worker.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmplace/vmplace.h"
#include "bench.h"

#ifndef VMPB_SOURCE_DIR
#error "VMPB_SOURCE_DIR must name the source tree"
#endif
#ifndef VMPB_VMPLACE_CLI
#define VMPB_VMPLACE_CLI "vmplace"
#endif

int vmpb_is_peer(const char *name) {
  return name && (!strcmp(name, "cbc") || !strcmp(name, "cpsat"));
}

int vmpb_is_library_solver(const char *name) {
  for (size_t k = 0; name && k < vmp_num_solvers(); k++)
    if (!strcmp(vmp_solver_name(k), name)) return 1;
  return 0;
}

const char *vmpb_vmplace_cli(void) {
  const char *env = getenv("VMPLACE_CLI");
  return env && *env ? env : VMPB_VMPLACE_CLI;
}

const char *vmpb_python(void) {
  const char *env = getenv("VMPLACE_BENCH_PYTHON");
  return env && *env ? env : "python3";
}

const char *vmpb_cpsat_script(char *buf, size_t len) {
  const char *env = getenv("VMPLACE_BENCH_PEERS");
  snprintf(buf, len, "%s/cpsat.py",
           env && *env ? env : VMPB_SOURCE_DIR "/bench/peers");
  return buf;
}

void vmpb_outcome_init(vmpb_outcome *o) {
  memset(o, 0, sizeof *o);
  o->value = o->bound = NAN;
  o->time_s = o->read_s = NAN;
  o->hosts_used = o->vms = o->unplaced = NAN;
  o->peak_mib = NAN;
}

/* Reads a whole small file (NUL-terminated; caller frees); NULL if none. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t len = 0, cap = 0, got;
  if (!f) return NULL;
  do {
    if (cap - len < 4096) {
      char *nb = realloc(buf, cap + 65536);
      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
      cap += 65536;
    }
    got = fread(buf + len, 1, cap - len - 1, f);
    len += got;
  } while (got);
  fclose(f);
  if (!buf) buf = calloc(1, 1);
  else buf[len] = 0;
  return buf;
}

/* The first line of a file's text (cut at the newline), for messages. */
static void first_line(const char *text, char *buf, size_t len) {
  size_t n = 0;
  if (!text) text = "";
  while (text[n] && text[n] != '\n' && n + 1 < len) n++;
  memcpy(buf, text, n);
  buf[n] = 0;
}

int vmpb_peer_available(const char *name, char *why, size_t len) {
  char path[4096], out[4096], script[4096];
  char *argv[8], *text;
  int st;
  if (!strcmp(name, "cbc")) {
    if (!vmpb_which("cbc", path, sizeof path)) {
      snprintf(why, len, "cbc not found in PATH (Debian package coinor-cbc)");
      return 0;
    }
    /* the MPS comes from the exact engine's exporter */
    snprintf(out, sizeof out, "/tmp/vmplace-bench-help-%ld.txt", (long)getpid());
    argv[0] = (char *)vmpb_vmplace_cli();
    argv[1] = "solve";
    argv[2] = "--help";
    argv[3] = NULL;
    if (vmpb_spawn_wait(argv, out, NULL, &st, NULL, NULL)) {
      snprintf(why, len, "cannot run %s", argv[0]);
      return 0;
    }
    text = slurp(out);
    remove(out);
    if (!text || !strstr(text, "--write-model")) {
      snprintf(why, len, "%s solve has no --write-model in this build (the "
               "MPS export of the exact engine)", argv[0]);
      free(text);
      return 0;
    }
    free(text);
    return 1;
  }
  if (!strcmp(name, "cpsat")) {
    vmpb_cpsat_script(script, sizeof script);
    if (access(script, R_OK)) {
      snprintf(why, len, "%s: %s", script, strerror(errno));
      return 0;
    }
    argv[0] = (char *)vmpb_python();
    argv[1] = "-c";
    argv[2] = "import ortools.sat.python.cp_model";
    argv[3] = NULL;
    if (vmpb_spawn_wait(argv, NULL, NULL, &st, NULL, NULL) || !WIFEXITED(st) ||
        WEXITSTATUS(st)) {
      snprintf(why, len, "%s cannot import ortools (pip install ortools)",
               argv[0]);
      return 0;
    }
    return 1;
  }
  snprintf(why, len, "unknown peer");
  return 0;
}

/* ---- CBC ----------------------------------------------------------------- */

/* The number after `label` on a line of the log, or NaN. */
static double log_number(const char *log, const char *label) {
  const char *p = log;
  size_t l = strlen(label);
  while (p && (p = strstr(p, label))) {
    if (p == log || p[-1] == '\n') {
      char *end;
      double v = strtod(p + l, &end);
      if (end != p + l) return v;
    }
    p += l;
  }
  return NAN;
}

void vmpb_cbc_parse(const char *sol, const char *log, vmpb_outcome *o) {
  const char *obj = sol ? strstr(sol, "objective value") : NULL;
  double value = obj ? strtod(obj + strlen("objective value"), NULL) : NAN;
  double lower = log ? log_number(log, "Lower bound:") : NAN;
  snprintf(o->stop_reason, sizeof o->stop_reason, "completed");
  if (!sol || !*sol) {
    snprintf(o->status, sizeof o->status, "error");
    snprintf(o->note, sizeof o->note, "cbc wrote no solution file");
    return;
  }
  if (!strncmp(sol, "Optimal", 7)) {
    snprintf(o->status, sizeof o->status, "optimal");
    o->value = value;
    o->bound = value;
    o->proven_optimal = 1;
  } else if (!strncmp(sol, "Infeasible", 10) ||
             !strncmp(sol, "Integer infeasible", 18)) {
    snprintf(o->status, sizeof o->status, "infeasible");
  } else if (strstr(sol, "no integer solution")) {
    /* CBC writes the LP relaxation's value here: not a placement */
    snprintf(o->status, sizeof o->status, "no_solution");
    o->bound = isnan(lower) ? value : lower;
    snprintf(o->stop_reason, sizeof o->stop_reason, "time_limit");
  } else if (!strncmp(sol, "Stopped", 7)) {
    snprintf(o->status, sizeof o->status, "feasible");
    o->value = value;
    o->bound = lower;
    snprintf(o->stop_reason, sizeof o->stop_reason, "time_limit");
  } else {
    char line[200];
    first_line(sol, line, sizeof line);
    snprintf(o->status, sizeof o->status, "error");
    snprintf(o->note, sizeof o->note, "cbc: %s", line);
  }
  /* CBC's bound may be fractional; the objective of a placement here is
   * a host count or integral cost only when the model says so, so the
   * bound is reported as CBC gives it */
}

int vmpb_cbc_run(const char *mps, double time_limit, vmpb_outcome *o) {
  char sol[4096], log[4096], sec[64], *argv[10], *soltext, *logtext;
  int st;
  double wall, peak;
  snprintf(sol, sizeof sol, "%s.sol", mps);
  snprintf(log, sizeof log, "%s.log", mps);
  snprintf(sec, sizeof sec, "%g", time_limit > 0 ? time_limit : 1e9);
  argv[0] = "cbc";
  argv[1] = (char *)mps;
  argv[2] = "sec";
  argv[3] = sec;
  argv[4] = "solve";
  argv[5] = "solu";
  argv[6] = sol;
  argv[7] = NULL;
  remove(sol);
  if (vmpb_spawn_wait(argv, log, log, &st, &wall, &peak)) {
    snprintf(o->status, sizeof o->status, "error");
    snprintf(o->note, sizeof o->note, "cannot start cbc: %s", strerror(errno));
    return -1;
  }
  o->time_s = wall;
  o->peak_mib = peak;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
    snprintf(o->status, sizeof o->status, "error");
    snprintf(o->note, sizeof o->note, "cannot run cbc (not in PATH?)");
    return -1;
  }
  soltext = slurp(sol);
  logtext = slurp(log);
  vmpb_cbc_parse(soltext, logtext, o);
  if (WIFSIGNALED(st)) {
    snprintf(o->status, sizeof o->status, "crash");
    snprintf(o->note, sizeof o->note, "cbc killed by signal %d",
             WTERMSIG(st));
  }
  free(soltext);
  free(logtext);
  return 0;
}
