#!/bin/bash
# The vmplace lab: several libvirt+QEMU "hosts" on one machine
# (docs/libvirt.md, "Try it on one machine").
#
# Each host is a libvirtd in its own mount namespace (private bind mounts
# over /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
# /var/log/libvirt) and its own cgroup namespace (a cgroup of its own, the
# cgroup file systems mounted again inside), with its own host_uuid.  It is
# reached as qemu+unix:///system?socket=DIR/HOST/run/libvirt-sock.  Guests
# are tiny TCG VMs (64 MiB, 1 vCPU, no disk or network: they sit in
# SeaBIOS).  Migrations use loopback only (tcp://127.0.0.1); nothing
# listens on any other address.
#
#   lab.sh install                 install the Debian packages it needs
#   lab.sh check                   can the lab run here?  (exit 0, or 77
#                                  with the reason on stderr)
#   lab.sh up DIR N                start hosts h1..hN under DIR
#   lab.sh guest DIR HOST NAME [--memory MIB] [--vcpus N] [--meta XML]
#                  [--disk MIB] [--fill MIB] [--acpi] [--no-start] [--transient]
#                                  define (and start) a guest on a host;
#                                  --disk gives it a qcow2 disk of that
#                                  size, --fill loads that much random
#                                  data into its memory (so that a
#                                  migration has something to copy),
#                                  --acpi boots it from a one-sector disk
#                                  whose program powers off when the ACPI
#                                  power button is pressed (virsh shutdown;
#                                  a guest sitting in SeaBIOS ignores it)
#   lab.sh inventory DIR [--memory MIB] [--cpu N] [--migration MODE]
#                                  print the vmplace inventory of the hosts;
#                                  MODE: direct (default), tunnelled, none
#   lab.sh uri DIR HOST            print a host's libvirt URI
#   lab.sh virsh DIR HOST ARGS...  run virsh against a host
#   lab.sh stop-host DIR HOST      end one host's libvirtd (its guests keep
#                                  running, as when a daemon dies)
#   lab.sh start-host DIR HOST     start it again
#   lab.sh down DIR                stop every guest and daemon the lab
#                                  started (by pid) and remove DIR
#   lab.sh run N DIR -- CMD...     up, run CMD, and down whatever happens
#   lab.sh demo DIR                3 hosts with 5 guests and DIR/inventory.json
#                                  (docs/libvirt.md, "Try it on one machine")
#
# The lab ends only the processes it started: the daemons by the pids it
# recorded, QEMU processes by the pid files their daemons wrote.
set -u

LAB_SH=$(readlink -f "$0")
LIBVIRTD=${LIBVIRTD:-/usr/sbin/libvirtd}
# QEMU capabilities as the first daemon probed them (libvirt checks that
# they still match the QEMU binary and itself, and probes again if not).
CAPS_CACHE=${LAB_CAPS_CACHE:-/var/cache/vmplace-lab/qemu-capabilities}
QEMU=${QEMU:-/usr/bin/qemu-system-x86_64}
PACKAGES="qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-utils"
# The directories each host gets a private copy of.
PRIVATE="etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt cache:/var/cache/libvirt log:/var/log/libvirt"

die() { echo "lab: $*" >&2; exit 1; }

cmd_install() {
  local missing="" p status
  for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
  done
  if [ -n "$missing" ]; then
    [ "$(id -u)" -eq 0 ] || die "needs root to install:$missing"
    echo "lab: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || die "apt-get install failed"
  fi
  # The QEMU driver refuses to start without its user and group, even when
  # QEMU runs as root as it does here.
  getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu || die "cannot create group libvirt-qemu"
  getent passwd libvirt-qemu >/dev/null ||
    useradd --system --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin \
      --gid libvirt-qemu libvirt-qemu || die "cannot create user libvirt-qemu"
}

