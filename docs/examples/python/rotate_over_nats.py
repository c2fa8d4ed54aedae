"""Ask Rotor for a fabric rotation over NATS (JSON), then follow it to the end.

    python rotate_over_nats.py --nats nats://127.0.0.1:4222 --fabric fab1

1. Subscribes to the fabric's stage events (protobuf StageEvent on rotor.events.<fabric>.>).
2. Sends a RotationRequest in its proto3 JSON form to rotor.requests.<fabric> (request/reply).
3. Counts each device's last event (perform_backup, which carries the device's outcome) until
   every submitted device has reported, then reads the operation and the fabric status from
   their key-value buckets and prints them as JSON.
Exits 0 when the operation succeeded, 1 when it failed, 2 when the request was rejected.
"""

import argparse
import asyncio
import json
import sys
import uuid

import nats
from google.protobuf import json_format

from rotor_proto import rotor_pb2


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--fabric", default="fab1")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()

    nc = await nats.connect(args.nats)
    js = nc.jetstream()

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

    request = {
        "requestId": f"example-{uuid.uuid4()}",
        "kind": "FabricRotatePassword",
        "requestedBy": "rotate_over_nats.py",
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

    # The aggregator writes the operation's end shortly after the last event: poll briefly.
    operations = await js.key_value("rotor_operations")
    for _ in range(200):
        entry = await operations.get(accepted["operationId"])
        operation = rotor_pb2.OperationStatus()
        operation.ParseFromString(entry.value)
        if operation.status in (rotor_pb2.Succeeded, rotor_pb2.Failed):
            break
        await asyncio.sleep(0.05)
    print(json_format.MessageToJson(operation))
    fabrics = await js.key_value("rotor_fabric_status")
    fabric = rotor_pb2.FabricStatus()
    fabric.ParseFromString((await fabrics.get(args.fabric)).value)
    print(json_format.MessageToJson(fabric, always_print_fields_with_no_presence=True))
    counts = {}
    for state in finished.values():
        counts[state] = counts.get(state, 0) + 1
    print("device outcomes:", counts)
    await nc.close()
    return 0 if operation.status == rotor_pb2.Succeeded else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
