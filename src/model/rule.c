/*
 * The rule language (src/model/rule.h).
 *
 * The parser is hand-written recursive descent so that every error can name
 * the exact column and what was expected there.  It builds a flat,
 * position-independent expression in one allocation: operands, nodes, the
 * children of && and || and a string arena, addressed by index.  Cloning is
 * therefore a memcpy, and freeing is one free().
 *
 * && and || are n-ary nodes, so a long chain of them does not deepen the
 * tree; only '(' and '!' do, and they are capped at MAX_DEPTH, which bounds
 * the recursion of the parser, the evaluator and the explainer alike.
 *
 * Evaluation runs millions of times from compile.c.  Label values, names and
 * string literals all live in the problem's pool, so string equality is id
 * equality; label values are read as numbers only when a comparison needs a
 * number, with a fast exact path for short decimals.
 */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

#define MAX_DEPTH 256
/* Offsets and counts are uint32_t; far longer than any sane rule. */
#define MAX_TEXT ((size_t)1 << 28)
#define SNIP_MAX 40

enum { N_TRUE, N_FALSE, N_NOT, N_AND, N_OR, N_CMP, N_IN };
enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum {
  O_VM_LABEL,
  O_HOST_LABEL,
  O_VM_DEMAND,
  O_HOST_CAPACITY,
  O_VM_NAME,
  O_VM_PRIORITY,
  O_HOST_NAME,
  O_HOST_COST,
  O_STR,
  O_NUM
};

static const char *const op_text[] = {"==", "!=", "<", "<=", ">", ">="};

typedef struct node {
  uint8_t kind;
  uint8_t op;
  /* N_NOT: a = child node.  N_AND/N_OR: kids[a .. a+n).
   * N_CMP: operands a and b.  N_IN: operand a, values ops[b .. b+n). */
  uint32_t a, b, n;
} node;

typedef struct operand {
  uint8_t kind;
  uint8_t numeric;   /* O_STR: the literal reads as a number, held in num */
  uint32_t id;       /* label key id, resource index, literal string id */
  uint32_t text;     /* arena offset of the key, resource or literal text */
  uint32_t len;
  double num;        /* O_NUM, and O_STR when numeric */
} operand;

struct vmp__expr {
  size_t size;       /* bytes of the whole block, for clone */
  operand *ops;
  node *nodes;
  uint32_t *kids;
  char *arena;
  uint32_t nops, nnodes, nkids, narena;
  uint32_t root;
  uint8_t uses_vm, uses_host;
};

/* ---- characters and numbers -------------------------------------------- */

/* ASCII only: <ctype.h> depends on the locale and on signed chars. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_ident(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
static int is_key_char(char c) { return is_ident(c) || c == '-'; }
static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
static int starts_number(char c) {
  return is_digit(c) || c == '.' || c == '+' || c == '-';
}

/* Length of the longest prefix of s that is a number of the language:
 * [+-] digits [. digits] [(e|E) [+-] digits], with at least one mantissa
 * digit; 0 when there is none.  No hex, inf or nan, unlike strtod. */
static size_t scan_number(const char *s) {
  size_t k = 0, digits = 0, mark;
  if (s[k] == '+' || s[k] == '-') k++;
  while (is_digit(s[k])) k++, digits++;
  if (s[k] == '.') {
    k++;
    while (is_digit(s[k])) k++, digits++;
  }
  if (!digits) return 0;
  if (s[k] == 'e' || s[k] == 'E') {
    mark = k++;
    if (s[k] == '+' || s[k] == '-') k++;
    if (!is_digit(s[k])) return mark;
    while (is_digit(s[k])) k++;
  }
  return k;
}

/* Powers of ten that a double holds exactly. */
static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Exact for up to 15 significant digits and a decimal exponent within
 * +-22: both factors are exact doubles, so one multiplication or division
 * rounds correctly.  Returns 0 when the fast path does not apply. */
static int convert_fast(const char *s, size_t n, double *out) {
  uint64_t m = 0;
  int sig = 0, neg = 0;
  long frac = 0, exp = 0, e10;
  size_t k = 0;
  int in_frac = 0;
  if (s[k] == '+' || s[k] == '-') neg = s[k++] == '-';
  for (; k < n && (is_digit(s[k]) || s[k] == '.'); k++) {
    if (s[k] == '.') {
      in_frac = 1;
      continue;
    }
    if (m || s[k] != '0') {
      if (++sig > 15) return 0;
      m = m * 10 + (uint64_t)(s[k] - '0');
    }
    if (in_frac) frac++;
  }
  if (k < n) {
    int eneg = 0;
    k++; /* e or E */
    if (s[k] == '+' || s[k] == '-') eneg = s[k++] == '-';
    for (; k < n; k++) {
      if (exp > 1000) return 0;
      exp = exp * 10 + (s[k] - '0');
    }
    if (eneg) exp = -exp;
  }
  e10 = exp - frac;
  if (m == 0) {
    *out = neg ? -0.0 : 0.0;
    return 1;
  }
  if (e10 < -22 || e10 > 22) return 0;
  *out = e10 >= 0 ? (double)m * pow10_exact[e10] : (double)m / pow10_exact[-e10];
  if (neg) *out = -*out;
  return 1;
}

/* strtod follows LC_NUMERIC, but the language always writes '.': retries
 * s[0..n) with '.' replaced by the locale's decimal point. */
static double strtod_any_locale(const char *s, size_t n) {
  const char *dp = localeconv()->decimal_point;
  size_t dn = dp ? strlen(dp) : 0, w = 0;
  char local[64], *copy, *end;
  double v;
  if (!dn || dn > 4) return NAN;
  copy = n * dn + 1 <= sizeof local ? local : malloc(n * dn + 1);
  if (!copy) return NAN;
  for (size_t k = 0; k < n; k++) {
    if (s[k] == '.') {
      memcpy(copy + w, dp, dn);
      w += dn;
    } else {
      copy[w++] = s[k];
    }
  }
  copy[w] = '\0';
  v = strtod(copy, &end);
  if (*end) v = NAN;
  if (copy != local) free(copy);
  return v;
}

