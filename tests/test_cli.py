"""`skae compare` end to end, and its errors."""

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from skae._compare.measure import COLUMNS
from skae.cli import main

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
    for name in ("pca", "residual", "dense"):
        assert any(line.startswith(name) for line in printed.out.splitlines())
    assert "[1/3] fitting pca with n_components=4" in printed.err

    with open(out / "comparison.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["method"] for r in rows] == ["pca", "residual", "dense"]
    assert list(rows[0]) == [c for c in COLUMNS if c != "target_r2"]
    for row in rows:
        assert row["n_components"] == "4"
        assert 0 <= float(row["accuracy"]) <= 1
        assert float(row["fit_seconds"]) >= 0 and float(row["encode_ms_per_row"]) > 0
    # (the default's error against PCA's, with the default budget, is
    # test_the_default_job_shows_an_autoencoder_beating_pca_at_a_small_width's)
    report = json.loads((out / "comparison.json").read_text())
    assert report["settings"]["dataset"] == "digits"
    assert report["settings"]["n_train"] + report["settings"]["n_test"] == 1797
    assert [r["method"] for r in report["results"]] == ["pca", "residual", "dense"]
    assert report["crossover"] + report["numbers_needed_sentences"] == [
        line for line in printed.out.splitlines() if "numbers" in line]
    width, height = read_png_size(out / "reconstructions.png")
    assert width > 600 and height > 300


def test_compare_says_how_many_numbers_each_method_needs(tmp_path, capsys):
    from sklearn.decomposition import PCA
    from sklearn.metrics import r2_score

    from skae._compare.registry import DATASETS

    out = tmp_path / "out"
    widths = [4, 8, 16, 32]
    assert main(["compare", "--out", str(out), "--models", "pca,dense", "--epochs", "1",
                 "--n-components", ",".join(map(str, widths))]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "comparison.json").read_text())
    # PCA's widths from PCA itself, on the same split: the narrowest width keeping each share
    split = DATASETS["digits"][1]().split_rows(0.2, 0)
    kept = {k: r2_score(split.X_test, (p := PCA(k, random_state=0).fit(split.X_train))
                        .inverse_transform(p.transform(split.X_test)),
                        multioutput="variance_weighted") for k in widths}
    expected = {f"{level:g}": next((k for k in widths if kept[k] >= level), None)
                for level in (0.9, 0.95, 0.99)}
    assert report["numbers_needed"]["pca"] == expected
    assert expected["0.9"] is not None and expected["0.99"] is None  # both cases shown
    sentence = next(s for s in report["numbers_needed_sentences"] if s.startswith("To keep 90%"))
    assert f"pca needs {expected['0.9']} numbers" in sentence and sentence in printed
    assert "more than 32" in next(s for s in report["numbers_needed_sentences"]
                                  if s.startswith("To keep 99%"))
    assert read_png_size(out / "variance.png")[0] > 300


def test_each_run_leaves_only_its_own_files(tmp_path):
    out = tmp_path / "out"
    assert main(["compare", "--out", str(out), *FAST]) == 0
    assert (out / "reconstructions.png").exists()
    (out / "mine.txt").write_text("a file of the user's")
    assert main(["compare", "--out", str(out), "--dataset", "wine", "--models", "pca",
                 "--n-components", "2"]) == 0
    assert not (out / "reconstructions.png").exists()  # the digits' figure is gone
    assert (out / "feature_errors.png").exists() and (out / "mine.txt").exists()
    assert json.loads((out / "comparison.json").read_text())["settings"]["dataset"] == "wine"


def test_compare_over_widths(tmp_path, capsys, monkeypatch):
    from skae._compare import figures

    drawn = {}

    def capturing(name, draw):
        def capture(curves, *args, **kwargs):
            drawn[name] = (list(curves), kwargs["title"])
            return draw(curves, *args, **kwargs)
        return capture

    for name in ("plot_sweep", "plot_variance_kept"):
        monkeypatch.setattr(figures, name, capturing(name, getattr(figures, name)))
    out = tmp_path / "sweep"
    assert main(["compare", "--out", str(out), "--models", "pca,dense", "--epochs", "1",
                 "--n-components", "2,8,128"]) == 0
    # the figures name the data, and say which model is the blog's
    assert drawn["plot_sweep"] == (["PCA", "dense (the Keras blog's)"],
                                   "digits: test reconstruction error against the code width")
    assert drawn["plot_variance_kept"][1].startswith("digits: ")
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
    # the printed sentence says what the table holds (crossover is tested on its own below)
    from skae.compare import crossover

    report = json.loads((out / "comparison.json").read_text())
    assert report["crossover"] == crossover(report["results"])
    assert all(line in printed.out for line in report["crossover"])
    assert read_png_size(out / "sweep.png")[0] > 400
    # --sweep, skae 0.1's spelling, means the same
    assert main(["compare", "--out", str(tmp_path / "old"), "--models", "pca", "--sweep",
                 "2,8"]) == 0
    with open(tmp_path / "old" / "comparison.csv") as fh:
        assert [int(r["n_components"]) for r in csv.DictReader(fh)] == [2, 8]


