/*
 * vmp_virt_apply: executing a plan through libvirt (docs/libvirt.md,
 * "Apply" and "Recovery").
 *
 * Safety rules, in the order the code enforces them:
 *  - before each step, libvirt says where the domain is; the plan and the
 *    journal never do;
 *  - a source is undefined only after its target runs and is persistent;
 *  - a failed step removes what it made on the target and keeps, or
 *    restarts, the source;
 *  - a leftover copy is removed only when this run or the journal shows
 *    that vmplace made it;
 *  - when a step fails, the rest of its wave still runs (each step of a
 *    wave was checked with the whole wave in flight, so it does not depend
 *    on the others) and later waves do not (they may need the room the
 *    failed step was to free).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply_report.h"
#include "plan_impl.h"
#include "readers.h"
#include "virt_impl.h"

#define LIVE_FLAGS                                                                  \
  (VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_PERSIST_DEST |            \
   VIR_MIGRATE_UNDEFINE_SOURCE)

#define UNSET UINT32_MAX

typedef struct run {
  vmp_virt *v;
  const vmp_plan *pl;
  const vmp_apply_opts *o;
  vmp_apply_report *rep;
  vmp__journal j;
  virConnectPtr *conn;    /* [nhosts], opened on first use */
  uint8_t *ours;          /* [nsteps] vmplace began the step (this run or journal) */
  uint8_t *logged;        /* [nsteps] "begin" written by this run */
  uint32_t *sim;          /* dry run: [plan VM] where earlier steps would put it */
  /* Steps of a wave may run in threads (opts.parallel): the connection
   * cache, the journal and the progress callback are used under mu.
   * libvirt's connections themselves take calls from several threads. */
  pthread_mutex_t mu;
} run;

typedef struct dstate {
  virDomainPtr d;         /* NULL: no such domain on the host */
  int active, persistent, state, reason;
} dstate;

/* What a failed step keeps of its first error while it cleans up. */
typedef struct failure {
  int rc;
  char msg[2048];
} failure;

static int remember(failure *f, int rc) {
  f->rc = rc;
  snprintf(f->msg, sizeof f->msg, "%s", vmp_last_error());
  return rc;
}

/* The first error again, with the clean-up's failure when there was one. */
static int fail_after_undo(const failure *f, int undo_rc) {
  char undo[1024];
  if (undo_rc) {
    /* Copied first: the detail message is the buffer being written. */
    snprintf(undo, sizeof undo, "%s", vmp_last_error());
    return vmp__error(f->rc, "%s; undoing it failed too (%s)", f->msg, undo);
  }
  return vmp__error(f->rc, "%s", f->msg);
}

static const char *HN(const run *R, uint32_t h) { return R->pl->host_name[h]; }

/* ---- libvirt primitives ---------------------------------------------------------- */

static int host_conn_locked(run *R, uint32_t h, virConnectPtr *out) {
  const char *uri = R->pl->host_uri[h];
  int rc;
  if (R->conn[h]) {
    *out = R->conn[h];
    return VMP_OK;
  }
  if (!uri || !uri[0]) return vmp__error(VMP_EINVAL, "plan host %s has no uri", HN(R, h));
  if ((rc = vmp__virt_conn(R->v, uri, &R->conn[h]))) return vmp__error_prefix(rc, "host %s", HN(R, h));
  *out = R->conn[h];
  return VMP_OK;
}

static int host_conn(run *R, uint32_t h, virConnectPtr *out) {
  int rc;
  pthread_mutex_lock(&R->mu);
  rc = host_conn_locked(R, h, out);
  pthread_mutex_unlock(&R->mu);
  return rc;
}

/* Appends a journal record; steps in threads take turns. */
static int record(run *R, size_t k, const char *event, const char *method, const char *message) {
  int rc;
  pthread_mutex_lock(&R->mu);
  rc = vmp__journal_record(&R->j, k, R->pl->vm_name[R->pl->steps[k].vm], event, method, message);
  pthread_mutex_unlock(&R->mu);
  return rc;
}

static void dstate_free(dstate *s) {
  if (s->d) virDomainFree(s->d);
  memset(s, 0, sizeof *s);
}

static int probe(virConnectPtr c, const char *host, const char *vm, dstate *s) {
  memset(s, 0, sizeof *s);
  if (!(s->d = virDomainLookupByName(c, vm))) {
    if (vmp__virt_errcode() == VIR_ERR_NO_DOMAIN) return VMP_OK;
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot look up %s", host, vm);
  }
  if ((s->active = virDomainIsActive(s->d)) < 0 ||
      (s->persistent = virDomainIsPersistent(s->d)) < 0 ||
      virDomainGetState(s->d, &s->state, &s->reason, 0) < 0) {
    /* Found, then gone: a migration in flight has just taken it away. */
    int rc = vmp__virt_errcode() == VIR_ERR_NO_DOMAIN
                 ? VMP_OK
                 : vmp__virt_fail(VMP_EVIRT, "%s: cannot read the state of %s", host, vm);
    dstate_free(s);
    return rc;
  }
  return VMP_OK;
}

/* Whether libvirt runs a job on the domain (a migration out or in, a
 * save...): 1 yes, 0 no (or the domain is gone), 2 the driver has no jobs,
 * -1 cannot tell. */
static int job_running(virDomainPtr d) {
  virDomainJobInfo info;
  if (virDomainGetJobInfo(d, &info) == 0) return info.type != VIR_DOMAIN_JOB_NONE;
  switch (vmp__virt_errcode()) {
    /* Gone, or no longer running (a migrated source before libvirt
     * undefines it): no job. */
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_OPERATION_INVALID: return 0;
    /* A driver without jobs (libvirt's test driver) has none in flight,
     * and no migration to hand over either. */
    case VIR_ERR_NO_SUPPORT: return 2;
    /* The QEMU driver's answer on a migration's target while the VM comes
     * in: "migration statistics are available only on the source host". */
    case VIR_ERR_OPERATION_UNSUPPORTED: return 1;
    default: return -1;
  }
}

static const char *describe(const dstate *s) {
  if (!s->d) return "absent";
  if (!s->active) return "shut off";
  if (s->state == VIR_DOMAIN_PAUSED) return "paused";
  return "running";
}