/* Converts s[0..n), which scan_number accepted and which no digit, letter
 * or '.' follows (so strtod stops where the scanner did).  0 when the value
 * is not finite. */
static int convert_number(const char *s, size_t n, double *out) {
  char *end;
  double v;
  if (convert_fast(s, n, out)) return 1;
  v = strtod(s, &end);
  if (end != s + n) v = strtod_any_locale(s, n);
  if (!isfinite(v)) return 0;
  *out = v;
  return 1;
}

/* Reads a whole string (a label value, a name) as a number. */
static int read_number(const char *s, double *out) {
  size_t n = scan_number(s);
  if (!n || s[n]) return 0;
  return convert_number(s, n, out);
}

/* ---- the parser --------------------------------------------------------- */

typedef struct parser {
  const char *s;
  size_t pos;
  vmp_problem *p;
  int depth;
  size_t errpos;                /* SIZE_MAX: no column (out of memory) */
  operand *ops;
  size_t nops, cops;
  node *nodes;
  size_t nnodes, cnodes;
  uint32_t *kids;
  size_t nkids, ckids;
  uint32_t *stack;              /* children of the && / || being built */
  size_t nstack, cstack;
  char *arena;
  size_t narena, carena;
} parser;

/* Quotes at most SNIP_MAX bytes of source text in a message, so that hostile
 * input cannot flood it. */
#define snip(out, s, n) vmp__snip(out, SNIP_MAX, s, n)

static int perr(parser *ps, int code, size_t pos, const char *fmt, ...)
    VMP__PRINTF(4, 5);

static int perr(parser *ps, int code, size_t pos, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ps->errpos = pos;
  return vmp__error(code, "column %zu: %s", pos + 1, msg);
}

static void skip_ws(parser *ps) {
  while (is_space(ps->s[ps->pos])) ps->pos++;
}

static size_t read_ident(parser *ps) {
  size_t start = ps->pos;
  if (!is_alpha(ps->s[ps->pos]) && ps->s[ps->pos] != '_') return 0;
  while (is_ident(ps->s[ps->pos])) ps->pos++;
  return ps->pos - start;
}

static int word_is(const char *s, size_t n, const char *w) {
  return strlen(w) == n && !memcmp(s, w, n);
}

static int arena_add(parser *ps, const char *s, size_t n) {
  if (vmp__grow(&ps->arena, &ps->carena, ps->narena + n + 1, 1))
    return VMP_ENOMEM;
  memcpy(ps->arena + ps->narena, s, n);
  ps->narena += n;
  ps->arena[ps->narena] = '\0';
  return 0;
}

static int new_operand(parser *ps, int kind, uint32_t *idx) {
  operand *o;
  if (vmp__grow(&ps->ops, &ps->cops, ps->nops + 1, sizeof *ps->ops))
    return VMP_ENOMEM;
  o = &ps->ops[ps->nops];
  memset(o, 0, sizeof *o);
  o->kind = (uint8_t)kind;
  *idx = (uint32_t)ps->nops++;
  return 0;
}

static int new_node(parser *ps, int kind, uint32_t *idx) {
  node *n;
  if (vmp__grow(&ps->nodes, &ps->cnodes, ps->nnodes + 1, sizeof *ps->nodes))
    return VMP_ENOMEM;
  n = &ps->nodes[ps->nnodes];
  memset(n, 0, sizeof *n);
  n->kind = (uint8_t)kind;
  *idx = (uint32_t)ps->nnodes++;
  return 0;
}

/* A double-quoted string at ps->pos, unescaped and NUL-terminated in the
 * arena at *off (length *len). */
static int parse_string(parser *ps, uint32_t *off, uint32_t *len) {
  size_t open = ps->pos, start = ps->narena;
  int rc;
  ps->pos++;
  /* Even "" needs its NUL in the arena. */
  if ((rc = arena_add(ps, "", 0))) return rc;
  for (;;) {
    const char *c = ps->s + ps->pos;
    size_t run = 0;
    while (c[run] && c[run] != '"' && c[run] != '\\') run++;
    if (run && (rc = arena_add(ps, c, run))) return rc;
    ps->pos += run;
    c += run;
    if (!c[0]) return perr(ps, VMP_EPARSE, open, "unterminated string");
    if (c[0] == '"') break;
    switch (c[1]) {
      case '"': rc = arena_add(ps, "\"", 1); break;
      case '\\': rc = arena_add(ps, "\\", 1); break;
      case 'n': rc = arena_add(ps, "\n", 1); break;
      case 't': rc = arena_add(ps, "\t", 1); break;
      case '\0': return perr(ps, VMP_EPARSE, open, "unterminated string");
      default:
        if ((unsigned char)c[1] >= 0x20 && (unsigned char)c[1] < 0x7f)
          return perr(ps, VMP_EPARSE, ps->pos,
                      "unknown escape '\\%c' (expected \\\", \\\\, \\n or "
                      "\\t)",
                      c[1]);
        return perr(ps, VMP_EPARSE, ps->pos,
                    "unknown escape: '\\' followed by byte 0x%02x",
                    (unsigned char)c[1]);
    }
    if (rc) return rc;
    ps->pos += 2;
  }
  ps->pos++;
  *off = (uint32_t)start;
  *len = (uint32_t)(ps->narena - start);
  ps->narena++; /* keep the terminating NUL */
  return 0;
}