# Prints why the lab cannot run here (nothing when it can).
why_not() {
  [ "$(id -u)" -eq 0 ] || { echo "the lab needs root"; return; }
  [ -x "$LIBVIRTD" ] || { echo "$LIBVIRTD is missing (run: tests/lab/lab.sh install)"; return; }
  [ -x "$QEMU" ] || { echo "$QEMU is missing (run: tests/lab/lab.sh install)"; return; }
  command -v virsh >/dev/null || { echo "virsh is missing (run: tests/lab/lab.sh install)"; return; }
  getent passwd libvirt-qemu >/dev/null || { echo "the libvirt-qemu user is missing (run: tests/lab/lab.sh install)"; return; }
  unshare --mount --cgroup --propagation private \
    sh -c 'mount -t tmpfs lab-check /sys/fs/cgroup' 2>/dev/null ||
    { echo "cannot create mount and cgroup namespaces, or mount in them, here"; return; }
  [ -n "$(cgroup_hierarchies)" ] || { echo "no cgroup file system under /sys/fs/cgroup"; return; }
}

cmd_check() {
  local why
  why=$(why_not)
  if [ -n "$why" ]; then
    echo "lab: cannot run here: $why" >&2
    exit 77
  fi
}

# ---- cgroups --------------------------------------------------------------------

# "MOUNTPOINT OPTIONS CURRENT" for each cgroup hierarchy this process is in:
# v1 controllers (named hierarchies left out) or the v2 one.
cgroup_hierarchies() {
  local line id ctrls path
  while IFS= read -r line; do
    id=${line%%:*}; line=${line#*:}
    ctrls=${line%%:*}; path=${line#*:}
    if [ "$id" = 0 ] && [ -z "$ctrls" ]; then
      # v2: only when it is the whole cgroup file system.
      if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
        echo "/sys/fs/cgroup - $path"
      fi
      continue
    fi
    case "$ctrls" in name=*|"") continue ;; esac
    local first=${ctrls%%,*}
    [ -d "/sys/fs/cgroup/$first" ] || continue
    echo "/sys/fs/cgroup/$first $ctrls $path"
  done < /proc/self/cgroup
}

# Creates the host's cgroup in every hierarchy: LAB is below the cgroup this
# process is in, so that whatever limits it has also hold for the lab.
make_cgroups() {
  local d=$1 host=$2 mnt opts cur base dir
  : > "$d/cgroups"
  while read -r mnt opts cur; do
    base="$mnt${cur%/}/vmplace-lab.$(basename "$(dirname "$d")")"
    dir="$base/$host"
    mkdir -p "$dir" || return 1
    if [ -f "$base/cpuset.cpus" ]; then
      # A v1 cpuset cgroup starts empty and takes no process.
      cat "$(dirname "$base")/cpuset.cpus" > "$base/cpuset.cpus"
      cat "$(dirname "$base")/cpuset.mems" > "$base/cpuset.mems"
      cat "$base/cpuset.cpus" > "$dir/cpuset.cpus"
      cat "$base/cpuset.mems" > "$dir/cpuset.mems"
      echo 1 > "$dir/cgroup.clone_children"
    fi
    if [ "$opts" = - ]; then
      case " $(cat "$mnt${cur%/}/cgroup.subtree_control" 2>/dev/null) " in
        *" cpu "*) ;;
        *) [ "$host" = h1 ] && echo "lab: warning: cgroup v2: cpu is not in $mnt${cur%/}/cgroup.subtree_control:" \
             "guests get no CPU shares or quotas (docs/libvirt.md, \"cgroup v1 and v2\")" >&2 ;;
      esac
      # v2: hand the controllers down so that libvirt can use them (those
      # that the cgroup this runs in has; the host's own cgroup gets them
      # from inside its namespace, once the daemon has left it: a v2 cgroup
      # that hands controllers down holds no processes).
      for c in $(cat "$mnt${cur%/}/cgroup.controllers" 2>/dev/null); do
        echo "+$c" > "$base/cgroup.subtree_control" 2>/dev/null
      done
    fi
    echo "$mnt $opts $dir" >> "$d/cgroups"
  done < <(cgroup_hierarchies)
}

