"""The training settings, as one object, and the names they accept.

Knows nothing about Keras (so the estimator can validate its parameters
without loading it) and nothing about scikit-learn.
"""

import dataclasses

__all__ = ["LOSSES", "OPTIMIZERS", "TrainingSettings"]

#: Keras optimizers the estimator accepts by name (``keras.optimizers.get``).
OPTIMIZERS = frozenset({"adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad"})

#: Keras reconstruction losses the estimator accepts by name (``keras.losses.get``).
LOSSES = frozenset({"binary_crossentropy", "mse", "mae"})


@dataclasses.dataclass(frozen=True)
class TrainingSettings:
    """Everything that says how a network is trained, resolved from the estimator.

    Attributes
    ----------
    loss : {"binary_crossentropy", "mse", "mae"}
        Per-sample reconstruction loss.
    epochs, batch_size : int
        Passes over the training rows, and rows per gradient step.
    shuffle : bool
        Whether each epoch visits the rows in a new random order.
    verbose : int
        Keras's verbosity (0 silent, 1 progress bar, 2 one line per epoch).
    activity_l1 : float
        Weight of the L1 norm of each sample's code, added to its loss.
    noise_stddev : float
        Standard deviation of Gaussian noise added to the inputs in training.
    clip_noise : bool
        Whether noisy inputs are clipped to [0, 1] (sigmoid outputs).
    early_stopping : bool
        Stop when the monitored loss has not improved by more than ``tol``
        for ``n_iter_no_change`` epochs, and restore the best epoch's weights.
    n_iter_no_change : int
        Patience of early stopping, in epochs.
    tol : float
        Smallest decrease of the monitored loss that counts as an improvement.
    target_kind : {"classes", "values"} or None
        What the last ``target_columns`` columns of the training data hold
        (``skae._targets``): class labels or standardised values, then a
        mask; None when training reconstructs alone.
    target_columns : int
        How many columns of the training data are the target and its mask.
    target_weight : float
        What each labelled row's target loss is multiplied by before it is
        added to its reconstruction loss.
    """

    loss: str
    epochs: int
    batch_size: int
    shuffle: bool = True
    verbose: int = 0
    activity_l1: float = 0.0
    noise_stddev: float = 0.0
    clip_noise: bool = False
    early_stopping: bool = False
    n_iter_no_change: int = 10
    tol: float = 0.0
    target_kind: str | None = None
    target_columns: int = 0
    target_weight: float = 0.0

    def step_key(self):
        """The settings a compiled training step depends on (its cache key)."""
        return (self.loss, self.activity_l1, self.noise_stddev, self.clip_noise,
                self.target_kind, self.target_columns, self.target_weight)
