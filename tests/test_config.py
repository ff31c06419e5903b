"""Tests of helpers.config: one place for modes, sizes and epoch caps."""

import pytest

from helpers import config


def test_default_mode_is_full(monkeypatch):
    monkeypatch.delenv("BOOK_MODE", raising=False)
    assert config.current_mode() == "full"
    assert config.mode_settings().train_per_class is None


def test_quick_mode_is_a_small_stratified_subset_with_capped_epochs(monkeypatch):
    monkeypatch.setenv("BOOK_MODE", " Quick ")
    settings = config.mode_settings()
    assert settings.mode == "quick"
    assert 1000 <= 2 * settings.train_per_class <= 5000
    assert settings.epochs(20) == settings.max_epochs < 20
    assert config.mode_settings("full").epochs(20) == 20


def test_unknown_mode_names_the_choices(monkeypatch):
    monkeypatch.setenv("BOOK_MODE", "fast")
    with pytest.raises(ValueError, match="full, quick"):
        config.current_mode()
    with pytest.raises(ValueError):
        config.mode_settings("fast")


def test_epochs_must_be_positive():
    with pytest.raises(ValueError):
        config.mode_settings("full").epochs(0)
