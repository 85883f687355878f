"""The house rules that keep the code base honest: import direction, the catalogue (the
migrations: tests/test_migrations.py)."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from db import schema  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locales" / "id" / "LC_MESSAGES" / "messages.po"


def _imports(package: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(path, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


def test_conversations_import_only_the_standard_library_and_themselves():
    stdlib = sys.stdlib_module_names
    for path, module in _imports("conversations"):
        top = module.split(".")[0]
        assert top == "conversations" or top in stdlib or top == "__future__", f"{path}: {module}"


@pytest.mark.parametrize("package", ["conversations", "handlers", "db"])
def test_imports_point_one_way(package):
    forbidden = {
        "conversations": {"bot", "handlers", "db"},
        "handlers": {"bot"},
        "db": {"bot", "handlers"},
    }
    for path, module in _imports(package):
        assert module.split(".")[0] not in forbidden[package], f"{path} imports {module}"


@pytest.mark.parametrize("package", ["conversations", "handlers", "db"])
def test_only_bot_imports_a_platform_library(package):
    platform = {
        "telegram",
        "httpx",
        "starlette",
        "fastapi",
        "uvicorn",
        "apscheduler",
        "prometheus_client",
    }
    for path, module in _imports(package):
        assert module.split(".")[0] not in platform, f"{path} imports {module}"


def _catalogue():
    with open(PO, "rb") as fp:
        return read_po(fp, locale="id")


def test_every_msgid_in_the_catalogue_is_translated():
    catalogue = _catalogue()
    missing = [m.id for m in catalogue if m.id and not m.string]
    assert missing == []
    # gettext ignores a fuzzy entry: the user would read the English msgid
    assert [m.id for m in catalogue if m.id and m.fuzzy] == []
    assert catalogue.plural_forms == "nplurals=1; plural=0;"


def test_the_catalogue_is_not_stale(tmp_path):
    pot = tmp_path / "messages.pot"
    cmd = [
        str(Path(sys.executable).parent / "pybabel"),
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "--no-default-keywords",
        "-k",
        "N_",
        "-k",
        "say",
        "-k",
        "t",
        "-k",
        "Text",
        "-k",
        "Text.of",
        "-k",
        "ParseError",
        "-k",
        "_",
        "-k",
        "ngettext:1,2",
        "--omit-header",
        "-o",
        str(pot),
        ".",
    ]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as fp:
        extracted = {m.id for m in read_po(fp) if m.id}
    in_po = {m.id for m in _catalogue() if m.id}
    assert sorted(extracted - in_po) == [], "run `make i18n` and translate the new msgids"
    assert sorted(in_po - extracted) == [], "obsolete msgids: run `make i18n`"


# --- the README is a guide, docs/ the reference --------------------------------------------

DOCS = (
    "architecture.md",
    "operations.md",
    "extending.md",
    "performance.md",
    "spm.md",
    "surveillance.md",
    "glossary.md",
    "indicators.md",
    "dana-desa-rules.md",
)
HISTORY_WORDS = ("this stop", "stops ago", "before/after")
# A path into our packages as the pages write it: `handlers/core/outbox.py`, bot/channels/.
PATH = re.compile(r"(?<![\w/.<-])((?:bot|handlers|conversations|db|tests)/[\w./-]*)")


def _pages() -> list[Path]:
    return [ROOT / "README.md", *(ROOT / "docs" / name for name in DOCS)]


def test_the_readme_is_a_guide_of_at_most_12_kb_and_docs_has_its_pages():
    assert (ROOT / "README.md").stat().st_size <= 12 * 1024
    assert sorted(p.name for p in (ROOT / "docs").glob("*.md")) == sorted(DOCS)


def test_no_page_tells_history():
    found = [
        (page.name, word)
        for page in _pages()
        for word in HISTORY_WORDS
        if word in page.read_text(encoding="utf-8").lower()
    ]
    assert found == [], "git holds history; the pages say how things are"


def test_every_path_the_pages_name_exists():
    named = {
        (page.name, path.rstrip(".,:;"))
        for page in _pages()
        for path in PATH.findall(page.read_text(encoding="utf-8"))
    }
    assert len(named) > 40  # the pattern still finds the paths
    missing = sorted((page, path) for page, path in named if not (ROOT / path).exists())
    assert missing == []


def test_the_performance_page_is_rendered_from_the_bench_results(tmp_path):
    results = {
        "when": "2026-11-24T04:28:00+00:00",
        "seconds": 263,
        "machine": {"cpus": 2, "python": "3.11.7"},
        "rows": [
            {
                "figure": "pure engine",
                "value": "59,712 steps/s",
                "target": "≥ 20,000",
                "met": "yes",
                "command": "python bench/engine.py",
            },
            {
                "figure": "Telegram outbound to the fake Bot API",
                "value": "27.99 msg/s",
                "target": "≥ 95% of 30/s, none lost",
                "met": "no",
                "command": "python bench/telegram.py --broadcast 300",
            },
        ],
    }
    # bench/report.py run as `make bench` runs it: tests import nothing from bench/
    (tmp_path / "results.json").write_text(json.dumps(results), encoding="utf-8")
    report = [sys.executable, str(ROOT / "bench" / "report.py")]
    subprocess.run([*report, str(tmp_path / "results.json"), str(tmp_path / "page.md")], check=True)
    page = (tmp_path / "page.md").read_text(encoding="utf-8")
    assert page.startswith("# Performance\n")
    assert "2 CPUs (Python 3.11.7), 2026-11-24 04:28 UTC, in 263 s" in page
    assert "1 target missed" in page
    assert "## Engine and runtime" in page and "## Telegram" in page
    assert "| pure engine | 59,712 steps/s | ≥ 20,000 | yes | `python bench/engine.py` |" in page
    assert "| **no** |" in page
    assert "## WhatsApp" not in page  # no rows, no section
    committed = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "Generated by `make bench`" in committed and "Do not edit by hand" in committed