# Removes a host's cgroups, deepest first (they must be empty).
remove_cgroups() {
  local d=$1 mnt opts dir
  [ -f "$d/cgroups" ] || return 0
  while read -r mnt opts dir; do
    [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
    rmdir "$(dirname "$dir")" 2>/dev/null
  done < "$d/cgroups"
  return 0
}

# ---- hosts ----------------------------------------------------------------------

hostdir() { echo "$(readlink -f "$1")/$2"; }
uri_of() { echo "qemu+unix:///system?socket=$(hostdir "$1" "$2")/run/libvirt-sock"; }

write_config() {
  local d=$1 index=$2 uuid
  uuid=$(cat /proc/sys/kernel/random/uuid)
  # Two hosts with the same host_uuid refuse to migrate to each other
  # ("the same host").
  cat > "$d/etc/libvirtd.conf" <<EOF
host_uuid = "$uuid"
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
max_workers = 8
EOF
  # QEMU runs as root (/dev/kvm is root-only here, and TCG needs nothing
  # else); no virtlogd; each host takes its own migration ports.  The
  # migration address is given per migration: qemu.conf's
  # migration_address refuses 127.0.0.1.
  cat > "$d/etc/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
migration_port_min = $((49152 + 16 * index))
migration_port_max = $((49152 + 16 * index + 15))
EOF
  echo "$uuid" > "$d/host_uuid"
}

# Inside the new namespaces (called through unshare): the private
# directories and cgroup file systems, then libvirtd itself.
inner() {
  local d=$1 pair src dst mnt opts dir
  for pair in $PRIVATE; do
    src=$d/${pair%%:*}; dst=${pair#*:}
    mkdir -p "$dst" && mount --bind "$src" "$dst" || exit 1
  done
  mount -t tmpfs -o mode=755 lab-cgroup /sys/fs/cgroup || exit 1
  while read -r mnt opts dir; do
    mkdir -p "$mnt"
    if [ "$opts" = - ]; then
      mount -t cgroup2 cgroup2 "$mnt" || exit 1
      # v2: the daemon moves to a leaf of its own, so that the namespace's
      # root (the host's cgroup) can hand its controllers down to the
      # guests' cgroups libvirt makes beside it.
      mkdir -p "$mnt/libvirtd" && echo $$ > "$mnt/libvirtd/cgroup.procs" || exit 1
      for c in $(cat "$mnt/cgroup.controllers"); do
        echo "+$c" > "$mnt/cgroup.subtree_control" 2>/dev/null
      done
    else
      mount -t cgroup -o "$opts" cgroup "$mnt" || exit 1
    fi
  done < "$d/cgroups"
  exec "$LIBVIRTD" --pid-file "$d/libvirtd.pid"
}

# Runs in the host's cgroups, then enters the new namespaces: the cgroup
# namespace's root is the cgroup the process is in when it is created.
launch() {
  local d=$1 mnt opts dir
  while read -r mnt opts dir; do
    echo $$ > "$dir/cgroup.procs" || exit 1
  done < "$d/cgroups"
  exec unshare --mount --cgroup --propagation private "$LAB_SH" _inner "$d"
}

launch_host() {
  local d
  d=$(hostdir "$1" "$2")
  "$LAB_SH" _launch "$d" </dev/null >"$d/libvirtd.out" 2>&1 &
  echo "$!" > "$d/pid"
}

start_host() {
  launch_host "$1" "$2" && wait_host "$1" "$2"
}

wait_host() {
  local dir=$1 host=$2 d pid i
  d=$(hostdir "$dir" "$host")
  pid=$(cat "$d/pid")
  # Ready when it answers and has probed QEMU's capabilities.
  for i in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "lab: $host: libvirtd ended:" >&2
      cat "$d/libvirtd.out" "$d/log/libvirtd.log" 2>/dev/null | tail -20 >&2
      return 1
    fi
    if [ -S "$d/run/libvirt-sock" ] &&
       virsh -q -c "$(uri_of "$dir" "$host")" capabilities 2>/dev/null | grep -q "<domain type='qemu'"; then
      return 0
    fi
    sleep 0.1
  done
  echo "lab: $host: libvirtd does not answer after 30 s" >&2
  return 1
}

cmd_up() {
  local dir=$1 n=$2 i host d pair why
  why=$(why_not)
  [ -z "$why" ] || die "cannot run here: $why"
  case "$n" in ''|*[!0-9]*) die "up: N must be a number" ;; esac
  [ -e "$dir/hosts" ] && die "$dir already holds a lab (lab.sh down $dir first)"
  mkdir -p "$dir" || die "cannot create $dir"
  dir=$(readlink -f "$dir")
  : > "$dir/hosts"
  for pair in $PRIVATE; do mkdir -p "${pair#*:}"; done
  for i in $(seq 1 "$n"); do
    host=h$i
    d=$dir/$host
    for pair in $PRIVATE; do mkdir -p "$d/${pair%%:*}"; done
    mkdir -p "$d/etc/qemu"
    write_config "$d" "$i"
    make_cgroups "$d" "$host" || die "$host: cannot create its cgroups"
    echo "$host" >> "$dir/hosts"
  done
  # Probing QEMU's capabilities takes a daemon seconds of CPU; what one
  # daemon probed, the others (and later labs) read from its cache.
  if [ ! -d "$CAPS_CACHE" ]; then
    launch_host "$dir" h1 && wait_host "$dir" h1 || return 1
    mkdir -p "$(dirname "$CAPS_CACHE")" && rm -rf "$CAPS_CACHE.tmp" &&
      cp -r "$dir/h1/cache/qemu/capabilities" "$CAPS_CACHE.tmp" &&
      mv -T "$CAPS_CACHE.tmp" "$CAPS_CACHE" 2>/dev/null
  fi
  while read -r host; do
    daemon_pid "$dir" "$host" >/dev/null && continue
    if [ -d "$CAPS_CACHE" ]; then
      mkdir -p "$dir/$host/cache/qemu" && cp -r "$CAPS_CACHE" "$dir/$host/cache/qemu/capabilities"
    fi
    launch_host "$dir" "$host"
  done < "$dir/hosts"
  while read -r host; do wait_host "$dir" "$host" || return 1; done < "$dir/hosts"
  echo "lab: $n hosts up in $dir"
}

daemon_pid() {
  local p
  p=$(cat "$(hostdir "$1" "$2")/pid" 2>/dev/null) || return 1
  kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}

# Waits until pid has ended (up to $2 tenths of a second).
wait_gone() {
  local i
  for i in $(seq 1 "$2"); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

cmd_stop_host() {
  local dir=$1 host=$2 pid
  pid=$(daemon_pid "$dir" "$host") || return 0
  kill -TERM "$pid"
  wait_gone "$pid" 100 || kill -KILL "$pid"
  wait_gone "$pid" 50
}

cmd_start_host() {
  local dir=$1 host=$2
  daemon_pid "$dir" "$host" >/dev/null && die "$host already runs"
  start_host "$dir" "$host"
}

# Ends the QEMU processes a host's daemon started, by the pid files it
# wrote (what libvirt's destroy does, when the daemon is gone).
kill_guests() {
  local d=$1 f pid
  for f in "$d"/run/qemu/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null)
    case "$pid" in ''|*[!0-9]*) continue ;; esac
    # Only a QEMU whose pid file this lab's daemon wrote.
    grep -q qemu-system "/proc/$pid/cmdline" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null
    wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null
  done
}