def test_the_default_job_shows_an_autoencoder_beating_pca_at_a_small_width(tmp_path):
    # the default budget and models of the digits at one of the default widths:
    # the main job's claim, measured (benchmarks/results/main_job.json has the sweep)
    out = tmp_path / "claim"
    assert main(["compare", "--out", str(out), "--n-components", "4",
                 "--models", "pca,residual"]) == 0
    report = json.loads((out / "comparison.json").read_text())
    mse = {r["method"]: r["test_mse"] for r in report["results"]}
    assert mse["residual"] < 0.8 * mse["pca"]
    assert report["crossover"][0].startswith("An autoencoder (residual) beats pca")


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


# ------------------------------------------------------------ --data PATH

FILE_FAST = ["--epochs", "2", "--models", "pca,residual"]


def table_frame(rows=120, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(rows, 2))
    frame = pd.DataFrame(latent @ rng.normal(size=(2, 6)) + 0.1 * rng.normal(size=(rows, 6)),
                         columns=[f"f{i}" for i in range(6)])
    frame["colour"] = rng.choice(["red", "green", "blue"], rows)
    frame["label"] = (latent[:, 0] > 0).astype(int)
    return frame


def test_compare_on_a_csv_with_a_text_column(tmp_path, capsys):
    path = tmp_path / "table.csv"
    table_frame().to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(path), "--target", "label", "--out", str(out),
                 *FILE_FAST]) == 0
    printed = capsys.readouterr()
    assert "table.csv: one-hot encoded text column 'colour' (3 values)" in printed.err
    assert "scaling: standard (the features are not all in [0, 1]" in printed.err
    report = json.loads((out / "comparison.json").read_text())
    settings = report["settings"]
    assert (settings["n_train"], settings["n_test"], settings["n_features"]) == (96, 24, 9)
    assert settings["widths"] == [2, 4] and settings["scale"] == "standard"
    assert {r["method"] for r in report["results"]} == {"pca", "residual"}
    # the label is the sign of the first of the two latent factors behind the numbers, so
    # codes of 2 or more classify it well; a wrong label column would be near chance
    assert all(r["accuracy"] > 0.8 for r in report["results"]), report["results"]
    with open(out / "feature_errors.csv") as fh:
        errors = list(csv.DictReader(fh))
    assert [e["feature"] for e in errors][:6] == [f"f{i}" for i in range(6)]
    assert {"colour=red", "colour=green", "colour=blue"} <= {e["feature"] for e in errors}
    assert read_png_size(out / "feature_errors.png")[0] >= 600
    assert read_png_size(out / "sweep.png")[0] > 400
    assert not (out / "reconstructions.png").exists()


def test_with_a_target_the_supervised_mode_lda_and_nca_join(tmp_path, capsys):
    # a user's table whose class is a nonlinear function of the features: its leading
    # directions (PCA's) carry little of it, and the supervised code learns it
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 8))
    y = np.where(X[:, 6] * X[:, 7] > 0, "odd", "even")
    X[:, :4] *= 3.0  # the leading directions are the first four features
    path = tmp_path / "table.npz"
    np.savez(path, X=X, y=y)
    out = tmp_path / "out"
    assert main(["compare", "--data", str(path), "--n-components", "2", "--out", str(out)]) == 0
    report = json.loads((out / "comparison.json").read_text())
    rows = {r["method"]: r for r in report["results"]}
    assert set(rows) == {"pca", "residual", "dense", "supervised", "lda", "nca"}
    # LDA and NCA do not decode: no reconstruction cells, and not in the sentences
    assert "test_mse" not in rows["lda"] and "test_mse" not in rows["nca"]
    assert rows["lda"]["n_components"] == 1  # two classes
    assert all("lda" not in sentence for sentence in report["crossover"])
    assert rows["supervised"]["accuracy"] > rows["pca"]["accuracy"] + 0.2, rows
    assert rows["supervised"]["accuracy"] > rows["lda"]["accuracy"] + 0.2, rows
    assert read_png_size(out / "codes.png")[0] > 1000  # six panels
    printed = capsys.readouterr().out
    assert "supervised" in printed and "lda" in printed


