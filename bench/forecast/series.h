/*
 * Generated usage series for the forecasting benchmark: a daily
 * business-hours profile, a quieter weekend, a trend, persistent noise and
 * occasional spikes.  Same options, same series.
 */
#ifndef VMPB_SERIES_H
#define VMPB_SERIES_H

#include <stddef.h>
#include <stdint.h>

typedef struct vmpb_series_opts {
  uint64_t seed;
  int64_t start;       /* Unix seconds of the first sample */
  int64_t step;        /* seconds between samples */
  size_t n;            /* samples */
  double base;         /* level at the start, overnight on a weekday */
  double trend;        /* change of the level per day, as a share of base */
  double daily;        /* height of the afternoon peak, as a share of base */
  double weekend;      /* share of the daily peak left on Saturday and Sunday */
  double noise;        /* standard deviation of the noise, share of base */
  double persistence;  /* AR(1) coefficient of the noise, in [0, 1) */
  double spike_rate;   /* chance per sample that a spike starts */
  double spike_size;   /* mean spike height, share of base */
} vmpb_series_opts;

/* Realistic defaults for one series, varied by seed: base 2..20, trend
 * -1%..+3% a day, afternoon peak +40%..+160%, weekend at 30%..70%, noise
 * 4%..12% with persistence 0.3..0.8, spikes 0.2% of samples at +150%.
 * Hourly samples from 2024-04-01 (a Monday), 35 days. */
void vmpb_series_opts_init(vmpb_series_opts *o, uint64_t seed);

/* Fills out[0..o->n) with the series; values are never below 0. */
void vmpb_series_generate(const vmpb_series_opts *o, double *out);

#endif /* VMPB_SERIES_H */
