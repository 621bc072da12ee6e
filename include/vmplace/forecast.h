/*
 * vmplace — demand forecasting.
 *
 * vmp_history_forecast fits one least-squares model per series of a
 * history (vmplace/history.h) — trend, daily and weekly Fourier terms,
 * recent lags — and predicts a quantile of the demand over a horizon;
 * where the history is too short or the model predicts worse than the
 * observed peak, the series falls back to its peak and says why.
 * vmp_forecast_rightsize turns the forecasts into a problem whose demands
 * are the forecasts.
 *
 * Build: the forecasting functions need OpenBLAS and LAPACKE.  In a build
 * without them (VMPLACE_WITH_FORECAST=OFF; vmp_has_feature("forecast") is
 * 0) every function still exists, so that programs and bindings link
 * against either build: vmp_history_forecast fails with VMP_ENOTSUP.
 *
 * Thread-safety: forecasts are immutable.  The least-squares fits run on
 * the calling thread with OpenBLAS limited to one thread
 * (docs/threading.md).
 */
#ifndef VMPLACE_FORECAST_H
#define VMPLACE_FORECAST_H

#include "common.h"
#include "problem.h"
#include "history.h"

VMP_BEGIN_DECLS

/* ==== forecasting ========================================================= */

/** Opaque, immutable set of forecasts: one per series of a history. */
typedef struct vmp_forecast vmp_forecast;

/** How a series was forecast. */
typedef enum vmp_forecast_model {
  /** Least squares: trend, daily and weekly Fourier terms, lags; the
   * quantile comes from the residuals. */
  VMP_FORECAST_REGRESSION = 0,
  /** The observed peak of the history, for every step of the horizon: the
   * history was too short or the model predicted worse (see the reason). */
  VMP_FORECAST_PEAK = 1
} vmp_forecast_model;

#define VMP_FORECAST_OPTS_VERSION (1 + VMP__NEXT_VERSION)

/**
 * Options of a forecast.  Initialise with VMP_FORECAST_OPTS_INIT or
 * vmp_forecast_opts_init; fields are only ever appended.
 */
typedef struct vmp_forecast_opts {
  uint32_t version;           /**< VMP_FORECAST_OPTS_VERSION */
  double horizon;             /**< seconds ahead to predict (> 0);
                                   default 86400 */
  double quantile;            /**< in (0, 1); default 0.95 */
  uint32_t daily_harmonics;   /**< Fourier pairs of the daily cycle, 0..24;
                                   default 4 */
  uint32_t weekly_harmonics;  /**< Fourier pairs of the weekly cycle, 0..24;
                                   default 3 */
  uint32_t lags;              /**< previous steps as regressors, 0..48;
                                   default 2 */
  int32_t trend;              /**< nonzero: a linear trend; default 1 */
  int32_t trend_daily;        /**< nonzero (and trend): the daily cycle's
                                   terms may grow or shrink linearly with
                                   time too, as when usage grows by a
                                   share at every hour; from 2 weeks of
                                   history; default 1 */
  uint32_t min_samples;       /**< fewer samples fall back to the peak
                                   (>= 2); default 24 */
  double min_span;            /**< seconds; a shorter history falls back to
                                   the peak; default 86400 */
  double min_r2;              /**< a fit whose R^2 is lower falls back to
                                   the peak; default 0 (off) */
  int32_t validate;           /**< nonzero: refit without recent parts of
                                   the history (up to 3 windows of the
                                   horizon) and fall back to the peak when
                                   the model predicts them worse than the
                                   peak does; default 1 */
  VMP__NEXT_FIELD
} vmp_forecast_opts;

#define VMP_FORECAST_OPTS_INIT \
  { VMP_FORECAST_OPTS_VERSION, 86400.0, 0.95, 4, 3, 2, 1, 1, 24, 86400.0, 0.0, 1 }

