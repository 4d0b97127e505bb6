"""Checks Casework's event seals; standard library only, shipped in bundles as verify.py.

Usage: python verify.py BUNDLE_DIR   (exit 0: the chain holds; 1: it breaks; 2: bad bundle)
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ZERO = bytes(32)
MAGIC = b"CWE1"  # the layout's version; the database's casework_event_hash() uses the same


def event_hash(
    prev: bytes,
    notification_id: int,
    *,
    case_id: str,
    version: int,
    recorded_us: int,
    topic: str,
    state: bytes,
) -> bytes:
    """sha256 over the event's canonical bytes, chained to its case's previous hash."""
    topic_bytes = topic.encode("utf-8")
    head = struct.pack(">q", notification_id) + uuid.UUID(case_id).bytes
    head += struct.pack(">qqi", version, recorded_us, len(topic_bytes))
    return hashlib.sha256(MAGIC + prev + head + topic_bytes + state).digest()


def chain_hash(previous: bytes, sealed: bytes) -> bytes:
    """The running hash over the whole log after one more event."""
    return hashlib.sha256(previous + sealed).digest()


@dataclass(frozen=True)
class Stored:
    """An event row as the event store holds it."""

    case: str
    version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class Seal:
    """The seal the database wrote when the event was inserted."""

    case: str
    version: int
    recorded_us: int
    prev_hash: bytes
    hash: bytes
    chain_hash: bytes
    prev_chain_hash: bytes  # the running hash just before this event


@dataclass(frozen=True)
class Entry:
    """One position of the log: the event there and its seal (either may be gone)."""

    notification_id: int
    event: Stored | None
    seal: Seal | None


@dataclass(frozen=True)
class Checkpoint:
    """A running hash recorded at a position of the log."""

    up_to: int
    chain_hash: bytes


@dataclass(frozen=True)
class Problem:
    """Where the record breaks and how."""

    notification_id: int
    case: str
    version: int
    what: str

    def __str__(self) -> str:
        where = f" (case {self.case} version {self.version})" if self.case else ""
        return f"event {self.notification_id}{where}: {self.what}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: how many positions were read, and every problem found."""

    checked: int
    problems: tuple[Problem, ...]

    @property
    def holds(self) -> bool:
        """Whether the chain holds."""
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The first bad event, in log order."""
        return self.problems[0] if self.problems else None


def verify(
    entries: Iterable[Entry],
    *,
    from_first_version: bool,
    start_chain: bytes | None,
    checkpoints: Sequence[Checkpoint] = (),
) -> Verdict:
    """Check seals in log order.

    from_first_version: every case's events start at version 1 here (a whole log or whole
    cases); start_chain: the running hash before the first entry when the entries are a
    contiguous stretch of the log, None when they are not (one case's events).
    """
    problems: list[Problem] = []
    cases: dict[str, tuple[int, bytes]] = {}  # case -> (last version, its stored hash)
    running = start_chain
    folded = start_chain  # recomputed over the stored seals only, for the checkpoints
    pending = sorted(checkpoints, key=lambda c: c.up_to)
    checked = 0
    for entry in sorted(entries, key=lambda e: e.notification_id):
        while folded is not None and pending and pending[0].up_to < entry.notification_id:
            _check_point(pending.pop(0), folded, problems)
        checked += 1
        problems.extend(_check_entry(entry, cases, running, from_first_version))
        if entry.seal is not None:
            running = entry.seal.chain_hash if running is not None else None
            folded = chain_hash(folded, entry.seal.hash) if folded is not None else None
    if folded is not None:
        for point in pending:  # a checkpoint past the last event: events were cut off the end
            _check_point(point, folded, problems)
    problems.sort(key=lambda p: p.notification_id)
    return Verdict(checked, tuple(problems))


def _check_point(point: Checkpoint, folded: bytes, problems: list[Problem]) -> None:
    if folded != point.chain_hash:
        what = "the log up to here no longer matches the checkpoint taken at this position"
        problems.append(Problem(point.up_to, "", 0, what))


def _check_entry(
    entry: Entry,
    cases: dict[str, tuple[int, bytes]],
    running: bytes | None,
    from_first_version: bool,
) -> list[Problem]:
    n, event, seal = entry.notification_id, entry.event, entry.seal
    if seal is None:
        assert event is not None
        what = "has no seal: it was written around the database's trigger"
        return [Problem(n, event.case, event.version, what)]
    found: list[Problem] = []

    def bad(what: str) -> None:
        found.append(Problem(n, seal.case, seal.version, what))

    last = cases.get(seal.case)
    if last is not None:
        if seal.version != last[0] + 1:
            bad(f"versions {last[0] + 1} to {seal.version - 1} of the case are missing")
        basis = last[1]
    elif seal.version == 1:
        basis = ZERO
    else:
        if from_first_version:
            bad(f"versions 1 to {seal.version - 1} of the case are missing")
        basis = seal.prev_hash
    if seal.prev_hash != basis:
        bad("does not follow the previous event of its case: the case's chain breaks here")
    cases[seal.case] = (seal.version, seal.hash)
    previous = running if running is not None else seal.prev_chain_hash
    if chain_hash(previous, seal.hash) != seal.chain_hash:
        bad("the running hash over the log breaks here")
    if event is None:
        bad("is missing: its seal remains but the event is gone")
    elif (event.case, event.version) != (seal.case, seal.version):
        bad(f"holds case {event.case} version {event.version}, not the event sealed here")
    else:
        recomputed = event_hash(
            seal.prev_hash,
            n,
            case_id=event.case,
            version=event.version,
            recorded_us=seal.recorded_us,
            topic=event.topic,
            state=event.state,
        )
        if recomputed != seal.hash:
            bad("its stored bytes differ from what was sealed: the event was altered")
    return found


# ---- bundles -------------------------------------------------------------------------------


def entry_from_json(line: dict[str, object]) -> Entry:
    """An entry from one line of events.jsonl."""
    raw_event, raw_seal = line.get("event"), line.get("seal")
    event = seal = None
    if isinstance(raw_event, dict):
        state = raw_event.get("state_text")
        event = Stored(
            str(raw_event["case"]),
            int(raw_event["version"]),
            str(raw_event["topic"]),
            str(state).encode("utf-8")
            if state is not None
            else bytes.fromhex(str(raw_event["state_hex"])),
        )
    if isinstance(raw_seal, dict):
        seal = Seal(
            str(raw_seal["case"]),
            int(raw_seal["version"]),
            int(raw_seal["recorded_us"]),
            bytes.fromhex(str(raw_seal["prev_hash"])),
            bytes.fromhex(str(raw_seal["hash"])),
            bytes.fromhex(str(raw_seal["chain_hash"])),
            bytes.fromhex(str(raw_seal["prev_chain_hash"])),
        )
    return Entry(int(str(line["notification_id"])), event, seal)


def attached_documents(entries: Iterable[Entry]) -> list[dict[str, object]]:
    """The documents that DocumentAttached events put on case files, in log order."""
    found: list[dict[str, object]] = []
    for entry in entries:
        event = entry.event
        if event is None or not event.topic.endswith(".DocumentAttached"):
            continue
        state = json.loads(event.state.decode("utf-8"))
        found.append(
            {
                "notification_id": entry.notification_id,
                "case": event.case,
                "version": event.version,
                "sha256": state["sha256"],
                "name": state["name"],
                "media_type": state["media_type"],
                "size": state["size"],
            }
        )
    return found


def check_files(bundle: Path, manifest: dict[str, object]) -> list[str]:
    """Files whose bytes differ from the manifest's fingerprints, or documents from theirs."""
    bad = []
    files = manifest.get("files")
    for name, digest in (files if isinstance(files, dict) else {}).items():
        if hashlib.sha256((bundle / name).read_bytes()).hexdigest() != digest:
            bad.append(f"{name} differs from its fingerprint in manifest.json")
    blobs = bundle / "documents"
    if blobs.is_dir():
        for blob in sorted(blobs.iterdir()):
            if hashlib.sha256(blob.read_bytes()).hexdigest() != blob.name:
                bad.append(f"documents/{blob.name} differs from its fingerprint")
    return bad


def verify_bundle(bundle: Path) -> tuple[Verdict, list[str]]:
    """Check a bundle: its files against the manifest, then every seal."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    with (bundle / "events.jsonl").open(encoding="utf-8") as lines:
        entries = [entry_from_json(json.loads(line)) for line in lines if line.strip()]
    points = json.loads((bundle / "checkpoints.json").read_text(encoding="utf-8"))
    start = manifest.get("start_chain")
    verdict = verify(
        entries,
        from_first_version=bool(manifest["from_first_version"]),
        start_chain=bytes.fromhex(start) if start else None,
        checkpoints=[Checkpoint(int(p["up_to"]), bytes.fromhex(p["chain_hash"])) for p in points],
    )
    bad = check_files(bundle, manifest)
    listed = json.loads((bundle / "documents.json").read_text(encoding="utf-8"))
    if listed != attached_documents(entries):
        bad.append("documents.json does not list exactly the documents the events attach")
    return verdict, bad


def main(argv: Sequence[str]) -> int:
    """Print the verdict on a bundle; exit 0 if it holds."""
    if len(argv) != 2 or not Path(argv[1], "manifest.json").is_file():
        print("usage: python verify.py BUNDLE_DIR (the folder holding manifest.json)")
        return 2
    verdict, file_problems = verify_bundle(Path(argv[1]))
    for line in file_problems:
        print(f"BAD FILE: {line}")
    if verdict.holds and not file_problems:
        print(f"OK: {verdict.checked} events checked; the chain holds")
        return 0
    if verdict.first is not None:
        print(f"BROKEN: first bad event: {verdict.first}")
        for problem in verdict.problems[1:]:
            print(f"  also: {problem}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
