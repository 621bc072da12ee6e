/* ROADEF/EURO 2012 files -> the rebalancer's input, through the library
 * (see roadef_load.h). */
#include <stdlib.h>
#include <string.h>

#include "roadef_load.h"

void roadef_free(roadef *rd)
{
  if (!rd) return;
  vmp__rebalance_input_free(&rd->in);
  vmp__model_free(rd->cm);
  vmp_problem_free(rd->p);
  memset(rd, 0, sizeof *rd);
}

int roadef_load(roadef *rd, const char *model_path, const char *assign_path)
{
  int rc;
  memset(rd, 0, sizeof *rd);
  /* The reader's messages name the file already; the later steps' not. */
  if ((rc = vmp_problem_read_roadef(model_path, assign_path, &rd->p))) return rc;
  if (!(rc = vmp__model_compile(rd->p, &rd->cm)) &&
      !(rc = vmp__rebalance_from_model(rd->cm, &rd->in))) {
    rd->m = rd->in.r;
    rd->init = rd->m.init;
    return 0;
  }
  roadef_free(rd);
  return vmp__error_prefix(rc, "%s", model_path);
}

int roadef_read_solution(const roadef *rd, const char *path, int *a)
{
  vmp_solution *s;
  int rc = vmp_solution_read_roadef(rd->p, path, &s);
  if (rc) return rc;
  for (int v = 0; v < rd->m.nv; v++) a[v] = (int)vmp_solution_vm_host(s, (size_t)v);
  vmp_solution_free(s);
  return 0;
}

int roadef_write_solution(const roadef *rd, const char *path, const int *a)
{
  size_t n = (size_t)rd->m.nv, *host = malloc((n + 1) * sizeof *host);
  vmp_solution *s = NULL;
  int rc;
  if (!host) return vmp__enomem();
  for (size_t v = 0; v < n; v++) host[v] = (size_t)a[v];
  if (!(rc = vmp_evaluate(rd->p, host, &s))) rc = vmp_solution_write_roadef(s, path);
  vmp_solution_free(s);
  free(host);
  return rc;
}
