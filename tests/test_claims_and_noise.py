"""Tests of helpers.claims and helpers.noise."""

import math

import numpy as np
import pytest

from helpers.claims import ClaimError, claim, count_claims
from helpers.noise import (
    Noise,
    accuracy_noise,
    clearly_different,
    difference_noise,
    mean_difference_noise,
    words_for,
    paired_bootstrap,
    seed_noise,
)


def test_a_true_claim_passes_and_a_flipped_one_names_its_sentence():
    claim(0.9 > 0.8, "the LSTM beats the SimpleRNN", lstm=0.9, rnn=0.8)
    claim(np.bool_(True), "numpy truth values are fine")
    with pytest.raises(ClaimError, match="the LSTM beats the SimpleRNN.*lstm=0.8"):
        claim(0.8 > 0.9, "the LSTM beats the SimpleRNN", lstm=0.8, rnn=0.9)


def test_a_claim_must_be_one_statement_with_a_sentence():
    with pytest.raises(TypeError, match="one truth value"):
        claim(np.array([True, False]), "two values")
    with pytest.raises(TypeError, match="sentence"):
        claim(True, "  ")


def test_count_claims_counts_calls_and_asserts_with_a_message_in_code():
    notebook = {
        "cells": [
            {"cell_type": "code", "source": "%time x = 1\nclaim(x, 'a')\n"},
            {
                "cell_type": "code",
                "source": ["for i in r:\n", "    claims.claim(i, 'b')"],
            },
            {"cell_type": "markdown", "source": "claim(x, 'not code')"},
            {"cell_type": "code", "source": "def f(:\n"},
            {
                "cell_type": "code",
                "source": "assert x.shape == (2,)\nassert y, 'y holds'",
            },
        ]
    }
    assert count_claims(notebook) == 3


def test_accuracy_noise_is_the_binomial_standard_error():
    noise = accuracy_noise(0.9, 10_000, "validation reviews")
    assert math.isclose(noise.size, 0.003)
    assert noise.kind == "the standard error on 10,000 validation reviews"
    with pytest.raises(ValueError, match="fraction"):
        accuracy_noise(90, 100)
    with pytest.raises(ValueError, match="positive whole number"):
        accuracy_noise(0.5, 0)


def test_difference_noise_adds_the_two_errors():
    noise = difference_noise(0.9, 0.9, 10_000)
    assert math.isclose(noise.size, 0.003 * math.sqrt(2))
    assert "10,000 reviews" in noise.kind
    assert "100 and 400" in difference_noise(0.5, 0.5, 100, m=400).kind


def test_seed_noise_is_the_sample_standard_deviation():
    noise = seed_noise([0.80, 0.82, 0.84])
    assert math.isclose(noise.size, 0.02)
    assert noise.kind == "the spread over 3 seeds"
    with pytest.raises(ValueError, match="at least two"):
        seed_noise([0.8])
    with pytest.raises(ValueError, match="finite"):
        seed_noise([0.8, float("nan")])


def test_paired_bootstrap_sees_a_consistent_gain_and_no_gain():
    rng = np.random.default_rng(1)
    base = rng.random(5000) < 0.85
    better = base.copy()
    better[np.flatnonzero(~base)[:150]] = True  # 150 more reviews right, 3 points
    result = paired_bootstrap(better, base, resamples=500)
    assert math.isclose(result.difference, 0.03)
    assert result.excludes_zero and result.low > 0.02
    same = paired_bootstrap(base, base.copy(), resamples=200)
    assert same.difference == 0 and not same.excludes_zero
    assert "5,000 test reviews" in result.noise.kind
    # The same seed gives the same interval.
    again = paired_bootstrap(better, base, resamples=500)
    assert (again.low, again.high) == (result.low, result.high)


def test_paired_bootstrap_refuses_mismatched_input():
    with pytest.raises(ValueError, match="same non-zero length"):
        paired_bootstrap([True, False], [True])
    with pytest.raises(ValueError, match="resamples"):
        paired_bootstrap([True], [False], resamples=10)


def test_clearly_different_needs_more_than_two_noise_units():
    noise = Noise(0.005, "x")
    assert clearly_different(0.011, noise)
    assert clearly_different(-0.011, noise)
    assert not clearly_different(0.009, noise)
    with pytest.raises(ValueError):
        Noise(float("nan"), "x")


def test_mean_difference_noise_is_the_standard_error_of_two_seed_means():
    noise = mean_difference_noise([0.80, 0.82, 0.84], [0.70, 0.70, 0.70])
    assert math.isclose(noise.size, 0.02 / math.sqrt(3))
    assert noise.kind == "the standard error of a difference of means over 3 seeds each"
    with pytest.raises(ValueError, match="at least two"):
        mean_difference_noise([0.8], [0.7, 0.7])


def test_words_for_calls_a_difference_only_outside_its_noise():
    noise = Noise(0.01, "x")
    assert words_for(0.03, noise, "higher than", "lower than") == "higher than"
    assert words_for(-0.03, noise, "higher than", "lower than") == "lower than"
    assert words_for(0.015, noise, "higher than", "lower than") == "within noise of"
    with pytest.raises(ValueError, match="say which noise"):
        words_for(0.03, 0.01, "a", "b")
