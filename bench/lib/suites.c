/*
 * Suites: which files of ../shared/instances make up each named suite, how
 * their instances are named (the key of the suite's optima table), plus
 * the --instances folder suite and the generated datacenter suite.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

#ifndef VMPB_SOURCE_DIR
#error "VMPB_SOURCE_DIR must name the source tree"
#endif

typedef struct suite_def {
  const char *name;
  const char *dir;         /* under the data directory */
  const char *exts;        /* accepted extensions, space-separated */
  const char *optima;      /* table under optima/ */
  const char *prefix;      /* instance name = prefix + stem (or file) */
  int keep_ext;            /* instance name keeps the extension */
  const char *describe;
} suite_def;

static const suite_def suites[] = {
    {"bpplib-falkenauer", "bpplib/Falkenauer", ".txt", "bpplib_1d_optima.csv",
     "", 0, "BPPLIB Falkenauer U and T, 1-D bin packing (160)"},
    {"bpplib-scholl", "bpplib/Scholl", ".txt", "bpplib_1d_optima.csv", "", 0,
     "BPPLIB Scholl 1, 2 and 3, 1-D bin packing (1,210)"},
    {"bpplib-hard28", "bpplib/Hard28", ".txt", "bpplib_1d_optima.csv", "", 0,
     "BPPLIB Hard28, 1-D bin packing (28)"},
    {"vbp-panigrahy", "vectorpack_mommessin2025/Panigrahy_instances_multidim",
     ".vbp", "vbp_mommessin_panigrahy_detail.csv", "Panigrahy/", 0,
     "vector bin packing, Panigrahy classes 1-9 (1,620)"},
    {"vbp-new", "vectorpack_mommessin2025/New_instances_multidim", ".vbp",
     "vbp_mommessin_new_detail.csv", "New/", 0,
     "vector bin packing, the New classes 1-6 (1,080)"},
    {"vbp-triplet", "vectorpack_mommessin2025/Triplet_instances_multidim",
     ".vbp", "vbp_mommessin_triplet_detail.csv", "Triplet/", 0,
     "vector bin packing, exact triplets, OPT = n/3 (240; 77 unsupported)"},
    {"cloudbalancing", "cloudbalancing_timefold/unsolved", ".json",
     "cloudbalancing_best_known.csv", "", 0,
     "Timefold cloud balancing, computers with costs (8)"},
    {"examples", "vpsolver_examples", ".vbp .mvp", "vpsolver_examples_optima.csv",
     "vpsolver_examples/", 1,
     "VPSolver examples, .vbp and .mvp (7; 2 unsupported)"},
};

#define NSUITES (sizeof suites / sizeof suites[0])

static const char *const suite_names[NSUITES + 1] = {
    "bpplib-falkenauer", "bpplib-scholl", "bpplib-hard28", "vbp-panigrahy",
    "vbp-new", "vbp-triplet", "cloudbalancing", "examples", NULL};

const char *const *vmpb_suite_names(void) { return suite_names; }

static const suite_def *find_suite(const char *name) {
  for (size_t k = 0; k < NSUITES; k++)
    if (!strcmp(suites[k].name, name)) return &suites[k];
  return NULL;
}

const char *vmpb_suite_describe(const char *name) {
  const suite_def *s = find_suite(name);
  return s ? s->describe : NULL;
}

int vmpb_suite_known(const char *name) {
  return find_suite(name) || !strncmp(name, "datacenter:", 11) || !strcmp(name, "realistic");
}

/* ---- datacenter specs ------------------------------------------------------ */

static int parse_size(const char **p, size_t *out) {
  unsigned long long v = 0;
  const char *s = *p;
  if (!isdigit((unsigned char)*s)) return -1;
  while (isdigit((unsigned char)*s)) {
    if (v > (1ULL << 40)) return -1;
    v = v * 10 + (unsigned)(*s++ - '0');
  }
  *p = s;
  *out = (size_t)v;
  return 0;
}

int vmpb_parse_datacenter(const char *spec, size_t *hosts, size_t *vms,
                          uint64_t *seed, char *err) {
  const char *p = spec;
  size_t s = 1;
  if (strncmp(p, "datacenter:", 11)) goto bad;
  p += 11;
  if (parse_size(&p, hosts) || *p++ != 'x' || parse_size(&p, vms)) goto bad;
  if (*p == ':') {
    p++;
    if (parse_size(&p, &s)) goto bad;
  }
  if (*p || !*hosts || !*vms) goto bad;
  *seed = s;
  return 0;
bad:
  vmpb_errf(err, "suite \"%s\": expected datacenter:HOSTSxVMS[:SEED] with "
            "HOSTS, VMS > 0 (e.g. datacenter:1000x10000:7)", spec);
  return -1;
}

