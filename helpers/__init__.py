"""Helpers for the RNN book."""
