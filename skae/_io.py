"""``skae.load``: read an estimator saved with ``AutoencoderTransformer.save``."""

import numpy as np

__all__ = ["load"]


def load(path):
    """Load an estimator written by :meth:`AutoencoderTransformer.save`.

    The network is read with Keras's ``safe_mode=True``, so a file cannot run
    code on loading (a ``Lambda`` layer, for instance, is refused), and
    nothing is unpickled.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    estimator : AutoencoderTransformer
        The fitted estimator, ready to ``transform``.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is corrupt, incomplete, of another format version, written
        by an incompatible Keras, unsafe, or inconsistent with its metadata.
        No estimator is returned then.

    See Also
    --------
    AutoencoderTransformer.save : Write such a file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, skae
    >>> X = np.random.RandomState(0).rand(50, 6)
    >>> est = skae.AutoencoderTransformer(2, epochs=2, random_state=0).fit(X)
    >>> path = est.save(os.path.join(tempfile.mkdtemp(), "model.skae"))
    >>> loaded = skae.load(path)
    >>> bool(np.array_equal(loaded.transform(X), est.transform(X)))
    True
    """
    from ._autoencoder import AutoencoderTransformer
    from ._persistence import read_estimator_file

    metadata, model = read_estimator_file(path)
    if metadata.get("class") != AutoencoderTransformer.__name__:
        raise ValueError(f"{path} holds a {metadata.get('class')!r}, not an AutoencoderTransformer.")
    try:
        params = dict(metadata["params"])
        for name in ("hidden_layer_sizes", "image_shape"):
            if isinstance(params.get(name), list):
                params[name] = tuple(params[name])
        estimator = AutoencoderTransformer(**params)
        estimator._validate_params()
        fitted = dict(metadata["fitted"])
        for name in metadata.get("tuple_attributes", []):
            if isinstance(fitted.get(name), list):
                fitted[name] = tuple(fitted[name])
        if "feature_names_in_" in fitted:
            fitted["feature_names_in_"] = np.asarray(fitted["feature_names_in_"], dtype=object)
        encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
        n_features = int(fitted["n_features_in_"])
        n_components = int(fitted["n_components_"])
    except Exception as exc:
        raise ValueError(f"{path} is not a valid .skae file: {type(exc).__name__}: {exc}") from exc
    if encoder.output_shape[-1] != n_components or model.input_shape[-1] != n_features:
        raise ValueError(
            f"{path} is inconsistent: its network maps {model.input_shape[-1]} features to "
            f"{encoder.output_shape[-1]} components, its metadata says {n_features} and "
            f"{n_components}."
        )
    estimator.__dict__.update(fitted)
    estimator.model_, estimator.encoder_, estimator.decoder_ = model, encoder, decoder
    return estimator
