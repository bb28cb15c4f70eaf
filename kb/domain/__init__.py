"""The bottom layer: the records and vocabularies every other layer speaks.

Plain dataclasses and tuples only; this package imports nothing else of ``kb``, so the
seed reader, the graph layer, the API and the curricula rules can all depend on it
without depending on one another (see ``docs/architecture.md``).

- :mod:`kb.domain.records`: states, alliances, contracts, categories, practices,
  lessons, memberships and the vocabularies they use (what the seed reads and the
  graph writes).
- :mod:`kb.domain.curricula`: curricula, certifications and domains.
- :mod:`kb.domain.relationships`: the relationship table (a line per relationship
  field) the graph reads, the filters and the API's fields are built from.
- :mod:`kb.domain.field_readers`: the field readers and limits every raw record is
  read by (seed files, import files, mutation inputs).
- :mod:`kb.domain.vocabularies`, :mod:`kb.domain.patterns`, :mod:`kb.domain.cycles`:
  the closed vocabularies, the key patterns and the cycle rule.
"""
