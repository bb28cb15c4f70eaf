"""The layers of DESIGN.md hold: every import inside ``kb`` points downward.

Pure Python (reads the source with :mod:`ast`); needs no Neo4j.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kb.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "kb"

#: Each part of ``kb`` and its layer, bottom (0) to top. A module may import from its own
#: part and from parts of a lower layer; parts on one layer do not import each other.
LAYERS: dict[str, int] = {
    "domain": 0,
    "config": 0,
    "neo4j_prereqs": 0,
    "neo4j_conf": 0,
    "neo4j_process": 0,
    "neo4j_home": 1,
    "neo4j_local": 2,
    "graph": 3,
    "search": 4,
    "seed": 5,
    "curricula": 5,
    "bootstrap": 6,
    "api": 7,
    "web": 8,
    "app": 9,
    "cli": 10,
}


def _part(module: str) -> str:
    """``kb.graph.db`` -> ``graph``; ``kb.app`` -> ``app``."""
    return module.split(".")[1]


def _module_of(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _kb_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each import of a ``kb`` module in ``path``, lazy ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n == "kb" or n.startswith("kb.")]
    return found


def upward_imports(root: Path = PACKAGE) -> list[str]:
    """Every import of ``root`` that reaches a part on the same or a higher layer."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = _module_of(path)
        if module == "kb":
            continue
        source = _part(module)
        for line, imported in _kb_imports(path):
            if imported == "kb":
                continue
            target = _part(imported)
            if target == source:
                continue
            if target not in LAYERS or source not in LAYERS:
                problems.append(f"{path}:{line}: {module} -> {imported} (part not in LAYERS)")
            elif LAYERS[target] >= LAYERS[source]:
                problems.append(
                    f"{path}:{line}: {module} (layer {LAYERS[source]}) imports {imported} "
                    f"(layer {LAYERS[target]})"
                )
    return problems


def test_every_part_of_kb_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    parts = {p for p in parts if not p.startswith(("_", ".")) and p not in {"py", "neo4j_runtime"}}
    assert parts - set(LAYERS) == set()


def test_every_import_in_kb_points_downward() -> None:
    assert upward_imports() == []


def test_the_domain_layer_imports_nothing_else_of_kb() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        assert [m for _, m in _kb_imports(path) if not m.startswith("kb.domain")] == []


def test_an_upward_import_is_reported_with_file_and_line(tmp_path: Path) -> None:
    # The checker itself can fail: a graph module importing the API is named.
    fake = tmp_path / "kb"
    (fake / "graph").mkdir(parents=True)
    (fake / "graph" / "bad.py").write_text("import os\n\nfrom kb.api.schema import Schema\n")
    original = PROJECT_ROOT
    try:
        globals()["PROJECT_ROOT"] = tmp_path
        problems = upward_imports(fake)
    finally:
        globals()["PROJECT_ROOT"] = original
    assert len(problems) == 1
    assert problems[0].endswith("bad.py:3: kb.graph.bad (layer 3) imports kb.api.schema (layer 7)")


@pytest.mark.parametrize("part", ["graph", "search"])
def test_lower_layers_do_not_import_the_seed_reader_or_the_api(part: str) -> None:
    for path in (PACKAGE / part).rglob("*.py"):
        for _, module in _kb_imports(path):
            assert not module.startswith(("kb.seed", "kb.api", "kb.web")), (path, module)


#: What the pages may not import: they get their data through the GraphQL schema (run
#: in process) or a named service of ``kb.api``, never from the layers under the API.
BELOW_THE_API = ("kb.graph", "kb.search", "kb.seed", "kb.curricula", "kb.bootstrap")


def web_imports_below_the_api(root: Path = PACKAGE / "web") -> list[str]:
    """Every import in ``root`` of a part under the API, as ``file:line: module``."""
    return [
        f"{path}:{line}: {module}"
        for path in sorted(root.rglob("*.py"))
        for line, module in _kb_imports(path)
        if module.startswith(BELOW_THE_API)
    ]


def test_the_pages_import_nothing_under_the_api() -> None:
    assert web_imports_below_the_api() == []


def test_a_page_importing_the_graph_is_reported(tmp_path: Path) -> None:
    # The check itself can fail: a lazy import inside a function is found too.
    (tmp_path / "bad.py").write_text(
        "from kb.api.schema import Schema\n\n\ndef f() -> None:\n"
        "    from kb.graph.tokens import find_token\n"
    )
    problems = web_imports_below_the_api(tmp_path)
    assert problems == [f"{tmp_path / 'bad.py'}:5: kb.graph.tokens"]
