"""The bottom layer: the records and vocabularies every other layer speaks.

Plain dataclasses and tuples only; this package imports nothing else of ``kb``, so the
seed reader, the graph layer, the API and the curricula rules can all depend on it
without depending on one another (see ``docs/architecture.md``).

- :mod:`kb.domain.records`: states, alliances, contracts, categories, practices,
  lessons, memberships and the vocabularies they use (what the seed reads and the
  graph writes).
- :mod:`kb.domain.curricula`: curricula, certifications and domains.
"""
