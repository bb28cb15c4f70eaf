"""Curricula for training staff: ordered modules of practices and lessons.

The pieces, top to bottom:

- :mod:`kb.domain.curricula`: plain dataclasses shared by the seed, the graph and the API;
- :mod:`kb.curricula.edits`: the edits the API offers, as pure functions on a plan;
- :mod:`kb.curricula.ordering`: prerequisite warnings and a suggested (topological) order;
- :mod:`kb.curricula.coverage`: domains, category groups and alliances covered or missed;
- :mod:`kb.curricula.export`: Markdown and printable HTML, rendered with Jinja2.

The Cypher lives in :mod:`kb.graph.curriculum_store`; see ``docs/curricula.md``.
"""
