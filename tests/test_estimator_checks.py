"""scikit-learn's estimator checks that apply to skplate's transformers.

The transformers take images, not numeric 2-D arrays, so ``check_estimator`` as a whole
does not apply; these are the API checks that do.
"""

import pytest
from sklearn.utils import estimator_checks

from skplate.crop import PlateCropper
from skplate.filters import FilterBank
from skplate.normalize import CharNormalizer
from skplate.segment import CharacterSegmenter

COMMON_CHECKS = [
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_mixin_order,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
    estimator_checks.check_valid_tag_types,
]
EXTRA_CHECKS = {
    "PlateCropper": [estimator_checks.check_param_validation],
    "FilterBank": [
        estimator_checks.check_param_validation,
        estimator_checks.check_get_feature_names_out_error,
    ],
}
ESTIMATORS = [PlateCropper(), FilterBank(), CharNormalizer(), CharacterSegmenter()]


@pytest.mark.parametrize(
    ("estimator", "check"),
    [
        (estimator, check)
        for estimator in ESTIMATORS
        for check in COMMON_CHECKS + EXTRA_CHECKS.get(type(estimator).__name__, [])
    ],
    ids=lambda value: value.__name__ if callable(value) else type(value).__name__,
)
def test_sklearn_check(estimator, check):
    check(type(estimator).__name__, estimator)
