"""The blog's models on real MNIST (skipped with a reason when ../shared/data/mnist is absent)."""

import numpy as np
import pytest
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skae import AutoencoderTransformer


@pytest.fixture(scope="module")
def vae_2d(mnist):
    X_train, _, _, _ = mnist
    return AutoencoderTransformer(n_components=2, architecture="variational", epochs=50,
                                  random_state=0).fit(X_train)


def test_variational_codes_follow_the_prior_on_held_out_images(vae_2d, mnist):
    _, _, X_test, _ = mnist
    codes = vae_2d.transform(X_test)
    assert np.abs(codes.mean(axis=0)).mean() <= 0.15, codes.mean(axis=0)
    assert np.abs(codes.std(axis=0) - 1).mean() <= 0.25, codes.std(axis=0)


def test_decoded_prior_samples_are_read_as_digits(vae_2d, mnist):
    X_train, y_train, X_test, y_test = mnist
    # The reader: a logistic regression on RBF-kernel features of the raw
    # pixels.  Unlike a linear model, it is not confident far from every
    # training image (the kernel features vanish there), so its confidence
    # says "looks like a digit I know".
    reader = make_pipeline(Nystroem(gamma=0.02, n_components=1000, random_state=0),
                           LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    assert reader.score(X_test, y_test) > 0.93
    # Threshold 0.5: more probability on one class than on the nine others
    # together.  Real held-out digits reach it about 89% of the time, uniform
    # noise never (both checked here).
    real = reader.predict_proba(X_test).max(axis=1)
    noise = np.random.RandomState(0).uniform(size=(500, X_test.shape[1])).astype(np.float32)
    assert np.mean(real > 0.5) > 0.85
    assert np.mean(reader.predict_proba(noise).max(axis=1) > 0.5) < 0.05
    samples = vae_2d.sample(500, random_state=0)
    confidence = reader.predict_proba(samples).max(axis=1)
    assert np.mean(confidence > 0.5) > 0.6, np.percentile(confidence, [10, 50, 90])
    # and the prior covers most digits, not one
    assert len(np.unique(reader.predict(samples))) >= 8


def test_conv_reconstructs_better_than_dense(mnist):
    X_train, _, X_test, _ = mnist
    # A reduced budget (10 epochs of the blog's 256 images) keeps the test short; the
    # blog's is benchmarks/mnist_architectures.py's, the conv kind's default
    # benchmarks/bench_conv.py --budget's.
    errors = {}
    for name in ("dense", "conv"):
        est = AutoencoderTransformer(32, architecture=name, epochs=10, batch_size=256,
                                     random_state=0).fit(X_train)
        errors[name] = np.mean((X_test - est.inverse_transform(est.transform(X_test))) ** 2)
    assert errors["conv"] < 0.7 * errors["dense"], errors
