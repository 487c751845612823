#!/usr/bin/env bash
# Builds the Dockerfile's base image (its first FROM, node:20-bookworm-slim) on this machine,
# which reaches no image registry: a minbase Debian from the machine's own apt source, the
# machine's Node (with npm and corepack), a `node` user (uid 1000) and the machine's CA bundle,
# trusted by Node through NODE_EXTRA_CA_CERTS so installs inside a build trust what the machine
# trusts. The image is labelled with a key over its inputs (Debian release, mirror, Node version
# and binary, CA bundle, this script); an image with the same key is reused, not rebuilt.
# Usage: base-image.sh [--force]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF="$here/containers.conf"
podman=(podman --runtime /usr/bin/runc)

from=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$repo/Dockerfile")
case "$from" in
  */*) tag="$from" ;;
  *) tag="docker.io/library/$from" ;;
esac
suite=$(sed -n 's/.*-\(bookworm\|trixie\|bullseye\)\(-slim\)\?$/\1/p' <<<"$from")
[ -n "$suite" ] || { echo "base-image: cannot tell the Debian release of $from" >&2; exit 1; }

# The first apt source that serves the release itself (not -updates/-security).
mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk -v s="$suite" '
      /^[ \t]*$/ { if (uri != "" && ok) exit; uri = ""; ok = 0; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
      END { if (uri != "" && ok) print uri }' "$f"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v s="$suite" '$1 == "deb" && $3 == s { print $2 }' || true
}
uri=$(mirror | awk 'NR == 1')
[ -n "$uri" ] || { echo "base-image: no apt source for $suite in /etc/apt/sources.list*" >&2; exit 1; }

node_bin=$(command -v node)
node_bin=$(readlink -f "$node_bin")
node_version=$("$node_bin" --version)
node_lib=$(cd "$(dirname "$node_bin")/../lib/node_modules" && pwd)
ca=/etc/ssl/certs/ca-certificates.crt
key=$( {
  echo "$suite $uri $node_version"
  sha256sum "$node_bin" "$ca" "$0" | cut -d' ' -f1
} | sha256sum | cut -c1-16)

if [ "${1:-}" != "--force" ] && "${podman[@]}" image exists "$tag" &&
  [ "$("${podman[@]}" image inspect --format '{{ index .Labels "ihf.base.key" }}' "$tag")" = "$key" ]; then
  echo "base-image: $tag is current (key $key: $suite, node $node_version)"
  exit 0
fi

echo "base-image: building $tag ($suite from $uri, node $node_version, key $key)"
work=$(mktemp -d /var/tmp/ihf-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
debootstrap --variant=minbase "$suite" "$root" "$uri" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

install -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$node_lib/npm" "$node_lib/corepack" "$root/usr/local/lib/node_modules/"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"
install -D -m 0644 "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$root" /usr/local/bin/node --version >/dev/null
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
id=$("${podman[@]}" import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
  --change "LABEL ihf.base.key=$key" \
  --change 'CMD ["node"]' \
  "$work/rootfs.tar")
old=$("${podman[@]}" image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
"${podman[@]}" tag "$id" "$tag"
# The replaced base, now untagged, goes too unless images built on it still use it.
[ -z "$old" ] || [ "$old" = "$id" ] || "${podman[@]}" rmi "$old" >/dev/null 2>&1 || true
echo "base-image: tagged $tag ($("${podman[@]}" image inspect --format '{{.Size}}' "$tag") bytes)"