static int lv_xml(virDomainPtr d, const char *host, const char *vm, char **xml) {
  /* The persistent definition with its secrets, as a define elsewhere
   * needs it. */
  if (!(*xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)))
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the definition of %s", host, vm);
  return VMP_OK;
}

static int lv_define(virConnectPtr c, const char *host, const char *vm, const char *xml,
                     virDomainPtr *out) {
  vmp__xml_quiet q;
  vmp__xml_quiet_begin(&q);
  *out = virDomainDefineXML(c, xml);
  vmp__xml_quiet_end(&q);
  if (!*out) return vmp__virt_fail(VMP_EVIRT, "%s: cannot define %s", host, vm);
  return VMP_OK;
}

static int lv_start(virDomainPtr d, const char *host, const char *vm) {
  if (virDomainCreate(d) < 0) return vmp__virt_fail(VMP_EVIRT, "%s: cannot start %s", host, vm);
  return VMP_OK;
}

/* A copy that is not there (any more) is nothing to clean up: libvirt may
 * have removed it itself, as it does after a failed incoming migration. */
static int gone(void) { return vmp__virt_errcode() == VIR_ERR_NO_DOMAIN; }

static int lv_destroy(virDomainPtr d, const char *host, const char *vm) {
  if (virDomainDestroy(d) < 0 && !gone())
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot stop %s", host, vm);
  return VMP_OK;
}

static int retry_with_fewer_flags(int code) {
  return code == VIR_ERR_INVALID_ARG || code == VIR_ERR_NO_SUPPORT ||
         code == VIR_ERR_ARGUMENT_UNSUPPORTED;
}

/* Undefines a definition, keeping the NVRAM file: with shared storage it is
 * the one the VM's other definition uses.  Drivers that do not know a flag
 * get fewer; none ever gets VIR_DOMAIN_UNDEFINE_NVRAM. */
static int lv_undefine(virDomainPtr d, const char *host, const char *vm) {
  static const unsigned int ladder[] = {
      VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
          VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA | VIR_DOMAIN_UNDEFINE_KEEP_NVRAM,
      VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, 0};
  for (size_t k = 0; k < sizeof ladder / sizeof ladder[0]; k++) {
    if (virDomainUndefineFlags(d, ladder[k]) == 0 || gone()) return VMP_OK;
    if (!retry_with_fewer_flags(vmp__virt_errcode()) || k + 1 == sizeof ladder / sizeof ladder[0])
      break;
  }
  return vmp__virt_fail(VMP_EVIRT, "%s: cannot undefine %s", host, vm);
}

/* Removes a copy on a host: stops it if it runs, undefines it if it is
 * persistent (a transient one is gone once stopped). */
static int lv_remove(dstate *s, const char *host, const char *vm) {
  int rc;
  if (s->active && (rc = lv_destroy(s->d, host, vm))) return rc;
  if (s->persistent) return lv_undefine(s->d, host, vm);
  return VMP_OK;
}

static void pause_briefly(void) {
  struct timespec ts = {0, 50 * 1000 * 1000};
  while (nanosleep(&ts, &ts) && errno == EINTR) {}
}

static int lv_shutdown(const run *R, virDomainPtr d, const char *host, const char *vm) {
  double deadline = vmp__now() + R->o->shutdown_timeout;
  if (virDomainShutdown(d) < 0)
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot shut down %s", host, vm);
  for (;;) {
    int state, reason;
    if (virDomainGetState(d, &state, &reason, 0) < 0)
      return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the state of %s", host, vm);
    if (state == VIR_DOMAIN_SHUTOFF) return VMP_OK;
    if (vmp__now() > deadline)
      return vmp__error(VMP_EVIRT, "%s: %s did not shut down within %g s (the request may "
                                   "still complete)", host, vm, R->o->shutdown_timeout);
    pause_briefly();
  }
}

/* Makes a running transient copy persistent with its own definition. */
static int lv_persist(virConnectPtr c, virDomainPtr d, const char *host, const char *vm) {
  virDomainPtr again = NULL;
  char *xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_MIGRATABLE);
  int rc;
  if (!xml) return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the definition of %s", host, vm);
  rc = lv_define(c, host, vm, xml, &again);
  free(xml);
  if (again) virDomainFree(again);
  return rc;
}

/* ---- the journal and the report ---------------------------------------------------- */

static int begin(run *R, size_t k, const char *method) {
  R->ours[k] = 1;
  if (R->logged[k]) return VMP_OK;
  R->logged[k] = 1;
  return record(R, k, "begin", method, NULL);
}

/* ---- migrate steps ------------------------------------------------------------------- */

typedef enum next {
  FRESH,              /* source runs, target has nothing: do the move */
  FINISHED,           /* target runs and is persistent, source gone */
  MAKE_PERSISTENT,    /* target runs, transient; source gone */
  FINISH_COLD,        /* target runs, source shut off: a cold move's last act */
  UNDO_TARGET,        /* source runs, a half-made copy on the target */
  RESTART_SOURCE,     /* both shut off: restart the source, drop the copy */
  START_TARGET        /* the only copy, vmplace's, is shut off on the target */
} next;

static int where_else(run *R, const char *vm, uint32_t skip1, uint32_t skip2, char *buf,
                      size_t len) {
  buf[0] = '\0';
  for (uint32_t h = 0; h < R->pl->nhosts; h++) {
    virConnectPtr c;
    dstate s;
    if (h == skip1 || h == skip2 || !R->pl->host_uri[h] || host_conn(R, h, &c)) continue;
    if (probe(c, HN(R, h), vm, &s)) continue;
    if (s.d) {
      size_t used = strlen(buf);
      snprintf(buf + used, len - used, "%s%s on %s", used ? ", " : "", describe(&s), HN(R, h));
    }
    dstate_free(&s);
  }
  return VMP_OK;
}

/* Seconds a live migration may take before vmplace aborts it; 0: no
 * limit. */
static double migrate_limit(const run *R) { return R->o->migrate_timeout; }

/* Waits until libvirt runs no job on the VM on the step's hosts, probing
 * *s and *t again.  A peer-to-peer migration that an interrupted run asked
 * for goes on inside the source's libvirtd after that process is gone;
 * starting the step again would fail ("another migration job is already
 * running"), and removing the paused copy it is filling on the target would
 * break it.  Past the migration time limit the job is aborted (libvirt then
 * keeps the source running and drops the copy). */
