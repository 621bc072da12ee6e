/*
 * Sessions: options, the connection cache, libvirt error conversion and
 * logging.
 *
 * Why a process-wide handler: libvirt reports a failure to open a
 * connection through its process-wide error handler only, and the default
 * one prints to stderr.  vmp_virt_new installs a silent one once per
 * process (unless told not to); it is the one piece of process-wide state
 * vmplace touches, it holds no data, and every message still reaches the
 * caller through vmp_last_error() because errors are read from libvirt's
 * per-thread last error.  Each connection also gets a silent handler of
 * its own.
 */
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_report.h"
#include "virt_impl.h"

static void silent_virt(void *userdata, virErrorPtr err) {
  (void)userdata;
  (void)err;
}

static pthread_once_t silence_once = PTHREAD_ONCE_INIT;

static void silence_libvirt(void) {
  /* virInitialize is idempotent; it makes the first use thread-safe. */
  (void)virInitialize();
  virSetErrorFunc(NULL, silent_virt);
}

static void silent_xml(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

void vmp__xml_quiet_begin(vmp__xml_quiet *q) {
  /* libxml2's generic error handler is per thread. */
  q->func = xmlGenericError;
  q->ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(NULL, silent_xml);
}

void vmp__xml_quiet_end(const vmp__xml_quiet *q) { xmlSetGenericErrorFunc(q->ctx, q->func); }

int vmp__virt_fail(int code, const char *fmt, ...) {
  char what[1024];
  virErrorPtr e = virGetLastError();
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return vmp__error(code, "%s: %s", what,
                    e && e->message ? e->message : "libvirt gave no reason");
}

int vmp__virt_errcode(void) {
  virErrorPtr e = virGetLastError();
  return e ? e->code : 0;
}

void vmp__virt_log(const vmp_virt *v, int level, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  if (!v->opts.log || level > v->opts.log_level) return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  v->opts.log(level, msg, v->opts.log_userdata);
}

int vmp_virt_new(const vmp_virt_opts *opts, vmp_virt **out) {
  vmp_virt *v;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!(v = calloc(1, sizeof *v))) return vmp__enomem();
  if ((rc = vmp__virt_load_opts(&v->opts, opts))) {
    free(v);
    return rc;
  }
  if (!v->opts.keep_error_handler) pthread_once(&silence_once, silence_libvirt);
  *out = v;
  return VMP_OK;
}

void vmp_virt_free(vmp_virt *v) {
  if (!v) return;
  for (size_t k = 0; k < v->nconns; k++) {
    virConnectClose(v->conns[k].c);
    free(v->conns[k].uri);
  }
  free(v->conns);
  free(v);
}

int vmp__virt_conn(vmp_virt *v, const char *uri, virConnectPtr *out) {
  vmp__xml_quiet q;
  virConnectPtr c;
  char *copy;
  *out = NULL;
  for (size_t k = 0; k < v->nconns; k++)
    if (!strcmp(v->conns[k].uri, uri)) {
      *out = v->conns[k].c;
      return VMP_OK;
    }
  if (vmp__grow(&v->conns, &v->conns_cap, v->nconns + 1, sizeof *v->conns) ||
      !(copy = vmp__strdup(uri)))
    return vmp__enomem();
  /* No authentication callback: a library must not prompt.  Remote URIs
   * rely on SSH keys, TLS certificates or the local socket's rights. */
  vmp__xml_quiet_begin(&q);
  c = virConnectOpen(uri);
  vmp__xml_quiet_end(&q);
  if (!c) {
    free(copy);
    return vmp__virt_fail(VMP_EVIRT, "cannot connect to %s", uri);
  }
  virConnSetErrorFunc(c, NULL, silent_virt);
  v->conns[v->nconns].uri = copy;
  v->conns[v->nconns].c = c;
  v->nconns++;
  *out = c;
  return VMP_OK;
}

int vmp_virt_connect(vmp_virt *v, const char *uri) {
  virConnectPtr c;
  if (!v || !uri || !uri[0]) return vmp__error(VMP_EINVAL, "session or uri is NULL or empty");
  return vmp__virt_conn(v, uri, &c);
}
