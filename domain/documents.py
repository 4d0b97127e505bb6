"""Documents on a case file: fingerprinted content held in a blob store, described by events."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from domain.errors import ValidationError

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredBlob:
    """Content a blob store holds: its sha256 (lower-case hex) and its size in bytes."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Document:
    """A document on the case file (案卷材料), known by the fingerprint of its content."""

    sha256: str
    name: str
    media_type: str
    size: int

    def __post_init__(self) -> None:
        if not _SHA256.fullmatch(self.sha256):
            raise ValidationError("a document fingerprint is 64 hex digits", field="sha256")
        if not self.name.strip():
            raise ValidationError("a document needs a name", field="name")
        if not self.media_type.strip() or "/" not in self.media_type:
            raise ValidationError(
                "a document needs a media type, e.g. application/pdf", field="type"
            )
        if self.size < 0:
            raise ValidationError("a document's size cannot be negative", field="size")


class BlobNotFound(LookupError):
    """No content with that fingerprint in the store."""


class BlobStore(Protocol):
    """Content-addressed storage: a directory today, an object store as a drop-in."""

    def put(self, chunks: Iterable[bytes]) -> StoredBlob:
        """Store the content durably and return its fingerprint; storing it twice is harmless."""
        ...

    def open(self, sha256: str) -> Iterator[bytes]:
        """The content, in chunks; raises BlobNotFound."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether the store holds content with that fingerprint."""
        ...
