"""The application the benchmarks drive, and the cases they act on."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

from api.bootstrap import Container, Database, build_container
from api.caseload.seed import seeding_application
from api.database import ConnectionTarget
from api.settings import Settings
from domain.actors import Actor, Role
from domain.petition import Petition
from domain.values import Party, PartyRole

ORG = "BENCH-XF"
JWT_SECRET = "bench-" + uuid.uuid4().hex
INTAKE = Actor("bench-intake", Role.INTAKE, ORG, "王登记")
APPROVER = Actor("bench-head", Role.APPROVER, ORG, "李主任")
HANDLERS = ("bench-handler-1", "bench-handler-2")


def settings_for(target: ConnectionTarget, data_dir: Path) -> Settings:
    """Settings for a process on the scratch database."""
    return Settings(
        database_url=target.url,
        data_dir=data_dir,
        jwt_secret=JWT_SECRET,
    )


@contextmanager
def container_for(target: ConnectionTarget, data_dir: Path) -> Iterator[Container]:
    """The composition root on the scratch database, views not running."""
    built = build_container(settings_for(target, data_dir), Database(target), migrate=False)
    try:
        yield built
    finally:
        built.close()


def register_petitions(target: ConnectionTarget, count: int) -> list[UUID]:
    """Register petitions of the benchmark organisation, many per transaction."""
    with seeding_application(target) as app:
        app.renew(uuid.uuid4())
        ids = []
        moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        for n in range(count):
            step = app.step(INTAKE, at=moment)
            case = app.register(
                Petition,
                step,
                title=f"张三反映欠薪问题（{n}）",
                organisation=ORG,
                act=None,
                parties=[Party("张三", PartyRole.APPLICANT, phone="13800000000")],
                channel="letter",
            )
            ids.append(case.id)
        app.flush()
    return ids
