"""Turn raw records into validated seed records, one builder per kind."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kb.domain import patterns
from kb.domain import records as r
from kb.domain.cycles import find_cycles
from kb.domain.field_readers import MAX_TITLE, KnownKeys, RecordReader, SeedError
from kb.domain.rules import read_fields
from kb.seed.files import RawRecord

SLUG, SLUG_EXPECTED = patterns.SLUG


def _key(raw: Any, field: str) -> str:
    if isinstance(raw, dict) and raw.get(field) not in (None, ""):
        return repr(str(raw[field]))
    return "(no key)"


def duplicate(
    errors: list[SeedError],
    seen: dict[str, str],
    key: str,
    where: str,
    reader: RecordReader,
    field: str,
) -> None:
    if key in seen:
        reader.error(field, f"{key!r} is a duplicate key; it is already used at {seen[key]}")
    else:
        seen[key] = where


def build_states(raw: list[RawRecord], name: str, errors: list[SeedError]) -> list[r.State]:
    states: list[r.State] = []
    codes: dict[str, str] = {}
    fips: dict[str, str] = {}
    for line, data in raw:
        rd = RecordReader(errors, name, line, _key(data, "code"), data)
        code = rd.pattern("code", *patterns.STATE_CODE)
        title = rd.text("name", max_len=MAX_TITLE)
        fips_code = rd.pattern("fips", r"\d{2}", "a two-digit FIPS code (e.g. '49')")
        kind = rd.choice("kind", r.STATE_KINDS)
        region = rd.choice("census_region", r.CENSUS_REGIONS, required=kind != "TERRITORY")
        naspo = rd.choice("naspo_region", r.NASPO_REGIONS)
        naspo_illustrative = rd.boolean("naspo_region_illustrative")
        provenance = rd.provenance()
        rd.finish()
        where = f"{name}:{line}"
        if code:
            duplicate(errors, codes, code, where, rd, "code")
        if fips_code:
            duplicate(errors, fips, fips_code, where, rd, "fips")
        if rd.ok and code and title and fips_code and kind and naspo:
            states.append(
                r.State(code, title, fips_code, kind, region, naspo, naspo_illustrative, provenance)
            )
    return states


def build_alliances(
    raw: list[RawRecord], name: str, errors: list[SeedError], known: KnownKeys
) -> list[r.Alliance]:
    alliances: list[r.Alliance] = []
    seen: dict[str, str] = {}
    for line, data in raw:
        rd = RecordReader(errors, name, line, _key(data, "slug"), data)
        slug = rd.pattern("slug", SLUG, SLUG_EXPECTED)
        v = read_fields(rd, "Alliance", known, slug)
        provenance = rd.provenance()
        rd.finish()
        if slug:
            duplicate(errors, seen, slug, f"{name}:{line}", rd, "slug")
        if rd.ok and slug and v["name"] and v["scope"]:
            alliances.append(
                r.Alliance(
                    slug,
                    v["name"],
                    v["acronym"] or "",
                    v["scope"],
                    v["description"] or "",
                    v["founded"],
                    v["dissolved"],
                    v["arm_of"],
                    provenance,
                )
            )
    return alliances


def build_memberships(
    raw: list[RawRecord], name: str, errors: list[SeedError], known: KnownKeys
) -> list[r.Membership]:
    memberships: list[r.Membership] = []
    seen: dict[str, str] = {}
    for line, data in raw:
        key = f"{_key(data, 'alliance')}/{_key(data, 'state')}"
        rd = RecordReader(errors, name, line, key, data)
        alliance = rd.ref("alliance", known.alliances, "alliance slug", required=True)
        state = rd.ref("state", known.states, "state code", required=True)
        since = rd.day("since")
        until = rd.day("until")
        provenance = rd.provenance()
        rd.finish()
        if since and until and until < since:
            rd.error("until", f"{until} is before since ({since})")
        if alliance and state:
            duplicate(errors, seen, f"{alliance}/{state}", f"{name}:{line}", rd, "state")
        if rd.ok and alliance and state:
            memberships.append(r.Membership(alliance, state, since, until, provenance))
    return memberships


def build_categories(
    raw: list[RawRecord], name: str, errors: list[SeedError], known: KnownKeys
) -> list[r.Category]:
    categories: list[r.Category] = []
    seen: dict[str, str] = {}
    parents: dict[str, str] = {}
    for line, data in raw:
        rd = RecordReader(errors, name, line, _key(data, "code"), data)
        code = rd.pattern("code", *patterns.CATEGORY_CODE)
        v = read_fields(rd, "Category", known, code)
        title, kind, parent = v["name"], v["kind"], v["parent"]
        description = v["description"] or ""
        provenance = rd.provenance()
        rd.finish()
        if code:
            duplicate(errors, seen, code, f"{name}:{line}", rd, "code")
            if parent:
                parents[code] = parent
        if rd.ok and code and title and kind:
            categories.append(r.Category(code, title, kind, parent, description, provenance))
    for cycle in find_cycles(parents.items()):
        errors.append(
            SeedError(
                name,
                None,
                repr(cycle[0]),
                "parent",
                f"the hierarchy has a cycle: {' -> '.join(cycle)}",
            )
        )
    return categories


def build_contracts(
    raw: list[RawRecord], name: str, errors: list[SeedError], known: KnownKeys
) -> list[r.Contract]:
    contracts: list[r.Contract] = []
    seen: dict[str, str] = {}
    for line, data in raw:
        rd = RecordReader(errors, name, line, _key(data, "slug"), data)
        slug = rd.pattern("slug", SLUG, SLUG_EXPECTED)
        v = read_fields(rd, "Contract", known, slug)
        title, number, status = v["title"], v["number"], v["status"]
        starts, ends, description = v["starts_on"], v["ends_on"], v["description"] or ""
        alliance, lead, categories = v["alliance"], v["lead_state"], v["categories"]
        participants = _participants(rd, known)
        provenance = rd.provenance()
        rd.finish()
        if slug:
            duplicate(errors, seen, slug, f"{name}:{line}", rd, "slug")
        if rd.ok and slug and title and status and alliance:
            contracts.append(
                r.Contract(
                    slug,
                    title,
                    number,
                    status,
                    starts,
                    ends,
                    description,
                    alliance,
                    lead,
                    categories,
                    participants,
                    provenance,
                )
            )
    return contracts


def _participants(rd: RecordReader, known: KnownKeys) -> tuple[r.Participation, ...]:
    raw = rd._raw("participants")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        rd.error("participants", f"{raw!r} is not a list of state codes or mappings")
        return ()
    result: list[r.Participation] = []
    states: set[str] = set()
    for position, item in enumerate(raw, start=1):
        if isinstance(item, str):
            item = {"state": item, "illustrative": True}
        sub = RecordReader(rd.errors, rd.file, rd.line, f"{rd.record} participant {position}", item)
        state = sub.ref("state", known.states, "state code", required=True)
        since = sub.day("since")
        provenance = sub.provenance()
        sub.finish()
        if state in states:
            sub.error("state", f"{state!r} is listed twice as a participant")
        if not sub.ok:
            rd.ok = False
        elif state:
            states.add(state)
            result.append(r.Participation(state, since, provenance))
    return tuple(result)


def build_practices(
    raw: list[tuple[str, RawRecord]], errors: list[SeedError], known: KnownKeys
) -> list[r.Practice]:
    """Practices from Markdown files; ``raw`` pairs each file's display name with it."""
    practices: list[r.Practice] = []
    prerequisites: list[tuple[str, str]] = []
    for name, (line, data) in raw:
        slug = data.pop("slug", None) or name.rsplit("/", 1)[-1].removesuffix(".md")
        rd = RecordReader(errors, name, line, repr(slug), data)
        if not re.fullmatch(SLUG, slug):
            rd.error(None, f"the file name {slug!r} is not {SLUG_EXPECTED}")
        v = read_fields(rd, "Practice", known, slug)
        title, summary, body = v["title"], v["summary"] or "", v["body"]
        focus, tags, published = v["focus_area"], v["tags"], v["published"]
        states, alliances, categories = v["states"], v["alliances"], v["categories"]
        contracts, related, prereqs = v["contracts"], v["related"], v["prerequisites"]
        provenance = rd.provenance()
        rd.finish()
        prerequisites.extend((slug, before) for before in prereqs)
        if rd.ok and title and body:
            practices.append(
                r.Practice(
                    slug,
                    title,
                    summary,
                    body,
                    focus,
                    tags,
                    published,
                    states,
                    alliances,
                    categories,
                    contracts,
                    related,
                    prereqs,
                    provenance,
                )
            )
    for cycle in find_cycles(prerequisites):
        errors.append(
            SeedError(
                "seed/practices",
                None,
                repr(cycle[0]),
                "prerequisites",
                f"prerequisites form a cycle: {' -> '.join(cycle)}",
            )
        )
    return practices


