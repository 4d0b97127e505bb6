"""Audit bundles: a case's (or a period's) sealed events, checkable offline with verify.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from api.audit import ledger, offline_verify
from api.audit.offline_verify import Checkpoint, Entry
from domain.documents import BlobNotFound, BlobStore
from domain.step import CHINA

FORMAT = "casework-audit-bundle/1"
README = """Casework audit bundle ({scope}).

Check it with Python 3.11 or later and nothing else installed:

    python verify.py .

events.jsonl   one line per position of the event log: the event as stored (state_text is its
               exact bytes as UTF-8) and the seal the database wrote when it was recorded
checkpoints.json  running hashes recorded inside this stretch of the log
documents.json the documents attached by these events, by sha256
manifest.json  what the bundle covers and the sha256 of each file above
documents/     (with --with-documents) the documents' content, each file named by its sha256
"""


@dataclass(frozen=True)
class Bundle:
    """What an export wrote."""

    path: Path
    events: int
    documents: int
    missing_documents: tuple[str, ...]  # fingerprints whose content the blob store lacks


def _seal_json(entry: Entry) -> dict[str, Any] | None:
    seal = entry.seal
    if seal is None:
        return None
    recorded = ledger.EPOCH + dt.timedelta(microseconds=seal.recorded_us)
    return {
        "case": seal.case,
        "version": seal.version,
        "recorded_at": recorded.isoformat(),
        "recorded_us": seal.recorded_us,
        "prev_hash": seal.prev_hash.hex(),
        "hash": seal.hash.hex(),
        "chain_hash": seal.chain_hash.hex(),
        "prev_chain_hash": seal.prev_chain_hash.hex(),
    }


def _event_json(entry: Entry) -> dict[str, Any] | None:
    event = entry.event
    if event is None:
        return None
    body: dict[str, Any] = {"case": event.case, "version": event.version, "topic": event.topic}
    try:
        body["state_text"] = event.state.decode("utf-8")
    except UnicodeDecodeError:
        body["state_hex"] = event.state.hex()
    return body


def write_bundle(
    out: Path,
    entries: list[Entry],
    *,
    scope: dict[str, str],
    from_first_version: bool,
    start_chain: bytes | None,
    checkpoints: list[Checkpoint],
    blobs: BlobStore | None = None,
) -> Bundle:
    """Write the bundle's files into an empty or new directory."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; export into a new directory")
    with (out / "events.jsonl").open("w", encoding="utf-8") as lines:
        for entry in entries:
            line: dict[str, object] = {"notification_id": entry.notification_id}
            line |= {"event": _event_json(entry), "seal": _seal_json(entry)}
            lines.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    documents = offline_verify.attached_documents(entries)
    _write_json(out / "documents.json", documents)
    _write_json(
        out / "checkpoints.json",
        [{"up_to": p.up_to, "chain_hash": p.chain_hash.hex()} for p in checkpoints],
    )
    shutil.copyfile(offline_verify.__file__, out / "verify.py")
    (out / "README.txt").write_text(README.format(scope=_describe(scope)), encoding="utf-8")
    missing = _copy_documents(out, documents, blobs) if blobs is not None else ()
    names = ("events.jsonl", "documents.json", "checkpoints.json", "verify.py")
    manifest = {
        "format": FORMAT,
        "scope": scope,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "from_first_version": from_first_version,
        "start_chain": start_chain.hex() if start_chain is not None else None,
        "events": len(entries),
        "files": {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in names},
    }
    _write_json(out / "manifest.json", manifest)
    return Bundle(out, len(entries), len(documents), missing)


def export_case(
    conn: psycopg.Connection[Any], case_id: UUID, out: Path, blobs: BlobStore | None = None
) -> Bundle:
    """A bundle of every event of one case."""
    return write_bundle(
        out,
        ledger.case_entries(conn, case_id),
        scope={"case": str(case_id)},
        from_first_version=True,
        start_chain=None,
        checkpoints=[],
        blobs=blobs,
    )


def export_period(
    conn: psycopg.Connection[Any],
    first_day: dt.date,
    last_day: dt.date,
    out: Path,
    blobs: BlobStore | None = None,
) -> Bundle:
    """A bundle of the stretch of the log recorded on those days (China Standard Time)."""
    start = dt.datetime.combine(first_day, dt.time(), CHINA)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), CHINA)
    row = conn.execute(
        "SELECT min(notification_id), max(notification_id) FROM event_hashes "
        "WHERE recorded_at >= %s AND recorded_at < %s",
        (start, end),
    ).fetchone()
    scope = {"from": first_day.isoformat(), "to": last_day.isoformat()}
    if row is None or row[0] is None:
        return write_bundle(
            out, [], scope=scope, from_first_version=False, start_chain=None, checkpoints=[]
        )
    after, up_to = int(row[0]) - 1, int(row[1])
    return write_bundle(
        out,
        ledger.span_entries(conn, after, up_to),
        scope=scope,
        from_first_version=after == 0,
        start_chain=ledger.chain_before(conn, after),
        checkpoints=ledger.checkpoints(conn, after, up_to),
        blobs=blobs,
    )


def _copy_documents(
    out: Path, documents: list[dict[str, object]], blobs: BlobStore
) -> tuple[str, ...]:
    folder = out / "documents"
    folder.mkdir()
    missing = []
    for sha256 in sorted({str(d["sha256"]) for d in documents}):
        try:
            chunks = blobs.open(sha256)
        except BlobNotFound:
            missing.append(sha256)
            continue
        with (folder / sha256).open("wb") as copy:
            for chunk in chunks:
                copy.write(chunk)
    return tuple(missing)


def _write_json(path: Path, data: object) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def _describe(scope: dict[str, str]) -> str:
    if "case" in scope:
        return f"case {scope['case']}"
    return f"events recorded {scope['from']} to {scope['to']}"
