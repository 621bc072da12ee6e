/*
 * GLPK guard and output routing (glpk_util.h).
 */
#include "glpk_util.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void keep_line(vmp__glpk *g) {
  g->line[g->len] = '\0';
  if (g->len == 0) return;
  if (g->log && g->log_level >= VMP_LOG_DEBUG) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s: glpk: %s", g->what, g->line);
    g->log(VMP_LOG_DEBUG, msg, g->log_userdata);
  }
  memmove(g->tail[0], g->tail[1], sizeof g->tail[0] * 2);
  memcpy(g->tail[2], g->line, g->len + 1);
  if (g->ntail < 3) g->ntail++;
  g->len = 0;
}

/* GLPK's terminal output: split into lines, logged, the last ones kept.
 * Returning nonzero tells GLPK not to print anything itself. */
static int on_term(void *info, const char *s) {
  vmp__glpk *g = info;
  for (; *s; s++) {
    if (*s == '\n')
      keep_line(g);
    else if (g->len + 1 < sizeof g->line)
      g->line[g->len++] = *s;
  }
  return 1;
}

/* GLPK calls this instead of abort(); it must not return. */
static void on_error(void *info) {
  vmp__glpk *g = info;
  longjmp(g->jb, 1);
}

vmp__glpk *vmp__glpk_open(const char *what, vmp_log_fn log, void *log_userdata,
                          int log_level) {
  vmp__glpk *g = calloc(1, sizeof *g);
  if (!g) {
    vmp__enomem();
    return NULL;
  }
  g->what = what;
  g->log = log;
  g->log_userdata = log_userdata;
  g->log_level = log_level;
  glp_term_hook(on_term, g);
  glp_error_hook(on_error, g);
  return g;
}

vmp__glpk *vmp__glpk_open_opts(const char *what, const vmp_solve_opts *opts) {
  return vmp__glpk_open(what, opts->log, opts->log_userdata, opts->log_level);
}

void vmp__glpk_close(vmp__glpk *g) {
  if (!g) return;
  keep_line(g);
  glp_free_env();
  free(g);
}

void vmp__glpk_abandon(vmp__glpk *g) { vmp__glpk_close(g); }

int vmp__glpk_failed(vmp__glpk *g) {
  char msg[sizeof g->line];
  keep_line(g);
  glp_free_env();
  /* GLPK prints its message, then "Error detected in file ...". */
  if (g->ntail >= 2 && !strncmp(g->tail[2], "Error detected", 14))
    memcpy(msg, g->tail[1], sizeof msg);
  else if (g->ntail >= 1)
    memcpy(msg, g->tail[2], sizeof msg);
  else
    strcpy(msg, "no message");
  vmp__error(VMP_ESOLVER, "%s: GLPK failed: %s", g->what, msg);
  free(g);
  return VMP_ESOLVER;
}

int vmp__glpk_msg_lev(const vmp__glpk *g) {
  return g->log && g->log_level >= VMP_LOG_DEBUG ? GLP_MSG_ON : GLP_MSG_ERR;
}

int vmp__glpk_ms(double seconds) {
  if (!(seconds < 1e6)) return INT_MAX;   /* none (GLPK's default) */
  seconds = 0.96 * seconds - 0.05;
  if (seconds <= 0.001) return 1;
  return (int)ceil(seconds * 1000.0);
}