cmd_down() {
  local dir=$1 host d
  [ -f "$dir/hosts" ] || { rm -rf "$dir"; return 0; }
  dir=$(readlink -f "$dir")
  while read -r host; do
    d=$dir/$host
    if daemon_pid "$dir" "$host" >/dev/null; then
      for dom in $(virsh -q -c "$(uri_of "$dir" "$host")" list --name 2>/dev/null); do
        virsh -q -c "$(uri_of "$dir" "$host")" destroy "$dom" >/dev/null 2>&1
      done
    fi
    cmd_stop_host "$dir" "$host"
    kill_guests "$d"
  done < "$dir/hosts"
  while read -r host; do remove_cgroups "$dir/$host"; done < "$dir/hosts"
  rm -rf "$dir"
}

# ---- guests ---------------------------------------------------------------------

# The boot sector of --acpi guests, assembled from tests/lab/acpi_guest.S
# (as --32; ld -m elf_i386 -Ttext 0x7c00 --oformat binary): it reads the
# PIIX4 power management base from PCI configuration space, enables the
# power button event, halts until the timer wakes it, and when the button's
# status bit is set writes "soft off" to PM1 control.
ACPI_BOOT='\xfa\x31\xc0\x8e\xd8\x8e\xd0\xbc\x00\x7c\xba\xf8\x0c\x66\xb8\x40\x0b\x00\x80\x66\xef\xba\xfc\x0c\x66\xed\x83\xe0\xc0\x89\xc3\x8d\x57\x02\xb8\x00\x01\xef\xfb\xf4\x89\xda\xed\xa9\x00\x01\x74\xf7\x8d\x57\x04\xb8\x00\x20\xef\xf4\xeb\xfd'

# Writes the 512-byte boot disk of an --acpi guest.
write_acpi_disk() {
  { printf "$ACPI_BOOT"; head -c 452 /dev/zero; printf '\x55\xaa'; } > "$1"
}

