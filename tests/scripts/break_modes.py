"""Run the quality tests against deliberately broken models; each must fail.

Usage::

    python tests/scripts/break_modes.py [extra pytest arguments]

For each mode of ``SKAE_TEST_BREAK`` (``tests/conftest.py``: ``untrained``
keeps every network at its start, which for the default kind is PCA itself;
``shuffle`` permutes the fitted weights), runs the tests listed for it below
and checks that every case of each failed by an assertion (a crash, an error
in a fixture or any other exception is not the failure a quality test
guards against).  Prints the listed tests that passed, failed otherwise, or
were not run, and exits 1 if there is any.  ``.ci/run`` runs it, so
a quality test that stops being able to fail for the model it guards against
fails CI.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Claims of codes that learn from y: an untrained network's codes are PCA's, shuffled
#: weights' codes are noise, and both fail them.
SUPERVISED = [
    "tests/test_targets.py::test_two_numbers_of_digits_separate_the_classes_far_better_than_pca"
    "_and_the_plain_code",
    "tests/test_cli.py::test_with_a_target_the_supervised_mode_lda_and_nca_join",
    *(f"tests/test_examples.py::test_example_runs_and_shows_its_claims"
      f"[plot_classifier_codes.py-{source}]" for source in ("digits", "mnist")),
]

#: Tests whose claims the default network's PCA start (or an untrained network) fails.
UNTRAINED = [
    "tests/test_tabular.py::test_default_beats_pca_on_odds_tables",
    "tests/test_tabular.py::test_default_against_pca_on_bundled_tables"
    "[load_breast_cancer-7-StandardScaler-0.95]",
    "tests/test_tabular.py::test_default_against_pca_on_bundled_tables"
    "[load_breast_cancer-7-MinMaxScaler-0.95]",
    "tests/test_tabular.py::test_default_against_pca_on_bundled_tables"
    "[load_iris-2-StandardScaler-0.97]",
    "tests/test_integration.py::test_pipeline_scaler_autoencoder_classifier",
    "tests/test_cli.py::test_the_default_job_shows_an_autoencoder_beating_pca_at_a_small_width",
    "tests/test_integration.py::test_blog_walkthrough_on_real_mnist",
    "tests/test_integration.py::test_default_on_real_mnist_beats_the_blog_model",
    "tests/test_outlier.py::test_one_digit_against_the_others_on_mnist[2-0.005]",
    "tests/test_outlier.py::test_the_blogs_model_with_skae_01s_score_on_mnist",
    "tests/test_mnist_models.py::test_conv_reconstructs_better_than_dense",
    "tests/test_mnist_models.py::test_variational_codes_follow_the_prior_on_held_out_images",
    "tests/test_mnist_models.py::test_decoded_prior_samples_are_read_as_digits",
    "tests/test_examples.py::test_example_runs_and_shows_its_claims[plot_compare_pca.py-digits]",
    "tests/test_examples.py::test_example_runs_and_shows_its_claims[plot_compare_pca.py-mnist]",
    *(f"tests/test_examples.py::test_example_runs_and_shows_its_claims[{example}-{source}]"
      for example in ("plot_choosing_width.py", "plot_denoising.py", "plot_sequence.py")
      for source in ("digits", "mnist")),
    # the blog's kinds and training controls: an untrained pair of networks is one network
    "tests/test_architectures.py::test_activity_l1_makes_codes_smaller",
    "tests/test_architectures.py::test_denoising_reconstructs_noisy_images_closer_to_the_clean"
    "_ones",
    "tests/test_autoencoder.py::test_longer_training_scores_higher",
    "tests/test_variational.py::test_a_larger_kl_weight_pulls_the_codes_to_the_prior",
    "tests/test_variational.py::test_sequence_beats_pca_on_a_nonlinear_family_of_waves",
    "tests/test_width.py::test_a_share_of_the_variance_picks_the_narrowest_width_that_keeps_it",
    "tests/test_scaling.py::test_streaming_a_uint8_memmap_matches_an_in_memory_fit",
    *SUPERVISED,
]

#: Tests whose claims a network with its fitted weights shuffled fails.
SHUFFLE = [
    "tests/test_tabular.py::test_default_beats_pca_on_odds_tables",
    "tests/test_tabular.py::test_default_against_pca_on_bundled_tables",
    "tests/test_integration.py::test_pipeline_scaler_autoencoder_classifier",
    "tests/test_cli.py::test_the_default_job_shows_an_autoencoder_beating_pca_at_a_small_width",
    "tests/test_cli.py::test_compare_on_a_csv_with_a_text_column",
    "tests/test_integration.py::test_blog_walkthrough_on_real_mnist",
    "tests/test_integration.py::test_default_on_real_mnist_beats_the_blog_model",
    "tests/test_outlier.py::test_one_digit_against_the_others_on_mnist",
    "tests/test_outlier.py::test_the_blogs_model_with_skae_01s_score_on_mnist",
    "tests/test_mnist_models.py::test_conv_reconstructs_better_than_dense",
    "tests/test_mnist_models.py::test_variational_codes_follow_the_prior_on_held_out_images",
    "tests/test_mnist_models.py::test_decoded_prior_samples_are_read_as_digits",
    "tests/test_outlier.py::test_feature_errors_point_at_the_damaged_features",
    "tests/test_outlier.py::test_explain_names_the_feature_that_made_a_row_an_outlier",
    *(f"tests/test_examples.py::test_example_runs_and_shows_its_claims[{example}-{source}]"
      for example in ("plot_blog_walkthrough.py", "plot_compare_pca.py", "plot_variational.py",
                      "plot_outliers.py", "plot_pipeline_classifier.py")
      for source in ("digits", "mnist")),
    *SUPERVISED,
]

MODES = {"untrained": UNTRAINED, "shuffle": SHUFFLE}


def _by_assertion(message):
    """Whether pytest's one-line summary of a failure names a failed assertion."""
    return message.startswith(("assert ", "AssertionError"))


def outcomes(mode, tests, extra):
    """``{test id: outcome}`` of one pytest run with ``SKAE_TEST_BREAK=mode``.

    An outcome is pytest's word, and ``FAILED`` a failed assertion only:
    any other exception is ``FAILED (not an assertion: ...)``.
    """
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *extra, *tests],
        cwd=ROOT, env=dict(os.environ, SKAE_TEST_BREAK=mode), capture_output=True, text=True)
    found = {}
    for line in done.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR", "SKIPPED"):
            test, _, message = rest.partition(" - ")
            if word == "FAILED" and not _by_assertion(message.strip()):
                word = f"FAILED (not an assertion: {message.strip()[:80]})"
            found[test.strip()] = word
    return found


def main(argv):
    wrong = []
    for mode, tests in MODES.items():
        found = outcomes(mode, tests, argv)
        for test in tests:
            cases = {t: o for t, o in found.items() if t == test or t.startswith(test + "[")}
            if not cases:
                wrong.append(f"SKAE_TEST_BREAK={mode}: {test} did not run")
            for case, outcome in cases.items():
                if outcome != "FAILED":
                    wrong.append(f"SKAE_TEST_BREAK={mode}: {case} {outcome}")
        print(f"SKAE_TEST_BREAK={mode}: {sum(o == 'FAILED' for o in found.values())} of "
              f"{len(found)} listed test cases failed, as they must", flush=True)
    for line in wrong:
        print(line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
