/*
 * The scheduler of vmplace-bench (runner.c): runs jobs in child processes
 * and hands each outcome to a callback.  Used by main.c and the tests.
 */
#ifndef VMPB_RUNNER_H
#define VMPB_RUNNER_H

#include <sys/types.h>

#include "bench.h"

typedef struct vmpb_job {
  const vmpb_instance *inst;
  const char *solver;        /* NULL for an online job */
  size_t arrivals;           /* > 0: an --online job */
  /* filled while running */
  pid_t pid;
  int fd;
  double start, deadline;
  int killed;
  double peak_seen;          /* VmHWM read just before a kill, else NaN */
  char *buf;
  size_t len, cap;
} vmpb_job;

typedef struct vmpb_runner vmpb_runner;

struct vmpb_runner {
  const char *self_exe;      /* NULL: fork without exec */
  const char *tmpdir;        /* peers' scratch files */
  const char *log_path;      /* workers' stdout and stderr */
  double time_limit;
  double kill_after;         /* seconds; <= 0: never */
  uint64_t seed;
  unsigned threads;
  unsigned jobs;
  int tty;                   /* draw progress on stderr */
  double t_start;
  size_t total, done;
  void *user;
  /* called in the parent as each job ends */
  void (*on_result)(vmpb_runner *rn, const vmpb_job *j,
                    const vmpb_outcome *o, double wall_s);
  void (*on_online)(vmpb_runner *rn, const vmpb_job *j,
                    const vmpb_online_result *r);
};

/* SIGINT and SIGTERM stop the run after killing the running workers
 * (their runs are not recorded); SIGPIPE is ignored. */
void vmpb_runner_catch_signals(void);
int vmpb_runner_interrupted(void);

/* Runs every job, at most rn->jobs at once.  0 when all ran, 1 when
 * interrupted, -1 when a process could not be started. */
int vmpb_runner_run(vmpb_runner *rn, vmpb_job *jobs, size_t njobs);

#endif /* VMPB_RUNNER_H */