/* ---- the data directory --------------------------------------------------------- */

static int is_dir(const char *path) {
  struct stat st;
  return path && *path && !stat(path, &st) && S_ISDIR(st.st_mode);
}

int vmpb_data_dir(const char *given, char *buf, size_t len, char *err) {
  const char *env = getenv("VMPLACE_INSTANCES");
  const char *fallback = VMPB_SOURCE_DIR "/../shared/instances";
  const char *pick = given ? given : (env && *env) ? env : fallback;
  if (!is_dir(pick)) {
    if (given)
      vmpb_errf(err, "--data %s: not a directory", given);
    else if (env && *env)
      vmpb_errf(err, "VMPLACE_INSTANCES=%s: not a directory", env);
    else
      vmpb_errf(err, "no benchmark data: give --data DIR or set "
                "VMPLACE_INSTANCES (tried %s)", fallback);
    return -1;
  }
  snprintf(buf, len, "%s", pick);
  return 0;
}

/* ---- natural order ----------------------------------------------------------------- */

int vmpb_natcmp(const char *a, const char *b) {
  while (*a && *b) {
    if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
      const char *ea = a, *eb = b;
      size_t la, lb;
      while (*a == '0' && isdigit((unsigned char)a[1])) a++;
      while (*b == '0' && isdigit((unsigned char)b[1])) b++;
      for (ea = a; isdigit((unsigned char)*ea); ea++) {}
      for (eb = b; isdigit((unsigned char)*eb); eb++) {}
      la = (size_t)(ea - a);
      lb = (size_t)(eb - b);
      if (la != lb) return la < lb ? -1 : 1;
      for (; a < ea; a++, b++)
        if (*a != *b) return *a < *b ? -1 : 1;
      continue;
    }
    if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++;
    b++;
  }
  return *a ? 1 : *b ? -1 : 0;
}

/* ---- instance lists ----------------------------------------------------------------- */

static void instance_free(vmpb_instance *i) {
  free(i->suite);
  free(i->name);
  free(i->path);
}

void vmpb_instances_free(vmpb_instances *l) {
  for (size_t k = 0; k < l->n; k++) instance_free(&l->v[k]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static vmpb_instance *instances_add(vmpb_instances *l) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    vmpb_instance *v = realloc(l->v, cap * sizeof *v);
    if (!v) return NULL;
    l->v = v;
    l->cap = cap;
  }
  memset(&l->v[l->n], 0, sizeof l->v[l->n]);
  l->v[l->n].best_known = NAN;
  l->v[l->n].best_heuristic = NAN;
  l->v[l->n].best_known_proven = -1;
  return &l->v[l->n++];
}

/* A file found under a root: its path and its path relative to the root. */
typedef struct found {
  char *path, *rel;
} found;

typedef struct found_list {
  found *v;
  size_t n, cap;
} found_list;

static void found_free(found_list *f) {
  for (size_t k = 0; k < f->n; k++) {
    free(f->v[k].path);
    free(f->v[k].rel);
  }
  free(f->v);
}

static int ext_ok(const char *name, const char *exts) {
  const char *dot = strrchr(name, '.');
  size_t l;
  if (!dot) return 0;
  l = strlen(dot);
  for (const char *p = exts; *p;) {
    const char *e = strchr(p, ' ');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == l && !strncmp(p, dot, l)) return 1;
    p += n;
    while (*p == ' ') p++;
  }
  return 0;
}

/* Collects the files under dir (recursively, hidden entries skipped) whose
 * extension is in exts. */
