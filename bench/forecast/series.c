/*
 * The usage series generator (series.h).  Its own small random number
 * generator keeps the series identical across platforms and versions.
 */
#include <math.h>

#include "series.h"

typedef struct rng {
  uint64_t s;
} rng;

/* splitmix64: tiny, fast, and good enough for test data */
static uint64_t next(rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static double unit(rng *r) { return (double)(next(r) >> 11) * (1.0 / 9007199254740992.0); }

static double uniform(rng *r, double lo, double hi) { return lo + (hi - lo) * unit(r); }

/* Standard normal by Box-Muller (one of the pair is enough here). */
static double normal(rng *r) {
  double u = unit(r), v = unit(r);
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

void vmpb_series_opts_init(vmpb_series_opts *o, uint64_t seed) {
  rng r = {seed * 0x2545f4914f6cdd1dULL + 1};
  o->seed = seed;
  o->start = 1711929600; /* 2024-04-01T00:00:00Z, a Monday */
  o->step = 3600;
  o->n = 35 * 24;
  o->base = uniform(&r, 2, 20);
  o->trend = uniform(&r, -0.01, 0.03);
  o->daily = uniform(&r, 0.4, 1.6);
  o->weekend = uniform(&r, 0.3, 0.7);
  o->noise = uniform(&r, 0.04, 0.12);
  o->persistence = uniform(&r, 0.3, 0.8);
  o->spike_rate = 0.002;
  o->spike_size = 1.5;
}

/* The business-day profile at a time of day (0..1): a smooth bump that
 * peaks at 14:00 UTC and is about 8 hours wide — not a sum of a few
 * sinusoids, so no model matches it exactly. */
static double profile(double day_frac) {
  double x = cos(6.283185307179586 * (day_frac - 14.0 / 24.0));
  return (exp(3.0 * x) - exp(-3.0)) / (exp(3.0) - exp(-3.0));
}

void vmpb_series_generate(const vmpb_series_opts *o, double *out) {
  rng r = {o->seed ^ 0x6a09e667f3bcc909ULL};
  double ar = 0;
  size_t spike_left = 0;
  double spike = 0;
  for (size_t i = 0; i < o->n; i++) {
    int64_t t = o->start + (int64_t)i * o->step;
    int64_t tod = ((t % 86400) + 86400) % 86400;
    /* day of the week, 0 = Monday (1970-01-01 was a Thursday) */
    int64_t dow = ((t / 86400) % 7 + 7 + 3) % 7;
    double days = (double)(t - o->start) / 86400.0;
    double weekday = dow >= 5 ? o->weekend : 1.0;
    double level = o->base * (1.0 + o->trend * days);
    double v = level * (1.0 + o->daily * weekday * profile((double)tod / 86400.0));
    ar = o->persistence * ar + sqrt(1 - o->persistence * o->persistence) * normal(&r);
    v += o->base * o->noise * ar;
    if (!spike_left && unit(&r) < o->spike_rate) {
      spike_left = 1 + (size_t)(unit(&r) * 3);
      spike = o->base * o->spike_size * uniform(&r, 0.5, 1.5);
    }
    if (spike_left) {
      v += spike;
      spike_left--;
    }
    out[i] = v > 0 ? v : 0;
  }
}
