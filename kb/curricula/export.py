"""Export a curriculum as Markdown or as a printable HTML page (Jinja2 templates).

Both carry the curriculum's fields, target certifications, each module's objectives and
items (with the practice's summary or the lesson learned, and its source or an
"illustrative" badge), the order warnings and the coverage gaps with suggestions.

Example:
    >>> text = export_curriculum(graph, "new-buyer-onboarding", "md")
    >>> text.splitlines()[0]
    '# New buyer onboarding'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kb.curricula.coverage import Coverage, compute_coverage
from kb.curricula.ordering import order_input, prerequisite_warnings
from kb.graph.certifications import coverage_index, read_certifications
from kb.graph.curriculum_store import CurriculumRecord, read_curricula
from kb.graph.db import Graph

FORMATS = ("md", "html")
TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


class CurriculumNotFoundError(LookupError):
    """No curriculum has the key asked for."""


@dataclass(frozen=True)
class ExportItem:
    kind: str
    key: str
    title: str
    summary: str
    source: str | None
    illustrative: bool


def _items(record: CurriculumRecord, module_index: int) -> list[ExportItem]:
    items = []
    for item in record.modules[module_index].items:
        props = item.node.props
        summary = props.get("summary") if item.ref.label == "Practice" else props.get("lesson")
        items.append(
            ExportItem(
                item.ref.label,
                item.ref.key,
                str(props.get("title") or ""),
                str(summary or "").strip(),
                props.get("source"),
                bool(props.get("illustrative")),
            )
        )
    return items


def render_curriculum(
    record: CurriculumRecord,
    fmt: str,
    coverage: Coverage,
    titles: dict[str, str],
    certifications: list[Any] | None = None,
) -> str:
    """The curriculum as ``fmt`` ('md' or 'html'); ``titles`` names suggested practices."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not an export format; expected one of {', '.join(FORMATS)}")
    modules = [
        {
            "position": i + 1,
            "title": m.title,
            "objectives": m.objectives,
            "entries": _items(record, i),
        }
        for i, m in enumerate(record.modules)
    ]
    sections = [
        ("Certification domains", coverage.domains),
        ("Category groups", coverage.categories),
        ("Alliances", coverage.alliances),
    ]
    return _env.get_template(f"curriculum.{fmt}").render(
        c=record.plan,
        modules=modules,
        certifications=certifications or [],
        warnings=[w.message for w in prerequisite_warnings(order_input(record))],
        sections=sections,
        titles=titles,
    )


def export_curriculum(graph: Graph, key: str, fmt: str = "md") -> str:
    """Read curriculum ``key`` with what the export shows, and render it as ``fmt``."""
    found = read_curricula(graph, [key])
    if key not in found:
        raise CurriculumNotFoundError(f"there is no curriculum {key!r}")
    record = found[key]
    lessons = [r.key for _, r in record.plan.items() if r.label == "Lesson"]
    index = coverage_index(graph, lessons)
    coverage = compute_coverage(record, index)
    certifications = read_certifications(graph, list(record.plan.certifications))
    titles = {slug: links.title for slug, links in index.practices.items()}
    return render_curriculum(
        record, fmt, coverage, titles, [c.certification for c in certifications]
    )