static int parse_number(parser *ps, uint32_t *idx) {
  const char *s = ps->s + ps->pos;
  size_t n = scan_number(s), bad;
  char sn[SNIP_MAX + 4];
  double v;
  int rc;
  if (!n || is_ident(s[n]) || s[n] == '.') {
    for (bad = n; is_ident(s[bad]) || s[bad] == '.' ||
                  ((s[bad] == '+' || s[bad] == '-') && bad == 0);
         bad++) {
    }
    if (bad == 0) bad = 1;
    return perr(ps, VMP_EPARSE, ps->pos, "malformed number '%s'",
                snip(sn, s, bad));
  }
  if (!convert_number(s, n, &v))
    return perr(ps, VMP_EPARSE, ps->pos, "number out of range '%s'",
                snip(sn, s, n));
  if ((rc = new_operand(ps, O_NUM, idx))) return rc;
  ps->ops[*idx].num = v;
  ps->pos += n;
  return 0;
}

/* After "vm.labels" or "host.labels": ".key" or "[\"any key\"]". */
static int parse_label_key(parser *ps, const char *side, uint32_t *off,
                           uint32_t *len) {
  size_t start;
  int rc;
  if (ps->s[ps->pos] == '.') {
    start = ++ps->pos;
    while (is_key_char(ps->s[ps->pos])) ps->pos++;
    if (ps->pos == start)
      return perr(ps, VMP_EPARSE, ps->pos,
                  "expected a label key after '%s.labels.'", side);
    *off = (uint32_t)ps->narena;
    *len = (uint32_t)(ps->pos - start);
    if ((rc = arena_add(ps, ps->s + start, ps->pos - start))) return rc;
    ps->narena++;
    return 0;
  }
  if (ps->s[ps->pos] != '[')
    return perr(ps, VMP_EPARSE, ps->pos,
                "expected '.' or '[' after '%s.labels'", side);
  ps->pos++;
  skip_ws(ps);
  if (ps->s[ps->pos] != '"')
    return perr(ps, VMP_EPARSE, ps->pos,
                "expected a string after '%s.labels['", side);
  start = ps->pos;
  if ((rc = parse_string(ps, off, len))) return rc;
  /* Labels never have an empty key, so such a rule is surely a mistake. */
  if (*len == 0) return perr(ps, VMP_EPARSE, start, "empty label key");
  skip_ws(ps);
  if (ps->s[ps->pos] != ']')
    return perr(ps, VMP_EPARSE, ps->pos, "expected ']' after the label key");
  ps->pos++;
  return 0;
}

/* After "vm.demand" or "host.capacity": ".resource". */
static int parse_resource(parser *ps, const char *what, uint32_t *idx) {
  size_t start, n;
  uint32_t off, r = 0;
  char sn[SNIP_MAX + 4];
  int rc;
  if (ps->s[ps->pos] != '.')
    return perr(ps, VMP_EPARSE, ps->pos, "expected '.' after '%s'", what);
  start = ++ps->pos;
  n = read_ident(ps);
  if (!n)
    return perr(ps, VMP_EPARSE, ps->pos,
                "expected a resource name after '%s.'", what);
  off = (uint32_t)ps->narena;
  if ((rc = arena_add(ps, ps->s + start, n))) return rc;
  ps->narena++;
  if (ps->p && !vmp__strmap_get(&ps->p->res_index, ps->arena + off, &r))
    return perr(ps, VMP_ENOTFOUND, start, "unknown resource '%s' in '%s.%s'",
                snip(sn, ps->s + start, n), what, ps->arena + off);
  ps->ops[*idx].id = r;
  ps->ops[*idx].text = off;
  ps->ops[*idx].len = (uint32_t)n;
  return 0;
}

/* vm.* or host.* */
static int parse_path(parser *ps, uint32_t *idx) {
  static const char *const vm_fields = "labels, demand, name or priority";
  static const char *const host_fields = "labels, capacity, name or cost";
  size_t start = ps->pos, n, fstart;
  const char *side, *f;
  char sn[SNIP_MAX + 4];
  int is_vm, kind, rc;

  n = read_ident(ps);
  if (word_is(ps->s + start, n, "vm"))
    is_vm = 1;
  else if (word_is(ps->s + start, n, "host"))
    is_vm = 0;
  else
    return perr(ps, VMP_EPARSE, start, "unknown operand '%s'",
                snip(sn, ps->s + start, n));
  side = is_vm ? "vm" : "host";
  if (ps->s[ps->pos] != '.')
    return perr(ps, VMP_EPARSE, ps->pos, "expected '.' after '%s'", side);
  fstart = ++ps->pos;
  n = read_ident(ps);
  f = ps->s + fstart;
  if (!n)
    return perr(ps, VMP_EPARSE, ps->pos, "expected %s after '%s.'",
                is_vm ? vm_fields : host_fields, side);
  if (word_is(f, n, "labels"))
    kind = is_vm ? O_VM_LABEL : O_HOST_LABEL;
  else if (word_is(f, n, "name"))
    kind = is_vm ? O_VM_NAME : O_HOST_NAME;
  else if (is_vm && word_is(f, n, "demand"))
    kind = O_VM_DEMAND;
  else if (is_vm && word_is(f, n, "priority"))
    kind = O_VM_PRIORITY;
  else if (!is_vm && word_is(f, n, "capacity"))
    kind = O_HOST_CAPACITY;
  else if (!is_vm && word_is(f, n, "cost"))
    kind = O_HOST_COST;
  else
    return perr(ps, VMP_EPARSE, start, "unknown operand '%s' (expected %s)",
                snip(sn, ps->s + start, ps->pos - start),
                is_vm ? "vm.labels, vm.demand, vm.name or vm.priority"
                      : "host.labels, host.capacity, host.name or "
                        "host.cost");
  if ((rc = new_operand(ps, kind, idx))) return rc;
  if (kind == O_VM_LABEL || kind == O_HOST_LABEL) {
    uint32_t off = 0, len = 0;
    if ((rc = parse_label_key(ps, side, &off, &len))) return rc;
    ps->ops[*idx].text = off;
    ps->ops[*idx].len = len;
    if (ps->s[ps->pos] == '.')
      return perr(ps, VMP_EPARSE, ps->pos,
                  "unexpected '.' after '%s' (a key that holds '.' is "
                  "written %s.labels[\"...\"])",
                  snip(sn, ps->s + start, ps->pos - start), side);
  } else if (kind == O_VM_DEMAND || kind == O_HOST_CAPACITY) {
    if ((rc = parse_resource(ps, is_vm ? "vm.demand" : "host.capacity", idx)))
      return rc;
  }
  if (ps->s[ps->pos] == '.' || ps->s[ps->pos] == '[')
    return perr(ps, VMP_EPARSE, ps->pos, "unexpected '%c' after '%s'",
                ps->s[ps->pos], snip(sn, ps->s + start, ps->pos - start));
  return 0;
}

