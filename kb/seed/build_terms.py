"""Vendors (``vendors.yaml``) and contract terms (``contract_terms.yaml``): read, checked
against the contracts and states of the same seed, and merged into the records.

A vendor's ``awards`` become ``AWARDED_UNDER`` edges; a contract's terms fill its
:class:`~kb.domain.records.ContractTerms`, and the ``addenda`` of the terms add the date,
scope and source of the participating addenda that ``contracts.yaml`` lists.

Example:
    >>> vendors = build_vendors(raw, "seed/vendors.yaml", errors, known)
    >>> contracts = apply_contract_terms(entries, "seed/contract_terms.yaml", errors, contracts)
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kb.domain import patterns
from kb.domain import records as r
from kb.domain.field_readers import MAX_TITLE, KnownKeys, RecordReader, SeedError
from kb.seed.files import RawRecord

SLUG, SLUG_EXPECTED = patterns.SLUG


def _sub_records(rd: RecordReader, name: str, what: str) -> list[tuple[int, Any]]:
    """The items of the list field ``name`` (mappings), numbered from 1."""
    raw = rd._raw(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        rd.error(name, f"{raw!r} is not a list of {what}")
        return []
    return list(enumerate(raw, start=1))


def _dates_in_order(rd: RecordReader, starts: Any, ends: Any, start_field: str) -> None:
    if starts and ends and ends < starts:
        rd.error("ends_on", f"{ends} is before {start_field} ({starts})")


def build_vendors(
    raw: list[RawRecord], name: str, errors: list[SeedError], known: KnownKeys
) -> list[r.Vendor]:
    """Vendors and their awards; every award names a known contract, once per vendor,
    and no master-agreement number is used twice under one contract."""
    vendors: list[r.Vendor] = []
    slugs: dict[str, str] = {}
    numbers: dict[tuple[str, str], str] = {}
    for line, data in raw:
        key = repr(str(data["slug"])) if isinstance(data, dict) and data.get("slug") else "(no key)"
        rd = RecordReader(errors, name, line, key, data)
        slug = rd.pattern("slug", SLUG, SLUG_EXPECTED)
        title = rd.text("name", max_len=MAX_TITLE)
        website = rd.url("website")
        provenance = rd.provenance(web=True)
        awards: list[r.Award] = []
        for position, item in _sub_records(rd, "awards", "awards (contract, number, dates)"):
            sub = RecordReader(errors, name, line, f"{key} award {position}", item)
            contract = sub.ref("contract", known.contracts, "contract slug", required=True)
            number = sub.text("number", required=False, max_len=80)
            starts = sub.day("starts_on")
            ends = sub.day("ends_on")
            source = sub.url("source")
            sub.finish()
            _dates_in_order(sub, starts, ends, "starts_on")
            if contract and any(a.contract == contract for a in awards):
                sub.error("contract", f"{contract!r} is awarded to this vendor twice")
            if contract and number:
                where = f"vendor {key} award {position}"
                if (contract, number) in numbers:
                    sub.error(
                        "number",
                        f"{number!r} is already the master agreement of "
                        f"{numbers[(contract, number)]} under {contract!r}",
                    )
                else:
                    numbers[(contract, number)] = where
            if not sub.ok:
                rd.ok = False
            elif contract:
                awards.append(r.Award(contract, number, starts, ends, source))
        rd.finish()
        if slug:
            if slug in slugs:
                rd.error(
                    "slug", f"{slug!r} is a duplicate key; it is already used at {slugs[slug]}"
                )
            else:
                slugs[slug] = f"{name}:{line}"
        if rd.ok and slug and title:
            vendors.append(r.Vendor(slug, title, website, tuple(awards), provenance))
    return vendors


def apply_contract_terms(
    entries: list[tuple[int | None, str, Any]],
    name: str,
    errors: list[SeedError],
    contracts: list[r.Contract],
    known: KnownKeys,
) -> list[r.Contract]:
    """``contracts`` with the terms of ``entries`` (contract slug -> terms) merged in.

    An entry names a contract of the same seed; an addendum names one of that
    contract's participants, once; a term ending before the contract starts is refused.
    """
    by_slug = {c.slug: c for c in contracts}
    merged = dict(by_slug)
    for line, slug, data in entries:
        rd = RecordReader(errors, name, line, repr(slug), data)
        contract = by_slug.get(slug)
        if contract is None:
            rd.error(None, f"{slug!r} is not a known contract slug (see contracts.yaml)")
        terms = r.ContractTerms(
            solicitation=rd.text("solicitation", required=False, max_len=80),
            ends_on=rd.day("ends_on"),
            renewal=rd.text("renewal", required=False, max_len=MAX_TITLE),
            admin_fee=rd.text("admin_fee", required=False, max_len=MAX_TITLE),
            portfolio_url=rd.url("portfolio_url"),
            lead_state_url=rd.url("lead_state_url"),
            open_to=rd.choices("open_to", r.ENTITY_TYPES),
            provenance=rd.provenance(web=True),
        )
        addenda = _addenda(rd, contract, known)
        rd.finish()
        if contract is not None:
            _dates_in_order(rd, contract.starts_on, terms.ends_on, "the contract's starts_on")
            if contract.ends_on and terms.ends_on and contract.ends_on != terms.ends_on:
                rd.error(
                    "ends_on",
                    f"{terms.ends_on} differs from ends_on {contract.ends_on} in contracts.yaml; "
                    "give the end date in one place",
                )
        if rd.ok and contract is not None:
            participants = tuple(
                dataclasses.replace(p, **addenda[p.state]) if p.state in addenda else p
                for p in contract.participants
            )
            merged[slug] = dataclasses.replace(contract, terms=terms, participants=participants)
    return [merged[c.slug] for c in contracts]


def _addenda(
    rd: RecordReader, contract: r.Contract | None, known: KnownKeys
) -> dict[str, dict[str, Any]]:
    participants = {p.state for p in contract.participants} if contract else set()
    found: dict[str, dict[str, Any]] = {}
    for position, item in _sub_records(rd, "addenda", "addenda (state, signed, scope, source)"):
        sub = RecordReader(rd.errors, rd.file, rd.line, f"{rd.record} addendum {position}", item)
        state = sub.ref("state", known.states, "state code", required=True)
        signed = sub.day("signed")
        scope = sub.choice("scope", r.ADDENDUM_SCOPES, required=False)
        source = sub.url("source")
        sub.finish()
        if state and contract is not None and state not in participants:
            sub.error(
                "state",
                f"{state!r} is not a participant of {contract.slug!r}; list it under "
                "participants in contracts.yaml first",
            )
        if state in found:
            sub.error("state", f"{state!r} has two addenda")
        if not sub.ok:
            rd.ok = False
        elif state:
            found[state] = {"signed": signed, "scope": scope, "addendum_source": source}
    return found
