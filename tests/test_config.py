"""skae.get_config / set_config / config_context: read at each call, in scikit-learn's form."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import skae
from skae._numpy_inference import numpy_predictor
from skae._step_cache import SHARED_STEPS


def test_defaults_and_their_environment_seeds():
    assert skae.get_config() == {"kept_steps": 2, "faster_paths": True}
    code = "import skae; print(skae.get_config())"
    env = {**os.environ, "SKAE_KEPT_STEPS": "0", "SKAE_PLAIN_KERAS": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "{'kept_steps': 0, 'faster_paths': False}"
    for wrong in ("two", "-1"):
        env["SKAE_KEPT_STEPS"] = wrong
        failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                text=True)
        assert failed.returncode != 0 and "SKAE_KEPT_STEPS must be a whole number" in failed.stderr


@pytest.mark.parametrize("settings, message", [
    ({"kept_steps": -1}, "kept_steps must be an integer of at least 0, got -1"),
    ({"kept_steps": 1.5}, "kept_steps must be an integer"),
    ({"kept_steps": True}, "kept_steps must be an integer"),
    ({"faster_paths": "no"}, "faster_paths must be True or False, got 'no'"),
])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        skae.set_config(**settings)
    with pytest.raises(ValueError, match=message):
        with skae.config_context(**settings):
            pass
    assert skae.get_config() == {"kept_steps": 2, "faster_paths": True}


def test_a_context_sets_this_thread_only_and_restores_on_error():
    seen = {}
    with pytest.raises(RuntimeError):
        with skae.config_context(faster_paths=False):
            thread = threading.Thread(target=lambda: seen.update(skae.get_config()))
            thread.start()
            thread.join()
            assert skae.get_config()["faster_paths"] is False
            raise RuntimeError("inside the block")
    assert seen["faster_paths"] is True  # another thread kept the process's setting
    assert skae.get_config()["faster_paths"] is True


def test_settings_are_read_at_the_call():
    X = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    estimator = skae.AutoencoderTransformer(n_components=2, architecture="dense", epochs=1,
                                            random_state=0).fit(X)
    assert numpy_predictor(estimator.encoder_) is not None
    fast = estimator.transform(X[:5])
    with skae.config_context(faster_paths=False):  # the same network, now through Keras
        assert numpy_predictor(estimator.encoder_) is None
        np.testing.assert_allclose(estimator.transform(X[:5]), fast, rtol=1e-5, atol=1e-6)
    try:
        skae.set_config(faster_paths=False)
        assert numpy_predictor(estimator.encoder_) is None
    finally:
        skae.set_config(faster_paths=True)


def test_no_kept_steps_keeps_none_and_empties_the_pool():
    X = np.random.default_rng(0).normal(size=(2000, 6)).astype(np.float32)

    def fit():  # 32 steps a fit: compiled, so its step can be kept
        skae.AutoencoderTransformer(n_components=2, architecture="dense", epochs=4, batch_size=256,
                                    random_state=0).fit(X)

    SHARED_STEPS.clear()
    fit()
    assert len(SHARED_STEPS._trainers) == 1
    try:
        skae.set_config(kept_steps=0)
        assert len(SHARED_STEPS._trainers) == 0  # given back at once
        fit()
        assert len(SHARED_STEPS._trainers) == 0
    finally:
        skae.set_config(kept_steps=2)
    with skae.config_context(kept_steps=0):
        fit()
        assert len(SHARED_STEPS._trainers) == 0
    fit()
    assert len(SHARED_STEPS._trainers) == 1
