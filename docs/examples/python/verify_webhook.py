"""Check a Rotor webhook summary's signature, as a receiver would (docs/notifications.md).

    python verify_webhook.py --key-file ops-hook --signature 't=...,v1=...' --body body.json

Exits 0 when the body was signed with the key within the last five minutes, 1 otherwise.
Only the standard library: copy `verify` into your receiver, and call it with the raw bytes
of the request's body, before parsing them.
"""

import argparse
import hashlib
import hmac
import sys
import time


def verify(key: bytes, header: str, body: bytes, tolerance: int = 300) -> bool:
    """Whether `header` (Rotor-Signature) signs `body` with `key`, at most `tolerance` s ago."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > tolerance:
        return False
    expected = hmac.new(key, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-file", required=True, help="the webhook's key file")
    parser.add_argument("--signature", required=True, help="the Rotor-Signature header")
    parser.add_argument("--body", required=True, help="a file holding the exact body")
    args = parser.parse_args()
    with open(args.key_file, "rb") as f:
        key = f.read().strip()
    with open(args.body, "rb") as f:
        body = f.read()
    if verify(key, args.signature, body):
        print("valid")
        return 0
    print("invalid", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
