/*
 * The libvirt adapter's entry points in a build without libvirt: they
 * exist, so that programs and bindings link against every build alike, and
 * say VMP_ENOTSUP.  vmp_has_feature("libvirt") tells the builds apart.
 */
#include "internal.h"

#ifndef VMPLACE_WITH_LIBVIRT

#include "vmplace/virt.h"

static int no_libvirt(void) {
  return vmp__error(VMP_ENOTSUP, "this build of vmplace has no libvirt adapter "
                                 "(configure with -DVMPLACE_WITH_LIBVIRT=ON)");
}

int vmp_virt_new(const vmp_virt_opts *opts, vmp_virt **out) {
  (void)opts;
  if (out) *out = NULL;
  return no_libvirt();
}

void vmp_virt_free(vmp_virt *v) { (void)v; }

int vmp_virt_connect(vmp_virt *v, const char *uri) {
  (void)v;
  (void)uri;
  return no_libvirt();
}

int vmp_virt_snapshot(vmp_virt *v, const vmp_problem *inventory, uint32_t flags,
                      vmp_problem **out) {
  (void)v;
  (void)inventory;
  (void)flags;
  if (out) *out = NULL;
  return no_libvirt();
}

int vmp_virt_set_cpu_sched(vmp_virt *v, const vmp_problem *p, const vmp_cpu_sched *entries,
                           size_t n) {
  (void)v;
  (void)p;
  (void)entries;
  (void)n;
  return no_libvirt();
}

int vmp_virt_apply(vmp_virt *v, const vmp_plan *plan, const vmp_apply_opts *opts,
                   vmp_apply_report **out) {
  (void)v;
  (void)plan;
  (void)opts;
  if (out) *out = NULL;
  return no_libvirt();
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int vmp__virt_stub_unused;

#endif