static int parse_operand(parser *ps, uint32_t *idx) {
  char c = ps->s[ps->pos];
  int rc;
  if (c == '"') {
    uint32_t off = 0, len = 0;
    operand *o;
    if ((rc = parse_string(ps, &off, &len)) ||
        (rc = new_operand(ps, O_STR, idx)))
      return rc;
    o = &ps->ops[*idx];
    o->text = off;
    o->len = len;
    o->numeric = (uint8_t)read_number(ps->arena + off, &o->num);
    return 0;
  }
  if (starts_number(c)) return parse_number(ps, idx);
  return parse_path(ps, idx);
}

static int can_start_operand(char c) {
  return c == '"' || starts_number(c) || is_alpha(c) || c == '_';
}

/* "in" "[" value ("," value)* "]", after the operand lhs. */
static int parse_in(parser *ps, uint32_t lhs, uint32_t *out) {
  size_t open;
  uint32_t n = 0, idx;
  const char *after = "[";
  int rc;
  ps->pos += 2;
  skip_ws(ps);
  if (ps->s[ps->pos] != '[')
    return perr(ps, VMP_EPARSE, ps->pos, "expected '[' after 'in'");
  open = ps->pos++;
  for (;;) {
    char c;
    skip_ws(ps);
    c = ps->s[ps->pos];
    if (c == '"' || starts_number(c)) {
      if ((rc = parse_operand(ps, &idx))) return rc;
    } else if (is_alpha(c) || c == '_') {
      return perr(ps, VMP_EPARSE, ps->pos,
                  "only strings and numbers may appear in a list");
    } else {
      return perr(ps, VMP_EPARSE, ps->pos, "expected a value after '%s'",
                  after);
    }
    n++;
    skip_ws(ps);
    c = ps->s[ps->pos];
    if (c == ']') break;
    if (c == ',') {
      ps->pos++;
      after = ",";
      continue;
    }
    if (!c)
      return perr(ps, VMP_EPARSE, ps->pos,
                  "expected ']' to close '[' at column %zu", open + 1);
    return perr(ps, VMP_EPARSE, ps->pos, "expected ',' or ']' in the list");
  }
  ps->pos++;
  if ((rc = new_node(ps, N_IN, out))) return rc;
  ps->nodes[*out].a = lhs;
  ps->nodes[*out].b = lhs + 1; /* the values follow lhs in ops */
  ps->nodes[*out].n = n;
  return 0;
}

static int scan_cmpop(const char *s, int *op) {
  if (s[0] == '=' && s[1] == '=') return *op = OP_EQ, 2;
  if (s[0] == '!' && s[1] == '=') return *op = OP_NE, 2;
  if (s[0] == '<' && s[1] == '=') return *op = OP_LE, 2;
  if (s[0] == '>' && s[1] == '=') return *op = OP_GE, 2;
  if (s[0] == '<') return *op = OP_LT, 1;
  if (s[0] == '>') return *op = OP_GT, 1;
  return 0;
}

static int parse_comparison(parser *ps, uint32_t *out) {
  size_t start = ps->pos, end;
  uint32_t lhs, rhs;
  char sn[SNIP_MAX + 4];
  const char *s;
  int op = OP_EQ, w, rc;
  if ((rc = parse_operand(ps, &lhs))) return rc;
  end = ps->pos;
  skip_ws(ps);
  s = ps->s + ps->pos;
  if (s[0] == 'i' && s[1] == 'n' && !is_ident(s[2]))
    return parse_in(ps, lhs, out);
  if (!(w = scan_cmpop(s, &op))) {
    if (s[0] == '=')
      return perr(ps, VMP_EPARSE, ps->pos, "expected '==' instead of '='");
    return perr(ps, VMP_EPARSE, ps->pos,
                "expected ==, !=, <, <=, >, >= or in after '%s'",
                snip(sn, ps->s + start, end - start));
  }
  ps->pos += (size_t)w;
  skip_ws(ps);
  if (!can_start_operand(ps->s[ps->pos]))
    return perr(ps, VMP_EPARSE, ps->pos, "expected a value after '%s'",
                op_text[op]);
  if ((rc = parse_operand(ps, &rhs))) return rc;
  if ((rc = new_node(ps, N_CMP, out))) return rc;
  ps->nodes[*out].op = (uint8_t)op;
  ps->nodes[*out].a = lhs;
  ps->nodes[*out].b = rhs;
  return 0;
}

static int parse_binary(parser *ps, int kind, const char *after,
                        uint32_t *out);

static int expected_expression(parser *ps, const char *after) {
  if (after)
    return perr(ps, VMP_EPARSE, ps->pos, "expected an expression after '%s'",
                after);
  return perr(ps, VMP_EPARSE, ps->pos, "expected an expression");
}

static int parse_primary(parser *ps, const char *after, uint32_t *out) {
  const char *s;
  size_t n;
  int rc;
  skip_ws(ps);
  s = ps->s + ps->pos;
  if (s[0] == '(') {
    size_t open = ps->pos;
    if (++ps->depth > MAX_DEPTH)
      return perr(ps, VMP_EPARSE, open, "nesting deeper than %d", MAX_DEPTH);
    ps->pos++;
    if ((rc = parse_binary(ps, N_OR, "(", out))) return rc;
    ps->depth--;
    skip_ws(ps);
    if (ps->s[ps->pos] != ')')
      return perr(ps, VMP_EPARSE, ps->pos,
                  "expected ')' to close '(' at column %zu", open + 1);
    ps->pos++;
    return 0;
  }
  for (n = 0; is_ident(s[n]); n++) {
  }
  if (word_is(s, n, "true") || word_is(s, n, "false")) {
    if ((rc = new_node(ps, s[0] == 't' ? N_TRUE : N_FALSE, out))) return rc;
    ps->pos += n;
    return 0;
  }
  if (!can_start_operand(s[0])) return expected_expression(ps, after);
  return parse_comparison(ps, out);
}

