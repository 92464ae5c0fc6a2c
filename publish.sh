#!/usr/bin/env bash
# Publish the portal: a thin wrapper around `gongshi publish` / `gongshi rollback`, kept
# for the scripts that call it. Everything (checks, locking, atomic switch, the public
# record) happens in gongshi; see README "Publishing".
#
#   ./publish.sh /srv/gongshi                 # check, build, verify, deploy, record
#   ./publish.sh /srv/gongshi --keep 5        # keep the five newest releases
#   ./publish.sh /srv/gongshi --rollback      # step back one release (again: further back)
#   ./publish.sh deploy@host:/srv/gongshi     # or s3://bucket/prefix; other options as gongshi publish
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
# This checkout's code, whichever gongshi is installed.
export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"

command=publish
args=()
for arg in "$@"; do
  if [ "$arg" = "--rollback" ]; then command=rollback; else args+=("$arg"); fi
done
if [ "$command" = rollback ]; then
  # rollback reads only the target (and --data for site.yaml); publish-only options are dropped.
  keep=()
  skip=0
  for arg in "${args[@]}"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$arg" in
      --output|--keep|--settings|--reports|--jobs|--limit) skip=1 ;;
      --full|--timings) ;;
      *) keep+=("$arg") ;;
    esac
  done
  args=("${keep[@]}")
fi
exec python3 -m generator.cli "$command" ${args[@]+"${args[@]}"}
