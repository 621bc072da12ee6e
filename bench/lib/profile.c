/*
 * profile.svg: one performance profile per suite (Dolan and Moré's
 * profiles, with the best-known value as the reference): for each solver,
 * the share of the suite's instances it solved within x% of the best
 * known value, as x grows.  A line that starts high reaches the best known
 * often; a line that rises fast is rarely far off.  Drawn by hand as SVG,
 * so the runner needs no plotting package.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "report.h"

#define PANEL_W 600
#define PANEL_H 330
#define PLOT_L 60    /* left margin inside a panel */
#define PLOT_R 210   /* right margin: the legend */
#define PLOT_T 40
#define PLOT_B 50
#define COLUMNS 2

static const char *const palette[] = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

void vmpb_profile_free(vmpb_profile_line *lines, size_t n) {
  for (size_t k = 0; lines && k < n; k++) free(lines[k].gaps);
  free(lines);
}

int vmpb_profile_suite(vmpb_table *t, const char *suite,
                       vmpb_profile_line **out, size_t *nlines,
                       size_t *ninstances) {
  char **solvers = NULL, **inst = malloc((t->n + 1) * sizeof *inst);
  size_t ns = vmpb_report_solvers(t, suite, &solvers), ni = 0;
  vmpb_profile_line *lines = NULL;
  *out = NULL;
  *nlines = *ninstances = 0;
  if (!inst || !solvers) goto oom;
  /* the profiled instances: a best-known value, and loaded by a solver
   * (each instance is looked at once: at its first row) */
  for (size_t k = 0; k < t->n; k++) {
    const vmpb_row *r = &t->rows[k];
    char *name = r->f[VMPB_COL_INSTANCE];
    int first = 1;
    if (strcmp(r->f[VMPB_COL_SUITE], suite) || isnan(vmpb_row_num(r, VMPB_COL_BEST_KNOWN)))
      continue;
    for (size_t s = 0; s < ns && first; s++) {
      size_t f = vmpb_table_find(t, suite, name, solvers[s]);
      first = f == (size_t)-1 || f >= k;
    }
    if (first && vmpb_instance_loaded(t, suite, name, solvers, ns)) inst[ni++] = name;
  }
  if (!ni) {
    free(inst);
    free(solvers);
    return 0;
  }
  if (!(lines = calloc(ns ? ns : 1, sizeof *lines))) goto oom;
  for (size_t s = 0; s < ns; s++) {
    lines[s].solver = solvers[s];
    lines[s].n = ni;
    if (!(lines[s].gaps = malloc(ni * sizeof *lines[s].gaps))) {
      vmpb_profile_free(lines, s);
      goto oom;
    }
    for (size_t i = 0; i < ni; i++) {
      size_t k = vmpb_table_find(t, suite, inst[i], solvers[s]);
      lines[s].gaps[i] = k == (size_t)-1 ? NAN
          : vmpb_gap(vmpb_row_num(&t->rows[k], VMPB_COL_VALUE),
                     vmpb_row_num(&t->rows[k], VMPB_COL_BEST_KNOWN));
    }
  }
  free(inst);
  free(solvers);
  *out = lines;
  *nlines = ns;
  *ninstances = ni;
  return 0;
oom:
  free(inst);
  free(solvers);
  return -1;
}

static void xml_text(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '&') fputs("&amp;", f);
    else if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '"') fputs("&quot;", f);
    else fputc(*s, f);
  }
}

/* The step line of one solver, clipped to [0, xmax]. */
static void draw_line(FILE *f, const vmpb_profile_line *l, double xmax,
                      double ox, double oy, double w, double h,
                      const char *color, int dashed, double width) {
  double *g = malloc((l->n + 1) * sizeof *g), y;
  size_t m = 0;
  if (!g) return;
  for (size_t k = 0; k < l->n; k++)
    if (!isnan(l->gaps[k])) g[m++] = fmax(l->gaps[k], 0.0);
  qsort(g, m, sizeof *g, vmpb_cmp_double);
#define PX(x) (ox + (x) / xmax * w)
#define PY(s) (oy + h - (s) * h)
  y = vmpb_profile_share(l->gaps, l->n, 0);
  fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s "
          "stroke-linejoin=\"round\" points=\"%.1f,%.1f", color, width,
          dashed ? " stroke-dasharray=\"6,4\"" : "", PX(0), PY(y));
  for (size_t k = 0; k < m; k++) {
    double s;
    if (g[k] <= 0) continue;
    if (g[k] > xmax) break;
    if (k + 1 < m && g[k + 1] == g[k]) continue;
    s = vmpb_profile_share(l->gaps, l->n, g[k]);
    fprintf(f, " %.1f,%.1f %.1f,%.1f", PX(g[k]), PY(y), PX(g[k]), PY(s));
    y = s;
  }
  fprintf(f, " %.1f,%.1f\"/>\n", PX(xmax), PY(y));
#undef PX
#undef PY
  free(g);
}

