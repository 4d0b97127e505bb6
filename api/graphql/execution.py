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
it is taken as it is, and a strawberry enum's member is named from a table made once. What is
worked out for an object's selected fields (its plan) is kept with the parsed operation, so a
query sent again, as a client's queue page is, reuses it, unless the query has a directive or a
fragment that takes arguments anywhere in it (either can make the fields collected depend on the
request's variables).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, EnumMeta
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    FieldNode,
    FragmentSpreadNode,
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
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, FragmentDetails, GroupedFieldSet
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
# (Readers complete values with the execution's is_awaitable, which is strawberry's own for every
# request: the server's direct path and the schema's execute both pass it.)
_LEAVES: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Reader]] = WeakKeyDictionary()
_SHORTCUTS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Shortcut]] = WeakKeyDictionary()
# Per schema and operation (a parsed document is kept and run again for every request that
# sends its text), the plans made for it: an object's plan depends only on the document's
# field nodes once no directive can leave a field out for some variables' values, so a query
# sent again needs none of the field collection and reader building of its first run. Keyed by
# the operation's id (its own hash walks its whole tree, and equal operations of two documents
# are different nodes); an entry goes when its operation does. Each plan keeps the field nodes
# it was made for, so the node ids in its key stay theirs.
_OPERATION_PLANS: WeakKeyDictionary[GraphQLSchema, dict[int, OperationPlans]] = WeakKeyDictionary()


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


@dataclass
class OperationPlans:
    """What is known of one operation of a document: whether its plans may be shared (no
    directive, no fragment arguments anywhere in it), and if so the plans made for it, by the
    object type and the ids of its selected field nodes: the nodes, and the plan."""

    operation: weakref.ref[OperationDefinitionNode]
    shareable: bool
    plans: dict[tuple[Any, ...], tuple[list[FieldNode], list[Step] | None]] = field(
        default_factory=dict
    )


def _forget(by_operation: dict[int, OperationPlans], key: int, operation: weakref.ref[Any]) -> None:
    """Drop the plans of an operation that is gone (and not those of a newer one that took
    its id)."""
    plans = by_operation.get(key)
    if plans is not None and plans.operation is operation:
        del by_operation[key]


def _without_directives(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDetails],
    seen: set[str],
) -> bool:
    """Whether the fields collected under the selections depend on the document alone: no
    directive on any field, fragment or spread (`@include` and `@skip` take variables, `@defer`
    and `@stream` split the result) and no fragment that takes arguments."""
    if selections is None:
        return True
    for selection in selections.selections:
        if selection.directives:
            return False
        under: SelectionSetNode | None = None
        if isinstance(selection, FragmentSpreadNode):
            if getattr(selection, "arguments", None):  # each spread may pass its own
                return False
            name = selection.name.value
            if name in seen:
                continue
            seen.add(name)
            fragment = fragments.get(name)
            if fragment is None or fragment.variable_signatures or fragment.definition.directives:
                return False
            under = fragment.definition.selection_set
        elif isinstance(selection, FieldNode | InlineFragmentNode):
            under = selection.selection_set
        if not _without_directives(under, fragments, seen):
            return False
    return True


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
        self._shared = self._operation_plans()

    def _operation_plans(self) -> OperationPlans | None:
        """The plans this request may take from earlier runs of its operation, and give to
        later ones; None if its plans are its own (middleware, or fields that directives
        may leave out)."""
        if not self._direct:
            return None
        operation, key = self.operation, id(self.operation)
        by_operation = _OPERATION_PLANS.setdefault(self.schema, {})
        plans = by_operation.get(key)
        if plans is None or plans.operation() is not operation:
            plans = OperationPlans(
                weakref.ref(operation, lambda gone: _forget(by_operation, key, gone)),
                _without_directives(operation.selection_set, self.fragments, set()),
            )
            by_operation[key] = plans
        return plans if plans.shareable else None

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
        shared = self._shared
        if shared is None:
            plan = self._new_plan(parent_type, fields)
        else:
            nodes = [d.node for details in fields.values() for d in details]
            key = (parent_type.name, *map(id, nodes))  # a node fixes its response name
            made = shared.plans.get(key)
            if made is None:
                made = (nodes, self._new_plan(parent_type, fields))
                shared.plans[key] = made
            plan = made[1]
        self._plans[id(fields)] = (fields, plan)
        return plan

    def _new_plan(
        self, parent_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> list[Step] | None:
        plan: list[Step] | None = []
        for response_name, field_details in fields.items():
            reader = self._reader(parent_type, field_details)
            if reader is None:
                plan = None
                break
            shortcut = self._shortcuts.get((parent_type.name, field_details[0].node.name.value))
            plan.append((response_name, reader, shortcut))  # type: ignore[union-attr]
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
