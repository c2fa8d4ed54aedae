"""Connect to Rotor's NATS as a requester: a user of the REQUESTERS account (its password in a
file, never on the command line), with replies below its own inbox prefix `_INBOX_<user>`, the
only inbox its permissions let it read (docs/operations.md, "NATS").

    ROTOR_NATS_USER      the requester's user (default rotor-requester, what `rotor up` makes)
    ROTOR_NATS_PASSWORD_FILE  a file holding its password (`rotor up` prints where)
"""

import os

import nats


async def connect(url):
    user = os.environ.get("ROTOR_NATS_USER", "rotor-requester")
    path = os.environ.get("ROTOR_NATS_PASSWORD_FILE")
    if not path:
        raise SystemExit("set ROTOR_NATS_PASSWORD_FILE to the file holding the requester's password")
    with open(path) as file:
        password = file.read().strip()
    return await nats.connect(
        url, user=user, password=password, inbox_prefix=f"_INBOX_{user}".encode()
    )