static void panel(FILE *f, const char *suite, const vmpb_profile_line *lines,
                  size_t nlines, size_t ninst, double px, double py) {
  double xmax = vmpb_profile_xmax(lines, nlines);
  double ox = px + PLOT_L, oy = py + PLOT_T;
  double w = PANEL_W - PLOT_L - PLOT_R, h = PANEL_H - PLOT_T - PLOT_B;
  fprintf(f, "<g>\n<text x=\"%.0f\" y=\"%.0f\" font-size=\"15\" font-weight=\"bold\">",
          px + PLOT_L, py + 22);
  xml_text(f, suite);
  fprintf(f, " (%zu instance%s)</text>\n", ninst, ninst == 1 ? "" : "s");
  fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
          "fill=\"white\" stroke=\"#444\"/>\n", ox, oy, w, h);
  /* grid and ticks: 5 steps on each axis */
  for (int k = 0; k <= 5; k++) {
    double x = ox + w * k / 5, y = oy + h - h * k / 5;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
            x, oy, x, oy + h);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
            ox, y, ox + w, y);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">"
            "%g%%</text>\n", x, oy + h + 16, 100 * xmax * k / 5);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">"
            "%d%%</text>\n", ox - 6, y + 4, 20 * k);
  }
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">"
          "gap to the best-known value (at most)</text>\n", ox + w / 2, oy + h + 36);
  fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#555\">share at 0 / "
          "at %g%%</text>\n", ox + w + 12, oy - 6, 100 * xmax);
  fprintf(f, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" font-size=\"12\" "
          "text-anchor=\"middle\">share of instances</text>\n", px + 16, oy + h / 2);
  for (size_t l = 0; l < nlines; l++) {
    int ref = !strcmp(lines[l].solver, VMPB_BEST_HEURISTIC);
    const char *color = ref ? "#555" : palette[l % NPALETTE];
    double y0 = vmpb_profile_share(lines[l].gaps, lines[l].n, 0);
    double y1 = vmpb_profile_share(lines[l].gaps, lines[l].n, xmax);
    /* lines drawn first are wider, so that identical lines stay visible
     * one under the other */
    draw_line(f, &lines[l], xmax, ox, oy, w, h, color, ref,
              1.5 + 1.5 * (double)(nlines - 1 - l));
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"2\"%s/>\n", ox + w + 12, oy + 10 + 18.0 * (double)l,
            ox + w + 32, oy + 10 + 18.0 * (double)l, color,
            ref ? " stroke-dasharray=\"6,4\"" : "");
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", ox + w + 37,
            oy + 14 + 18.0 * (double)l);
    xml_text(f, lines[l].solver);
    fprintf(f, " %.0f%% / %.0f%%</text>\n", 100 * y0, 100 * y1);
  }
  fprintf(f, "</g>\n");
}

int vmpb_report_profile(const char *path, vmpb_table *t, char *err) {
  char tmp[4096], **suites = NULL;
  size_t ns = vmpb_report_suites(t, &suites), npanels = 0;
  FILE *f;
  long width, height;
  /* count the panels first: the SVG's size depends on them */
  for (size_t s = 0; s < ns; s++) {
    vmpb_profile_line *lines;
    size_t nl, ni;
    if (vmpb_profile_suite(t, suites[s], &lines, &nl, &ni)) {
      free(suites);
      vmpb_errf(err, "out of memory");
      return -1;
    }
    if (ni && nl) npanels++;
    vmpb_profile_free(lines, nl);
  }
  width = PANEL_W * (npanels < COLUMNS ? (npanels ? (long)npanels : 1) : COLUMNS);
  height = PANEL_H * (long)((npanels + COLUMNS - 1) / COLUMNS) + 40;
  if (!npanels) height = 80;
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (!(f = fopen(tmp, "w"))) {
    free(suites);
    vmpb_errf(err, "%s: %s", tmp, strerror(errno));
    return -1;
  }
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%ld\" height=\"%ld\" "
          "viewBox=\"0 0 %ld %ld\" font-family=\"sans-serif\">\n"
          "<title>vmplace-bench performance profiles</title>\n"
          "<rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n"
          "<text x=\"12\" y=\"26\" font-size=\"14\">Performance profiles: share of "
          "instances solved within x of the best-known value (higher and further "
          "left is better)</text>\n", width, height, width, height);
  if (!npanels)
    fprintf(f, "<text x=\"12\" y=\"56\" font-size=\"13\">No suite with best-known "
            "values in these results.</text>\n");
  for (size_t s = 0, k = 0; s < ns; s++) {
    vmpb_profile_line *lines;
    size_t nl, ni;
    if (vmpb_profile_suite(t, suites[s], &lines, &nl, &ni)) break;
    if (ni && nl) {
      panel(f, suites[s], lines, nl, ni, (double)(PANEL_W * (long)(k % COLUMNS)),
            40.0 + (double)(PANEL_H * (long)(k / COLUMNS)));
      k++;
    }
    vmpb_profile_free(lines, nl);
  }
  fprintf(f, "</svg>\n");
  free(suites);
  if (fclose(f) || rename(tmp, path)) {
    vmpb_errf(err, "%s: %s", path, strerror(errno));
    remove(tmp);
    return -1;
  }
  return 0;
}
