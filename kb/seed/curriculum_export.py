"""Write :class:`CurriculaSeed` as the seed's curriculum files, so that
:func:`kb.seed.curriculum_files.read_curricula` reads it back: ``certifications.yaml``,
``teaches.csv`` and ``curricula.yaml``.

A practice teaches the domain of its own focus area without a row in ``teaches.csv``;
only the other TEACHES links are written as rows.

Example:
    >>> paths = write_curricula(read_curricula_seed(graph), data, Path("backup"))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.domain.curricula import Certification, CurriculaSeed, CurriculumPlan
from kb.domain.records import SeedData
from kb.seed.curriculum_files import CERTIFICATIONS, CURRICULA, TEACHES
from kb.seed.export import compact, dump_yaml, write_csv


def _certification(c: Certification) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "code": c.code,
        "kind": c.kind,
        "name": c.name,
        "body": c.body,
        "since": c.since,
        "framework": c.framework,
        "description": c.description,
        "source": c.source,
        "illustrative": c.illustrative or None,
        # A certification shares its framework's domains: only a framework lists them.
        "domains": [
            compact({"key": d.key, "name": d.name, "focus_area": d.focus_area}) for d in c.domains
        ]
        if c.kind == "FRAMEWORK"
        else [],
    }
    return compact(fields)


def _curriculum(plan: CurriculumPlan) -> dict[str, Any]:
    modules = [
        compact(
            {
                "key": m.key,
                "title": m.title,
                "objectives": list(m.objectives),
                "items": [{item.label.lower(): item.key} for item in m.items],
            }
        )
        for m in plan.modules
    ]
    fields: dict[str, Any] = {
        "id": plan.key,
        "title": plan.title,
        "audience": plan.audience,
        "level": plan.level,
        "description": plan.description,
        "certifications": sorted(plan.certifications),
        "source": plan.source,
        "illustrative": plan.illustrative or None,
        "modules": modules,
    }
    return compact(fields)


def implied_by_focus(seed: CurriculaSeed, data: SeedData) -> set[tuple[str, str]]:
    """(practice, domain) pairs the reader adds by itself: a practice teaches the domain
    of its focus area."""
    by_focus = {d.focus_area: d.key for c in seed.certifications for d in c.domains if d.focus_area}
    return {
        (p.slug, by_focus[p.focus_area])
        for p in data.practices
        if p.focus_area and p.focus_area in by_focus
    }


def write_curricula(seed: CurriculaSeed, data: SeedData, directory: Path) -> list[Path]:
    """Write the three curriculum files under ``directory``; returns them."""
    implied = implied_by_focus(seed, data)
    rows = [
        (t.practice, t.domain, t.illustrative)
        for t in seed.teachings
        if not (t.via == "focus_area" and (t.practice, t.domain) in implied)
    ]
    written = []
    path = directory / CERTIFICATIONS
    path.write_text(dump_yaml([_certification(c) for c in seed.certifications]), encoding="utf-8")
    written.append(path)
    write_csv(directory / TEACHES, ("practice", "domain", "illustrative"), sorted(rows))
    written.append(directory / TEACHES)
    path = directory / CURRICULA
    path.write_text(dump_yaml([_curriculum(plan) for plan in seed.curricula]), encoding="utf-8")
    written.append(path)
    return written
