#!/usr/bin/env python3
"""Rotate a fabric's admin password with Nornir + nornir-netmiko, as network teams do today.

Nornir's threaded runner (--workers threads) runs one task per device:
  1. netmiko (device_type "linux": the switch's bash prompt `cumulus@<host>:mgmt:~$ `) logs in
     with the current password, host key checked against the inventory's pinned keys
     (a known_hosts file written from the inventory, ssh_strict);
  2. `nv set system aaa user <user> hashed-password '<$6$...>'` (NVOS: `... password '<$6$...>'`)
     then `nv config apply -y` with netmiko_send_command, checking the output for NVUE errors;
  3. the connection is closed, the host's password set to the new one, and a fresh netmiko
     login runs `nv show system aaa user <user>` to verify it.

The `$6$` hash (SHA-512-crypt, 5,000 rounds) is computed once per run, not per device. The
passwords come from ROTOR_BENCH_CURRENT_PASSWORD and ROTOR_BENCH_NEW_PASSWORD and are never
printed (Nornir's logging is off, results are not printed).

Output: a JSON summary (--out, else stdout).
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time

import netmiko
import nornir
import yaml
from nornir import InitNornir
from nornir.core.task import Result, Task
from nornir_netmiko.tasks import netmiko_send_command
from passlib.hash import sha512_crypt


def write_inventory(path, limit, folder):
    with open(path) as handle:
        inventory = yaml.safe_load(handle)
    hosts, known_hosts = {}, []
    for device in inventory["devices"]:
        if device.get("administrativeState", "Enabled") != "Enabled":
            continue
        host, port = device["address"].rsplit(":", 1)
        nvos = device["platform"] == "nvos"
        hosts[device["id"]] = {
            "hostname": host,
            "port": int(port),
            "username": device["loginUser"],
            "platform": "linux",
            "data": {"password_key": "password" if nvos else "hashed-password"},
        }
        known_hosts.append(f"[{host}]:{port} {device['hostKey']}")
        if limit and len(hosts) >= limit:
            break
    known_hosts_file = os.path.join(folder, "known_hosts")
    with open(known_hosts_file, "w") as handle:
        handle.write("\n".join(known_hosts) + "\n")
    defaults = {
        "connection_options": {
            "netmiko": {
                "extras": {
                    "ssh_strict": True,
                    "system_host_keys": False,
                    "alt_host_keys": True,
                    "alt_key_file": known_hosts_file,
                    "use_keys": False,
                    "allow_agent": False,
                    "fast_cli": True,
                }
            }
        }
    }
    files = {}
    for name, content in (("hosts", hosts), ("groups", {"switches": {}}), ("defaults", defaults)):
        files[name] = os.path.join(folder, f"{name}.yaml")
        with open(files[name], "w") as handle:
            yaml.safe_dump(content, handle)
    return files, len(hosts)


NVUE_ERRORS = ("Error:", "command not found", "Invalid")


def checked(task, command):
    result = task.run(task=netmiko_send_command, command_string=command, read_timeout=60)
    output = result[0].result or ""
    if any(marker in output for marker in NVUE_ERRORS):
        raise RuntimeError(f"`{command.split(' ')[0]} ...` failed: {output.strip()[:200]}")
    return output


def rotate(task: Task, hashed: str, new_password: str) -> Result:
    started = time.monotonic()
    user = task.host.username
    key = task.host.data["password_key"]
    checked(task, f"nv set system aaa user {user} {key} '{hashed}'")
    checked(task, "nv config apply -y")
    task.host.close_connection("netmiko")
    task.host.password = new_password
    checked(task, f"nv show system aaa user {user}")
    task.host.close_connection("netmiko")
    return Result(host=task.host, result=time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--devices", type=int, default=0, help="first N devices (0: all)")
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--out")
    arguments = parser.parse_args()
    current = os.environ["ROTOR_BENCH_CURRENT_PASSWORD"]
    new = os.environ["ROTOR_BENCH_NEW_PASSWORD"]

    with tempfile.TemporaryDirectory(prefix="rotor-bench-nornir-") as folder:
        files, count = write_inventory(arguments.inventory, arguments.devices, folder)
        cpu_start = time.process_time()
        wall_start = time.monotonic()
        nr = InitNornir(
            runner={"plugin": "threaded", "options": {"num_workers": arguments.workers}},
            inventory={
                "plugin": "SimpleInventory",
                "options": {
                    "host_file": files["hosts"],
                    "group_file": files["groups"],
                    "defaults_file": files["defaults"],
                },
            },
            logging={"enabled": False},
        )
        nr.inventory.defaults.password = current
        hashed = sha512_crypt.using(rounds=5000).hash(new)
        results = nr.run(task=rotate, hashed=hashed, new_password=new)
        wall = time.monotonic() - wall_start

    times, failures = [], []
    for host, multi in results.items():
        if multi.failed:
            error = next((r.exception for r in multi if r.exception), None)
            failures.append(f"{host}: {type(error).__name__}: {error}"[:300])
        else:
            times.append(multi[0].result)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    summary = {
        "tool": "nornir-netmiko",
        "versions": {
            "nornir": nornir.__version__ if hasattr(nornir, "__version__") else "3.6.0",
            "netmiko": netmiko.__version__,
        },
        "workers": arguments.workers,
        "devices": count,
        "succeeded": len(times),
        "failed": len(failures),
        "failures": failures[:5],
        "wallSeconds": wall,
        "perDeviceSeconds": sorted(times),
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        "cpuSecondsMeasured": time.process_time() - cpu_start,
        "peakRssMib": usage.ru_maxrss / 1024.0,
    }
    text = json.dumps(summary)
    if arguments.out:
        with open(arguments.out, "w") as handle:
            handle.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
