#!/usr/bin/env bash
# One backup of an IJlucht host into $IJLUCHT_BACKUP_DIR/<UTC time>/, then keeps the newest $IJLUCHT_BACKUP_KEEP.
# Run as root by ijlucht-backup.service (nightly, ijlucht-backup.timer) with /etc/ijlucht/ijlucht.env.
# A backup is: database.dump (pg_dump custom format, as postgres over the Unix socket), files.tar (the secrets, the
# broker's accounts, /etc/ijlucht) and SHA256SUMS. It appears under its final name only when complete.
# Restore: deploy/server/restore.sh (docs/operations.md).
set -euo pipefail
DIR=${IJLUCHT_BACKUP_DIR:-/var/backups/ijlucht}
KEEP=${IJLUCHT_BACKUP_KEEP:-14}
STATE=${IJLUCHT_STATE_DIR:-/var/lib/ijlucht}
[[ "$KEEP" =~ ^[1-9][0-9]*$ ]] || { echo "[backup] error: IJLUCHT_BACKUP_KEEP must be a whole number >= 1" >&2; exit 1; }
stamp=$(date -u +%Y%m%dT%H%M%S.%3NZ)
tmp=$DIR/.partial-$stamp
trap 'rm -rf "$tmp"' EXIT
mkdir -p -m 700 "$tmp"
runuser -u postgres -- pg_dump -h "${PGHOST:-/var/run/postgresql}" -p "${IJLUCHT_PG_PORT:-5432}" -Fc \
  -d "${IJLUCHT_PG_DBNAME:-ijlucht}" > "$tmp/database.dump" 2> >(grep -v 'circular foreign-key\|hypertable\|chunk' >&2 || true)
tar -C / -cpf "$tmp/files.tar" "${STATE#/}/secrets" var/lib/mosquitto/dynamic-security.json etc/ijlucht
(cd "$tmp" && sha256sum database.dump files.tar > SHA256SUMS)
mv "$tmp" "$DIR/$stamp"
trap - EXIT
# Retention: the newest $KEEP complete backups stay; older ones and leftovers of interrupted runs go.
ls -1d "$DIR"/2*Z 2>/dev/null | sort | head -n "-$KEEP" | xargs -r rm -rf
find "$DIR" -maxdepth 1 -name '.partial-*' -mmin +1440 -exec rm -rf {} +
echo "[backup] $DIR/$stamp: $(du -sh "$DIR/$stamp" | cut -f1), $(ls -1d "$DIR"/2*Z | wc -l) kept"
