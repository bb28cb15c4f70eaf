"""The GraphiQL page names only files that the package ships (no CDN), with the
licences and versions of what was vendored (scripts/vendor-graphiql.sh)."""

from __future__ import annotations

import re
from pathlib import Path

from kb.api.http import graphiql_page
from kb.web import pages

STATIC = Path(pages.__file__).parent / "static"


def test_graphiql_page_loads_only_files_the_package_ships() -> None:
    html = graphiql_page()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(addresses) == 5, addresses  # the style sheet, React, ReactDOM, GraphiQL, ours
    for address in addresses:
        assert address.startswith("/static/"), address
        assert (STATIC / address.removeprefix("/static/")).is_file(), address
    assert "//" not in "".join(addresses)


def test_vendored_builds_carry_their_licences_and_pinned_versions() -> None:
    vendored = STATIC / "vendor" / "graphiql"
    lines = [
        line.split()
        for line in (vendored / "VERSIONS.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    versions = {package.rpartition("@")[0]: package.rpartition("@")[2] for package, _ in lines}
    assert set(versions) == {"graphiql", "react", "react-dom"}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in versions.values()), versions
    for name in versions:
        licence = (vendored / f"LICENSE.{name}").read_text()
        assert "MIT License" in licence or "Permission is hereby granted" in licence
    for build, name in (("react", "react"), ("react-dom", "react-dom")):
        text = (vendored / f"{build}.production.min.js").read_text()
        assert f'"{versions[name]}"' in text, f"{build} is not version {versions[name]}"
