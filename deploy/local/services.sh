#!/usr/bin/env bash
# Private PostgreSQL+TimescaleDB and Mosquitto instances under the project's state folder.
#
#   services.sh install   install what is missing from Debian's packages (needs root), build TimescaleDB if needed
#   services.sh start     initialise (first time) and start both services; idempotent
#   services.sh stop      stop both services (start/stop take an optional `postgres` or `mosquitto`)
#   services.sh status    one line per service; exit 1 when one is down
#
# Environment (defaults in brackets):
#   IJLUCHT_STATE_DIR [<project>/.state]   where data, logs, sockets and secrets live
#   IJLUCHT_PG_PORT [25432]  IJLUCHT_MQTT_PORT [18830]  IJLUCHT_MQTT_TLS_PORT [18883]
# System services are never touched: no systemctl, no /etc changes, ports on 127.0.0.1 only.
# PostgreSQL asks for a password over TCP (scram-sha-256); its superuser `postgres` is reached over the Unix socket
# by the daemon's OS user (peer) or over TCP with the password in <state>/secrets/pg-postgres.pgpass; the app role's
# password is in <state>/secrets/pg-<role>.pgpass (libpq passfile format, read by ijlucht/settings.py).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=$(realpath -m "${IJLUCHT_STATE_DIR:-$ROOT/.state}")  # absolute: PostgreSQL resolves paths from its data folder
PG_PORT=${IJLUCHT_PG_PORT:-25432}
MQTT_PORT=${IJLUCHT_MQTT_PORT:-18830}
MQTT_TLS_PORT=${IJLUCHT_MQTT_TLS_PORT:-18883}
PG_DB=${IJLUCHT_PG_DBNAME:-ijlucht}
PG_USER=${IJLUCHT_PG_USER:-ijlucht}

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

debian_major() { cut -d. -f1 /etc/debian_version 2>/dev/null || echo 0; }

# The PostgreSQL major this Debian release ships (15 on 12, 17 on 13); override with IJLUCHT_PG_MAJOR.
pg_major() {
  if [ -n "${IJLUCHT_PG_MAJOR:-}" ]; then echo "$IJLUCHT_PG_MAJOR"; return; fi
  case "$(debian_major)" in
    12) echo 15 ;;
    13) echo 17 ;;
    *) ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 ;;
  esac
}

PGV=$(pg_major)
PGBIN=/usr/lib/postgresql/$PGV/bin

# --- who runs the daemons -------------------------------------------------------------------------------------
# PostgreSQL refuses to run as root; Mosquitto drops to its own user. As root we run both as the Debian
# service users; as an ordinary user, as ourselves.
if [ "$(id -u)" = 0 ]; then PG_OS_USER=postgres; MQ_OS_USER=mosquitto; else PG_OS_USER=$(id -un); MQ_OS_USER=$(id -un); fi

as_user() { # as_user USER CMD...   (from /, so tools never look into a folder USER cannot enter; absolute paths)
  local u=$1; shift
  if [ "$(id -un)" = "$u" ]; then "$@"; else (cd / && runuser -u "$u" -- "$@"); fi
}

# --- install ----------------------------------------------------------------------------------------------------
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install() {
  local missing=() p
  for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run 'make install' as root or install them)"
  log "installing ${missing[*]}"
  if [ ! -f "$STATE/.apt-updated" ] || [ -n "$(find "$STATE/.apt-updated" -mmin +1440 2>/dev/null)" ]; then
    apt-get update -qq
    mkdir -p "$STATE" && touch "$STATE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

timescaledb_installed() { [ -f "/usr/share/postgresql/$PGV/extension/timescaledb.control" ]; }

