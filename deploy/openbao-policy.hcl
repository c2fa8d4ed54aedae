# The OpenBao / Vault policy Rotor's token needs, and nothing more.
#
#   bao policy write rotor deploy/openbao-policy.hcl
#   bao token create -policy=rotor -period=24h
#
# Rotor reads and writes password versions under the fabrics' secret paths (the inventory's
# `secretPath`s; `fabrics/` by default) on the KV v2 mount `secret/`. Adjust the paths if your
# inventories use another mount or prefix.

# Read a given or the newest version; write a new version.
path "secret/data/fabrics/*" {
  capabilities = ["create", "read", "update"]
}

# List versions (newest, previous) of a secret.
path "secret/metadata/fabrics/*" {
  capabilities = ["read"]
}

# Services check their token at start.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
