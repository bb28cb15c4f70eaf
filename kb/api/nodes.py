"""The ``Node`` interface, and turning graph records into GraphQL objects.

Every type implementing ``Node`` is registered here by label; :func:`to_node` builds
the object for a :class:`~kb.graph.records.NodeRecord`, copying the properties whose
(camelCase) names match the type's fields.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import strawberry

from kb.api.ids import encode_id
from kb.graph.records import Item, NodeRecord


@strawberry.interface(description="Anything with a global ID; fetch any node with node(id:).")
class Node:
    id: strawberry.ID = strawberry.field(description="Global ID: base64 of 'Type:key'.")
    key: str = strawberry.field(description="The natural key: USPS code, slug, code or lesson id.")
    source: str | None = strawberry.field(description="A public source the facts rest on.")
    illustrative: bool = strawberry.field(description="True when not confirmed by a source.")
    created_at: datetime | None
    updated_at: datetime | None
    created_by: str | None
    updated_by: str | None


_TYPES: dict[str, type[Node]] = {}
_LABELS: dict[type[Node], str] = {}
_ENUMS: dict[type, dict[str, type[Enum]]] = {}

N = TypeVar("N", bound=Node)


def register(label: str, enums: dict[str, type[Enum]] | None = None) -> Any:
    """Class decorator: the GraphQL type of ``label``; ``enums`` maps field to enum."""

    def decorate(cls: type[N]) -> type[N]:
        _TYPES[label] = cls
        _LABELS[cls] = label
        _ENUMS[cls] = enums or {}
        return cls

    return decorate


def registered_types() -> dict[str, type[Node]]:
    """The GraphQL type of each label registered so far."""
    return dict(_TYPES)


def label_of(cls: type[Node]) -> str:
    """The label ``cls`` was registered for."""
    return _LABELS[cls]


def camel_case(name: str) -> str:
    """A Python name as GraphQL spells it: ``led_contracts`` -> ``ledContracts``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


#: Per type: (field name, property name, enum or None) of each plain field. Worked out
#: once per type: a nested read builds hundreds of objects per request.
_PLANS: dict[type, list[tuple[str, str, type[Enum] | None]]] = {}


def _plan(cls: type) -> list[tuple[str, str, type[Enum] | None]]:
    plan = _PLANS.get(cls)
    if plan is None:
        enums = _ENUMS[cls]
        plan = [
            (field.python_name, camel_case(field.python_name), enums.get(field.python_name))
            for field in cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
            if field.base_resolver is None and field.python_name not in ("id", "key")
        ]
        _PLANS[cls] = plan
    return plan


def to_node(record: NodeRecord) -> Node:
    """The GraphQL object of ``record`` (of the type registered for its label)."""
    cls = _TYPES[record.label]
    props = record.props
    values: dict[str, Any] = {
        "id": strawberry.ID(encode_id(record.label, record.key)),
        "key": record.key,
    }
    for name, prop, enum in _plan(cls):
        raw = props.get(prop)
        if enum is not None and isinstance(raw, list):
            raw = [enum(value) for value in raw]
        elif enum is not None and raw is not None:
            raw = enum(raw)
        elif name == "illustrative":
            raw = bool(raw)
        elif name == "tags":
            raw = list(raw or [])
        values[name] = raw
    return cls(**values)


def node_as(cls: type[N], record: NodeRecord) -> N:
    """The GraphQL object of ``record``, which must be of type ``cls``."""
    node = to_node(record)
    if not isinstance(node, cls):
        raise TypeError(
            f"{record.label} {record.key!r} is a {type(node).__name__}, not {cls.__name__}"
        )
    return node


def item_node(item: Item) -> Node:
    return to_node(item.node)
