"""The GraphQL API."""

# The domain's enums must be registered as GraphQL enums before any type mentions them.
from api.graphql import enums as _enums  # noqa: F401
