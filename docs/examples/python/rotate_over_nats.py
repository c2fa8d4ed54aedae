"""Ask Rotor for a fabric rotation over NATS (JSON), then follow it to the end.

    ROTOR_NATS_USER=ticketing ROTOR_NATS_PASSWORD_FILE=... \
        python rotate_over_nats.py --nats nats://127.0.0.1:4222 --fabric fab1

Connects as a requester (requester.py), then:
1. Subscribes to the fabric's stage events (protobuf StageEvent on rotor.events.<fabric>.>).
2. Sends a RotationRequest in its proto3 JSON form to rotor.requests.<fabric> (request/reply).
   Who asks is the requester's NATS user (`nats:<user>` in the operation's requestedBy), as the
   server says, not anything in the request; the policy must grant it `operator` on the fabric.
3. Counts each device's last event (perform_backup, which carries the device's outcome) until
   every submitted device has reported, and prints the outcomes. (A requester reads no bucket:
   the operation's status is one `rotor operation show` or gRPC ShowOperation away.)
Exits 0 when every device succeeded, 1 when one did not, 2 when the request was rejected.
"""

import argparse
import asyncio
import json
import sys
import uuid

from requester import connect
from rotor_proto import rotor_pb2


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--fabric", default="fab1")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    nc = await connect(args.nats)

    finished = {}
    all_done = asyncio.Event()
    expected = {"count": None}

    async def on_event(message):
        event = rotor_pb2.StageEvent()
        event.ParseFromString(message.data)
        if event.stage != rotor_pb2.perform_backup or not event.HasField("outcome"):
            return
        if event.operation_id != expected.get("operation"):
            return
        finished[event.device_id] = rotor_pb2.OperationState.Name(event.outcome.status)
        if expected["count"] is not None and len(finished) >= expected["count"]:
            all_done.set()

    await nc.subscribe(f"rotor.events.{args.fabric}.>", cb=on_event)
    await nc.flush()

    request = {
        "requestId": f"example-{uuid.uuid4()}",
        "kind": "FabricRotatePassword",
    }
    reply = await nc.request(f"rotor.requests.{args.fabric}", json.dumps(request).encode(), timeout=30)
    answer = json.loads(reply.data)
    if "rejected" in answer and answer["rejected"]:
        print("rejected:", json.dumps(answer["rejected"]), file=sys.stderr)
        return 2
    accepted = answer["accepted"]
    expected["operation"] = accepted["operationId"]
    expected["count"] = accepted["submittedDeviceCount"]
    print(f"accepted: operation {accepted['operationId']} for {expected['count']} devices")
    if len(finished) >= expected["count"]:
        all_done.set()
    await asyncio.wait_for(all_done.wait(), args.timeout)

    counts = {}
    for state in finished.values():
        counts[state] = counts.get(state, 0) + 1
    print("device outcomes:", counts)
    await nc.close()
    return 0 if set(counts) == {"Succeeded"} else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
