#!/bin/sh
# Sets up OpenBao (or Vault) for Rotor: one policy and one AppRole per service kind, and a role
# id and secret id per service kind written to files in OUT_DIR (mode 0600), to install on the
# hosts that run the service as ROTOR_BAO_ROLE_ID and ROTOR_BAO_SECRET_ID_FILE.
#
#   BAO_ADDR=https://openbao.example:8200 BAO_CACERT=/etc/rotor/bao-ca.pem \
#   BAO_TOKEN_FILE=~/.bao-admin-token deploy/openbao/setup-approle.sh /secure/rotor-approle
#
# Run it as an OpenBao administrator (a token that may write policies and auth/approle roles),
# given in the file BAO_TOKEN_FILE or as BAO_TOKEN in the environment, never as an argument.
# Running it again updates the policies and roles and issues new secret ids (the old ones stay
# valid until they expire or are destroyed: `bao write auth/approle/role/ROLE/secret-id/destroy`).
#
# The aggregator needs no OpenBao access and gets no role.
#
# Tunables (environment): TOKEN_TTL (default 1h: services renew at 2/3 of it), TOKEN_MAX_TTL
# (default 24h: services log in again before it), SECRET_ID_TTL (default 0: no expiry; with a
# TTL, deliver new secret ids before it ends: services read the file again at every login).
set -eu

out=${1:?usage: setup-approle.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
: "${TOKEN_TTL:=1h}" "${TOKEN_MAX_TTL:=24h}" "${SECRET_ID_TTL:=0}"
if [ -z "${BAO_TOKEN:-}" ] && [ -n "${BAO_TOKEN_FILE:-}" ]; then
  BAO_TOKEN=$(cat "$BAO_TOKEN_FILE")
  export BAO_TOKEN
fi

umask 077
mkdir -p "$out"
bao auth list -format=json | grep -q '"approle/"' || bao auth enable approle

for service in orchestrator differ applier backup; do
  name="rotor-$service"
  bao policy write "$name" "$here/$name.hcl"
  # A secret id is used again at every re-login (secret_id_num_uses=0); the token carries only
  # the service's policy (no `default`).
  bao write "auth/approle/role/$name" \
    token_policies="$name" token_no_default_policy=true \
    token_ttl="$TOKEN_TTL" token_max_ttl="$TOKEN_MAX_TTL" \
    secret_id_ttl="$SECRET_ID_TTL" secret_id_num_uses=0 >/dev/null
  bao read -field=role_id "auth/approle/role/$name/role-id" > "$out/$name.role-id"
  # The secret id goes from OpenBao's answer straight into a 0600 file: never an argument, never
  # the terminal.
  bao write -f -field=secret_id "auth/approle/role/$name/secret-id" > "$out/$name.secret-id"
  echo "$name: role id in $out/$name.role-id, secret id in $out/$name.secret-id"
done