static int parse_not(parser *ps, const char *after, uint32_t *out) {
  uint32_t child;
  int rc;
  skip_ws(ps);
  if (ps->s[ps->pos] != '!') return parse_primary(ps, after, out);
  if (++ps->depth > MAX_DEPTH)
    return perr(ps, VMP_EPARSE, ps->pos, "nesting deeper than %d", MAX_DEPTH);
  ps->pos++;
  if ((rc = parse_not(ps, "!", &child))) return rc;
  ps->depth--;
  if ((rc = new_node(ps, N_NOT, out))) return rc;
  ps->nodes[*out].a = child;
  return 0;
}

/* kind N_OR: and ("||" and)*;  kind N_AND: not ("&&" not)*.
 * The operands collect on ps->stack (nested calls push and pop above
 * them), then move to kids as one contiguous run. */
static int parse_binary(parser *ps, int kind, const char *after,
                        uint32_t *out) {
  const char tok = kind == N_OR ? '|' : '&';
  const char *tok_text = kind == N_OR ? "||" : "&&";
  size_t base = ps->nstack, n;
  uint32_t child;
  int rc;
  for (;;) {
    rc = kind == N_OR ? parse_binary(ps, N_AND, after, &child)
                      : parse_not(ps, after, &child);
    if (rc) return rc;
    if (vmp__grow(&ps->stack, &ps->cstack, ps->nstack + 1, sizeof *ps->stack))
      return VMP_ENOMEM;
    ps->stack[ps->nstack++] = child;
    skip_ws(ps);
    if (ps->s[ps->pos] != tok) break;
    if (ps->s[ps->pos + 1] != tok)
      return perr(ps, VMP_EPARSE, ps->pos, "expected '%s' instead of '%c'",
                  tok_text, tok);
    ps->pos += 2;
    after = tok_text;
  }
  n = ps->nstack - base;
  if (n == 1) {
    *out = ps->stack[base];
    ps->nstack = base;
    return 0;
  }
  if (vmp__grow(&ps->kids, &ps->ckids, ps->nkids + n, sizeof *ps->kids) ||
      new_node(ps, kind, out))
    return VMP_ENOMEM;
  memcpy(ps->kids + ps->nkids, ps->stack + base, n * sizeof *ps->kids);
  ps->nodes[*out].a = (uint32_t)ps->nkids;
  ps->nodes[*out].n = (uint32_t)n;
  ps->nkids += n;
  ps->nstack = base;
  return 0;
}

/* Interns label keys and string literals once the whole text parsed, so
 * that a failed parse leaves the pool untouched.  A literal "" is interned
 * as "\x01", the way problem.c stores an empty label value. */
static int bind(parser *ps) {
  for (size_t k = 0; k < ps->nops; k++) {
    operand *o = &ps->ops[k];
    int rc = 0;
    if (o->kind == O_VM_LABEL || o->kind == O_HOST_LABEL)
      rc = vmp__pool_intern(&ps->p->pool, ps->arena + o->text, &o->id);
    else if (o->kind == O_STR && o->len)
      rc = vmp__pool_intern(&ps->p->pool, ps->arena + o->text, &o->id);
    else if (o->kind == O_STR)
      rc = vmp__pool_intern(&ps->p->pool, "\x01", &o->id);
    if (rc) return rc;
  }
  return 0;
}

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Points the arrays of a block at their places; the layout depends only on
 * the counts, so a memcpy'd clone is fixed up the same way. */
static void layout(vmp__expr *e) {
  char *base = (char *)e;
  size_t off = align8(sizeof *e);
  e->ops = (operand *)(base + off);
  off = align8(off + e->nops * sizeof(operand));
  e->nodes = (node *)(base + off);
  off = align8(off + e->nnodes * sizeof(node));
  e->kids = (uint32_t *)(base + off);
  off += e->nkids * sizeof(uint32_t);
  e->arena = base + off;
}

static size_t block_size(size_t nops, size_t nnodes, size_t nkids,
                         size_t narena) {
  size_t off = align8(sizeof(vmp__expr));
  off = align8(off + nops * sizeof(operand));
  off = align8(off + nnodes * sizeof(node));
  return off + nkids * sizeof(uint32_t) + narena + 1;
}

static int pack(parser *ps, uint32_t root, vmp__expr **out) {
  size_t size = block_size(ps->nops, ps->nnodes, ps->nkids, ps->narena);
  vmp__expr *e = malloc(size);
  if (!e) return vmp__enomem();
  memset(e, 0, sizeof *e);
  e->size = size;
  e->nops = (uint32_t)ps->nops;
  e->nnodes = (uint32_t)ps->nnodes;
  e->nkids = (uint32_t)ps->nkids;
  e->narena = (uint32_t)ps->narena;
  e->root = root;
  layout(e);
  if (ps->nops) memcpy(e->ops, ps->ops, ps->nops * sizeof(operand));
  memcpy(e->nodes, ps->nodes, ps->nnodes * sizeof(node));
  if (ps->nkids) memcpy(e->kids, ps->kids, ps->nkids * sizeof(uint32_t));
  if (ps->narena) memcpy(e->arena, ps->arena, ps->narena);
  e->arena[ps->narena] = '\0';
  for (size_t k = 0; k < ps->nops; k++) {
    switch (ps->ops[k].kind) {
      case O_VM_LABEL: case O_VM_DEMAND: case O_VM_NAME: case O_VM_PRIORITY:
        e->uses_vm = 1;
        break;
      case O_HOST_LABEL: case O_HOST_CAPACITY: case O_HOST_NAME:
      case O_HOST_COST:
        e->uses_host = 1;
        break;
      default:
        break;
    }
  }
  *out = e;
  return 0;
}

