#!/usr/bin/env python3
"""OR-Tools CP-SAT as a peer of vmplace's solvers in vmplace-bench.

Reads a vmplace problem JSON (the runner writes it with vmp_problem_write),
solves the placement as an assignment model in CP-SAT, and writes a JSON
result that the runner checks with vmplace's own evaluator:

    {"status": "optimal" | "feasible" | "infeasible" | "unknown" |
               "unsupported",
     "objective": number, "bound": number, "time_s": seconds,
     "assignments": {"vm": "host", ...}, "reason": "..."}

The model: x[v,h] = 1 when VM v runs on host h, y[h] = 1 when host h is
used; each VM on exactly one allowed host; per host and resource, the
demand placed is at most the effective capacity (capacity x overcommit -
reserved) times y[h]; hard host-scope anti-affinity (at most one member
per host) and affinity (members together); minimise the summed cost of the
used hosts.  Problems with what this model does not express (rules, soft
or label-scoped groups, migration or balance objectives) are reported
"unsupported" rather than solved as something else.

CP-SAT needs integers: each resource is scaled by the smallest power of
ten (up to 10^6) that makes its demands and capacities whole; if none
does, demands are rounded up and capacities down, which can only make the
model stricter (every placement found is still feasible), and the result
says so.  Costs are scaled the same way.

Usage: cpsat.py [--time-limit S] [--seed N] [--threads N] PROBLEM OUT
"""

import argparse
import json
import math
import sys
import time


def fail(out, status, reason):
    with open(out, "w") as f:
        json.dump({"status": status, "reason": reason}, f)
    return 0


def scale_for(values):
    """Smallest 10^k (k <= 6) making every value whole, and whether exact."""
    for k in range(7):
        s = 10 ** k
        if all(abs(v * s - round(v * s)) <= 1e-9 * max(1.0, abs(v * s)) for v in values):
            return s, True
    return 10 ** 6, False


def unsupported_reason(p):
    if p.get("rules"):
        return "compliance rules are not in the CP-SAT model"
    for g in p.get("groups", []):
        if not g.get("hard", True):
            return "soft groups are not in the CP-SAT model"
        if g.get("scope", "host") != "host":
            return "label-scoped groups are not in the CP-SAT model"
    obj = p.get("objective", {})
    if obj.get("balance", 0) > 0:
        return "the balance objective is not in the CP-SAT model"
    if obj.get("migrations", 0) > 0 and any(v.get("host") for v in p["vms"]):
        return "the migrations objective is not in the CP-SAT model"
    return None


