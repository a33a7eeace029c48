"""The default network: PCA's solution plus a learnt nonlinear correction.

Knows nothing about the estimator or about training loops: it builds a
network of dense layers and, given training rows, sets its weights so that
it starts as PCA fitted on them.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.utils._param_validation import StrOptions

from .. import _backend
from .._arrays import densify_at_once
from ._base import Architecture, positive_ints
from .dense import Dense

__all__ = ["Residual"]

#: Activations ``f`` with ``f(u) - f(-u) = u`` for every ``u``: a pair of
#: hidden units ``f(u)`` and ``f(-u)`` carries ``u`` through the layer exactly.
PASS_THROUGH_ACTIVATIONS = frozenset({"relu", "gelu", "silu", "softplus"})

#: Above this many features PCA's covariance matrix (n_features squared) is
#: not formed; ARPACK finds the components instead.
_COVARIANCE_MAX_FEATURES = 2048


class Residual(Architecture):
    """Dense autoencoder that starts as PCA and learns what PCA misses.

    The encoder is ``n_features -> hidden layers -> n_components`` and the
    decoder mirrors it, as in :class:`Dense`, with a linear code and a
    linear reconstruction.  Each hidden layer has ``2 * n_components`` units
    more than ``hidden_layer_sizes`` says: before training they carry PCA's
    projection through the layer in pairs (``relu(u) - relu(-u) = u``), and
    the other units, whose outgoing weights start at zero, are the nonlinear
    correction.  So the untrained network computes exactly PCA's codes and
    reconstructions (fitted on the training rows), and training, which
    changes every weight, starts from PCA's solution, the best any linear
    autoencoder of this width can do, instead of from a random one.

    With validation rows, :class:`~skae.AutoencoderTransformer` keeps that
    start unless a trained state reconstructs the validation rows better by
    more than one standard error of the per-row difference, and a start it
    keeps is PCA refitted on all the rows: on rows like the training rows the
    network is then as good as PCA, or better.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=(256,)
        Widths of the correction in the encoder's hidden layers, outermost
        first (each layer also has the ``2 * n_components`` pass-through
        units); the decoder mirrors them.
    activation : {"relu", "gelu", "silu", "softplus"}, default="relu"
        Activation of the hidden layers: one with ``f(u) - f(-u) = u``, so
        that a pair of units passes PCA's projection through exactly.

    Attributes
    ----------
    name : str
        ``"residual"``.

    See Also
    --------
    Dense : The Keras blog's dense autoencoders, randomly initialised.
    sklearn.decomposition.PCA : The start.

    Notes
    -----
    One hidden layer of 256 correction units is the default: on the
    tabular benchmark (``benchmarks/tabular.py``) a second layer lowered the
    error on some tables of thousands of rows, and on tables of a few
    hundred rows overfitted rows that the validation rows did not catch.

    Examples
    --------
    >>> from skae import AutoencoderTransformer
    >>> from skae.architectures import Residual
    >>> AutoencoderTransformer(4, architecture=Residual(hidden_layer_sizes=(64,)))
    AutoencoderTransformer(architecture=Residual(hidden_layer_sizes=(64,)),
                           n_components=4)
    """

    name = "residual"
    starts_as_pca = True
    description = "PCA's solution plus a learnt nonlinear correction (the default)"

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", int],
        "activation": [StrOptions(PASS_THROUGH_ACTIVATIONS)],
    }

    def __init__(self, hidden_layer_sizes=(256,), activation="relu"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation

    def resolve(self, n_features):
        self._validate_params()
        sizes = positive_ints(self.hidden_layer_sizes, "Residual", "hidden_layer_sizes")
        return clone(self).set_params(hidden_layer_sizes=sizes)

    def default_output_activation(self, low, high):
        """Linear, whatever the data's range: the start is PCA's linear reconstruction."""
        return "linear"

    def default_training(self, n_samples):
        """Up to 200 epochs, stopped and chosen on a tenth of the rows held out.

        Batches are about a twentieth of the training rows, from 16 to 256
        rows in multiples of 16 (which split evenly over the devices of a
        ``tf.distribute`` strategy), so that a small table still gets about
        twenty steps an epoch; the validation rows are a tenth of the rows,
        at least 10, and none below 20 rows.
        """
        validation = max(0.1, 10 / n_samples) if n_samples >= 20 else None
        n_train = n_samples - (round(validation * n_samples) if validation else 0)
        batch_size = 16 * min(16, max(1, round(n_train / 20 / 16)))
        return {"epochs": 200, "batch_size": batch_size, "validation_fraction": validation,
                "early_stopping": validation is not None}

    def _dense(self, n_components):
        hidden = positive_ints(self.hidden_layer_sizes, "Residual", "hidden_layer_sizes")
        return Dense(hidden_layer_sizes=tuple(2 * n_components + h for h in hidden),
                     activation=self.activation, code_activation="linear")

    def build(self, n_features, n_components, *, output_activation, seed):
        if output_activation != "linear":
            raise ValueError(
                "Residual starts as PCA, whose reconstructions are linear in the code: it "
                f"needs output_activation='linear' (or 'auto'), got {output_activation!r}. "
                "For a sigmoid output use architecture='dense'."
            )
        return self._dense(n_components).build(
            n_features, n_components, output_activation=output_activation, seed=seed)

    def initialize(self, autoencoder, X):
        """Set the weights so that the network computes PCA fitted on ``X``.

        The pass-through units and the code carry PCA's projection, the
        reconstruction layer PCA's inverse map; the correction units keep
        their incoming weights, and their outgoing weights become zero.
        With fewer rows or features than code units, the code units beyond
        PCA's components start at zero.
        """
        encoder, decoder = self.split(autoencoder)
        n_components = encoder.output_shape[-1]
        components, mean = _pca(X, n_components)
        projection = np.zeros((X.shape[1], n_components), np.float32)
        projection[:, :len(components)] = components.T
        identity = np.eye(n_components, dtype=np.float32)
        _pass_through(_dense_layers(encoder), projection, -mean @ projection, identity,
                      np.zeros(n_components, np.float32))
        _pass_through(_dense_layers(decoder), identity, np.zeros(n_components, np.float32),
                      projection.T, mean)
        return True


def _pca(X, n_components):
    """PCA's components (``(k, n_features)``, float32) and mean, fitted on ``X``.

    Sparse rows small enough to densify at once are densified first, as
    training densifies them, so that sparse and dense data start alike.  One
    row has a mean and no components.
    """
    if sp.issparse(X) and densify_at_once(X):
        X = X.toarray()
    if X.shape[0] < 2:
        mean = np.asarray(X.mean(axis=0), dtype=np.float32).reshape(-1)
        return np.zeros((0, X.shape[1]), np.float32), mean
    n = min(n_components, *X.shape)
    solver = "covariance_eigh" if X.shape[1] <= _COVARIANCE_MAX_FEATURES else "arpack"
    if solver == "arpack":
        n = min(n, min(X.shape) - 1)
    pca = PCA(n, svd_solver=solver, random_state=0).fit(X)
    return pca.components_.astype(np.float32), pca.mean_.astype(np.float32)


def _dense_layers(model):
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def _pass_through(layers, first_kernel, first_bias, last_kernel, last_bias):
    """Make a chain of dense layers compute one affine map after another.

    The chain computes ``(x @ first_kernel + first_bias) @ last_kernel +
    last_bias``.  The first ``2k`` units of each hidden layer hold ``f(u)`` and ``f(-u)``
    of the ``k`` values passed on (``k`` = the columns of ``first_kernel``);
    the weights from every other unit into them, and into the last layer,
    are set to zero, so those units change nothing until training moves
    their outgoing weights.
    """
    k = first_kernel.shape[1]
    identity = np.eye(k, dtype=np.float32)
    for i, layer in enumerate(layers):
        kernel, bias = (_backend.to_numpy(v) for v in (layer.kernel, layer.bias))
        if len(layers) == 1:  # no hidden layer: the composition itself
            kernel[:] = first_kernel @ last_kernel
            bias[:] = first_bias @ last_kernel + last_bias
        elif i == len(layers) - 1:
            kernel[:] = 0.0
            kernel[:k], kernel[k:2 * k] = last_kernel, -last_kernel
            bias[:] = last_bias
        else:
            if i == 0:
                kernel[:, :k], kernel[:, k:2 * k] = first_kernel, -first_kernel
                bias[:k], bias[k:2 * k] = first_bias, -first_bias
            else:  # f(u) - f(-u) = u, and the pair again
                kernel[:, :2 * k] = 0.0
                kernel[:2 * k, :2 * k] = np.block([[identity, -identity], [-identity, identity]])
                bias[:2 * k] = 0.0
        layer.kernel.assign(kernel)
        layer.bias.assign(bias)
