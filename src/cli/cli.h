/*
 * The `vmplace` command-line program: shared helpers of the subcommands.
 * Each subcommand lives in cmd_<name>.c and is listed in main.c.
 *
 * Exit statuses (docs/formats.md): 0 success, 1 a negative answer (partial,
 * infeasible, violations, blocked plan), 2 bad usage or bad input, 3
 * internal error.
 */
#ifndef VMP_CLI_H
#define VMP_CLI_H

#include <stdio.h>

#include <vmplace/vmplace.h>

enum { EXIT_OK = 0, EXIT_NEGATIVE = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct cli_command {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} cli_command;

/* Prints "vmplace: message" to stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Maps a library error code to an exit status (input errors give 2, out of
 * memory and internal errors 3) after printing vmp_last_error(). */
int cli_fail(int rc);
/* Parses a format name ("json", "vbp", ...); -1 when unknown. */
int cli_format(const char *name);
/* Parses the --format option into *format; prints the error and returns -1
 * when the name is unknown. */
int cli_format_option(const char *arg, int *format);
/* Writes a solution as JSON to path ("-" = stdout); exit status. */
int cli_write_solution_json(const vmp_solution *s, const char *path);
/* The running subcommand ("solve", ...), for messages; set by main. */
extern const char *cli_command_name;
/* After a usage error's one line: prints "see 'vmplace COMMAND --help'";
 * returns EXIT_USAGE. */
int cli_hint(void);
/* The one line for getopt's '?' (call with opterr = 0). */
void cli_bad_option(int c, char **argv);
/* Fail fast: checks before any work that path ("-": stdout) can be
 * written (its directory exists and is writable); prints the error and
 * returns -1 when not. */
int cli_check_output(const char *opt, const char *path);
/* Reads a whole file ("-": stdin) into *data (NUL-terminated; free());
 * exit status. */
int cli_read_input(const char *path, char **data, size_t *len);
/* When the JSON text is a vmplace file of another kind than want, says so
 * with the command that makes the right one; exit status. */
int cli_check_kind(const char *path, const char *data, size_t len, const char *want);
/* Read a problem, a solution or a plan ("-": stdin), refusing files of
 * another kind; print the error and return the exit status on failure (0
 * on success). */
int cli_load_problem(const char *path, int format, vmp_problem **out);
int cli_load_solution(const vmp_problem *p, const char *path, vmp_solution **out);
int cli_load_plan(const char *path, vmp_plan **out);
/* SIGINT and SIGTERM: the first asks the work to stop and keep its best
 * (cli_interrupted() then returns the signal), the second ends the process
 * at once. */
void cli_catch_interrupts(void);
int cli_interrupted(void);
/* rc, or 128 + the signal after an interrupt (exit statuses above 1 win). */
int cli_interrupt_status(int rc);
/* Moves of s against the problem's current placement: how many running VMs
 * change host, of how many run, and their migration cost. */
size_t cli_moves(const vmp_problem *p, const vmp_solution *s, size_t *running, double *cost);
/* Parses a non-negative number / integer option value; prints an error and
 * returns -1 on failure. */
int cli_parse_double(const char *opt, const char *text, double *out);
int cli_parse_u64(const char *opt, const char *text, uint64_t *out);
/* Parses a duration ("90s", "15m", "24h", "7d", "1h30m"; a bare number is
 * seconds) into seconds > 0, or a ratio ("0.8", "80%"); prints an error
 * and returns -1 on failure (src/cli/values.c). */
int cli_parse_duration(const char *opt, const char *text, double *out);
int cli_parse_ratio(const char *opt, const char *text, double *out);
/* Writes text to path ("-" = stdout); exit status. */
int cli_write_text(const char *path, const char *text);
/* Writes the JSON a vmp_*_to_json call made (rc: what it returned) to
 * path ("-" = stdout) and frees it; exit status (the library's error when
 * rc != 0). */
int cli_write_json(int rc, char *text, const char *path);
/* Readable summary of a solution: status, objective, bound, gap, score,
 * placement per host, unplaced VMs with reasons, violations. */
void cli_print_solution(FILE *f, const vmp_problem *p, const vmp_solution *s,
                        int show_placement);
/* 1 when stderr is a terminal (progress lines are shown). */
int cli_stderr_tty(void);

/* Readable plan: summary, waves with their steps, blocked moves. */
void cli_print_plan(FILE *f, const vmp_plan *pl);
/* Handles the plan options shared by `plan` and `rebalance` (getopt codes
 * 'C' --max-concurrent, 'B' --bandwidth, 'N' --no-staging); -1 after
 * printing an error. */
int cli_parse_plan_opt(int c, const char *arg, vmp_plan_opts *opts);

/* `vmplace completion bash` and `vmplace man` (generate.c), from the
 * --help of the n commands. */
int cli_generate(int argc, char **argv, const cli_command *cmds, size_t n);

int cmd_solve(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_entitlements(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_rebalance(int argc, char **argv);

#endif /* VMP_CLI_H */
