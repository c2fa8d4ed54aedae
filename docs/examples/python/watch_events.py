"""Print a fabric's stage events as they happen.

    ROTOR_NATS_USER=ticketing ROTOR_NATS_PASSWORD_FILE=... \
        python watch_events.py --nats nats://127.0.0.1:4222 --fabric fab1 [--limit N]

Connects as a requester (its own account: user and password, replies below its own inbox
prefix) and subscribes to rotor.events.<fabric>.>, which the requester account imports. One line
per event: time, device, stage, status, display text, error code. A requester has no JetStream:
for the retained history use `rotor events watch --from-start` or the gRPC WatchEvents call.
"""

import argparse
import asyncio
import sys


from requester import connect

from rotor_proto import rotor_pb2


def describe(event):
    error = ""
    if event.HasField("error") and event.error.code:
        error = f" [{rotor_pb2.ErrorCode.Name(event.error.code)}]"
    return (
        f"{event.time} {event.device_id} {rotor_pb2.Stage.Name(event.stage)} "
        f"{rotor_pb2.StageEvent.Status.Name(event.status)}: {event.display}{error}"
    )


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--fabric", default="fab1")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many events")
    args = parser.parse_args()

    nc = await connect(args.nats)
    subject = f"rotor.events.{args.fabric}.>"
    seen = 0
    subscription = await nc.subscribe(subject)
    await nc.flush()
    print(f"watching {subject}", file=sys.stderr, flush=True)
    try:
        async for message in subscription.messages:
            event = rotor_pb2.StageEvent()
            event.ParseFromString(message.data)
            print(describe(event), flush=True)
            seen += 1
            if args.limit and seen >= args.limit:
                break
    finally:
        await nc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