int vmp__expr_parse(vmp_problem *p, const char *text, vmp__expr **out,
                    size_t *column) {
  parser ps;
  uint32_t root = 0;
  int rc;
  if (out) *out = NULL;
  if (column) *column = 0;
  if (!text) return vmp__error(VMP_EINVAL, "expression is NULL");
  memset(&ps, 0, sizeof ps);
  ps.s = text;
  ps.p = p;
  ps.errpos = SIZE_MAX;
  if (strlen(text) > MAX_TEXT) {
    rc = perr(&ps, VMP_EPARSE, 0, "expression longer than %zu bytes",
              MAX_TEXT);
  } else if (!(rc = parse_binary(&ps, N_OR, NULL, &root))) {
    skip_ws(&ps);
    if (ps.s[ps.pos] == ')')
      rc = perr(&ps, VMP_EPARSE, ps.pos, "unmatched ')'");
    else if (ps.s[ps.pos])
      rc = perr(&ps, VMP_EPARSE, ps.pos,
                "unexpected text after the expression");
  }
  if (!rc && p && out && !(rc = bind(&ps))) rc = pack(&ps, root, out);
  if (rc && column && ps.errpos != SIZE_MAX) *column = ps.errpos + 1;
  VMP__FREE_ALL(ps.ops, ps.nodes, ps.kids, ps.stack, ps.arena);
  return rc;
}

int vmp_rule_check(const char *expr, size_t *column) {
  if (column) *column = 0;
  if (!expr) return vmp__error(VMP_EINVAL, "vmp_rule_check: expr is NULL");
  return vmp__expr_parse(NULL, expr, NULL, column);
}

void vmp__expr_free(vmp__expr *e) { free(e); }

int vmp__expr_clone(const vmp__expr *e, vmp__expr **out) {
  vmp__expr *c;
  if (!out) return vmp__error(VMP_EINVAL, "vmp__expr_clone: out is NULL");
  *out = NULL;
  if (!e) return 0;
  c = malloc(e->size);
  if (!c) return vmp__enomem();
  memcpy(c, e, e->size);
  layout(c);
  *out = c;
  return 0;
}

/* ---- evaluation --------------------------------------------------------- */

enum { V_ABSENT, V_STR, V_NUM };

/* An operand's value for one (vm, host).  Strings are pool ids (literals
 * also carry their text, so that they work without a pool); the number a
 * string reads as is worked out only when a comparison asks for it. */
typedef struct val {
  int kind;
  int numeric;        /* V_STR: -1 not read yet, 0 not a number, 1 in num */
  uint32_t id;
  const char *s;      /* V_STR: the text, or NULL until needed */
  double num;
} val;

/* Label values store "" as "\x01" (problem.c); names never hold it. */
static const char *pool_text(const vmp_problem *p, uint32_t id) {
  const char *s = vmp__pool_str(&p->pool, id);
  return (s[0] == '\x01' && !s[1]) ? "" : s;
}

static void set_str(val *v, uint32_t id) {
  v->kind = id ? V_STR : V_ABSENT;
  v->numeric = -1;
  v->id = id;
  v->s = NULL;
}

static void set_num(val *v, double x) {
  v->kind = V_NUM;
  v->num = x;
}

static void fetch(const vmp__expr *e, const operand *o, const vmp_problem *p,
                  uint32_t vm, uint32_t host, val *v) {
  int vm_ok = p && vm < p->nvms, host_ok = p && host < p->nhosts;
  v->kind = V_ABSENT;
  switch (o->kind) {
    case O_VM_LABEL:
      if (vm_ok) set_str(v, vmp__labels_get(&p->vm_labels[vm], o->id));
      break;
    case O_HOST_LABEL:
      if (host_ok) set_str(v, vmp__labels_get(&p->host_labels[host], o->id));
      break;
    case O_VM_DEMAND:
      if (vm_ok && o->id < p->nres)
        set_num(v, p->vm_demand[(size_t)vm * p->nres + o->id]);
      break;
    case O_HOST_CAPACITY:
      if (host_ok && o->id < p->nres)
        set_num(v, p->host_capacity[(size_t)host * p->nres + o->id]);
      break;
    case O_VM_NAME:
      if (vm_ok) set_str(v, p->vm_name[vm]);
      break;
    case O_HOST_NAME:
      if (host_ok) set_str(v, p->host_name[host]);
      break;
    case O_VM_PRIORITY:
      if (vm_ok) set_num(v, (double)p->vm_priority[vm]);
      break;
    case O_HOST_COST:
      if (host_ok) set_num(v, p->host_cost[host]);
      break;
    case O_STR:
      v->kind = V_STR;
      v->id = o->id;
      v->s = e->arena + o->text;
      v->numeric = o->numeric;
      v->num = o->num;
      break;
    case O_NUM:
      set_num(v, o->num);
      break;
    default:
      break;
  }
}

static const char *val_text(const vmp_problem *p, val *v) {
  if (!v->s) v->s = p ? pool_text(p, v->id) : "";
  return v->s;
}

static int as_number(const vmp_problem *p, val *v) {
  if (v->kind == V_NUM) return 1;
  if (v->numeric < 0) v->numeric = read_number(val_text(p, v), &v->num);
  return v->numeric;
}

static int order(int op, int c) {
  switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
  }
}

/* The semantics of rule.h: absent makes every comparison false but "!=";
 * two strings compare as strings (by id for equality: one pool holds them
 * all); otherwise both sides must read as numbers. */
