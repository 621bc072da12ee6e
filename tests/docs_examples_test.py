#!/usr/bin/env python3
"""Runs the fenced examples of the docs and compares what they print.

    docs_examples_test.py VMPLACE_CLI SOURCE_DIR DOC.md... [--run-only DOC.md...]

- ```python blocks run in order in one namespace per file (with the
  package of bindings/python and the library of VMPLACE_LIBRARY), in a
  scratch directory where examples/ is the source tree's; the ```text
  block right after one is what it must print.
- ```console blocks: each "$ vmplace ..." line runs (vmplace is the CLI
  under test, also reachable as build/vmplace); the lines after it are
  what it must print (stdout and stderr).  Blocks with commands other than
  vmplace (pip, python) install things and are not run.
- ```json blocks that are whole problem files must pass `vmplace check`
  (exit 0 or 1: a valid problem).
- ```c blocks that hold a whole program (`int main`) are compiled with
  $VMPLACE_CC $VMPLACE_CFLAGS against the library $VMPLACE_LIBRARY and
  run in the scratch directory; the ```text block right after one is what
  it must print.

After --run-only, the console examples of the documents only have to run
(exit 0 or 1), whatever they print: the README shows outputs in part.

Outputs that depend on timing are elided: "..." as a whole line matches
any lines, "..." inside a line any text, and a number of seconds ("0.049
s", or "0.000s" as a progress callback prints it) any number of seconds.
"""
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile


def blocks(path):
    """(language, first line number, lines) of every fenced block."""
    out, lang, start, body = [], None, 0, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if lang is None and line.startswith("```"):
                lang, start, body = line[3:].strip() or "plain", n, []
            elif lang is not None and line.startswith("```"):
                out.append((lang, start, body))
                lang = None
            elif lang is not None:
                body.append(line)
    return out


def line_pattern(want):
    parts = [re.escape(p) for p in want.split("...")]
    pat = ".*".join(parts)
    pat = re.sub(r"\\?\d+\\\.\d+(\\ )?s", r"[0-9.]+\1s", pat)
    return re.compile(pat + r"\s*$")


def matches(want_lines, got_lines):
    """Elision-aware match of expected lines against actual lines."""
    def go(i, j):
        if i == len(want_lines):
            return j == len(got_lines)
        if want_lines[i].strip() == "...":
            return any(go(i + 1, k) for k in range(j, len(got_lines) + 1))
        return (j < len(got_lines) and line_pattern(want_lines[i]).match(got_lines[j])
                and go(i + 1, j + 1))
    return go(0, 0)


