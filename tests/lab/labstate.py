#!/usr/bin/env python3
"""What the lab's hosts hold, asked of libvirt (never of vmplace).

    labstate.py DIR                      print {vm: [[host, state, persistent]]}
    labstate.py DIR --check TARGET.json [VM=HOST[:off]...]
                                         exit 0 when every VM of TARGET's
                                         "assignments" (and VM, on HOST;
                                         with :off shut off there) exists
                                         exactly once,
                                         runs, is persistent and is on its
                                         target host, and no host holds any
                                         other domain; else print why, exit 1
    labstate.py DIR --cgroup SCHED.json  exit 0 when the cgroup files of every
                                         VM in SCHED.json (vmplace entitlements
                                         -o) hold its cpu_shares, vcpu_quota and
                                         vcpu_period; else print why, exit 1
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


def check(lab, target, extra=()):
    want = dict(json.load(open(target))["assignments"])
    for e in extra:
        vm, host = e.split("=", 1)
        want[vm] = host
    where = state(lab)
    problems = []
    for vm, host in sorted(want.items()):
        copies = where.get(vm, [])
        if len(copies) != 1:
            problems.append("%s: %d copies %s" % (vm, len(copies), copies))
            continue
        h, st, persistent = copies[0]
        host, _, off = (host or "").partition(":")
        expected = "shut off" if off == "off" else "running"
        if h != host or st != expected or not persistent:
            problems.append("%s: on %s (%s, %s), expected %s and persistent on %s"
                            % (vm, h, st, "persistent" if persistent else "transient",
                               expected, host))
    for vm in sorted(set(where) - set(want)):
        problems.append("%s: unexpected domain %s" % (vm, where[vm]))
    for p in problems:
        print("labstate: " + p)
    return 1 if problems else 0


def cgroup_dir(lab, host, vm):
    """The VM's cgroup directory for the cpu controller, and whether it is
    cgroup v2, from where its QEMU runs (the emulator thread's group is a
    child of the VM's)."""
    with open("%s/%s/run/qemu/%s.pid" % (lab, host, vm)) as f:
        pid = f.read().strip()
    with open("/proc/%s/cgroup" % pid) as f:
        lines = [l.rstrip("\n").split(":", 2) for l in f]
    for _, ctrls, path in lines:
        if "cpu" in ctrls.split(","):
            mount = "/sys/fs/cgroup/" + ctrls.split(",")[0]
            return mount + path.rsplit("/emulator", 1)[0], False
    for num, ctrls, path in lines:
        if num == "0" and ctrls == "":
            return "/sys/fs/cgroup" + path.rsplit("/emulator", 1)[0], True
    raise RuntimeError("no cpu cgroup for %s" % vm)


def read(path):
    with open(path) as f:
        return f.read().split()


def cgroup(lab, sched):
    want = json.load(open(sched))
    where = state(lab)
    problems = []
    for vm, values in sorted(want.items()):
        host = where[vm][0][0]
        d, v2 = cgroup_dir(lab, host, vm)
        got = {}
        if v2:
            # libvirt maps shares to weight: 1 + (shares - 2) * 9999 / 262142
            got["cpu_weight"] = int(read(d + "/cpu.weight")[0])
            if "cpu_shares" in values:
                values = dict(values, cpu_weight=1 + (values["cpu_shares"] - 2) * 9999 // 262142)
            quota, period = read(d + "/vcpu0/cpu.max")
            got["vcpu_quota"] = -1 if quota == "max" else int(quota)
            got["vcpu_period"] = int(period)
            checked = ["cpu_weight", "vcpu_quota", "vcpu_period"]
        else:
            got["cpu_shares"] = int(read(d + "/cpu.shares")[0])
            got["vcpu_quota"] = int(read(d + "/vcpu0/cpu.cfs_quota_us")[0])
            got["vcpu_period"] = int(read(d + "/vcpu0/cpu.cfs_period_us")[0])
            checked = ["cpu_shares", "vcpu_quota", "vcpu_period"]
        for key in checked:
            if key in values and values[key] != got[key]:
                problems.append("%s on %s: %s is %s in %s, expected %s"
                                % (vm, host, key, got[key], d, values[key]))
        print("labstate: %s on %s: %s" % (vm, host, ", ".join(
            "%s %s" % (k, got[k]) for k in checked)))
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
        return check(lab, argv[3], argv[4:])
    if argv[2] == "--cgroup":
        return cgroup(lab, argv[3])
    if argv[2] == "--target":
        print(json.dumps(target(int(argv[3]), int(argv[4]), argv[5])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
