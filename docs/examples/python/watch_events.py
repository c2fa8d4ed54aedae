"""Print a fabric's stage events as they happen, or replay the retained history.

    python watch_events.py --nats nats://127.0.0.1:4222 --fabric fab1 [--from-start] [--limit N]

Live events: a plain subscription to rotor.events.<fabric>.>. History: an ephemeral JetStream
consumer on the ROTOR_EVENTS stream, filtered to the fabric. One line per event:
time, device, stage, status, display text, error code.
"""

import argparse
import asyncio
import sys

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

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
    parser.add_argument("--from-start", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many events")
    args = parser.parse_args()

    nc = await nats.connect(args.nats)
    subject = f"rotor.events.{args.fabric}.>"
    seen = 0
    if args.from_start:
        js = nc.jetstream()
        subscription = await js.subscribe(
            subject,
            stream="ROTOR_EVENTS",
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        )
    else:
        subscription = await nc.subscribe(subject)
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
