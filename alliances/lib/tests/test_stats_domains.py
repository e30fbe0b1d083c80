"""A narrow domain (under half the sample) is counted on its own rows: the same estimates as
the full pass, where respondents outside the domain are simply outside the base."""

import numpy as np
import pytest

from alliances.lib.stats import estimates


@pytest.mark.parametrize("share_inside", [0.05, 0.3, 0.7])
def test_single_choice_domain_equals_the_base_restricted(share_inside):
    rng = np.random.default_rng(7)
    n = 5000
    codes = rng.integers(-1, 4, n)
    groups = rng.integers(-1, 6, n)
    weights = rng.lognormal(0, 0.6, n)
    domain = rng.random(n) < share_inside
    via_domain = estimates.by_groups(codes, weights, 4, groups, 6, domain=domain)
    via_base = estimates.by_groups(np.where(domain, codes, -1), weights, 4, groups, 6)
    np.testing.assert_allclose(via_domain.share, via_base.share, rtol=1e-12)
    np.testing.assert_allclose(via_domain.se, via_base.se, rtol=1e-12)
    np.testing.assert_array_equal(via_domain.n, via_base.n)
    np.testing.assert_array_equal(via_domain.chosen_n, via_base.chosen_n)


@pytest.mark.parametrize("share_inside", [0.05, 0.7])
def test_multiple_choice_domain_equals_the_base_restricted(share_inside):
    rng = np.random.default_rng(8)
    n = 5000
    chosen = rng.random((n, 11)) < 0.4
    answered = rng.random(n) < 0.9
    groups = rng.integers(0, 5, n)
    weights = rng.lognormal(0, 0.6, n)
    domain = rng.random(n) < share_inside
    via_domain = estimates.multiple_choice(chosen, answered, weights, groups=groups,
                                           n_groups=5, domain=domain)
    via_base = estimates.multiple_choice(chosen, answered & domain, weights, groups=groups,
                                         n_groups=5)
    np.testing.assert_allclose(via_domain.share, via_base.share, rtol=1e-12)
    np.testing.assert_allclose(via_domain.se, via_base.se, rtol=1e-12)
    np.testing.assert_array_equal(via_domain.n, via_base.n)


def test_a_domain_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="domain"):
        estimates.by_groups([0, 1], [1.0, 1.0], 2, [0, 0], 1, domain=[True])
