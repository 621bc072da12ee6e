/*
 * What the engine's entry points share between their files.
 */
#ifndef VMP_ENGINE_H
#define VMP_ENGINE_H

#include "internal.h"

/* vmp__opts_load (src/util/opts.h) for vmp_solve_opts: dst receives the
 * defaults and the fields of the caller's src (NULL: defaults only);
 * VMP_EINVAL for a version this library does not know. */
int vmp__engine_load_solve_opts(vmp_solve_opts *dst, const vmp_solve_opts *src);

#endif /* VMP_ENGINE_H */
