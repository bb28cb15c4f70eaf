"""The seed as rows: each record's properties, outgoing links and digest.

:func:`seed_rows` turns validated seed records into the rows the writes of
:mod:`kb.graph.load_writes` take (one per record, per label), with ``hash``, a digest of
the properties and links as the seed states them; it becomes the node's ``seedHash``, so
that an unchanged record is skipped. :func:`membership_rows` does the same for
memberships. Nothing here touches the graph.

Example:
    >>> rows = seed_rows(data)
    >>> rows["State"][0]["id"], sorted(rows["State"][0])
    ('AL', ['hash', 'id', 'links', 'props'])
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from kb.domain.records import Contract, Participation, Provenance, SeedData


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _prov(p: Provenance) -> dict[str, Any]:
    return {"source": p.source, "illustrative": p.illustrative}


def _terms(c: Contract) -> dict[str, Any]:
    """A contract's terms as properties (all null when it has none); ``endsOnFromTerms``
    says the end date came from the terms, so that an export puts it back there."""
    t = c.terms
    if t is None:
        return dict.fromkeys(TERM_PROPERTIES)
    return {
        "solicitation": t.solicitation,
        "termsEndsOn": t.ends_on,
        "endsOnFromTerms": True if c.ends_on is None and t.ends_on is not None else None,
        "renewal": t.renewal,
        "adminFee": t.admin_fee,
        "portfolioUrl": t.portfolio_url,
        "leadStateUrl": t.lead_state_url,
        "openTo": list(t.open_to) or None,
        "termsSource": t.provenance.source,
        "termsIllustrative": True if t.provenance.illustrative else None,
    }


#: The Contract properties that hold its terms (``contract_terms.yaml``).
TERM_PROPERTIES = (
    "solicitation",
    "termsEndsOn",
    "endsOnFromTerms",
    "renewal",
    "adminFee",
    "portfolioUrl",
    "leadStateUrl",
    "openTo",
    "termsSource",
    "termsIllustrative",
)


def _participation(p: Participation) -> dict[str, Any]:
    return {
        "since": p.since,
        **_prov(p.provenance),
        "signed": p.signed,
        "scope": p.scope,
        "addendumSource": p.addendum_source,
    }


def _row(key: str, props: Mapping[str, Any], links: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": key, "props": dict(props), "links": dict(links), "hash": _digest([props, links])}


def seed_rows(data: SeedData) -> dict[str, list[dict[str, Any]]]:
    """The seed as rows per label: properties, links and a digest for each record."""
    return {
        "State": [
            _row(
                s.code,
                {
                    "code": s.code,
                    "name": s.name,
                    "fips": s.fips,
                    "kind": s.kind,
                    "region": s.region,
                    "naspoRegion": s.naspo_region,
                    "naspoRegionIllustrative": s.naspo_region_illustrative,
                    **_prov(s.provenance),
                },
                {},
            )
            for s in data.states
        ],
        "Alliance": [
            _row(
                a.slug,
                {
                    "slug": a.slug,
                    "name": a.name,
                    "acronym": a.acronym or None,
                    "scope": a.scope,
                    "description": a.description or None,
                    "founded": a.founded,
                    "dissolved": a.dissolved,
                    **_prov(a.provenance),
                },
                {"arm_of": a.arm_of},
            )
            for a in data.alliances
        ],
        "Category": [
            _row(
                c.code,
                {
                    "code": c.code,
                    "name": c.name,
                    "kind": c.kind,
                    "description": c.description,
                    **_prov(c.provenance),
                },
                {"parent": c.parent},
            )
            for c in data.categories
        ],
        "Contract": [
            _row(
                c.slug,
                {
                    "slug": c.slug,
                    "title": c.title,
                    "number": c.number,
                    "status": c.status,
                    "startsOn": c.starts_on,
                    "endsOn": c.effective_ends_on,
                    "description": c.description or None,
                    **_prov(c.provenance),
                    **_terms(c),
                },
                {
                    "alliance": c.alliance,
                    "lead_state": c.lead_state,
                    "categories": sorted(c.categories),
                    "participants": [
                        {"state": p.state, "props": _participation(p)}
                        for p in sorted(c.participants, key=lambda p: p.state)
                    ],
                },
            )
            for c in data.contracts
        ],
        "Practice": [
            _row(
                p.slug,
                {
                    "slug": p.slug,
                    "title": p.title,
                    "summary": p.summary or None,
                    "body": p.body,
                    "focusArea": p.focus_area,
                    "tags": list(p.tags),
                    "publishedOn": p.published_on,
                    **_prov(p.provenance),
                },
                {
                    "states": sorted(p.states),
                    "alliances": sorted(p.alliances),
                    "categories": sorted(p.categories),
                    "contracts": sorted(p.contracts),
                    "related": sorted(p.related),
                    "prerequisites": sorted(p.prerequisites),
                },
            )
            for p in data.practices
        ],
        "Vendor": [
            _row(
                v.slug,
                {"slug": v.slug, "name": v.name, "website": v.website, **_prov(v.provenance)},
                {
                    "awards": [
                        {
                            "contract": a.contract,
                            "props": {
                                "number": a.number,
                                "startsOn": a.starts_on,
                                "endsOn": a.ends_on,
                                "source": a.source,
                            },
                        }
                        for a in sorted(v.awards, key=lambda a: a.contract)
                    ]
                },
            )
            for v in data.vendors
        ],
        "Lesson": [
            _row(
                x.id,
                {
                    "title": x.title,
                    # Absent optional text is no property, as the API writes it.
                    "context": x.context or None,
                    "lesson": x.lesson,
                    "recommendation": x.recommendation or None,
                    "recordedOn": x.recorded_on,
                    "status": x.status,
                    "tags": list(x.tags),
                    **_prov(x.provenance),
                },
                {
                    "state": x.state,
                    "alliances": sorted(x.alliances),
                    "contracts": sorted(x.contracts),
                    "categories": sorted(x.categories),
                    "practice": x.practice,
                },
            )
            for x in data.lessons
        ],
    }


def membership_rows(data: SeedData) -> list[dict[str, Any]]:
    rows = []
    for m in data.memberships:
        props = {"since": m.since, "until": m.until, **_prov(m.provenance)}
        rows.append(
            {"state": m.state, "alliance": m.alliance, "props": props, "hash": _digest(props)}
        )
    return rows
