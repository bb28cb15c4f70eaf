"""What fields cost: the price list the cost limit (:mod:`kb.api.limits`) charges from.

The unit is one object produced (a node, an edge, a list entry with fields of its own),
about 0.15 ms of work on the reference machine (see ``bench/faults/README.md``). Most
fields cost only the objects they produce, because their reads are batched for the
whole request (one Cypher statement per relationship field). Some cost more:

- :data:`CALL_COSTS`: fields that do real work on every call, whatever they return: a
  Whoosh query (``search``, ``relatedItems`` per parent, which also sends a Cypher
  statement per parent), a shortest-path search, a whole-graph count. Each is priced
  per call, plus per item asked for (``first:``) where the work grows with it.
- :data:`LIST_SIZES`: lists without ``first:`` (``certifications``, ``domains``,
  curriculum ``modules`` ...) count as this many items each, as ``first:`` would.
  A list field of a page (a type with ``pageInfo``: connections, search results) is
  the page itself, sized by the ``first:`` of the field that returned the page.

Example:
    >>> call_cost("Lesson", "relatedItems", 50)
    300
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallCost:
    """The price of one call of a field: ``base`` plus ``per_item`` per item asked for."""

    base: int
    per_item: int = 0
    why: str = ""


_RELATED = CallCost(100, 4, "a Whoosh more-like-this and a Cypher statement per parent")

#: Fields priced per call (``(type, field)``), measured in ``bench/faults/``.
CALL_COSTS: dict[tuple[str, str], CallCost] = {
    ("Practice", "relatedItems"): _RELATED,
    ("Lesson", "relatedItems"): _RELATED,
    ("Query", "search"): CallCost(300, 2, "a Whoosh query with facets and spelling"),
    ("Query", "path"): CallCost(100, 0, "a shortest-path search in Neo4j"),
    ("Term", "practices"): CallCost(100, 2, "a Whoosh query per term"),
    ("Term", "lessons"): CallCost(100, 2, "a Whoosh query per term"),
    ("Query", "stats"): CallCost(30, 0, "counts over the whole graph"),
    ("Query", "certifications"): CallCost(50, 0, "reads every certification and domain"),
    ("Curriculum", "coverage"): CallCost(50, 0, "coverage computed over the graph"),
}

#: Lists without ``first:``: how many items each is counted as (``(type, field)``).
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Query", "certifications"): 10,
    ("State", "couldJoin"): 30,
    ("JoinOption", "steps"): 4,
    ("Contract", "vendors"): 50,
    ("Vendor", "contracts"): 20,  # the seed's vendors hold at most a handful of agreements
    ("Certification", "domains"): 20,
    ("Domain", "practices"): 20,
    ("Curriculum", "modules"): 10,
    ("Curriculum", "warnings"): 20,
    ("Curriculum", "suggestedOrder"): 50,
    ("Curriculum", "certifications"): 10,
    ("CurriculumModule", "items"): 20,
    ("Coverage", "domains"): 20,
    ("Coverage", "categories"): 20,
    ("Coverage", "alliances"): 20,
    ("CoverageEntry", "suggestions"): 10,
    ("SearchHit", "highlights"): 5,
    ("SearchFacets", "kind"): 5,
    ("SearchFacets", "state"): 60,
    ("SearchFacets", "alliance"): 20,
    ("SearchFacets", "category"): 40,
    ("SearchFacets", "year"): 30,
    ("Path", "nodes"): 7,
    ("Path", "hops"): 6,
    ("Stats", "nodes"): 10,
    ("Stats", "relationships"): 20,
    ("Change", "diff"): 10,  # one per field an update changed (kb/graph/history.py)
    ("DeletePayload", "detached"): 5,  # one per kind of link others hold (kb/graph/deletes.py)
    ("Query", "webhooks"): 50,  # at most MAX_WEBHOOKS (kb/graph/webhooks.py)
}

#: A list without ``first:`` that is not in :data:`LIST_SIZES` (a field added later).
DEFAULT_LIST_SIZE = 20


def call_cost(parent: str, field: str, page: int | None) -> int:
    """The price of one call of ``parent.field`` asking for ``page`` items (0 when the
    field costs only what it produces)."""
    price = CALL_COSTS.get((parent, field))
    if price is None:
        return 0
    return price.base + price.per_item * (page or 0)


def list_size(parent: str, field: str) -> int:
    """How many items the list ``parent.field`` (which has no ``first:``) counts as."""
    return LIST_SIZES.get((parent, field), DEFAULT_LIST_SIZE)
