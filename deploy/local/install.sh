#!/usr/bin/env bash
# Installs what IJlucht needs on Debian 12 or 13, idempotently; fast when everything is there.
#   install.sh          system packages (as root) and the Python environment
#   install.sh python   only the Python environment (.venv)
#   install.sh promtool only promtool (from Debian's prometheus package, no daemon) into .venv/bin
#   install.sh bench    what `make bench` adds: wrk, the HTTP load generator of the API benchmark
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=$ROOT/.venv
log() { printf '[install] %s\n' "$*" >&2; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

system_packages() {
  # Python tooling, the browser for dashboard tests; services.sh adds PostgreSQL, TimescaleDB and Mosquitto.
  # nginx: the production proxy, run by tests/deploy (its daemon is not started here: policy-rc.d, or no init).
  local want=(python3 python3-venv python3-dev gcc make procps chromium chromium-driver ca-certificates nginx) missing=() p
  for p in "${want[@]}"; do have_pkg "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "[install] missing Debian packages (install as root): ${missing[*]}" >&2; exit 1; }
    log "installing ${missing[*]}"
    apt-get update -qq
    # No daemon may start from these packages here (nginx would take port 80): a policy-rc.d for the install.
    local policy=""
    [ -e /usr/sbin/policy-rc.d ] || { policy=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -z "$policy" ] || rm -f "$policy"
  fi
  bash "$ROOT/deploy/local/services.sh" install
}

python_env() {
  local py=${IJLUCHT_PYTHON:-python3}
  "$py" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' \
    || { echo "[install] Python 3.11 or newer is needed" >&2; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    "$py" -m venv "$VENV" 2>/dev/null || {
      [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$py" -m venv "$VENV"
    }
  fi
  log "installing the Python environment in .venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]"
  promtool
}

# promtool checks the alerting rules (tests/deploy/test_alert_rules.py). Debian's `prometheus` package would also
# install and start a Prometheus daemon: only its promtool binary is taken, into the Python environment's bin.
promtool() {
  [ -x "$VENV/bin/promtool" ] && return 0
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq prometheus >/dev/null 2>&1) \
    || { [ "$(id -u)" = 0 ] && apt-get update -qq && (cd "$tmp" && apt-get download -qq prometheus >/dev/null); } \
    || { rm -rf "$tmp"; echo "[install] could not download Debian's prometheus package (for promtool)" >&2; exit 1; }
  dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C "$tmp" ./usr/bin/promtool
  install -m 0755 "$tmp/usr/bin/promtool" "$VENV/bin/promtool"
  rm -rf "$tmp"
  log "promtool $("$VENV/bin/promtool" --version 2>&1 | head -1 | awk '{print $3}') in .venv/bin"
}

bench_packages() {
  have_pkg wrk && return 0
  [ "$(id -u)" = 0 ] || { log "wrk is missing: the API benchmark falls back to a slower Python client"; return 0; }
  log "installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
}

case "${1:-all}" in
  python) python_env ;;
  promtool) promtool ;;
  bench) bench_packages ;;
  system) system_packages ;;
  all) system_packages; [ -x "$VENV/bin/ijlucht" ] || python_env; promtool ;;
  *) echo "usage: $0 [all|system|python|bench]" >&2; exit 2 ;;
esac
