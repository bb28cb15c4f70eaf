"""Read and validate the seed directory (and imported files) into :class:`SeedData`.

Example:
    >>> data = read_seed(Path("seed"))      # raises SeedValidationError, naming every
    >>> len(data.states)                    # bad file, record and field
    56
"""

from __future__ import annotations

from pathlib import Path

from kb.domain.field_readers import KnownKeys, SeedError, SeedValidationError
from kb.domain.records import SeedData
from kb.seed.build import (
    build_alliances,
    build_categories,
    build_contracts,
    build_lessons,
    build_memberships,
    build_practices,
    build_states,
    check_unique_titles,
)
from kb.seed.build_terms import apply_contract_terms, build_vendors
from kb.seed.files import (
    RawRecord,
    display_name,
    read_csv,
    read_front_matter,
    read_yaml_list,
    read_yaml_mapping,
)

__all__ = ["KnownKeys", "SeedData", "SeedError", "SeedValidationError", "read_seed"]

SEED_FILES = ("states.csv", "alliances.yaml", "memberships.csv", "categories.csv", "contracts.yaml")
#: Files a seed may leave out (an export of a graph without vendors has none).
OPTIONAL_FILES = ("vendors.yaml", "contract_terms.yaml")


def _keys(raw: list[RawRecord], field: str) -> set[str]:
    return {str(d[field]).strip() for _, d in raw if isinstance(d, dict) and d.get(field)}


def read_seed(directory: Path) -> SeedData:
    """Read every seed file under ``directory`` and validate it as a whole.

    Raises:
        SeedValidationError: with every error found, when any record is invalid.
    """
    errors: list[SeedError] = []
    name = {f: display_name(directory / f, directory) for f in SEED_FILES + OPTIONAL_FILES}
    for file in SEED_FILES:
        if not (directory / file).exists():
            errors.append(SeedError(name[file], None, "(file)", None, "is missing"))
    if errors:
        raise SeedValidationError(errors)

    raw_states = read_csv(directory / "states.csv", name["states.csv"], errors)
    raw_alliances = read_yaml_list(directory / "alliances.yaml", name["alliances.yaml"], errors)
    raw_members = read_csv(directory / "memberships.csv", name["memberships.csv"], errors)
    raw_categories = read_csv(directory / "categories.csv", name["categories.csv"], errors)
    raw_contracts = read_yaml_list(directory / "contracts.yaml", name["contracts.yaml"], errors)
    practice_files = sorted((directory / "practices").glob("*.md"))
    raw_practices: list[tuple[str, RawRecord]] = []
    for path in practice_files:
        shown = display_name(path, directory)
        record = read_front_matter(path, shown, errors)
        if record is not None:
            raw_practices.append((shown, record))
    vendors_file, terms_file = directory / "vendors.yaml", directory / "contract_terms.yaml"
    raw_vendors = (
        read_yaml_list(vendors_file, name["vendors.yaml"], errors) if vendors_file.exists() else []
    )
    raw_terms = (
        read_yaml_mapping(terms_file, name["contract_terms.yaml"], errors)
        if terms_file.exists()
        else []
    )
    raw_lessons: list[tuple[str, RawRecord]] = []
    for path in sorted((directory / "lessons").glob("*.yaml")):
        shown = display_name(path, directory)
        raw_lessons.extend((shown, item) for item in read_yaml_list(path, shown, errors))

    known = KnownKeys(
        states=_keys(raw_states, "code"),
        alliances=_keys(raw_alliances, "slug"),
        categories=_keys(raw_categories, "code"),
        contracts=_keys(raw_contracts, "slug"),
        practices={path.stem for path in practice_files},
    )
    contracts = build_contracts(raw_contracts, name["contracts.yaml"], errors, known)
    data = SeedData(
        states=build_states(raw_states, name["states.csv"], errors),
        alliances=build_alliances(raw_alliances, name["alliances.yaml"], errors, known),
        memberships=build_memberships(raw_members, name["memberships.csv"], errors, known),
        categories=build_categories(raw_categories, name["categories.csv"], errors, known),
        contracts=apply_contract_terms(
            raw_terms, name["contract_terms.yaml"], errors, contracts, known
        ),
        practices=build_practices(raw_practices, errors, known),
        lessons=build_lessons(raw_lessons, errors, known),
        vendors=build_vendors(raw_vendors, name["vendors.yaml"], errors, known),
    )
    check_unique_titles(data, errors)
    if errors:
        raise SeedValidationError(errors)
    return data