def build_lessons(
    raw: Iterable[tuple[str, RawRecord]], errors: list[SeedError], known: KnownKeys
) -> list[r.Lesson]:
    """Lessons; ``raw`` pairs each record with the display name of its file."""
    lessons: list[r.Lesson] = []
    seen: dict[str, str] = {}
    for name, (line, data) in raw:
        rd = RecordReader(errors, name, line, _key(data, "id"), data)
        lesson_id = rd.pattern("id", *patterns.LESSON_ID)
        v = read_fields(rd, "Lesson", known, lesson_id)
        title, context, lesson = v["title"], v["context"] or "", v["lesson"]
        recommendation, recorded, status = v["recommendation"] or "", v["recorded"], v["status"]
        state, alliances, contracts = v["state"], v["alliance"], v["contract"]
        categories, practice, tags = v["categories"], v["practice"], v["tags"]
        provenance = rd.provenance()
        rd.finish()
        if lesson_id:
            duplicate(errors, seen, lesson_id, f"{name}:{line}", rd, "id")
        if rd.ok and lesson_id and title and lesson and state:
            lessons.append(
                r.Lesson(
                    lesson_id,
                    title,
                    context,
                    lesson,
                    recommendation,
                    recorded,
                    status,
                    state,
                    alliances,
                    contracts,
                    categories,
                    practice,
                    tags,
                    provenance,
                )
            )
    return lessons


def check_unique_titles(data: r.SeedData, errors: list[SeedError]) -> None:
    """No two practices or lessons share a title (case-insensitive)."""
    seen: dict[str, str] = {}
    items = [(p.title, f"practice {p.slug!r}") for p in data.practices]
    items += [(lesson.title, f"lesson {lesson.id!r}") for lesson in data.lessons]
    for title, who in items:
        key = " ".join(title.lower().split())
        if key in seen:
            errors.append(
                SeedError("seed", None, who, "title", f"{title!r} is also the title of {seen[key]}")
            )
        else:
            seen[key] = who
