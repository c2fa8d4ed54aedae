# OpenBao / Vault policy of rotor-differ, which renders each device's target hashes and logs in to switches with the stored passwords: it reads passwords and never writes one.
#
#   bao policy write rotor-differ deploy/openbao/rotor-differ.hcl
#
# (deploy/openbao/setup-approle.sh writes every service's policy and AppRole.) The paths assume
# the KV v2 mount `secret/` and the default ROTOR_SECRET_PATH_PREFIX `fabrics/{fabric}/`.

# Read a given or the newest version. No create, update, delete, destroy or list.
path "secret/data/fabrics/*" {
  capabilities = ["read"]
}

# A secret's versions (the newest, the previous, the candidates of a credential fallback).
path "secret/metadata/fabrics/*" {
  capabilities = ["read"]
}

# The service checks its token at start and renews it before it expires; OpenBao's `default`
# policy grants the same, listed here so the policy is whole without it.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
