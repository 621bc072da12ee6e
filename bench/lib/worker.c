/*
 * The worker: one (instance, solver) run, in a child process of the
 * runner.  It loads the instance (reading or generating it, timed apart
 * from the solve), runs the solver or peer, and writes its outcome as
 * "key=value" lines on a pipe.  The parent measures what the child cannot
 * report about itself: peak memory, a crash, a hang.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "vmplace/vmplace.h"
#include "bench.h"

#include "generator.h"

/* ---- loading ----------------------------------------------------------------- */

static void fail(vmpb_outcome *o, const char *status, const char *fmt,
                 const char *detail) {
  snprintf(o->status, sizeof o->status, "%s", status);
  snprintf(o->note, sizeof o->note, fmt, detail);
}

static int load(const vmpb_instance *in, vmp_problem **p, vmpb_outcome *o) {
  double t0 = vmpb_now();
  int rc;
  *p = NULL;
  if (in->kind == VMPB_KIND_DATACENTER || in->kind == VMPB_KIND_REALISTIC) {
    if (in->kind == VMPB_KIND_REALISTIC) {
      vmpb_real_opts g;
      vmpb_real_opts_init(&g, in->hosts, in->vms, in->gen_seed);
      rc = vmpb_generate_realistic(&g, p);
    } else {
      vmpb_gen_opts g;
      vmpb_gen_opts_init(&g, in->hosts, in->vms, in->gen_seed);
      rc = vmpb_generate(&g, p);
    }
    if (rc) {
      fail(o, "error", "generator: %s", vmp_last_error());
      return -1;
    }
  } else {
    rc = vmp_problem_read(in->path, VMP_FORMAT_AUTO, p);
    if (rc) {
      /* A well-formed file that holds what vmplace cannot represent
       * (negative sizes, items with several shapes) is out of scope, not a
       * failure: the reader says VMP_ERANGE or VMP_ENOTSUP. */
      fail(o, rc == VMP_ENOTSUP || rc == VMP_ERANGE ? "unsupported" : "error",
           "%s", vmp_last_error());
      return -1;
    }
  }
  o->read_s = vmpb_now() - t0;
  o->vms = (double)vmp_problem_num_vms(*p);
  return 0;
}

/* Fills the outcome from a verified solution. */
static void from_solution(const vmp_solution *s, vmpb_outcome *o) {
  int st = vmp_solution_status(s);
  snprintf(o->status, sizeof o->status, "%s", vmp_status_name(st));
  snprintf(o->stop_reason, sizeof o->stop_reason, "%s",
           vmp_stop_reason_name(vmp_solution_stop_reason(s)));
  /* value: the objective, meaningful only when every VM is placed (an
   * unplaced VM costs a penalty larger than any placement) */
  if (st == VMP_STATUS_OPTIMAL || st == VMP_STATUS_FEASIBLE)
    o->value = vmp_solution_objective(s);
  o->bound = vmp_solution_bound(s);
  if (!isfinite(o->bound)) o->bound = NAN;
  o->proven_optimal = st == VMP_STATUS_OPTIMAL;
  o->hosts_used = (double)vmp_solution_hosts_used(s);
  o->unplaced = (double)vmp_solution_num_unplaced(s);
}

static void run_library(const vmpb_work *w, const vmp_problem *p,
                        vmpb_outcome *o) {
  vmp_solve_opts opts;
  vmp_solution *s = NULL;
  int rc;
  vmp_solve_opts_init(&opts, VMP_SOLVE_OPTS_VERSION);
  opts.solver = w->solver;
  opts.time_limit = w->time_limit;
  opts.seed = w->seed;
  opts.threads = w->threads;
  rc = vmp_solve(p, &opts, &s);
  if (rc) {
    char detail[300];
    snprintf(detail, sizeof detail, "%s: %s", vmp_err_name(rc), vmp_last_error());
    fail(o, rc == VMP_ENOTSUP ? "unsupported" : "error", "%s", detail);
    return;
  }
  from_solution(s, o);
  o->time_s = vmp_solution_time(s);
  vmp_solution_free(s);
}

/* ---- peers ------------------------------------------------------------------------ */

static void tmp_name(const vmpb_work *w, const char *what, char *buf,
                     size_t len) {
  snprintf(buf, len, "%s/%s-%ld%s", w->tmpdir ? w->tmpdir : "/tmp", w->solver,
           (long)getpid(), what);
}

/* The instance as a file a peer can read: the original file, or (for a
 * generated datacenter) its problem JSON. */
