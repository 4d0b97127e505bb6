"""A document on a case file, as every read shows it."""

from __future__ import annotations

import strawberry

from domain.documents import Document


@strawberry.type(name="Document", description="A document on the case file (案卷材料).")
class DocumentType:
    """Known by the sha256 of its content, which the blob store holds."""

    name: str = strawberry.field(description="The document's name, as attached.")
    media_type: str = strawberry.field(description="Its media type, e.g. application/pdf.")
    size: int = strawberry.field(description="Its size in bytes.")
    sha256: str = strawberry.field(description="The sha256 of its content (lower-case hex).")

    @classmethod
    def of(cls, document: Document) -> DocumentType:
        """From the domain value."""
        return cls(
            name=document.name,
            media_type=document.media_type,
            size=document.size,
            sha256=document.sha256,
        )
