"""Field execution without per-field bookkeeping for plain attributes of scalar type.

A page of the work queue is some 600 fields, nearly all of them attributes read off an object
(strawberry's "basic" fields: no resolver, no extension, no permission). For each, graphql-core
builds a path entry and a resolve-info record and walks the completion steps; a plain
attribute of scalar or enum type needs none of it. Such fields are read directly here — an
object whose selected fields are all plain in one loop. Anything else (a resolver, an
argument, a list or object type, middleware) and anything unusual while reading (a null where
the schema forbids one, a value the scalar refuses, an exception) takes graphql-core's own path
for that object or field, which then gives exactly the result and error it always gave.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# A plain field's value, coerced for the response; Undefined: take graphql-core's path.
Reader = Callable[[Any], Any]

# Types a value of which is certainly neither awaitable nor an exception.
_SETTLED = frozenset({str, int, float, bool})


def plain_reader(field: GraphQLField, is_awaitable: Callable[[Any], bool]) -> Reader | None:
    """How to read a plain field's value directly, or None when it needs the general path.

    Plain: strawberry's own basic resolver (no resolver, extension or permission of ours), no
    arguments, a scalar or enum type. The value is read as that resolver reads it.
    """
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.base_resolver is not None:
        return None
    kind = field.type
    required = isinstance(kind, GraphQLNonNull)
    leaf = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    get, name, coerce = (
        definition.default_resolver,
        definition.python_name,
        leaf.coerce_output_value,
    )

    def read(source: Any) -> Any:
        try:
            value = get(source, name)
            if value is None:
                return Undefined if required else None
            if value.__class__ not in _SETTLED and (
                isinstance(value, Exception) or is_awaitable(value)
            ):
                return Undefined
            coerced = coerce(value)
        except Exception:  # the general path reports it, located
            return Undefined
        return Undefined if coerced is None else coerced

    return read


class CaseworkExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution, reading plain scalar attributes directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._direct = manager is None or not manager.middlewares
        self._readers: dict[tuple[str, str], Reader | None] = {}
        # Keyed by the identity of graphql-core's memoized field sets, kept alive with them.
        self._plans: dict[int, tuple[GroupedFieldSet, list[tuple[str, Reader]] | None]] = {}

    def _reader(self, parent_type: GraphQLObjectType, field_details: FieldDetailsList) -> Any:
        node = field_details[0].node
        if not self._direct or node.arguments:
            return None
        key = (parent_type.name, node.name.value)
        try:
            return self._readers[key]
        except KeyError:
            field = self.schema.get_field(parent_type, key[1])
            reader = None if field is None else plain_reader(field, self.is_awaitable)
            self._readers[key] = reader
            return reader

    def _plan(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> list[tuple[str, Reader]] | None:
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        plan: list[tuple[str, Reader]] | None = []
        for response_name, field_details in fields.items():
            reader = self._reader(parent_type, field_details)
            if reader is None:
                plan = None
                break
            plan.append((response_name, reader))  # type: ignore[union-attr]
        self._plans[id(fields)] = (fields, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """An object whose selected fields are all plain in one loop; else graphql-core's."""
        plan = self._plan(parent_type, grouped_field_set)
        if plan is not None:
            results: dict[str, Any] = {}
            for response_name, read in plan:
                value = read(source_value)
                if value is Undefined:
                    break
                results[response_name] = value
            else:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A plain field's value directly; graphql-core's own execution for anything else."""
        read = self._reader(parent_type, field_details_list)
        if read is not None:
            value = read(source)
            if value is not Undefined:
                return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
