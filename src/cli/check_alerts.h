/*
 * The alert options of `vmplace check` (--alerts, --metrics, --history,
 * --forecast, thresholds and window): parsing, and the report.
 */
#ifndef VMP_CLI_CHECK_ALERTS_H
#define VMP_CLI_CHECK_ALERTS_H

#include <getopt.h>

#include "cli.h"

enum {
  CLI_OPT_ALERTS = 300, CLI_OPT_METRICS, CLI_OPT_HISTORY, CLI_OPT_FORECAST,
  CLI_OPT_HORIZON, CLI_OPT_QUANTILE, CLI_OPT_STEP, CLI_OPT_WINDOW, CLI_OPT_WARN,
  CLI_OPT_CRIT, CLI_OPT_UNDERLOAD
};

/* getopt_long entries of the alert options, for a command's table. */
#define CLI_ALERT_LONGOPTS                                                 \
  {"alerts", no_argument, NULL, CLI_OPT_ALERTS},                           \
  {"metrics", required_argument, NULL, CLI_OPT_METRICS},                   \
  {"history", required_argument, NULL, CLI_OPT_HISTORY},                   \
  {"forecast", no_argument, NULL, CLI_OPT_FORECAST},                       \
  {"horizon", required_argument, NULL, CLI_OPT_HORIZON},                   \
  {"quantile", required_argument, NULL, CLI_OPT_QUANTILE},                 \
  {"step", required_argument, NULL, CLI_OPT_STEP},                         \
  {"window", required_argument, NULL, CLI_OPT_WINDOW},                     \
  {"warn", required_argument, NULL, CLI_OPT_WARN},                         \
  {"crit", required_argument, NULL, CLI_OPT_CRIT},                         \
  {"underload", required_argument, NULL, CLI_OPT_UNDERLOAD}

#define CLI_MAX_THRESHOLDS 64

typedef struct cli_alerts {
  int list;                   /* --alerts */
  const char *metrics;        /* --metrics FILE */
  const char *history;        /* --history FILE */
  int forecast;               /* --forecast */
  int other;                  /* an option that needs --alerts or --metrics */
  vmp_forecast_opts fopts;    /* --horizon, --quantile */
  double step;                /* --step; 0: the history's */
  vmp_alert_opts opts;        /* --window and the general thresholds */
  vmp_alert_threshold per[CLI_MAX_THRESHOLDS];
  char names[CLI_MAX_THRESHOLDS][65]; /* per[k].resource points here */
  size_t nper;
  FILE *out;                  /* where the alert list goes (stdout) */
} cli_alerts;

/* Defaults: no alerts, no metrics. */
void cli_alerts_init(cli_alerts *a);
/* Handles an option whose code is one of CLI_OPT_*: 0, or -1 after
 * printing an error. */
int cli_alerts_option(cli_alerts *a, int code, const char *arg);
/* After all options: 0, or -1 after printing why they do not fit
 * together. */
int cli_alerts_check(const cli_alerts *a);
/* 1 when alerts are to be computed at all. */
int cli_alerts_wanted(const cli_alerts *a);

/*
 * Computes the utilisation of placement s (NULL: the problem's current
 * one) and its alerts, writes the metrics file, and reports: as text on
 * stdout when json is NULL, else as "alerts" and "utilization" members
 * added to *json (a JSON object).  *critical is set when some alert is
 * critical.  Returns an exit status (0 when all went well).
 */
struct json_t;
int cli_alerts_run(const cli_alerts *a, const vmp_problem *p, const vmp_solution *s,
                   struct json_t *json, int *critical);

#endif /* VMP_CLI_CHECK_ALERTS_H */
