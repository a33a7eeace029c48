"""What a user pastes runs: every Python block of the README alone, and each docs page's
blocks in order, as one session, in a fresh interpreter."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.M | re.S)

#: Pages whose blocks the suite does not paste, and why (where each is run instead).
NOT_RUN = {
    "scaling.rst": "its blocks need a file of images on disk, several GPUs or two hosts; "
                   "tests/test_scaling.py streams a memmap and trains on two workers",
    "walkthrough.rst": "it trains the blog's model for 50 epochs on real MNIST; "
                       "tests/test_integration.py::test_blog_walkthrough_on_real_mnist runs it",
}


def page_blocks(path):
    """The ``.. code-block:: python`` blocks of a page, dedented, in order."""
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)",
                             path.read_text(encoding="utf-8"), re.M):
        lines = match.group(1).rstrip().splitlines()
        blocks.append("\n".join(line[3:] for line in lines) + "\n")
    return blocks


PAGES = sorted(p for p in (ROOT / "docs").glob("*.rst") if page_blocks(p))
#: Pages whose every block is one of the README's, which the README's test runs.
AS_README = {p.name for p in PAGES if set(page_blocks(p)) <= set(BLOCKS)}


def run_alone(code, folder):
    done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                          text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_readme_has_its_python_blocks():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_a_readme_block_runs_alone_and_shows_a_result(block, tmp_path):
    assert run_alone(block, tmp_path).strip(), "the block prints nothing: a user sees no result"


def test_every_page_with_code_is_run_or_says_why_not():
    names = {p.name for p in PAGES}
    assert set(NOT_RUN) <= names, "a page listed as not run has no code"
    assert len(names - set(NOT_RUN)) >= 6
    assert {"classifier_codes.rst", "persistence.rst"} <= AS_README  # the README's own


@pytest.mark.parametrize("page", [p for p in PAGES if p.name not in {*NOT_RUN, *AS_README}],
                         ids=lambda p: p.name)
def test_a_docs_pages_blocks_run_in_order_and_show_results(page, tmp_path):
    blocks = page_blocks(page)
    out = run_alone("\n".join(blocks), tmp_path)
    assert out.strip(), f"{page.name}'s blocks print nothing: a reader sees no result"
    last = blocks[-1]
    assert "print(" in last, f"{page.name}'s last block shows no result"
