"""Export: Markdown and printable HTML, through the library and `kb curriculum export`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.curricula.export import CurriculumNotFoundError, export_curriculum
from kb.graph.db import Graph
from kb.seed import SeedData


def test_markdown_has_objectives_items_summaries_sources_and_badges(
    curricula_graph: Graph, seed_data: SeedData
) -> None:
    text = export_curriculum(curricula_graph, "exam-prep-sourcing-and-solicitation", "md")
    lines = text.splitlines()
    assert lines[0] == "# Exam preparation: sourcing and solicitation"
    assert (
        "- **Prepares for:** Certified Professional Public Buyer (CPPB), Certified Public "
        "Procurement Officer (CPPO)" in lines
    )
    assert "## Module 3. Evaluation and negotiation" in lines
    assert "- Weight evaluation criteria and keep them fixed once proposals arrive." in lines
    rfp = lines.index(
        "4. **Running a request for proposals** (practice `running-a-request-for-proposals`)"
    )
    rfp_seed = next(p for p in seed_data.practices if p.slug == "running-a-request-for-proposals")
    assert lines[rfp + 2] == f"   {rfp_seed.summary}"
    assert lines[rfp + 4] == f"   Source: {rfp_seed.provenance.source}"
    assert "(lesson `L-0021`) _[illustrative]_" in text
    assert "- [x] Sourcing & Solicitation (UPPCC body of knowledge (2021))" in lines
    gap = next(line for line in lines if line.startswith("- [ ] Business Principles"))
    assert ": to fill, see " in gap and "`" in gap
    assert "## Order warnings" not in text


def test_html_is_a_printable_escaped_page(curricula_graph: Graph) -> None:
    html = export_curriculum(curricula_graph, "new-buyer-onboarding", "html")
    assert html.startswith("<!doctype html>")
    assert "<title>New buyer onboarding</title>" in html
    assert "@media print" in html
    assert "<h2>Module 1. Know the rules</h2>" in html
    assert "<li>Recognise a conflict of interest and say what to do about it.</li>" in html
    assert '<span class="badge">illustrative</span>' in html
    assert "Source: " in html
    curricula_graph.write(
        "MATCH (c:Curriculum {id: 'new-buyer-onboarding'}) SET c.title = '<script>x</script>'"
    )
    escaped = export_curriculum(curricula_graph, "new-buyer-onboarding", "html")
    assert "<script>x" not in escaped and "&lt;script&gt;x&lt;/script&gt;" in escaped


def test_unknown_curriculum_and_format(curricula_graph: Graph) -> None:
    with pytest.raises(CurriculumNotFoundError, match="'nope'"):
        export_curriculum(curricula_graph, "nope")
    with pytest.raises(ValueError, match="'pdf' is not an export format"):
        export_curriculum(curricula_graph, "new-buyer-onboarding", "pdf")


def test_cli_exports_markdown_and_html(
    curricula_graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    md = runner.invoke(main, ["curriculum", "export", "new-buyer-onboarding"], env=test_env)
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# New buyer onboarding\n")
    target = tmp_path / "c.html"
    html = runner.invoke(
        main,
        ["curriculum", "export", "new-buyer-onboarding", "--format", "html", "-o", str(target)],
        env=test_env,
    )
    assert html.exit_code == 0, html.output
    assert "<h2>Module 4. After the award</h2>" in target.read_text()
    missing = runner.invoke(main, ["curriculum", "export", "nope"], env=test_env)
    assert missing.exit_code == 1 and "there is no curriculum 'nope'" in missing.output
    listed = runner.invoke(main, ["curriculum", "list"], env=test_env)
    assert listed.exit_code == 0 and "new-buyer-onboarding" in listed.output


def test_cli_seed_loads_curricula_once_and_refuses_invalid_ones(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["seed"], env=test_env)
    assert first.exit_code == 0, first.output
    assert graph.read("MATCH (c:Curriculum) RETURN count(c) AS n") == [{"n": 3}]
    second = runner.invoke(main, ["seed"], env=test_env)
    assert "0 change(s) written" in second.output

    bad = tmp_path / "seed"
    shutil.copytree(Path(test_env["KB_SEED_DIR"]), bad)
    text = (bad / "curricula.yaml").read_text()
    (bad / "curricula.yaml").write_text(text.replace("lesson: L-0005", "lesson: L-9999"))
    graph.write("MATCH (n) DETACH DELETE n")
    refused = runner.invoke(main, ["seed", "--dir", str(bad)], env=test_env)
    assert refused.exit_code == 2
    assert (
        "curricula.yaml:" in refused.output
        and "'L-9999' is not a known lesson id" in refused.output
    )
    assert graph.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]  # nothing written
