"""The peer's type definitions (Neo4j GraphQL Library 7), generated from the project's
relationship table (kb/domain/relationships.py) and the graph's own property types.

One ``@node`` type per label of the table; each property the graph holds for the
label becomes a nullable field of the matching GraphQL scalar; each stored
relationship becomes a ``@relationship`` field (``UNDIRECTED`` for the symmetric
ones). A relationship whose edges carry a period (``MEMBER_OF``: since/until) is
listed, as this API lists it, only while current: a ``@cypher`` field with the same
filter as kb/graph/reads.py. Derived relationships (``eligibleContracts``) have no
field: the peer expresses them as a nested filter in its query. ``@fulltext`` names
the full-text indexes of :data:`FULLTEXT` (created by compare.py).

Cypher appears here on purpose: it is the peer's schema, not the application's.
"""

from __future__ import annotations

from collections.abc import Mapping

from kb.domain.relationships import LABELS, RELATIONSHIPS, Direction, Edge

#: Neo4j property type (db.schema.nodeTypeProperties) -> GraphQL type in the peer.
SCALARS = {
    "String": "String",
    "Long": "Int",
    "Double": "Float",
    "Boolean": "Boolean",
    "Date": "Date",
    "DateTime": "DateTime",
    "StringArray": "[String!]",
}

#: Full-text indexes of the peer's search: label -> (index name, query name, fields).
FULLTEXT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Practice": ("peer_practice_text", "practicesText", ("title", "summary", "body")),
    "Lesson": ("peer_lesson_text", "lessonsText", ("title", "context", "lesson", "recommendation")),
    "Contract": ("peer_contract_text", "contractsText", ("title", "description")),
}

_CURRENT = (
    "MATCH (this)-[r:{type}]->(n:{target}) WHERE (r.since IS NULL OR r.since <= date())"
    " AND (r.until IS NULL OR r.until > date()) RETURN n ORDER BY n.id LIMIT $first"
)
_CURRENT_IN = _CURRENT.replace("(this)-[r:{type}]->", "(this)<-[r:{type}]-")


def fulltext_statements() -> list[str]:
    """``CREATE FULLTEXT INDEX`` for each index the peer's ``@fulltext`` names."""
    return [
        f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{label}) "
        f"ON EACH [{', '.join(f'n.{f}' for f in fields)}]"
        for label, (name, _, fields) in FULLTEXT.items()
    ]


def peer_type_defs(properties: Mapping[str, Mapping[str, str]]) -> str:
    """The SDL of the peer for ``properties`` (label -> property -> Neo4j type).

    Example:
        >>> sdl = peer_type_defs({"State": {"code": "String"}, "Alliance": {}})
        >>> 'type State @node {' in sdl and 'code: String' in sdl
        True
    """
    blocks = []
    for label in LABELS:
        lines = []
        for name, kind in sorted(properties.get(label, {}).items()):
            if kind not in SCALARS:
                raise ValueError(f"{label}.{name}: Neo4j type {kind!r} has no peer scalar")
            lines.append(f"  {name}: {SCALARS[kind]}")
        for rel in RELATIONSHIPS:
            if rel.parent != label or rel.type is None:
                continue
            shape = f"[{rel.target}!]!" if rel.many else rel.target
            if rel.edge is Edge.PERIOD:
                template = _CURRENT if rel.direction is Direction.OUT else _CURRENT_IN
                statement = template.format(type=rel.type, target=rel.target)
                lines.append(
                    f"  {rel.field}(first: Int = 100): {shape} "
                    f'@cypher(statement: "{statement}", columnName: "n")'
                )
                continue
            if rel.direction is Direction.EITHER:
                how = "direction: OUT, queryDirection: UNDIRECTED"
            else:
                how = f"direction: {rel.direction.name}"
            lines.append(f'  {rel.field}: {shape} @relationship(type: "{rel.type}", {how})')
        directive = ""
        if label in FULLTEXT:
            name, query, fields = FULLTEXT[label]
            quoted = ", ".join(f'"{f}"' for f in fields)
            directive = (
                f' @fulltext(indexes: [{{indexName: "{name}", queryName: "{query}", '
                f"fields: [{quoted}]}}])"
            )
        blocks.append(f"type {label} @node{directive} {{\n" + "\n".join(lines) + "\n}\n")
    return "\n".join(blocks)
