"""workQueueChanged: the caller's queue, pushed again whenever the work queue view moves."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.queue import MAX_PAGE, WorkItemType, WorkQueueFilter, queue_filter
from projections.status import view_position
from projections.work_queue import queue_page_statement

POLL_SECONDS = 0.2  # how often the view's position is looked at; reads follow only a move


@strawberry.type(description="The caller's queue as it stands after a change.")
class WorkQueueChange:
    """A snapshot, first on subscribing and then after every change."""

    at: dt.datetime = strawberry.field(description="When the snapshot was taken (UTC).")
    items: list[WorkItemType] = strawberry.field(description="The first items, by due date.")


@strawberry.type(description="Live updates over websockets (graphql-transport-ws).")
class Subscription:
    """Root subscription type."""

    @strawberry.subscription(description="The caller's work queue, now and after each change.")
    async def work_queue_changed(
        self,
        info: Info[Context, None],
        first: Annotated[int, strawberry.argument(description="How many items, 1 to 100.")] = 20,
    ) -> AsyncGenerator[WorkQueueChange, None]:
        """Polls the view's position (cheap) and re-reads the queue only when it moved."""
        context = info.context
        where = queue_filter(context.actor, WorkQueueFilter(), context.today)
        size = max(1, min(first, MAX_PAGE))
        seen: int | None = None
        last: list[object] | None = None
        while True:
            position = await context.select(view_position("work_queue"))
            if position != seen:
                seen = position
                page = queue_page_statement(context.today, where, first=size, after=None)
                items, _ = await context.select(page)
                if items != last:
                    last = list(items)
                    context.renew_loaders()  # a websocket's context lives across messages
                    yield WorkQueueChange(
                        at=dt.datetime.now(dt.UTC), items=[WorkItemType.of(i) for i in items]
                    )
            await asyncio.sleep(POLL_SECONDS)
