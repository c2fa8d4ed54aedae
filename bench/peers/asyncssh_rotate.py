#!/usr/bin/env python3
"""Rotate a fabric's admin password with plain asyncio + asyncssh: the fastest Python way.

What it does per device, all devices at once (bounded by --concurrency):
  1. connect over SSH with the current password, the host key pinned from the inventory;
  2. `nv set system aaa user <user> hashed-password '<$6$...>'` (NVOS: `... password '<$6$...>'`)
     and `nv config apply -y`, each on its own exec channel, checking the exit status;
  3. close, then a fresh login with the new password and `nv show system aaa user <user>`
     to verify it.

The `$6$` hash (SHA-512-crypt, 5,000 rounds, as `openssl passwd -6` and NVUE make it) is
computed once per run, not per device. The passwords come from the environment variables
ROTOR_BENCH_CURRENT_PASSWORD and ROTOR_BENCH_NEW_PASSWORD and are never printed.

Output: a JSON summary (--out, else stdout).
"""

import argparse
import asyncio
import json
import os
import resource
import sys
import time

import asyncssh
import yaml
from passlib.hash import sha512_crypt


def load_devices(path, limit):
    with open(path) as handle:
        inventory = yaml.safe_load(handle)
    devices = []
    for device in inventory["devices"]:
        if device.get("administrativeState", "Enabled") != "Enabled":
            continue
        host, port = device["address"].rsplit(":", 1)
        platform = device["platform"]
        devices.append(
            {
                "id": device["id"],
                "host": host,
                "port": int(port),
                "host_key": device["hostKey"],
                "user": device["loginUser"],
                "key": "password" if platform == "nvos" else "hashed-password",
            }
        )
    return devices[:limit] if limit else devices


def known_hosts_for(device):
    key = asyncssh.import_public_key(device["host_key"])
    return ([key], [], [])


async def run_checked(connection, command):
    result = await connection.run(command, check=False)
    if result.exit_status != 0:
        # Never echo the command: it holds the hash.
        raise RuntimeError(
            f"`{command.split(' ')[0]} ...` exited {result.exit_status}: {str(result.stderr).strip()[:200]}"
        )
    return result


async def rotate_one(device, current, new, hashed, timeout):
    started = time.monotonic()
    options = dict(
        host=device["host"],
        port=device["port"],
        username=device["user"],
        known_hosts=known_hosts_for(device),
        client_keys=None,
        agent_path=None,
        preferred_auth="password",
        connect_timeout=timeout,
    )
    async with asyncssh.connect(password=current, **options) as connection:
        await run_checked(
            connection,
            f"nv set system aaa user {device['user']} {device['key']} '{hashed}'",
        )
        await run_checked(connection, "nv config apply -y")
    async with asyncssh.connect(password=new, **options) as connection:
        await run_checked(connection, f"nv show system aaa user {device['user']}")
    return time.monotonic() - started


async def main_async(arguments):
    current = os.environ["ROTOR_BENCH_CURRENT_PASSWORD"]
    new = os.environ["ROTOR_BENCH_NEW_PASSWORD"]
    devices = load_devices(arguments.inventory, arguments.devices)
    cpu_start = time.process_time()
    wall_start = time.monotonic()
    hashed = sha512_crypt.using(rounds=5000).hash(new)
    semaphore = asyncio.Semaphore(arguments.concurrency)
    times, failures = [], []

    async def guarded(device):
        async with semaphore:
            try:
                times.append(
                    await asyncio.wait_for(
                        rotate_one(device, current, new, hashed, arguments.timeout),
                        timeout=arguments.timeout * 4,
                    )
                )
            except Exception as error:  # noqa: BLE001 - a benchmark records every failure
                failures.append(f"{device['id']}: {type(error).__name__}: {error}"[:300])

    await asyncio.gather(*(guarded(device) for device in devices))
    wall = time.monotonic() - wall_start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "tool": "asyncssh",
        "versions": {"asyncssh": asyncssh.__version__},
        "concurrency": arguments.concurrency,
        "devices": len(devices),
        "succeeded": len(times),
        "failed": len(failures),
        "failures": failures[:5],
        "wallSeconds": wall,
        "perDeviceSeconds": sorted(times),
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        "cpuSecondsMeasured": time.process_time() - cpu_start,
        "peakRssMib": usage.ru_maxrss / 1024.0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--devices", type=int, default=0, help="first N devices (0: all)")
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--out")
    arguments = parser.parse_args()
    summary = asyncio.run(main_async(arguments))
    text = json.dumps(summary)
    if arguments.out:
        with open(arguments.out, "w") as handle:
            handle.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
