"""A real Redis Cluster for the tests: six redis-server processes on loopback (3 masters, 3 replicas),
made a cluster by `redis-cli --cluster create`, torn down after. No persistence: the processes live
in a temp dir for one test session.

A short node timeout (2 s) makes a failover take a few seconds instead of the default ~15-20 s.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server", path="/usr/bin") or shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli", path="/usr/bin") or shutil.which("redis-cli")
NODE_TIMEOUT_MS = 2_000


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_pairs(count: int) -> list[int]:
    """Ports p whose cluster bus port p + 10000 is free as well."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + 10_000 <= 65_535 and port not in found and _free(port + 10_000):
            found.append(port)
    return found


@dataclass
class LocalCluster:
    directory: Path
    ports: list[int] = field(default_factory=list)
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def _spawn(self, port: int) -> None:
        node_dir = self.directory / str(port)
        node_dir.mkdir(parents=True, exist_ok=True)
        assert REDIS_SERVER is not None
        command = [
            REDIS_SERVER,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
            "--dir", str(node_dir),
            "--save", "",
            "--appendonly", "no",
            "--repl-diskless-sync-delay", "0",  # replicas in sync at once, ready to take over
            "--logfile", "redis.log",
        ]  # fmt: skip
        self.processes[port] = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_answers(port)

    def _wait_answers(self, port: int, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=port, socket_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {port} did not start")

    def start(self, nodes: int = 6) -> None:
        assert REDIS_CLI is not None
        self.ports = free_port_pairs(nodes)
        for port in self.ports:
            self._spawn(port)
        create = [REDIS_CLI, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports)]
        subprocess.run([*create, "--cluster-replicas", "1", "--cluster-yes"], check=True, capture_output=True)
        self.wait_ok()
        self.wait_replicas_synced()

    def wait_replicas_synced(self, timeout_s: float = 30.0) -> None:
        """A replica that never finished its first sync cannot take over: wait for every link."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            roles = [self.node(p).info("replication") for p in self.processes]
            replicas = [r for r in roles if r["role"] == "slave"]
            if len(replicas) == len(roles) // 2 and all(r["master_link_status"] == "up" for r in replicas):
                return
            time.sleep(0.1)
        raise RuntimeError("the cluster's replicas did not finish their first sync")

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=1.0, decode_responses=True)

    def wait_ok(self, timeout_s: float = 30.0) -> None:
        """Every live node says cluster_state:ok, and all slots are served (a node may go on seeing a
        dead master as only "possibly failed" for a while: gossip is not instant)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                infos = [self.node(p).cluster("info") for p in self.processes]
                ok = all(i["cluster_state"] == "ok" for i in infos)
                if ok and max(int(i["cluster_slots_ok"]) for i in infos) == 16_384:
                    return
            except redis.RedisError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the Redis Cluster did not reach cluster_state:ok")

    def master_of(self, key: str) -> int:
        """The port of the master serving `key`'s slot."""
        slot = int(self.node(next(iter(self.processes))).cluster("keyslot", key))
        for start, end, master, *_ in self.node(next(iter(self.processes))).execute_command("CLUSTER SLOTS"):
            if int(start) <= slot <= int(end):
                return int(master[1])
        raise LookupError(slot)

    def masters(self) -> set[int]:
        nodes = self.node(next(iter(self.processes))).cluster("nodes")
        return {int(addr.split("@")[0].split(":")[1]) for addr, n in nodes.items() if "master" in n["flags"]
                and "fail" not in n["flags"]}  # fmt: skip

    def kill(self, port: int) -> None:
        process = self.processes.pop(port)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def wait_failover(self, dead: int, timeout_s: float = 30.0) -> float:
        """Seconds until a replica took over the dead master's slots and the cluster is ok again."""
        started = time.monotonic()
        while dead in self.masters():
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"no failover of {dead} within {timeout_s}s")
            time.sleep(0.05)
        self.wait_ok(timeout_s)
        return time.monotonic() - started

    def restart(self, port: int) -> None:
        """A killed node back: its nodes.conf makes it rejoin (as a replica of its successor)."""
        self._spawn(port)
        self.wait_ok()
        self.wait_replicas_synced()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def cluster_available() -> bool:
    return REDIS_SERVER is not None and REDIS_CLI is not None
