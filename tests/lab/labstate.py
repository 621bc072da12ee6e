#!/usr/bin/env python3
"""What the lab's hosts hold, asked of libvirt (never of vmplace).

    labstate.py DIR                      print {vm: [[host, state, persistent]]}
    labstate.py DIR --check TARGET.json  exit 0 when every VM of TARGET's
                                         "assignments" exists exactly once,
                                         runs, is persistent and is on its
                                         target host, and no host holds any
                                         other domain; else print why, exit 1
    labstate.py DIR --target SEED N DC.json
                                         print a target that moves N random
                                         running VMs of the snapshot DC.json
                                         to other random hosts (fixed seed)
"""
import json
import random
import subprocess
import sys


def uri(lab, host):
    return "qemu+unix:///system?socket=%s/%s/run/libvirt-sock" % (lab, host)


def virsh(lab, host, *args):
    out = subprocess.run(["virsh", "-q", "-c", uri(lab, host)] + list(args),
                         capture_output=True, text=True, check=True)
    return [l.strip() for l in out.stdout.splitlines() if l.strip()]


def hosts(lab):
    with open(lab + "/hosts") as f:
        return [l.strip() for l in f if l.strip()]


def state(lab):
    where = {}
    for h in hosts(lab):
        persistent = set(virsh(lab, h, "list", "--all", "--persistent", "--name"))
        for name in virsh(lab, h, "list", "--all", "--name"):
            st = " ".join(virsh(lab, h, "domstate", name))
            where.setdefault(name, []).append([h, st, name in persistent])
    return where


def check(lab, target):
    want = json.load(open(target))["assignments"]
    where = state(lab)
    problems = []
    for vm, host in sorted(want.items()):
        copies = where.get(vm, [])
        if len(copies) != 1:
            problems.append("%s: %d copies %s" % (vm, len(copies), copies))
            continue
        h, st, persistent = copies[0]
        if h != host or st != "running" or not persistent:
            problems.append("%s: on %s (%s, %s), expected running and persistent on %s"
                            % (vm, h, st, "persistent" if persistent else "transient", host))
    for vm in sorted(set(where) - set(want)):
        problems.append("%s: unexpected domain %s" % (vm, where[vm]))
    for p in problems:
        print("labstate: " + p)
    return 1 if problems else 0


def target(seed, n, dc):
    rng = random.Random(seed)
    p = json.load(open(dc))
    names = [h["name"] for h in p["hosts"]]
    assign = {vm["name"]: vm["host"] for vm in p["vms"]}
    for vm in rng.sample(sorted(assign), n):
        assign[vm] = rng.choice([h for h in names if h != assign[vm]])
    return {"assignments": assign}


def main(argv):
    lab = argv[1]
    if len(argv) == 2:
        print(json.dumps(state(lab), indent=1, sort_keys=True))
        return 0
    if argv[2] == "--check":
        return check(lab, argv[3])
    if argv[2] == "--target":
        print(json.dumps(target(int(argv[3]), int(argv[4]), argv[5])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
