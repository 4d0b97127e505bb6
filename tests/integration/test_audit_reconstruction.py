import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from api.audit import export
from api.audit.blobs import FileBlobStore
from api.audit.decisions import decision_history
from api.audit.timeline import PostgresTimeline
from api.bootstrap import build_application
from api.database import ConnectionTarget
from api.references import PostgresReferenceAllocator
from api.settings import Settings
from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.documents import Document
from domain.errors import Forbidden, NotFound
from domain.mediation import MediationCase, MediationType, Origin
from domain.values import Party, PartyRole

MakeActor = Callable[..., Actor]
CASEWORK = shutil.which("casework") or str(Path(sys.executable).parent / "casework")


@pytest.fixture
def audited(database: ConnectionTarget, tmp_path: Path) -> Iterator[Casework]:
    settings = Settings(database_url=database.url, data_dir=tmp_path)
    with ConnectionPool(database.dsn, min_size=1, max_size=2, kwargs={"autocommit": True}) as pool:
        app = build_application(database, settings, PostgresReferenceAllocator(pool))
        app.timeline = PostgresTimeline(pool)
        app.blobs = FileBlobStore(settings.blob_path)
        yield app
        app.close()


def register(app: Casework, intake: Actor) -> MediationCase:
    return app.register(
        MediationCase,
        app.step(intake),
        title="相邻通行纠纷",
        organisation=intake.organisation,
        parties=[Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )


def state(case: CaseFile) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


def recorded(db_connection: psycopg.Connection[Any], case_id: UUID) -> list[dt.datetime]:
    rows = db_connection.execute(
        "SELECT recorded_at FROM event_hashes WHERE originator_id = %s ORDER BY originator_version",
        (case_id,),
    ).fetchall()
    return [row[0] for row in rows]


def test_the_case_as_of_any_instant_equals_its_replay_to_that_instant(
    audited: Casework, actor: MakeActor, db_connection: psycopg.Connection[Any]
) -> None:
    mediator = actor(Role.HANDLER)
    case = register(audited, actor(Role.INTAKE))
    for number in range(24):  # past the snapshot every 20 events
        audited.act(
            case.id,
            MediationCase,
            lambda c, n=number: c.hold_session(audited.step(mediator), mediator="王", notes=str(n)),
        )
    audited.act(
        case.id,
        MediationCase,
        lambda c: c.change_type(audited.step(mediator), MediationType.PEOPLES),
    )
    times = recorded(db_connection, case.id)
    assert len(times) == 26
    snapshots = db_connection.execute(
        "SELECT originator_version FROM casework_snapshots WHERE originator_id = %s", (case.id,)
    ).fetchall()
    assert snapshots == [(20,)]
    tick = dt.timedelta(microseconds=1)
    with pytest.raises(NotFound):
        audited.case_as_of(case.id, MediationCase, times[0] - tick)
    for version, at in enumerate(times, start=1):
        following = times[version] if version < len(times) else at + dt.timedelta(days=1)
        replayed = state(audited.repository.get(case.id, version=version))
        for instant in (at, at + (following - at) / 2, following - tick):
            as_of = audited.case_as_of(case.id, MediationCase, instant)
            assert (as_of.version, state(as_of)) == (version, replayed)


def test_an_attached_document_is_stored_before_the_event_that_names_it(
    audited: Casework, actor: MakeActor
) -> None:
    handler = actor(Role.HANDLER)
    case = register(audited, actor(Role.INTAKE))
    content = "调解笔录".encode() * 1000
    after, document = audited.attach_document(
        case.id,
        [content[:100], content[100:]],
        name="笔录.pdf",
        media_type="application/pdf",
        step=audited.step(handler),
    )
    fingerprint = hashlib.sha256(content).hexdigest()
    assert document == Document(fingerprint, "笔录.pdf", "application/pdf", len(content))
    assert after.documents == [document]
    assert audited.blobs is not None
    assert b"".join(audited.blobs.open(document.sha256)) == content


def test_a_failed_upload_records_no_event_and_leaves_no_blob(
    audited: Casework, actor: MakeActor, tmp_path: Path
) -> None:
    case = register(audited, actor(Role.INTAKE))

    def broken() -> Iterator[bytes]:
        yield b"part of a file"
        raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        audited.attach_document(
            case.id,
            broken(),
            name="a.pdf",
            media_type="application/pdf",
            step=audited.step(actor(Role.HANDLER)),
        )
    with pytest.raises(Forbidden):
        audited.attach_document(
            case.id,
            [b"x"],
            name="b.pdf",
            media_type="application/pdf",
            step=audited.step(actor(Role.AUDITOR)),
        )
    assert audited.get_case(case.id, MediationCase).version == 1
    assert [p.name for p in (tmp_path / "blobs").rglob(".upload-*")] == []


def test_the_decision_history_names_decider_basis_and_the_documents_held(
    audited: Casework, actor: MakeActor
) -> None:
    handler = actor(Role.HANDLER)
    case = register(audited, actor(Role.INTAKE))
    _, document = audited.attach_document(
        case.id,
        [b"agreement draft"],
        name="草案.docx",
        media_type="application/msword",
        step=audited.step(handler),
    )
    changed = audited.act(
        case.id,
        MediationCase,
        lambda c: c.change_type(
            audited.step(handler, reason="双方同意", legal_basis="人民调解法第十八条"),
            MediationType.PEOPLES,
        ),
    )
    [record] = decision_history(audited, case.id)
    assert (record.version, record.step, record.decider, record.approver) == (
        3,
        "TypeChanged",
        handler,
        None,
    )
    assert (record.legal_basis, record.reason, record.status_after) == (
        "人民调解法第十八条",
        "双方同意",
        changed.status,
    )
    assert record.documents == (document,)


def test_a_bundle_with_documents_verifies_offline_and_the_cli_agrees(
    audited: Casework, actor: MakeActor, database: ConnectionTarget, tmp_path: Path
) -> None:
    case = register(audited, actor(Role.INTAKE))
    audited.attach_document(
        case.id,
        [b"%PDF-1.7 ..."],
        name="申请书.pdf",
        media_type="application/pdf",
        step=audited.step(actor(Role.HANDLER)),
    )
    assert audited.blobs is not None
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        bundle = export.export_case(conn, case.id, tmp_path / "bundle", audited.blobs)
    assert (bundle.events, bundle.documents, bundle.missing_documents) == (2, 1, ())
    result = subprocess.run(
        [sys.executable, "-I", "-S", "verify.py", "."],
        cwd=bundle.path,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (0, "OK: 2 events checked; the chain holds\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": database.url, "CASEWORK_DATA_DIR": str(tmp_path)}
    cli = subprocess.run(
        [CASEWORK, "audit", "verify", "--case", str(case.id)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (cli.returncode, cli.stdout) == (0, "OK: 2 events checked; the chain holds\n")