@pytest.mark.parametrize("models, message", [
    ("pca,supervised", "supervised learn from labels, and this data set has none"),
    ("pca,lda", "lda learn from labels"),
])
def test_models_that_learn_from_labels_need_them(tmp_path, capsys, models, message):
    path = tmp_path / "table.npy"
    np.save(path, np.random.default_rng(0).normal(size=(60, 4)))
    assert main(["compare", "--data", str(path), "--models", models, "--out",
                 str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err


def test_lda_and_nca_need_classes(tmp_path, capsys):
    assert main(["compare", "--dataset", "diabetes", "--models", "pca,nca", "--out",
                 str(tmp_path / "out")]) == 2
    assert "nca need class labels" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".tsv", ".parquet", ".npy", ".npz", ".mat"])
def test_compare_reads_every_format(tmp_path, suffix):
    import scipy.io

    frame = table_frame().drop(columns="colour")
    X, y = frame.drop(columns="label").to_numpy(), frame["label"].to_numpy()
    path = tmp_path / f"table{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".npy":
        np.save(path, X)
    elif suffix == ".npz":
        np.savez(path, X=X, y=y)
    else:
        scipy.io.savemat(path, {"X": X, "y": y[:, None]})
    target = ["--target", "label"] if suffix in (".tsv", ".parquet") else []
    out = tmp_path / "out"
    assert main(["compare", "--data", str(path), "--out", str(out), "--n-components", "2",
                 *target, *FILE_FAST]) == 0
    report = json.loads((out / "comparison.json").read_text())
    assert report["settings"]["n_features"] == 6
    labelled = suffix != ".npy"
    assert all(("accuracy" in r) == labelled for r in report["results"])
    pca = next(r for r in report["results"] if r["method"] == "pca")
    # two latent factors and a little noise: PCA's 2 numbers keep nearly all of it, and
    # classify the label (the first factor's sign), whatever the file's format
    assert pca["test_r2"] > 0.9, pca
    assert not labelled or pca["accuracy"] > 0.8, pca


def test_compare_on_a_numeric_target_reports_its_r2(tmp_path):
    out = tmp_path / "out"
    assert main(["compare", "--dataset", "diabetes", "--out", str(out), "--n-components", "2",
                 *FILE_FAST]) == 0
    report = json.loads((out / "comparison.json").read_text())
    assert all("target_r2" in r and "accuracy" not in r for r in report["results"])
    assert report["settings"]["n_train"] + report["settings"]["n_test"] == 442
    # a ridge regression on PCA's 2 numbers predicts the disease progression (about 0.4 of
    # its variance); a wrong target column would be near 0
    pca = next(r for r in report["results"] if r["method"] == "pca")
    assert pca["target_r2"] > 0.2, pca


