"""Render benchmark results files (``benchmarks/results/<name>.json``) in the docs.

The benchmark scripts write their tables and headline values, with the
command, date, commit and machine, to results files (see
``benchmarks/_common.py``); the pages never copy a number by hand:

``.. benchmark-run:: NAME``
    The protocol, the command, and where and when it ran.
``.. benchmark-table:: NAME KEY``
    One of the run's tables.
``:benchmark:`NAME/VALUE```
    One headline value, formatted as the script formats it;
    ``:benchmark:`NAME/tables:TABLE``` is how many tables (data sets) the
    table ``TABLE`` covers.

A missing file, table or value is an error, so a page cannot cite a result
that no script wrote.
"""

import importlib.util
import json
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
# the benchmarks' own helpers, so that a cell reads as the script printed it
_spec = importlib.util.spec_from_file_location("skae_benchmarks_common",
                                               BENCHMARKS / "_common.py")
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)
cell_text = _common.cell_text
RESULTS = _common.RESULTS_DIR


def load(name, env=None):
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"no results file {path.name} in benchmarks/results: run the "
                         "benchmark that writes it")
    if env is not None:
        env.note_dependency(str(path))
    return json.loads(path.read_text())


def describe_run(record):
    """One sentence: the command, the date, skae's version and commit, the machine."""
    m = record["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if k != "skae")
    commit = record["commit"][:10] if record.get("commit") else "unknown commit"
    dirty = " with local changes" if record.get("dirty") else ""
    return (f"Run on {record['date'][:10]} with skae {m['versions'].get('skae', '?')} "
            f"({commit}{dirty}) on {m['cores']} cores of {m['cpu']}, {m['os']}, Python "
            f"{m['python']}, Keras backend {m['keras_backend']}; {versions}.")


class BenchmarkRun(Directive):
    required_arguments = 1

    def run(self):
        try:
            record = load(self.arguments[0], self.state.document.settings.env)
        except ValueError as error:
            raise self.error(str(error)) from None
        protocol = nodes.paragraph(text=record["protocol"])
        command = nodes.literal_block(record["command"], record["command"])
        command["language"] = "bash"
        return [protocol, command, nodes.paragraph(text=describe_run(record))]


class BenchmarkTable(Directive):
    required_arguments = 2

    def run(self):
        name, key = self.arguments
        try:
            table = load(name, self.state.document.settings.env)["tables"].get(key)
        except ValueError as error:
            raise self.error(str(error)) from None
        if table is None:
            raise self.error(f"{name}.json has no table {key!r}")
        columns, formats = table["columns"], table["formats"]
        node = nodes.table(classes=["benchmark-table"])
        node += nodes.title(text=table["title"])
        group = nodes.tgroup(cols=len(columns))
        node += group
        group.extend(nodes.colspec(colwidth=1) for _ in columns)

        def row(cells):
            out = nodes.row()
            for text in cells:
                out += nodes.entry("", nodes.paragraph(text=text))
            return out

        group += nodes.thead("", row(columns))
        body = nodes.tbody()
        for values in table["rows"]:
            body += row(cell_text(v, f) for v, f in zip(values, formats))
        group += body
        return [node]


def benchmark_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    stem, _, key = text.partition("/")
    try:
        cited = _common.cited_text(load(stem, inliner.document.settings.env), key)
    except (ValueError, KeyError) as error:
        message = inliner.reporter.error(f"benchmark value {text!r}: {error}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.Text(cited)], []


def setup(app):
    app.add_directive("benchmark-run", BenchmarkRun)
    app.add_directive("benchmark-table", BenchmarkTable)
    app.add_role("benchmark", benchmark_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