static int instance_file(const vmpb_work *w, const vmp_problem *p, char *buf,
                         size_t len, vmpb_outcome *o) {
  if (w->inst->kind == VMPB_KIND_FILE) {
    snprintf(buf, len, "%s", w->inst->path);
    return 0;
  }
  tmp_name(w, ".json", buf, len);
  if (vmp_problem_write(p, buf)) {
    fail(o, "error", "%s", vmp_last_error());
    return -1;
  }
  return 1;
}

static void run_cbc(const vmpb_work *w, const vmp_problem *p,
                    vmpb_outcome *o) {
  char input[4096], mps[4096], errpath[4096], *text;
  char tl[32], line[300];
  int st, made;
  if ((made = instance_file(w, p, input, sizeof input, o)) < 0) return;
  tmp_name(w, ".mps", mps, sizeof mps);
  tmp_name(w, ".export.err", errpath, sizeof errpath);
  /* The exporter builds the exact engine's model; a short limit keeps the
   * solve it may run after writing the model from costing time. */
  snprintf(tl, sizeof tl, "1");
  char *argv[] = {(char *)vmpb_vmplace_cli(), "solve", "--solver", "ilp", "--time-limit", tl,
                  "--write-model", mps, "-q", input, NULL};
  remove(mps);
  if (vmpb_spawn_wait(argv, NULL, errpath, &st, NULL, NULL) ||
      !WIFEXITED(st) || WEXITSTATUS(st) > 1 || access(mps, R_OK)) {
    text = NULL;
    if (!access(errpath, R_OK)) {
      FILE *f = fopen(errpath, "r");
      if (f) {
        if (!fgets(line, sizeof line, f)) line[0] = 0;
        fclose(f);
        line[strcspn(line, "\n")] = 0;
        text = line;
      }
    }
    fail(o, "error", "MPS export failed: %s", text && *text ? text : "no model written");
  } else {
    vmpb_cbc_run(mps, w->time_limit, o);
    o->hosts_used = NAN;
  }
  if (made > 0) remove(input);
  remove(errpath);
  remove(mps);
  snprintf(line, sizeof line, "%s.sol", mps);
  remove(line);
  snprintf(line, sizeof line, "%s.log", mps);
  remove(line);
}

/* Maps the peer's assignments (VM name -> host name) to host indices and
 * evaluates them with vmplace's evaluator. */
static int evaluate_assignments(const vmp_problem *p, json_t *asg,
                                vmp_solution **out, vmpb_outcome *o) {
  size_t nv = vmp_problem_num_vms(p), v, h;
  size_t *host = malloc((nv ? nv : 1) * sizeof *host);
  const char *key;
  json_t *val;
  int rc;
  if (!host) {
    fail(o, "error", "%s", "out of memory");
    return -1;
  }
  for (v = 0; v < nv; v++) host[v] = VMP_NONE;
  json_object_foreach(asg, key, val) {
    if (vmp_problem_find_vm(p, key, &v) || !json_is_string(val) ||
        vmp_problem_find_host(p, json_string_value(val), &h)) {
      fail(o, "error", "cpsat: unknown VM or host in assignment of %s", key);
      free(host);
      return -1;
    }
    host[v] = h;
  }
  rc = vmp_evaluate(p, host, out);
  free(host);
  if (rc) {
    fail(o, "error", "evaluate: %s", vmp_last_error());
    return -1;
  }
  return 0;
}

