"""Field execution without per-field bookkeeping for plain attributes.

A page of the work queue is some 600 fields, nearly all of them attributes read off an object
(strawberry's "basic" fields: no resolver, no extension, no permission). For each, graphql-core
builds a path entry and a resolve-info record and walks the completion steps; a plain
attribute needs none of it. Such fields are read directly here: an attribute of scalar or enum
type, and also one holding an object (or a list of them) whose selected fields are plain in
turn, so a connection's edges and nodes are completed in one pass. Anything else (a resolver,
an argument, an abstract type, an object type with its own type check, middleware, deferred
parts) and anything unusual while reading (a null where the schema forbids one, a value the
scalar refuses, something other than a list where a list belongs, an exception) takes
graphql-core's own path for that whole field, which then gives exactly the result and error it
always gave. A direct read has no effects, so giving it up halfway loses nothing. Where the
scalar would give a value back unchanged (a str for a String or an ID, a bool for a Boolean),
it is taken as it is, and a strawberry enum's member is named from a table made once.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, EnumMeta
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

# A plain field's value, completed for the response; Undefined: take graphql-core's path.
Reader = Callable[[Any], Any]
# How to complete a value of one output type (for one selection); Undefined as above.
Completer = Callable[[Any], Any]
# A plain field's getter: how strawberry's basic resolver reads it, and the attribute's name.
Getter = tuple[Callable[[Any, str], Any], str]
# A plain leaf read with getattr: the attribute, the one class whose values its scalar gives
# out unchanged, and how to complete a value of any other class.
Shortcut = tuple[str, type, Completer]
# One selected field of an object: its response name, its reader, and its shortcut if any.
Step = tuple[str, Reader, Shortcut | None]

# Types a value of which is certainly neither awaitable nor an exception.
_SETTLED = frozenset({str, int, float, bool})
_LISTS = frozenset({list, tuple})
_LEAF_TYPES = (GraphQLScalarType, GraphQLEnumType)
# Built-in scalars that give out a value of this exact class as it is (their serializers
# return a str for String and ID, a bool for Boolean, unchanged).
_AS_IS: dict[GraphQLScalarType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}

# Per schema, what each (type, field) is: its getter when plain, else None; the readers of
# plain scalar fields, which do not depend on the query; and the shortcuts of those read with
# getattr. The schema's types do not change, so these are worked out once for all requests.
_GETTERS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Getter | None]] = (
    WeakKeyDictionary()
)
_LEAVES: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Reader]] = WeakKeyDictionary()
_SHORTCUTS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Shortcut]] = WeakKeyDictionary()


def plain_getter(field: GraphQLField) -> Getter | None:
    """How strawberry's own basic resolver reads a field (no resolver, extension or permission
    of ours, no arguments), or None when the field needs the general path."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.base_resolver is not None:
        return None
    return definition.default_resolver, definition.python_name


class CaseworkExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution, reading plain attributes directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._direct = manager is None or not manager.middlewares
        self._getters = _GETTERS.setdefault(self.schema, {})
        self._leaves = _LEAVES.setdefault(self.schema, {})
        self._shortcuts = _SHORTCUTS.setdefault(self.schema, {})
        # Keyed by the identity of graphql-core's memoized field lists and sets, which are
        # kept alive with them so that an identity is not reused within the request.
        self._readers: dict[int, tuple[FieldDetailsList, Reader | None]] = {}
        self._plans: dict[int, tuple[GroupedFieldSet, list[Step] | None]] = {}

    def _getter(self, parent_type: GraphQLObjectType, name: str) -> Getter | None:
        key = (parent_type.name, name)
        try:
            return self._getters[key]
        except KeyError:
            field = self.schema.get_field(parent_type, name)
            getter = None if field is None else plain_getter(field)
            self._getters[key] = getter
            return getter

    def _reader(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> Reader | None:
        cached = self._readers.get(id(details))
        if cached is not None and cached[0] is details:
            return cached[1]
        reader = self._new_reader(parent_type, details)
        self._readers[id(details)] = (details, reader)
        return reader

    def _new_reader(
        self, parent_type: GraphQLObjectType, details: FieldDetailsList
    ) -> Reader | None:
        node = details[0].node
        if not self._direct or node.arguments:
            return None
        key = (parent_type.name, node.name.value)
        leaf = self._leaves.get(key)
        if leaf is not None:
            return leaf
        getter = self._getter(parent_type, key[1])
        field = self.schema.get_field(parent_type, key[1])
        if getter is None or field is None:
            return None
        complete = self._completer(field.type, details)
        if complete is None:
            return None
        get, name = getter
        kind = field.type
        is_leaf = isinstance(
            kind.of_type if isinstance(kind, GraphQLNonNull) else kind, _LEAF_TYPES
        )

        def read(source: Any) -> Any:
            try:
                value = get(source, name)
            except Exception:  # the general path reports it, located
                return Undefined
            return complete(value)

        if is_leaf:  # the same for every query
            self._leaves[key] = read
            as_is = _AS_IS.get(kind.of_type if isinstance(kind, GraphQLNonNull) else kind)  # type: ignore[arg-type]
            if as_is is not None and get is getattr:
                self._shortcuts[key] = (name, as_is, complete)
        return read

    def _completer(self, kind: GraphQLOutputType, details: FieldDetailsList) -> Completer | None:
        """How to complete a value of this type directly, or None if it never can be."""
        required = isinstance(kind, GraphQLNonNull)
        inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            return self._leaf(inner, required)
        if isinstance(inner, GraphQLList):
            if any(d.node.directives for d in details):  # @stream and the like
                return None
            item = self._completer(inner.of_type, details)
            return None if item is None else self._list(item, required)
        if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
            grouped, deferred, _ = self.collect_subfields(inner, details)
            plan = None if deferred else self._plan(inner, grouped)
            return None if plan is None else self._object(plan, required)
        return None

    def _leaf(self, kind: GraphQLScalarType | GraphQLEnumType, required: bool) -> Completer:
        coerce, is_awaitable = kind.coerce_output_value, self.is_awaitable
        members, names = _enum_names(kind)

        def leaf(value: Any) -> Any:
            if value is None:
                return Undefined if required else None
            if value.__class__ is members:
                name = names.get(value)  # not there: a combination of flags, say
                if name is not None:
                    return name
            if value.__class__ not in _SETTLED and (
                isinstance(value, Exception) or is_awaitable(value)
            ):
                return Undefined
            try:
                coerced = coerce(value)
            except Exception:  # the general path reports it, located
                return Undefined
            return Undefined if coerced is None else coerced

        return leaf

    @staticmethod
    def _list(item: Completer, required: bool) -> Completer:
        def many(value: Any) -> Any:
            if value is None:
                return Undefined if required else None
            if value.__class__ not in _LISTS:  # iterables of other kinds: the general path
                return Undefined
            completed = []
            for each in value:
                done = item(each)
                if done is Undefined:
                    return Undefined
                completed.append(done)
            return completed

        return many

    def _object(self, plan: list[Step], required: bool) -> Completer:
        is_awaitable = self.is_awaitable

        def one(value: Any) -> Any:
            if value is None:
                return Undefined if required else None
            if isinstance(value, Exception) or is_awaitable(value):
                return Undefined
            return _fields(plan, value)

        return one

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Step] | None:
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        plan: list[Step] | None = []
        for response_name, field_details in fields.items():
            reader = self._reader(parent_type, field_details)
            if reader is None:
                plan = None
                break
            shortcut = self._shortcuts.get((parent_type.name, field_details[0].node.name.value))
            plan.append((response_name, reader, shortcut))  # type: ignore[union-attr]
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
            results = _fields(plan, source_value)
            if results is not Undefined:
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


def _enum_names(kind: GraphQLScalarType | GraphQLEnumType) -> tuple[type | None, dict[Any, str]]:
    """A strawberry enum's Python class and each member's name in the schema, as its
    coerce_output_value gives them (the first name whose value is the member's); else None."""
    members = getattr(kind, "wrapped_cls", None)
    if not isinstance(kind, GraphQLEnumType) or not isinstance(members, EnumMeta):
        return None, {}
    names: dict[Any, str] = {}
    member: Enum
    for member in members:
        found = [n for n, v in kind.values.items() if member.value == v.value]
        if found:
            names[member] = found[0]
    if len(names) != len(members):
        return None, {}
    return members, names


def _fields(plan: list[Step], value: Any) -> Any:
    """An object's selected fields completed directly, or Undefined if one of them cannot be.

    A field with a shortcut whose value is of the class its scalar gives out as it is (a str
    for a String, say) is taken as it is; any other value is completed through its scalar.
    """
    results: dict[str, Any] = {}
    for response_name, read, shortcut in plan:
        if shortcut is not None:
            try:
                done = getattr(value, shortcut[0])
            except Exception:  # the general path reports it, located
                return Undefined
            if done.__class__ is not shortcut[1]:
                done = shortcut[2](done)
        else:
            done = read(value)
        if done is Undefined:
            return Undefined
        results[response_name] = done
    return results