static int walk(const char *dir, const char *rel, const char *exts,
                found_list *out, char *err) {
  DIR *d = opendir(dir);
  struct dirent *de;
  int rc = 0;
  if (!d) {
    vmpb_errf(err, "%s: %s", dir, strerror(errno));
    return -1;
  }
  while (!rc && (de = readdir(d))) {
    char path[4096], r[4096];
    struct stat st;
    if (de->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    if (stat(path, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      rc = walk(path, r, exts, out, err);
    } else if (S_ISREG(st.st_mode) && ext_ok(de->d_name, exts)) {
      if (out->n == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 256;
        found *v = realloc(out->v, cap * sizeof *v);
        if (!v) {
          vmpb_errf(err, "out of memory");
          rc = -1;
          break;
        }
        out->v = v;
        out->cap = cap;
      }
      out->v[out->n].path = strdup(path);
      out->v[out->n].rel = strdup(r);
      if (!out->v[out->n].path || !out->v[out->n].rel) {
        free(out->v[out->n].path);
        free(out->v[out->n].rel);
        vmpb_errf(err, "out of memory");
        rc = -1;
      } else {
        out->n++;
      }
    }
  }
  closedir(d);
  return rc;
}

/* The instance name a suite gives a file: prefix + base name, with or
 * without its extension. */
static void suite_key(const suite_def *s, const char *rel, char *buf,
                      size_t len) {
  const char *base = strrchr(rel, '/');
  char *dot;
  base = base ? base + 1 : rel;
  snprintf(buf, len, "%s%s", s->prefix, base);
  if (!s->keep_ext && (dot = strrchr(buf, '.'))) *dot = 0;
}

typedef struct named {
  char *name;
  size_t idx;
} named;

static int cmp_named(const void *a, const void *b) {
  return vmpb_natcmp(((const named *)a)->name, ((const named *)b)->name);
}

static int add_files(vmpb_instances *l, const char *suite, const char *root,
                     const suite_def *def, const vmpb_optima *opt,
                     regex_t *re, size_t limit, char *err) {
  found_list files = {0};
  named *names = NULL;
  size_t taken = 0;
  int rc = walk(root, "", def ? def->exts : ".json .vbp .mvp .txt", &files, err);
  if (!rc && files.n && !(names = calloc(files.n, sizeof *names))) {
    vmpb_errf(err, "out of memory");
    rc = -1;
  }
  for (size_t k = 0; !rc && k < files.n; k++) {
    char key[4096];
    if (def)
      suite_key(def, files.v[k].rel, key, sizeof key);
    else
      snprintf(key, sizeof key, "%s", files.v[k].rel);
    names[k].idx = k;
    if (!(names[k].name = strdup(key))) {
      vmpb_errf(err, "out of memory");
      rc = -1;
    }
  }
  if (!rc && files.n) qsort(names, files.n, sizeof *names, cmp_named);
  for (size_t k = 0; !rc && k < files.n; k++) {
    const found *fi = &files.v[names[k].idx];
    const vmpb_opt_entry *e;
    vmpb_instance *in;
    if (re && regexec(re, names[k].name, 0, NULL, 0)) continue;
    if (limit && taken >= limit) break;
    if (!(in = instances_add(l))) {
      vmpb_errf(err, "out of memory");
      rc = -1;
      break;
    }
    in->kind = VMPB_KIND_FILE;
    in->suite = strdup(suite);
    in->name = strdup(names[k].name);
    in->path = strdup(fi->path);
    if (!in->suite || !in->name || !in->path) {
      vmpb_errf(err, "out of memory");
      rc = -1;
      break;
    }
    e = def ? vmpb_optima_find(opt, names[k].name)
            : vmpb_optima_match(opt, fi->rel);
    if (e) {
      in->best_known = e->best;
      in->best_known_proven = e->proven;
      in->best_heuristic = e->best_heuristic;
    }
    taken++;
  }
  for (size_t k = 0; names && k < files.n; k++) free(names[k].name);
  free(names);
  found_free(&files);
  return rc;
}

/* ---- the realistic suite ---------------------------------------------------------- */

/* Ten seeds each of three sizes (hosts x VMs), generated by
 * vmpb_generate_realistic with its defaults. */
static const size_t realistic_sizes[][2] = {{20, 60}, {50, 200}, {100, 400}};
#define REALISTIC_SEEDS 10

static int add_realistic(vmpb_instances *l, regex_t *re, size_t limit, char *err) {
  size_t taken = 0;
  for (size_t z = 0; z < sizeof realistic_sizes / sizeof realistic_sizes[0]; z++)
    for (uint64_t seed = 1; seed <= REALISTIC_SEEDS; seed++) {
      char name[64];
      vmpb_instance *in;
      snprintf(name, sizeof name, "r%zux%zu-s%02llu", realistic_sizes[z][0],
               realistic_sizes[z][1], (unsigned long long)seed);
      if (re && regexec(re, name, 0, NULL, 0)) continue;
      if (limit && taken >= limit) return 0;
      if (!(in = instances_add(l)) || !(in->suite = strdup("realistic")) ||
          !(in->name = strdup(name))) {
        vmpb_errf(err, "out of memory");
        return -1;
      }
      in->kind = VMPB_KIND_REALISTIC;
      in->hosts = realistic_sizes[z][0];
      in->vms = realistic_sizes[z][1];
      in->gen_seed = seed;
      taken++;
    }
  return 0;
}

static int add_datacenter(vmpb_instances *l, const vmpb_selection *sel,
                          char *err) {
  size_t hosts, vms;
  uint64_t seed;
  char suite[128], name[128];
  vmpb_instance *in;
  if (vmpb_parse_datacenter(sel->suite, &hosts, &vms, &seed, err)) return -1;
  /* one spelling per datacenter, so that resuming matches */
  snprintf(suite, sizeof suite, "datacenter:%zux%zu:%llu", hosts, vms,
           (unsigned long long)seed);
  snprintf(name, sizeof name, "h%zu-v%zu-s%llu", hosts, vms,
           (unsigned long long)seed);
  if (!(in = instances_add(l)) || !(in->suite = strdup(suite)) ||
      !(in->name = strdup(name))) {
    vmpb_errf(err, "out of memory");
    return -1;
  }
  in->kind = VMPB_KIND_DATACENTER;
  in->hosts = hosts;
  in->vms = vms;
  in->gen_seed = seed;
  return 0;
}

int vmpb_instances_add(vmpb_instances *l, const vmpb_selection *sel,
                       const char *data, FILE *warn, char *err) {
  const suite_def *def = NULL;
  vmpb_optima opt = {0};
  regex_t re;
  int have_re = 0, rc;
  char root[4096], suite[4096];
  if (sel->filter) {
    int e = regcomp(&re, sel->filter, REG_EXTENDED | REG_NOSUB);
    if (e) {
      char msg[256];
      regerror(e, &re, msg, sizeof msg);
      vmpb_errf(err, "--filter \"%s\": %s", sel->filter, msg);
      return -1;
    }
    have_re = 1;
  }
  if (!sel->dir && !strcmp(sel->suite, "realistic")) {
    rc = add_realistic(l, have_re ? &re : NULL, sel->limit, err);
    if (have_re) regfree(&re);
    return rc;
  }
  if (!sel->dir && !strncmp(sel->suite, "datacenter:", 11)) {
    /* one generated instance; the filter and limit still apply to its
     * name, so that a filter meant for file suites can exclude it */
    size_t n0 = l->n;
    rc = add_datacenter(l, sel, err);
    if (!rc && have_re && regexec(&re, l->v[n0].name, 0, NULL, 0)) {
      instance_free(&l->v[n0]);
      l->n = n0;
    }
    if (have_re) regfree(&re);
    return rc;
  }
  if (sel->dir) {
    const char *b;
    size_t len = strlen(sel->dir);
    while (len > 1 && sel->dir[len - 1] == '/') len--;
    snprintf(root, sizeof root, "%.*s", (int)len, sel->dir);
    b = strrchr(root, '/');
    snprintf(suite, sizeof suite, "dir:%s", b && b[1] ? b + 1 : root);
    rc = 0;
    if (sel->optima) rc = vmpb_optima_load(&opt, sel->optima, err);
    if (!rc && !is_dir(root)) {
      vmpb_errf(err, "--instances %s: not a directory", sel->dir);
      rc = -1;
    }
  } else {
    char opath[4096], oerr[VMPB_ERRLEN];
    if (!(def = find_suite(sel->suite))) {
      vmpb_errf(err, "unknown suite \"%s\" (see --help)", sel->suite);
      if (have_re) regfree(&re);
      return -1;
    }
    snprintf(root, sizeof root, "%s/%s", data, def->dir);
    snprintf(suite, sizeof suite, "%s", def->name);
    snprintf(opath, sizeof opath, "%s/optima/%s", data, def->optima);
    if (vmpb_optima_load(&opt, opath, oerr) && warn)
      fprintf(warn, "vmplace-bench: warning: suite %s: no best-known values "
              "(%s)\n", def->name, oerr);
    rc = 0;
    if (!is_dir(root)) {
      vmpb_errf(err, "suite %s: %s is not a directory (is --data right?)",
                def->name, root);
      rc = -1;
    }
  }
  if (!rc)
    rc = add_files(l, suite, root, def, &opt, have_re ? &re : NULL,
                   sel->limit, err);
  vmpb_optima_free(&opt);
  if (have_re) regfree(&re);
  return rc;
}
