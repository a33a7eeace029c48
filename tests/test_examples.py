"""Every example in examples/ runs (in its reduced form)."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("source", ["digits", "mnist"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path, source, monkeypatch, tmp_path, request):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("SKAE_EXAMPLES_QUICK", "1")
    monkeypatch.chdir(tmp_path)  # nothing the example writes lands in the repository
    if source == "mnist":
        monkeypatch.setenv("SKAE_DATA_DIR", str(request.getfixturevalue("mnist_folder")))
    else:
        monkeypatch.setenv("SKAE_DATA_DIR", str(tmp_path / "no-mnist-here"))
    runpy.run_path(str(path), run_name="__main__")
    assert plt.get_fignums(), f"{path.name} drew no figure"
    plt.close("all")


def test_there_are_examples():
    assert len(EXAMPLES) >= 3