cmd_guest() {
  local dir=$1 host=$2 name=$3 mem=64 vcpus=1 meta="" disk="" fill="" acpi=0 start=1 transient=0
  local xml uri blob
  shift 3
  while [ $# -gt 0 ]; do
    case "$1" in
      --memory) mem=$2; shift 2 ;;
      --vcpus) vcpus=$2; shift 2 ;;
      --meta) meta=$2; shift 2 ;;
      --disk) disk=$2; shift 2 ;;
      --fill) fill=$2; shift 2 ;;
      --acpi) acpi=1; shift ;;
      --no-start) start=0; shift ;;
      --transient) transient=1; shift ;;
      *) die "guest: unknown option $1" ;;
    esac
  done
  uri=$(uri_of "$dir" "$host")
  xml=$(hostdir "$dir" "$host")/$name.xml
  if [ -n "$fill" ]; then
    # Random data loaded at 16 MiB into guest memory: pages a migration must
    # really copy (a guest sitting in SeaBIOS has almost only zero pages).
    [ "$fill" -le $((mem - 20)) ] || die "guest: --fill must leave 20 MiB of --memory free"
    blob=$(readlink -f "$dir")/blobs/$name.bin
    mkdir -p "$(dirname "$blob")"
    head -c "${fill}M" /dev/urandom > "$blob" || die "cannot write $blob"
  fi
  {
    echo "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
    echo "  <name>$name</name>"
    echo "  <memory unit='MiB'>$mem</memory>"
    echo "  <vcpu>$vcpus</vcpu>"
    echo "  <os><type arch='x86_64' machine='pc'>hvm</type></os>"
    [ "$acpi" = 1 ] && echo "  <features><acpi/></features>"
    echo "  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>"
    echo "  <on_poweroff>destroy</on_poweroff><on_crash>destroy</on_crash>"
    if [ -n "$meta" ]; then
      echo "  <metadata><vmplace:vm xmlns:vmplace=\"https://vmplace.org/xmlns/1.0\">$meta</vmplace:vm></metadata>"
    fi
    echo "  <devices>"
    echo "    <emulator>$QEMU</emulator>"
    if [ -n "$disk" ]; then
      local img
      img=$(readlink -f "$dir")/disks/$name.qcow2
      mkdir -p "$(dirname "$img")"
      qemu-img create -q -f qcow2 "$img" "${disk}M" || die "cannot create $img"
      echo "    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
      echo "      <source file='$img'/><target dev='vda' bus='virtio'/></disk>"
    fi
    if [ "$acpi" = 1 ]; then
      local boot
      boot=$(readlink -f "$dir")/disks/$name.boot
      mkdir -p "$(dirname "$boot")"
      write_acpi_disk "$boot" || die "cannot write $boot"
      echo "    <disk type='file' device='disk'><driver name='qemu' type='raw'/>"
      echo "      <source file='$boot'/><target dev='hda' bus='ide'/><boot order='1'/></disk>"
    fi
    echo "    <memballoon model='none'/>"
    echo "  </devices>"
    if [ -n "$fill" ]; then
      echo "  <qemu:commandline><qemu:arg value='-device'/>"
      echo "    <qemu:arg value='loader,file=$blob,addr=0x1000000,force-raw=on'/></qemu:commandline>"
    fi
    echo "</domain>"
  } > "$xml"
  if [ "$transient" = 1 ]; then
    virsh -q -c "$uri" create "$xml" >/dev/null || die "$host: cannot create $name"
    return 0
  fi
  virsh -q -c "$uri" define "$xml" >/dev/null || die "$host: cannot define $name"
  if [ "$start" = 1 ]; then
    virsh -q -c "$uri" start "$name" >/dev/null || die "$host: cannot start $name"
  fi
}

# ---- the inventory ----------------------------------------------------------------

