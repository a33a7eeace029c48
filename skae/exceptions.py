"""Exceptions raised by skae."""

__all__ = ["TrainingDivergedError"]


class TrainingDivergedError(ValueError):
    """Raised by ``fit`` when the training loss or the weights become NaN or infinite.

    The estimator is left as it was before the fit.  Lowering
    ``learning_rate`` or scaling the data usually helps.
    """