static int wait_for_jobs(run *R, size_t k, virConnectPtr cs, virConnectPtr ct, dstate *s,
                         dstate *t) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *hs = HN(R, st->from), *ht = HN(R, st->to);
  double start = vmp__now(), limit = migrate_limit(R), quiet = 0;
  int waited = 0, aborted = 0, rc;
  for (;;) {
    /* Looked at after the probe: a state with no job after it is settled. */
    int js = s->d ? job_running(s->d) : 0, jt, moving;
    if (js < 0) return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the jobs of %s", hs, vm);
    if ((jt = t->d ? job_running(t->d) : 0) < 0)
      return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the jobs of %s", ht, vm);
    /* Active on both hosts: the hand-over of a migration (the target
     * comes in paused; the source stops while the target takes over, and
     * libvirt may still call it running for a moment), whatever the jobs
     * say at this instant. */
    if (js == 2 || jt == 2) {
      js = jt = 0;
      moving = 0;
    } else {
      moving = s->d && t->d && s->active && t->active;
    }
    if (!js && !jt) {
      if (!quiet) quiet = vmp__now();
      /* Two active copies that outlast every job by 10 s are not a
       * hand-over: classify decides (a paused copy vmplace made is
       * removed; two running ones are refused). */
      if (!moving || vmp__now() - quiet > 10) {
        if (waited)
          vmp__virt_log(R->v, VMP_LOG_INFO, "%s: the job in flight ended after %.1f s", vm,
                        vmp__now() - start);
        return VMP_OK;
      }
    } else {
      quiet = 0;
    }
    if (!waited++)
      vmp__virt_log(R->v, VMP_LOG_INFO, "%s: waiting for a migration in flight between %s and %s",
                    vm, hs, ht);
    if (limit > 0 && vmp__now() - start > limit && (js || jt)) {
      if (!aborted) {
        aborted = 1;
        vmp__virt_log(R->v, VMP_LOG_WARN, "%s: aborting the job on %s after %g s", vm,
                      js ? hs : ht, limit);
        (void)virDomainAbortJob(js ? s->d : t->d);
      } else if (vmp__now() - start > limit + 60) {
        return vmp__error(VMP_EVIRT, "%s: a job on %s still runs a minute after it was aborted",
                          vm, js ? hs : ht);
      }
    }
    pause_briefly();
    dstate_free(s);
    dstate_free(t);
    if ((rc = probe(cs, hs, vm, s)) || (rc = probe(ct, ht, vm, t))) return rc;
  }
}

static int classify(run *R, size_t k, const dstate *s, const dstate *t, next *out) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *hs = HN(R, st->from), *ht = HN(R, st->to);
  if (!s->d && t->d && t->active) {
    *out = t->persistent ? FINISHED : MAKE_PERSISTENT;
    return VMP_OK;
  }
  if (s->d && s->active && !t->d) {
    *out = FRESH;
    return VMP_OK;
  }
  if (s->d && t->d) {
    if (!R->ours[k])
      return vmp__error(VMP_ESTATE, "%s is on both %s (%s) and %s (%s), and no journal record "
                                    "shows that vmplace made the copy on %s; resolve it by hand",
                        vm, hs, describe(s), ht, describe(t), ht);
    if (t->active && s->active && t->state != VIR_DOMAIN_PAUSED)
      return vmp__error(VMP_ESTATE, "%s runs on both %s and %s; resolve it by hand", vm, hs, ht);
    *out = t->active && !s->active ? FINISH_COLD : s->active ? UNDO_TARGET : RESTART_SOURCE;
    return VMP_OK;
  }
  if (!s->d && t->d) {
    if (!R->ours[k])
      return vmp__error(VMP_ESTATE, "%s is shut off on %s and absent from %s; resolve it by hand",
                        vm, ht, hs);
    *out = START_TARGET;
    return VMP_OK;
  }
  if (s->d)
    return vmp__error(VMP_ESTATE, "%s is shut off on %s; the plan moves running VMs", vm, hs);
  {
    char elsewhere[512];
    where_else(R, vm, st->from, st->to, elsewhere, sizeof elsewhere);
    if (elsewhere[0])
      return vmp__error(VMP_ESTATE, "%s is not on %s as the plan says: %s", vm, hs, elsewhere);
    return vmp__error(VMP_ESTATE, "%s exists on no host of the plan", vm);
  }
}

/* After a successful move: the target runs and is persistent, and nothing
 * of the VM is left on the source. */
static int settle(run *R, size_t k, virConnectPtr cs, virConnectPtr ct) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm];
  dstate s, t;
  int rc;
  if ((rc = probe(ct, HN(R, st->to), vm, &t))) return rc;
  if (!t.d || !t.active) {
    rc = vmp__error(VMP_EVIRT, "%s: %s does not run there after its migration", HN(R, st->to), vm);
  } else if (!t.persistent) {
    rc = lv_persist(ct, t.d, HN(R, st->to), vm);
  }
  dstate_free(&t);
  if (rc) return rc;
  if ((rc = probe(cs, HN(R, st->from), vm, &s))) return rc;
  /* The target runs and is persistent: the source may go now. */
  if (s.d) rc = lv_remove(&s, HN(R, st->from), vm);
  dstate_free(&s);
  return rc;
}

/* Cold move: define on the target, shut down on the source, start on the
 * target, then undefine on the source. */
