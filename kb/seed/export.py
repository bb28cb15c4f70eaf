"""Write :class:`SeedData` in the seed's own formats, so that ``read_seed`` reads it back.

The layout is the one ``seed/README.md`` describes: ``states.csv``, ``alliances.yaml``,
``memberships.csv``, ``categories.csv``, ``contracts.yaml``, ``vendors.yaml``,
``contract_terms.yaml``, ``practices/<slug>.md``,
and the lessons in ``lessons/recorded-<year>.yaml``, one file per year of recording (the
graph does not remember which file a lesson came from).

Example:
    >>> paths = write_seed(read_graph(graph), Path("backup"))
    >>> read_seed(Path("backup")) == read_graph(graph)      # up to the order of links
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

import yaml

from kb.domain import records as r

STATE_COLUMNS = (
    "code",
    "name",
    "fips",
    "kind",
    "census_region",
    "naspo_region",
    "naspo_region_illustrative",
    "source",
    "illustrative",
)


class ExportError(ValueError):
    """The export directory cannot be written."""


class _Dumper(yaml.SafeDumper):
    """Lists of plain values inline (``[UT, WA]``), multi-line text as ``|`` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(not isinstance(item, dict | list) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump_yaml(value: Any) -> str:
    """YAML in the seed's style: keys in the given order, wrapped at 90 columns."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=90, indent=2)


def _prov(p: r.Provenance) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if p.source:
        fields["source"] = p.source
    if p.illustrative:
        fields["illustrative"] = True
    return fields


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out absent values, so the file reads like a hand-written one."""
    return {key: value for key, value in fields.items() if value not in (None, "", [], ())}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return value.isoformat() if isinstance(value, date) else str(value)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_cell(value) for value in row] for row in rows)


def _alliance(a: r.Alliance) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "slug": a.slug,
        "name": a.name,
        "acronym": a.acronym,
        "scope": a.scope,
        "founded": a.founded,
        "dissolved": a.dissolved,
        "arm_of": a.arm_of,
        "description": a.description,
    }
    return compact({**fields, **_prov(a.provenance)})


def _vendor(v: r.Vendor) -> dict[str, Any]:
    awards = [
        compact(
            {
                "contract": a.contract,
                "number": a.number,
                "starts_on": a.starts_on,
                "ends_on": a.ends_on,
                "source": a.source,
            }
        )
        for a in v.awards
    ]
    fields = {"slug": v.slug, "name": v.name, "website": v.website, **_prov(v.provenance)}
    return compact({**fields, "awards": awards})


def _terms(c: r.Contract) -> dict[str, Any]:
    """A contract's entry of ``contract_terms.yaml`` (``c.terms`` is set)."""
    assert c.terms is not None
    t = c.terms
    addenda = [
        compact(
            {"state": p.state, "signed": p.signed, "scope": p.scope, "source": p.addendum_source}
        )
        for p in c.participants
        if p.signed or p.scope or p.addendum_source
    ]
    fields: dict[str, Any] = {
        "solicitation": t.solicitation,
        "ends_on": t.ends_on,
        "renewal": t.renewal,
        "admin_fee": t.admin_fee,
        "portfolio_url": t.portfolio_url,
        "lead_state_url": t.lead_state_url,
        "open_to": list(t.open_to),
        **_prov(t.provenance),
        "addenda": addenda,
    }
    return compact(fields)


def _participant(p: r.Participation) -> str | dict[str, Any]:
    # A bare state code means illustrative, no date, no source: the seed's short form.
    if p.provenance.illustrative and not p.provenance.source and p.since is None:
        return p.state
    return compact({"state": p.state, "since": p.since, **_prov(p.provenance)})


def _contract(c: r.Contract) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "slug": c.slug,
        "title": c.title,
        "number": c.number,
        "alliance": c.alliance,
        "lead_state": c.lead_state,
        "status": c.status,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "categories": list(c.categories),
        "description": c.description,
        **_prov(c.provenance),
        "participants": [_participant(p) for p in c.participants],
    }
    return compact(fields)


def _practice(p: r.Practice) -> str:
    fields: dict[str, Any] = {
        "title": p.title,
        "summary": p.summary,
        "focus_area": p.focus_area,
        "states": list(p.states),
        "alliances": list(p.alliances),
        "categories": list(p.categories),
        "contracts": list(p.contracts),
        "tags": list(p.tags),
        "published": p.published_on,
        "related": list(p.related),
        "prerequisites": list(p.prerequisites),
        **_prov(p.provenance),
    }
    return f"---\n{dump_yaml(compact(fields))}---\n\n{p.body.strip()}\n"


