/* The wrapped libvirt calls (virt_wrap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virt/virt_impl.h"
#include "virt_wrap.h"

vw_state vw;

void vw_reset(vmp_virt *session) {
  memset(&vw, 0, sizeof vw);
  vw.session = session;
}

virDomainPtr __real_virDomainDefineXML(virConnectPtr c, const char *xml);
int __real_virDomainCreate(virDomainPtr d);
int __real_virDomainShutdown(virDomainPtr d);
int __real_virDomainDestroy(virDomainPtr d);
int __real_virDomainUndefineFlags(virDomainPtr d, unsigned int flags);
int __real_virDomainMigrateToURI3(virDomainPtr d, const char *uri, virTypedParameterPtr params,
                                  unsigned int n, unsigned int flags);
int __real_virDomainSetSchedulerParametersFlags(virDomainPtr d, virTypedParameterPtr params,
                                                int n, unsigned int flags);

virDomainPtr __wrap_virDomainDefineXML(virConnectPtr c, const char *xml);
int __wrap_virDomainCreate(virDomainPtr d);
int __wrap_virDomainShutdown(virDomainPtr d);
int __wrap_virDomainDestroy(virDomainPtr d);
int __wrap_virDomainUndefineFlags(virDomainPtr d, unsigned int flags);
int __wrap_virDomainMigrateToURI3(virDomainPtr d, const char *uri, virTypedParameterPtr params,
                                  unsigned int n, unsigned int flags);
int __wrap_virDomainSetSchedulerParametersFlags(virDomainPtr d, virTypedParameterPtr params,
                                                int n, unsigned int flags);

static int injected(void) {
  vw.calls++;
  return (vw.fail_at && vw.calls == vw.fail_at) || (vw.crash_at && vw.calls >= vw.crash_at);
}

/* Leaves a libvirt error on this thread, as a failing call would.  Not a
 * "no such domain" (vmplace takes that from a clean-up call as nothing left
 * to clean): looking up a network that is not there. */
static void raise_error(virConnectPtr c) {
  virNetworkPtr n = virNetworkLookupByName(c, "vmplace-injected-fault");
  if (n) virNetworkFree(n);
}

virDomainPtr __wrap_virDomainDefineXML(virConnectPtr c, const char *xml) {
  if (injected()) {
    raise_error(c);
    return NULL;
  }
  return __real_virDomainDefineXML(c, xml);
}

#define DOMAIN_WRAP(name, call)                    \
  int __wrap_##name(virDomainPtr d) {              \
    if (injected()) {                              \
      raise_error(virDomainGetConnect(d));         \
      return -1;                                   \
    }                                              \
    return call;                                   \
  }

DOMAIN_WRAP(virDomainCreate, __real_virDomainCreate(d))
DOMAIN_WRAP(virDomainShutdown, __real_virDomainShutdown(d))
DOMAIN_WRAP(virDomainDestroy, __real_virDomainDestroy(d))

int __wrap_virDomainUndefineFlags(virDomainPtr d, unsigned int flags) {
  if (injected()) {
    raise_error(virDomainGetConnect(d));
    return -1;
  }
  return __real_virDomainUndefineFlags(d, flags);
}

/* What a peer-to-peer live migration does, done on the test driver: the
 * target gets a running persistent copy, the source loses its domain. */
static int emulate(virDomainPtr d, const char *uri) {
  virConnectPtr dc;
  virDomainPtr t;
  char *xml;
  if (vmp__virt_conn(vw.session, uri, &dc)) return -1;
  xml = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (!xml) return -1;
  t = __real_virDomainDefineXML(dc, xml);
  free(xml);
  if (!t || __real_virDomainCreate(t) < 0) return -1;
  if (vw.migrate_half) {
    /* A migration that broke off: a paused incoming copy stays behind. */
    virDomainSuspend(t);
    virDomainFree(t);
    raise_error(dc);
    return -1;
  }
  virDomainFree(t);
  if (__real_virDomainDestroy(d) < 0 || __real_virDomainUndefineFlags(d, 0) < 0) return -1;
  return 0;
}

int __wrap_virDomainMigrateToURI3(virDomainPtr d, const char *uri, virTypedParameterPtr params,
                                  unsigned int n, unsigned int flags) {
  if (injected()) {
    raise_error(virDomainGetConnect(d));
    return -1;
  }
  if (!vw.emulate_migrate) return __real_virDomainMigrateToURI3(d, uri, params, n, flags);
  if (vw.migrations < 8) {
    const char *s = NULL;
    int k = vw.migrations;
    vw.flags_of[k] = flags;
    if (virTypedParamsGetString(params, (int)n, VIR_MIGRATE_PARAM_URI, &s) == 1)
      snprintf(vw.uri_of[k], sizeof vw.uri_of[k], "%s", s);
    if (virTypedParamsGetString(params, (int)n, VIR_MIGRATE_PARAM_LISTEN_ADDRESS, &s) == 1)
      snprintf(vw.listen_of[k], sizeof vw.listen_of[k], "%s", s);
  }
  vw.migrations++;
  vw.migrate_flags = flags;
  vw.migrate_bandwidth = 0;
  virTypedParamsGetULLong(params, (int)n, VIR_MIGRATE_PARAM_BANDWIDTH, &vw.migrate_bandwidth);
  return emulate(d, uri);
}

int __wrap_virDomainSetSchedulerParametersFlags(virDomainPtr d, virTypedParameterPtr params,
                                                int n, unsigned int flags) {
  vw_sched_call *c;
  if (injected()) {
    raise_error(virDomainGetConnect(d));
    return -1;
  }
  if (!vw.record_sched || vw.nsched == 16)
    return __real_virDomainSetSchedulerParametersFlags(d, params, n, flags);
  c = &vw.sched[vw.nsched++];
  memset(c, 0, sizeof *c);
  snprintf(c->vm, sizeof c->vm, "%s", virDomainGetName(d));
  c->flags = flags;
  c->has_shares = virTypedParamsGetULLong(params, n, VIR_DOMAIN_SCHEDULER_CPU_SHARES, &c->shares) == 1;
  c->has_quota = virTypedParamsGetLLong(params, n, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA, &c->quota) == 1;
  c->has_period = virTypedParamsGetULLong(params, n, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, &c->period) == 1;
  return 0;
}
