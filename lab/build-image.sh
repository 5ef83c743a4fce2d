#!/usr/bin/env bash
# Builds (or reuses) a bootable Debian guest with real OpenZFS for zfs-sync's lab.
#
#   lab/build-image.sh 2.1|2.3      prints the image directory on the last line of stdout
#
# The image is cached under ${XDG_CACHE_HOME:-~/.cache}/zfs-sync/lab/, keyed by a hash of this
# recipe and the variant, and reused until the recipe changes. Progress goes to stderr.
# Everything comes from Debian's packages: bookworm (OpenZFS 2.1) or bookworm-backports (2.3).
set -euo pipefail

variant=${1:-2.3}
case "$variant" in
  2.1) suite=bookworm ;;
  2.3) suite=bookworm-backports ;;
  *) echo "build-image: unknown variant '$variant' (use 2.1 or 2.3)" >&2; exit 2 ;;
esac

mirror=${ZFS_SYNC_LAB_MIRROR:-http://deb.debian.org/debian}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/zfs-sync/lab
recipe_hash=$( (cat "$0"; echo "$variant") | sha256sum | cut -c1-16)
out=$cache_root/openzfs-$variant-$recipe_hash

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -f "$out/ready" ]; then
  log "reusing cached image $out"
  echo "$out"
  exit 0
fi

host_packages=(qemu-system-x86 qemu-utils debootstrap e2fsprogs openssh-client)
missing=()
for tool in qemu-system-x86_64 qemu-img debootstrap mkfs.ext4 ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "installing host packages: ${host_packages[*]} (missing: ${missing[*]})"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${host_packages[@]}" >&2
  else
    echo "build-image: missing ${missing[*]}; run: sudo apt-get install -y ${host_packages[*]}" >&2
    exit 3
  fi
fi
export PATH=$PATH:/usr/sbin:/sbin
if [ "$(id -u)" -ne 0 ]; then
  echo "build-image: building the lab image needs root (debootstrap, chroot); run: sudo $0 $variant" >&2
  exit 3
fi

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/build-$variant.XXXXXX")
root=$work/root
mounted=()
cleanup() {
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Base root file system, shared by both variants and cached as a tarball.
base_hash=$(sed -n '/^# BEGIN BASE/,/^# END BASE/p' "$0" | sha256sum | cut -c1-16)
base_tar=$cache_root/base-$base_hash.tar
# BEGIN BASE
if [ ! -f "$base_tar" ]; then
  log "debootstrap bookworm (minbase) — about 80 s"
  debootstrap --variant=minbase \
    --include=systemd-sysv,udev,kmod,iproute2,openssh-server,procps,zstd,lz4,mbuffer,pv,initramfs-tools,ca-certificates,psmisc,coreutils \
    bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$root" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
else
  log "reusing base root file system $base_tar"
  mkdir -p "$root" && tar -C "$root" -xf "$base_tar"
fi
# END BASE

# 2. Kernel, OpenZFS (DKMS, built for the guest kernel) and a Java runtime, inside a chroot.
for fs in proc sys dev dev/pts; do
  mkdir -p "$root/$fs"; mount --bind "/$fs" "$root/$fs"; mounted+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates bookworm-backports
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
in_root() { chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
log "apt-get update in the guest root"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
log "kernel and headers from $suite — about 90 s"
in_root apt-get install -y -q --no-install-recommends -t "$suite" linux-image-amd64 linux-headers-amd64 \
  >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
log "OpenZFS $variant via DKMS, built for the guest kernel — the longest step (several minutes)"
in_root apt-get install -y -q --no-install-recommends -t "$suite" zfs-dkms zfsutils-linux \
  >>"$work/apt.log" 2>&1 || { tail -40 "$work/apt.log" >&2; exit 1; }
in_root dkms status | grep -q 'zfs.*installed' || { echo "build-image: DKMS did not install zfs" >&2; in_root dkms status >&2; exit 1; }
log "Java runtime for zfs-sync, csh/tcsh login shells, socat and man inside the guest"
in_root apt-get install -y -q --no-install-recommends openjdk-17-jre-headless tcsh csh socat man-db \
  >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
in_root apt-get clean

# 3. Make the guest usable without a console.
ssh-keygen -q -t ed25519 -N '' -C zfs-sync-lab -f "$work/id_ed25519"
install -d -m 700 "$root/root/.ssh"
install -m 600 "$work/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
# The guest's root may ssh to itself (local-mode tests that push to "localhost").
install -m 600 "$work/id_ed25519" "$root/root/.ssh/id_ed25519"
cat >"$root/root/.ssh/config" <<'CFG'
Host localhost 127.0.0.1
  StrictHostKeyChecking accept-new
  BatchMode yes
CFG
cat >"$root/etc/ssh/sshd_config.d/zfs-sync-lab.conf" <<'CFG'
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
MaxSessions 64
MaxStartups 64:30:128
CFG
echo zfslab >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 zfslab\n' >"$root/etc/hosts"
echo '/dev/vda / ext4 rw,noatime 0 1' >"$root/etc/fstab"
echo zfs >"$root/etc/modules-load.d/zfs.conf"
cat >"$root/etc/systemd/network/10-lab.network" <<'NET'
[Match]
Name=en* eth*
[Network]
Address=10.0.2.15/24
NET
in_root systemctl enable systemd-networkd >/dev/null 2>&1
in_root systemctl disable zfs-zed >/dev/null 2>&1 || true
# The guest has no outside network (qemu's restrict=on): make sure nothing waits for it.
in_root systemctl mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 || true
# zfs-dkms versions and the kernel version, read back by the lab code.
# shellcheck disable=SC2016 # ${Version} is dpkg-query's format, not ours
in_root dpkg-query -W -f='${Version}' zfsutils-linux >"$work/zfs-version"
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"

for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[i]}"; done
mounted=()

# 4. Disk image and boot files.
log "building the disk image"
mkdir -p "$work/out"
# Debian keeps relative /vmlinuz and /initrd.img links to the installed kernel.
cp -L "$root/vmlinuz" "$work/out/vmlinuz"
cp -L "$root/initrd.img" "$work/out/initrd.img"
truncate -s 6G "$work/out/root.raw"
mkfs.ext4 -q -F -L zfslab -d "$root" "$work/out/root.raw"
qemu-img convert -O qcow2 "$work/out/root.raw" "$work/out/root.qcow2"
rm -f "$work/out/root.raw"
install -m 600 "$work/id_ed25519" "$work/out/id_ed25519"
install -m 644 "$work/id_ed25519.pub" "$work/out/id_ed25519.pub"
# The guest's host key, so the lab's ssh checks it (StrictHostKeyChecking) instead of trusting blindly.
sed 's/^/zfs-sync-lab /' "$root/etc/ssh/ssh_host_ed25519_key.pub" | cut -d' ' -f1-3 >"$work/out/known_hosts"
cp "$work/zfs-version" "$work/out/zfs-version"
echo "$variant" >"$work/out/variant"
date -u +%Y-%m-%dT%H:%M:%SZ >"$work/out/ready"
rm -rf "$cache_root/openzfs-$variant-"*   # images of older recipes
mv "$work/out" "$out"
log "image ready: $out (OpenZFS $(cat "$out/zfs-version"))"
echo "$out"
