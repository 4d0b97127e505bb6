"""A projection runner process: every view from a cold start (or a rebuild), then its numbers.

Run as `python -m bench.catchup_child DATABASE_URL DATA_DIR catch-up|rebuild`; prints JSON.
A process of its own, so its peak memory is the runner's alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import psutil

from api.bootstrap import Database, build_container, tune_garbage_collection
from api.database import ConnectionTarget
from bench.cases import settings_for
from projections.rebuild import Rebuild
from projections.registry import view_classes


def main(url: str, data_dir: str, mode: str) -> dict[str, float]:
    """Bring every view up to the head of the log; seconds, events and peak RSS."""
    tune_garbage_collection()  # as `casework serve` and `casework projections` do
    target = ConnectionTarget.from_url(url)
    settings = settings_for(target, Path(data_dir))
    container = build_container(settings, Database(target), migrate=False)
    try:
        app = container.projections.app
        head = app.recorder.max_notification_id() or 0
        idle_mb = psutil.Process().memory_info().rss / 2**20
        began, reached = time.perf_counter(), 0
        if mode == "catch-up":
            container.projections.start()  # as `casework serve` runs the views
            # However long it takes, as long as the views keep moving.
            while not container.projections.wait_for(head, timeout=600):
                moved = min(state.position for state in container.projections.states())
                assert moved > reached, "the views did not move for ten minutes"
                reached = moved
        else:
            Rebuild(app, view_classes()).run()
        seconds = time.perf_counter() - began
    finally:
        container.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"events": head, "seconds": seconds, "peak_rss_mb": peak_kb / 1024, "idle_mb": idle_mb}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
