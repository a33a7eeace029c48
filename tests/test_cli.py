"""`skae compare` end to end, and its errors."""

import csv
import json
import os
import subprocess
import sys

import pytest

from skae.cli import main
from skae.compare import COLUMNS

FAST = ["--epochs", "2", "--n-components", "4"]


def read_png_size(path):
    with open(path, "rb") as fh:
        head = fh.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_compare_on_digits_writes_table_and_figure(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr()
    header = printed.out.splitlines()[0].split()
    assert header[:2] == ["method", "n_components"]
    assert "accuracy" in header and "MSE" in header
    for name in ("pca", "dense", "deep-linear"):
        assert any(line.startswith(name) for line in printed.out.splitlines())
    assert "[1/3] fitting pca with n_components=4" in printed.err

    with open(out / "comparison.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["method"] for r in rows] == ["pca", "dense", "deep-linear"]
    assert list(rows[0]) == COLUMNS
    for row in rows:
        assert row["n_components"] == "4"
        assert 0 <= float(row["test_mse"]) < 1
        assert 0 <= float(row["accuracy"]) <= 1
        assert float(row["fit_seconds"]) >= 0 and float(row["encode_ms_per_row"]) > 0
    report = json.loads((out / "comparison.json").read_text())
    assert report["settings"]["dataset"] == "digits"
    assert report["settings"]["n_train"] + report["settings"]["n_test"] == 1797
    assert [r["method"] for r in report["results"]] == ["pca", "dense", "deep-linear"]
    assert report["crossover"] == [line for line in printed.out.splitlines()
                                   if "numbers" in line]
    width, height = read_png_size(out / "reconstructions.png")
    assert width > 600 and height > 300


def test_compare_over_widths(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["compare", "--out", str(out), "--models", "pca,dense", "--epochs", "1",
                 "--n-components", "2,8,128"]) == 0
    with open(out / "comparison.csv") as fh:
        rows = list(csv.DictReader(fh))
    pca = [int(r["n_components"]) for r in rows if r["method"] == "pca"]
    dense = [int(r["n_components"]) for r in rows if r["method"] == "dense"]
    assert pca == [2, 8]  # PCA cannot have more components than the 64 pixels
    assert dense == [2, 8, 128]
    mse = {(r["method"], int(r["n_components"])): float(r["test_mse"]) for r in rows}
    assert mse[("pca", 8)] < mse[("pca", 2)]
    printed = capsys.readouterr()
    assert "no PCA with 128 components: at most 64" in printed.err
    # one epoch: dense loses to PCA at every width, so the figure shows the smallest
    assert "pca reconstructs the test images best at every width measured (2, 8 numbers)" \
        in printed.out
    assert read_png_size(out / "sweep.png")[0] > 400
    # --sweep, skae 0.1's spelling, means the same
    assert main(["compare", "--out", str(tmp_path / "old"), "--models", "pca", "--sweep",
                 "2,8"]) == 0
    with open(tmp_path / "old" / "comparison.csv") as fh:
        assert [int(r["n_components"]) for r in csv.DictReader(fh)] == [2, 8]


def test_the_default_job_shows_an_autoencoder_beating_pca_at_a_small_width(tmp_path):
    # the default budget and models of the digits at one of the default widths:
    # the main job's claim, measured (test MSE 0.0238 against PCA's 0.0383)
    out = tmp_path / "claim"
    assert main(["compare", "--out", str(out), "--n-components", "4",
                 "--models", "pca,deep-linear"]) == 0
    report = json.loads((out / "comparison.json").read_text())
    mse = {r["method"]: r["test_mse"] for r in report["results"]}
    assert mse["deep-linear"] < 0.8 * mse["pca"]
    assert report["crossover"][0].startswith("An autoencoder (deep-linear) beats pca")


def test_compare_on_real_mnist(tmp_path, mnist_folder):
    folder = mnist_folder
    out = tmp_path / "mnist"
    assert main(["compare", "--dataset", "mnist", "--data-dir", str(folder), "--out", str(out),
                 "--models", "pca,dense", "--epochs", "3"]) == 0
    report = json.loads((out / "comparison.json").read_text())
    assert (report["settings"]["n_train"], report["settings"]["n_test"]) == (8000, 2000)
    assert read_png_size(out / "reconstructions.png")[0] > 600


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "--models", "pca,umap"], "unknown model(s) umap"),
        (["compare", "--test-size", "1.5"], "expected a number in (0, 1)"),
        (["compare", "--n-components", "0"], "expected a positive integer"),
        (["compare", "--epochs", "many"], "expected a positive integer"),
        (["compare", "--dataset", "cifar"], "invalid choice: 'cifar'"),
        (["compare", "--sweep", "2,x"], "expected a positive integer"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_nothing_to_fit_exits_2(tmp_path, capsys):
    assert main(["compare", "--out", str(tmp_path), "--models", "pca",
                 "--n-components", "128"]) == 2
    assert "nothing to fit: PCA can have at most 64 components" in capsys.readouterr().err


def test_missing_mnist_exits_2_with_the_loaders_message(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--dataset", "mnist", "--data-dir", str(tmp_path / "nowhere"),
              "--out", str(tmp_path / "out")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "No MNIST" in err and "t10k-images-idx3-ubyte" in err and "nowhere" in err


def test_unwritable_out_fails_before_training(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--out", str(blocker / "out")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "cannot write to --out" in err
    assert "fitting" not in err  # nothing was trained


def test_python_dash_m_skae_help():
    done = subprocess.run([sys.executable, "-m", "skae", "compare", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "--n-components" in done.stdout and "--sweep" in done.stdout


def test_compare_other_architectures(tmp_path, capsys):
    out = tmp_path / "arch"
    assert main(["compare", "--out", str(out), "--models", "sparse,denoising,conv",
                 "--epochs", "1", "--n-components", "4"]) == 0
    with open(out / "comparison.csv") as fh:
        assert [r["method"] for r in csv.DictReader(fh)] == ["sparse", "denoising", "conv"]


def test_compare_prints_only_its_own_lines(tmp_path):
    # TensorFlow's C++ start-up lines (absl, cudart_stub, cuInit, oneDNN) do not
    # reach the terminal: standard error holds the job's progress lines only
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    done = subprocess.run(
        [sys.executable, "-m", "skae", "compare", "--models", "pca,dense", "--epochs", "1",
         "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("digits: ") and lines[-1].startswith("wrote ")
    assert all(line.startswith("[") for line in lines[1:-1]), done.stderr


def test_crossover_sentences():
    from skae.compare import crossover

    def rows(table):
        return [{"method": name, "n_components": k, "test_mse": mse}
                for name, points in table.items() for k, mse in points.items()]

    found = crossover(rows({"pca": {2: 0.05, 8: 0.02, 32: 0.003},
                            "deep": {2: 0.03, 8: 0.015, 32: 0.006},
                            "dense": {2: 0.06, 8: 0.018, 32: 0.004}}))
    # the best autoencoder at each width names the winners: deep at 2 and 8
    assert found[0] == ("Crossover between 8 and 32 numbers: an autoencoder (deep) "
                        "reconstructs the test images better than pca up to 8 numbers, pca "
                        "from 32.")
    assert found[1] == ("deep reconstructs the test images better than pca with 2, 8 numbers "
                        "(0.60x-0.75x its test error) and worse than pca with 32 numbers "
                        "(2.00x its test error).")
    interleaved = crossover(rows({"pca": {2: 0.05, 8: 0.02, 32: 0.003},
                                  "dense": {2: 0.04, 8: 0.03, 32: 0.002}}))
    assert interleaved[0] == ("An autoencoder (dense) beats pca with 2, 32 numbers, pca is "
                              "better with 8.")
    assert crossover(rows({"dense": {2: 0.04}})) == []
