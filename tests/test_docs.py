"""Generated documentation is up to date."""
from econ.scenario.reference import render

from .conftest import ROOT


def test_scenario_reference_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "scenario_reference.md").read_text(encoding="utf-8")
    assert committed.strip() == render().strip(), "run: python -m econ.scenario.reference > docs/scenario_reference.md"


def test_distributions_reference_is_generated_from_the_registry():
    from econ.scenario.reference import render_distributions

    committed = (ROOT / "docs" / "distributions.md").read_text(encoding="utf-8")
    assert committed == render_distributions(), "run: python -m econ.scenario.reference distributions > docs/distributions.md"


def test_every_document_the_docs_and_sources_name_exists():
    """A link or mention of ``docs/<name>.md`` (README, docs, code, scenarios) points at a shipped file,
    and so does every relative Markdown link in README and docs/."""
    import re

    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "econ").rglob("*.py"),
             *(ROOT / "scenarios").rglob("*.yaml")]
    missing = []
    for path in texts:
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"docs/[A-Za-z0-9_./-]+\.md", text):
            if not (ROOT / name).is_file():
                missing.append(f"{path.relative_to(ROOT)}: {name}")
        if path.suffix == ".md":
            for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", text):
                if not (path.parent / target).exists():
                    missing.append(f"{path.relative_to(ROOT)}: {target}")
    assert not missing, missing


def test_the_evidence_note_the_sources_cite_is_shipped():
    note = ROOT / "docs" / "peer_support_evidence.md"
    cited = [p for p in (ROOT / "scenarios").glob("*.yaml") if "peer_support_evidence.md" in p.read_text()]
    assert cited and note.is_file()
    text = note.read_text(encoding="utf-8")
    for source in ("Johnson et al. 2018", "Gillard et al. 2022", "Sledge et al. 2011", "17,936", "3,255", "SYNTHETIC"):
        assert source in text
