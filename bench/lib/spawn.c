/*
 * Small process helpers: run a program with its output in files and
 * measure it (wall clock, peak resident memory from wait4), and find
 * programs in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double vmpb_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int executable(const char *path) {
  struct stat st;
  return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

int vmpb_which(const char *name, char *buf, size_t len) {
  const char *path = getenv("PATH");
  if (!name || !*name) return 0;
  if (strchr(name, '/')) {
    if (!executable(name)) return 0;
    snprintf(buf, len, "%s", name);
    return 1;
  }
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path; *p;) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char cand[4096];
    snprintf(cand, sizeof cand, "%.*s/%s", (int)n, n ? p : ".", name);
    if (executable(cand)) {
      snprintf(buf, len, "%s", cand);
      return 1;
    }
    p += n;
    if (*p == ':') p++;
  }
  return 0;
}

static int redirect(int fd, const char *path, int flags) {
  int f = open(path ? path : "/dev/null", flags, 0644);
  if (f < 0) return -1;
  if (f != fd) {
    if (dup2(f, fd) < 0) return -1;
    close(f);
  }
  return 0;
}

double vmpb_peak_mib(long pid) {
  char path[64], line[256];
  FILE *f;
  double kib = NAN;
  if (pid > 0)
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
  else
    snprintf(path, sizeof path, "/proc/self/status");
  if (!(f = fopen(path, "r"))) return NAN;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "VmHWM:", 6)) {
      kib = strtod(line + 6, NULL);
      break;
    }
  fclose(f);
  return kib / 1024.0;
}

int vmpb_spawn_wait(char *const argv[], const char *out_path,
                    const char *err_path, int *status, double *wall,
                    double *peak_mib) {
  struct rusage ru;
  double t0 = vmpb_now();
  pid_t pid, w;
  int st = 0;
  fflush(NULL);
  pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (redirect(0, NULL, O_RDONLY) ||
        redirect(1, out_path, O_WRONLY | O_CREAT | O_TRUNC) ||
        redirect(2, err_path, O_WRONLY | O_CREAT | O_TRUNC))
      _exit(127);
    execvp(argv[0], argv);
    _exit(127);
  }
  memset(&ru, 0, sizeof ru);
  do {
    w = wait4(pid, &st, 0, &ru);
  } while (w < 0 && errno == EINTR);
  if (w < 0) return -1;
  if (status) *status = st;
  if (wall) *wall = vmpb_now() - t0;
  /* Linux reports ru_maxrss in KiB */
  if (peak_mib) *peak_mib = (double)ru.ru_maxrss / 1024.0;
  return 0;
}
