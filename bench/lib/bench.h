/*
 * vmplace-bench: the benchmark runner's parts, built as the static
 * library vmplace_benchlib so that tests/test_bench*.c can reach them.
 *
 * The runner enumerates (instance, solver) jobs from suites, runs each in
 * its own child process (peak memory, crashes and timeouts isolated and
 * measured per run), appends one row per job to DIR/results.csv as it
 * finishes, and writes DIR/results.json, DIR/summary.md and
 * DIR/profile.svg from the whole table.  docs/benchmarks.md is the manual.
 *
 * Everything here is program code, not library code: it prints (on the
 * streams it is given), and it runs child processes.  Functions that can
 * fail return 0 or -1 after writing a message into the caller's `err`
 * buffer; nothing exits.
 */
#ifndef VMPB_BENCH_H
#define VMPB_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Size of the error buffers that failing functions fill. */
#define VMPB_ERRLEN 512

/* Formats a message into err (VMPB_ERRLEN bytes; NULL: no message wanted)
 * and returns -1, so a failing path reads `return vmpb_errf(err, ...)`. */
int vmpb_errf(char *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Writes len bytes to fd, restarting after EINTR and short writes; 0, or
 * -1 when the write fails. */
int vmpb_write_all(int fd, const char *buf, size_t len);

/* qsort comparator for doubles, ascending (no NaN: callers sort finite
 * values). */
int vmpb_cmp_double(const void *a, const void *b);

/* Workers report to the runner in "key=value" lines on a pipe.  Reads the
 * next line of *text whose key and value fit the buffers (others are
 * passed over) into key and val and advances *text; 0 when none is left. */
#define VMPB_KV_KEY 32
#define VMPB_KV_VAL 600
int vmpb_kv_next(const char **text, char key[VMPB_KV_KEY], char val[VMPB_KV_VAL]);

/* ---- the results table (results.c) ------------------------------------- */

/* The columns of results.csv, in order.  The first eleven are the contract
 * of the runner's results.csv and never change; more may be appended. */
enum vmpb_col {
  VMPB_COL_SUITE,
  VMPB_COL_INSTANCE,
  VMPB_COL_SOLVER,
  VMPB_COL_STATUS,
  VMPB_COL_VALUE,
  VMPB_COL_BEST_KNOWN,
  VMPB_COL_PROVEN_OPTIMAL,
  VMPB_COL_BOUND,
  VMPB_COL_GAP_TO_BEST,
  VMPB_COL_TIME_S,
  VMPB_COL_PEAK_MIB,
  /* extra columns */
  VMPB_COL_BEST_KNOWN_PROVEN,
  VMPB_COL_BEST_HEURISTIC,
  VMPB_COL_STOP_REASON,
  VMPB_COL_HOSTS_USED,
  VMPB_COL_VMS,
  VMPB_COL_UNPLACED,
  VMPB_COL_READ_S,
  VMPB_COL_WALL_S,
  VMPB_COL_TIME_LIMIT,
  VMPB_COL_SEED,
  VMPB_COL_THREADS,
  VMPB_COL_NOTE,
  /* machine reassignment (the roadef suite): the cost of the initial
   * assignment, the challenge's normalized gap (value - best known) /
   * initial cost, and value / best known */
  VMPB_COL_INITIAL_COST,
  VMPB_COL_NORMALIZED_GAP,
  VMPB_COL_VS_BEST,
  VMPB_NCOLS
};

/* Number of leading columns a results.csv must have, in this order, for a
 * run to resume from it. */
#define VMPB_NCOLS_FIXED 11

/* Column name ("suite", "gap_to_best", ...). */
const char *vmpb_col_name(int col);
/* 1 when the column holds numbers (JSON writes them as numbers), 2 for
 * booleans, 0 for text. */
int vmpb_col_kind(int col);

/* One row: every field as text ("" when blank), owned by the row. */
typedef struct vmpb_row {
  char *f[VMPB_NCOLS];
} vmpb_row;

typedef struct vmpb_table {
  vmpb_row *rows;
  size_t n, cap;
  /* hash index on (suite, instance, solver) for vmpb_table_find, built
   * lazily; rows[slot[k] - 1], 0 = empty */
  size_t *slot, nslot, nindexed;
} vmpb_table;

void vmpb_table_free(vmpb_table *t);
/* Call after removing or reordering rows or changing a key field. */
void vmpb_table_invalidate(vmpb_table *t);
/* Appends an empty row (all fields ""); NULL on out of memory. */
vmpb_row *vmpb_table_add(vmpb_table *t);
/* Sets a field to a copy of text (NULL means ""); -1 on out of memory. */
int vmpb_row_set(vmpb_row *r, int col, const char *text);
/* Sets a numeric field; NaN leaves it blank.  fmt is a printf format for
 * one double. */
int vmpb_row_setf(vmpb_row *r, int col, const char *fmt, double v);
/* A numeric field, or NaN when blank or not a number. */
double vmpb_row_num(const vmpb_row *r, int col);
/* 1 when (suite, instance, solver) of the row equal the arguments. */
int vmpb_row_is(const vmpb_row *r, const char *suite, const char *instance,
                const char *solver);
/* Index of the first row with that key, or (size_t)-1.  Updates the
 * table's index (hence not const). */
size_t vmpb_table_find(vmpb_table *t, const char *suite,
                       const char *instance, const char *solver);

/* Reads results.csv.  A missing file gives an empty table (0).  The header
 * must start with the fixed columns in order; other known columns are read
 * by name, unknown ones ignored.  -1 with a message on a bad file. */
int vmpb_results_read(const char *path, vmpb_table *t, char *err);
/* Writes the header line. */
int vmpb_results_write_header(FILE *f);
/* Writes one row as a CSV line. */
int vmpb_results_write_row(FILE *f, const vmpb_row *r);
/* Rewrites path with the whole table (through a temporary file and a
 * rename, so an interrupted rewrite never loses the old file). */
int vmpb_results_write(const char *path, const vmpb_table *t, char *err);
/* results.json: {"columns": [...], "commands": [...], "rows": [{...}]};
 * commands may be NULL. */
int vmpb_results_write_json(const char *path, const vmpb_table *t,
                            const char *const *commands, size_t ncommands,
                            char *err);

/* ---- CSV (csv.c) --------------------------------------------------------- */

/* Splits one CSV record (RFC 4180 quoting, no embedded newlines) into at
 * most max fields, unquoting in place.  Returns the number of fields, or
 * -1 on an unterminated quote. */
int vmpb_csv_split(char *line, char **fields, int max);
/* Writes a field, quoted when it holds a comma, a quote or a line break
 * (line breaks are written as spaces: one record per line). */
void vmpb_csv_field(FILE *f, const char *text);

/* ---- best-known values (optima.c) ------------------------------------------ */

typedef struct vmpb_opt_entry {
  char *key;
  char *relpath;          /* NULL when the table has no relpath column */
  double best;            /* opt_or_best */
  int proven;             /* is_proven_optimal: 1, 0, or -1 unknown */
  double best_heuristic;  /* NaN when the table has none */
  double initial_cost;    /* NaN when the table has none (ROADEF) */
} vmpb_opt_entry;

typedef struct vmpb_optima {
  vmpb_opt_entry *e;      /* sorted by key */
  size_t n;
} vmpb_optima;

/* Loads a table with at least the columns instance and opt_or_best
 * (optionally is_proven_optimal, best_heuristic, relpath).  Appends to o
 * (several tables may be loaded into one). */
int vmpb_optima_load(vmpb_optima *o, const char *path, char *err);
void vmpb_optima_free(vmpb_optima *o);
/* Exact lookup; NULL when absent. */
const vmpb_opt_entry *vmpb_optima_find(const vmpb_optima *o,
                                       const char *key);
/* Lookup for a file of an --instances folder: tries its relative path,
 * without extension, its base name, without extension, then a table row
 * whose relpath ends with "/" + the relative path. */
const vmpb_opt_entry *vmpb_optima_match(const vmpb_optima *o,
                                        const char *relpath);

/* ---- statistics (stats.c) --------------------------------------------------- */

/* (value - best) / best; NaN when either is missing or best is 0. */
double vmpb_gap(double value, double best);
/* 1 when value is no worse than best (relative tolerance 1e-9). */
int vmpb_matches(double value, double best);
/* Median of the finite values of x (n of them, order changed); NaN when
 * none.  Even counts average the two middle values. */
double vmpb_median(double *x, size_t n);
/* Nearest-rank percentile (0 < q <= 100) of the finite values of x (order
 * changed): the smallest value with at least q% of the values at or below
 * it.  NaN when none. */
double vmpb_percentile(double *x, size_t n, double q);
/* Performance profile: share of the n instances whose gap is at most tau.
 * NaN gaps (no value) never count; negative gaps (better than the best
 * known) count as 0. */
double vmpb_profile_share(const double *gaps, size_t n, double tau);

/* ---- suites and instances (suites.c) ----------------------------------------- */

typedef enum vmpb_kind {
  VMPB_KIND_FILE = 0,        /* an instance file */
  VMPB_KIND_DATACENTER = 1,  /* generated by bench/generator.c */
  VMPB_KIND_REALISTIC = 2    /* its realistic family (the suite
                                "realistic") */
} vmpb_kind;

typedef struct vmpb_instance {
  char *suite;
  char *name;
  int kind;                  /* vmpb_kind */
  char *path;                /* the file (VMPB_KIND_FILE) */
  size_t hosts, vms;         /* VMPB_KIND_DATACENTER, _REALISTIC */
  uint64_t gen_seed;
  double best_known;         /* NaN when unknown */
  int best_known_proven;     /* 1, 0, -1 unknown */
  double best_heuristic;     /* NaN when the table has none */
  double initial_cost;       /* NaN when the table has none (ROADEF) */
} vmpb_instance;

typedef struct vmpb_instances {
  vmpb_instance *v;
  size_t n, cap;
} vmpb_instances;

void vmpb_instances_free(vmpb_instances *l);

/* A selection of one suite: its name (a known suite, "datacenter:HxV[:S]",
 * or "dir:" for --instances), and the filters that apply to it. */
typedef struct vmpb_selection {
  const char *suite;         /* as given */
  const char *dir;           /* --instances DIR (suite "dir:...") */
  const char *optima;        /* --optima CSV for dir, or NULL */
  const char *filter;        /* POSIX extended regex on instance names */
  size_t limit;              /* 0: no limit */
} vmpb_selection;

/* Names and one-line descriptions of the suites over the shared data
 * (NULL-terminated arrays of static strings). */
const char *const *vmpb_suite_names(void);
const char *vmpb_suite_describe(const char *name);
/* 1 when a name is a known suite or a datacenter spec (valid or not). */
int vmpb_suite_known(const char *name);

/* Parses "datacenter:HOSTSxVMS[:SEED]" (SEED defaults to 1).  -1 with a
 * message when malformed. */
int vmpb_parse_datacenter(const char *spec, size_t *hosts, size_t *vms,
                          uint64_t *seed, char *err);

/* Finds the benchmark data: `given` (--data), else $VMPLACE_INSTANCES,
 * else the source tree's ../shared/instances (baked in at build time).
 * Writes the directory into buf.  -1 with a message naming what was tried
 * when none exists. */
int vmpb_data_dir(const char *given, char *buf, size_t len, char *err);

/* Appends the instances of one selection, in natural order of their names,
 * with their best-known values.  data is the shared instances directory
 * (unused for dir: and datacenter suites).  Warnings (a missing optima
 * table) go to warn when non-NULL. */
int vmpb_instances_add(vmpb_instances *l, const vmpb_selection *sel,
                       const char *data, FILE *warn, char *err);

/* Natural order: digit runs compare as numbers ("t60" < "t120"). */
int vmpb_natcmp(const char *a, const char *b);

/* ---- solvers and peers (peers.c) ---------------------------------------------- */

/* The reference row name: the VBP tables' best_heuristic column. */
#define VMPB_BEST_HEURISTIC "best-heuristic"

/* 1 for the peers run outside libvmplace: "cbc", "cpsat". */
int vmpb_is_peer(const char *name);
/* 1 when name is a solver of this build (vmp_num_solvers/name). */
int vmpb_is_library_solver(const char *name);
/* Where the peers' helpers live.  Each honours an environment variable
 * first (VMPLACE_CLI, VMPLACE_BENCH_PYTHON, VMPLACE_BENCH_PEERS) and falls
 * back to what the build baked in. */
const char *vmpb_vmplace_cli(void);
const char *vmpb_python(void);
const char *vmpb_cpsat_script(char *buf, size_t len);
/* 1 when the peer can run here; otherwise 0 and why in `why`. */
int vmpb_peer_available(const char *name, char *why, size_t len);

/* What one run produced (a worker fills it; the parent turns it into a
 * row).  NaN for what is unknown. */
typedef struct vmpb_outcome {
  char status[32];           /* optimal feasible partial infeasible
                                no_solution error unsupported */
  double value, bound;
  int proven_optimal;
  double time_s, read_s;
  char stop_reason[32];
  double hosts_used, vms, unplaced;
  double peak_mib;           /* the run's process: the worker's own VmHWM,
                                or a peer's peak; NaN when unknown */
  char note[400];
} vmpb_outcome;

void vmpb_outcome_init(vmpb_outcome *o);

/* Runs CBC on an MPS file: `cbc MPS sec T solve solu SOL` with its output
 * in LOG (SOL and LOG are created next to MPS).  Fills status, value,
 * bound, proven_optimal, stop_reason, time_s (CBC's wall clock) and
 * peak_mib.  -1 when CBC cannot be started. */
int vmpb_cbc_run(const char *mps, double time_limit, vmpb_outcome *o);
/* Parses CBC's solution file's first line and its log: exposed for the
 * tests.  sol_first_line and log may be NULL. */
void vmpb_cbc_parse(const char *sol_first_line, const char *log,
                    vmpb_outcome *o);

/* ---- child processes (spawn.c) ------------------------------------------------ */

/* Runs argv[0] (searched in PATH) with stdout and stderr to the given
 * files (NULL: /dev/null) and waits.  status receives the wait status,
 * wall its wall-clock seconds, peak_mib its peak resident memory (wait4:
 * it includes the caller's own resident size at the time of the call,
 * small for a worker).  -1 when it cannot be started. */
int vmpb_spawn_wait(char *const argv[], const char *out_path,
                    const char *err_path, int *status, double *wall,
                    double *peak_mib);
/* Peak resident memory (VmHWM) of a live process (pid > 0) or of the
 * calling one (pid 0), in MiB; NaN when unknown.  Unlike wait4's
 * ru_maxrss it covers only the process's own memory image since its last
 * exec: Linux folds the high-water mark of the process that forked it
 * into ru_maxrss at exec, which would charge every run with the runner's
 * own size. */
double vmpb_peak_mib(long pid);
/* Finds an executable in PATH (or checks a path with a '/').  1 found. */
int vmpb_which(const char *name, char *buf, size_t len);
/* Monotonic seconds. */
double vmpb_now(void);

/* ---- the worker: one run in a child process (worker.c) ------------------------ */

typedef struct vmpb_work {
  const vmpb_instance *inst;
  const char *solver;
  double time_limit;
  uint64_t seed;
  unsigned threads;
  const char *tmpdir;        /* for peers' files */
} vmpb_work;

/* Loads the instance and runs the solver; never exits.  The outcome is
 * always filled (errors become status "error" or "unsupported"). */
void vmpb_work_run(const vmpb_work *w, vmpb_outcome *o);
/* Writes an outcome as "key=value" lines to fd, and reads it back. */
int vmpb_outcome_write(int fd, const vmpb_outcome *o);
/* Returns 1 when the text ends with the record's closing line (a child
 * killed while writing leaves it out), else 0. */
int vmpb_outcome_parse(const char *text, vmpb_outcome *o);
/* The file descriptor a worker writes its outcome to. */
#define VMPB_RESULT_FD 3
/* The hidden "--worker ..." mode of the executable: argv after the
 * program name.  Returns the exit status. */
int vmpb_worker_main(int argc, char **argv);

/* ---- online placement latency (online.c) --------------------------------------- */

typedef struct vmpb_online_result {
  char status[16];           /* "ok" or "error" */
  size_t hosts, vms, arrivals, placed;
  double setup_s, median_us, p99_us, max_us, mean_us;
  double peak_mib;
  char note[256];
  /* unforeseen arrivals: VMs the placer's problem did not have */
  size_t added, added_placed;
  double add_median_us, add_p99_us, add_max_us;
} vmpb_online_result;

/* Generates a loaded datacenter (hosts x vms, every VM on a host), then
 * places `arrivals` new VMs one at a time through vmp_place and times each
 * call; then adds `arrivals` more VMs that the problem did not have
 * through vmp_placer_add_vm (unforeseen arrivals) and times those.  -1
 * with a message in err when unavailable or failing. */
int vmpb_online_run(size_t hosts, size_t vms, uint64_t gen_seed,
                    size_t arrivals, uint64_t seed, vmpb_online_result *r,
                    char *err);
/* The online result as "key=value" lines (as vmpb_outcome_write), and
 * back; parse returns 1 when complete. */
int vmpb_online_write_result(int fd, const vmpb_online_result *r);
int vmpb_online_parse_result(const char *text, vmpb_online_result *r);

/* ---- reports (report.c, profile.c) ---------------------------------------------- */

/* summary.md: per suite and solver: runs, solved, best known matched,
 * proven optimal, mean and max gap, total against best, median and p95
 * time, peak memory; then online latencies (online may be NULL); the
 * command lines that produced the table at the top. */
int vmpb_report_summary(const char *path, vmpb_table *t,
                        const vmpb_table *online,
                        const char *const *commands, size_t ncommands,
                        char *err);
/* profile.svg: one performance profile per suite that has best-known
 * values. */
int vmpb_report_profile(const char *path, vmpb_table *t, char *err);

/* The profile of one suite and solver, for the SVG and the tests: the gaps
 * of the solver on the suite's n profiled instances (NaN where it has no
 * value), and the x range the panel shows. */
typedef struct vmpb_profile_line {
  const char *solver;
  double *gaps;
  size_t n;
} vmpb_profile_line;

/* The x range (largest gap shown) of a panel: the largest finite gap over
 * its lines, rounded up to 1, 2 or 5 times a power of ten, at least 1% and
 * at most 100%.  The baseline "roundrobin" is left out of the maximum when
 * another line has a value (it may run off the panel). */
double vmpb_profile_xmax(const vmpb_profile_line *lines, size_t nlines);

/* ---- the online table (online.csv) ------------------------------------------------ */

enum vmpb_ocol {
  VMPB_OCOL_SUITE,
  VMPB_OCOL_HOSTS,
  VMPB_OCOL_VMS,
  VMPB_OCOL_ARRIVALS,
  VMPB_OCOL_PLACED,
  VMPB_OCOL_SETUP_S,
  VMPB_OCOL_MEDIAN_US,
  VMPB_OCOL_P99_US,
  VMPB_OCOL_MAX_US,
  VMPB_OCOL_MEAN_US,
  VMPB_OCOL_PEAK_MIB,
  VMPB_OCOL_SEED,
  VMPB_OCOL_STATUS,
  VMPB_OCOL_NOTE,
  /* later columns: files written before them still read */
  VMPB_OCOL_ADDED,
  VMPB_OCOL_ADD_PLACED,
  VMPB_OCOL_ADD_MEDIAN_US,
  VMPB_OCOL_ADD_P99_US,
  VMPB_OCOL_ADD_MAX_US,
  VMPB_NOCOLS
};
const char *vmpb_ocol_name(int col);
/* online.csv reads and writes through the same row type (fields beyond
 * VMPB_NOCOLS stay blank). */
int vmpb_online_read(const char *path, vmpb_table *t, char *err);
int vmpb_online_write(const char *path, const vmpb_table *t, char *err);

/* ---- the program (main.c of the library) ----------------------------------------- */

/* vmplace-bench's main.  self_exe is the executable to re-run as a worker
 * ("/proc/self/exe"); NULL runs each job in a forked child of the calling
 * process instead (the tests).  Returns the exit status: 0 done, 1 done
 * with crashed or failed runs, 2 bad usage or input, 3 cannot write the
 * results, 130 interrupted. */
int vmpb_main(int argc, char **argv, const char *self_exe);

#endif /* VMPB_BENCH_H */
