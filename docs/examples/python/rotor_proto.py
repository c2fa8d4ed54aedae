"""Rotor's protobuf messages and gRPC stubs for Python, generated from proto/ on first use.

Other systems would generate these once with `python -m grpc_tools.protoc`; the examples do it
at import time (into a cache folder next to this file) so they always match the checked-in
proto. Requires grpcio-tools.
"""

import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
PROTO_ROOT = HERE.parents[2] / "proto"
GENERATED = HERE / ".generated"


def _generate():
    from grpc_tools import protoc

    GENERATED.mkdir(exist_ok=True)
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"--python_out={GENERATED}",
            f"--grpc_python_out={GENERATED}",
            str(PROTO_ROOT / "rotor" / "v1" / "rotor.proto"),
        ]
    )
    if status != 0:
        raise SystemExit(f"protoc failed with status {status}")
    for package in (GENERATED / "rotor", GENERATED / "rotor" / "v1"):
        (package / "__init__.py").touch()


source = PROTO_ROOT / "rotor" / "v1" / "rotor.proto"
target = GENERATED / "rotor" / "v1" / "rotor_pb2.py"
if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
    _generate()
sys.path.insert(0, str(GENERATED))
rotor_pb2 = importlib.import_module("rotor.v1.rotor_pb2")
rotor_pb2_grpc = importlib.import_module("rotor.v1.rotor_pb2_grpc")
