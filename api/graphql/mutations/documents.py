"""Attaching a document: the upload streamed into the blob store, then recorded on the case."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Annotated, Protocol, Union

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from api.graphql.access import a_role
from api.graphql.commands.table import READ_ONLY
from api.graphql.context import Context
from api.graphql.errors import (
    ConflictError,
    ErrorCode,
    ForbiddenError,
    InvalidTransitionError,
    NotFoundError,
    Problem,
    SeparationOfDutiesError,
    ValidationError,
)
from api.graphql.mutations.result import CaseUpdated, forbidden, parse_case_id, run_step
from api.graphql.mutations.steps import check_visible
from domain.case import CaseFile

CHUNK = 1 << 20


class UploadedFile(Protocol):
    """What the HTTP layer hands over for an `Upload` (a Starlette UploadFile)."""

    file: IO[bytes]
    filename: str | None
    content_type: str | None
    size: int | None


@strawberry.type(description="The content is larger than the server accepts.")
class TooLargeError(Problem):
    """LIMIT."""

    limit: int = strawberry.field(description="The largest content accepted, in bytes.")


class DocumentTooLarge(Exception):
    """The upload grew past the limit while it was read."""


@strawberry.input(description="A document to put on a case file (multipart upload).")
class AttachDocumentInput:
    """The content as an Upload, what to call it, and the step's record."""

    case_id: strawberry.ID = strawberry.field(description="The case the document goes on.")
    expected_version: int = strawberry.field(
        description="The case's version as the caller read it; a newer one is a CONFLICT."
    )
    file: Upload = strawberry.field(description="The content (a multipart file part).")
    name: str | None = strawberry.field(
        description="The document's name; default: the uploaded file's name.", default=None
    )
    media_type: str | None = strawberry.field(
        description="Its media type; default: the uploaded part's content type.", default=None
    )
    reason: str = strawberry.field(description="Why (理由), as recorded.", default="")
    legal_basis: str = strawberry.field(description="The legal basis (法律依据) cited.", default="")


AttachDocumentResult = Annotated[
    Union[  # noqa: UP007  # strawberry needs a Union object to name
        CaseUpdated,
        NotFoundError,
        ConflictError,
        InvalidTransitionError,
        ForbiddenError,
        SeparationOfDutiesError,
        ValidationError,
        TooLargeError,
    ],
    strawberry.union(
        "AttachDocumentResult",
        description="The case with the document on its file, or why it was refused.",
    ),
]


def chunks(upload: UploadedFile, limit: int) -> Iterator[bytes]:
    """The upload's content in chunks, refusing it once it passes the limit."""
    upload.file.seek(0)
    seen = 0
    while chunk := upload.file.read(CHUNK):
        seen += len(chunk)
        if seen > limit:
            raise DocumentTooLarge
        yield chunk


def too_large(limit: int) -> TooLargeError:
    """The LIMIT result."""
    return TooLargeError(
        message=f"document too large: at most {limit} bytes", code=ErrorCode.LIMIT, limit=limit
    )


async def attach(context: Context, data: AttachDocumentInput) -> AttachDocumentResult:
    """Refuse read-only roles and unseen cases; store the content; record the document."""
    actor = context.actor
    if actor.role in READ_ONLY:
        return forbidden(f"{a_role(actor)} reads case files and adds no documents")
    upload: UploadedFile = data.file  # type: ignore[assignment]  # Starlette's UploadFile
    limit = context.container.settings.max_upload_bytes
    if upload.size is not None and upload.size > limit:
        return too_large(limit)
    app = context.container.application

    def call() -> CaseFile:
        case_id = parse_case_id(data.case_id)
        check_visible(actor, app.get_any_case(case_id))
        case, _ = app.attach_document(
            case_id,
            chunks(upload, limit),
            name=data.name if data.name is not None else upload.filename or "",
            media_type=data.media_type
            if data.media_type is not None
            else upload.content_type or "",
            step=app.step(actor, reason=data.reason, legal_basis=data.legal_basis),
            expected_version=data.expected_version,
        )
        return case

    try:
        return await run_step(context, call)
    except DocumentTooLarge:
        return too_large(limit)


@strawberry.type(description="Documents on case files.")
class DocumentMutation:
    """The upload mutation."""

    @strawberry.mutation(
        description="Put a document on a case file (案卷材料): send the content as a multipart "
        "upload (GraphQL multipart request spec); the same content twice is kept once."
    )
    async def attach_document(
        self,
        info: Info[Context, None],
        input: Annotated[
            AttachDocumentInput, strawberry.argument(description="The document and the step.")
        ],
    ) -> AttachDocumentResult:
        """Stored first, then recorded: no event names content the store lacks."""
        return await attach(info.context, input)
