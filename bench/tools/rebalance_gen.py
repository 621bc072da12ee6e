#!/usr/bin/env python3
"""Writes a running datacenter shaped like examples/rebalance.json, scaled.

    bench/tools/rebalance_gen.py HOSTS VMS SEED OUT.json

Hosts of 32 cores / 256 GiB (a third of them 48 / 384), 2,000 GB of
transient disk, four to a rack, racks alternating between two zones. VMs
from seven flavours are drawn and given a current host by a random fit
(CPU at most 95 %, memory at most 100 %, disk at most 70 %); a VM that fits
nowhere is left out, so OUT may hold fewer than VMS. One hard host
anti-affinity group of two or three VMs per ten VMs. The objective is the
example's: safety (memory 85 %, weight 10; CPU 90 %, weight 5), ratio
balance (4 GiB free per free core, weight 1), migrations (the VM's
migration cost), group moves (weight 10) and 2 per host move. A seed gives
the same file on every machine (Python's random.Random).
"""
import json
import random
import sys

FLAVOURS = [  # cpu, memory_gib, disk_gb, migration_cost
    (8, 96, 800, 96), (8, 32, 100, 32), (4, 8, 40, 8), (16, 16, 200, 16),
    (2, 128, 20, 128), (2, 64, 20, 64), (4, 16, 60, 16)]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().split("\n\n")[1].strip())
    nh, nv, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rnd = random.Random(seed)
    hosts, load = [], []
    for h in range(nh):
        big = rnd.random() < 0.3
        cap = {"cpu": 48 if big else 32, "memory_gib": 384 if big else 256, "disk_gb": 2000}
        rack = h // 4
        hosts.append({"name": f"r{rack}-h{h % 4}", "capacity": cap,
                      "labels": {"rack": f"r{rack}", "zone": "a" if rack % 2 == 0 else "b"}})
        load.append([0, 0, 0])
    vms = []
    for v in range(nv):
        c, m, d, mc = rnd.choice(FLAVOURS)
        order = list(range(nh))
        rnd.shuffle(order)
        for h in order:
            cap = hosts[h]["capacity"]
            if (load[h][0] + c <= cap["cpu"] * 0.95 and load[h][1] + m <= cap["memory_gib"]
                    and load[h][2] + d <= cap["disk_gb"] * 0.7):
                load[h][0] += c
                load[h][1] += m
                load[h][2] += d
                vms.append({"name": f"vm{v}", "host": hosts[h]["name"], "migration_cost": mc,
                            "demand": {"cpu": c, "memory_gib": m, "disk_gb": d}})
                break
    names = [vm["name"] for vm in vms]
    groups = [{"name": f"aa{g}", "policy": "anti-affinity", "scope": "host",
               "vms": rnd.sample(names, rnd.randint(2, 3))} for g in range(len(vms) // 10)]
    problem = {
        "version": 1, "resources": ["cpu", "memory_gib", "disk_gb"], "transient": ["disk_gb"],
        "safety": {"memory_gib": {"fraction": 0.85, "weight": 10},
                   "cpu": {"fraction": 0.9, "weight": 5}},
        "ratio_balance": [{"resources": ["cpu", "memory_gib"], "target": 4, "weight": 1}],
        "hosts": hosts, "vms": vms, "groups": groups,
        "host_move_costs": {"label": "rack", "costs": {}, "default": 2},
        "objective": {"cost": 0, "migrations": 1, "group_moves": 10}}
    with open(out, "w") as f:
        json.dump(problem, f, indent=1)
    print(f"{out}: {nh} hosts, {len(vms)} VMs ({nv - len(vms)} fitted nowhere)")


if __name__ == "__main__":
    main()
