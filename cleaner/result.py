"""The output types: a labelled `Paragraph` and the page's `Result`, both JSON-ready."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from cleaner.labels import Label


@dataclass(slots=True)
class Paragraph:
    """One block of the page with its label and the probability the model gave that label."""

    text: str
    label: Label
    score: float
    index: int  # position among the page's paragraphs
    start: int | None = None  # character offsets in the decoded text (text input only)
    end: int | None = None
    path: str | None = None  # HTML: the DOM path of the element that holds it
    probabilities: dict[str, float] = field(default_factory=dict)
    rule: str | None = None  # set when a rule, not the model, decided the label


@dataclass(slots=True)
class Result:
    """A cleaned page. `text` is the article: body paragraphs in order, a blank line between."""

    text: str
    paragraphs: list[Paragraph]
    kind: str
    encoding: str | None = None
    title: str | None = None
    date: str | None = None
    author: str | None = None
    url: str | None = None
    comments: list[str] | None = None
    reason: str | None = None  # why `text` is empty, when it is

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)
