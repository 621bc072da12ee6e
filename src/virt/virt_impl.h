/*
 * The libvirt adapter's internals (src/virt/): the session with its
 * connection cache, libvirt error conversion, logging, and domain XML
 * reading.  Only built with VMPLACE_WITH_LIBVIRT.
 */
#ifndef VMP_VIRT_IMPL_H
#define VMP_VIRT_IMPL_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "internal.h"
#include "vmplace/virt.h"

/* vmplace's XML namespace for domain <metadata> (docs/libvirt.md). */
#define VMP__XMLNS "https://vmplace.org/xmlns/1.0"
#define VMP__XMLNS_PREFIX "vmplace"

typedef struct vmp__conn {
  char *uri;
  virConnectPtr c;
} vmp__conn;

struct vmp_virt {
  vmp_virt_opts opts;
  vmp__conn *conns;
  size_t nconns, conns_cap;
};

/* The open connection to uri, opened on first use and kept for the
 * session's life.  VMP_OK, VMP_EVIRT, VMP_ENOMEM. */
int vmp__virt_conn(vmp_virt *v, const char *uri, virConnectPtr *out);

/* Fails with code and "<formatted>: <libvirt's last error on this
 * thread>".  Read right after the failing call: the next libvirt call
 * resets the error. */
int vmp__virt_fail(int code, const char *fmt, ...) VMP__PRINTF(2, 3);
/* libvirt's last error code on this thread (a virErrorNumber), 0 when
 * none. */
int vmp__virt_errcode(void);
/* Logs through the session's callback. */
void vmp__virt_log(const vmp_virt *v, int level, const char *fmt, ...) VMP__PRINTF(3, 4);

/* ---- domain XML (domxml.c) ------------------------------------------------------ */

typedef struct vmp__kv {
  char *key, *value;
} vmp__kv;

typedef struct vmp__group_ref {
  char *name;
  int policy;             /* VMP_AFFINITY / VMP_ANTI_AFFINITY */
  int hard;
  char *scope;            /* "host" or a label key */
  double weight;
} vmp__group_ref;

/* What a domain's XML says that vmplace uses. */
typedef struct vmp__domxml {
  char **disks;           /* target devs of disks (device disk or lun) */
  size_t ndisks;
  /* vmplace metadata */
  vmp__kv *labels;
  size_t nlabels;
  vmp__kv *demands;       /* resource -> number text, checked later */
  size_t ndemands;
  char **allowed;
  size_t nallowed;
  vmp__group_ref *groups;
  size_t ngroups;
  int has_priority, has_migration_cost, has_pinned, has_live_migration;
  int32_t priority;
  double migration_cost;
  int pinned;
  int live_migration;     /* <live-migration>false: it moves only cold */
} vmp__domxml;

/* Parses a domain's XML.  Messages start with `where` ("h1: domain web-1").
 * VMP_OK, VMP_EPARSE, VMP_ENOMEM. */
int vmp__domxml_parse(const char *xml, const char *where, vmp__domxml *out);
void vmp__domxml_free(vmp__domxml *d);

/* Silences libxml2's generic error output on this thread while libvirt
 * parses something (a missing test:/// file makes libxml2 print an I/O
 * warning on stderr); the saved handler is restored by _end. */
typedef struct vmp__xml_quiet {
  void (*func)(void *, const char *, ...);
  void *ctx;
} vmp__xml_quiet;
void vmp__xml_quiet_begin(vmp__xml_quiet *q);
void vmp__xml_quiet_end(const vmp__xml_quiet *q);

#endif /* VMP_VIRT_IMPL_H */

/* ---- the apply journal (journal.c) -------------------------------------------------- */

/* One JSON object per line: a header naming the plan, then one record per
 * step event ("begin", "done", "already", "failed"), each written with a
 * single write() and fsync'd before the step goes on. */
typedef struct vmp__journal {
  int fd;                 /* -1: not writing */
  uint8_t *begun;         /* [nsteps] an earlier run began the step */
  uint8_t *finished;      /* [nsteps] an earlier run recorded done/already */
  size_t nsteps;
  char plan_id[17];
} vmp__journal;

/* Reads the journal at path if it exists (it must belong to this plan),
 * and opens it for appending when `write` (creating it, header first).
 * path NULL: an empty journal that records nothing.  VMP_OK, VMP_ESTATE
 * (another plan's journal), VMP_EPARSE (damaged), VMP_EIO, VMP_ENOMEM. */
int vmp__journal_open(vmp__journal *j, const char *path, const vmp_plan *pl, int write);
/* Appends one record; message may be NULL.  VMP_OK or VMP_EIO. */
int vmp__journal_record(vmp__journal *j, size_t step, const char *vm, const char *event,
                        const char *method, const char *message);
void vmp__journal_close(vmp__journal *j);

/* ---- CPU scheduler parameters (sched.c) --------------------------------------------- */

/* Sets one entry's values on a domain (live and persistent config).
 * VMP_OK, VMP_EVIRT. */
int vmp__sched_apply(virDomainPtr d, const char *host, const vmp_cpu_sched *e);
/* Checks entries (names present, vcpu_quota >= -1).  VMP_OK or VMP_EINVAL. */
int vmp__sched_check(const vmp_cpu_sched *entries, size_t n);