static int cold(run *R, size_t k, virConnectPtr ct, dstate *s) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *hs = HN(R, st->from), *ht = HN(R, st->to);
  virDomainPtr t = NULL;
  failure f;
  char *xml = NULL;
  int rc, undo;
  if (!s->persistent)
    return vmp__error(VMP_ESTATE, "%s is transient on %s: shutting it down would lose it, so it "
                                  "can only move live", vm, hs);
  if ((rc = lv_xml(s->d, hs, vm, &xml))) return rc;
  if ((rc = begin(R, k, "cold"))) {
    free(xml);
    return rc;
  }
  rc = lv_define(ct, ht, vm, xml, &t);
  free(xml);
  if (rc) return rc;
  if ((rc = lv_shutdown(R, s->d, hs, vm))) {
    remember(&f, rc);
    undo = lv_undefine(t, ht, vm);
    virDomainFree(t);
    return fail_after_undo(&f, undo);
  }
  if ((rc = lv_start(t, ht, vm)) ||
      ((virDomainIsActive(t) != 1 || virDomainIsPersistent(t) != 1) &&
       (rc = vmp__error(VMP_EVIRT, "%s: %s started but is not running and persistent", ht, vm)))) {
    remember(&f, rc);
    undo = virDomainIsActive(t) == 1 ? lv_destroy(t, ht, vm) : VMP_OK;
    if (!undo) undo = lv_undefine(t, ht, vm);
    if (!undo) undo = lv_start(s->d, hs, vm);
    virDomainFree(t);
    return fail_after_undo(&f, undo);
  }
  virDomainFree(t);
  /* The target runs and is persistent: the source may go now. */
  if ((rc = lv_undefine(s->d, hs, vm)))
    return vmp__error_prefix(rc, "%s runs on %s, but its old definition on %s remains (a re-run "
                                 "removes it)", vm, ht, hs);
  return VMP_OK;
}

static int unsupported(int code) {
  return code == VIR_ERR_NO_SUPPORT || code == VIR_ERR_ARGUMENT_UNSUPPORTED ||
         code == VIR_ERR_OPERATION_UNSUPPORTED;
}

/* Aborts a live migration that outlives its time limit.  libvirt's
 * connections take calls from several threads, so the abort goes through
 * while the migrating thread waits in virDomainMigrateToURI3. */
typedef struct watchdog {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done, fired;
  double limit;
  virDomainPtr d;
} watchdog;

static void *watch(void *arg) {
  watchdog *w = arg;
  struct timespec until;
  double whole;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += (long)(modf(w->limit, &whole) * 1e9);
  until.tv_sec += (time_t)whole + until.tv_nsec / 1000000000L;
  until.tv_nsec %= 1000000000L;
  pthread_mutex_lock(&w->mu);
  while (!w->done)
    if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT) {
      if (!w->done) {
        w->fired = 1;
        (void)virDomainAbortJob(w->d);
      }
      break;
    }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* Live migration.  *nosup is set when the driver cannot do it at all, in
 * which case nothing happened. */
static int live(run *R, size_t k, dstate *s, int *nosup) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm];
  virTypedParameterPtr params = NULL;
  watchdog w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL};
  pthread_t tid;
  unsigned int flags = LIVE_FLAGS;
  int n = 0, max = 0, rc = VMP_OK, ok, watching = 0;
  *nosup = 0;
  const char *muri = R->pl->host_mig_uri[st->to], *listen = R->pl->host_mig_listen[st->to];
  /* The target's migration network (docs/libvirt.md, "Migration network"):
   * without it the target's libvirtd offers its hostname, which may not
   * resolve to the network meant for migrations. */
  if (R->pl->host_mig_tunnelled[st->to]) flags |= VIR_MIGRATE_TUNNELLED;
  if ((R->o->bandwidth_mibps &&
       virTypedParamsAddULLong(&params, &n, &max, VIR_MIGRATE_PARAM_BANDWIDTH,
                               R->o->bandwidth_mibps) < 0) ||
      (muri && virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI, muri) < 0) ||
      (listen && virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                         listen) < 0)) {
    virTypedParamsFree(params, n);
    return vmp__enomem();
  }
  if (migrate_limit(R) > 0) {
    w.limit = migrate_limit(R);
    w.d = s->d;
    watching = pthread_create(&tid, NULL, watch, &w) == 0;
    if (!watching) {
      virTypedParamsFree(params, n);
      return vmp__error(VMP_ENOMEM, "cannot start the migration time limit's thread");
    }
  }
  ok = virDomainMigrateToURI3(s->d, R->pl->host_uri[st->to], params, (unsigned int)n,
                              flags) == 0;
  if (!ok) {
    /* Read before the watchdog's abort call can reset this thread's
     * error: each thread has its own. */
    *nosup = unsupported(vmp__virt_errcode());
    rc = vmp__virt_fail(VMP_EVIRT, "live migration of %s from %s to %s", vm, HN(R, st->from),
                        HN(R, st->to));
  }
  if (watching) {
    pthread_mutex_lock(&w.mu);
    w.done = 1;
    pthread_cond_signal(&w.cv);
    pthread_mutex_unlock(&w.mu);
    pthread_join(tid, NULL);
    if (!ok && w.fired) {
      char why[1500];
      snprintf(why, sizeof why, "%s", vmp_last_error());
      rc = vmp__error(VMP_EVIRT, "%s (aborted: it did not finish within %g s)", why, w.limit);
    }
  }
  pthread_mutex_destroy(&w.mu);
  pthread_cond_destroy(&w.cv);
  virTypedParamsFree(params, n);
  return rc;
}

/* After a live migration failed: libvirt keeps the source running; a copy
 * it left on the target goes.  When the migration in fact completed, say
 * so (VMP_OK). */
static int after_failed_live(run *R, size_t k, virConnectPtr cs, virConnectPtr ct, failure *f) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm];
  dstate s = {0}, t = {0};
  int undo = VMP_OK;
  if (probe(cs, HN(R, st->from), vm, &s) || probe(ct, HN(R, st->to), vm, &t) ||
      wait_for_jobs(R, k, cs, ct, &s, &t)) {
    dstate_free(&s);
    dstate_free(&t);
    return fail_after_undo(f, VMP_EVIRT);
  }
  if (!s.d && t.d && t.active) {
    dstate_free(&t);
    return settle(R, k, cs, ct);
  }
  if (s.d && t.d) undo = lv_remove(&t, HN(R, st->to), vm);
  if (!undo && s.d && !s.active) undo = lv_start(s.d, HN(R, st->from), vm);
  dstate_free(&s);
  dstate_free(&t);
  return fail_after_undo(f, undo);
}

/* Whether the domain's metadata says it cannot move live
 * (<vmplace:live-migration>false</vmplace:live-migration>: a passthrough
 * device, local state...): *cold_only 1 or 0.  Read from the source's
 * libvirt when the step runs, as everything else about where and how the
 * VM is. */