def first_fit_decreasing(sizes, cap, order):
    """Bins of a first-fit-decreasing packing (identical bins): an upper
    bound on the hosts an optimal placement needs, and a hint."""
    loads = []
    where = {}
    for v in order:
        for b, load in enumerate(loads):
            if all(load[r] + sizes[v][r] <= cap[r] for r in range(len(cap))):
                for r in range(len(cap)):
                    load[r] += sizes[v][r]
                where[v] = b
                break
        else:
            loads.append(list(sizes[v]))
            where[v] = len(loads) - 1
    return len(loads), where


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-vars", type=int, default=500000,
                    help="refuse models with more placement variables")
    ap.add_argument("problem")
    ap.add_argument("out")
    a = ap.parse_args()

    from ortools.sat.python import cp_model

    with open(a.problem) as f:
        p = json.load(f)
    t0 = time.monotonic()
    reason = unsupported_reason(p)
    if reason:
        return fail(a.out, "unsupported", reason)

    res = p["resources"]
    hosts = p["hosts"]
    vms = p["vms"]
    nr, nh, nv = len(res), len(hosts), len(vms)
    host_index = {h["name"]: k for k, h in enumerate(hosts)}

    def eff(h, r):
        c = h["capacity"].get(r, 0) * h.get("overcommit", {}).get(r, 1.0)
        return max(0.0, c - h.get("reserved", {}).get(r, 0))

    cap = [[eff(h, r) for r in res] for h in hosts]
    dem = [[v["demand"].get(r, 0) for r in res] for v in vms]
    notes = []
    scale = []
    for r in range(nr):
        s, exact = scale_for([cap[h][r] for h in range(nh)] + [dem[v][r] for v in range(nv)])
        scale.append(s)
        if not exact:
            notes.append("%s rounded (demands up, capacities down)" % res[r])
    icap = [[math.floor(cap[h][r] * scale[r] + 1e-9) for r in range(nr)] for h in range(nh)]
    idem = [[math.ceil(dem[v][r] * scale[r] - 1e-9) for r in range(nr)] for v in range(nv)]
    costs = [h.get("cost", 1.0) for h in hosts]
    cscale, cexact = scale_for(costs)
    if not cexact:
        notes.append("host costs rounded")
    icost = [round(c * cscale) for c in costs]

    # allowed hosts per VM
    allowed = []
    for k, v in enumerate(vms):
        if v.get("pinned"):
            ok = {host_index[v["host"]]} if v.get("host") else set()
        elif v.get("allowed_hosts"):
            ok = {host_index[n] for n in v["allowed_hosts"]}
        else:
            ok = set(range(nh))
        ok = {h for h in ok if not hosts[h].get("maintenance")
              and all(idem[k][r] <= icap[h][r] for r in range(nr))}
        allowed.append(ok)
    if any(not ok for ok in allowed):
        return fail(a.out, "infeasible", "a VM fits on no allowed host")

    # Pure bin packing (identical hosts, no restrictions, no groups): an
    # optimal packing needs no more hosts than first-fit decreasing uses.
    identical = all(icap[h] == icap[0] and icost[h] == icost[0] for h in range(nh))
    free = all(len(ok) == nh for ok in allowed) and not p.get("groups")
    hint = None
    use = list(range(nh))
    if nh and identical and free:
        order = sorted(range(nv), key=lambda v: -sum(idem[v][r] / max(icap[0][r], 1)
                                                      for r in range(nr)))
        nb, where = first_fit_decreasing(idem, icap[0], order)
        use = list(range(min(nh, nb)))
        hint = where
        allowed = [set(use) for _ in range(nv)]

    nvars = sum(len(ok) for ok in allowed)
    if nvars > a.max_vars:
        return fail(a.out, "unsupported", "too large for the assignment model: "
                    "%d placement variables (--max-vars %d)" % (nvars, a.max_vars))

    m = cp_model.CpModel()
    y = {h: m.NewBoolVar("y%d" % h) for h in use}
    x = {}
    for v in range(nv):
        for h in sorted(allowed[v]):
            x[v, h] = m.NewBoolVar("x%d_%d" % (v, h))
            m.AddImplication(x[v, h], y[h])
        m.AddExactlyOne(x[v, h] for h in allowed[v])
    for h in use:
        on = [v for v in range(nv) if (v, h) in x]
        for r in range(nr):
            if sum(idem[v][r] for v in on) > icap[h][r]:
                m.Add(sum(idem[v][r] * x[v, h] for v in on) <= icap[h][r] * y[h])
    vm_index = {v["name"]: k for k, v in enumerate(vms)}
    for g in p.get("groups", []):
        members = [vm_index[n] for n in g["vms"]]
        for h in use:
            if g["policy"] == "anti-affinity":
                xs = [x[v, h] for v in members if (v, h) in x]
                if len(xs) > 1:
                    m.AddAtMostOne(xs)
                continue
            # affinity: every member on h, or none (a missing variable is 0)
            for v, w in zip(members, members[1:]):
                xv, xw = x.get((v, h)), x.get((w, h))
                if xv is not None and xw is not None:
                    m.Add(xv == xw)
                elif xv is not None:
                    m.Add(xv == 0)
                elif xw is not None:
                    m.Add(xw == 0)
    # identical hosts are interchangeable: use them in order
    if identical and free:
        for a_, b_ in zip(use, use[1:]):
            m.Add(y[a_] >= y[b_])
    m.Minimize(sum(icost[h] * y[h] for h in use))
    if hint:
        for (v, h), var in x.items():
            m.AddHint(var, 1 if hint[v] == h else 0)
        used = set(hint.values())
        for h in use:
            m.AddHint(y[h], 1 if h in used else 0)

    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.01, a.time_limit - (time.monotonic() - t0))
    s.parameters.num_workers = max(1, a.threads)
    s.parameters.random_seed = a.seed
    st = s.Solve(m)
    out = {"time_s": time.monotonic() - t0}
    if notes:
        out["reason"] = "; ".join(notes)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out["status"] = "optimal" if st == cp_model.OPTIMAL else "feasible"
        out["objective"] = s.ObjectiveValue() / cscale
        out["bound"] = s.BestObjectiveBound() / cscale
        out["assignments"] = {vms[v]["name"]: hosts[h]["name"]
                              for (v, h), var in x.items() if s.Value(var)}
    elif st == cp_model.INFEASIBLE:
        out["status"] = "infeasible"
    elif st == cp_model.MODEL_INVALID:
        out["status"] = "error"
        out["reason"] = "CP-SAT: model invalid: " + m.Validate()
    else:
        out["status"] = "unknown"
        out["bound"] = s.BestObjectiveBound() / cscale
    with open(a.out, "w") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
