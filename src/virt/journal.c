/*
 * The apply journal (docs/libvirt.md, "Journal").  It is what lets a re-run
 * tell a half-made copy that vmplace created (safe to remove) from one that
 * somebody else made (left alone), and it is an audit trail.  Where each
 * domain really is always comes from libvirt, never from the journal.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "readers.h"
#include "virt_impl.h"

static int plan_id(const vmp_plan *pl, char out[17]) {
  char *text = NULL;
  int rc = vmp_plan_to_json(pl, &text);
  if (rc) return rc;
  snprintf(out, 17, "%016llx",
           (unsigned long long)vmp__hash_bytes(text, strlen(text), 0x766d706c616e6a31ULL));
  free(text);
  return VMP_OK;
}

/* Applies one line of an existing journal. */
static int read_line(vmp__journal *j, const char *path, size_t lineno, const char *line,
                     size_t len) {
  json_error_t err;
  json_t *o = json_loadb(line, len, 0, &err), *v;
  int rc = VMP_OK;
  if (!o || !json_is_object(o)) {
    json_decref(o);
    return vmp__error(VMP_EPARSE, "%s: line %zu: not a journal record", path, lineno);
  }
  if (lineno == 1) {
    const char *id = json_string_value(json_object_get(o, "plan"));
    v = json_object_get(o, "vmplace_journal");
    if (!json_is_integer(v) || json_integer_value(v) != 1 || !id)
      rc = vmp__error(VMP_EPARSE, "%s: line 1: not a vmplace journal", path);
    else if (strcmp(id, j->plan_id) ||
             json_integer_value(json_object_get(o, "steps")) != (json_int_t)j->nsteps)
      rc = vmp__error(VMP_ESTATE, "%s: the journal belongs to another plan (plan %s, this one "
                                  "is %s); remove it or apply the plan it belongs to",
                      path, id, j->plan_id);
  } else {
    const char *event = json_string_value(json_object_get(o, "event"));
    json_int_t step = json_integer_value(json_object_get(o, "step"));
    if (!event || step < 1 || step > (json_int_t)j->nsteps)
      rc = vmp__error(VMP_EPARSE, "%s: line %zu: expected a step number and an event", path,
                      lineno);
    else if (!strcmp(event, "begin"))
      j->begun[step - 1] = 1;
    else if (!strcmp(event, "done") || !strcmp(event, "already"))
      j->finished[step - 1] = 1;
  }
  json_decref(o);
  return rc;
}

/* 1 when data (no newline in it) is the start of a header record as
 * append() writes it. */
static int torn_header(const char *data, size_t len) {
  static const char head[] = "{\"vmplace_journal\":1,\"plan\":\"";
  size_t n = len < sizeof head - 1 ? len : sizeof head - 1;
  return memcmp(data, head, n) == 0;
}

/* Reads the records of an existing journal; *whole gets the length of its
 * complete lines. */
static int read_existing(vmp__journal *j, const char *path, size_t *whole) {
  char *data;
  size_t len, lineno = 0;
  int rc;
  *whole = 0;
  if (access(path, F_OK) != 0) return VMP_OK;
  if ((rc = vmp__read_file(path, &data, &len))) return rc;
  for (size_t start = 0; !rc && start < len;) {
    char *nl = memchr(data + start, '\n', len - start);
    /* A last line without its newline was torn by a crash while being
     * written: it never counted. */
    if (!nl) break;
    lineno++;
    if (nl > data + start) rc = read_line(j, path, lineno, data + start, (size_t)(nl - data - start));
    start = (size_t)(nl - data) + 1;
    *whole = start;
  }
  /* No whole line: the header itself was torn by a crash while the journal
   * was created -- an empty journal, like any torn last line (a file that
   * does not start like a header is refused: it is not ours to cut). */
  if (!rc && lineno == 0 && len > 0 && !torn_header(data, len))
    rc = vmp__error(VMP_EPARSE, "%s: not a vmplace journal", path);
  free(data);
  return rc;
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    buf += w;
    len -= (size_t)w;
  }
  return 0;
}

static int append(vmp__journal *j, json_t *o) {
  char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  size_t len;
  int rc = VMP_OK;
  if (!text) return vmp__enomem();
  len = strlen(text);
  text[len] = '\n'; /* json_dumps leaves room for the NUL we replace */
  if (write_all(j->fd, text, len + 1) || fsync(j->fd))
    rc = vmp__error(VMP_EIO, "journal: cannot write a record: %s", strerror(errno));
  free(text);
  return rc;
}

/* A new file's name must reach the disk too. */
static void sync_dir(const char *path) {
  char *copy = vmp__strdup(path);
  int fd;
  if (!copy) return;
  fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  free(copy);
}

int vmp__journal_open(vmp__journal *j, const char *path, const vmp_plan *pl, int write) {
  struct stat st;
  size_t whole;
  int rc;
  memset(j, 0, sizeof *j);
  j->fd = -1;
  j->nsteps = vmp_plan_num_steps(pl);
  j->begun = calloc(j->nsteps + 1, 1);
  j->finished = calloc(j->nsteps + 1, 1);
  if (!j->begun || !j->finished) return vmp__enomem();
  if (!path) return VMP_OK;
  if ((rc = plan_id(pl, j->plan_id)) || (rc = read_existing(j, path, &whole))) return rc;
  if (!write) return VMP_OK;
  j->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (j->fd < 0) return vmp__error(VMP_EIO, "%s: cannot open the journal: %s", path, strerror(errno));
  /* A record torn by a crash goes, so that the next one starts a line. */
  if (fstat(j->fd, &st) == 0 && (size_t)st.st_size > whole && ftruncate(j->fd, (off_t)whole))
    return vmp__error(VMP_EIO, "%s: cannot drop a torn record: %s", path, strerror(errno));
  if (fstat(j->fd, &st) == 0 && st.st_size == 0) {
    json_t *h = json_pack("{s:i, s:s, s:I}", "vmplace_journal", 1, "plan", j->plan_id, "steps",
                          (json_int_t)j->nsteps);
    if (!h) return vmp__enomem();
    rc = append(j, h);
    json_decref(h);
    if (rc) return vmp__error_prefix(rc, "%s", path);
    sync_dir(path);
  }
  return VMP_OK;
}

int vmp__journal_record(vmp__journal *j, size_t step, const char *vm, const char *event,
                        const char *method, const char *message) {
  char when[32];
  time_t now = time(NULL);
  struct tm tm;
  json_t *o;
  int rc;
  if (j->fd < 0) return VMP_OK;
  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "step", (json_int_t)step + 1, "vm", vm, "event",
                event, "method", method ? method : "", "time", when);
  if (!o) return vmp__enomem();
  if (message && message[0] && json_object_set_new(o, "message", json_string(message))) {
    json_decref(o);
    return vmp__enomem();
  }
  rc = append(j, o);
  json_decref(o);
  return rc;
}

void vmp__journal_close(vmp__journal *j) {
  if (j->fd >= 0) close(j->fd);
  free(j->begun);
  free(j->finished);
  memset(j, 0, sizeof *j);
  j->fd = -1;
}
