"""Fixtures shared by the unit tests."""

import numpy as np
import pytest

from helpers.data import ReviewSplit


@pytest.fixture
def make_reviews():
    """A factory of ``ReviewSplit``s from texts, labels and ids (ratings 8 for positive, 2 for negative)."""

    def make(texts, labels, ids):
        labels = np.asarray(labels, np.int32)
        return ReviewSplit(
            tuple(texts),
            labels,
            np.where(labels == 1, 8, 2).astype(np.int32),
            np.asarray(ids, np.int32),
        )

    return make
