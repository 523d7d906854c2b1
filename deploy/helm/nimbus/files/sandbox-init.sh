#!/bin/sh
# Runs first in a Nimbus container that runs function code, as root with CAP_SYS_ADMIN (see
# deploy/README.md, "The sandbox"), then becomes the platform (`exec "$@"`). It gives Nimbus what a
# container withholds by default and the sandbox needs; a step already done is skipped.
set -eu

fail() {
  echo "sandbox-init: $*" >&2
  exit 1
}

cg=/sys/fs/cgroup
# Refuse rather than run instances without memory and pids limits (cgroup v1 is read-only here),
# or in the node's own cgroup tree, outside the pod's limits (no cgroup namespace of our own).
[ -f "$cg/cgroup.controllers" ] || fail "cgroup v2 is required (this node has cgroup v1)"
grep -qx '0::/' /proc/self/cgroup ||
  fail "the container has no cgroup namespace of its own ($(grep '^0::' /proc/self/cgroup)); use containerd or CRI-O on cgroup v2"

# 1. The container sees its own cgroup at /sys/fs/cgroup, read-only. Nimbus puts each instance in
#    a child cgroup with memory.max and pids.max, so the tree must be writable. The kernel's
#    nsdelegate keeps the container's own limits out of reach: only its children's files open up.
#    A bind remount changes only this mount; a plain one is needed when the filesystem itself was
#    mounted read-only (it touches this cgroup namespace's superblock only).
if ! mkdir "$cg/nimbus-probe" 2>/dev/null; then
  mount -o remount,bind,rw "$cg" 2>/dev/null || mount -o remount,rw "$cg"
  mkdir "$cg/nimbus-probe"
fi
rmdir "$cg/nimbus-probe"

# 2. "No internal processes": a cgroup that has processes cannot hand the memory and pids
#    controllers to its children. Move this process (and so the platform it becomes) into a leaf,
#    as docker-in-docker does, so Nimbus can enable them for its own subtree.
mkdir -p "$cg/init"
echo $$ >"$cg/init/cgroup.procs"

# 3. Network sysctls: Nimbus turns on IPv4 forwarding and proxy ARP on each instance's veth. The
#    pod has its own network namespace, but /proc/sys is read-only in a container: make only the
#    pod's net.* writable (the rest of /proc/sys is the node's and stays read-only).
if ! (echo 1 >/proc/sys/net/ipv4/ip_forward) 2>/dev/null; then
  mount --bind /proc/sys/net /proc/sys/net
  mount -o remount,bind,rw /proc/sys/net
  echo 1 >/proc/sys/net/ipv4/ip_forward
fi

exec "$@"
