from collections.abc import Callable
from types import SimpleNamespace

import pytest

import bench.measure
from bench.measure import alternating


def test_alternating_rounds_turn_the_order_and_leave_out_the_warm_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def measure(name: str, seconds: float) -> Callable[[], float]:
        def timed() -> float:
            calls.append(name)
            # Warm-up rounds are slow; only the counted ones must reach the percentiles.
            return 1.0 if len(calls) <= 2 * 3 else seconds

        return timed

    # The wall clock reads the number of samples taken so far.
    monkeypatch.setattr(bench.measure, "time", SimpleNamespace(time=lambda: float(len(calls))))
    measured = alternating(4, {"a": measure("a", 0.001), "b": measure("b", 0.002)}, warm_up=3)

    warm_up = ["a", "b", "b", "a", "a", "b"]
    assert calls == [*warm_up, "b", "a", "a", "b", "b", "a", "a", "b"]
    # When each measure's first and last counted samples were taken: the 8th and 13th calls
    # for a, the 7th and 14th for b.
    assert measured == {
        "a": {"p50": 1.0, "p95": 1.0, "p99": 1.0, "first_at": 8.0, "last_at": 13.0},
        "b": {"p50": 2.0, "p95": 2.0, "p99": 2.0, "first_at": 7.0, "last_at": 14.0},
    }
