"""Side-by-side comparison of PCA and autoencoders: the functions behind ``skae compare``.

:func:`compare_models` fits named models (or given estimators) on a
:class:`Split` and measures each on its test rows; :func:`sweep_components`
does so at several code widths; :func:`crossover` says where an autoencoder
beats PCA.  They return plain Python rows, for scripts and notebooks alike.

The job's other parts are private: the models it knows by name
(``skae._compare.models``), the measuring (``skae._compare.measure``), the
data sets it runs on (``skae._compare.registry``), its sentences
(``skae._compare.sentences``) and figures (``skae._compare.figures``).
"""

from ._compare.measure import Split, compare_models, feature_errors, sweep_components
from ._compare.models import MODELS, Budget, make_model
from ._compare.sentences import crossover

__all__ = ["MODELS", "Budget", "Split", "compare_models", "crossover", "feature_errors",
           "make_model", "sweep_components"]
