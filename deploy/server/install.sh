#!/usr/bin/env bash
# Installs IJlucht on a Debian 12 host from Debian packages, idempotently (docs/operations.md).
#
#   install.sh            everything: packages, layout, database, broker, enable (as root, in a clone of the project)
#   install.sh packages   PostgreSQL + TimescaleDB (built from Debian 13's source on 12), Mosquitto, nginx, Python
#   install.sh layout     the ijlucht user, code + Python environment in /opt/ijlucht, /etc/ijlucht/ijlucht.env,
#                         secrets in /var/lib/ijlucht/secrets, units, nginx site, Mosquitto and PostgreSQL configs
#   install.sh database   the app role (password from its secret file), the database, the TimescaleDB extension
#   install.sh broker     the broker's accounts file (only while it does not exist: the broker owns it afterwards)
#   install.sh enable     systemctl: restart PostgreSQL, Mosquitto and nginx with the new configs, start the units
#   install.sh upgrade    layout, then restart the units (their ExecStartPre runs the migrations)
#
# Settings for a first install (written into /etc/ijlucht/ijlucht.env; later runs read that file instead):
#   IJLUCHT_SERVER_NAME (required), IJLUCHT_HTTPS_PORT [443], IJLUCHT_HTTP_PORT [80], IJLUCHT_PG_PORT [5432],
#   IJLUCHT_MQTT_PORT [1883], IJLUCHT_MQTT_TLS_PORT [8883], IJLUCHT_API_PORT [8080], IJLUCHT_DASHBOARD_PORT [8050],
#   IJLUCHT_PUSH_PORT [8090], IJLUCHT_INGEST_METRICS_PORT [9108], IJLUCHT_API_METRICS_PORT [9109],
#   IJLUCHT_DASHBOARD_METRICS_PORT [9110], IJLUCHT_ALERTS_METRICS_PORT [9111].
# IJLUCHT_SERVER_ROOT [/] installs the files below another root (tests/deploy installs into a temporary one).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
R=${IJLUCHT_SERVER_ROOT:-}
R=${R%/}
APP=/opt/ijlucht
ENVF=/etc/ijlucht/ijlucht.env
STATE=/var/lib/ijlucht
MQ_DIR=/var/lib/mosquitto
PGV=$(bash "$SRC/deploy/local/services.sh" pg-major)

log() { printf '[install] %s\n' "$*" >&2; }
die() { printf '[install] error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root"

setting() { # setting NAME -> its value in the env file
  { grep -E "^$1=" "$R$ENVF" || true; } | tail -1 | cut -d= -f2-  # empty when missing: the caller says what
}

render() { # render TEMPLATE TARGET MODE: @NAME@ -> the setting IJLUCHT_NAME (and PLUGIN, MOSQUITTO_DIR)
  local text name
  text=$(cat "$1")
  for name in $(grep -oE '@[A-Z_]+@' "$1" | sort -u | tr -d @); do
    case "$name" in
      PLUGIN) v=$(mq_plugin) ;;
      MOSQUITTO_DIR) v=$MQ_DIR ;;
      *) v=$(setting "IJLUCHT_$name") ;;
    esac
    [ -n "$v" ] || die "$R$ENVF has no IJLUCHT_$name"
    text=${text//@$name@/$v}
  done
  install -D -m "$3" /dev/null "$2"
  printf '%s\n' "$text" > "$2"
}

mq_plugin() {
  local f
  f=$(dpkg -L mosquitto 2>/dev/null | grep '/mosquitto_dynamic_security\.so$' | head -1)
  [ -n "$f" ] || die "Mosquitto's dynamic security plugin is missing (apt-get install mosquitto)"
  echo "$f"
}

write_secret() { # write_secret PATH CONTENT OWNER: created once, 0600, never overwritten
  [ -s "$1" ] && return 0
  local tmp
  tmp=$(umask 077 && mktemp "$1.XXXXXX")
  printf '%s\n' "$2" > "$tmp"
  chown "$3" "$tmp"
  mv -n "$tmp" "$1"
  rm -f "$tmp"
}

cmd_packages() {
  local want=(python3 python3-venv nginx openssl ca-certificates git) missing=() p
  for p in "${want[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # The same PostgreSQL, TimescaleDB and Mosquitto as `make up` (TimescaleDB built from Debian 13's source on 12).
  IJLUCHT_STATE_DIR=/var/cache/ijlucht-build bash "$SRC/deploy/local/services.sh" install
}