static void run_cpsat(const vmpb_work *w, const vmp_problem *p,
                      vmpb_outcome *o) {
  char in[4096], out[4096], errpath[4096], script[4096], tl[32], seed[32],
      threads[32];
  json_t *root = NULL;
  json_error_t jerr;
  vmp_solution *s = NULL;
  int st;
  double wall, peak;
  tmp_name(w, ".json", in, sizeof in);
  tmp_name(w, ".out.json", out, sizeof out);
  tmp_name(w, ".err", errpath, sizeof errpath);
  if (vmp_problem_write(p, in)) {
    fail(o, "error", "%s", vmp_last_error());
    return;
  }
  snprintf(tl, sizeof tl, "%g", w->time_limit);
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)w->seed);
  snprintf(threads, sizeof threads, "%u", w->threads ? w->threads : 1);
  vmpb_cpsat_script(script, sizeof script);
  char *argv[] = {(char *)vmpb_python(), script, "--time-limit", tl, "--seed", seed,
                  "--threads", threads, in, out, NULL};
  remove(out);
  if (vmpb_spawn_wait(argv, NULL, errpath, &st, &wall, &peak)) {
    fail(o, "error", "cannot start %s", argv[0]);
    goto done;
  }
  o->peak_mib = peak;
  root = json_load_file(out, 0, &jerr);
  if (!root) {
    char line[300] = "";
    FILE *f = fopen(errpath, "r");
    /* the last line of a Python traceback says what went wrong */
    if (f) {
      char buf[300];
      while (fgets(buf, sizeof buf, f))
        if (buf[0] != '\n') snprintf(line, sizeof line, "%s", buf);
      fclose(f);
    }
    line[strcspn(line, "\n")] = 0;
    fail(o, WIFSIGNALED(st) ? "crash" : "error", "cpsat: %s",
         *line ? line : "no output");
    goto done;
  }
  {
    const char *status = json_string_value(json_object_get(root, "status"));
    const char *reason = json_string_value(json_object_get(root, "reason"));
    json_t *asg = json_object_get(root, "assignments");
    double t = json_number_value(json_object_get(root, "time_s"));
    json_t *bound = json_object_get(root, "bound");
    o->time_s = json_is_number(json_object_get(root, "time_s")) ? t : wall;
    if (!status) status = "error";
    if (reason) snprintf(o->note, sizeof o->note, "%s", reason);
    if (!strcmp(status, "optimal") || !strcmp(status, "feasible")) {
      if (!json_is_object(asg) || evaluate_assignments(p, asg, &s, o)) goto done;
      if (vmp_solution_status(s) == VMP_STATUS_INVALID) {
        fail(o, "error", "%s", "cpsat's placement breaks hard constraints "
             "(vmplace's evaluator)");
        goto done;
      }
      from_solution(s, o);
      snprintf(o->stop_reason, sizeof o->stop_reason, "%s",
               strcmp(status, "optimal") ? "time_limit" : "completed");
      o->bound = json_is_number(bound) ? json_number_value(bound) : NAN;
      /* proven only when CP-SAT proved it and the evaluator agrees on the
       * value it proved */
      o->proven_optimal = !strcmp(status, "optimal") &&
                          vmpb_matches(o->value, o->bound);
      if (!isnan(o->value))
        snprintf(o->status, sizeof o->status, "%s",
                 o->proven_optimal ? "optimal" : "feasible");
    } else if (!strcmp(status, "infeasible")) {
      snprintf(o->status, sizeof o->status, "infeasible");
      snprintf(o->stop_reason, sizeof o->stop_reason, "completed");
    } else if (!strcmp(status, "unknown")) {
      snprintf(o->status, sizeof o->status, "no_solution");
      snprintf(o->stop_reason, sizeof o->stop_reason, "time_limit");
      o->bound = json_is_number(bound) ? json_number_value(bound) : NAN;
    } else if (!strcmp(status, "unsupported")) {
      snprintf(o->status, sizeof o->status, "unsupported");
    } else {
      snprintf(o->status, sizeof o->status, "error");
    }
  }
done:
  vmp_solution_free(s);
  json_decref(root);
  remove(in);
  remove(out);
  remove(errpath);
}

void vmpb_work_run(const vmpb_work *w, vmpb_outcome *o) {
  vmp_problem *p = NULL;
  vmpb_outcome_init(o);
  if (!load(w->inst, &p, o)) {
    if (!strcmp(w->solver, "cbc"))
      run_cbc(w, p, o);
    else if (!strcmp(w->solver, "cpsat"))
      run_cpsat(w, p, o);
    else
      run_library(w, p, o);
  }
  vmp_problem_free(p);
  /* a peer reports its own process; otherwise the run is this process */
  if (isnan(o->peak_mib)) o->peak_mib = vmpb_peak_mib(0);
}

/* ---- the outcome on the pipe -------------------------------------------------------- */

static int put(int fd, const char *key, const char *text) {
  char line[600];
  int n = snprintf(line, sizeof line, "%s=%s\n", key, text);
  size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
  return vmpb_write_all(fd, line, len);
}

static int putnum(int fd, const char *key, double v) {
  char buf[64];
  if (isnan(v)) return 0;
  snprintf(buf, sizeof buf, "%.17g", v);
  return put(fd, key, buf);
}

int vmpb_outcome_write(int fd, const vmpb_outcome *o) {
  char note[sizeof o->note];
  int bad = 0;
  /* one line per key: line breaks in messages become spaces */
  snprintf(note, sizeof note, "%s", o->note);
  for (char *c = note; *c; c++)
    if (*c == '\n' || *c == '\r') *c = ' ';
  bad |= put(fd, "status", o->status);
  bad |= putnum(fd, "value", o->value);
  bad |= putnum(fd, "bound", o->bound);
  bad |= put(fd, "proven", o->proven_optimal ? "1" : "0");
  bad |= putnum(fd, "time_s", o->time_s);
  bad |= putnum(fd, "read_s", o->read_s);
  bad |= put(fd, "stop_reason", o->stop_reason);
  bad |= putnum(fd, "hosts_used", o->hosts_used);
  bad |= putnum(fd, "vms", o->vms);
  bad |= putnum(fd, "unplaced", o->unplaced);
  bad |= putnum(fd, "peak_mib", o->peak_mib);
  bad |= put(fd, "note", note);
  bad |= put(fd, "end", "1");
  return bad ? -1 : 0;
}