static int metadata_cold_only(run *R, size_t k, const dstate *s, int *cold_only) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *hs = HN(R, st->from);
  vmp__domxml x;
  char where[512], *xml;
  int rc;
  *cold_only = 0;
  if (!(xml = virDomainGetXMLDesc(s->d, 0)))
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot read the definition of %s", hs, vm);
  snprintf(where, sizeof where, "%s: domain %s", hs, vm);
  memset(&x, 0, sizeof x);
  rc = vmp__domxml_parse(xml, where, &x);
  free(xml);
  if (rc == VMP_EPARSE) rc = vmp__error_prefix(VMP_ESTATE, "cannot tell how %s may move", vm);
  if (!rc) *cold_only = x.has_live_migration && !x.live_migration;
  vmp__domxml_free(&x);
  return rc;
}

static int refuse_cold_only(run *R, size_t k) {
  const vmp__pstep *st = &R->pl->steps[k];
  return vmp__error(VMP_ESTATE, "%s: the metadata of %s says it cannot move live "
                                "(<vmplace:live-migration>false); it can only move shut down "
                                "(allow a cold move)",
                    HN(R, st->from), R->pl->vm_name[st->vm]);
}

static int move_fresh(run *R, size_t k, virConnectPtr cs, virConnectPtr ct, dstate *s,
                      const char **method) {
  failure f;
  int rc, nosup, cold_only;
  *method = "live";
  if ((rc = metadata_cold_only(R, k, s, &cold_only))) return rc;
  if (cold_only) {
    *method = "cold";
    if (!R->o->allow_cold_move) return refuse_cold_only(R, k);
    return cold(R, k, ct, s);
  }
  if ((rc = begin(R, k, "live"))) return rc;
  if (!(rc = live(R, k, s, &nosup))) return settle(R, k, cs, ct);
  if (!nosup) {
    remember(&f, rc);
    return after_failed_live(R, k, cs, ct, &f);
  }
  if (!R->o->allow_cold_move) {
    remember(&f, rc);
    return vmp__error(VMP_EVIRT, "%s; it can only move shut down (allow a cold move)", f.msg);
  }
  *method = "cold";
  return cold(R, k, ct, s);
}

static int step_migrate(run *R, size_t k, int *state, const char **method, char *note,
                        size_t notelen) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *hs = HN(R, st->from), *ht = HN(R, st->to);
  virConnectPtr cs, ct;
  dstate s = {0}, t = {0};
  next what = FRESH;
  int rc;
  if ((rc = host_conn(R, st->from, &cs)) || (rc = host_conn(R, st->to, &ct))) return rc;
  if ((rc = probe(cs, hs, vm, &s)) || (rc = probe(ct, ht, vm, &t)) ||
      (!R->o->dry_run && (rc = wait_for_jobs(R, k, cs, ct, &s, &t))) ||
      (rc = classify(R, k, &s, &t, &what)))
    goto out;
  if (R->o->dry_run) {
    int cold_only = 0;
    static const char *const would[] = {
        "", "", "would make the copy on the target persistent",
        "would finish an interrupted cold move", "would remove the half-made copy on the target",
        "would restart the source and remove the copy on the target",
        "would start the copy on the target"};
    *state = what == FINISHED ? VMP_STEP_ALREADY : VMP_STEP_WOULD_RUN;
    *method = what == FRESH ? "live" : "";
    snprintf(note, notelen, "%s", what == FRESH && R->o->allow_cold_move
                                      ? "cold if the driver cannot migrate live"
                                      : would[what]);
    if (what == FRESH && (rc = metadata_cold_only(R, k, &s, &cold_only))) goto out;
    if (cold_only) {
      *method = "cold";
      if (!R->o->allow_cold_move) rc = refuse_cold_only(R, k);
      snprintf(note, notelen, "its metadata says it cannot move live");
    }
    goto out;
  }
  *state = VMP_STEP_ALREADY;
  switch (what) {
    case FINISHED:
      break;
    case MAKE_PERSISTENT:
      if (!(rc = begin(R, k, ""))) rc = lv_persist(ct, t.d, ht, vm);
      snprintf(note, notelen, "made the copy on %s persistent", ht);
      break;
    case FINISH_COLD:
      *method = "cold";
      if (!(rc = begin(R, k, "cold"))) rc = settle(R, k, cs, ct);
      snprintf(note, notelen, "finished an interrupted cold move");
      break;
    case START_TARGET:
      if (!(rc = begin(R, k, "cold")) && !(rc = lv_start(t.d, ht, vm))) rc = settle(R, k, cs, ct);
      snprintf(note, notelen, "started the copy an interrupted move left shut off on %s", ht);
      break;
    case RESTART_SOURCE:
    case UNDO_TARGET:
      if (!(rc = begin(R, k, "")) && what == RESTART_SOURCE) rc = lv_start(s.d, hs, vm);
      if (!rc) rc = lv_remove(&t, ht, vm);
      if (rc) break;
      *state = VMP_STEP_DONE;
      rc = move_fresh(R, k, cs, ct, &s, method);
      snprintf(note, notelen, "undid what an interrupted run left on %s first", ht);
      break;
    case FRESH:
      *state = VMP_STEP_DONE;
      rc = move_fresh(R, k, cs, ct, &s, method);
      break;
  }
out:
  dstate_free(&s);
  dstate_free(&t);
  return rc;
}

/* ---- start steps ------------------------------------------------------------------------ */

/* A definition of vm for a start step: a shut-off domain on another host of
 * the plan (*from set), or DIR/<vm>.xml. */
static int find_definition(run *R, size_t k, char **xml, uint32_t *from) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm];
  int rc;
  *xml = NULL;
  *from = UNSET;
  for (uint32_t h = 0; h < R->pl->nhosts; h++) {
    virConnectPtr c;
    dstate s;
    if (h == st->to || !R->pl->host_uri[h]) continue;
    if ((rc = host_conn(R, h, &c)) || (rc = probe(c, HN(R, h), vm, &s))) return rc;
    if (s.d && s.active) {
      dstate_free(&s);
      return vmp__error(VMP_ESTATE, "%s already runs on %s; the plan expected it to run nowhere",
                        vm, HN(R, h));
    }
    if (s.d && *from == UNSET) {
      rc = lv_xml(s.d, HN(R, h), vm, xml);
      *from = h;
    }
    dstate_free(&s);
    if (rc) return rc;
  }
  if (*xml || !R->o->domain_xml_dir) {
    if (!*xml)
      return vmp__error(VMP_ENOTFOUND, "no definition of %s: no host of the plan has one and no "
                                       "domain XML directory was given", vm);
    return VMP_OK;
  }
  {
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s.xml", R->o->domain_xml_dir, vm);
    if ((rc = vmp__read_file(path, xml, &len)))
      return vmp__error_prefix(VMP_ENOTFOUND, "no definition of %s", vm);
  }
  return VMP_OK;
}