@pytest.mark.parametrize(
    "text, extra, message",
    [
        ("a,b\n1,\n" + "2,3\n" * 30, [], "missing values in 'b' (1)"),
        ("a,b,c\n" + "".join(f"{i},5,{i % 3}\n" for i in range(30)), [],
         "constant column(s) ('b')"),
        ("a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(5)), [], "has 5 rows; skae compare "
                                                                     "needs at least 20"),
        ("", [], "is empty"),
        ("a,b\n1,2\n", ["--target", "z"], "no column 'z' for --target"),
    ],
)
def test_bad_tables_exit_2(tmp_path, capsys, text, extra, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--data", str(path), "--out", str(tmp_path / "out"), *extra])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "fitting" not in err


def test_constant_columns_can_be_dropped(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("a,b,c\n" + "".join(f"{i},5,{(i * 7) % 5}\n" for i in range(40)))
    assert main(["compare", "--data", str(path), "--drop-constant", "--out",
                 str(tmp_path / "out"), "--n-components", "1", *FILE_FAST]) == 0
    assert "left out 1 constant column(s): 'b'" in capsys.readouterr().err


def test_unreadable_and_missing_files_exit_2(tmp_path, capsys):
    (tmp_path / "x.parquet").write_bytes(b"garbage")
    for argv, message in (
            (["--data", str(tmp_path / "x.parquet")], "cannot read"),
            (["--data", str(tmp_path / "none.csv")], "no such file"),
            (["--data", str(tmp_path / "x.parquet"), "--dataset", "iris"], "not allowed with"),
            (["--target", "y"], "--target needs --data")):
        with pytest.raises(SystemExit) as exc:
            main(["compare", "--out", str(tmp_path / "out"), *argv])
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


def test_compare_on_an_odds_file_against_pca(tmp_path, capsys, odds):
    path = odds / "cardio.mat"
    out = tmp_path / "cardio"
    assert main(["compare", "--data", str(path), "--out", str(out), "--n-components", "5",
                 "--models", "pca,residual"]) == 0
    report = json.loads((out / "comparison.json").read_text())
    mse = {r["method"]: r["test_mse"] for r in report["results"]}
    # measured 0.36x with the defaults; a model that does not learn stays at 1.0x
    assert mse["residual"] < 0.6 * mse["pca"], mse
    assert report["settings"]["scale"] == "standard"


def test_crossover_sentences_call_ratios_near_one_ties():
    from skae.compare import crossover

    rows = [{"method": m, "n_components": k, "test_mse": e}
            for m, k, e in (("pca", 2, 0.5), ("pca", 4, 0.3), ("residual", 2, 0.5002),
                            ("residual", 4, 0.2))]
    found = crossover(rows, what="test rows")
    assert found[0] == "An autoencoder (residual) beats pca with 4 numbers and is about even " \
                       "with it with 2."
    assert found[1] == ("residual reconstructs the test rows better than pca with 4 numbers "
                        "(0.67x its test error) and about as well as pca with 2 numbers "
                        "(1.00x its test error).")
    even = crossover([r for r in rows if r["n_components"] == 2])
    assert even[0] == ("An autoencoder (residual) reconstructs the test images about as well "
                       "as pca at every width measured (2 numbers, within 0.5%).")


def test_progress_bar_shows_the_time_left(capsys):
    from skae.cli import _Progress

    progress = _Progress([(2, "pca"), (2, "residual"), (4, "residual")], bar=True)
    for i, name in enumerate(["pca", "residual", "residual"], start=1):
        progress.start(i, f"fitting {name} with n_components=2 (...)", f"fitting {name}")
        progress.done(name)
    progress.close()
    err = capsys.readouterr().err
    # tqdm's bar: the fit running, the share done, elapsed < remaining
    assert "[3/3] fitting residual" in err and "100%" in err
    assert "<" in err.splitlines()[-1] or "<" in err.split("\r")[-1]


def test_library_use_keeps_tensorflows_start_up_lines_quiet(tmp_path):
    # a fit in a fresh process prints nothing, unless the user set TF_CPP_MIN_LOG_LEVEL
    script = ("import numpy as np, skae; "
              "skae.AutoencoderTransformer(2, epochs=1).fit(np.random.rand(20, 4))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        env["TF_CPP_MIN_LOG_LEVEL"] = "0"  # the user's setting: TensorFlow's own rule
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=300, env=env)
        assert done.returncode == 0 and "I0000" in done.stderr


def test_kpca_is_kernel_pca_tuned_on_held_out_training_rows(monkeypatch):
    from sklearn.datasets import load_wine
    from sklearn.decomposition import KernelPCA
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from skae._compare import kpca as module
    from skae._compare.models import make_model

    X = StandardScaler().fit_transform(load_wine().data)
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    model = make_model("kpca", 4).fit(X_train)
    assert isinstance(model, module.TunedKernelPCA)
    assert model.alpha_ in module.RIDGES
    assert any(np.isclose(model.gamma_ * X.shape[1] * X_train.var(), f)
               for f in module.GAMMA_FACTORS)

    def error(m):
        return np.mean((X_test - m.inverse_transform(m.transform(X_test))) ** 2)

    # tuned on held-out training rows, it reconstructs new rows better than its defaults
    defaults = KernelPCA(4, kernel="rbf", fit_inverse_transform=True).fit(X_train)
    assert error(model) < error(defaults), (error(model), error(defaults))
    monkeypatch.setattr(module, "MAX_ROWS", 60)
    with pytest.warns(UserWarning, match="fitted on 60 of the 124 training rows"):
        capped = make_model("kpca", 4).fit(X_train)
    assert capped.n_rows_fitted_ == 60 and capped.transform(X_test).shape == (len(X_test), 4)


def test_kpca_is_a_baseline_in_the_sentences(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", "--out", str(out), "--dataset", "wine", "--models",
                 "pca,kpca,dense", "--epochs", "1", "--n-components", "2,4"]) == 0
    report = json.loads((out / "comparison.json").read_text())
    assert {r["method"] for r in report["results"]} == {"pca", "kpca", "dense"}
    assert not any("autoencoder (kpca" in s for s in report["crossover"])
    assert any(s.startswith("kpca reconstructs") for s in report["crossover"])
    assert set(report["numbers_needed"]) == {"pca", "kpca", "dense"}
