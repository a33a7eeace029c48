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
        try:
            expected = _common.cited_text(results(name), key)
        except KeyError:
            raise AssertionError(f"{name}.json has no value {key!r}") from None
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
            try:
                _common.cited_text(results(name), key)
            except KeyError:
                raise AssertionError(f"{path.name}: {name}.json has no {key}") from None
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
        # one name: a results file is named after its script (with a variant after it),
        # unless the command that wrote it named it (--name)
        named = f"--name {path.stem}" in record["command"]
        assert named or path.stem.startswith(Path(script).stem), \
            f"{path.name} is not named after {Path(script).name}"
        assert record.get("benchmark", path.stem) == path.stem
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


# ------------------------------------------------- numbers typed into prose

#: A measured-looking number: a decimal, a percentage, a ratio ("0.8x", "3
#: times"), or a count of tables, seeds or runs.
TYPED = re.compile(
    r"(?<![\w.\-/])(?:\d+(?:\.\d+)?(?:\s?%|x\b|\s+times\b)|\d+\.\d+)"
    r"|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen"
    r"|twenty[\w-]*|thirty)(?:\s+(?:real|shared|ODDS|ADBench|classification|labelled))*"
    r"\s+(?:tables|seeds|runs|data\s+sets)\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten)\s+times\b", re.I)

#: Numbers in the prose that are not measurements, and why.
NOT_MEASURED = {
    # versions: Python's, scikit-learn's, skae's releases
    "3.10", "1.6", "0.1", "0.2", "0.4",
    # settings a user passes: shares of the variance, weights, rates
    "0.5", "0.9", "0.95", "0.99", "0.3", "90%", "95%", "99%",
    # the protocols' splits
    "60%", "40%", "70%", "30%",
    # definitions: the tie rule of the comparison, Tukey's fence; arithmetic
    # (quarter-size batches give four times the steps)
    "0.5%", "1.5 times", "four times",
    # targets the project set itself (the width's 0.8x PCA's), a test's tolerance
    "0.8x", "1.02x", "15%",
    # protocols: the best of three runs per width; the shared classification tables
    "three runs", "seven real classification tables",
}

_README_NUMBER = re.compile(r"[\d.,]+[x%]?[*`]*<!-- result \S+ \S+ -->")


def prose_lines(text, markdown):
    """``(line number, text)`` of the prose: code, literals, roles and results removed."""
    out, skip_indent, fence = [], None, False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if markdown:
            if stripped.startswith("```"):
                fence = not fence
            if fence or stripped.startswith("```"):
                continue
        else:
            indent = len(line) - len(stripped)
            if skip_indent is not None:
                if not stripped or indent > skip_indent:
                    continue
                skip_indent = None
            if stripped.startswith(".. "):  # a directive, its options and content
                skip_indent = indent
                continue
            if line.rstrip().endswith("::"):  # a literal block follows
                skip_indent = indent
        line = _README_NUMBER.sub(" ", line)
        line = re.sub(r"``.*?``|:[\w-]+:`[^`]*`|`[^`]*`_*|<!--.*?-->|\]\([^)]*\)", " ", line)
        line = re.sub(r"https?://\S+|[\w./-]+\.(?:py|json|csv|npz|png|mat|skae|md|rst)\b",
                      " ", line)
        out.append((number, line))
    return out


def typed_numbers(path, text):
    return [f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r} in {line.strip()!r}"
            for number, line in prose_lines(text, path.suffix == ".md")
            for match in TYPED.finditer(line) if match.group(0) not in NOT_MEASURED]


PAGES = [ROOT / "README.md", *DOCS]


@pytest.mark.parametrize("path", [p for p in PAGES if "auto_examples" not in p.parts],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_measurement_is_typed_into_the_prose(path):
    """Measured numbers come from results files (roles, markers, tables), not the keyboard."""
    assert typed_numbers(path, path.read_text(encoding="utf-8")) == []


def test_a_typed_measurement_is_found():
    page = ROOT / "docs" / "width.rst"
    typed = ("The default needs 0.83x PCA's numbers on 12 real tables, three times "
             "faster, 40.5% fewer.\n")
    found = typed_numbers(page, typed)
    assert [f.split("'")[1] for f in found] == ["0.83x", "12 real tables", "three times",
                                                "40.5%"]
    assert typed_numbers(page, "The default needs :benchmark:`width/x` PCA's numbers.\n") == []
    assert typed_numbers(ROOT / "README.md", "at 0.883<!-- result a b --> PCA's\n") == []
