"""The four classes every paragraph gets: defined here and nowhere else."""

from __future__ import annotations

from typing import Literal

Label = Literal["body", "chrome", "comment", "spam"]

BODY: Label = "body"
CHROME: Label = "chrome"
COMMENT: Label = "comment"
SPAM: Label = "spam"

#: The classes in the order the model's probability columns use.
LABELS: tuple[Label, ...] = (BODY, CHROME, COMMENT, SPAM)


def check_label(value: str) -> Label:
    """Return `value` as a Label, or raise ValueError naming the four allowed ones."""
    if value not in LABELS:
        raise ValueError(f"unknown label {value!r}: expected one of {', '.join(LABELS)}")
    return value  # type: ignore[return-value]
