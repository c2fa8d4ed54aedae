"""Rotate a fabric through Rotor's gRPC API and wait for the result.

    ROTOR_TOKEN=$(cat .rotor/api-token) python rotate_over_grpc.py --server 127.0.0.1:50051 --fabric fab1

Every call carries the caller's token (`authorization: Bearer <token>`, from ROTOR_TOKEN or
--token); the caller needs the operator and viewer roles on the fabric.

Calls RotationService.Rotate, polls ShowOperation until the operation ends, then prints the
operation (with per-device results) and the fabric status in their JSON form. Exits 0 when the
operation succeeded, 1 when it failed, 2 when the request was rejected.
"""

import argparse
import os
import sys
import time

import grpc
from google.protobuf import json_format

from rotor_proto import rotor_pb2, rotor_pb2_grpc


class Bearer(grpc.UnaryUnaryClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call."""

    def __init__(self, token):
        self.metadata = (("authorization", f"Bearer {token}"),)

    def intercept_unary_unary(self, continuation, details, request):
        details = details._replace(metadata=tuple(details.metadata or ()) + self.metadata)
        return continuation(details, request)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--fabric", default="fab1")
    parser.add_argument("--use-stored", action="store_true")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--token", default=os.environ.get("ROTOR_TOKEN", ""))
    args = parser.parse_args()
    if not args.token:
        print("no API token: set ROTOR_TOKEN or pass --token", file=sys.stderr)
        return 2

    # The loopback API of a local stack is plain HTTP/2; the token goes with every call.
    with grpc.insecure_channel(args.server) as channel:
        channel = grpc.intercept_channel(channel, Bearer(args.token))
        rotor = rotor_pb2_grpc.RotationServiceStub(channel)
        reply = rotor.Rotate(
            rotor_pb2.RotationRequest(
                kind=rotor_pb2.FabricRotatePassword,
                fabric_id=args.fabric,
                use_stored=args.use_stored,
                requested_by="rotate_over_grpc.py",
            )
        )
        if reply.WhichOneof("outcome") == "rejected":
            error = reply.rejected.error
            print(f"rejected: {rotor_pb2.ErrorCode.Name(error.code)}: {error.message}", file=sys.stderr)
            return 2
        operation_id = reply.accepted.operation_id
        print(f"accepted: operation {operation_id} for {reply.accepted.submitted_device_count} devices")

        deadline = time.monotonic() + args.timeout
        while True:
            operation = rotor.ShowOperation(rotor_pb2.ShowOperationRequest(operation_id=operation_id, omit_devices=True))
            if operation.status in (rotor_pb2.Succeeded, rotor_pb2.Failed):
                break
            if time.monotonic() > deadline:
                print("timed out", file=sys.stderr)
                return 1
            print(f"  {operation.percent_complete}% complete", file=sys.stderr)
            time.sleep(0.2)

        operation = rotor.ShowOperation(rotor_pb2.ShowOperationRequest(operation_id=operation_id))
        print(json_format.MessageToJson(operation))
        fabric = rotor.ShowFabric(rotor_pb2.ShowFabricRequest(fabric_id=args.fabric))
        print(json_format.MessageToJson(fabric, always_print_fields_with_no_presence=True))
        return 0 if operation.status == rotor_pb2.Succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