static int start_from(run *R, size_t k, virConnectPtr ct, const char *xml, uint32_t from) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *ht = HN(R, st->to);
  virDomainPtr t = NULL;
  failure f;
  int rc, undo;
  if ((rc = begin(R, k, "start")) || (rc = lv_define(ct, ht, vm, xml, &t))) return rc;
  if ((rc = lv_start(t, ht, vm))) {
    /* The definition it came from is untouched: drop the new one. */
    remember(&f, rc);
    undo = lv_undefine(t, ht, vm);
    virDomainFree(t);
    return fail_after_undo(&f, undo);
  }
  virDomainFree(t);
  if (from != UNSET) {
    virConnectPtr c;
    dstate s;
    /* The new copy runs and is persistent: the old definition may go. */
    if ((rc = host_conn(R, from, &c)) || (rc = probe(c, HN(R, from), vm, &s))) return rc;
    if (s.d && !s.active) rc = lv_undefine(s.d, HN(R, from), vm);
    dstate_free(&s);
    if (rc)
      return vmp__error_prefix(rc, "%s runs on %s, but its old definition on %s remains", vm, ht,
                               HN(R, from));
  }
  return VMP_OK;
}

/* When a start step that an earlier run began has a running copy on its
 * target, the shut-off definition it was made from goes.  A running copy
 * elsewhere is a conflict nobody should resolve automatically. */
static int drop_other_copies(run *R, size_t k) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm];
  int rc = VMP_OK;
  if (!R->j.begun[k]) return VMP_OK;
  for (uint32_t h = 0; !rc && h < R->pl->nhosts; h++) {
    virConnectPtr c;
    dstate s;
    if (h == st->to || !R->pl->host_uri[h]) continue;
    if ((rc = host_conn(R, h, &c)) || (rc = probe(c, HN(R, h), vm, &s))) break;
    if (s.d && s.active)
      rc = vmp__error(VMP_ESTATE, "%s runs on both %s and %s; resolve it by hand", vm,
                      HN(R, st->to), HN(R, h));
    else if (s.d)
      rc = lv_undefine(s.d, HN(R, h), vm);
    dstate_free(&s);
  }
  return rc;
}

static int step_start(run *R, size_t k, int *state, const char **method, char *note,
                      size_t notelen) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *ht = HN(R, st->to);
  virConnectPtr ct;
  dstate t;
  char *xml = NULL;
  uint32_t from;
  int rc;
  *method = "start";
  if ((rc = host_conn(R, st->to, &ct)) || (rc = probe(ct, ht, vm, &t))) return rc;
  if (t.d && t.active) {
    *state = R->o->dry_run && R->j.begun[k] ? VMP_STEP_WOULD_RUN : VMP_STEP_ALREADY;
    if (!R->o->dry_run && !t.persistent && !(rc = begin(R, k, "start")))
      rc = lv_persist(ct, t.d, ht, vm);
    if (!rc && !R->o->dry_run) rc = drop_other_copies(R, k);
  } else if (t.d) {
    /* Shut off on the target: an interrupted start (or a definition placed
     * there beforehand); starting it is all that is left. */
    *state = R->o->dry_run ? VMP_STEP_WOULD_RUN : VMP_STEP_DONE;
    if (!R->o->dry_run && !(rc = begin(R, k, "start")) && !(rc = lv_start(t.d, ht, vm)))
      rc = drop_other_copies(R, k);
  } else if (!(rc = find_definition(R, k, &xml, &from))) {
    *state = R->o->dry_run ? VMP_STEP_WOULD_RUN : VMP_STEP_DONE;
    if (from != UNSET) snprintf(note, notelen, "definition taken from %s", HN(R, from));
    if (!R->o->dry_run) rc = start_from(R, k, ct, xml, from);
  }
  free(xml);
  dstate_free(&t);
  return rc;
}

/* ---- stop steps ------------------------------------------------------------------------- */

/* Shuts down a VM the target leaves unplaced; its definition stays where it
 * ran.  Found shut off there: already done (also what a run interrupted
 * after the shutdown leaves). */
static int step_stop(run *R, size_t k, int *state, const char **method) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *vm = R->pl->vm_name[st->vm], *hs = HN(R, st->from);
  virConnectPtr cs;
  dstate s;
  int rc;
  *method = "stop";
  if ((rc = host_conn(R, st->from, &cs)) || (rc = probe(cs, hs, vm, &s))) return rc;
  if (!s.d) {
    char elsewhere[512];
    where_else(R, vm, st->from, st->from, elsewhere, sizeof elsewhere);
    if (elsewhere[0])
      return vmp__error(VMP_ESTATE, "%s is not on %s as the plan says: %s", vm, hs, elsewhere);
    return vmp__error(VMP_ESTATE, "%s exists on no host of the plan", vm);
  }
  if (!s.active) {
    *state = VMP_STEP_ALREADY;
  } else if (!s.persistent) {
    rc = vmp__error(VMP_ESTATE, "%s is transient on %s: shutting it down would lose it, and a "
                                "stop step keeps the VM's definition", vm, hs);
  } else if (R->o->dry_run) {
    *state = VMP_STEP_WOULD_RUN;
  } else if (!(rc = begin(R, k, "stop"))) {
    *state = VMP_STEP_DONE;
    rc = lv_shutdown(R, s.d, hs, vm);
  }
  dstate_free(&s);
  return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

static int notify(run *R, size_t k, int state, const char *method, const char *message) {
  const vmp__pstep *st = &R->pl->steps[k];
  vmp_apply_event ev;
  if (!R->o->progress) return 0;
  memset(&ev, 0, sizeof ev);
  ev.version = VMP_APPLY_EVENT_VERSION;
  ev.step = k;
  ev.nsteps = R->pl->nsteps;
  ev.state = state;
  ev.vm = R->pl->vm_name[st->vm];
  ev.from = st->from == VMP__PLAN_NONE ? NULL : HN(R, st->from);
  ev.to = st->to == VMP__PLAN_NONE ? NULL : HN(R, st->to);
  ev.method = method ? method : "";
  ev.message = message ? message : "";
  return R->o->progress(&ev, R->o->progress_userdata);
}

