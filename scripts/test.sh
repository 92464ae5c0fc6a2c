#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs them.
# The README's second Quick start command, and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# System parts the browser and serving tests drive for real (Debian packages).
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx-light)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
# The publish tests deploy over rsync to an sshd they start on loopback.
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v ssh >/dev/null 2>&1 || need_apt+=(openssh-client)
command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
# A CJK system font, so browser tests measure real Chinese text (the site loads no web fonts).
[ -n "$(fc-list :lang=zh family 2>/dev/null)" ] || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

log "pip install -e .[test]"
python3 -m pip install -q --disable-pip-version-check -e ".[test]"

if [ -f package.json ]; then
  log "npm ci (pagefind, axe-core, vnu-jar)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
fi

log "ruff"
python3 -m ruff check generator tests scripts

log "mypy"
python3 -m mypy

# The suite builds the demo site dozens of times; a passing test's folder is removed
# (pyproject.toml), and under 1 GB is in use at once under the temp folder (measured).
tmp=${TMPDIR:-/tmp}
free_mb=$(df -Pm "$tmp" | awk 'NR==2 {print $4}')
if [ "${free_mb:-0}" -lt 2000 ]; then
  printf 'warning: only %s MB free in %s; the tests need about 1 GB (set TMPDIR to a larger disk)\n' "$free_mb" "$tmp" >&2
fi

log "pytest"
python3 -m pytest "$@"
