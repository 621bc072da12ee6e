/*
 * Reading problems by format: vmp_problem_read picks the format from the
 * file name (or takes the one named), vmp_problem_parse from the caller,
 * and each hands the bytes to that format's reader (readers.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

static int looks_like_cloud(const char *data, size_t len) {
  /* Cheap content sniff: the key appears near the top of every such file. */
  size_t n = len < 4096 ? len : 4096;
  for (size_t k = 0; k + 14 <= n; k++)
    if (!memcmp(data + k, "\"computerList\"", 14)) return 1;
  return 0;
}

static int parse_format(const char *data, size_t len, int format,
                        const char *origin, vmp_problem **out) {
  switch (format) {
    case VMP_FORMAT_AUTO:
    case VMP_FORMAT_JSON:
      if (looks_like_cloud(data, len)) return vmp__read_cloud(data, len, origin, out);
      return vmp__read_json(data, len, origin, out);
    case VMP_FORMAT_VBP: return vmp__read_vbp(data, len, origin, out);
    case VMP_FORMAT_MVP: return vmp__read_mvp(data, len, origin, out);
    case VMP_FORMAT_BPPLIB: return vmp__read_bpplib(data, len, origin, out);
    case VMP_FORMAT_CLOUDBALANCING: return vmp__read_cloud(data, len, origin, out);
    case VMP_FORMAT_ROADEF:
      return vmp__read_roadef(data, len, NULL, 0, origin, out);
    default:
      return vmp__error(VMP_EINVAL, "%s: unknown format %d", origin, format);
  }
}

int vmp_problem_parse(const char *data, size_t len, int format,
                      const char *origin, vmp_problem **out) {
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!data && len) return vmp__error(VMP_EINVAL, "data is NULL");
  return parse_format(data ? data : "", len, format, origin ? origin : "<input>",
                      out);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

static const char *base_name(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

/* ROADEF: model_X.txt with assignment_X.sol beside it. */
static int read_roadef_file(const char *path, const char *data, size_t len,
                            vmp_problem **out) {
  const char *base = base_name(path);
  char *apath, *adata = NULL;
  size_t alen = 0, dir = (size_t)(base - path);
  int rc;
  apath = malloc(strlen(path) + 32);
  if (!apath) return vmp__enomem();
  memcpy(apath, path, dir);
  if (!strncmp(base, "model_", 6) && ends_with(base, ".txt")) {
    size_t stem = strlen(base) - 6 - 4;
    sprintf(apath + dir, "assignment_%.*s.sol", (int)stem, base + 6);
  } else {
    apath[dir] = '\0';
    strcat(apath, "assignment.sol");
  }
  rc = vmp__read_file(apath, &adata, &alen);
  if (rc) {
    /* Without its assignment the model still loads, with no current hosts. */
    adata = NULL;
    alen = 0;
  }
  rc = vmp__read_roadef(data, len, adata, alen, path, out);
  free(adata);
  free(apath);
  return rc;
}

int vmp_problem_read(const char *path, int format, vmp_problem **out) {
  char *data = NULL;
  size_t len = 0;
  int rc;
  if (!out) return vmp__error(VMP_EINVAL, "out is NULL");
  *out = NULL;
  if (!path) return vmp__error(VMP_EINVAL, "path is NULL");
  if ((rc = vmp__read_file(path, &data, &len))) return rc;
  if (format == VMP_FORMAT_AUTO) {
    const char *base = base_name(path);
    if (ends_with(path, ".vbp"))
      format = VMP_FORMAT_VBP;
    else if (ends_with(path, ".mvp"))
      format = VMP_FORMAT_MVP;
    else if (ends_with(path, ".txt"))
      format = !strncmp(base, "model_", 6) ? VMP_FORMAT_ROADEF : VMP_FORMAT_BPPLIB;
    else
      format = VMP_FORMAT_JSON;
  }
  if (format == VMP_FORMAT_ROADEF)
    rc = read_roadef_file(path, data, len, out);
  else
    rc = parse_format(data, len, format, path, out);
  free(data);
  return rc;
}
