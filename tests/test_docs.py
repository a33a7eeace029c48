"""The front page and the docs against what they describe.

Every number the README keeps is marked ``<!-- result NAME KEY -->`` and must
read as its benchmark's results file (``benchmarks/results/NAME.json``) says;
every results file the docs cite must exist and hold what they cite; the
contributor page's module table must name every module of the package; the
CLI synopsis must list every option; and no commit hash stands in the README,
the docs, the examples or the package.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").rglob("*.rst"))

_spec = importlib.util.spec_from_file_location("skae_benchmarks_common",
                                               ROOT / "benchmarks" / "_common.py")
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)

MARKER = re.compile(r"<!-- result (\S+) (\S+) -->")
#: 7 to 40 hexadecimal digits with at least one letter and one digit: a commit.
COMMIT = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b")


def results(name):
    path = RESULTS / f"{name}.json"
    assert path.is_file(), f"{path.name} is missing: run the benchmark that writes it"
    return json.loads(path.read_text())


def readme_numbers(text):
    """``(name, key, text before the marker)`` for each marked README number."""
    out = []
    for match in MARKER.finditer(text):
        before = text[:match.start()].rstrip().rstrip("*`").rstrip()
        out.append((match.group(1), match.group(2), before))
    return out


def mismatches(text):
    bad = []
    for name, key, before in readme_numbers(text):
        value = results(name)["values"].get(key)
        assert value is not None, f"{name}.json has no value {key!r}"
        expected = _common.cell_text(value["value"], value["format"])
        if not before.endswith(expected):
            bad.append(f"{name} {key}: the README says {before[-20:]!r}, the results file "
                       f"{expected!r}")
    return bad


def test_readme_numbers_are_the_results_files():
    assert len(readme_numbers(README)) >= 8, "the README's headline numbers lost their markers"
    assert mismatches(README) == []


def test_a_number_changed_by_hand_fails():
    name, key, before = readme_numbers(README)[0]
    marker = f"<!-- result {name} {key} -->"
    number = re.search(r"[0-9][0-9.]*", before[::-1]).group(0)[::-1]
    wrong = README.replace(number + marker, number + "1" + marker, 1)
    assert wrong != README
    assert mismatches(wrong)


def test_readme_is_short_and_keeps_its_commands():
    lines = README.splitlines()
    assert len(lines) <= 250
    assert "<!-- test-command -->" in README
    assert "skae compare" in README
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert figures and all((ROOT / f).is_file() for f in figures)


@pytest.mark.parametrize("path", [ROOT / "README.md", *DOCS,
                                  *sorted((ROOT / "docs").glob("*.py")),
                                  *sorted((ROOT / "skae").rglob("*.py")),
                                  *sorted((ROOT / "examples").glob("*.py"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_commit_hash(path):
    assert COMMIT.findall(path.read_text(encoding="utf-8")) == []


def test_every_result_the_docs_cite_exists():
    cited = 0
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"^\s*\.\. benchmark-run:: (\S+)", text, re.M):
            results(name)
            cited += 1
        for name, key in re.findall(r"^\s*\.\. benchmark-table:: (\S+) (\S+)", text, re.M):
            assert key in results(name)["tables"], f"{path.name}: {name}.json has no table {key}"
            cited += 1
        for name, key in re.findall(r":benchmark:`([^/`]+)/([^`]+)`", text):
            assert key in results(name)["values"], f"{path.name}: {name}.json has no {key}"
            cited += 1
    assert cited > 20


def test_every_benchmark_has_written_its_results():
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_")}
    written = {}
    for path in RESULTS.glob("*.json"):
        record = json.loads(path.read_text())
        for field in ("command", "date", "commit", "machine", "protocol", "tables", "values"):
            assert field in record, f"{path.name} has no {field}"
        assert record["machine"]["cpu"] and record["machine"]["cores"]
        script = next(word for word in record["command"].split() if word.endswith(".py"))
        written.setdefault(Path(script).name, []).append(path.name)
    assert scripts - set(written) == set(), "benchmarks without a results file"


def test_the_benchmarks_readme_lists_every_script_and_results_file():
    text = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+\.py)` \|", text, re.M))
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_")}
    assert listed == scripts
    named = set(re.findall(r"`([a-z_0-9]+(?:-[a-z<>_]+)?\.json)`", text))
    for path in RESULTS.glob("*.json"):
        backend = re.sub(r"-(tensorflow|jax)\.json$", "-<backend>.json", path.name)
        assert path.name in named or backend in named, f"{path.name} is not in the README"
    modules = {p.name for p in (ROOT / "benchmarks").glob("_*.py")}
    assert modules <= set(re.findall(r"`(_[a-z_]+\.py)`", text))


def test_the_module_table_names_every_module():
    text = (ROOT / "docs" / "contributing.rst").read_text(encoding="utf-8")
    listed = re.findall(r"^\s*\* - ``(skae/[^`]+\.py)``", text, re.M)
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "skae").rglob("*.py"))
    assert sorted(listed) == modules


def test_the_cli_synopsis_lists_every_option():
    from skae.cli import build_parser

    parser = build_parser()
    compare = parser._subparsers._group_actions[0].choices["compare"]
    options = {opt for action in compare._actions for opt in action.option_strings
               if opt.startswith("--") and opt != "--help"}
    text = (ROOT / "docs" / "compare.rst").read_text(encoding="utf-8")
    synopsis = text[text.index("skae compare ["):text.index("``python -m skae compare``")]
    assert options and {opt for opt in options if opt not in synopsis} == set()
