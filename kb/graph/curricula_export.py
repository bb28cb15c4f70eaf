"""Read the curriculum part of the graph back as :class:`CurriculaSeed`, the inverse of
:mod:`kb.graph.curricula_load`: certifications with their domains, the TEACHES links a
practice's focus area does not imply, and every curriculum (seeded or made through the
API) with its modules and items in order.
"""

from __future__ import annotations

from typing import LiteralString

from kb.domain.curricula import CurriculaSeed, Teaching
from kb.graph.certifications import read_certifications
from kb.graph.curriculum_store import read_curricula
from kb.graph.db import Graph

_TEACHES: LiteralString = (
    "MATCH (p:Practice)-[t:TEACHES]->(d:Domain) RETURN p.id AS practice, d.id AS domain, "
    "coalesce(t.via, 'teaches.csv') AS via, coalesce(t.illustrative, false) AS illustrative "
    "ORDER BY practice, domain"
)
_KEYS: LiteralString = "MATCH (c:Curriculum) RETURN c.id AS id ORDER BY id"


def read_curricula_seed(graph: Graph) -> CurriculaSeed:
    """Every certification, TEACHES link and curriculum in the graph, as seed records."""
    certifications = [record.certification for record in read_certifications(graph)]
    # Frameworks first, as in the seed file: a certification names the framework before it.
    certifications.sort(key=lambda c: (c.kind != "FRAMEWORK", c.code))
    teachings = [
        Teaching(row["practice"], row["domain"], row["via"], row["illustrative"])
        for row in graph.read(_TEACHES)
    ]
    keys = [row["id"] for row in graph.read(_KEYS)]
    found = read_curricula(graph, keys)
    return CurriculaSeed(
        certifications=certifications,
        teachings=teachings,
        curricula=[found[key].plan for key in keys if key in found],
    )
