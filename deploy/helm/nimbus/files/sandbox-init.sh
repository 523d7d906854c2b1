#!/bin/sh
# Runs first in a Nimbus container that runs function code, as root with CAP_SYS_ADMIN (see
# deploy/README.md, "The sandbox"), then becomes the platform (`exec "$@"`). It gives Nimbus what a
# container withholds by default and the sandbox needs; each step is skipped when already there.
set -eu

cg=/sys/fs/cgroup
if [ -f "$cg/cgroup.controllers" ]; then
  # 1. cgroup v2: the container sees its own cgroup at /sys/fs/cgroup (cgroup namespace), mounted
  #    read-only. Nimbus puts each instance in a child cgroup with memory.max and pids.max, so the
  #    tree must be writable. The kernel's nsdelegate keeps the container's own limits out of
  #    reach: only its children's files become writable.
  if ! mkdir "$cg/.nimbus-probe" 2>/dev/null; then
    # Only in a cgroup namespace of our own: in the node's, /sys/fs/cgroup is the node's whole tree
    # and instances would escape the pod's limits.
    if [ "$(cat /proc/self/cgroup)" != "0::/" ]; then
      echo "sandbox-init: the container has no cgroup namespace of its own ($(cat /proc/self/cgroup)); use a runtime with cgroup v2 (containerd, CRI-O)" >&2
      exit 1
    fi
    # A bind remount changes only this mount's flag; a plain one is needed when the cgroup
    # filesystem itself was mounted read-only (it only touches this namespace's superblock).
    mount -o remount,bind,rw "$cg" 2>/dev/null || mount -o remount,rw "$cg"
    mkdir "$cg/.nimbus-probe"
  fi
  rmdir "$cg/.nimbus-probe"
  # 2. "No internal processes": a cgroup that has processes cannot hand the memory and pids
  #    controllers to its children. Move this process (and so the platform it becomes) into a
  #    leaf, as docker-in-docker does, so Nimbus can enable them for its own subtree.
  mkdir -p "$cg/init"
  echo $$ >"$cg/init/cgroup.procs"
fi

# 3. Network sysctls: Nimbus turns on IPv4 forwarding and proxy ARP on each instance's veth. The
#    pod has its own network namespace, but /proc/sys is read-only in a container; make only the
#    pod's net.* writable (the rest of /proc/sys stays read-only: it is the node's).
if ! (echo 1 >/proc/sys/net/ipv4/ip_forward) 2>/dev/null; then
  mount --bind /proc/sys/net /proc/sys/net
  mount -o remount,bind,rw /proc/sys/net
  echo 1 >/proc/sys/net/ipv4/ip_forward
fi

exec "$@"
