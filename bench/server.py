"""A `casework serve` process on a scratch database, its memory sampled while it works."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.database import ConnectionTarget
from bench.cases import JWT_SECRET
from bench.measure import PeakMemory

ROOT = Path(__file__).resolve().parent.parent
SAMPLER = "bench-server-memory"  # the sampling thread's name


@dataclass
class Server:
    """A running server: where it listens and its memory."""

    url: str
    memory: PeakMemory
    idle_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample_until_stopped(self) -> threading.Thread:
        """Sample the server's RSS every 50 ms in the background."""

        def sample() -> None:
            while not self._stop.wait(0.05):
                self.memory.sample()

        thread = threading.Thread(target=sample, name=SAMPLER, daemon=True)
        thread.start()
        return thread


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(target: ConnectionTarget, data_dir: Path, log: Path) -> Iterator[Server]:
    """`casework serve` on the target (views running in it), stopped afterwards."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": target.url,
        "CASEWORK_JWT_SECRET": JWT_SECRET,
        "CASEWORK_DATA_DIR": str(data_dir),
        "CASEWORK_PROJECTION_WAIT": "10",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603  # our own interpreter and module
            # No access log: a line per request is not part of the latency measured.
            [sys.executable, "-m", "api.cli.main", "serve", "--port", str(port), "--no-access-log"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            server = Server(url, PeakMemory(process.pid))
            server.idle_mb = server.memory.sample() / 2**20
            sampler = server.sample_until_stopped()
            try:
                yield server
            finally:  # a measure that failed stops the sampling too
                server._stop.set()
                sampler.join()
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"casework serve exited with {process.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("casework serve did not answer /healthz in time")