cmd_inventory() {
  local dir=$1 mem=1024 cpu=0 mode=direct host sep="" mig
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --memory) mem=$2; shift 2 ;;
      --cpu) cpu=$2; shift 2 ;;
      --migration) mode=$2; shift 2 ;;
      *) die "inventory: unknown option $1" ;;
    esac
  done
  case "$mode" in
    direct) mig='"migration": {"uri": "tcp://127.0.0.1", "listen_address": "127.0.0.1"}' ;;
    tunnelled) mig='"migration": {"tunnelled": true}' ;;
    none) mig="" ;;
    *) die "inventory: --migration is direct, tunnelled or none" ;;
  esac
  echo '{ "version": 1,'
  echo '  "resources": ["cpu", "memory_mib", "disk_gib"],'
  echo '  "hosts": ['
  while read -r host; do
    printf '%s    {"name": "%s", "uri": "%s",\n' "$sep" "$host" "$(uri_of "$dir" "$host")"
    printf '     "capacity": {"cpu": %s, "memory_mib": %s, "disk_gib": 100}, "overcommit": {"cpu": 8},\n     "cost": 1%s}' \
      "$cpu" "$mem" "${mig:+, $mig}"
    sep=$',\n'
  done < "$dir/hosts"
  echo
  echo '  ],'
  echo '  "objective": {"cost": 1, "migrations": 0.001} }'
}

# The datacenter of docs/libvirt.md's walkthrough: two web servers that
# must not share a host, a database, a cache and a batch VM spread over
# three hosts of 512 MiB and 2 CPUs (overcommitted 2:1), one VM a host.
cmd_demo() {
  local dir=$1 web
  web='<vmplace:label key="app">web</vmplace:label>'
  web="$web"'<vmplace:group name="web-spread" policy="anti-affinity" hard="true"/>'
  cmd_up "$dir" 3 || return 1
  cmd_guest "$dir" h1 web-1 --meta "$web" &&
    cmd_guest "$dir" h2 web-2 --meta "$web" &&
    cmd_guest "$dir" h3 db-1 --memory 128 --vcpus 2 \
      --meta '<vmplace:label key="app">db</vmplace:label><vmplace:priority>10</vmplace:priority>' &&
    cmd_guest "$dir" h2 cache-1 --memory 96 &&
    cmd_guest "$dir" h3 batch-1 || return 1
  cmd_inventory "$dir" --memory 512 --cpu 2 > "$dir/inventory.json.tmp" &&
    sed 's/"overcommit": {"cpu": 8}/"overcommit": {"cpu": 2}/' "$dir/inventory.json.tmp" \
      > "$dir/inventory.json" && rm -f "$dir/inventory.json.tmp" || return 1
  echo "lab: 5 guests; inventory: $(readlink -f "$dir")/inventory.json"
}

cmd_run() {
  local n=$1 dir=$2 rc
  shift 2
  [ "${1:-}" = -- ] && shift
  trap 'cmd_down "$dir"' EXIT
  trap 'exit 130' INT TERM
  cmd_up "$dir" "$n" || exit 1
  "$@"
  rc=$?
  exit "$rc"
}

case "${1:-}" in
  install) cmd_install ;;
  check) cmd_check ;;
  up) [ $# -eq 3 ] || die "usage: lab.sh up DIR N"; cmd_up "$2" "$3" ;;
  down) [ $# -eq 2 ] || die "usage: lab.sh down DIR"; cmd_down "$2" ;;
  guest) [ $# -ge 4 ] || die "usage: lab.sh guest DIR HOST NAME [options]"; shift; cmd_guest "$@" ;;
  inventory) [ $# -ge 2 ] || die "usage: lab.sh inventory DIR [options]"; shift; cmd_inventory "$@" ;;
  uri) [ $# -eq 3 ] || die "usage: lab.sh uri DIR HOST"; uri_of "$2" "$3" ;;
  virsh) [ $# -ge 3 ] || die "usage: lab.sh virsh DIR HOST ARGS..."
         u=$(uri_of "$2" "$3"); shift 3; exec virsh -c "$u" "$@" ;;
  stop-host) [ $# -eq 3 ] || die "usage: lab.sh stop-host DIR HOST"; cmd_stop_host "$2" "$3" ;;
  start-host) [ $# -eq 3 ] || die "usage: lab.sh start-host DIR HOST"; cmd_start_host "$2" "$3" ;;
  demo) [ $# -eq 2 ] || die "usage: lab.sh demo DIR"; cmd_demo "$2" ;;
  run) [ $# -ge 4 ] || die "usage: lab.sh run N DIR -- CMD..."; shift; cmd_run "$@" ;;
  _launch) launch "$2" ;;
  _inner) inner "$2" ;;
  *) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac
