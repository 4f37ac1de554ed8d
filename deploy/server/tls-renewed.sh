#!/usr/bin/env bash
# Puts a new certificate in place for nginx and Mosquitto and makes both use it. As root:
#   tls-renewed.sh FULLCHAIN PRIVKEY
# or as certbot's deploy hook (certbot sets RENEWED_LINEAGE): --deploy-hook /opt/ijlucht/deploy/server/tls-renewed.sh
# The targets are IJLUCHT_TLS_CERT and IJLUCHT_TLS_KEY of /etc/ijlucht/ijlucht.env. nginx reloads without dropping a
# connection; Mosquitto is restarted (2.0 keeps the certificate it started with), its kits reconnect by themselves and
# the worker's persistent session keeps what arrives meanwhile.
set -euo pipefail
ENVF=${IJLUCHT_ENV_FILE:-/etc/ijlucht/ijlucht.env}
setting() { { grep -E "^$1=" "$ENVF" || true; } | tail -1 | cut -d= -f2-; }
chain=${1:-${RENEWED_LINEAGE:?give FULLCHAIN PRIVKEY}/fullchain.pem}
key=${2:-$RENEWED_LINEAGE/privkey.pem}
openssl x509 -noout -in "$chain" || { echo "[tls] error: $chain is not a certificate" >&2; exit 1; }
cert_out=$(setting IJLUCHT_TLS_CERT) key_out=$(setting IJLUCHT_TLS_KEY)
[ -n "$cert_out" ] && [ -n "$key_out" ] || { echo "[tls] error: set IJLUCHT_TLS_CERT and IJLUCHT_TLS_KEY in $ENVF" >&2; exit 1; }
# Whole files or nothing: a temporary file beside each target, renamed over it.
install -m 0644 "$chain" "$cert_out.new" && mv -f "$cert_out.new" "$cert_out"
install -m 0640 -g mosquitto "$key" "$key_out.new" && mv -f "$key_out.new" "$key_out"
systemctl reload nginx
systemctl restart mosquitto
echo "[tls] $(openssl x509 -noout -subject -enddate -in "$cert_out") in use"
