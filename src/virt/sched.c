/*
 * CPU scheduler parameters (cpu_shares, vcpu_quota, vcpu_period) through
 * virDomainSetSchedulerParametersFlags, live and in the persistent
 * configuration so that they survive a restart and travel with the
 * domain's definition.
 */
#include <stdlib.h>
#include <string.h>

#include "problem_impl.h"
#include "virt_impl.h"

int vmp__sched_apply(virDomainPtr d, const char *host, const vmp_cpu_sched *e) {
  virTypedParameterPtr params = NULL;
  int n = 0, max = 0, bad = 0, rc = VMP_OK;
  unsigned int flags = VIR_DOMAIN_AFFECT_LIVE;
  /* VIR_DOMAIN_AFFECT_CONFIG as well when there is a definition, so that
   * the values survive a restart and travel with the definition. */
  if (e->cpu_shares)
    bad |= virTypedParamsAddULLong(&params, &n, &max, VIR_DOMAIN_SCHEDULER_CPU_SHARES,
                                   e->cpu_shares) < 0;
  if (e->vcpu_quota)
    bad |= virTypedParamsAddLLong(&params, &n, &max, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA,
                                  e->vcpu_quota) < 0;
  if (e->vcpu_period)
    bad |= virTypedParamsAddULLong(&params, &n, &max, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD,
                                   e->vcpu_period) < 0;
  if (bad) {
    virTypedParamsFree(params, n);
    return vmp__enomem();
  }
  if (!n) return VMP_OK;
  if (virDomainIsPersistent(d) == 1) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  /* Drivers that refuse the flags (the persistent definition, or even an
   * explicit "live") still get the values for the running domain:
   * VIR_DOMAIN_AFFECT_CURRENT is the live state of a running domain. */
  {
    const unsigned int ladder[] = {flags, VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CURRENT};
    size_t k = flags == VIR_DOMAIN_AFFECT_LIVE ? 1 : 0;
    for (; k < 3; k++) {
      if (virDomainSetSchedulerParametersFlags(d, params, n, ladder[k]) == 0) break;
      if (vmp__virt_errcode() != VIR_ERR_INVALID_ARG || k == 2) {
        rc = vmp__virt_fail(VMP_EVIRT, "%s: %s: cannot set CPU scheduler parameters", host, e->vm);
        break;
      }
    }
  }
  virTypedParamsFree(params, n);
  return rc;
}

int vmp__sched_check(const vmp_cpu_sched *entries, size_t n) {
  for (size_t k = 0; k < n; k++) {
    if (!entries[k].vm || !entries[k].vm[0])
      return vmp__error(VMP_EINVAL, "cpu_sched[%zu]: no VM name", k);
    if (entries[k].vcpu_quota < -1)
      return vmp__error(VMP_EINVAL, "cpu_sched[%zu] (%s): vcpu_quota must be -1 (no limit), 0 "
                                    "(unchanged) or positive, got %lld",
                        k, entries[k].vm, (long long)entries[k].vcpu_quota);
  }
  return VMP_OK;
}

/* The running domain named vm on host h of p, or NULL (no error) when it
 * does not run there. */
static int lookup_running(vmp_virt *v, const vmp_problem *p, size_t h, const char *vm,
                          virDomainPtr *out) {
  const char *uri = vmp_problem_host_uri(p, h);
  virConnectPtr c;
  virDomainPtr d;
  int rc;
  *out = NULL;
  if (!uri) return VMP_OK;
  if ((rc = vmp__virt_conn(v, uri, &c))) return rc;
  if (!(d = virDomainLookupByName(c, vm))) {
    if (vmp__virt_errcode() == VIR_ERR_NO_DOMAIN) return VMP_OK;
    return vmp__virt_fail(VMP_EVIRT, "%s: cannot look up %s", vmp_problem_host_name(p, h), vm);
  }
  if (virDomainIsActive(d) != 1) {
    virDomainFree(d);
    return VMP_OK;
  }
  *out = d;
  return VMP_OK;
}

int vmp_virt_set_cpu_sched(vmp_virt *v, const vmp_problem *p, const vmp_cpu_sched *entries,
                           size_t n) {
  int rc;
  if (!v || !p || (!entries && n)) return vmp__error(VMP_EINVAL, "session, problem or entries is NULL");
  if ((rc = vmp__sched_check(entries, n))) return rc;
  for (size_t k = 0; k < n; k++) {
    const char *vm = entries[k].vm;
    virDomainPtr d = NULL;
    size_t idx, at = VMP_NONE;
    if (!vmp_problem_find_vm(p, vm, &idx) && vmp_problem_vm_host(p, idx) != VMP_NONE) {
      at = vmp_problem_vm_host(p, idx);
      if ((rc = lookup_running(v, p, at, vm, &d))) return rc;
    }
    for (size_t h = 0; !d && h < vmp_problem_num_hosts(p); h++) {
      if (h == at) continue;
      if ((rc = lookup_running(v, p, h, vm, &d))) return rc;
      if (d) at = h;
    }
    if (!d) return vmp__error(VMP_ENOTFOUND, "cpu_sched: %s runs on no host of the problem", vm);
    rc = vmp__sched_apply(d, vmp_problem_host_name(p, at), &entries[k]);
    virDomainFree(d);
    if (rc) return rc;
  }
  return VMP_OK;
}