static int compare(const vmp_problem *p, int op, val *a, val *b) {
  if (a->kind == V_ABSENT || b->kind == V_ABSENT) return op == OP_NE;
  if (a->kind == V_STR && b->kind == V_STR) {
    if ((op == OP_EQ || op == OP_NE) && a->id && b->id)
      return (a->id == b->id) == (op == OP_EQ);
    return order(op, strcmp(val_text(p, a), val_text(p, b)));
  }
  if (!as_number(p, a) || !as_number(p, b)) return 0;
  return order(op, (a->num > b->num) - (a->num < b->num));
}

static int eval_in(const vmp__expr *e, const node *n, const vmp_problem *p,
                   uint32_t vm, uint32_t host) {
  val lhs, v;
  fetch(e, &e->ops[n->a], p, vm, host, &lhs);
  if (lhs.kind == V_ABSENT) return 0;
  for (uint32_t k = 0; k < n->n; k++) {
    fetch(e, &e->ops[n->b + k], p, vm, host, &v);
    if (compare(p, OP_EQ, &lhs, &v)) return 1;
  }
  return 0;
}

static int eval_node(const vmp__expr *e, uint32_t i, const vmp_problem *p,
                     uint32_t vm, uint32_t host) {
  const node *n = &e->nodes[i];
  val a, b;
  switch (n->kind) {
    case N_TRUE: return 1;
    case N_FALSE: return 0;
    case N_NOT: return !eval_node(e, n->a, p, vm, host);
    case N_AND:
      for (uint32_t k = 0; k < n->n; k++)
        if (!eval_node(e, e->kids[n->a + k], p, vm, host)) return 0;
      return 1;
    case N_OR:
      for (uint32_t k = 0; k < n->n; k++)
        if (eval_node(e, e->kids[n->a + k], p, vm, host)) return 1;
      return 0;
    case N_CMP:
      fetch(e, &e->ops[n->a], p, vm, host, &a);
      fetch(e, &e->ops[n->b], p, vm, host, &b);
      return compare(p, n->op, &a, &b);
    case N_IN: return eval_in(e, n, p, vm, host);
    default: return 0;
  }
}

/* A NULL expression is the empty `when`, which always holds. */
int vmp__expr_eval(const vmp__expr *e, const vmp_problem *p, uint32_t vm,
                   uint32_t host) {
  if (!e) return 1;
  return eval_node(e, e->root, p, vm, host);
}

/* ---- operands read ------------------------------------------------------ */

void vmp__refs_init(vmp__refs *r) { memset(r, 0, sizeof *r); }

void vmp__refs_free(vmp__refs *r) {
  if (!r) return;
  free(r->vm_keys);
  free(r->host_keys);
  vmp__refs_init(r);
}

static int add_key(uint32_t **keys, size_t *n, size_t *cap, uint32_t id) {
  for (size_t k = 0; k < *n; k++)
    if ((*keys)[k] == id) return 0;
  if (vmp__grow(keys, cap, *n + 1, sizeof **keys)) return VMP_ENOMEM;
  (*keys)[(*n)++] = id;
  return 0;
}

int vmp__expr_refs(const vmp__expr *e, vmp__refs *r) {
  if (!e || !r) return 0;
  for (uint32_t k = 0; k < e->nops; k++) {
    const operand *o = &e->ops[k];
    int rc = 0;
    switch (o->kind) {
      case O_VM_LABEL:
        rc = add_key(&r->vm_keys, &r->n_vm_keys, &r->cap_vm_keys, o->id);
        break;
      case O_HOST_LABEL:
        rc = add_key(&r->host_keys, &r->n_host_keys, &r->cap_host_keys, o->id);
        break;
      case O_VM_DEMAND:
        if (o->id < 64) r->vm_demand |= (uint64_t)1 << o->id;
        break;
      case O_HOST_CAPACITY:
        if (o->id < 64) r->host_capacity |= (uint64_t)1 << o->id;
        break;
      case O_VM_NAME: r->vm_name = 1; break;
      case O_VM_PRIORITY: r->vm_priority = 1; break;
      case O_HOST_NAME: r->host_name = 1; break;
      case O_HOST_COST: r->host_cost = 1; break;
      default: break;
    }
    if (rc) return rc;
  }
  return 0;
}

int vmp__expr_uses_vm(const vmp__expr *e) { return e ? e->uses_vm : 0; }

int vmp__expr_uses_host(const vmp__expr *e) { return e ? e->uses_host : 0; }

/* ---- explanations ------------------------------------------------------- */

typedef struct explainer {
  const vmp__expr *e;
  const vmp_problem *p;
  uint32_t vm, host;
  vmp__buf *out;
  vmp__buf fact;          /* the fact being written */
  size_t *off, *len;      /* facts already written, to skip repeats */
  size_t nfacts, cap_off, cap_len;
} explainer;

