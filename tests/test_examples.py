"""Every example in examples/ runs (in its reduced form) and shows what its text says."""

import runpy
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


def mean_image_error(ns):
    """Test MSE of predicting every test image as the mean training image."""
    return float(np.mean((ns["X_test"] - ns["X_train"].mean(axis=0)) ** 2))


def check_blog_walkthrough(ns):
    assert ns["code"].shape == (1, 32) and ns["decoded"].shape == (1, ns["X"].shape[1])
    # the reconstruction is far closer to the test images than their mean is
    assert -ns["autoencoder"].score(ns["X_test"]) < 0.6 * mean_image_error(ns)


def check_compare_pca(ns):
    for name, mse in ns["test_mse"].items():
        assert mse < 0.7 * mean_image_error(ns), name
    for name, points in ns["results"].items():  # a wider code reconstructs better
        errors = [error for _, error in points]
        assert errors == sorted(errors, reverse=True), (name, points)
    # the default autoencoder reconstructs as well as PCA at every width, or better
    pca = dict(ns["results"]["pca"])
    for k, error in ns["results"]["residual"]:
        assert error <= 1.02 * pca[k], (k, error, pca[k])


def check_denoising(ns):
    errors = ns["to_clean"]
    assert errors["plain"] < 0.6 * errors["noisy"] and errors["denoising"] < 0.6 * errors["noisy"]


def check_outliers(ns):
    aucs = np.array(list(ns["results"].values()))  # digits x (autoencoder, PCA, forest)
    assert aucs[:, 0].min() > 0.75 and aucs[:, 0].mean() > 0.8, aucs
    flags = ns["flags"]  # the detector for a 2 keeps most held-out 2s
    assert np.mean(flags[ns["y_test"] == ns["digit"]] == 1) > 0.7


def check_pipeline_classifier(ns):
    search = ns["search"]
    assert search.best_params_["reduce__n_components"] in ns["grid"]["reduce__n_components"]
    assert search.score(ns["X"][ns["n_train"]:], ns["y"][ns["n_train"]:]) > 0.7
    kinds = {type(p["reduce"]).__name__ for p in search.cv_results_["params"]}
    assert kinds == {"PCA", "AutoencoderTransformer"}


def check_sequence(ns):
    # on images the LSTM loses to PCA, as the text says
    assert ns["mse_sequence"] > ns["mse_pca"]
    if ns.get("sm") is not None:
        # on sunspot windows it wins at 2 numbers and loses at 4
        assert ns["results"][2]["LSTM"][0] < ns["results"][2]["PCA"][0]
        assert ns["results"][4]["LSTM"][0] > ns["results"][4]["PCA"][0]


def check_variational(ns):
    codes = ns["codes"]  # the posterior means spread like the prior
    assert np.all(np.abs(codes.mean(axis=0)) < 0.3) and np.all(np.abs(codes.std(axis=0) - 1) < 0.4)
    assert ns["mse"] < 0.8 * mean_image_error(ns)
    assert ns["samples"].shape == (10, ns["X_test"].shape[1])


CHECKS = {
    "plot_blog_walkthrough.py": check_blog_walkthrough,
    "plot_compare_pca.py": check_compare_pca,
    "plot_denoising.py": check_denoising,
    "plot_outliers.py": check_outliers,
    "plot_pipeline_classifier.py": check_pipeline_classifier,
    "plot_sequence.py": check_sequence,
    "plot_variational.py": check_variational,
}


@pytest.mark.parametrize("source", ["digits", "mnist"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_and_shows_its_claims(path, source, monkeypatch, tmp_path, request):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("SKAE_EXAMPLES_QUICK", "1")
    monkeypatch.chdir(tmp_path)  # nothing the example writes lands in the repository
    if source == "mnist":
        monkeypatch.setenv("SKAE_DATA_DIR", str(request.getfixturevalue("mnist_folder")))
    else:
        monkeypatch.setenv("SKAE_DATA_DIR", str(tmp_path / "no-mnist-here"))
    namespace = runpy.run_path(str(path), run_name="__main__")
    assert plt.get_fignums(), f"{path.name} drew no figure"
    plt.close("all")
    CHECKS[path.name](namespace)


def test_every_example_has_its_checks():
    assert len(EXAMPLES) >= 3
    assert {path.name for path in EXAMPLES} == set(CHECKS)
