#!/usr/bin/env python3
"""Which sets of bought hosts could beat an incumbent?  (realistic family)

    host_vectors.py PROBLEM.json MAX_COST [CBC_SECONDS]

For an instance of the `realistic` suite (bench/generator.c: hosts with
`labels.zone`, VMs with `labels.pci == "true"` confined to the "secure"
zone, hard host anti-affinity groups), hosts that agree in zone, price and
capacity (overcommit applied) form a class; a vector counts the hosts
bought per class.  Lists every vector of cost <= MAX_COST that passes the
necessary checks below, cheapest first:

- per resource, the capacity bought covers the total demand, and the
  secure capacity bought covers the pci demand;
- every anti-affinity group finds as many hosts as it has members;
- every VM fits alone on some bought host it may use.

With CBC_SECONDS, each vector's packing (every VM on a bought host,
capacities, anti-affinity, the zone rule; no objective) is written as an
LP file and given to `cbc` with that CPU limit: `infeasible`, `feasible`
or `unknown` (the limit ran out).  The cheapest vector not proven
infeasible bounds the optimum from below; a feasible one is a placement of
its cost.  This is an analysis tool for docs/benchmarks.md, not a solver:
it knows only this family's rules.
"""
import itertools
import json
import os
import subprocess
import sys
import tempfile


def host_cap(h, res):
    oc = h.get("overcommit") or {}
    return tuple(h["capacity"][r] * oc.get(r, 1) for r in res)


def is_pci(v):
    return (v.get("labels") or {}).get("pci") == "true"


def classes_of(p, res):
    out = {}
    for h in p["hosts"]:
        key = (h["labels"]["zone"] == "secure", h["cost"], host_cap(h, res))
        out.setdefault(key, []).append(h["name"])
    return sorted(out.items())


def may_use(v, d, key):
    secure, _, cap = key
    return all(a <= c for a, c in zip(d, cap)) and (secure or not is_pci(v))


def candidates(p, res, classes, max_cost):
    vms = p["vms"]
    dem = [tuple(v["demand"][r] for r in res) for v in vms]
    nres = len(res)
    total = [sum(d[r] for d in dem) for r in range(nres)]
    pci = [sum(d[r] for d, v in zip(dem, vms) if is_pci(v)) for r in range(nres)]
    anti = [g for g in p.get("groups", []) if g["policy"] == "anti-affinity" and g.get("hard")]
    biggest = max((len(g["vms"]) for g in anti), default=0)
    keys = [k for k, _ in classes]
    out = []
    for cnt in itertools.product(*[range(len(hs) + 1) for _, hs in classes]):
        cost = sum(c * k[1] for c, k in zip(cnt, keys))
        if cost > max_cost or sum(cnt) < biggest:
            continue
        cap = [sum(c * k[2][r] for c, k in zip(cnt, keys)) for r in range(nres)]
        sec = [sum(c * k[2][r] for c, k in zip(cnt, keys) if k[0]) for r in range(nres)]
        if any(cap[r] < total[r] or sec[r] < pci[r] for r in range(nres)):
            continue
        if all(any(c and may_use(v, d, k) for c, k in zip(cnt, keys)) for v, d in zip(vms, dem)):
            out.append((cost, cnt))
    out.sort()
    return out, dem, anti


def packing_lp(p, res, keys, cnt, dem, anti):
    hosts = [k for c, k in zip(cnt, keys) for _ in range(c)]
    vms = p["vms"]
    idx = {v["name"]: i for i, v in enumerate(vms)}
    x = {(i, h): f"x_{i}_{h}" for i, v in enumerate(vms)
         for h, k in enumerate(hosts) if may_use(v, dem[i], k)}
    lines = ["Minimize", " obj: 0 " + next(iter(x.values())), "Subject To"]
    for i in range(len(vms)):
        lines.append(f" a{i}: " + " + ".join(n for (j, _), n in x.items() if j == i) + " = 1")
    for h, k in enumerate(hosts):
        for r in range(len(res)):
            t = [f"{dem[i][r]} {n}" for (i, g), n in x.items() if g == h]
            if t:
                lines.append(f" c{h}_{r}: " + " + ".join(t) + f" <= {k[2][r]}")
        for gi, g in enumerate(anti):
            t = [x[idx[n], h] for n in g["vms"] if (idx[n], h) in x]
            if len(t) > 1:
                lines.append(f" g{gi}_{h}: " + " + ".join(t) + " <= 1")
    lines += ["Binary"] + [" " + n for n in x.values()] + ["End"]
    return "\n".join(lines) + "\n"


def cbc_verdict(text, seconds):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "packing.lp")
        with open(path, "w") as f:
            f.write(text)
        out = subprocess.run(["cbc", path, "sec", str(seconds), "threads", "1", "solve", "quit"],
                             capture_output=True, text=True).stdout
    if "infeasible" in out.lower():
        return "infeasible"
    if "Optimal solution found" in out or "Result - Optimal" in out:
        return "feasible"
    return "unknown"


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__.split("\n\n")[1])
    with open(argv[1]) as f:
        p = json.load(f)
    res = p["resources"]
    classes = classes_of(p, res)
    keys = [k for k, _ in classes]
    for k, hs in classes:
        print(f"class {'secure' if k[0] else 'general'} cost {k[1]} capacity {k[2]}: {len(hs)} hosts")
    cands, dem, anti = candidates(p, res, classes, float(argv[2]))
    print(f"{len(cands)} vectors of cost <= {argv[2]} pass the checks")
    for cost, cnt in cands:
        verdict = cbc_verdict(packing_lp(p, res, keys, cnt, dem, anti), argv[3]) if len(argv) == 4 else ""
        print(cost, " ".join(map(str, cnt)), verdict, flush=True)


if __name__ == "__main__":
    main(sys.argv)