# Debian 12 has no TimescaleDB package: build Debian 13's source package (Apache edition) against local PG.
build_timescaledb() {
  apt_install "postgresql-server-dev-$PGV" cmake gcc make libssl-dev libkrb5-dev dpkg-dev
  local work=$STATE/build/timescaledb
  rm -rf "$work" && mkdir -p "$work/lists/partial" "$work/src"
  # A private apt source list and lists folder, so the system's apt state stays as it was.
  local mirror
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
           | grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 \
           | tr -d ' ' || true)
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt sources"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} trixie main" > "$work/sources.list"
  local aopt=(-oDir::Etc::SourceList="$work/sources.list" -oDir::Etc::SourceParts=/dev/null
              -oDir::State::Lists="$work/lists" -oAPT::Sandbox::User=root)
  log "fetching TimescaleDB source from Debian 13 (trixie)"
  apt-get "${aopt[@]}" update -qq
  (cd "$work/src" && apt-get "${aopt[@]}" source -qq timescaledb >/dev/null 2>&1) \
    || (cd "$work/src" && apt-get "${aopt[@]}" source --download-only -qq timescaledb && dpkg-source -x ./*.dsc)
  local dir
  dir=$(find "$work/src" -maxdepth 1 -mindepth 1 -type d -name 'timescaledb-*' | head -1)
  [ -n "$dir" ] || die "TimescaleDB source did not unpack"
  log "building TimescaleDB (Apache edition) against PostgreSQL $PGV"
  (cd "$dir" && PATH="$PGBIN:$PATH" ./bootstrap -DPG_CONFIG="$PGBIN/pg_config" -DAPACHE_ONLY=ON \
      -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF -DLINTER=OFF >"$work/build.log" 2>&1 \
    && make -C build -j"$(nproc)" >>"$work/build.log" 2>&1 && make -C build install >>"$work/build.log" 2>&1) \
    || die "TimescaleDB build failed, see $work/build.log"
}

cmd_install() {
  apt_install "postgresql-$PGV" "postgresql-client-$PGV" mosquitto mosquitto-clients openssl
  if ! timescaledb_installed; then
    if [ "$(debian_major)" -ge 13 ] && apt-cache show "postgresql-$PGV-timescaledb" >/dev/null 2>&1; then
      apt_install "postgresql-$PGV-timescaledb"
    else
      build_timescaledb
    fi
  fi
  timescaledb_installed || die "TimescaleDB extension still missing for PostgreSQL $PGV"
  log "installed: PostgreSQL $PGV with TimescaleDB, Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}')"
}

# --- state folder -----------------------------------------------------------------------------------------------
# The unprivileged daemon users must be able to reach their folders. When the project lives under a folder
# they cannot traverse (say /root, or any mode-700 folder), keep their data in $PRIVATE_BASE and link it from the state
# folder. Every path handed to a daemon or to a tool run as its user is resolved first (service_dir), never the link.
# Not /var/tmp: Debian's systemd-tmpfiles deletes files there that nobody touched for 30 days, a resting cluster's too.
PRIVATE_BASE=/var/lib/ijlucht-private
daemon_dir() { # daemon_dir USER NAME -> prints the real folder of NAME, one that USER owns and can reach
  local u=$1 name=$2; local dir=$STATE/$name
  if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown "$u" "$dir"
  if as_user "$u" test -w "$dir"; then echo "$dir"; return; fi
  [ -z "$(ls -A "$dir")" ] || die "$dir holds data but $u cannot reach it; let $u traverse the folders above it"
  local base f
  base=$PRIVATE_BASE/$(printf '%s' "$STATE" | md5sum | cut -c1-10)
  for f in "$PRIVATE_BASE" "$base"; do  # never follow a folder or link someone else put there
    if [ -L "$f" ] || { [ -e "$f" ] && [ "$(stat -c %u "$f")" != "$(id -u)" ]; }; then
      die "$f exists but is not ours; remove it or choose another IJLUCHT_STATE_DIR"
    fi
  done
  # A folder there already belongs to an earlier state folder at this path (a clone removed and made again): no
  # link leads to it any more, and its cluster has other passwords than this state's secrets. Start afresh.
  if [ -e "$base/$name" ]; then
    rm -rf "${base:?}/$name"
    log "removed $base/$name, left by an earlier state folder at $STATE"
  fi
  mkdir -p "$base/$name" && chmod 711 "$PRIVATE_BASE" "$base" && chown "$u" "$base/$name"
  rmdir "$dir"
  ln -sn "$base/$name" "$dir"
  log "$u cannot reach $STATE; $name lives in $base/$name"
  echo "$base/$name"
}

purge_private() { # the daemons' folders outside the state folder (linked from it), for `make clean`; run when stopped
  local name target base
  base=$PRIVATE_BASE/$(printf '%s' "$STATE" | md5sum | cut -c1-10)
  for name in pg mosquitto; do
    [ -L "$STATE/$name" ] || continue
    target=$(readlink -f "$STATE/$name")
    if [ "$(dirname "$target")" = "$base" ]; then  # only what this state folder's own link leads to
      rm -rf "$target" && rm -f "$STATE/$name" && log "removed $target"
    fi
  done
  rmdir "$base" 2>/dev/null || true
}

service_dir() { # service_dir NAME -> the real folder of NAME (through the link, if any); fails when there is none
  [ -e "$STATE/$1" ] && readlink -f "$STATE/$1"
}

# --- secrets ----------------------------------------------------------------------------------------------------
# Written whole or not at all: a private temporary file in the same folder, linked into place only when nobody
# was first, so a reader never sees a partial or empty secret (ijlucht/secretfile.py does the same in Python).
secrets_dir() {
  (umask 077 && mkdir -p "$STATE/secrets") && chmod 700 "$STATE/secrets"
  echo "$STATE/secrets"
}

random_secret() { head -c 24 /dev/urandom | base64 | tr -d '/+=' | cut -c1-24; }

write_secret() { # write_secret PATH CONTENT -> PATH with CONTENT (0600) unless PATH already holds a secret
  local path=$1 tmp
  [ -s "$path" ] && return 0
  tmp=$(umask 077 && mktemp "$path.XXXXXX")
  printf '%s\n' "$2" > "$tmp"  # printf is a builtin: the secret never appears in a process's arguments
  sync "$tmp"
  if [ -e "$path" ]; then mv -f "$tmp" "$path"  # an empty leftover of an interrupted older write
  else ln "$tmp" "$path" 2>/dev/null || true; rm -f "$tmp"; fi
}

# A role's password file in libpq's passfile format (host:port:db:user:password), created when missing.
pg_passfile() { # pg_passfile ROLE -> prints its path
  local f
  f=$(secrets_dir)/pg-$1.pgpass
  write_secret "$f" "*:*:*:$1:$(random_secret)"
  echo "$f"
}

# --- PostgreSQL -------------------------------------------------------------------------------------------------
PG_SUPERUSER=postgres  # ijlucht/settings.py PG_SUPERUSER

pg_up() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

pg_pid() { # the postmaster's pid when this state folder's cluster runs
  local d pid
  d=$(service_dir pg) && [ -f "$d/data/postmaster.pid" ] || return 1
  pid=$(head -1 "$d/data/postmaster.pid") && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Passwords over TCP for everyone; over the socket the superuser only as the daemon's OS user (peer), others with
# their password. Rewritten at each start, so clusters made with `trust` by earlier versions are upgraded in place.
pg_hba() {
  cat <<HBA
# IJlucht private instance: written by deploy/local/services.sh at each start (edits are overwritten).
local  all  $PG_SUPERUSER  peer map=ijlucht
local  all  all            scram-sha-256
host   all  all  127.0.0.1/32  scram-sha-256
host   all  all  ::1/128       scram-sha-256
HBA
}

pg_ident() { printf '# written by deploy/local/services.sh\nijlucht  %s  %s\n' "$PG_OS_USER" "$PG_SUPERUSER"; }

pg_conf_file() { # pg_conf_file PATH CONTENT: write it (as the daemon's user) when different; status 0 when written
  if [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; then return 1; fi
  printf '%s\n' "$2" | as_user "$PG_OS_USER" tee "$1" >/dev/null
}

pg_auth_files() { # pg_auth_files DATA: status 0 when a file changed (the server must reload)
  local changed=1
  pg_conf_file "$1/pg_ident.conf" "$(pg_ident)" && changed=0
  pg_conf_file "$1/pg_hba.conf" "$(pg_hba)" && changed=0
  return $changed
}

# The app role and database; both roles' passwords set from the secrets folder (every start: the files rule).
pg_roles() { # pg_roles SOCKETDIR
  local su_pw app_pw
  su_pw=$(cut -d: -f5- "$(pg_passfile "$PG_SUPERUSER")")
  app_pw=$(cut -d: -f5- "$(pg_passfile "$PG_USER")")
  local psql=(as_user "$PG_OS_USER" "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$1" -p "$PG_PORT" -U "$PG_SUPERUSER")
  # On stdin, not in arguments: other users can read a process's arguments.
  printf '%s\n' \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN" \
    "  CREATE ROLE \"$PG_USER\" LOGIN CREATEDB; END IF; END \$\$;" \
    "ALTER ROLE \"$PG_SUPERUSER\" PASSWORD '$su_pw';" \
    "ALTER ROLE \"$PG_USER\" PASSWORD '$app_pw';" | "${psql[@]}" -d postgres
  if [ "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")" != 1 ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\""
  fi
  # The extension needs a superuser once per database; migrations then run as the owner.
  "${psql[@]}" -d "$PG_DB" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" 2>/dev/null
}

start_postgres() {
  [ -x "$PGBIN/postgres" ] || die "PostgreSQL $PGV is not installed; run: make install"
  timescaledb_installed || die "TimescaleDB is not installed for PostgreSQL $PGV; run: make install"
  local pgdir data run
  pgdir=$(daemon_dir "$PG_OS_USER" pg)
  data=$pgdir/data; run=$pgdir/run
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $data"
    as_user "$PG_OS_USER" mkdir -p "$data" "$run"
    as_user "$PG_OS_USER" "$PGBIN/initdb" -D "$data" --auth-local=peer --auth-host=scram-sha-256 -U "$PG_SUPERUSER" \
      -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$data/postgresql.conf" <<CONF
# --- IJlucht private instance ---
listen_addresses = '127.0.0.1'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
max_connections = 100
shared_buffers = 256MB
wal_compression = on
log_min_messages = warning
password_encryption = 'scram-sha-256'
CONF
  fi
  # The port and socket folder follow the environment each start, so one cluster can move ports.
  if pg_pid >/dev/null; then
    pg_up || die "PostgreSQL of $STATE runs, but not on port $PG_PORT; stop it first"
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    pg_auth_files "$data" || true
    as_user "$PG_OS_USER" mkdir -p "$run"
    as_user "$PG_OS_USER" "$PGBIN/pg_ctl" -D "$data" -l "$pgdir/postgresql.log" -w -t 60 \
      -o "-p $PG_PORT -k $run" start >/dev/null || die "PostgreSQL did not start, see $pgdir/postgresql.log"
    log "PostgreSQL $PGV on 127.0.0.1:$PG_PORT"
  fi
  # Passwords first, then the rules that ask for them: a running cluster from an older `trust` setup keeps serving.
  pg_roles "$run"
  if pg_auth_files "$data"; then
    as_user "$PG_OS_USER" "$PGBIN/pg_ctl" -D "$data" reload >/dev/null
    local i  # the reload is asynchronous: return once a login without a password is refused
    for i in $(seq 1 50); do
      env -u PGPASSWORD PGPASSFILE=/dev/null "$PGBIN/psql" -X -w -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" \
        -c '' 2>/dev/null || break
      sleep 0.1
    done
    log "PostgreSQL now asks for passwords (pg_hba.conf rewritten and reloaded)"
  fi
}

stop_postgres() {
  local pid data
  pid=$(pg_pid) || return 0
  data=$(service_dir pg)/data
  as_user "$PG_OS_USER" "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null \
    || die "PostgreSQL (pid $pid) did not stop, see $(service_dir pg)/postgresql.log"
  log "PostgreSQL stopped"
}

# --- Mosquitto --------------------------------------------------------------------------------------------------
mq_pid() { # the broker's pid when this state folder's broker runs
  local d pid
  d=$(service_dir mosquitto) && [ -f "$d/mosquitto.pid" ] || return 1
  pid=$(cat "$d/mosquitto.pid") && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# A local certificate authority and server certificate, so the TLS listener works as in production.
make_tls() {
  local d=$1
  [ -f "$d/server.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=IJlucht local CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
    -extfile "$d/san.ext" -out "$d/server.crt" 2>/dev/null
  rm -f "$d/server.csr" "$d/san.ext"
}

# The dynamic security plugin shipped with Debian's mosquitto package (multiarch library folder).
mq_plugin() {
  local f
  f=$(dpkg -L mosquitto 2>/dev/null | grep '/mosquitto_dynamic_security\.so$' | head -1)
  [ -n "$f" ] || f=$(ls /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so 2>/dev/null | head -1)
  [ -n "$f" ] || die "Mosquitto's dynamic security plugin (mosquitto_dynamic_security.so) is missing"
  echo "$f"
}

# The plugin's config (accounts, roles, hashes): created at first start with the platform's accounts; kits of an
# older .state's password file are imported with their passwords (ijlucht/dynsec.py). Only while the broker is
# stopped: a running broker owns the file and takes changes over MQTT only.
mq_accounts() { # mq_accounts DIR
  local py=$ROOT/.venv/bin/python
  [ -x "$py" ] || py=python3
  local passwd=()
  [ -f "$1/passwd" ] && passwd=("$1/passwd")
  (cd "$ROOT" && PYTHONPATH=$ROOT "$py" -m ijlucht.dynsec prepare "$1/dynamic-security.json" "$(secrets_dir)" \
    "${passwd[@]}") || die "could not prepare the broker's accounts"
}

start_mosquitto() {
  command -v mosquitto >/dev/null || die "Mosquitto is not installed; run: make install"
  local d plugin
  d=$(daemon_dir "$MQ_OS_USER" mosquitto)
  plugin=$(mq_plugin)
  mkdir -p "$d/data" "$d/tls"
  make_tls "$d/tls"
  sed -e "s#@PORT@#$MQTT_PORT#g" -e "s#@TLS_PORT@#$MQTT_TLS_PORT#g" -e "s#@DIR@#$d#g" \
    -e "s#@USER@#$MQ_OS_USER#g" -e "s#@PLUGIN@#$plugin#g" "$ROOT/deploy/mosquitto/local.conf.in" > "$d/mosquitto.conf"
  rm -f "$d/acl"  # from the password-file days; the plugin's roles replace it
  if mq_pid >/dev/null && [ ! -f "$d/dynamic-security.json" ]; then  # a broker of the password-file days
    log "restarting Mosquitto once: its accounts move from the password file to the dynamic security plugin"
    stop_mosquitto
  fi
  mq_pid >/dev/null || mq_accounts "$d"
  [ "$(id -u)" = 0 ] && chown -R "$MQ_OS_USER" "$d"
  chmod 600 "$d/dynamic-security.json" "$d/tls/server.key" "$d/tls/ca.key"
  if mq_pid >/dev/null; then
    log "Mosquitto already running on 127.0.0.1:$MQTT_PORT"
    return 0
  fi
  rm -f "$d/mosquitto.pid"
  mosquitto -c "$d/mosquitto.conf" -d
  local i
  for i in $(seq 1 50); do
    if mq_pid >/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$MQTT_PORT") 2>/dev/null; then
      log "Mosquitto on 127.0.0.1:$MQTT_PORT (TLS $MQTT_TLS_PORT)"; return 0
    fi
    sleep 0.1
  done
  die "Mosquitto did not start, see $d/mosquitto.log"
}

stop_mosquitto() {
  local pid
  pid=$(mq_pid) || return 0
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  log "Mosquitto stopped"
}

cmd_status() {
  local rc=0
  if pg_pid >/dev/null; then echo "postgresql  up    127.0.0.1:$PG_PORT  $(service_dir pg)  pid $(pg_pid)"
  else echo "postgresql  down"; rc=1; fi
  if mq_pid >/dev/null; then echo "mosquitto   up    127.0.0.1:$MQTT_PORT (TLS $MQTT_TLS_PORT)  pid $(mq_pid)"
  else echo "mosquitto   down"; rc=1; fi
  return $rc
}

# An optional second argument limits start/stop to one service: postgres or mosquitto.
only=${2:-all}
case "$only" in all|postgres|mosquitto) ;; *) die "unknown service '$only' (postgres, mosquitto)" ;; esac
case "${1:-}" in
  install) cmd_install ;;
  start)
    mkdir -p "$STATE"
    [ "$only" = mosquitto ] || start_postgres
    [ "$only" = postgres ] || start_mosquitto ;;
  stop)
    [ "$only" = postgres ] || stop_mosquitto
    [ "$only" = mosquitto ] || stop_postgres ;;
  status) cmd_status ;;
  purge)  # stop, then remove the daemons' folders kept outside the state folder (make clean removes the rest)
    stop_mosquitto
    stop_postgres
    purge_private ;;
  pg-major) echo "$PGV" ;;  # for deploy/server/install.sh: one rule for which PostgreSQL this Debian has
  *) echo "usage: $0 install|start|stop|status|purge|pg-major [postgres|mosquitto]" >&2; exit 2 ;;
esac
