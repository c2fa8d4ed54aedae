# OpenBao / Vault policy of rotor-orchestrator: the only service that writes passwords.
#
#   bao policy write rotor-orchestrator deploy/openbao/rotor-orchestrator.hcl
#
# (deploy/openbao/setup-approle.sh writes every service's policy and AppRole.) The paths assume
# the KV v2 mount `secret/` and the default ROTOR_SECRET_PATH_PREFIX `fabrics/{fabric}/`; adjust
# both here and in the other services' policies if your inventories use another mount or prefix.

# Read a given or the newest version (import checks, the previous password); write a new version
# (a rotation). No delete, destroy or list.
path "secret/data/fabrics/*" {
  capabilities = ["create", "read", "update"]
}

# List a secret's versions and its own max_versions (which version is newest, which one a write
# would evict).
path "secret/metadata/fabrics/*" {
  capabilities = ["read"]
}

# The mount's max_versions, for secrets without their own: without it Rotor would assume KV v2's
# default of 10 and could write past a held version on a mount configured to keep fewer. Read
# only; it holds no secret.
path "secret/config" {
  capabilities = ["read"]
}

# The service checks its token at start and renews it before it expires (AppRole tokens and
# periodic tokens alike); OpenBao's `default` policy grants the same, listed here so the policy
# is whole without it.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