class Runner:
    def __init__(self, cli, src):
        self.cli, self.src = cli, src
        self.fails = self.count = 0
        self.tmp = tempfile.mkdtemp(prefix="vmplace-docs-")
        os.symlink(os.path.join(src, "examples"), os.path.join(self.tmp, "examples"))
        os.makedirs(os.path.join(self.tmp, "build"))
        os.symlink(cli, os.path.join(self.tmp, "build", "vmplace"))
        self.env = dict(os.environ, PATH=os.path.join(self.tmp, "build") + os.pathsep
                        + os.environ.get("PATH", ""))

    def fail(self, where, msg, want=None, got=None):
        self.fails += 1
        print(f"FAIL: {where}: {msg}")
        if want is not None:
            print("  expected:\n" + "\n".join("    " + w for w in want))
            print("  got:\n" + "\n".join("    " + g for g in got))

    def console(self, where, body, run_only=False):
        cmds = [l[2:] for l in body if l.startswith("$ ")]
        if not all(re.match(r"(build/)?vmplace\b", c) for c in cmds):
            return
        k = 0
        while k < len(body):
            cmd = body[k][2:]
            k += 1
            want = []
            while k < len(body) and not body[k].startswith("$ "):
                want.append(body[k])
                k += 1
            self.count += 1
            r = subprocess.run(cmd, shell=True, cwd=self.tmp, env=self.env,
                               capture_output=True, text=True)
            got = (r.stdout + r.stderr).splitlines()
            if run_only:
                if r.returncode not in (0, 1):
                    self.fail(f"{where}: $ {cmd}", f"exit {r.returncode}", [], got)
            elif not matches(want, got):
                self.fail(f"{where}: $ {cmd}", "output differs", want, got)

    def problem_json(self, where, body):
        try:
            doc = json.loads("\n".join(body))
        except ValueError:
            return  # a sketch with "...", not a file
        if (not isinstance(doc, dict) or "hosts" not in doc or "steps" in doc
                or doc.get("kind", "problem") != "problem"):
            return  # not a problem file (a plan, a solution)
        self.count += 1
        path = os.path.join(self.tmp, "doc.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        r = subprocess.run([self.cli, "check", "-q", path], capture_output=True, text=True)
        if r.returncode not in (0, 1):
            self.fail(where, f"vmplace check exit {r.returncode}: {r.stderr.strip()}")

    def python(self, where, body, want, ns):
        self.count += 1
        out = io.StringIO()
        cwd = os.getcwd()
        os.chdir(self.tmp)
        try:
            with contextlib.redirect_stdout(out):
                exec(compile("\n".join(body), where, "exec"), ns)
        except Exception as e:  # the example itself failed
            self.fail(where, f"raised {type(e).__name__}: {e}")
            return
        finally:
            os.chdir(cwd)
        if want is not None and not matches(want, out.getvalue().splitlines()):
            self.fail(where, "output differs", want, out.getvalue().splitlines())

    def c_program(self, where, body, want):
        if not any(re.match(r"int main\(", l) for l in body):
            return  # a fragment, not a program
        self.count += 1
        cc, lib = os.environ.get("VMPLACE_CC"), os.environ.get("VMPLACE_LIBRARY")
        if not cc or not lib:
            self.fail(where, "a C example needs VMPLACE_CC and VMPLACE_LIBRARY")
            return
        src = os.path.join(self.tmp, "example.c")
        exe = os.path.join(self.tmp, "example")
        with open(src, "w") as f:
            f.write("\n".join(body) + "\n")
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror",
                            *os.environ.get("VMPLACE_CFLAGS", "").split(), src,
                            lib, "-Wl,-rpath," + os.path.dirname(os.path.abspath(lib)),
                            "-o", exe], capture_output=True, text=True)
        if r.returncode != 0:
            self.fail(where, "does not compile", [], (r.stdout + r.stderr).splitlines())
            return
        r = subprocess.run([exe], cwd=self.tmp, capture_output=True, text=True)
        got = (r.stdout + r.stderr).splitlines()
        if r.returncode != 0:
            self.fail(where, f"exit {r.returncode}", [], got)
        elif want is not None and not matches(want, got):
            self.fail(where, "output differs", want, got)

    def run(self, doc, run_only=False):
        bl = blocks(doc)
        ns = {"__name__": "__docs__"}
        name = os.path.relpath(doc, self.src)
        for k, (lang, line, body) in enumerate(bl):
            where = f"{name}:{line}"
            if lang == "console":
                self.console(where, body, run_only)
            elif run_only:
                continue
            elif lang == "json":
                self.problem_json(where, body)
            elif lang == "python":
                nxt = bl[k + 1] if k + 1 < len(bl) else None
                want = nxt[2] if nxt and nxt[0] == "text" else None
                self.python(where, body, want, ns)
            elif lang == "c":
                nxt = bl[k + 1] if k + 1 < len(bl) else None
                want = nxt[2] if nxt and nxt[0] == "text" else None
                self.c_program(where, body, want)


def main():
    cli, src, docs = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]
    r = Runner(cli, src)
    run_only = False
    for d in docs:
        if d == "--run-only":
            run_only = True
            continue
        r.run(os.path.join(src, d), run_only)
    print(f"{r.count} examples, {r.fails} failed")
    return 1 if r.fails else 0


if __name__ == "__main__":
    sys.exit(main())
