#!/usr/bin/env bash
# Builds the boot test's guest (tests/guest_boot.py), once per machine and recipe, from
# Debian's packages only, fetched from the mirror apt is configured with here: a Debian 12
# root file system made by mmdebstrap with cloud-init, ifupdown, ifenslave and Debian's kernel,
# turned into an ext4 image without mounting anything (mkfs.ext4 -d), and the kernel and
# initrd beside it (qemu boots them directly: no boot loader to install). The guest runs
# report.py after cloud-init (multinic-report.service) and powers off.
# Installs the host tools when missing (qemu-system-x86, mmdebstrap, e2fsprogs, xorriso).
# Everything lives under $G/<recipe>/ (G default: ~/.cache/multinic-guest), where <recipe>
# hashes this directory's files and apt's sources: changing any of them builds a new entry
# and removes the old ones. Built in a temporary directory and renamed into place, so an entry
# is whole or absent. Idempotent; instant once cached. Prints the entry's directory last.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
G=${G:-${XDG_CACHE_HOME:-$HOME/.cache}/multinic-guest}

missing=""
for tool in qemu-system-x86_64:qemu-system-x86 mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs \
            xorriso:xorriso; do
  command -v "${tool%%:*}" >/dev/null || missing="$missing ${tool#*:}"
done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || { echo "setup.sh: please install:$missing (Debian packages)" >&2; exit 1; }
  # The package lists are refreshed only when the ones at hand do not do (as make's chromium).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
      >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
              $missing >/dev/null; }
fi

# apt's own sources (deb822 or one-line), pasted into the guest's: the same mirror, no other.
if [ -s /etc/apt/sources.list.d/debian.sources ]; then
  SOURCES=$(cat /etc/apt/sources.list.d/debian.sources)
elif [ -s /etc/apt/sources.list ]; then
  SOURCES=$(grep -v '^ *#' /etc/apt/sources.list)
else
  SOURCES="deb http://deb.debian.org/debian bookworm main"
fi
RECIPE=$( (cat "$HERE"/setup.sh "$HERE"/report.py "$HERE"/multinic-report.service \
              "$HERE"/99-multinic.cfg; echo "$SOURCES") | sha256sum | cut -c1-16)
ENTRY=$G/$RECIPE
mkdir -p "$G"
# One builder at a time (make test and a pytest run started beside it may both ask).
exec 9>"$G/.lock"
flock 9
if [ ! -f "$ENTRY/ready" ]; then
  started=$(date +%s)
  BUILD=$G/.build-$RECIPE
  rm -rf "$BUILD"
  mkdir -p "$BUILD"
  echo "$SOURCES" > "$BUILD/sources"
  # minbase, without Recommends (mmdebstrap's default); net-tools because cloud-init's
  # ifupdown renderer writes routes as `post-up route add ...` (without it they fail quietly:
  # no default route); resolvconf because that renderer writes DNS as dns-nameservers lines,
  # which only resolvconf turns into /etc/resolv.conf. Documentation, translations and the
  # kernel's drivers for hardware a qemu guest never has are left out: a smaller image, built
  # faster.
  mmdebstrap --mode=root --variant=minbase --quiet \
    --include=systemd-sysv,udev,cloud-init,ifupdown,ifenslave,iproute2,net-tools,resolvconf,linux-image-amd64,initramfs-tools,kmod \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/gpu/*' \
    --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/media/*' \
    --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/net/wireless/*' \
    --dpkgopt='path-exclude=/lib/modules/*/kernel/drivers/infiniband/*' \
    --dpkgopt='path-exclude=/lib/modules/*/kernel/sound/*' \
    bookworm "$BUILD/root" "$BUILD/sources" >&2
  root=$BUILD/root
  install -D -m 644 "$HERE/99-multinic.cfg" "$root/etc/cloud/cloud.cfg.d/99-multinic.cfg"
  install -D -m 755 "$HERE/report.py" "$root/usr/local/sbin/multinic-report"
  install -D -m 644 "$HERE/multinic-report.service" "$root/etc/systemd/system/multinic-report.service"
  systemctl --root="$root" enable --quiet multinic-report.service
  echo "LABEL=multinic-root / ext4 rw 0 1" > "$root/etc/fstab"
  # The host's resolver and name must not pass for what cloud-init wrote (mmdebstrap copies
  # the host's in): resolvconf's file, empty until ifupdown hands it the dns-nameservers.
  echo unconfigured > "$root/etc/hostname"
  rm -f "$root/etc/resolv.conf"
  ln -s /run/resolvconf/resolv.conf "$root/etc/resolv.conf"
  # qemu boots the kernel directly: it stays out of the image.
  mv "$root"/boot/vmlinuz-* "$BUILD/vmlinuz"
  mv "$root"/boot/initrd.img-* "$BUILD/initrd.img"
  # The image: the tree's size and a quarter more for the guest's own writes (the test boots
  # it with -snapshot, so they never reach this file).
  size=$(( $(du -sm "$BUILD/root" | cut -f1) * 5 / 4 + 64 ))
  mkfs.ext4 -q -L multinic-root -d "$BUILD/root" "$BUILD/root.ext4" "${size}M" >&2
  rm -rf "$BUILD/root"
  echo "built in $(( $(date +%s) - started )) s, image $(du -sh --apparent-size "$BUILD/root.ext4" | cut -f1)" \
    > "$BUILD/ready"
  rm -rf "$ENTRY"
  mv "$BUILD" "$ENTRY"
  # Older recipes' entries are of no further use.
  find "$G" -mindepth 1 -maxdepth 1 -type d ! -name "$RECIPE" -exec rm -rf {} +
fi
echo "guest image ready under $ENTRY ($(cat "$ENTRY/ready"))" >&2
echo "$ENTRY"
