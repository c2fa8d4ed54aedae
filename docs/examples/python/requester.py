"""Connect to Rotor's NATS as a requester: a user of the REQUESTERS account (its password in a
file, never on the command line), with replies below its own inbox prefix `_INBOX_<user>`, the
only inbox its permissions let it read (docs/operations.md, "NATS").

    ROTOR_NATS_USER      the requester's user (default rotor-requester, what `rotor up` makes)
    ROTOR_NATS_PASSWORD_FILE  a file holding its password (`rotor up` prints where)
    ROTOR_NATS_TLS_CA    the CA certificate the server's TLS certificate is signed by (`rotor up`
                         prints where); the server requires TLS
"""

import os
import ssl

import nats


async def connect(url):
    user = os.environ.get("ROTOR_NATS_USER", "rotor-requester")
    path = os.environ.get("ROTOR_NATS_PASSWORD_FILE")
    if not path:
        raise SystemExit("set ROTOR_NATS_PASSWORD_FILE to the file holding the requester's password")
    with open(path) as file:
        password = file.read().strip()
    tls = None
    ca = os.environ.get("ROTOR_NATS_TLS_CA")
    if ca:
        tls = ssl.create_default_context(cafile=ca)
    return await nats.connect(
        url, user=user, password=password, inbox_prefix=f"_INBOX_{user}".encode(), tls=tls
    )
