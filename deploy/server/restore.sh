#!/usr/bin/env bash
# Restores one backup (deploy/server/backup.sh) onto a freshly installed host: `install.sh packages layout` done,
# PostgreSQL running, Mosquitto and the ijlucht units stopped. As root:  restore.sh /var/backups/ijlucht/<time>
# It puts back the secrets, the broker's accounts and /etc/ijlucht, then the database; it refuses to overwrite a
# database that already holds kits. IJLUCHT_SERVER_ROOT [/] restores below another root (tests).
set -euo pipefail
B=${1:?usage: restore.sh BACKUP_FOLDER}
R=${IJLUCHT_SERVER_ROOT:-}
R=${R%/}
die() { printf '[restore] error: %s\n' "$*" >&2; exit 1; }
(cd "$B" && sha256sum --quiet -c SHA256SUMS) || die "$B is damaged or incomplete (checksums differ)"
tar -C "$R/" -xpf "$B/files.tar"
ENVF=$R/etc/ijlucht/ijlucht.env
setting() { { grep -E "^$1=" "$ENVF" || true; } | tail -1 | cut -d= -f2-; }
port=${IJLUCHT_PG_PORT:-$(setting IJLUCHT_PG_PORT)} db=$(setting IJLUCHT_PG_DBNAME)  # the port may differ on the new host
[ -n "$port" ] && [ -n "$db" ] || die "$ENVF from the backup has no IJLUCHT_PG_PORT or IJLUCHT_PG_DBNAME"
psql=(runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "${PGHOST:-/var/run/postgresql}" -p "$port")
cd /
if [ "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ]; then
  has=$("${psql[@]}" -d "$db" -tAc "SELECT to_regclass('kits') IS NOT NULL")
  [ "$has" = f ] || die "database $db already holds IJlucht tables; drop it first if you mean to replace it"
fi
# The role with the password of the restored secret file, an empty database, TimescaleDB in restore mode.
pw=$(cut -d: -f5- "$R$(setting IJLUCHT_STATE_DIR)/secrets/pg-ijlucht.pgpass")
printf '%s\n' "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ijlucht') THEN" \
  "CREATE ROLE ijlucht LOGIN; END IF; END \$\$;" "ALTER ROLE ijlucht PASSWORD '$pw';" | "${psql[@]}" -d postgres
"${psql[@]}" -d postgres -c "CREATE DATABASE \"$db\" OWNER ijlucht" 2>/dev/null || true
"${psql[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" -c "SELECT timescaledb_pre_restore()" >/dev/null
# Everything but the extension itself (made above), stopping at the first error.
list=$(mktemp)
pg_restore -l "$B/database.dump" | grep -v ' EXTENSION - timescaledb\| COMMENT - EXTENSION timescaledb' > "$list"
chmod 644 "$list"
runuser -u postgres -- pg_restore -h "${PGHOST:-/var/run/postgresql}" -p "$port" -d "$db" --exit-on-error \
  -L "$list" < "$B/database.dump"
rm -f "$list"
"${psql[@]}" -d "$db" -c "SELECT timescaledb_post_restore()" -c "ANALYZE" >/dev/null
echo "[restore] $B restored into database $db; start Mosquitto, then the ijlucht units"
