"""`python -m api.graphql.export`: write schema.graphql and the role matrix in docs/api.md."""

from __future__ import annotations

from api.graphql.matrix import replace_in
from api.graphql.schema import SCHEMA_FILE, export

DOCS = SCHEMA_FILE.parent / "docs" / "api.md"

if __name__ == "__main__":
    print(f"wrote {export()}")
    if DOCS.exists():
        DOCS.write_text(replace_in(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated the role matrix in {DOCS}")
