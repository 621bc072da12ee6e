/* Host utilisation and alerts: thresholds per resource, sustained windows,
 * how observed usage adds up, and the Prometheus text exposition, checked
 * line by line against the format. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- a checker of the Prometheus text exposition format (0.0.4) ------------ */

static int name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
static int name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

/* Reads a metric (colons allowed) or label name at *p. */
static int read_name(const char **p, char *out, size_t size, int colons) {
  size_t n = 0;
  if (!name_start(**p) || (!colons && **p == ':')) return -1;
  while (name_char(**p) && (colons || **p != ':')) {
    if (n + 1 >= size) return -1;
    out[n++] = *(*p)++;
  }
  out[n] = '\0';
  return 0;
}

static int is_value(const char *s, size_t n) {
  char buf[64], *end;
  if ((n == 4 && !memcmp(s, "+Inf", 4)) || (n == 4 && !memcmp(s, "-Inf", 4)) ||
      (n == 3 && !memcmp(s, "NaN", 3)))
    return 1;
  if (!n || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  strtod(buf, &end);
  return *end == '\0';
}

typedef struct family {
  char name[128];
  int help, type, samples, closed;
} family;

/* NULL when text is well formed; else a static message naming the line.
 * Beyond the grammar it requires what node_exporter's textfile collector
 * and our contract require: HELP and TYPE for every family before its
 * samples, families not interleaved, no duplicate series, no timestamps. */
static const char *check_exposition(const char *text) {
  static char msg[512];
  family fam[64];
  size_t nfam = 0, line = 0;
  char *seen = calloc(1, strlen(text) + 1); /* "\n"-joined series keys */
  size_t seen_len = 0;
  const char *p = text, *err = NULL;
  int last = -1;
  if (!*text || text[strlen(text) - 1] != '\n') {
    free(seen);
    return "the text does not end with a line feed";
  }
  memset(fam, 0, sizeof fam);
  while (*p && !err) {
    const char *eol = strchr(p, '\n'), *q;
    char name[128], key[1024];
    size_t f, klen = 0;
    line++;
    if (!strncmp(p, "# HELP ", 7) || !strncmp(p, "# TYPE ", 7)) {
      int help = p[2] == 'H';
      q = p + 7;
      if (read_name(&q, name, sizeof name, 1) || *q != ' ') {
        err = "bad metric name in HELP/TYPE";
        break;
      }
      q++;
      for (f = 0; f < nfam && strcmp(fam[f].name, name); f++) continue;
      if (f == nfam) {
        snprintf(fam[nfam++].name, sizeof fam[0].name, "%s", name);
      }
      if (help) {
        if (fam[f].help++) err = "second HELP for a family";
        for (const char *c = q; c < eol && !err; c++)
          if (*c == '\\' && c[1] != '\\' && c[1] != 'n') err = "bad escape in HELP";
          else if (*c == '\\') c++;
      } else {
        if (fam[f].type++) err = "second TYPE for a family";
        if (fam[f].samples) err = "TYPE after samples";
        if (strncmp(q, "gauge", (size_t)(eol - q)) && strncmp(q, "counter", (size_t)(eol - q)) &&
            strncmp(q, "untyped", (size_t)(eol - q)))
          err = "unknown TYPE";
      }
    } else if (*p == '#') {
      /* other comments are allowed */
    } else {
      q = p;
      if (read_name(&q, name, sizeof name, 1)) {
        err = "a sample line does not start with a metric name";
        break;
      }
      for (f = 0; f < nfam && strcmp(fam[f].name, name); f++) continue;
      if (f == nfam || !fam[f].help || !fam[f].type) {
        err = "a sample before its HELP and TYPE";
        break;
      }
      if (fam[f].closed) {
        err = "families interleave";
        break;
      }
      if (last >= 0 && (size_t)last != f) fam[last].closed = 1;
      last = (int)f;
      fam[f].samples++;
      klen = (size_t)snprintf(key, sizeof key, "%s", name);
      if (*q == '{') {
        q++;
        while (*q != '}' && !err) {
          char lname[128];
          if (read_name(&q, lname, sizeof lname, 0) || *q != '=' || q[1] != '"') {
            err = "bad label";
            break;
          }
          klen += (size_t)snprintf(key + klen, sizeof key - klen, ",%s=", lname);
          q += 2;
          while (*q != '"' && !err) {
            if (*q == '\n' || !*q) err = "unterminated label value";
            else if (*q == '\\' && q[1] != '\\' && q[1] != '"' && q[1] != 'n')
              err = "bad escape in a label value";
            else if (*q == '\\') key[klen++ % sizeof key] = *q++;
            if (!err) key[klen++ % sizeof key] = *q++;
          }
          if (err) break;
          q++;
          if (*q == ',') q++;
          else if (*q != '}') err = "expected , or } after a label";
        }
        if (err) break;
        q++;
      }
      if (*q != ' ') {
        err = "expected a space before the value";
        break;
      }
      q++;
      if (!is_value(q, (size_t)(eol - q))) {
        err = "bad value (or a timestamp)";
        break;
      }
      key[klen < sizeof key ? klen : sizeof key - 1] = '\0';
      {
        /* duplicate series */
        const char *s = seen;
        size_t kl = strlen(key);
        while (s < seen + seen_len) {
          size_t n = strlen(s);
          if (n == kl && !memcmp(s, key, kl)) err = "duplicate series";
          s += n + 1;
        }
        memcpy(seen + seen_len, key, kl + 1);
        seen_len += kl + 1;
      }
    }
    p = eol + 1;
  }
  free(seen);
  if (!err)
    for (size_t f = 0; f < nfam && !err; f++)
      if (!fam[f].help || !fam[f].type) err = "a family without HELP or TYPE";
  if (!err) return NULL;
  snprintf(msg, sizeof msg, "line %zu: %s", line, err);
  return msg;
}

static void test_alerts__the_format_checker_itself(void **state) {
  (void)state;
  assert_null(check_exposition("# HELP m x\n# TYPE m gauge\nm{a=\"1\\\"\\n\\\\\"} 1\nm 2\n"));
  assert_non_null(check_exposition("m 1\n"));
  assert_non_null(check_exposition("# HELP m x\nm 1\n"));
  assert_non_null(check_exposition("# HELP m x\n# TYPE m gauge\nm{a=\"\\t\"} 1\n"));
  assert_non_null(check_exposition("# HELP m x\n# TYPE m gauge\nm{a=\"1\"} one\n"));
  assert_non_null(check_exposition("# HELP m x\n# TYPE m gauge\nm 1 1714521600\n"));
  assert_non_null(check_exposition("# HELP m x\n# TYPE m gauge\nm 1\nm 2\n"));
  assert_non_null(check_exposition("# HELP m x\n# TYPE m gauge\n# HELP n y\n# TYPE n gauge\n"
                                   "m 1\nn 1\nm{a=\"b\"} 1\n"));
  assert_non_null(check_exposition("# HELP m x\n# TYPE m gauge\nm 1"));
}

/* ---- placements -------------------------------------------------------------- */

static const char *PLACED =
    "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":10,\"memory_mib\":100}},"
    "{\"name\":\"h2\",\"capacity\":{\"cpu\":10,\"memory_mib\":100}},"
    "{\"name\":\"h3\",\"capacity\":{\"cpu\":10,\"memory_mib\":100}},"
    "{\"name\":\"h4\",\"capacity\":{\"cpu\":10,\"memory_mib\":100},\"maintenance\":true},"
    "{\"name\":\"rack \\\"7\\\"\\\\ab\",\"capacity\":{\"cpu\":10,\"memory_mib\":100}}],"
    "\"vms\":[{\"name\":\"v1\",\"demand\":{\"cpu\":8.5,\"memory_mib\":10},\"host\":\"h1\"},"
    "{\"name\":\"v2\",\"demand\":{\"cpu\":9.6,\"memory_mib\":50},\"host\":\"h2\"},"
    "{\"name\":\"v4\",\"demand\":{\"cpu\":1,\"memory_mib\":30},\"host\":\"h4\"},"
    "{\"name\":\"v5\",\"demand\":{\"cpu\":5,\"memory_mib\":85},"
    "\"host\":\"rack \\\"7\\\"\\\\ab\"},"
    "{\"name\":\"v6\",\"demand\":{\"cpu\":50,\"memory_mib\":1}}]}";

static void expect_alert(const vmp_alerts *a, size_t k, const char *host,
                         const char *resource, int kind, int severity, double threshold,
                         double value) {
  const vmp_alert *al = vmp_alerts_alert_at(a, k);
  assert_non_null(al);
  assert_string_equal(al->host, host);
  assert_string_equal(al->resource, resource);
  assert_int_equal(al->kind, kind);
  assert_int_equal(al->severity, severity);
  assert_true(al->threshold == threshold);
  assert_true(fabs(al->value - value) < 1e-12);
}

static void test_alerts__placement_thresholds(void **state) {
  vmp_problem *p = tu_problem_json(PLACED);
  vmp_utilization *u;
  vmp_alerts *a;
  vmp_alert_opts o = VMP_ALERT_OPTS_INIT;
  vmp_alert_threshold mem = {"memory_mib", 0.8, 0.9, NAN};
  (void)state;
  assert_int_equal(vmp_utilization_from_placement(p, NULL, &u), VMP_OK);
  assert_int_equal(vmp_utilization_source(u), VMP_UTILIZATION_PLACEMENT);
  assert_int_equal(vmp_utilization_num_times(u), 1);
  assert_int_equal(vmp_utilization_num_hosts(u), 5);
  assert_true(vmp_utilization_ratio(u, 0, 0, 0) == 0.85);
  assert_true(vmp_utilization_load(u, 1, 0, 0) == 9.6);
  assert_true(vmp_utilization_capacity(u, 1, 1) == 100);
  assert_int_equal(vmp_utilization_host_num_vms(u, 2), 0);
  assert_true(isnan(vmp_utilization_ratio(u, 5, 0, 0)));
  /* defaults: 80% / 95%, underload 20% */
  assert_int_equal(vmp_utilization_alerts(u, NULL, &a), VMP_OK);
  assert_int_equal(vmp_alerts_num_alerts(a), 4);
  expect_alert(a, 0, "h2", "cpu", VMP_ALERT_OVERLOAD, VMP_SEVERITY_CRITICAL, 0.95, 0.96);
  expect_alert(a, 1, "h1", "cpu", VMP_ALERT_OVERLOAD, VMP_SEVERITY_WARNING, 0.8, 0.85);
  expect_alert(a, 2, "rack \"7\"\\ab", "memory_mib", VMP_ALERT_OVERLOAD,
               VMP_SEVERITY_WARNING, 0.8, 0.85);
  /* h1's memory is underloaded; h3 runs nothing and h4 is in maintenance */
  expect_alert(a, 3, "h1", "memory_mib", VMP_ALERT_UNDERLOAD, VMP_SEVERITY_INFO, 0.2, 0.1);
  assert_int_equal(vmp_alerts_max_severity(a), VMP_SEVERITY_CRITICAL);
  assert_null(vmp_alerts_alert_at(a, 4));
  vmp_alerts_free(a);
  /* per resource: memory 80% / 90%, with a higher general warning line */
  o.warning = 0.9;
  o.underload = -1;
  o.resources = &mem;
  o.num_resources = 1;
  assert_int_equal(vmp_utilization_alerts(u, &o, &a), VMP_OK);
  assert_int_equal(vmp_alerts_num_alerts(a), 2);
  expect_alert(a, 0, "h2", "cpu", VMP_ALERT_OVERLOAD, VMP_SEVERITY_CRITICAL, 0.95, 0.96);
  expect_alert(a, 1, "rack \"7\"\\ab", "memory_mib", VMP_ALERT_OVERLOAD,
               VMP_SEVERITY_WARNING, 0.8, 0.85);
  vmp_alerts_free(a);
  /* the same under an explicit placement that empties h2 */
  {
    size_t where[5] = {0, 2, 3, 4, VMP_NONE};
    vmp_solution *s;
    vmp_utilization *u2;
    assert_int_equal(vmp_evaluate(p, where, &s), VMP_OK);
    assert_int_equal(vmp_utilization_from_placement(p, s, &u2), VMP_OK);
    assert_true(vmp_utilization_ratio(u2, 1, 0, 0) == 0);
    assert_true(vmp_utilization_ratio(u2, 2, 0, 0) == 0.96);
    vmp_utilization_free(u2);
    vmp_solution_free(s);
  }
  vmp_utilization_free(u);
  vmp_problem_free(p);
}

static void test_alerts__bad_thresholds(void **state) {
  vmp_problem *p = tu_problem_json(PLACED);
  vmp_utilization *u;
  vmp_alerts *a = (vmp_alerts *)1;
  vmp_alert_opts o;
  vmp_alert_threshold t = {"gpu", NAN, NAN, NAN};
  (void)state;
  assert_int_equal(vmp_utilization_from_placement(p, NULL, &u), VMP_OK);
  vmp_alert_opts_init(&o, VMP_ALERT_OPTS_VERSION);
  o.warning = 0.97;
  tu_assert_error(vmp_utilization_alerts(u, &o, &a), VMP_EINVAL,
                  "warning threshold 0.97 is above the critical 0.95");
  assert_null(a);
  vmp_alert_opts_init(&o, VMP_ALERT_OPTS_VERSION);
  o.critical = 0;
  tu_assert_error(vmp_utilization_alerts(u, &o, &a), VMP_EINVAL,
                  "critical threshold: expected a ratio in (0, 10], got 0");
  vmp_alert_opts_init(&o, VMP_ALERT_OPTS_VERSION);
  o.underload = 0.8;
  tu_assert_error(vmp_utilization_alerts(u, &o, &a), VMP_EINVAL,
                  "underload threshold: expected a ratio below the warning 0.8");
  vmp_alert_opts_init(&o, VMP_ALERT_OPTS_VERSION);
  o.window = -1;
  tu_assert_error(vmp_utilization_alerts(u, &o, &a), VMP_EINVAL, "window");
  vmp_alert_opts_init(&o, VMP_ALERT_OPTS_VERSION);
  o.resources = &t;
  o.num_resources = 1;
  tu_assert_error(vmp_utilization_alerts(u, &o, &a), VMP_ENOTFOUND,
                  "alert thresholds: unknown resource \"gpu\"");
  t.resource = "cpu";
  t.critical = 0.5;
  tu_assert_error(vmp_utilization_alerts(u, &o, &a), VMP_EINVAL,
                  "cpu: warning threshold 0.8 is above the critical 0.5");
  vmp_utilization_free(u);
  vmp_problem_free(p);
}

/* ---- observed usage ---------------------------------------------------------------- */

#define T0 1714521600LL

static const char *PAIR =
    "{\"version\":1,\"resources\":[\"cpu\",\"memory_mib\"],"
    "\"hosts\":[{\"name\":\"h1\",\"capacity\":{\"cpu\":10,\"memory_mib\":100}}],"
    "\"vms\":[{\"name\":\"a\",\"demand\":{\"cpu\":4,\"memory_mib\":10},\"host\":\"h1\"},"
    "{\"name\":\"b\",\"demand\":{\"cpu\":4,\"memory_mib\":10},\"host\":\"h1\"},"
    "{\"name\":\"c\",\"demand\":{\"cpu\":4,\"memory_mib\":10}}]}";

/* a: 12 samples 5 minutes apart; b: 1 cpu, 7 s later, one sample missing
 * and one at 2; `skip` leaves out every series' sample k (-1: none). */
static vmp_history *usage(const double *a, int skip) {
  vmp_history *h = NULL;
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  for (int k = 0; k < 12; k++) {
    if (k == skip) continue;
    assert_int_equal(vmp_history_add(h, "a", "cpu", T0 + 300 * k, a[k]), 0);
    if (k != 5) assert_int_equal(vmp_history_add(h, "b", "cpu", T0 + 300 * k + 7, k == 4 ? 2 : 1), 0);
  }
  assert_int_equal(vmp_history_add(h, "ghost", "cpu", T0, 1), 0);
  assert_int_equal(vmp_history_add(h, "a", "gpu", T0, 1), 0);
  assert_int_equal(vmp_history_add(h, "c", "cpu", T0, 1), 0);
  return h;
}

static void test_alerts__observed_usage_adds_up(void **state) {
  static const double a[12] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
  vmp_problem *p = tu_problem_json(PAIR);
  vmp_history *h = usage(a, -1);
  vmp_utilization *u;
  (void)state;
  assert_int_equal(vmp_utilization_from_history(p, NULL, h, 0, &u), VMP_OK);
  assert_int_equal(vmp_utilization_source(u), VMP_UTILIZATION_OBSERVED);
  assert_int_equal(vmp_utilization_step(u), 300);
  assert_int_equal(vmp_utilization_num_times(u), 12);
  assert_int_equal(vmp_utilization_time(u, 3), T0 + 900);
  /* ghost/cpu and a/gpu match nothing; a and b have no memory series */
  assert_int_equal(vmp_utilization_num_unmatched(u), 2);
  assert_int_equal(vmp_utilization_num_unobserved(u), 2);
  assert_true(vmp_utilization_load(u, 0, 0, 0) == 6);
  assert_true(vmp_utilization_load(u, 0, 0, 4) == 7);
  assert_true(vmp_utilization_load(u, 0, 0, 5) == 7); /* b holds its last value */
  assert_true(vmp_utilization_load(u, 0, 0, 6) == 6);
  assert_true(vmp_utilization_load(u, 0, 1, 7) == 20); /* memory at demand */
  assert_int_equal(vmp_utilization_host_num_vms(u, 0), 2);
  vmp_utilization_free(u);
  vmp_history_free(h);
  /* a coarser step averages within buckets: a's samples 8 and 9 */
  {
    static const double warm[12] = {5, 5, 5, 5, 5, 5, 5, 5, 7.5, 8.5, 7.5, 8.5};
    h = usage(warm, -1);
  }
  assert_int_equal(vmp_utilization_from_history(p, NULL, h, 600, &u), VMP_OK);
  assert_int_equal(vmp_utilization_num_times(u), 6);
  assert_true(vmp_utilization_load(u, 0, 0, 4) == 8 + 1);
  assert_true(vmp_utilization_load(u, 0, 0, 2) == 5 + 2);
  vmp_utilization_free(u);
  tu_assert_error(vmp_utilization_from_history(p, NULL, h, -5, &u), VMP_EINVAL, "step");
  vmp_history_free(h);
  /* nothing in common with the problem */
  assert_int_equal(vmp_history_new(&h), VMP_OK);
  assert_int_equal(vmp_history_add(h, "ghost", "cpu", T0, 1), 0);
  tu_assert_error(vmp_utilization_from_history(p, NULL, h, 0, &u), VMP_ENOTFOUND,
                  "none of the 1 series names a VM and a resource of the problem");
  vmp_history_free(h);
  vmp_problem_free(p);
}

/* The alerts of a usage history under the default thresholds. */
static vmp_alerts *alerts_of(const double *a, int skip, double window, vmp_utilization **u) {
  vmp_problem *p = tu_problem_json(PAIR);
  vmp_history *h = usage(a, skip);
  vmp_alert_opts o = VMP_ALERT_OPTS_INIT;
  vmp_alerts *al = NULL;
  o.window = window;
  assert_int_equal(vmp_utilization_from_history(p, NULL, h, 0, u), VMP_OK);
  assert_int_equal(vmp_utilization_alerts(*u, &o, &al), VMP_OK);
  vmp_history_free(h);
  vmp_problem_free(p);
  return al;
}

static void test_alerts__sustained_window(void **state) {
  /* cpu ratio (a + 1) / 10; memory 20% throughout: an underload */
  static const double spike[12] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 9.5};
  static const double three[12] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 8.5, 8.5, 8.5};
  static const double four[12] = {5, 5, 5, 5, 9.5, 5, 5, 5, 8.5, 8.5, 8.5, 8.5};
  static const double warm[12] = {5, 5, 5, 5, 5, 5, 5, 5, 7.5, 8.5, 7.5, 8.5};
  vmp_utilization *u;
  vmp_alerts *a;
  const vmp_alert *al;
  (void)state;
  /* one spike at the end: no overload, however high */
  a = alerts_of(spike, -1, 900, &u);
  assert_int_equal(vmp_alerts_num_alerts(a), 1);
  expect_alert(a, 0, "h1", "memory_mib", VMP_ALERT_UNDERLOAD, VMP_SEVERITY_INFO, 0.2, 0.2);
  assert_int_equal(vmp_alerts_alert_at(a, 0)->since, T0);
  assert_true(vmp_alerts_alert_at(a, 0)->duration == 3300);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  /* ...unless the window is 0 */
  a = alerts_of(spike, -1, 0, &u);
  expect_alert(a, 0, "h1", "cpu", VMP_ALERT_OVERLOAD, VMP_SEVERITY_CRITICAL, 0.95, 1.05);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  /* three samples at 95%: 10 minutes, short of 15 */
  a = alerts_of(three, -1, 900, &u);
  assert_int_equal(vmp_alerts_num_alerts(a), 1);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  /* four samples: 15 minutes, critical since the first of them */
  a = alerts_of(four, -1, 900, &u);
  assert_int_equal(vmp_alerts_num_alerts(a), 2);
  expect_alert(a, 0, "h1", "cpu", VMP_ALERT_OVERLOAD, VMP_SEVERITY_CRITICAL, 0.95, 0.95);
  al = vmp_alerts_alert_at(a, 0);
  assert_int_equal(al->since, T0 + 8 * 300);
  assert_true(al->duration == 900);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  /* a window one second longer: not yet */
  a = alerts_of(four, -1, 901, &u);
  assert_int_equal(vmp_alerts_num_alerts(a), 1);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  /* a bucket nobody measured breaks every window, the underload's too */
  a = alerts_of(four, 9, 900, &u);
  assert_int_equal(vmp_utilization_num_times(u), 11);
  assert_int_equal(vmp_alerts_num_alerts(a), 0);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  /* above 80% but not 95% for 15 minutes: a warning */
  a = alerts_of(warm, -1, 900, &u);
  assert_int_equal(vmp_alerts_num_alerts(a), 2);
  expect_alert(a, 0, "h1", "cpu", VMP_ALERT_OVERLOAD, VMP_SEVERITY_WARNING, 0.8, 0.95);
  assert_int_equal(vmp_alerts_alert_at(a, 0)->since, T0 + 8 * 300);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
}

