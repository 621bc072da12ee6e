/*
 * The parent side of a run: up to `jobs` workers at once, each in its own
 * child process and process group.  A worker writes its outcome on a pipe
 * (with its own peak memory, see vmpb_peak_mib); the parent reads it when
 * the pipe closes, then reaps the child with wait4 for its fate (a signal
 * is a crash).  A worker still running at its hard deadline is killed with
 * its whole process group and reported as a timeout.  Nothing a worker
 * does can take the runner down.
 *
 * The executable re-runs itself as the worker through posix_spawn, which
 * does not copy the runner's page tables (fast, whatever the size of the
 * results table); without an executable (the tests) jobs run in forked
 * children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "runner.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

int vmpb_runner_interrupted(void) { return interrupted != 0; }

void vmpb_runner_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

/* ---- progress ---------------------------------------------------------------- */

static void fmt_duration(double s, char *buf, size_t len) {
  long t = isfinite(s) && s > 0 ? (long)(s + 0.5) : 0;
  if (t >= 3600)
    snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void progress(const vmpb_runner *rn, const char *last) {
  char el[32], eta[32];
  double elapsed = vmpb_now() - rn->t_start;
  size_t left = rn->total - rn->done;
  if (!rn->tty) return;
  fmt_duration(elapsed, el, sizeof el);
  if (rn->done)
    fmt_duration(elapsed / (double)rn->done * (double)left, eta, sizeof eta);
  else
    snprintf(eta, sizeof eta, "?");
  fprintf(stderr, "\r\033[K[%zu/%zu] %3.0f%%  elapsed %s  eta %s  %.40s",
          rn->done, rn->total,
          rn->total ? 100.0 * (double)rn->done / (double)rn->total : 100.0, el,
          eta, last ? last : "");
  fflush(stderr);
}

/* ---- starting a worker ---------------------------------------------------------- */

static void child_io(const vmpb_runner *rn, int result_fd) {
  int null = open("/dev/null", O_RDONLY);
  int log = open(rn->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (null >= 0) dup2(null, 0);
  if (log >= 0) {
    dup2(log, 1);
    dup2(log, 2);
  }
  if (result_fd == VMPB_RESULT_FD) {
    fcntl(VMPB_RESULT_FD, F_SETFD, 0);
  } else {
    dup2(result_fd, VMPB_RESULT_FD);
    close(result_fd);
  }
  if (null > 2 && null != VMPB_RESULT_FD) close(null);
  if (log > 2 && log != VMPB_RESULT_FD) close(log);
}

/* A peer the worker starts must not hold the result pipe open. */
static void protect_result_fd(void) { fcntl(VMPB_RESULT_FD, F_SETFD, FD_CLOEXEC); }

/* The worker's argv for the executable's hidden --worker mode. */
static void worker_argv(const vmpb_runner *rn, const vmpb_job *j,
                        char store[12][64], char **argv) {
  int k = 0;
  argv[k++] = (char *)rn->self_exe;
  argv[k++] = "--worker";
  if (j->arrivals) {
    argv[k++] = "online";
    snprintf(store[0], 64, "%zu", j->inst->hosts);
    snprintf(store[1], 64, "%zu", j->inst->vms);
    snprintf(store[2], 64, "%llu", (unsigned long long)j->inst->gen_seed);
    snprintf(store[3], 64, "%zu", j->arrivals);
    snprintf(store[4], 64, "%llu", (unsigned long long)rn->seed);
    for (int s = 0; s < 5; s++) argv[k++] = store[s];
    argv[k] = NULL;
    return;
  }
  if (j->inst->kind == VMPB_KIND_FILE) {
    argv[k++] = "file";
    argv[k++] = j->inst->path;
  } else {
    argv[k++] = j->inst->kind == VMPB_KIND_REALISTIC ? "realistic" : "datacenter";
    snprintf(store[0], 64, "%zu", j->inst->hosts);
    snprintf(store[1], 64, "%zu", j->inst->vms);
    snprintf(store[2], 64, "%llu", (unsigned long long)j->inst->gen_seed);
    for (int s = 0; s < 3; s++) argv[k++] = store[s];
  }
  argv[k++] = (char *)j->solver;
  snprintf(store[5], 64, "%.17g", rn->time_limit);
  snprintf(store[6], 64, "%llu", (unsigned long long)rn->seed);
  snprintf(store[7], 64, "%u", rn->threads);
  argv[k++] = store[5];
  argv[k++] = store[6];
  argv[k++] = store[7];
  argv[k++] = (char *)rn->tmpdir;
  argv[k] = NULL;
}

/* Runs the job in this (child) process and exits. */
static void run_in_child(const vmpb_runner *rn, const vmpb_job *j) {
  protect_result_fd();
  if (j->arrivals) {
    vmpb_online_result r;
    char err[VMPB_ERRLEN];
    if (vmpb_online_run(j->inst->hosts, j->inst->vms, j->inst->gen_seed,
                        j->arrivals, rn->seed, &r, err)) {
      snprintf(r.status, sizeof r.status, "error");
      snprintf(r.note, sizeof r.note, "%s", err);
    }
    _exit(vmpb_online_write_result(VMPB_RESULT_FD, &r) ? 3 : 0);
  } else {
    vmpb_work w = {.inst = j->inst, .solver = j->solver, .time_limit = rn->time_limit,
                   .seed = rn->seed, .threads = rn->threads, .tmpdir = rn->tmpdir};
    vmpb_outcome o;
    vmpb_work_run(&w, &o);
    _exit(vmpb_outcome_write(VMPB_RESULT_FD, &o) ? 3 : 0);
  }
}

/* The worker executable through posix_spawn: the write end of the pipe
 * becomes VMPB_RESULT_FD, stdout and stderr go to the log. */
static int spawn_worker(vmpb_runner *rn, vmpb_job *j, int wfd, pid_t *pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t def, none;
  char store[12][64], *argv[20];
  /* above the standard descriptors, so that the dup2 onto
   * VMPB_RESULT_FD is never a no-op that would keep close-on-exec */
  int hi = fcntl(wfd, F_DUPFD_CLOEXEC, 10), rc;
  if (hi < 0) return -1;
  worker_argv(rn, j, store, argv);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, rn->log_path,
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_adddup2(&fa, hi, VMPB_RESULT_FD);
  posix_spawnattr_init(&at);
  posix_spawnattr_setpgroup(&at, 0);
  sigemptyset(&def);
  sigaddset(&def, SIGINT);
  sigaddset(&def, SIGTERM);
  sigaddset(&def, SIGPIPE);
  posix_spawnattr_setsigdefault(&at, &def);
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                    POSIX_SPAWN_SETSIGMASK);
  rc = posix_spawn(pid, rn->self_exe, &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(hi);
  errno = rc;
  return rc ? -1 : 0;
}

static int start(vmpb_runner *rn, vmpb_job *j) {
  int pfd[2];
  pid_t pid;
  if (pipe2(pfd, O_CLOEXEC)) return -1;
  if (rn->self_exe) {
    if (spawn_worker(rn, j, pfd[1], &pid)) {
      close(pfd[0]);
      close(pfd[1]);
      return -1;
    }
  } else {
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
      close(pfd[0]);
      close(pfd[1]);
      return -1;
    }
    if (pid == 0) {
      struct sigaction sa;
      setpgid(0, 0);
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = SIG_DFL;
      sigaction(SIGINT, &sa, NULL);
      sigaction(SIGTERM, &sa, NULL);
      signal(SIGPIPE, SIG_DFL);
      close(pfd[0]);
      child_io(rn, pfd[1]);
      run_in_child(rn, j);
    }
    /* both sides set the group, so that a kill right after fork finds it */
    setpgid(pid, pid);
  }
  close(pfd[1]);
  j->pid = pid;
  j->fd = pfd[0];
  j->len = 0;
  j->killed = 0;
  j->peak_seen = NAN;
  j->start = vmpb_now();
  j->deadline = rn->kill_after > 0 ? j->start + rn->kill_after : HUGE_VAL;
  return 0;
}

/* ---- finishing ------------------------------------------------------------------ */

static int read_some(vmpb_job *j) {
  char tmp[4096];
  ssize_t n = read(j->fd, tmp, sizeof tmp);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) return 0;
  if (j->len + (size_t)n + 1 > j->cap) {
    size_t cap = (j->cap ? 2 * j->cap : 8192) + (size_t)n;
    char *b = realloc(j->buf, cap);
    if (!b) return 0;
    j->buf = b;
    j->cap = cap;
  }
  memcpy(j->buf + j->len, tmp, (size_t)n);
  j->len += (size_t)n;
  j->buf[j->len] = 0;
  return 1;
}

