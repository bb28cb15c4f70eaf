"""What an import is checked for against the graph it goes into: keys already there
(unless ``--update``), titles another record holds, prerequisite cycles through practices
already in the graph. Each problem names the file and line of the imported record."""

from __future__ import annotations

from itertools import pairwise

from kb.domain.cycles import find_cycles
from kb.domain.field_readers import SeedError
from kb.domain.records import SeedData
from kb.graph.keys import GraphKeys, normalise_title

#: File and line of each imported record, by practice slug or lesson id.
Where = dict[str, tuple[str, int | None]]


def check_against_graph(
    data: SeedData, existing: GraphKeys, where: Where, update: bool, errors: list[SeedError]
) -> None:
    """Append to ``errors`` every clash of ``data`` with the graph's ``existing`` keys."""
    _check_existing(data, existing, where, update, errors)
    _check_titles(data, existing, where, errors)
    _check_cycles(data, existing, where, errors)


def _check_existing(
    data: SeedData,
    existing: GraphKeys,
    where: dict[str, tuple[str, int | None]],
    update: bool,
    errors: list[SeedError],
) -> None:
    if update:
        return
    clashes = [("practice slug", p.slug) for p in data.practices if p.slug in existing.practices]
    clashes += [("lesson id", x.id) for x in data.lessons if x.id in existing.lessons]
    for what, key in clashes:
        file, line = where[key]
        errors.append(
            SeedError(
                file,
                line,
                repr(key),
                "id" if what == "lesson id" else "slug",
                f"{what} {key!r} is already in the graph; give a new one, or import "
                "with --update to replace the record in the graph",
            )
        )


def _check_titles(
    data: SeedData,
    existing: GraphKeys,
    where: dict[str, tuple[str, int | None]],
    errors: list[SeedError],
) -> None:
    """No two records share a title: within the import, nor with another in the graph."""
    seen: dict[str, str] = {}
    items = [(p.title, "Practice", p.slug) for p in data.practices]
    items += [(x.title, "Lesson", x.id) for x in data.lessons]
    for title, label, key in items:
        norm = normalise_title(title)
        file, line = where[key]
        owner = existing.titles.get(norm)
        if norm in seen:
            message = f"{title!r} is also the title of {seen[norm]} in this import"
        elif owner is not None and owner != (label, key):
            message = (
                f"{title!r} is already the title of {owner[0].lower()} {owner[1]!r} in the graph"
            )
        else:
            seen[norm] = f"{label.lower()} {key!r}"
            continue
        errors.append(SeedError(file, line, repr(key), "title", message))


def _check_cycles(
    data: SeedData,
    existing: GraphKeys,
    where: dict[str, tuple[str, int | None]],
    errors: list[SeedError],
) -> None:
    """Prerequisites that close a cycle through practices already in the graph (cycles
    within the import are reported by ``build_practices``)."""
    imported = {p.slug for p in data.practices}
    ours = {(before, p.slug) for p in data.practices for before in p.prerequisites}
    theirs = {(b, a) for b, a in existing.prerequisites if a not in imported}
    for cycle in find_cycles(sorted(ours | theirs)):
        steps = set(pairwise(cycle))
        if steps <= ours or not steps & ours:
            continue
        slug = next(a for b, a in pairwise(cycle) if (b, a) in ours)
        file, line = where[slug]
        errors.append(
            SeedError(
                file,
                line,
                repr(slug),
                "prerequisites",
                f"closes a cycle with practices in the graph: {' -> '.join(cycle)}",
            )
        )