/* ---- metrics --------------------------------------------------------------------------- */

static void test_alerts__prometheus_metrics(void **state) {
  static const double four[12] = {5, 5, 5, 5, 9.5, 5, 5, 5, 8.5, 8.5, 8.5, 8.5};
  vmp_problem *p = tu_problem_json(PLACED);
  vmp_utilization *u, *u2;
  vmp_alerts *a, *a2;
  char *text = NULL, *json = NULL;
  const char *err;
  (void)state;
  assert_int_equal(vmp_utilization_from_placement(p, NULL, &u), VMP_OK);
  assert_int_equal(vmp_utilization_alerts(u, NULL, &a), VMP_OK);
  assert_int_equal(vmp_utilization_to_prometheus(u, a, &text), VMP_OK);
  if ((err = check_exposition(text))) fail_msg("%s\n%s", err, text);
  assert_non_null(strstr(text, "# HELP vmplace_host_utilization_ratio "));
  assert_non_null(strstr(text, "# TYPE vmplace_host_utilization_ratio gauge\n"));
  assert_non_null(strstr(
      text, "\nvmplace_host_utilization_ratio{host=\"h1\",resource=\"cpu\",source=\"placement\"} 0.85\n"));
  assert_non_null(strstr(
      text, "\nvmplace_host_overload{host=\"h2\",resource=\"cpu\",source=\"placement\","
            "severity=\"critical\"} 1\n"));
  assert_non_null(strstr(
      text, "\nvmplace_host_overload{host=\"h2\",resource=\"cpu\",source=\"placement\","
            "severity=\"warning\"} 1\n"));
  assert_non_null(strstr(
      text, "\nvmplace_host_underload{host=\"h1\",resource=\"memory_mib\",source=\"placement\"} 1\n"));
  assert_non_null(strstr(
      text, "\nvmplace_host_load{host=\"rack \\\"7\\\"\\\\ab\",resource=\"memory_mib\","
            "source=\"placement\"} 85\n"));
  assert_non_null(strstr(
      text, "\nvmplace_alert_threshold_ratio{resource=\"cpu\",level=\"critical\",source=\"placement\"} 0.95\n"));
  assert_non_null(strstr(text, "\nvmplace_alerts{severity=\"critical\",source=\"placement\"} 1\n"));
  assert_non_null(strstr(text, "\nvmplace_alerts{severity=\"warning\",source=\"placement\"} 2\n"));
  assert_non_null(strstr(text, "\nvmplace_utilization_timestamp_seconds{source=\"placement\"} 0\n"));
  vmp_free(text);
  /* JSON */
  assert_int_equal(vmp_alerts_to_json(a, &json), VMP_OK);
  assert_non_null(strstr(json, "\"severity\": \"critical\""));
  assert_non_null(strstr(json, "\"duration_s\": 0"));
  vmp_free(json);
  /* alerts of another utilisation are refused */
  a2 = alerts_of(four, -1, 900, &u2);
  tu_assert_error(vmp_utilization_to_prometheus(u, a2, &text), VMP_EINVAL,
                  "not those of this utilization");
  assert_int_equal(vmp_utilization_to_prometheus(u2, a2, &text), VMP_OK);
  if ((err = check_exposition(text))) fail_msg("%s\n%s", err, text);
  assert_non_null(strstr(
      text, "\nvmplace_utilization_timestamp_seconds{source=\"observed\"} 1714524900\n"));
  assert_non_null(strstr(
      text, "\nvmplace_host_utilization_peak_ratio{host=\"h1\",resource=\"cpu\",source=\"observed\"} 1.15\n"));
  vmp_free(text);
  vmp_alerts_free(a2);
  vmp_utilization_free(u2);
  vmp_alerts_free(a);
  vmp_utilization_free(u);
  vmp_problem_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alerts__the_format_checker_itself),
      cmocka_unit_test(test_alerts__placement_thresholds),
      cmocka_unit_test(test_alerts__bad_thresholds),
      cmocka_unit_test(test_alerts__observed_usage_adds_up),
      cmocka_unit_test(test_alerts__sustained_window),
      cmocka_unit_test(test_alerts__prometheus_metrics),
  };
  return cmocka_run_group_tests_name("alerts", tests, NULL, NULL);
}