static void finish(vmpb_runner *rn, vmpb_job *j) {
  struct rusage ru;
  int st = 0;
  pid_t w;
  double wall, peak;
  vmpb_outcome o;
  int complete;
  close(j->fd);
  j->fd = -1;
  memset(&ru, 0, sizeof ru);
  do {
    w = wait4(j->pid, &st, 0, &ru);
  } while (w < 0 && errno == EINTR);
  wall = vmpb_now() - j->start;
  /* Linux: KiB; it includes the runner's own high-water mark (folded in
   * at exec), so it is only the fallback for a worker that could not
   * report its own peak (a crash) */
  peak = isnan(j->peak_seen) ? (double)ru.ru_maxrss / 1024.0 : j->peak_seen;
  if (!j->buf) {
    j->buf = calloc(1, 1);
    j->cap = j->buf ? 1 : 0;
  }
  if (j->arrivals) {
    vmpb_online_result r;
    complete = j->buf && vmpb_online_parse_result(j->buf, &r);
    if (j->killed) {
      snprintf(r.status, sizeof r.status, "timeout");
      snprintf(r.note, sizeof r.note, "killed after %.0f s", wall);
    } else if (!complete) {
      snprintf(r.status, sizeof r.status, "crash");
      if (WIFSIGNALED(st))
        snprintf(r.note, sizeof r.note, "signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
      else
        snprintf(r.note, sizeof r.note, "worker exited with status %d and "
                 "no result", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    if (!complete || isnan(r.peak_mib)) r.peak_mib = peak;
    r.hosts = j->inst->hosts;
    r.vms = j->inst->vms;
    r.arrivals = j->arrivals;
    rn->on_online(rn, j, &r);
    return;
  }
  complete = j->buf && vmpb_outcome_parse(j->buf, &o);
  if (j->killed) {
    vmpb_outcome_init(&o);
    snprintf(o.status, sizeof o.status, "timeout");
    snprintf(o.note, sizeof o.note, "killed after %.1f s (hard limit %.0f s)",
             wall, rn->kill_after);
    o.time_s = wall;
  } else if (WIFSIGNALED(st)) {
    char note[sizeof o.note];
    snprintf(note, sizeof note, "signal %d (%s)%s%s", WTERMSIG(st),
             strsignal(WTERMSIG(st)), *o.note ? ": " : "", o.note);
    snprintf(o.status, sizeof o.status, "crash");
    snprintf(o.note, sizeof o.note, "%s", note);
  } else if (!complete) {
    vmpb_outcome_init(&o);
    snprintf(o.status, sizeof o.status, "crash");
    snprintf(o.note, sizeof o.note, "worker exited with status %d and no "
             "result%s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
             WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " (cannot execute the "
             "worker)" : "");
  }
  if (isnan(o.peak_mib)) o.peak_mib = peak;
  rn->on_result(rn, j, &o, wall);
}

static void kill_job(vmpb_job *j) {
  /* the worker's own peak, while it still exists */
  j->peak_seen = vmpb_peak_mib((long)j->pid);
  /* the whole group: a peer (cbc, python) dies with its worker */
  kill(-j->pid, SIGKILL);
  kill(j->pid, SIGKILL);
  j->killed = 1;
}

/* ---- the loop ------------------------------------------------------------------- */

int vmpb_runner_run(vmpb_runner *rn, vmpb_job *jobs, size_t njobs) {
  size_t next = 0, nrun = 0, cap = rn->jobs ? rn->jobs : 1;
  vmpb_job **run = calloc(cap, sizeof *run);
  struct pollfd *pfd = calloc(cap, sizeof *pfd);
  const char *last = "";
  char lastbuf[200] = "";
  int rc = 0;
  if (!run || !pfd) {
    free(run);
    free(pfd);
    return -1;
  }
  rn->total = njobs;
  rn->done = 0;
  progress(rn, last);
  while (next < njobs || nrun) {
    double now, wait_s = 0.5;
    int n;
    while (!interrupted && nrun < cap && next < njobs) {
      if (start(rn, &jobs[next])) {
        rc = -1;
        break;
      }
      run[nrun++] = &jobs[next++];
    }
    if (rc || interrupted) break;
    now = vmpb_now();
    for (size_t k = 0; k < nrun; k++) {
      pfd[k].fd = run[k]->fd;
      pfd[k].events = POLLIN;
      pfd[k].revents = 0;
      if (!run[k]->killed && run[k]->deadline - now < wait_s)
        wait_s = fmax(0, run[k]->deadline - now);
    }
    n = poll(pfd, nrun, (int)(wait_s * 1000) + 1);
    if (n < 0 && errno != EINTR) {
      rc = -1;
      break;
    }
    now = vmpb_now();
    for (size_t k = 0; k < nrun;) {
      vmpb_job *j = run[k];
      int open_ = 1;
      if (n > 0 && (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
        open_ = read_some(j);
      if (open_ && !j->killed && now >= j->deadline) kill_job(j);
      if (!open_) {
        finish(rn, j);
        rn->done++;
        snprintf(lastbuf, sizeof lastbuf, "%s %s", j->solver ? j->solver : "online",
                 j->inst->name);
        last = lastbuf;
        run[k] = run[nrun - 1];
        pfd[k] = pfd[nrun - 1];
        nrun--;
        continue;
      }
      k++;
    }
    progress(rn, last);
  }
  if (interrupted || rc) {
    /* nothing half-done is recorded: kill, reap, drop */
    for (size_t k = 0; k < nrun; k++) {
      int st;
      kill_job(run[k]);
      close(run[k]->fd);
      while (waitpid(run[k]->pid, &st, 0) < 0 && errno == EINTR) {}
    }
  }
  if (rn->tty) fputs("\r\033[K", stderr);
  free(run);
  free(pfd);
  if (interrupted) return 1;
  return rc;
}
