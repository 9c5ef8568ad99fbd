"""The package's error classes: everything `cleaner` raises on purpose derives from CleanerError."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(CleanerError, ValueError):
    """The input is not a page: wrong type, or an unusable argument."""


class ModelError(CleanerError):
    """A model file is missing, corrupt, untrusted or does not match its card."""
