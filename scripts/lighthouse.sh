#!/usr/bin/env bash
# Lighthouse benchmark of the demo portal: a measurement, not a CI gate (pytest never runs it).
#
#   bash scripts/lighthouse.sh [RUNS]        # RUNS per page, default 3
#
# What it does:
#   1. builds the committed demo data (data/) into a temporary folder;
#   2. serves it with nginx on 127.0.0.1 (gzip on, the same Content-Security-Policy header
#      as the meta tag in base.html), as a real deployment would;
#   3. runs Lighthouse RUNS times on the home page, the largest community page and the
#      largest project page (the heaviest pages of their kind), with Lighthouse's default
#      mobile profile: an emulated mid-range phone, simulated slow 4G and 4x CPU slowdown;
#   4. prints the median performance / accessibility / best-practices / SEO scores.
#
# Targets: performance >= 95, accessibility 100, best practices >= 95, SEO >= 95.
#
# Lighthouse drives Debian's chromium (CHROME_PATH=/usr/bin/chromium); it never downloads a
# browser. It is fetched on demand with `npx --yes lighthouse@VERSION` instead of living in
# package.json: it is ~200 packages that CI's `npm ci` would otherwise install for nothing.
# Version 12 is the newest line that runs on Node 20 (13 needs Node >= 22.19).
# Reports (HTML and JSON) are kept in $LH_OUT (default: a temporary folder, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE_VERSION="${LIGHTHOUSE_VERSION:-12.8.2}"
RUNS="${1:-3}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run --disable-sync --disable-quic"

for tool in nginx node npx python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "lighthouse.sh: $tool is required" >&2; exit 2; }
done
[ -x "$CHROME_PATH" ] || { echo "lighthouse.sh: no chromium at $CHROME_PATH (apt-get install chromium)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/gongshi-lighthouse.XXXXXX")"
out="$work/site"
reports="${LH_OUT:-$work/reports}"
mkdir -p "$reports" "$work/nginx"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$out" "$work/nginx"
}
trap cleanup EXIT

echo "== build data/ -> $out"
python3 -m generator.cli build --data data --output "$out" >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 2; }

# The policy nginx sends is the one in the pages' meta tag.
csp="$(python3 - "$out/index.html" <<'PY'
import html, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
print(html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)))
PY
)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root root;"   # else workers become "nobody", who cannot read $work
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  charset utf-8;
  access_log off;
  sendfile on;
  gzip on;
  gzip_types text/css application/javascript;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    root $out;
    index index.html;
    add_header Content-Security-Policy "$csp" always;
    add_header X-Content-Type-Options nosniff always;
    location / { try_files \$uri \$uri/ =404; }
  }
}
CONF
nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
base="http://127.0.0.1:$port/"
echo "== serving $out at $base (nginx pid $nginx_pid)"

largest() { echo "$(cd "$out" && ls -S "$1"/*/index.html | sed -n 1p | xargs dirname)/"; }
pages=("home=" "community=$(largest communities)" "project=$(largest projects)")

for entry in "${pages[@]}"; do
  name="${entry%%=*}"; path="${entry#*=}"
  for run in $(seq "$RUNS"); do
    echo "== lighthouse $name (${path:-/}) run $run/$RUNS"
    npx --yes "lighthouse@$LIGHTHOUSE_VERSION" "$base$path" \
      --quiet --output=json --output=html --output-path="$reports/$name-$run" \
      --only-categories=performance,accessibility,best-practices,seo \
      --chrome-flags="$CHROME_FLAGS" --locale=en-US
  done
done

echo
python3 - "$reports" "$RUNS" "${pages[@]}" <<'PY'
import json, statistics, sys
from pathlib import Path

reports, runs, pages = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
cats = ["performance", "accessibility", "best-practices", "seo"]
targets = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 95}
print(f"Lighthouse {runs} runs per page, mobile profile; median scores (target)")
print(f"| page | path | " + " | ".join(f"{c} (≥{targets[c]})" for c in cats) + " |")
print("|---|---|" + "---:|" * len(cats))
failed = []
for entry in pages:
    name, path = entry.split("=", 1)
    scores = {c: [] for c in cats}
    for run in range(1, runs + 1):
        data = json.loads((reports / f"{name}-{run}.report.json").read_text(encoding="utf-8"))
        for c in cats:
            scores[c].append(round(data["categories"][c]["score"] * 100))
        for c in cats:  # what kept a category below 100, once per page
            if run == 1 and data["categories"][c]["score"] < 1:
                for ref in data["categories"][c]["auditRefs"]:
                    audit = data["audits"][ref["id"]]
                    if ref["weight"] and audit.get("score") is not None and audit["score"] < 0.9:
                        failed.append(f"{name}: {c}: {ref['id']} ({audit['score']}) {audit.get('displayValue', '')}")
    medians = {c: statistics.median(v) for c, v in scores.items()}
    print(f"| {name} | /{path} | " + " | ".join(f"{medians[c]:g}" for c in cats) + " |")
if failed:
    print("\nAudits below 0.9 in the first run:")
    print("\n".join("  " + f for f in failed))
print(f"\nReports: {reports}")
PY