static void put_quoted(vmp__buf *b, const char *s) {
  vmp__buf_add(b, "\"", 1);
  for (;;) {
    size_t run = 0;
    while ((unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\' &&
           s[run] != 0x7f)
      run++;
    vmp__buf_add(b, s, run);
    s += run;
    if (!*s) break;
    switch (*s) {
      case '"': vmp__buf_puts(b, "\\\""); break;
      case '\\': vmp__buf_puts(b, "\\\\"); break;
      case '\n': vmp__buf_puts(b, "\\n"); break;
      case '\t': vmp__buf_puts(b, "\\t"); break;
      default: vmp__buf_printf(b, "\\x%02x", (unsigned char)*s); break;
    }
    s++;
  }
  vmp__buf_add(b, "\"", 1);
}

static void put_label_name(vmp__buf *b, const char *side, const char *key) {
  size_t k = 0;
  while (is_key_char(key[k])) k++;
  vmp__buf_printf(b, "%s.labels", side);
  if (k && !key[k]) {
    vmp__buf_printf(b, ".%s", key);
  } else {
    vmp__buf_add(b, "[", 1);
    put_quoted(b, key);
    vmp__buf_add(b, "]", 1);
  }
}

static void put_operand_name(vmp__buf *b, const vmp__expr *e,
                             const operand *o) {
  const char *t = e->arena + o->text;
  switch (o->kind) {
    case O_VM_LABEL: put_label_name(b, "vm", t); break;
    case O_HOST_LABEL: put_label_name(b, "host", t); break;
    case O_VM_DEMAND: vmp__buf_printf(b, "vm.demand.%s", t); break;
    case O_HOST_CAPACITY: vmp__buf_printf(b, "host.capacity.%s", t); break;
    case O_VM_NAME: vmp__buf_puts(b, "vm.name"); break;
    case O_VM_PRIORITY: vmp__buf_puts(b, "vm.priority"); break;
    case O_HOST_NAME: vmp__buf_puts(b, "host.name"); break;
    case O_HOST_COST: vmp__buf_puts(b, "host.cost"); break;
    default: break;
  }
}

static void put_value(vmp__buf *b, const vmp_problem *p, val *v) {
  char num[32];
  if (v->kind == V_ABSENT)
    vmp__buf_puts(b, "absent");
  else if (v->kind == V_NUM)
    vmp__buf_puts(b, vmp__fmt_num(num, v->num));
  else
    put_quoted(b, val_text(p, v));
}

static int is_literal(const operand *o) {
  return o->kind == O_STR || o->kind == O_NUM;
}

/* Moves the fact being written to the output unless it was said already. */
static void flush_fact(explainer *x) {
  vmp__buf *out = x->out;
  const char *f = x->fact.data;
  size_t n = x->fact.len;
  if (x->fact.oom) out->oom = 1;
  if (!f || out->oom) goto done;
  for (size_t k = 0; k < x->nfacts; k++)
    if (x->len[k] == n && !memcmp(out->data + x->off[k], f, n)) goto done;
  if (x->nfacts) vmp__buf_add(out, ", ", 2);
  if (!vmp__grow(&x->off, &x->cap_off, x->nfacts + 1, sizeof *x->off) &&
      !vmp__grow(&x->len, &x->cap_len, x->nfacts + 1, sizeof *x->len)) {
    x->off[x->nfacts] = out->len;
    x->len[x->nfacts] = n;
    x->nfacts++;
  }
  vmp__buf_add(out, f, n);
done:
  x->fact.len = 0;
  if (x->fact.data) x->fact.data[0] = '\0';
}

/* "name is value" for one operand; numeric says whether the comparison
 * read it as a number, so that a label that is not one says so. */
static void fact_operand(explainer *x, const operand *o, val *v,
                         int numeric) {
  if (is_literal(o)) return;
  put_operand_name(&x->fact, x->e, o);
  vmp__buf_puts(&x->fact, " is ");
  put_value(&x->fact, x->p, v);
  if (numeric && v->kind == V_STR && !as_number(x->p, v))
    vmp__buf_puts(&x->fact, " (not a number)");
  flush_fact(x);
}

static void explain_cmp(explainer *x, const node *n, int truth) {
  const operand *oa = &x->e->ops[n->a], *ob = &x->e->ops[n->b];
  val a, b;
  int numeric;
  fetch(x->e, oa, x->p, x->vm, x->host, &a);
  fetch(x->e, ob, x->p, x->vm, x->host, &b);
  if (is_literal(oa) && is_literal(ob)) {
    put_value(&x->fact, x->p, &a);
    vmp__buf_printf(&x->fact, " %s ", op_text[n->op]);
    put_value(&x->fact, x->p, &b);
    vmp__buf_puts(&x->fact, truth ? " is true" : " is false");
    flush_fact(x);
    return;
  }
  numeric = a.kind != V_ABSENT && b.kind != V_ABSENT &&
            (a.kind == V_NUM || b.kind == V_NUM);
  fact_operand(x, oa, &a, numeric);
  fact_operand(x, ob, &b, numeric);
}

static void explain_in(explainer *x, const node *n, int truth) {
  const operand *o = &x->e->ops[n->a];
  val v;
  fetch(x->e, o, x->p, x->vm, x->host, &v);
  if (is_literal(o)) {
    put_value(&x->fact, x->p, &v);
    vmp__buf_puts(&x->fact, truth ? " is in the list" : " is not in the list");
    flush_fact(x);
    return;
  }
  fact_operand(x, o, &v, 0);
}

/* Names the facts that make node i evaluate to truth (which it does):
 * for a false && the false operands, for a false || all of them, and the
 * other way round under '!'. */
static void explain_node(explainer *x, uint32_t i, int truth) {
  const node *n = &x->e->nodes[i];
  switch (n->kind) {
    case N_TRUE:
    case N_FALSE:
      vmp__buf_puts(&x->fact, n->kind == N_TRUE ? "always true"
                                                : "always false");
      flush_fact(x);
      break;
    case N_NOT:
      explain_node(x, n->a, !truth);
      break;
    case N_AND:
    case N_OR: {
      /* Every operand decides a false && / a true ||, or together a true
       * && / a false ||. */
      int all = (n->kind == N_AND) == (truth != 0);
      for (uint32_t k = 0; k < n->n; k++) {
        uint32_t c = x->e->kids[n->a + k];
        if (all || eval_node(x->e, c, x->p, x->vm, x->host) == truth)
          explain_node(x, c, truth);
      }
      break;
    }
    case N_CMP: explain_cmp(x, n, truth); break;
    case N_IN: explain_in(x, n, truth); break;
    default: break;
  }
}

void vmp__expr_explain(const vmp__expr *e, const vmp_problem *p, uint32_t vm,
                       uint32_t host, vmp__buf *buf) {
  explainer x;
  if (!e || !buf) return;
  memset(&x, 0, sizeof x);
  x.e = e;
  x.p = p;
  x.vm = vm;
  x.host = host;
  x.out = buf;
  vmp__buf_init(&x.fact);
  explain_node(&x, e->root, eval_node(e, e->root, p, vm, host));
  vmp__buf_free(&x.fact);
  free(x.off);
  free(x.len);
}