def _lesson(x: r.Lesson) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": x.id,
        "title": x.title,
        "context": x.context,
        "lesson": x.lesson,
        "recommendation": x.recommendation,
        "recorded": x.recorded_on,
        "status": x.status,
        "state": x.state,
        # One key as a plain value (the seed's own form), several as a list.
        "alliance": x.alliances[0] if len(x.alliances) == 1 else list(x.alliances),
        "contract": x.contracts[0] if len(x.contracts) == 1 else list(x.contracts),
        "categories": list(x.categories),
        "practice": x.practice,
        "tags": list(x.tags),
        **_prov(x.provenance),
    }
    return compact(fields)


def _lesson_file(x: r.Lesson) -> str:
    """``recorded-<year>.yaml``, or ``undated.yaml`` for a lesson recorded without a date."""
    return f"recorded-{x.recorded_on.year}.yaml" if x.recorded_on else "undated.yaml"


def check_target(directory: Path) -> None:
    """Raise :class:`ExportError` unless ``directory`` is absent or an empty directory."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ExportError(
            f"{directory} is not an empty directory; export into a new or empty directory"
        )


def write_seed(
    data: r.SeedData, directory: Path, progress: Callable[[Path], None] | None = None
) -> list[Path]:
    """Write ``data`` under ``directory`` (absent or empty) and return the files written.

    Raises:
        ExportError: when ``directory`` is a file or already holds files.
    """
    check_target(directory)
    (directory / "practices").mkdir(parents=True, exist_ok=True)
    (directory / "lessons").mkdir(exist_ok=True)
    written: list[Path] = []

    def done(path: Path) -> None:
        written.append(path)
        if progress is not None:
            progress(path)

    write_csv(
        directory / "states.csv",
        STATE_COLUMNS,
        (
            (
                s.code,
                s.name,
                s.fips,
                s.kind,
                s.region,
                s.naspo_region,
                "true" if s.naspo_region_illustrative else "false",
                s.provenance.source,
                s.provenance.illustrative,
            )
            for s in data.states
        ),
    )
    done(directory / "states.csv")
    (directory / "alliances.yaml").write_text(
        dump_yaml([_alliance(a) for a in data.alliances]), encoding="utf-8"
    )
    done(directory / "alliances.yaml")
    write_csv(
        directory / "memberships.csv",
        ["alliance", "state", "since", "until", "source", "illustrative"],
        (
            [m.alliance, m.state, m.since, m.until, m.provenance.source, m.provenance.illustrative]
            for m in data.memberships
        ),
    )
    done(directory / "memberships.csv")
    write_csv(
        directory / "categories.csv",
        ["code", "name", "parent", "kind", "description", "source", "illustrative"],
        (
            (
                c.code,
                c.name,
                c.parent,
                c.kind,
                c.description,
                c.provenance.source,
                c.provenance.illustrative,
            )
            for c in data.categories
        ),
    )
    done(directory / "categories.csv")
    (directory / "contracts.yaml").write_text(
        dump_yaml([_contract(c) for c in data.contracts]), encoding="utf-8"
    )
    done(directory / "contracts.yaml")
    (directory / "vendors.yaml").write_text(
        dump_yaml([_vendor(v) for v in data.vendors]), encoding="utf-8"
    )
    done(directory / "vendors.yaml")
    terms = {c.slug: _terms(c) for c in data.contracts if c.terms is not None}
    (directory / "contract_terms.yaml").write_text(dump_yaml(terms), encoding="utf-8")
    done(directory / "contract_terms.yaml")
    for practice in data.practices:
        path = directory / "practices" / f"{practice.slug}.md"
        path.write_text(_practice(practice), encoding="utf-8")
        done(path)
    ordered = sorted(data.lessons, key=lambda x: (_lesson_file(x), x.id))
    for name, lessons in groupby(ordered, key=_lesson_file):
        path = directory / "lessons" / name
        path.write_text(dump_yaml([_lesson(x) for x in lessons]), encoding="utf-8")
        done(path)
    return written


def export_count(data: r.SeedData) -> int:
    """How many files :func:`write_seed` writes for ``data`` (for a progress bar)."""
    return 7 + len(data.practices) + len({_lesson_file(x) for x in data.lessons})