/* Dry run: a VM moved by an earlier step would be where that step put it. */
static int simulated(run *R, size_t k) {
  const vmp__pstep *st = &R->pl->steps[k];
  if (R->sim[st->vm] == UNSET) return 0;
  vmp__report_set(R->rep, k, VMP_STEP_WOULD_RUN,
                  st->from == VMP__PLAN_NONE ? "start" : "live", "after an earlier step");
  return 1;
}

/* Runs step k.  Returns its error (the step is then FAILED) or VMP_OK;
 * journal failures are returned as VMP_EIO with *fatal set. */
static int run_step(run *R, size_t k, int *fatal) {
  const vmp__pstep *st = &R->pl->steps[k];
  const char *method = "";
  char note[512] = "";
  int state = VMP_STEP_DONE, rc, jrc;
  *fatal = 0;
  if (R->o->dry_run && simulated(R, k)) {
    R->sim[st->vm] = st->to;
    return VMP_OK;
  }
  switch (vmp__pstep_action(st)) {
    case VMP_ACTION_START: rc = step_start(R, k, &state, &method, note, sizeof note); break;
    case VMP_ACTION_STOP: rc = step_stop(R, k, &state, &method); break;
    default: rc = step_migrate(R, k, &state, &method, note, sizeof note); break;
  }
  if (rc) {
    char msg[2100];
    snprintf(msg, sizeof msg, "%s", vmp_last_error());
    vmp__report_set(R->rep, k, VMP_STEP_FAILED, method, msg);
    if (!R->o->dry_run && R->logged[k] &&
        (jrc = record(R, k, "failed", method, msg))) {
      *fatal = 1;
      return jrc;
    }
    return vmp__error(rc, "%s", msg);
  }
  if (R->o->dry_run) R->sim[st->vm] = st->to;
  if (vmp__report_set(R->rep, k, state, method, note)) return vmp__enomem();
  if (!R->o->dry_run &&
      (jrc = record(R, k, state == VMP_STEP_ALREADY ? "already" : "done", method, note))) {
    *fatal = 1;
    return jrc;
  }
  return VMP_OK;
}

/* The running domain named vm on host h, or NULL. */
static int running_on(run *R, uint32_t h, const char *vm, virDomainPtr *out) {
  virConnectPtr c;
  dstate s;
  int rc;
  *out = NULL;
  if (!R->pl->host_uri[h]) return VMP_OK;
  if ((rc = host_conn(R, h, &c)) || (rc = probe(c, HN(R, h), vm, &s))) return rc;
  if (s.d && s.active) {
    *out = s.d;
    return VMP_OK;
  }
  dstate_free(&s);
  return VMP_OK;
}

static int set_cpu_sched(run *R) {
  int rc;
  for (size_t e = 0; e < R->o->ncpu_sched; e++) {
    const vmp_cpu_sched *E = &R->o->cpu_sched[e];
    uint32_t pv = vmp__plan_find_vm(R->pl, E->vm), at = UNSET;
    virDomainPtr d = NULL;
    /* Where the plan put it first, then wherever it runs. */
    for (size_t k = 0; pv != VMP__PLAN_NONE && k < R->pl->nsteps; k++)
      if (R->pl->steps[k].vm == pv) at = R->pl->steps[k].to;
    if (at != UNSET && (rc = running_on(R, at, E->vm, &d))) return rc;
    for (uint32_t h = 0; !d && h < R->pl->nhosts; h++) {
      if (h == at) continue;
      if ((rc = running_on(R, h, E->vm, &d))) return rc;
      if (d) at = h;
    }
    if (!d) return vmp__error(VMP_ENOTFOUND, "cpu_sched: %s runs on no host of the plan", E->vm);
    rc = vmp__sched_apply(d, HN(R, at), E);
    virDomainFree(d);
    if (rc) return rc;
    R->rep->cpu_sched++;
  }
  return VMP_OK;
}

/* One wave's steps, shared by the threads that run them. */
typedef struct wave {
  run *R;
  size_t first, end, next;  /* steps [first, end); next to hand out */
  int *rc;                  /* [end - first] each step's outcome */
  int stop;                 /* a fatal error or the caller: no more steps */
  int stop_rc;
  char stop_msg[2100];
} wave;

/* Hands out the wave's next step (under R->mu), telling the caller it is
 * pending; SIZE_MAX when none is left or the wave stops. */
static size_t next_step(wave *W) {
  run *R = W->R;
  size_t k = SIZE_MAX;
  pthread_mutex_lock(&R->mu);
  if (!W->stop && W->next < W->end) {
    k = W->next++;
    if (notify(R, k, VMP_STEP_PENDING, "", "")) {
      W->stop = 1;
      W->stop_rc = vmp__error(VMP_ECANCELED, "stopped before step %zu (%s) by the caller",
                              k + 1, R->pl->vm_name[R->pl->steps[k].vm]);
      snprintf(W->stop_msg, sizeof W->stop_msg, "%s", vmp_last_error());
      k = SIZE_MAX;
    }
  }
  pthread_mutex_unlock(&R->mu);
  return k;
}

static void step_over(wave *W, size_t k, int rc, int fatal) {
  run *R = W->R;
  char msg[2100];
  snprintf(msg, sizeof msg, "%s", rc ? vmp_last_error() : "");
  pthread_mutex_lock(&R->mu);
  W->rc[k - W->first] = rc;
  if (fatal && !W->stop) {
    W->stop = 1;
    W->stop_rc = rc;
    snprintf(W->stop_msg, sizeof W->stop_msg, "%s", msg);
  } else if (!fatal &&
             notify(R, k, vmp_apply_report_state(R->rep, k), vmp_apply_report_method(R->rep, k),
                    vmp_apply_report_message(R->rep, k)) &&
             !W->stop) {
    W->stop = 1;
    W->stop_rc = vmp__error(VMP_ECANCELED, "stopped after step %zu (%s) by the caller", k + 1,
                            R->pl->vm_name[R->pl->steps[k].vm]);
    snprintf(W->stop_msg, sizeof W->stop_msg, "%s", vmp_last_error());
  }
  pthread_mutex_unlock(&R->mu);
}

