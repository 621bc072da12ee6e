/*
 * libFuzzer target: the usage history readers (CSV and JSON), and on
 * success what reads a history: the forecast, its JSON, right-sizing,
 * utilisation from usage and from the forecast, alerts and the metrics.
 * Any input must give either a result or a clean error, never a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmplace/vmplace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char PROBLEM[] =
    "{\"version\":1,\"resources\":[\"cpu\",\"mem\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":8,\"mem\":64}},"
    "{\"name\":\"h2\",\"capacity\":{\"cpu\":0,\"mem\":64}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":2,\"mem\":8},\"host\":\"h1\"},"
    "{\"name\":\"b\",\"demand\":{\"cpu\":1,\"mem\":8},\"host\":\"h2\"},"
    "{\"name\":\"c\",\"demand\":{\"cpu\":1,\"mem\":8}}]}";

/* Keeps each run small: the fuzzer looks for crashes, not for slow inputs
 * it made large on purpose. */
static int small(const vmp_history *h) {
  size_t total = 0;
  for (size_t k = 0; k < vmp_history_num_series(h); k++) {
    int64_t step = vmp_history_series_step(h, k);
    if (step > 0 && step < 60) return 0;
    total += vmp_history_series_len(h, k);
  }
  return vmp_history_num_series(h) <= 32 && total <= 4000;
}

static void use_utilization(vmp_utilization *u) {
  vmp_alerts *a = NULL;
  char *text = NULL;
  if (vmp_utilization_alerts(u, NULL, &a) == 0) {
    if (vmp_utilization_to_prometheus(u, a, &text) == 0) vmp_free(text);
    text = NULL;
    if (vmp_alerts_to_json(a, &text) == 0) vmp_free(text);
  }
  vmp_alerts_free(a);
  vmp_utilization_free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vmp_history *h = NULL;
  vmp_problem *p = NULL, *q = NULL;
  vmp_forecast *f = NULL;
  vmp_utilization *u = NULL;
  vmp_forecast_opts o;
  char *text = NULL;
  if (vmp_history_parse((const char *)data, size, VMP_HISTORY_AUTO, "fuzz", &h)) return 0;
  if (!small(h)) {
    vmp_history_free(h);
    return 0;
  }
  if (vmp_problem_parse(PROBLEM, sizeof PROBLEM - 1, VMP_FORMAT_JSON, "p", &p)) abort();
  if (vmp_utilization_from_history(p, NULL, h, 0, &u) == 0) use_utilization(u);
  vmp_forecast_opts_init(&o, VMP_FORECAST_OPTS_VERSION);
  o.horizon = 6 * 3600;
  o.min_samples = 8;
  o.min_span = 3600;
  if (vmp_history_forecast(h, &o, &f) == 0) {
    if (vmp_forecast_to_json(f, &text) == 0) vmp_free(text);
    if (vmp_forecast_rightsize(f, p, VMP_RIGHTSIZE_IGNORE_UNKNOWN, &q) == 0) vmp_problem_free(q);
    if (vmp_utilization_from_forecast(p, NULL, f, 0, &u) == 0) use_utilization(u);
  }
  vmp_forecast_free(f);
  vmp_problem_free(p);
  vmp_history_free(h);
  return 0;
}
