import threading
from pathlib import Path

import psutil
import pytest

from api import migrations
from api.database import ConnectionTarget
from bench.server import SAMPLER, serving


def samplers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == SAMPLER and t.is_alive()]


def test_a_measure_that_fails_stops_the_server_and_its_memory_sampling(
    empty_database: ConnectionTarget, tmp_path: Path
) -> None:
    migrations.upgrade(empty_database)
    seen: dict[str, int] = {}

    def failing_measure() -> None:
        with serving(empty_database, tmp_path, tmp_path / "server.log") as server:
            seen["pid"], seen["samplers"] = server.memory.process.pid, len(samplers())
            raise RuntimeError("a measure failed")

    with pytest.raises(RuntimeError, match="a measure failed"):
        failing_measure()
    assert seen["samplers"] == 1
    assert samplers() == []
    assert not psutil.pid_exists(seen["pid"])