/**
 * Fills opts with the defaults of the version the caller was compiled
 * against (the same values as VMP_FORECAST_OPTS_INIT) and writes nothing past that
 * version's fields.  For callers that cannot use the macro (bindings).
 *
 * @param opts     the struct to fill.
 * @param version  VMP_FORECAST_OPTS_VERSION.
 * @return VMP_OK; VMP_EINVAL when opts is NULL or this library does not
 *         know the version (opts is then not touched).
 */
VMP_API int vmp_forecast_opts_init(vmp_forecast_opts *opts, uint32_t version);

/**
 * Forecasts every series of a history (docs/forecast.md: the model, the
 * fallback rules, the quantile).
 *
 * A series that cannot be modelled is not an error: it falls back to its
 * peak, and vmp_forecast_series_reason says why.
 *
 * @param h     the history (only read).
 * @param opts  options; NULL means defaults.
 * @param out   receives the forecasts (caller owns; vmp_forecast_free);
 *              NULL on failure.
 * @return VMP_OK; VMP_EINVAL (bad options), VMP_ERANGE (the horizon needs
 *         more than 10^6 steps of some series), VMP_ENOTSUP (a build without
 *         forecasting), VMP_ENOMEM.
 */
VMP_API int vmp_history_forecast(const vmp_history *h,
                                 const vmp_forecast_opts *opts,
                                 vmp_forecast **out);

/** Frees forecasts.  Accepts NULL. */
VMP_API void vmp_forecast_free(vmp_forecast *f);

/** The quantile the forecasts predict. */
VMP_API double vmp_forecast_quantile(const vmp_forecast *f);
/** The horizon, in seconds. */
VMP_API double vmp_forecast_horizon(const vmp_forecast *f);
/** Number of series (those of the history, in its order). */
VMP_API size_t vmp_forecast_num_series(const vmp_forecast *f);
/** Looks up the forecast of a VM and resource.
 * @return VMP_OK or VMP_ENOTFOUND. */
VMP_API int vmp_forecast_find(const vmp_forecast *f, const char *vm,
                              const char *resource, size_t *k);
/** VM of series k, or NULL.  Borrowed (lives with f). */
VMP_API const char *vmp_forecast_series_vm(const vmp_forecast *f, size_t k);
/** Resource of series k, or NULL.  Borrowed (lives with f). */
VMP_API const char *vmp_forecast_series_resource(const vmp_forecast *f,
                                                 size_t k);
/** The demand to reserve over the horizon: the highest predicted quantile
 * of its steps (>= 0).  NaN when out of range. */
VMP_API double vmp_forecast_series_value(const vmp_forecast *f, size_t k);
/** The model of series k (a vmp_forecast_model), or -1. */
VMP_API int vmp_forecast_series_model(const vmp_forecast *f, size_t k);
/** "regression" or "peak"; "unknown" otherwise.  Static. */
VMP_API const char *vmp_forecast_model_name(int model);
/** Why series k fell back to its peak ("short history: 5 samples over 4h,
 * need 24 samples over 1d"); "" for a regression; NULL when out of range.
 * Borrowed (lives with f). */
VMP_API const char *vmp_forecast_series_reason(const vmp_forecast *f,
                                               size_t k);
/** Coefficient of determination of the fit on the whole history; NaN when
 * no model was fitted. */
VMP_API double vmp_forecast_series_r2(const vmp_forecast *f, size_t k);
/** Number of history samples of series k. */
VMP_API size_t vmp_forecast_series_samples(const vmp_forecast *f, size_t k);
/** The series' step in seconds (see vmp_history_series_step); for a
 * series of one sample, the horizon. */
VMP_API int64_t vmp_forecast_series_step(const vmp_forecast *f, size_t k);
/** Number of predicted points: one per step from the last sample to the
 * end of the horizon. */
VMP_API size_t vmp_forecast_series_num_points(const vmp_forecast *f,
                                              size_t k);
/**
 * The i-th predicted point of series k: its time and the predicted
 * quantile.  Either out-parameter may be NULL.
 * @return VMP_OK or VMP_EINVAL.
 */
