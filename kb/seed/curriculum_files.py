"""Read and validate the curriculum seed: certifications, what practices teach, curricula.

Three optional files in the seed directory (absent files mean nothing to load):

- ``certifications.yaml``: certifications and frameworks, frameworks with their domains;
- ``teaches.csv``: ``practice,domain,illustrative`` rows (a practice also teaches the
  domain whose ``focus_area`` is its own focus area, without a row);
- ``curricula.yaml``: curricula with ordered modules, objectives and ordered items.

Validation is all-or-nothing, like :func:`kb.seed.read_seed`: every error names the file,
the line, the record and the field, and nothing is returned unless all are valid.

Example:
    >>> data = read_seed(Path("seed"))
    >>> curricula = read_curricula(Path("seed"), data)   # SeedValidationError if invalid
    >>> [c.key for c in curricula.curricula][:1]
    ['new-buyer-onboarding']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.domain import patterns
from kb.domain.curricula import (
    CERTIFICATION_KINDS,
    LEVELS,
    Certification,
    CurriculaSeed,
    CurriculumPlan,
    Domain,
    ItemRef,
    ModulePlan,
    Teaching,
)
from kb.domain.field_readers import MAX_TITLE, RecordReader, SeedError, SeedValidationError
from kb.domain.records import FOCUS_AREAS, SeedData
from kb.seed.files import RawRecord, display_name, read_csv, read_yaml_list

CERTIFICATIONS = "certifications.yaml"
TEACHES = "teaches.csv"
CURRICULA = "curricula.yaml"
CODE = (r"[A-Z][A-Z0-9-]{1,19}", "an upper-case code (e.g. 'CPPB' or 'NIGP-GBP')")


def read_curricula(directory: Path, seed: SeedData) -> CurriculaSeed:
    """Read the curriculum files under ``directory``, checking references against ``seed``.

    Raises:
        SeedValidationError: with every error found, when any record is invalid.
    """
    errors: list[SeedError] = []
    result = CurriculaSeed()
    path = directory / CERTIFICATIONS
    if path.exists():
        name = display_name(path, directory)
        result.certifications = _certifications(read_yaml_list(path, name, errors), name, errors)
    domains = {d.key: d for c in result.certifications for d in c.domains}
    path = directory / TEACHES
    rows = read_csv(path, display_name(path, directory), errors) if path.exists() else []
    result.teachings = _teachings(rows, display_name(path, directory), errors, seed, domains)
    path = directory / CURRICULA
    if path.exists():
        name = display_name(path, directory)
        codes = {c.code for c in result.certifications}
        raw = read_yaml_list(path, name, errors)
        result.curricula = [
            plan
            for line, data in raw
            if (plan := _curriculum(errors, name, line, data, seed, codes)) is not None
        ]
        _unique_keys(raw, name, errors)
    if errors:
        raise SeedValidationError(errors)
    return result


def _certifications(
    raw: list[RawRecord], name: str, errors: list[SeedError]
) -> list[Certification]:
    frameworks = {
        str(d.get("code")) for _, d in raw if isinstance(d, dict) and d.get("kind") == "FRAMEWORK"
    }
    found: list[Certification] = []
    codes: dict[str, int | None] = {}
    domain_keys: dict[str, str] = {}
    for line, data in raw:
        record = repr(str(data.get("code"))) if isinstance(data, dict) else "(no key)"
        rd = RecordReader(errors, name, line, record, data)
        code = rd.pattern("code", *CODE)
        kind = rd.choice("kind", CERTIFICATION_KINDS)
        title = rd.text("name", max_len=MAX_TITLE)
        body = rd.text("body", max_len=80)
        description = rd.text("description")
        since = rd.integer("since", 1900, 2100)
        framework = rd.ref(
            "framework", frameworks, "framework code", required=kind == "CERTIFICATION"
        )
        domains = _domains(rd, code or "?", domain_keys) if kind == "FRAMEWORK" else ()
        if kind == "CERTIFICATION" and rd.data.get("domains"):
            rd.error("domains", "a CERTIFICATION shares its framework's domains; list them there")
        if kind == "FRAMEWORK" and framework:
            rd.error("framework", "a FRAMEWORK holds domains itself and names no framework")
        provenance = rd.provenance()
        rd.finish()
        if code in codes:
            rd.error(
                "code", f"{code!r} is a duplicate key; it is already used at {name}:{codes[code]}"
            )
        elif code:
            codes[code] = line
        if rd.ok and code and kind and title and body and description:
            found.append(
                Certification(
                    code,
                    kind,
                    title,
                    body,
                    description,
                    since,
                    framework,
                    domains,
                    provenance.source,
                    provenance.illustrative,
                )
            )
    return found


def _domains(rd: RecordReader, framework: str, seen: dict[str, str]) -> tuple[Domain, ...]:
    raw = rd._raw("domains")
    if not isinstance(raw, list) or not raw:
        rd.error("domains", "is missing or empty; a FRAMEWORK lists its domains")
        return ()
    domains: list[Domain] = []
    for position, item in enumerate(raw, start=1):
        line = item.get("__line__", rd.line) if isinstance(item, dict) else rd.line
        sub = RecordReader(rd.errors, rd.file, line, f"{rd.record} domain {position}", item)
        key = sub.pattern("key", *patterns.SLUG)
        title = sub.text("name", max_len=MAX_TITLE)
        focus = sub.choice("focus_area", FOCUS_AREAS, required=False)
        sub.finish()
        if key in seen:
            sub.error("key", f"{key!r} is already the key of {seen[key]}")
        elif key:
            seen[key] = f"{rd.record} domain {position}"
        if not sub.ok:
            rd.ok = False
        elif key and title:
            domains.append(Domain(key, title, framework, position, focus))
    return tuple(domains)


def _teachings(
    raw: list[RawRecord],
    name: str,
    errors: list[SeedError],
    seed: SeedData,
    domains: dict[str, Domain],
) -> list[Teaching]:
    practices = {p.slug for p in seed.practices}
    found: dict[tuple[str, str], Teaching] = {}
    for line, data in raw:
        rd = RecordReader(errors, name, line, f"on line {line}", data)
        practice = rd.ref("practice", practices, "practice slug", required=True)
        domain = rd.ref("domain", domains, "domain key", required=True)
        provenance = rd.provenance()
        rd.finish()
        if practice and domain and (practice, domain) in found:
            rd.error("domain", f"{practice!r} already teaches {domain!r} on an earlier line")
        elif rd.ok and practice and domain:
            found[(practice, domain)] = Teaching(
                practice, domain, "teaches.csv", provenance.illustrative
            )
    # A practice's focus area is an NIGP focus area: it teaches that domain, no row needed.
    by_focus = {d.focus_area: d.key for d in domains.values() if d.focus_area}
    for p in seed.practices:
        domain_key = by_focus.get(p.focus_area) if p.focus_area else None
        if domain_key and (p.slug, domain_key) not in found:
            found[(p.slug, domain_key)] = Teaching(
                p.slug, domain_key, "focus_area", p.provenance.illustrative
            )
    return sorted(found.values(), key=lambda t: (t.practice, t.domain))


def _curriculum(
    errors: list[SeedError],
    name: str,
    line: int | None,
    data: Any,
    seed: SeedData,
    codes: set[str],
) -> CurriculumPlan | None:
    record = repr(str(data.get("id"))) if isinstance(data, dict) else "(no key)"
    rd = RecordReader(errors, name, line, record, data)
    key = rd.pattern("id", *patterns.SLUG)
    title = rd.text("title", max_len=MAX_TITLE)
    audience = rd.text("audience", max_len=MAX_TITLE)
    level = rd.choice("level", LEVELS)
    # As in the API's createCurriculum: a curriculum being assembled may have no
    # description or modules yet, and it is a plan of ours, not a fact about an
    # organisation, so it needs no source (one may still be given).
    description = rd.text("description", required=False) or ""
    certifications = rd.refs("certifications", codes, "certification code")
    modules = _modules(rd, seed)
    source = rd.text("source", required=False, max_len=2000)
    illustrative = rd.boolean("illustrative")
    rd.finish()
    if not (rd.ok and key and title and audience and level):
        return None
    return CurriculumPlan(
        key,
        title,
        audience,
        level,
        description,
        certifications,
        modules,
        source,
        illustrative,
    )


def _modules(rd: RecordReader, seed: SeedData) -> tuple[ModulePlan, ...]:
    raw = rd._raw("modules")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        rd.error("modules", f"{raw!r} is not a list of modules")
        return ()
    known = {
        "practice": {p.slug for p in seed.practices},
        "lesson": {lesson.id for lesson in seed.lessons},
    }
    modules: list[ModulePlan] = []
    keys: dict[str, int] = {}
    placed: dict[ItemRef, str] = {}
    for number, item in enumerate(raw, start=1):
        line = item.get("__line__", rd.line) if isinstance(item, dict) else rd.line
        sub = RecordReader(rd.errors, rd.file, line, f"{rd.record} module {number}", item)
        key = sub.pattern("key", *patterns.SLUG)
        title = sub.text("title", max_len=MAX_TITLE)
        objectives = sub.text_list("objectives")
        items = _items(sub, known, placed, key or str(number))
        sub.finish()
        if key in keys:
            sub.error("key", f"{key!r} is already the key of module {keys[key]}")
        elif key:
            keys[key] = number
        if not sub.ok:
            rd.ok = False
        elif key and title:
            modules.append(ModulePlan(key, title, objectives, items))
    return tuple(modules)


def _items(
    rd: RecordReader, known: dict[str, set[str]], placed: dict[ItemRef, str], module: str
) -> tuple[ItemRef, ...]:
    raw = rd._raw("items")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        rd.error("items", f"{raw!r} is not a list of items")
        return ()
    items: list[ItemRef] = []
    for number, item in enumerate(raw, start=1):
        line = item.get("__line__", rd.line) if isinstance(item, dict) else rd.line
        sub = RecordReader(rd.errors, rd.file, line, f"{rd.record} item {number}", item)
        kinds = [kind for kind in ("practice", "lesson") if kind in sub.data]
        if len(kinds) != 1:
            sub.error(None, "an item names exactly one of 'practice' (a slug) or 'lesson' (an id)")
        kind = kinds[0] if kinds else "practice"
        what = "practice slug" if kind == "practice" else "lesson id"
        key = sub.ref(kind, known[kind], what, required=True)
        sub.finish()
        ref = ItemRef(kind.title(), key) if key else None
        if ref is not None and ref in placed:
            sub.error(
                kind,
                f"{ref} is already in this curriculum ({placed[ref]}); "
                "an item appears once per curriculum",
            )
        elif ref is not None:
            placed[ref] = f"module {module!r}, item {number}"
        if not sub.ok:
            rd.ok = False
        elif ref is not None:
            items.append(ref)
    return tuple(items)


def _unique_keys(raw: list[RawRecord], name: str, errors: list[SeedError]) -> None:
    seen: dict[str, int | None] = {}
    for line, data in raw:
        key = str(data.get("id")) if isinstance(data, dict) else None
        if key is None:
            continue
        if key in seen:
            errors.append(
                SeedError(
                    name,
                    line,
                    repr(key),
                    "id",
                    f"{key!r} is a duplicate key; it is already used at {name}:{seen[key]}",
                )
            )
        else:
            seen[key] = line