int vmpb_outcome_parse(const char *text, vmpb_outcome *o) {
  char key[VMPB_KV_KEY], val[VMPB_KV_VAL];
  int complete = 0;
  vmpb_outcome_init(o);
  for (const char *p = text; vmpb_kv_next(&p, key, val);) {
    if (!strcmp(key, "status"))
      snprintf(o->status, sizeof o->status, "%s", val);
    else if (!strcmp(key, "value")) o->value = strtod(val, NULL);
    else if (!strcmp(key, "bound")) o->bound = strtod(val, NULL);
    else if (!strcmp(key, "proven")) o->proven_optimal = atoi(val);
    else if (!strcmp(key, "time_s")) o->time_s = strtod(val, NULL);
    else if (!strcmp(key, "read_s")) o->read_s = strtod(val, NULL);
    else if (!strcmp(key, "stop_reason"))
      snprintf(o->stop_reason, sizeof o->stop_reason, "%s", val);
    else if (!strcmp(key, "hosts_used")) o->hosts_used = strtod(val, NULL);
    else if (!strcmp(key, "vms")) o->vms = strtod(val, NULL);
    else if (!strcmp(key, "unplaced")) o->unplaced = strtod(val, NULL);
    else if (!strcmp(key, "peak_mib")) o->peak_mib = strtod(val, NULL);
    else if (!strcmp(key, "note"))
      snprintf(o->note, sizeof o->note, "%s", val);
    else if (!strcmp(key, "end")) complete = 1;
  }
  return complete;
}

/* ---- the worker mode of the executable ------------------------------------------------ */

/* argv: file PATH | datacenter|realistic HOSTS VMS GEN_SEED, then SOLVER TIME_LIMIT
 * SEED THREADS TMPDIR.  The outcome goes to VMPB_RESULT_FD. */
int vmpb_worker_main(int argc, char **argv) {
  vmpb_instance in;
  vmpb_work w;
  vmpb_outcome o;
  int k = 0;
  memset(&in, 0, sizeof in);
  memset(&w, 0, sizeof w);
  /* a peer the worker starts must not hold the result pipe open */
  fcntl(VMPB_RESULT_FD, F_SETFD, FD_CLOEXEC);
  if (argc >= 7 && !strcmp(argv[0], "file")) {
    in.kind = VMPB_KIND_FILE;
    in.path = argv[1];
    k = 2;
  } else if (argc >= 9 && (!strcmp(argv[0], "datacenter") || !strcmp(argv[0], "realistic"))) {
    in.kind = !strcmp(argv[0], "realistic") ? VMPB_KIND_REALISTIC : VMPB_KIND_DATACENTER;
    in.hosts = (size_t)strtoull(argv[1], NULL, 10);
    in.vms = (size_t)strtoull(argv[2], NULL, 10);
    in.gen_seed = strtoull(argv[3], NULL, 10);
    k = 4;
  } else if (argc >= 6 && !strcmp(argv[0], "online")) {
    vmpb_online_result r;
    char err[VMPB_ERRLEN];
    memset(&r, 0, sizeof r);
    if (vmpb_online_run((size_t)strtoull(argv[1], NULL, 10),
                        (size_t)strtoull(argv[2], NULL, 10),
                        strtoull(argv[3], NULL, 10),
                        (size_t)strtoull(argv[4], NULL, 10),
                        strtoull(argv[5], NULL, 10), &r, err)) {
      snprintf(r.status, sizeof r.status, "error");
      snprintf(r.note, sizeof r.note, "%s", err);
    }
    return vmpb_online_write_result(VMPB_RESULT_FD, &r) ? 3 : 0;
  } else {
    fprintf(stderr, "vmplace-bench: --worker: bad arguments\n");
    return 2;
  }
  in.suite = in.name = (char *)"";
  w.inst = &in;
  w.solver = argv[k];
  w.time_limit = strtod(argv[k + 1], NULL);
  w.seed = strtoull(argv[k + 2], NULL, 10);
  w.threads = (unsigned)strtoul(argv[k + 3], NULL, 10);
  w.tmpdir = argv[k + 4];
  vmpb_work_run(&w, &o);
  return vmpb_outcome_write(VMPB_RESULT_FD, &o) ? 3 : 0;
}