static void *wave_worker(void *arg) {
  wave *W = arg;
  size_t k;
  while ((k = next_step(W)) != SIZE_MAX) {
    int fatal, rc = run_step(W->R, k, &fatal);
    step_over(W, k, rc, fatal);
  }
  return NULL;
}

/* Runs the steps [first, end) of one wave: one after another, or in up to
 * opts.parallel threads.  Every step of a wave was checked with the whole
 * wave in flight and at most max_concurrent per host, so any subset of
 * them may run at once. */
static void run_wave(wave *W) {
  const run *R = W->R;
  size_t n = W->end - W->first, threads = R->o->parallel > 1 && !R->o->dry_run ? R->o->parallel : 1;
  pthread_t tid[64];
  size_t started = 0;
  if (threads > n) threads = n;
  if (threads > sizeof tid / sizeof tid[0]) threads = sizeof tid / sizeof tid[0];
  /* The calling thread runs steps too; when a thread cannot be started,
   * fewer run at once. */
  while (started + 1 < threads && pthread_create(&tid[started], NULL, wave_worker, W) == 0)
    started++;
  wave_worker(W);
  for (size_t t = 0; t < started; t++) pthread_join(tid[t], NULL);
}

static int run_all(run *R) {
  int first_rc = VMP_OK, *rcs = calloc(R->pl->nsteps + 1, sizeof *rcs);
  char first_msg[2100] = "";
  if (!rcs) return vmp__enomem();
  for (size_t first = 0, end; first < R->pl->nsteps && !first_rc; first = end) {
    wave W;
    for (end = first + 1; end < R->pl->nsteps && R->pl->steps[end].wave == R->pl->steps[first].wave;)
      end++;
    memset(&W, 0, sizeof W);
    W.R = R;
    W.first = W.next = first;
    W.end = end;
    W.rc = rcs + first;
    run_wave(&W);
    if (W.stop) {
      free(rcs);
      return vmp__error(W.stop_rc, "%s", W.stop_msg);
    }
    /* The first failure in plan order, whichever thread met it first; the
     * rest of the wave ran (its steps do not depend on each other), later
     * waves do not (they may need the room the failed step was to free). */
    for (size_t k = first; k < end && !first_rc; k++) {
      const vmp__pstep *st = &R->pl->steps[k];
      if (!rcs[k]) continue;
      first_rc = rcs[k];
      if (st->to == VMP__PLAN_NONE)
        snprintf(first_msg, sizeof first_msg, "step %zu (stop %s on %s): %s", k + 1,
                 R->pl->vm_name[st->vm], HN(R, st->from), vmp_apply_report_message(R->rep, k));
      else
        snprintf(first_msg, sizeof first_msg, "step %zu (%s %s -> %s): %s", k + 1,
                 R->pl->vm_name[st->vm],
                 st->from == VMP__PLAN_NONE ? "(new)" : HN(R, st->from), HN(R, st->to),
                 vmp_apply_report_message(R->rep, k));
    }
  }
  free(rcs);
  if (first_rc) return vmp__error(first_rc, "%s", first_msg);
  if (R->o->ncpu_sched && !R->o->dry_run) return set_cpu_sched(R);
  return VMP_OK;
}

static int check_opts(const vmp_apply_opts *o) {
  if (!(o->shutdown_timeout >= 0))
    return vmp__error(VMP_EINVAL, "apply options: shutdown_timeout must be >= 0");
  if (!(o->migrate_timeout >= 0) || o->migrate_timeout > 1e9)
    return vmp__error(VMP_EINVAL, "apply options: migrate_timeout must be 0..1e9 seconds");
  if (o->ncpu_sched && !o->cpu_sched)
    return vmp__error(VMP_EINVAL, "apply options: cpu_sched is NULL but ncpu_sched is %zu",
                      o->ncpu_sched);
  return vmp__sched_check(o->cpu_sched, o->ncpu_sched);
}

int vmp_virt_apply(vmp_virt *v, const vmp_plan *pl, const vmp_apply_opts *opts,
                   vmp_apply_report **out) {
  vmp_apply_opts loaded;
  run R;
  int rc;
  if (out) *out = NULL;
  if (!v || !pl) return vmp__error(VMP_EINVAL, "session or plan is NULL");
  if ((rc = vmp__virt_load_apply_opts(&loaded, opts)) || (rc = check_opts(&loaded)))
    return rc;
  opts = &loaded;
  memset(&R, 0, sizeof R);
  pthread_mutex_init(&R.mu, NULL);
  R.v = v;
  R.pl = pl;
  R.o = opts;
  R.conn = calloc(pl->nhosts + 1, sizeof *R.conn);
  R.ours = calloc(pl->nsteps + 1, 1);
  R.logged = calloc(pl->nsteps + 1, 1);
  R.sim = malloc((pl->nvms + 1) * sizeof *R.sim);
  if (!R.conn || !R.ours || !R.logged || !R.sim) {
    rc = vmp__enomem();
    goto out;
  }
  for (size_t k = 0; k < pl->nvms; k++) R.sim[k] = UNSET;
  if ((rc = vmp__journal_open(&R.j, opts->journal, pl, !opts->dry_run))) goto out;
  memcpy(R.ours, R.j.begun, pl->nsteps);
  /* Every host a step touches must answer before anything changes. */
  for (size_t k = 0; k < pl->nsteps && !rc; k++) {
    virConnectPtr c;
    if (pl->steps[k].from != VMP__PLAN_NONE) rc = host_conn(&R, pl->steps[k].from, &c);
    if (!rc && pl->steps[k].to != VMP__PLAN_NONE) rc = host_conn(&R, pl->steps[k].to, &c);
  }
  if (rc || (rc = vmp__report_new(pl, &R.rep))) goto out;
  rc = run_all(&R);
  if (out && (rc == VMP_OK || rc == VMP_EVIRT || rc == VMP_ESTATE || rc == VMP_ENOTFOUND ||
              rc == VMP_ECANCELED)) {
    *out = R.rep;
    R.rep = NULL;
  }
out:
  vmp__journal_close(&R.j);
  vmp_apply_report_free(R.rep);
  VMP__FREE_ALL(R.conn, R.ours, R.logged, R.sim);
  pthread_mutex_destroy(&R.mu);
  return rc;
}
