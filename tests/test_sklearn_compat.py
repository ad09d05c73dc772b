"""The whole scikit-learn estimator contract, on a small Reservoir."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from hrsnn import Reservoir


@parametrize_with_checks([Reservoir(n_neurons=40, steps_per_input=2, random_state=0)])
def test_sklearn_contract(estimator, check):
    check(estimator)
