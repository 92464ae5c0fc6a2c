#!/usr/bin/env bash
# Deploy the portal atomically: build, copy into a new release folder, then switch the
# `current` symlink in one rename. The web server's root is TARGET/current.
#
#   ./publish.sh /srv/gongshi               # build data/ and publish
#   ./publish.sh /srv/gongshi --keep 5      # keep the five newest releases
#   ./publish.sh /srv/gongshi --rollback    # point current back at the previous release
#
# A failed build or copy never touches what is live: the switch is the last step, and a
# rename of a symlink is atomic, so readers see the old site or the new one, never a mix.
set -euo pipefail
cd "$(dirname "$0")"

usage() { echo "用法：$0 目标目录 [--data DIR] [--output DIR] [--keep N] [--rollback]" >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1; shift
data=data; output=output; keep=5; rollback=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --rollback) rollback=1; shift ;;
    *) usage ;;
  esac
done

mkdir -p "$target/releases"
switch() {  # atomically point TARGET/current at release $1
  ln -sfn "releases/$1" "$target/.current.new"
  mv -T "$target/.current.new" "$target/current"
  echo "已发布：$target/current -> releases/$1"
}

if [ "$rollback" = 1 ]; then
  live=$(readlink "$target/current" 2>/dev/null | xargs -r basename)
  previous=$(ls -1 "$target/releases" | sort | grep -v -x "${live:-}" | tail -n 1)
  [ -n "$previous" ] || { echo "没有可回退的版本" >&2; exit 1; }
  switch "$previous"
  exit 0
fi

# 1. Build (validates first; on bad data it exits 1 and nothing below runs).
gongshi build --data "$data" --output "$output"

# 2. Copy into a fresh release folder; build metadata stays behind.
release=$(date -u +%Y%m%dT%H%M%SZ)-$$
staging="$target/releases/.$release.partial"
rm -rf "$staging"
mkdir -p "$staging"
trap 'rm -rf "$staging"' EXIT
cp -a "$output/." "$staging/"
rm -rf "$staging/.gongshi"
mv "$staging" "$target/releases/$release"
trap - EXIT

# 3. Switch, then prune old releases (never the live one).
switch "$release"
ls -1 "$target/releases" | grep -v '^\.' | sort | head -n -"$keep" | while read -r old; do
  [ "releases/$old" = "$(readlink "$target/current")" ] || rm -rf "${target:?}/releases/$old"
done