copy_code() { # the project's files (tracked and new, not ignored) into $APP, keeping its Python environment
  local dst=$R$APP
  mkdir -p "$dst"
  find "$dst" -mindepth 1 -maxdepth 1 ! -name .venv -exec rm -rf {} +
  if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$SRC" && git ls-files -z --cached --others --exclude-standard \
      | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) \
      | tar -xf - -C "$dst"
    git -C "$SRC" describe --tags --always --dirty > "$dst/VERSION" 2>/dev/null || true
  else
    tar -C "$SRC" --exclude=./.venv --exclude=./.state -cf - . | tar -xf - -C "$dst"
  fi
  chown -R root:root "$dst" && chmod 755 "$dst"
}

python_env() {
  local venv=$R$APP/.venv
  # Debian's Python (python3-venv), never one from a user's home: the services cannot enter /root or /home.
  [ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install -q -e "$R$APP"
  # The services cannot write to /opt (ProtectSystem=strict): compile once here.
  "$venv/bin/python" -m compileall -q "$R$APP/ijlucht" "$R$APP/ingest" "$R$APP/api" "$R$APP/dashboard" "$R$APP/alerts" >/dev/null || true
}

first_env_file() {
  [ -f "$R$ENVF" ] && return 0
  [ -n "${IJLUCHT_SERVER_NAME:-}" ] || die "set IJLUCHT_SERVER_NAME to this host's public DNS name for the first install"
  local text
  text=$(cat "$SRC/deploy/server/ijlucht.env.in")
  local kv
  for kv in SERVER_NAME="$IJLUCHT_SERVER_NAME" HTTPS_PORT="${IJLUCHT_HTTPS_PORT:-443}" \
    HTTP_PORT="${IJLUCHT_HTTP_PORT:-80}" PG_PORT="${IJLUCHT_PG_PORT:-5432}" MQTT_PORT="${IJLUCHT_MQTT_PORT:-1883}" \
    MQTT_TLS_PORT="${IJLUCHT_MQTT_TLS_PORT:-8883}" API_PORT="${IJLUCHT_API_PORT:-8080}" \
    DASHBOARD_PORT="${IJLUCHT_DASHBOARD_PORT:-8050}" PUSH_PORT="${IJLUCHT_PUSH_PORT:-8090}" \
    INGEST_METRICS_PORT="${IJLUCHT_INGEST_METRICS_PORT:-9108}" API_METRICS_PORT="${IJLUCHT_API_METRICS_PORT:-9109}" \
    DASHBOARD_METRICS_PORT="${IJLUCHT_DASHBOARD_METRICS_PORT:-9110}" \
    ALERTS_METRICS_PORT="${IJLUCHT_ALERTS_METRICS_PORT:-9111}"; do
    text=${text//@${kv%%=*}@/${kv#*=}}
  done
  install -D -m 0640 -g ijlucht /dev/null "$R$ENVF"
  printf '%s\n' "$text" > "$R$ENVF"
  log "wrote $R$ENVF"
}

self_signed_until_real() { # nginx and Mosquitto need a certificate to start; certbot replaces this one
  local cert=$R$(setting IJLUCHT_TLS_CERT) key=$R$(setting IJLUCHT_TLS_KEY) name
  [ -f "$cert" ] && return 0
  name=$(setting IJLUCHT_SERVER_NAME)
  mkdir -p "$(dirname "$cert")" "$(dirname "$key")"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
    -keyout "$key" -out "$cert" 2>/dev/null
  chgrp mosquitto "$key" && chmod 640 "$key" && chmod 644 "$cert"
  log "made a temporary self-signed certificate for $name: replace it (docs/operations.md, certificates)"
}

cmd_layout() {
  getent group ijlucht >/dev/null || groupadd --system ijlucht
  id ijlucht >/dev/null 2>&1 || useradd --system --gid ijlucht --home-dir "$STATE" --shell /usr/sbin/nologin ijlucht
  copy_code
  python_env
  first_env_file
  # State: the services' folder (systemd's StateDirectory= makes it too), secrets inside, only for ijlucht.
  install -d -m 0750 -o ijlucht -g ijlucht "$R$STATE"
  install -d -m 0700 -o ijlucht -g ijlucht "$R$STATE/secrets"
  write_secret "$R$STATE/secrets/pg-ijlucht.pgpass" "*:*:*:ijlucht:$(head -c 24 /dev/urandom | base64 | tr -d '/+=')" ijlucht
  install -d -m 0700 "$R/var/backups/ijlucht"
  install -d -m 0755 "$R/var/www/ijlucht-acme"
  self_signed_until_real
  # Units and the broker's open-files limit (12,000 connections per listener).
  local u
  for u in "$SRC"/deploy/server/units/*; do install -D -m 0644 "$u" "$R/etc/systemd/system/$(basename "$u")"; done
  install -D -m 0644 "$SRC/deploy/server/mosquitto-limits.conf" "$R/etc/systemd/system/mosquitto.service.d/ijlucht.conf"
  render "$SRC/deploy/mosquitto/server.conf.in" "$R/etc/mosquitto/conf.d/ijlucht.conf" 0644
  render "$SRC/deploy/server/nginx-site.conf.in" "$R/etc/nginx/sites-available/ijlucht" 0644
  mkdir -p "$R/etc/nginx/sites-enabled" && ln -sfn /etc/nginx/sites-available/ijlucht "$R/etc/nginx/sites-enabled/ijlucht"
  install -D -m 0644 "$SRC/deploy/server/postgresql.conf" "$R/etc/postgresql/$PGV/main/conf.d/ijlucht.conf"
  log "layout installed under ${R:-/}"
}

cmd_database() {
  local port socket pw
  port=$(setting IJLUCHT_PG_PORT)
  socket=${PGHOST:-/var/run/postgresql}
  pw=$(cut -d: -f5- "$R$STATE/secrets/pg-ijlucht.pgpass")
  local psql=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$socket" -p "$port")
  printf '%s\n' \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ijlucht') THEN" \
    "  CREATE ROLE ijlucht LOGIN; END IF; END \$\$;" \
    "ALTER ROLE ijlucht PASSWORD '$pw';" | (cd / && "${psql[@]}" -d postgres)
  if [ "$(cd / && "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='ijlucht'")" != 1 ]; then
    (cd / && "${psql[@]}" -d postgres -c "CREATE DATABASE ijlucht OWNER ijlucht")
  fi
  (cd / && "${psql[@]}" -d ijlucht -c "CREATE EXTENSION IF NOT EXISTS timescaledb")
  log "database ijlucht ready (migrations run when ingest or the API starts)"
}

cmd_broker() {
  local f=$R$MQ_DIR/dynamic-security.json
  if [ -f "$f" ]; then log "broker accounts exist in $f (changed through the running broker only)"; return 0; fi
  mkdir -p "$R$MQ_DIR"
  (cd "$R$APP" && .venv/bin/python -m ijlucht.dynsec prepare "$f" "$R$STATE/secrets")
  chown ijlucht:ijlucht "$R$STATE"/secrets/mqtt-*.pass && chmod 600 "$R$STATE"/secrets/mqtt-*.pass
  chown mosquitto "$R$MQ_DIR" "$f" && chmod 600 "$f"
  log "broker accounts created in $f"
}

UNITS=(ijlucht-ingest ijlucht-api ijlucht-dashboard ijlucht-push ijlucht-sync ijlucht-alerts)

cmd_enable() {
  [ -z "$R" ] || die "enable works on the real root only"
  rm -f /etc/nginx/sites-enabled/default  # Debian's welcome page would answer for unknown names
  systemctl daemon-reload
  systemctl restart "postgresql@$PGV-main"
  systemctl restart mosquitto nginx
  systemctl enable --now "${UNITS[@]/%/.service}" ijlucht-backup.timer
  systemctl --no-pager --lines=0 status "${UNITS[@]/%/.service}" || true
}

case "${1:-all}" in
  packages) cmd_packages ;;
  layout) cmd_layout ;;
  database) cmd_database ;;
  broker) cmd_broker ;;
  enable) cmd_enable ;;
  upgrade)
    cmd_layout
    [ -n "$R" ] || systemctl daemon-reload
    [ -n "$R" ] || systemctl restart "${UNITS[@]/%/.service}" ;;
  all)
    cmd_packages
    cmd_layout
    [ -n "$R" ] || systemctl restart "postgresql@$PGV-main"  # loads TimescaleDB (conf.d/ijlucht.conf)
    cmd_database
    [ -n "$R" ] || systemctl stop mosquitto
    cmd_broker
    cmd_enable ;;
  *) echo "usage: $0 [all|packages|layout|database|broker|enable|upgrade]" >&2; exit 2 ;;
esac
