"""scikit-learn's estimator checks, run in full: nothing skipped, nothing xfailed."""

import keras
import pytest
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae.architectures import Conv, Dense, Sequence, Variational


class StopEarly(keras.callbacks.EarlyStopping):
    """Keras's early stopping with a stable repr (test ids must not hold addresses)."""

    def __repr__(self):
        return "StopEarly()"


# One epoch keeps the checks fast (two where a callback needs a second epoch to
# act, three for early stopping's patience); every code path of fit still runs.  The
# checks' data are tiny (at most a few dozen rows), so their fits take the
# eager path: the compiled multi-step and XLA paths are reached by
# tests/test_fast.py, which checks each against plain Keras, not here.
ESTIMATORS = [
    # the default network with its own batch size, validation rows and kept start
    AutoencoderTransformer(n_components=3, epochs=1),
    AutoencoderTransformer(n_components=3, architecture="dense", epochs=1, batch_size=16),
    # a share of the variance: the width searched below PCA's
    AutoencoderTransformer(n_components=0.9, epochs=1),
    AutoencoderTransformer(n_components=2, architecture=Dense(hidden_layer_sizes=(6,)), epochs=1,
                           batch_size=16),
    AutoencoderTransformer(
        n_components=2, activity_l1=1e-3, noise_stddev=0.1, validation_fraction=0.2,
        early_stopping=True, n_iter_no_change=1, epochs=3, batch_size=16,
    ),
    AutoencoderTransformer(n_components=2, architecture=Variational(base=Dense((4,))), epochs=1,
                           batch_size=16),
    # (No warm-start configuration here: a warm start continues training at the
    # next fit by design, which the checks whose consecutive fits must agree
    # rule out; scikit-learn runs its own warm-start estimators through the
    # checks with warm_start=False too.  test_warm_start_passes_every_other_check
    # below runs the rest; tests/test_architectures.py tests the continuation.)
    AutoencoderTransformer(n_components=2, epochs=2, batch_size=16,
                           callbacks=[StopEarly(monitor="loss", patience=1)]),
    # The checks' data have any number of features (1, 2, 3, 4, 10, ...), not
    # images; (-1, 1) reads each sample as a column of pixels, which fits all.
    AutoencoderTransformer(n_components=2, architecture=Conv(filters=(4,), image_shape=(-1, 1)),
                           epochs=1, batch_size=16),
    # the sequence kind reads each sample as a sequence of one-value steps; the
    # variational kind on a conv base
    AutoencoderTransformer(n_components=2, architecture=Sequence(sequence_shape=(-1, 1), units=4),
                           epochs=1, batch_size=16),
    AutoencoderTransformer(
        n_components=2, epochs=1, batch_size=16,
        architecture=Variational(base=Conv(filters=(4,), image_shape=(-1, 1)))),
    # a head on the code learns y when fit is given one: the weight chosen on the
    # validation rows, and a fixed weight on the blog's kind
    AutoencoderTransformer(n_components=3, epochs=1, target_weight="auto"),
    AutoencoderTransformer(n_components=2, architecture="dense", epochs=1, batch_size=16,
                           target_weight=1.0),
    AutoencoderOutlierDetector(AutoencoderTransformer(n_components=2, epochs=1, batch_size=16)),
    AutoencoderOutlierDetector(AutoencoderTransformer(n_components=2, epochs=1, batch_size=16),
                               contamination=0.1, random_state=0),
    # a calibrated threshold (the checks' data: a few dozen rows, half held out) and skae
    # 0.1's score with one fit
    AutoencoderOutlierDetector(AutoencoderTransformer(n_components=2, epochs=1, batch_size=16),
                               fpr=0.25, calibration_fraction=0.5, random_state=0),
    AutoencoderOutlierDetector(AutoencoderTransformer(n_components=2, epochs=1, batch_size=16),
                               statistic="reconstruction", trim=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# The checks that fit one estimator twice and compare the results: a warm start
# continues at the second fit, so it cannot agree with the first.  With
# warm_start=True these failed, and no other (measured: 43 of 47 passed).
CONSECUTIVE_FIT_CHECKS = {
    "check_transformer_general", "check_transformer_data_not_an_array",
    "check_pipeline_consistency",
}


def test_warm_start_passes_every_other_check():
    warm = AutoencoderTransformer(n_components=2, epochs=2, batch_size=16, warm_start=True)
    results = estimator_checks.check_estimator(warm, on_fail=None)
    # every check scikit-learn has for it ran, and those three alone failed
    expected = sorted(getattr(check, "func", check).__name__
                      for _, check in estimator_checks.estimator_checks_generator(warm, mark=None))
    assert sorted(r["check_name"] for r in results) == expected
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] != "passed"}
    assert set(failed) <= CONSECUTIVE_FIT_CHECKS, failed


# Checks that scikit-learn runs on its own transformers beyond the default set.
EXTRA_CHECKS = [
    "check_param_validation",
    "check_set_output_transform",
    "check_set_output_transform_pandas",
    "check_global_output_transform_pandas",
    "check_set_output_transform_polars",
    "check_global_set_output_transform_polars",
    "check_transformer_get_feature_names_out",
    "check_transformer_get_feature_names_out_pandas",
    "check_get_feature_names_out_error",
    "check_dataframe_column_names_consistency",
]


#: The extra checks that apply to the outlier detector (the others are about a
#: transformer's output and feature names, which a detector does not have).
DETECTOR_EXTRA_CHECKS = ["check_param_validation", "check_dataframe_column_names_consistency"]


@pytest.mark.parametrize("check_name", DETECTOR_EXTRA_CHECKS)
def test_extra_sklearn_checks_on_the_detector(check_name):
    pytest.importorskip("pandas", reason="pandas is a test dependency")
    getattr(estimator_checks, check_name)("AutoencoderOutlierDetector", ESTIMATORS[-1])


@pytest.mark.parametrize("check_name", EXTRA_CHECKS)
def test_extra_sklearn_checks(check_name):
    pytest.importorskip("pandas", reason="pandas is a test dependency")
    if "polars" in check_name:
        pytest.importorskip("polars", reason="polars is a test dependency")
    check = getattr(estimator_checks, check_name)
    check("AutoencoderTransformer", ESTIMATORS[0])
