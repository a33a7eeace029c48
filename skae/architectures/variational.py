"""The variational autoencoder: a Gaussian code, trained with a KL divergence to the prior."""

import warnings
from numbers import Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._backend import to_numpy
from ._base import Architecture

__all__ = ["Variational"]

#: The attribute of a variational autoencoder that holds its ``(encoder, decoder)``.
_PARTS = "_skae_parts"

_BASES = ("dense", "conv")


class Variational(Architecture):
    """Gaussian code: an encoder of its mean and log-variance, a KL term in training.

    The encoder of ``base`` up to its code layer is kept; two dense layers
    on its last hidden representation give the mean and the log-variance of
    a Gaussian posterior over the code.  In training the decoder (the
    base's) reconstructs from a sample ``mean + exp(log_variance / 2) * eps``
    (the reparameterisation trick, ``eps ~ N(0, I)``), and the loss adds
    ``kl_weight`` times the KL divergence from the posterior to the prior
    ``N(0, I)``.  :meth:`~skae.AutoencoderTransformer.transform` returns the
    posterior mean (deterministic; one row's code does not depend on the
    others), :meth:`~skae.AutoencoderTransformer.inverse_transform` decodes,
    and :meth:`~skae.AutoencoderTransformer.sample` decodes draws from the
    prior.

    The reconstruction loss skae minimises is a mean over the features (as
    Keras's losses are), so the KL divergence of each sample enters it
    divided by the number of features: with ``kl_weight=1.0`` the loss is the
    standard VAE's (the evidence lower bound of the Keras blog's model,
    summed over the pixels) divided by the number of features, which has the
    same minimiser.  ``history_["kl"]`` holds that divided divergence, beside
    ``history_["reconstruction"]``.

    At the end of each training run the code is moved and scaled, per
    dimension, to the values that minimise the KL term exactly (see
    ``_match_prior`` in this module): every decoded sample stays the same
    and the loss only decreases.  Adam leaves the codes' spread well off that
    optimum, since the loss barely changes along it
    (``benchmarks/variational_prior.py`` measures the codes' spread).

    Parameters
    ----------
    base : {"dense", "conv"}, Dense, Conv or None, default=None
        The encoder body and the decoder.  ``None`` is the Keras blog's model:
        ``Dense(hidden_layer_sizes=(256,))``.  The base's code layer must be
        a ``Dense`` layer (the dense and conv kinds' is).
    kl_weight : float, default=1.0
        Weight of the KL term (1.0 is the standard VAE; larger values give a
        beta-VAE, 0.0 a plain autoencoder with a noisy code).

    Attributes
    ----------
    name : str
        ``"variational"``.
    loss_terms : tuple of str
        ``("kl",)``, the term training adds to the reconstruction loss.
    can_sample : bool
        True: :meth:`sample_codes` draws from the prior ``N(0, I)``.

    See Also
    --------
    Dense, Conv : The bases.
    skae.AutoencoderTransformer.sample : Decode draws from the prior.

    Examples
    --------
    >>> from skae.architectures import Conv, Variational
    >>> Variational(base=Conv(filters=(16, 32)), kl_weight=0.5)
    Variational(base=Conv(filters=(16, 32)), kl_weight=0.5)
    >>> Variational().resolve(784).base
    Dense(hidden_layer_sizes=(256,))
    """

    name = "variational"
    description = "variational: Gaussian code (mean, log-variance) with a KL loss, dense (256) body"
    loss_terms = ("kl",)
    can_sample = True
    legacy_parameters = {}

    _parameter_constraints: dict = {
        "base": [StrOptions(set(_BASES)), Architecture, None],
        "kl_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, base=None, kl_weight=1.0):
        self.base = base
        self.kl_weight = kl_weight

    def _base(self):
        from . import Dense, get_architecture

        if self.base is None:
            return Dense(hidden_layer_sizes=(256,))
        return get_architecture(self.base)

    def for_sample_shape(self, shape):
        base = self._base()
        shaped = base.for_sample_shape(shape)
        return self if shaped is base else clone(self).set_params(base=shaped)

    def resolve(self, n_features):
        self._validate_params()
        base = self._base()
        if isinstance(base, Variational):
            raise ValueError("The base of a Variational architecture cannot be variational.")
        return clone(self).set_params(base=base.resolve(n_features),
                                      kl_weight=float(self.kl_weight))

    def build(self, n_features, n_components, *, output_activation, seed):
        import keras

        base = self._base()
        _, base_encoder, decoder = base.build(
            n_features, n_components, output_activation=output_activation, seed=seed)
        try:
            code = base_encoder.get_layer("code")
        except ValueError:
            code = None
        if type(code) is not keras.layers.Dense:
            raise ValueError(
                f"Variational needs a base whose encoder ends in a Dense layer named 'code' "
                f"(the dense and conv kinds), got {base!r}."
            )
        hidden = code.input
        # seeds apart from the base's, whose layers use seed, seed + 1, ...
        mean = keras.layers.Dense(
            n_components, kernel_initializer=keras.initializers.GlorotUniform(seed + 7919),
            name="code_mean")(hidden)
        log_variance = keras.layers.Dense(
            n_components, kernel_initializer=keras.initializers.GlorotUniform(seed + 7920),
            name="code_log_variance")(hidden)
        posterior = keras.Model(base_encoder.input, [mean, log_variance], name="posterior")
        x = keras.Input(shape=(n_features,), dtype="float32", name="input")
        autoencoder = keras.Model(x, decoder(posterior(x)[0]), name="autoencoder")
        encoder, decoder = self.split(autoencoder)
        return autoencoder, encoder, decoder

    def split(self, autoencoder):
        """The encoder (the posterior mean's path) and the decoder.

        The encoder is a view of the posterior network, not a layer of its
        own, so it is made once per network and kept on the network: by
        :meth:`build`, and when a saved network is loaded (``skae.load`` and
        unpickling call ``split``).  Each call returns the same objects, and
        they go with the network (no module-level object holds them).
        """
        parts = vars(autoencoder).get(_PARTS)
        if parts is None:
            import keras

            posterior = autoencoder.get_layer("posterior")
            encoder = keras.Model(posterior.input, posterior.outputs[0], name="encoder")
            parts = (encoder, autoencoder.get_layer("decoder"))
            # set past keras.Model.__setattr__, which would track the view as a
            # layer of the network (and save its weights twice)
            vars(autoencoder)[_PARTS] = parts
        return parts

    def training_code(self, autoencoder, x, *, training, seed_generator=None):
        import keras
        from keras import ops

        mean, log_variance = autoencoder.get_layer("posterior")(x, training=training)
        code = mean
        if training:
            eps = keras.random.normal(ops.shape(mean), seed=seed_generator)
            code = mean + ops.exp(0.5 * log_variance) * eps
        kl = -0.5 * ops.sum(1.0 + log_variance - ops.square(mean) - ops.exp(log_variance),
                            axis=-1)
        return code, {"kl": kl * (self.kl_weight / float(x.shape[-1]))}

    def training_callbacks(self, autoencoder, X, rows):
        import keras

        return [keras.callbacks.LambdaCallback(
            on_train_end=lambda logs: _match_prior(autoencoder, X, rows))]

    def sample_codes(self, n_samples, n_components, random_state=None):
        """Codes drawn from the prior ``N(0, I)``.

        See :meth:`skae.architectures.Architecture.sample_codes`.
        """
        rng = check_random_state(random_state)
        return rng.standard_normal((n_samples, n_components)).astype(np.float32)


#: Rows of the training data the end-of-training step reads (evenly spaced).
MOMENT_ROWS = 4096


def _match_prior(autoencoder, X, rows):
    """Give the code the prior's first two moments, changing no decoded sample.

    The decoder's first layer is dense, so replacing each code dimension
    ``z`` by ``a * (z - c)`` and the first layer's input weights ``W`` and
    bias ``b`` by ``W / a`` and ``b + c W`` changes no decoded sample (the
    posterior mean and its standard deviation move and scale alike).  The KL
    term over the training rows is smallest at ``c = E[mean]`` and
    ``a = 1 / sqrt(Var[mean] + E[variance])``: there the posterior means
    average 0 and the codes' second moment is the prior's, so the loss
    decreases (``tests/test_variational.py`` checks it).  A base whose decoder does not start
    with a dense layer, or codes whose moments are not finite (a diverged
    training run), are left as trained, with a warning that says which.
    """
    import keras

    from .._inference import dense_float32

    decoder = autoencoder.get_layer("decoder")
    first = next((layer for layer in decoder.layers
                  if not isinstance(layer, keras.layers.InputLayer)), None)
    if (type(first) is not keras.layers.Dense or first.bias is None
            or first.input is not decoder.inputs[0]):
        warnings.warn("Variational: the code is left as trained, not moved to the prior's "
                      "moments: the base's decoder does not start with a Dense layer with a "
                      "bias on the code.", UserWarning, stacklevel=2)
        return
    rows = np.asarray(rows)
    if len(rows) > MOMENT_ROWS:
        rows = rows[np.linspace(0, len(rows) - 1, MOMENT_ROWS).astype(int)]
    posterior = autoencoder.get_layer("posterior")
    means, variances = [], []
    for start in range(0, len(rows), 1024):
        block = dense_float32(X[rows[start:start + 1024]])
        mean, log_variance = posterior(block, training=False)
        means.append(keras.ops.convert_to_numpy(mean).astype(np.float64))
        variances.append(np.exp(keras.ops.convert_to_numpy(log_variance).astype(np.float64)))
    mean, variance = np.concatenate(means), np.concatenate(variances)
    shift = mean.mean(axis=0)
    second = mean.var(axis=0) + variance.mean(axis=0)
    if not np.all(np.isfinite(second)) or np.any(second <= 0):
        warnings.warn("Variational: the code is left as trained, not moved to the prior's "
                      "moments: the training rows' codes have no finite positive spread "
                      "(did training diverge? try a smaller learning_rate).",
                      UserWarning, stacklevel=2)
        return
    scale = 1.0 / np.sqrt(second)
    mean_layer = posterior.get_layer("code_mean")
    log_variance_layer = posterior.get_layer("code_log_variance")
    kernel, bias = (np.asarray(to_numpy(v), np.float64) for v in (first.kernel, first.bias))
    first.bias.assign((bias + shift @ kernel).astype(np.float32))
    first.kernel.assign((kernel / scale[:, None]).astype(np.float32))
    mean_kernel, mean_bias = (np.asarray(to_numpy(v), np.float64)
                              for v in (mean_layer.kernel, mean_layer.bias))
    mean_layer.kernel.assign((mean_kernel * scale).astype(np.float32))
    mean_layer.bias.assign(((mean_bias - shift) * scale).astype(np.float32))
    log_variance_layer.bias.assign(
        (np.asarray(to_numpy(log_variance_layer.bias), np.float64) + 2 * np.log(scale))
        .astype(np.float32))
