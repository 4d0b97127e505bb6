"""The Casework application: the service layer over the event store."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application


class Casework(Application[UUID]):
    """Loads case aggregates, runs one domain command each, saves the events."""

    name = "Casework"