VMP_API int vmp_forecast_series_point_at(const vmp_forecast *f, size_t k,
                                         size_t i, int64_t *timestamp,
                                         double *value);
/** Number of model terms of series k (0 for the peak). */
VMP_API size_t vmp_forecast_series_num_terms(const vmp_forecast *f,
                                             size_t k);
/**
 * The j-th term of series k's model and its coefficient, in the series'
 * units: "intercept" (the level at the last sample), "trend" (per day),
 * "daily_sinN" / "daily_cosN", "weekly_sinN" / "weekly_cosN" (the N-th
 * harmonic, at the last sample), "trend_daily_sinN" / "trend_daily_cosN"
 * (the change per day of the daily harmonic's coefficient), "lagN" (the
 * value N steps earlier).  Where the terms are
 * collinear the coefficients are the minimum-norm solution.
 * @param name  receives the name (borrowed, lives with f); may be NULL.
 * @param coef  receives the coefficient; may be NULL.
 * @return VMP_OK or VMP_EINVAL.
 */
VMP_API int vmp_forecast_series_term_at(const vmp_forecast *f, size_t k,
                                        size_t j, const char **name,
                                        double *coef);
/** Numerical rank of series k's design matrix (at most its number of
 * terms; lower when terms are collinear); 0 for the peak. */
VMP_API size_t vmp_forecast_series_rank(const vmp_forecast *f, size_t k);

/**
 * The forecasts as JSON: {"quantile", "horizon_s", "forecasts": [{"vm",
 * "resource", "value", "model", "fit_r2", "reason", "samples", "step_s",
 * "points": [{"timestamp", "value"}, ...]}]}; fit_r2 and reason are null
 * where they do not apply, timestamps are Unix seconds.
 *
 * @param out  receives the text (caller owns; vmp_free).
 * @return VMP_OK, VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_forecast_to_json(const vmp_forecast *f, char **out);

/* vmp_forecast_rightsize flags (one bit each, or-ed into a uint32_t). */
/** Skip forecasts of VMs and resources p does not have. */
#define VMP_RIGHTSIZE_IGNORE_UNKNOWN (1u << 0)

/**
 * A copy of a problem whose demands are the forecasts (right-sizing): for
 * every forecast series, the VM's demand of the resource becomes the
 * forecast value.  Demands without a forecast keep their value.
 *
 * @param f      the forecasts.
 * @param p      the problem (only read).
 * @param flags  0 or VMP_RIGHTSIZE_IGNORE_UNKNOWN.
 * @param out    receives the copy (caller owns; vmp_problem_free); NULL on
 *               failure.
 * @return VMP_OK; VMP_ENOTFOUND (a forecast names a VM or resource p does
 *         not have, and the flag is not given: the message names it),
 *         VMP_EINVAL, VMP_ENOMEM.
 */
VMP_API int vmp_forecast_rightsize(const vmp_forecast *f,
                                   const vmp_problem *p, uint32_t flags,
                                   vmp_problem **out);

/* ---- names of 0.1, deprecated: they go in 0.3 -------------------------------
 * Define VMP_NO_DEPRECATED to check that a program uses none of them. */
#ifndef VMP_NO_DEPRECATED
#  define vmp_forecast_series_point vmp_forecast_series_point_at
#  define vmp_forecast_series_term vmp_forecast_series_term_at
/* Histories, utilisation and alerts were declared here in 0.1. */
#  include "utilization.h"
/* vmp_forecast_opts_init(&opts), 0.1's one-argument call: (&opts,
 * VMP_FORECAST_OPTS_VERSION). */
#  define vmp_forecast_opts_init(...) \
    VMP__OPTS_INIT_COMPAT(vmp_forecast_opts_init, VMP_FORECAST_OPTS_VERSION, \
                          __VA_ARGS__)
#endif /* VMP_NO_DEPRECATED */

VMP_END_DECLS

#endif /* VMPLACE_FORECAST_H */
