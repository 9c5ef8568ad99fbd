"""Synthetic training data: spam of many families and readers' comment threads, put into labelled pages.

Why: real labelled spam is rare (one seed page has it), so a model trained on real pages alone
learns a handful of phrases. This module writes varied spam from templates (training/templates/,
Chinese and English), places it where spam really stands on news pages (an ad paragraph between
body paragraphs, items of a recommended list, machine comments in a comment thread), adds
readers' comment threads, and labels everything it adds (a spam paragraph also names its `family`,
which training uses to keep one family's spam in one fold). The families are split so that a model
can be validated on spam families it never saw. Everything takes a `random.Random`: same seed,
same output.

    rng = random.Random(7)
    train, test = split_families(7)
    page = inject(page, rng, train)                      # a labelled text page, spam and comments added
    html, added = inject_html(html, rng, train, "zh")    # raw HTML, and the labelled texts it gained
"""

from __future__ import annotations

import copy
import functools
import html as htmllib
import itertools
import json
import random
import re
import string
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.html import segment_html
from cleaner.segment import BULLET, segment_text, squash, width

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The families the held-out split is drawn from (`split_families`): every seed's test side, and so
#: bench_spam's unseen families and tune_spam's validation families, depend on these alone.
SPLIT_FAMILIES: tuple[str, ...] = (
    "game_cheat", "gambling", "invoice", "loan", "click_farm", "private_server", "account_trade",
    "counterfeit", "adult", "pharma", "crypto_signal", "essay_writing", "seo_links", "machine_comment",
)
#: Families written after the split was fixed, to make the training spam more diverse: always on
#: the training side, never drawn for testing or validation, so adding them changed no split.
#: None of them sells what a held-out family of any seed's split could (game cheats, loans,
#: accounts, SEO links), so that the test side stays unseen.
TRAIN_ONLY_FAMILIES: tuple[str, ...] = (
    "fake_certificate", "exam_proxy", "hacker_lookup", "private_detective", "vpn_proxy", "surrogacy",
    "visa_job_abroad", "forex_mentor",
)
FAMILIES: tuple[str, ...] = SPLIT_FAMILIES + TRAIN_ONLY_FAMILIES
LANGS: tuple[str, ...] = ("zh", "en")
#: The shapes a spam paragraph takes: a list item's title, a news-like teaser that sells, a comment.
FORMS: tuple[str, ...] = ("title", "teaser", "comment")
_FORM_WEIGHTS = {"title": 3, "teaser": 5, "comment": 2}
#: Share of spam samples that carry contact bait (WeChat, QQ, phone, Telegram, short URL), unless a
#: family file says otherwise; the rest sell without it, so the model cannot rely on bait alone.
CONTACT_SHARE = 0.5
#: Families always on the test side: the seed's real spam is game cheats, validated unseen.
PINNED_TEST: tuple[str, ...] = ("game_cheat",)
#: Families always on the training side: machine comments are a shape, not a product, and the
#: shipped model (trained on the training side) must learn them.
PINNED_TRAIN: tuple[str, ...] = ("machine_comment",)
#: About this share of the families is held out for testing.
TEST_SHARE = 0.3
#: Default chance that each place (body, recommended list, comment thread) of a page gets spam.
SPAM_RATE = 0.6

Page = dict[str, Any]
Para = dict[str, Any]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_DATE_LINE = re.compile(r"^\s*(?:\d{4}[年/.-]\d{1,2}[月/.-]\d{1,2}日?|\d{1,2}[-/月]\d{1,2}日?)"
                        r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_DIGITS = re.compile(r"\d+")
_TOPIC_SPLIT = {
    "zh": re.compile(r"[!！?？,，:：;；、|｜\s“”\"《》()（）【】\[\]—…·/]+"),
    "en": re.compile(r"\s*[:;|–—?!(),\"“”]\s*|\s+-\s+"),
}
_HALF = str.maketrans("，！？：；（）", ",!?:;()")


# --- templates -------------------------------------------------------------------------------


@functools.cache
def _load(name: str) -> dict[str, Any]:
    """A template file, parsed once per process."""
    return json.loads((TEMPLATES / name).read_text(encoding="utf-8"))


def _family_file(family: str) -> dict[str, Any]:
    """A family's templates; unknown names fail here rather than as a missing file."""
    if family not in FAMILIES:
        raise ValueError(f"unknown spam family {family!r}: expected one of {', '.join(FAMILIES)}")
    return _load(f"spam/{family}.json")


def family_langs(family: str) -> tuple[str, ...]:
    """The languages a family has templates in (invoice and private servers are Chinese-only spam)."""
    data = _family_file(family)
    return tuple(lang for lang in LANGS if lang in data)


def template_counts() -> dict[str, dict[str, int]]:
    """Templates per family and language (all forms), for reports and tests."""
    return {f: {lang: sum(len(_family_file(f)[lang].get(form, ())) for form in FORMS) for lang in family_langs(f)}
            for f in FAMILIES}


def _builtin_slots() -> dict[str, list[str]]:
    """Zero-padded calendar slots, generated rather than typed into every template file."""
    return {
        "mm": [f"{m:02d}" for m in range(1, 13)], "dd": [f"{d:02d}" for d in range(1, 29)],
        "hh": [f"{h:02d}" for h in range(24)], "mi": [f"{m:02d}" for m in range(60)],
        "m": [str(m) for m in range(1, 13)], "d": [str(d) for d in range(1, 29)],
        "year": ["2023", "2024", "2025", "2025", "2026", "2026"],
    }


_BUILTIN = _builtin_slots()
_ALNUM = string.ascii_lowercase + string.digits


class _Renderer:
    """Expands a template: `{slot}` (one value per render), `{slot*}` (a fresh value), `{a|b}` (a choice),
    `{?text}` (half the time), `{#10-99}` (a number), `{%6}` (digits), `{@6}` (letters and digits),
    `{contact}` (contact bait, or nothing when this sample goes without).

    Slot values are templates too, so word lists can nest their own structure.
    """

    MAX_DEPTH = 16

    def __init__(self, rng: random.Random, slots: Sequence[Mapping[str, Sequence[str]]],
                 context: Mapping[str, str] | None = None, bait: bool = False) -> None:
        self.rng = rng
        self.slots = [*slots, _BUILTIN]
        self.fixed: dict[str, str] = dict(context or {})
        self.bait = bait
        self.used_contact = False
        self.seen: dict[str, list[str]] = {}

    def render(self, template: str, depth: int = 0) -> str:
        if depth > self.MAX_DEPTH:
            raise ValueError(f"template nests too deep: {template[:60]!r}")
        out: list[str] = []
        i = 0
        while True:
            j = template.find("{", i)
            if j < 0:
                out.append(template[i:])
                return "".join(out)
            out.append(template[i:j])
            k = _closing(template, j)
            out.append(self._directive(template[j + 1:k], depth))
            i = k + 1

    def pick(self, name: str) -> str:
        for table in self.slots:
            if name in table:
                return self.rng.choice(table[name])
        raise KeyError(f"no slot {name!r} in the templates")

    def _directive(self, body: str, depth: int) -> str:
        rng = self.rng
        if body.startswith("?"):
            return self.render(body[1:], depth + 1) if rng.random() < 0.5 else ""
        choices = _split_top(body)
        if len(choices) > 1:
            return self.render(rng.choice(choices), depth + 1)
        if body.startswith("#"):
            low, high = body[1:].split("-")
            return str(rng.randint(int(low), int(high)))
        if body.startswith("%"):
            n = int(body[1:])
            return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(n - 1))
        if body.startswith("@"):
            n = int(body[1:])
            return rng.choice(string.ascii_lowercase) + "".join(rng.choice(_ALNUM) for _ in range(n - 1))
        fresh = body.endswith("*")
        name = body.rstrip("*")
        if name == "contact":
            self.used_contact = self.used_contact or self.bait
            return self.render(self.pick("contact"), depth + 1) if self.bait else ""
        if not fresh and name in self.fixed:
            return self.fixed[name]
        seen = self.seen.setdefault(name, [])
        value = self.render(self.pick(name), depth + 1)
        for _ in range(4):  # a fresh value should differ from the ones this render already used
            if value not in seen:
                break
            value = self.render(self.pick(name), depth + 1)
        seen.append(value)
        if not fresh:
            self.fixed[name] = value
        return value


def _closing(text: str, start: int) -> int:
    """Index of the brace closing the one at `start` (directives nest)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced braces in template: {text!r}")


def _split_top(body: str) -> list[str]:
    """Split at the `|` that are not inside nested braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


_EMPTY_PAIRS = re.compile(r"\(\s*\)|（\s*）|“\s*”|【\s*】|\[\s*\]|《\s*》")
_STRAY_COMMA = re.compile(r"[，,、；;]\s*(?=[，,。！？!?；;.])")
_DOUBLE_DOT = re.compile(r"(?<!\.)\.\.(?!\.)")


def _tidy(text: str, lang: str) -> str:
    """Mend what empty slots leave behind: empty brackets, doubled punctuation, a dangling comma."""
    text = _EMPTY_PAIRS.sub("", text)
    text = re.sub(r"[ \t\u3000]+", " ", text)
    text = _STRAY_COMMA.sub("", text)
    if lang == "en":
        text = re.sub(r"\s+([,.!?;:])(?=\s|$)", r"\1", text)
        text = _DOUBLE_DOT.sub(".", text)
    text = text.strip()
    if text and text[-1] in "，,、；;：:" and not text.endswith("://"):
        text = text[:-1].rstrip() + ("。" if lang == "zh" else ".")
    return text


def _capital(text: str, lang: str) -> str:
    """English headlines, names and comments start with a capital even when a slot put a lowercase word first."""
    if lang == "en" and text[:1].islower() and not text.startswith(("http", "www.")):
        return text[0].upper() + text[1:]
    return text


def _halfwidth(text: str) -> str:
    """Full-width punctuation as half-width, the way many scrapers normalise Chinese pages."""
    return text.translate(_HALF)


def _render(rng: random.Random, template: str, slots: Sequence[Mapping[str, Sequence[str]]], lang: str,
            context: Mapping[str, str] | None = None, half: bool = False) -> str:
    text = _capital(_tidy(_Renderer(rng, slots, context).render(template), lang), lang)
    return _halfwidth(text) if half else text


def _common(lang: str) -> dict[str, list[str]]:
    """Slots every family shares (contact bait, URLs, people, sites)."""
    return _load("common.json")[lang]["slots"]


# --- spam ------------------------------------------------------------------------------------


def spam_paragraph(family: str, lang: str, rng: random.Random, *, form: str | None = None,
                   context: Mapping[str, str] | None = None) -> str:
    """One spam paragraph of `family` in `lang`: a list title, a teaser posing as news that sells, or a comment.

    `context` fixes slots (title, lead_cut, site, author, topic) so that machine comments quote the
    page they stand on; `form` picks the shape (random when None).
    """
    return _spam(family, lang, rng, form=form, context=context, half=rng.random() < 0.5)


def _spam(family: str, lang: str, rng: random.Random, *, form: str | None = None,
          context: Mapping[str, str] | None = None, half: bool = False) -> str:
    data = _family_file(family)
    if lang not in data:
        raise ValueError(f"family {family!r} has no {lang!r} templates (it has {', '.join(family_langs(family))})")
    spec = data[lang]
    forms = [f for f in FORMS if spec.get(f)]
    if form is None:
        form = rng.choices(forms, weights=[_FORM_WEIGHTS[f] for f in forms])[0]
    elif form not in forms:
        raise ValueError(f"unknown form {form!r} for {family}/{lang}: expected one of {', '.join(forms)}")
    bait = rng.random() < float(data.get("contact_share", CONTACT_SHARE))
    renderer = _Renderer(rng, [spec.get("slots", {}), _common(lang)], context, bait)
    text = renderer.render(rng.choice(spec[form]))
    if bait and not renderer.used_contact and form != "title" and rng.random() < 0.6:
        tail = renderer.render("{contact}")
        text = f"{text}{tail}" if lang == "zh" else f"{text} {tail}"
    text = _tidy(text, lang)
    if form == "title":
        text = _capital(text, lang)
    return _halfwidth(text) if half and lang == "zh" else text


def spam_para(text: str, family: str) -> Para:
    """A spam paragraph as the generators return it: with the family that wrote it, which training
    needs to keep one family's spam in one cross-validation fold (`train_model._spam_groups`)."""
    return {"text": text, "label": "spam", "family": family}


def _para(text: str, family: str | None, label: str) -> Para:
    """`text` as spam of `family`, or labelled `label` when no family wrote it (a neutral list item,
    a reader's comment)."""
    return spam_para(text, family) if family else {"text": text, "label": label}


def _public(para: Para) -> Para:
    """A paragraph without the layout marks (`_glue`, `_indent`) used while rendering: its text,
    label and, for generated spam, family."""
    return {k: para[k] for k in ("text", "label", "family") if k in para}


def _pick_family(rng: random.Random, families: Sequence[str], main: str | None) -> str:
    """The page's main family most of the time (spam pages push one product), another one sometimes."""
    if main is not None and (len(families) == 1 or rng.random() < 0.75):
        return main
    return rng.choice(list(families))


# --- neutral page furniture: recommended lists, dates, counters --------------------------------


def _news(rng: random.Random, lang: str, what: str, half: bool) -> str:
    """A neutral headline or teaser for a recommended list (chrome)."""
    spec = _load("news.json")[lang]
    return _render(rng, rng.choice(spec[what]), [spec["slots"], _common(lang)], lang, half=half)


def _furniture(rng: random.Random, lang: str, what: str, context: Mapping[str, str] | None = None) -> str:
    spec = _load("furniture.json")[lang]
    return _render(rng, rng.choice(spec[what]), [spec.get("slots", {}), _common(lang)], lang, context)


def _truncate(rng: random.Random, text: str, lang: str) -> str:
    """Cut a list teaser where sites cut it: at a fixed length, mid-word, often with no ellipsis."""
    limit = rng.randint(90, 150) if lang == "zh" else rng.randint(160, 300)
    if len(text) <= limit:
        return text
    cut = text[:limit].rstrip()
    return cut + rng.choice(["", "", "...", "…"])


# --- comment threads -------------------------------------------------------------------------


@dataclass(slots=True)
class _Comment:
    name: str
    date: str
    text: str
    counter: str | None
    family: str | None = None  # the spam family of a machine comment; None for a reader's
    replies: list[_Comment] = field(default_factory=list)
    parent: str | None = None


@dataclass(slots=True)
class _Thread:
    head: list[str]
    comments: list[_Comment]
    tail: list[str]
    spam_families: list[str] = field(default_factory=list)

    def count(self) -> int:
        """Comments and replies, the number a heading like 评论列表(N条) prints."""
        return sum(1 + len(c.replies) for c in self.comments)


def _topic(title: str, lang: str, rng: random.Random) -> str:
    """A phrase of the title that a reader would name the story by."""
    pieces = [p.strip() for p in _TOPIC_SPLIT[lang].split(title) if p.strip()]
    if lang == "zh":
        good = [p for p in pieces if 2 <= len(p) <= 14]
        return rng.choices(good, weights=[len(p) for p in good])[0] if good else title[:12]
    good = [p for p in pieces if 2 <= len(p.split()) <= 8]
    return rng.choice(good) if good else " ".join(title.split()[:6])


def _make_thread(lang: str, rng: random.Random, title: str, n: int | None, machine: int,
                 spam_families: Sequence[str], context: Mapping[str, str] | None, half: bool) -> _Thread:
    """A thread: headings and prompts, readers' comments (some with replies), `machine` spam comments."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    spec = _load("comments.json")[lang]
    slots = [spec["slots"], _common(lang)]
    ctx = {"title": title, "topic": _topic(title, lang, rng)}
    if n is None:
        n = rng.choices(range(9), weights=[1, 4, 4, 4, 3, 3, 2, 2, 2])[0]
    date_template = rng.choice(spec["date"])
    with_counter = rng.random() < 0.6

    def say(kind: str) -> str:
        return _render(rng, rng.choice(spec[kind]), slots, lang, ctx, half)

    def reader(parent: str | None = None) -> _Comment:
        if parent is not None:
            kind = "reply"
        else:
            kind = rng.choices(["opinion", "short", "question", "skeptic"], weights=[10, 3, 3, 1])[0]
        text = _render(rng, rng.choice(spec[kind]), slots, lang, {**ctx, "parent": parent or ""}, half)
        return _Comment(say("name"), _render(rng, date_template, slots, lang, half=half), text,
                        say("counter") if with_counter else None, parent=parent)

    comments = [reader() for _ in range(n)]
    for comment in comments:
        if rng.random() < 0.2:
            comment.replies = [reader(comment.name) for _ in range(rng.choice([1, 1, 2]))]
    spam: list[_Comment] = []
    spam_families_used: list[str] = []
    if machine:
        families = list(spam_families) or ["machine_comment"]
        others = [f for f in families if f != "machine_comment"]
        ctx_machine = dict(context or {})
        ctx_machine.setdefault("title", title)
        author = ctx_machine.get("author") or say("name")
        for _ in range(machine):
            # content farms' own comments most of the time, the page's product spam otherwise
            family = rng.choice(others) if others and ("machine_comment" not in families or rng.random() < 0.35) \
                else "machine_comment"
            if lang not in family_langs(family):
                family = "machine_comment"
            name = author if family == "machine_comment" else say("name")
            spam_families_used.append(family)
            text = _spam(family, lang, rng, form="comment", context=ctx_machine, half=half)
            spam.append(_Comment(name, _render(rng, date_template, slots, lang, half=half), text,
                                 say("counter") if with_counter else None, family=family))
    if spam and rng.random() < 0.5:
        at = rng.randint(0, len(comments))
        comments[at:at] = spam
    else:
        for item in spam:
            comments.insert(rng.randint(0, len(comments)), item)
    thread = _Thread([], comments, [], spam_families_used)
    total = str(thread.count())
    heads = [_render(rng, rng.choice(spec["heading"]), slots, lang, {**ctx, "n": total}, half)]
    if rng.random() < 0.6:
        heads.insert(rng.choice([0, 1]), say("prompt"))
    if rng.random() < 0.3:
        heads.insert(0, say("compose"))
    thread.head = heads
    if rng.random() < 0.3:
        thread.tail.append(_render(rng, rng.choice(spec["tail"]), slots, lang, {**ctx, "n": total}, half))
    return thread


def _thread_lines(thread: _Thread, lang: str, rng: random.Random) -> list[Para]:
    """A thread as a scraped text dump prints it; `_glue` marks a line that follows the previous one
    without a blank line (a name over its date, as seed 002 has them)."""
    style = rng.choice(["bullet", "line", "stacked"] if lang == "zh" else ["dot", "says", "stacked"])
    lines: list[Para] = [{"text": h, "label": "comment"} for h in thread.head]

    def add(comment: _Comment, reply_to: str | None) -> None:
        name = comment.name
        if reply_to is not None and rng.random() < 0.5:
            name = f"{name} 回复 {reply_to}" if lang == "zh" else f"{name} replied to {reply_to}"
        if style == "bullet":
            head = [f"• {comment.name}", f"{name} {comment.date}"]
        elif style == "line":
            head = [f"{name} {comment.date}"]
        elif style == "dot":
            head = [f"{name} · {comment.date}"]
        elif style == "says":
            head = [f"{name} says:", comment.date]
        else:
            head = [name, comment.date]
        for i, text in enumerate(head):
            lines.append({"text": text, "label": "comment", "_glue": i > 0})
        lines.append(_para(comment.text, comment.family, "comment"))
        if comment.counter:
            lines.append({"text": comment.counter, "label": "comment"})
        for reply in comment.replies:
            add(reply, comment.name)

    for comment in thread.comments:
        add(comment, None)
    lines.extend({"text": t, "label": "comment"} for t in thread.tail)
    return lines


def comment_thread(lang: str, rng: random.Random, title: str, n: int | None = None, *, machine: int = 0,
                   families: Sequence[str] = ("machine_comment",),
                   context: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """A comment section as text lines: headings, prompts, commenter names and dates, counters, and
    `n` readers' comments about `title` (random when None), all `comment`; plus `machine` spam
    comments drawn from `families` (machine comments by default), labelled `spam`.

    `context` (site, author, lead_cut, topics) lets machine comments quote the page.
    """
    thread = _make_thread(lang, rng, title, n, machine, families, context, half=lang == "zh" and rng.random() < 0.5)
    return [_public(p) for p in _thread_lines(thread, lang, rng)]


# --- pages -----------------------------------------------------------------------------------


def detect_lang(texts: Sequence[str]) -> str:
    """zh when CJK characters are a good share of the letters, en (any Latin script) otherwise."""
    sample = "".join(texts)[:20000]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    return "zh" if cjk > 0.3 * (cjk + latin / 5) and cjk > 0 else "en"


def _uses_halfwidth(texts: Sequence[str]) -> bool:
    """Whether the page prints Chinese punctuation half-width, so inserted text can match it."""
    sample = "".join(texts)
    return sample.count(",") + sample.count("!") > sample.count("，") + sample.count("！")


def _page_context(texts: Sequence[str], lang: str, rng: random.Random, half: bool) -> dict[str, str]:
    """What machine comments quote: the page's title and lead, a site name and an author."""
    title = next((t for t in texts if len(t) >= 4 and width(t) <= 90), "")
    lead = next((t for t in texts if t != title and width(t) >= 80), "")
    if not title:
        title = _news(rng, lang, "title", half)
    if not lead:
        lead = _news(rng, lang, "teaser", half)
    compact = re.sub(r"\s+(?=[,，。.!！?？;；:：、])", "", lead) if lang == "zh" else lead
    cut = compact[: rng.randint(70, 110)] if lang == "zh" else " ".join(compact.split()[: rng.randint(25, 45)])
    slots = [_common(lang)]
    return {"title": title, "topic": _topic(title, lang, rng), "lead_cut": cut,
            "site": _render(rng, "{site}", slots, lang), "author": _render(rng, "{person}", slots, lang)}


_SITE_PATTERNS = (re.compile(r"不代表\s*([^\s,，。:：]{2,10}?)\s*(?:的)?立场"),
                  re.compile(r"本站\s*[\[【]([^\]】]{2,12})[\]】]"),
                  re.compile(r"版权所有\s*[:：]?\s*(?:©\s*)?([^\s,，。|]{2,16})"),
                  re.compile(r"©\s*(?:\d{4}(?:-\d{4})?\s*)?([A-Z][\w.]*(?: [A-Z][\w.]*){0,3})"))
_AUTHOR_PATTERN = re.compile(r"(?:本文来自作者|作者)\s*[\[【:：]\s*([^\]】\s,，]{2,8})")


def _site_and_author(chrome: Sequence[str]) -> dict[str, str]:
    """The site's name and the author as the page's own chrome prints them (a disclaimer, a copyright
    line), so that machine comments name the site they stand on, as seed 002's do."""
    found: dict[str, str] = {}
    for text in chrome:
        for pattern in _SITE_PATTERNS:
            if "site" not in found and (m := pattern.search(text)):
                found["site"] = m.group(1)
        if "author" not in found and (m := _AUTHOR_PATTERN.search(text)):
            found["author"] = m.group(1)
    return found


def _item_spans(paras: Sequence[Para]) -> list[tuple[int, int]]:
    """The recommended-list items already on a page: (first line, end) of each run of chrome lines
    that starts with a bullet."""
    starts = [i for i, p in enumerate(paras) if p["label"] == "chrome" and BULLET.match(p["text"])]
    if len(starts) < 2:
        return []
    spans = []
    usual = min(b - a for a, b in itertools.pairwise(starts))
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) and starts[k + 1] - start <= 6 else start + min(usual, 6)
        stop = start + 1
        while stop < min(end, len(paras)) and paras[stop]["label"] == "chrome" \
                and not BULLET.match(paras[stop]["text"]):
            stop += 1
        spans.append((start, stop))
    return spans


def _bullet_of(text: str) -> str:
    """The bullet a list line starts with, so an inserted item looks like its neighbours."""
    match = BULLET.match(text)
    return (match.group(0).strip() + " ") if match else ""


def _like(rng: random.Random, line: str, lang: str) -> str:
    """Scaffolding like `line` (a date, a view count) with other numbers: what the next item prints."""
    if _DATE_LINE.match(line):
        def date_part(m: re.Match[str]) -> str:
            digits = m.group(0)
            return str(rng.randint(2023, 2026)) if len(digits) == 4 else f"{rng.randint(1, 28):0{len(digits)}d}"
        return _DIGITS.sub(date_part, line)
    return _DIGITS.sub(lambda m: str(rng.randint(10 ** (len(m.group(0)) - 1), 10 ** len(m.group(0)) - 1)), line)


def _list_item(rng: random.Random, lang: str, shape: Sequence[str], bullet: str, spam_family: str | None,
               half: bool, teaser_from: Sequence[str] = ()) -> list[Para]:
    """One recommended-list item of the given shape (title, teaser, date, count…): a neutral one
    (chrome) or a spam one, whose title and teaser are spam and whose date and count stay chrome."""
    out: list[Para] = []
    for k, part in enumerate(shape):
        if part == "title":
            text = (_spam(spam_family, lang, rng, form="title", half=half) if spam_family
                    else _news(rng, lang, "title", half))
            out.append(_para(bullet + text, spam_family, "chrome"))
        elif part == "teaser":
            text = (_spam(spam_family, lang, rng, form="teaser", half=half) if spam_family
                    else _news(rng, lang, "teaser", half))
            out.append(_para(_truncate(rng, text, lang), spam_family, "chrome"))
        elif part == "like":
            out.append({"text": _like(rng, teaser_from[k], lang), "label": "chrome"})
        else:
            out.append({"text": _furniture(rng, lang, part), "label": "chrome"})
    return out


_SHAPES = {
    "zh": [["title"], ["title", "date"], ["title", "teaser", "date", "count"], ["title", "date", "count"],
           ["title", "teaser", "date", "count"], ["title", "teaser"]],
    "en": [["title"], ["title", "date"], ["title", "teaser"], ["title", "teaser", "date"],
           ["title", "date", "count"]],
}


def _new_list(rng: random.Random, lang: str, spam_families: Sequence[str], main: str | None,
              with_spam: bool, half: bool) -> tuple[list[Para], list[str]]:
    """A recommended list the page did not have: heading and neutral items (chrome), spam items among them."""
    shape = rng.choice(_SHAPES[lang])
    bullet = rng.choice(["• ", "• ", "", "· "])
    n = rng.randint(3, 8)
    spam_at: set[int] = set()
    if with_spam and spam_families:
        spam_at = set(rng.sample(range(n), k=min(n, rng.randint(1, 3))))
    used: list[str] = []
    lines: list[Para] = [{"text": _furniture(rng, lang, "list_heading"), "label": "chrome"}]
    for i in range(n):
        family = _pick_family(rng, spam_families, main) if i in spam_at else None
        if family:
            used.append(family)
        lines.extend(_list_item(rng, lang, shape, bullet, family, half))
    return lines, used


def _glue(lines: list[Para]) -> None:
    """Print short scaffolding lines (dates, counts, a name over its date) without a blank line between,
    as seed 002 does; only after a short line, so the segmenter never reads the pair as wrapped prose."""
    for prev, line in itertools.pairwise(lines):
        if "_glue" not in line:
            line["_glue"] = width(prev["text"]) < 40 and width(line["text"]) < 40


def _render_raw(paras: Sequence[Para]) -> str:
    """The page as a scraped text dump; falls back to a blank line between all paragraphs when the
    layout would make the segmenter cut blocks other than the labelled paragraphs."""
    parts: list[str] = []
    for i, p in enumerate(paras):
        indent = "  " if p.get("_indent") and BULLET.match(p["text"]) else ("    " if p.get("_indent") else "")
        if i:
            parts.append("\n" if p.get("_glue") and paras[i - 1].get("_indent") and p.get("_indent") else "\n\n")
        parts.append(indent + p["text"])
    raw = "".join(parts) + "\n"
    if [squash(b.text) for b in segment_text(raw)] == [squash(p["text"]) for p in paras]:
        return raw
    return "\n\n".join(p["text"] for p in paras) + "\n"


def _usable(families: Sequence[str], lang: str) -> list[str]:
    """The given families that exist in `lang`, in order, once each; unknown names raise."""
    for family in families:
        _family_file(family)  # unknown names fail loudly
    return [f for f in dict.fromkeys(families) if lang in family_langs(f)]


def inject(page: Page, rng: random.Random, families: Sequence[str], *, comments: bool = True,
           spam_rate: float = SPAM_RATE, lang: str | None = None) -> Page:
    """A copy of a labelled page with spam and a comment thread added where they stand on real pages.

    Each place gets spam with chance `spam_rate`: an ad paragraph between two body paragraphs;
    spam items inside the page's recommended list (or a new list after the body, whose heading and
    neutral items are chrome); machine comments in the comment thread. With `comments`, a readers'
    thread is appended after the body (and lists) unless the page has comments already. The copy is
    a text page whose `raw` is the new dump; `synth` records what was added, and each spam paragraph
    its `family`. The input is not changed.
    """
    paras: list[Para] = [_public(p) for p in page["paragraphs"]]
    body = [i for i, p in enumerate(paras) if p["label"] == "body"]
    lang = lang or detect_lang([paras[i]["text"] for i in body] or [p["text"] for p in paras])
    usable = _usable(families, lang)
    content = [f for f in usable if f != "machine_comment"]
    main = rng.choice(content) if content else None
    half = lang == "zh" and _uses_halfwidth([paras[i]["text"] for i in body])
    context = _page_context([paras[i]["text"] for i in body], lang, rng, half)
    context.update(_site_and_author([p["text"] for p in paras if p["label"] != "body"]))
    plan: dict[int, list[Para]] = defaultdict(list)
    used: list[str] = []

    # 1. an ad written as a paragraph, between two body paragraphs (not right under the headline)
    gaps = [j for a, j in itertools.pairwise(body) if j == a + 1 and a != body[0]]
    if content and gaps and rng.random() < spam_rate:
        for j in rng.sample(gaps, k=min(len(gaps), rng.choice([1, 1, 1, 2]))):
            family = _pick_family(rng, content, main)
            used.append(family)
            form = rng.choices(["teaser", "title"], weights=[3, 1])[0]
            plan[j].append(spam_para(_spam(family, lang, rng, form=form, half=half), family))

    # 2. recommended list: spam items inside the page's own list, or a new list after the body
    spans = _item_spans(paras)
    after_body = (body[-1] + 1) if body else len(paras)
    anchor = after_body
    if spans:
        anchor = max(anchor, spans[-1][1])
        if content and rng.random() < spam_rate:
            for start, stop in rng.sample(spans, k=min(len(spans), rng.randint(1, 3))):
                family = _pick_family(rng, content, main)
                used.append(family)
                model = [p["text"] for p in paras[start:stop]]
                shape = ["title"] + [("teaser" if width(t) >= 60 else "like") for t in model[1:]]
                item = _list_item(rng, lang, shape, _bullet_of(model[0]), family, half, model)
                plan[start].extend(dict(p, _indent=True) for p in item)
    elif body and rng.random() < 0.7:
        lines, families_used = _new_list(rng, lang, content, main, rng.random() < spam_rate, half)
        used.extend(families_used)
        plan[after_body].extend(dict(p, _indent=i > 0) for i, p in enumerate(lines))

    # 3. comments: machine comments among the page's own, or a new thread after body and lists
    have = [i for i, p in enumerate(paras) if p["label"] == "comment"]
    spam_families = [f for f in ("machine_comment", main) if f in usable]
    machine = rng.randint(1, 4) if spam_families and rng.random() < spam_rate else 0
    if have and machine:
        end = have[-1] + 1
        while end < len(paras) and paras[end]["label"] == "spam":  # the thread's own machine comments
            end += 1
        thread = _make_thread(lang, rng, context["title"], 0, machine, spam_families, context, half)
        thread.tail = []
        lines = _thread_lines(thread, lang, rng)[len(thread.head):]
        plan[end].extend(dict(p, _indent=True) for p in lines)
        used.extend(thread.spam_families)
    elif not have and comments and body:
        thread = _make_thread(lang, rng, context["title"], None, machine, spam_families, context, half)
        lines = _thread_lines(thread, lang, rng)
        plan[anchor].extend(dict(p, _indent=k >= len(thread.head)) for k, p in enumerate(lines))
        used.extend(thread.spam_families)

    result = _assembled(page, paras, plan)
    result["synth"] = {"lang": lang, "families": sorted(set(used))}
    return result


def _assembled(page: dict, paras: list[Para], plan: dict[int, list[Para]]) -> dict:
    """A copy of the text page `page` with the planned paragraphs inserted before paras[i]
    (plan[len(paras)] after the last), rendered to raw text."""
    out: list[Para] = []
    for i in range(len(paras) + 1):
        out.extend(plan.get(i, ()))
        if i < len(paras):
            out.append(paras[i])
    _glue(out)
    result = copy.deepcopy(page)
    result["kind"] = "text"
    result["raw"] = _render_raw(out)
    result["paragraphs"] = [_public(p) for p in out]
    return result


# --- raw HTML --------------------------------------------------------------------------------

_P_TAG = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.I | re.S)
_SKIP = re.compile(r"<(script|style|textarea|template|noscript|svg|iframe)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_RELATED_UL = re.compile(r"<(ul|ol)\b[^>]*\b(?:class|id)\s*=\s*[\"'][^\"']*(?:related|recommend|tuijian|xiangguan)"
                         r"[^\"']*[\"'][^>]*>", re.I)
_BODY_END = re.compile(r"</body\s*>", re.I)


def _esc(text: str) -> str:
    """Text as HTML character data (the segmenter unescapes it back to the labelled text)."""
    return htmllib.escape(text, quote=False)


def _neutral_class(rng: random.Random) -> str:
    """A class name that says nothing (CSS-module hashes, utility classes)."""
    return rng.choice(["css-{}", "_{}", "c-{}", "m-{}", "x{}", "b-{}"]).format(
        "".join(rng.choice(_ALNUM) for _ in range(rng.randint(3, 7))))


@dataclass(slots=True)
class _Edit:
    """Markup to insert at a position of the original HTML, with the labelled texts it adds."""

    at: int
    markup: str
    labelled: list[dict[str, str]]


def _skip_spans(html: str) -> list[tuple[int, int]]:
    """Scripts, styles and comments: `<p>` look-alikes inside them are not paragraphs."""
    return [(m.start(), m.end()) for m in _SKIP.finditer(html)]


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _paragraph_gaps(html: str, skip: Sequence[tuple[int, int]]) -> tuple[list[int], int | None]:
    """Positions between two article paragraphs, and the end of the article's last paragraph.

    The article is taken to be the run of sibling `<p>` with long text that holds the most text, so
    that spam lands in the story rather than in a pop-up or a form that happens to have paragraphs.
    """
    runs: list[list[re.Match[str]]] = []
    sizes: list[int] = []
    for m in _P_TAG.finditer(html):
        if _inside(m.start(), skip) or "<p" in m.group(1).lower():
            continue
        size = width(squash(htmllib.unescape(_TAG.sub("", m.group(1)))))
        if size < 40:
            continue
        if runs and not html[runs[-1][-1].end():m.start()].strip():
            runs[-1].append(m)
            sizes[-1] += size
        else:
            runs.append([m])
            sizes.append(size)
    if not runs:
        return [], None
    best = runs[max(range(len(runs)), key=sizes.__getitem__)]
    return [m.end() for m in best[:-1]], best[-1].end()


def _html_list_item(rng: random.Random, lang: str, shape: str, family: str | None,
                    half: bool) -> tuple[str, list[dict[str, str]]]:
    """A `<li>`: shape `a` (a link), `a+date` (link and date on one line), `card` (title, teaser, info)."""
    title = _spam(family, lang, rng, form="title", half=half) if family else _news(rng, lang, "title", half)
    href = f"/{rng.choice(['news', 'a', 'article', 'p', 'html'])}/{rng.randint(10000, 999999)}.html"
    if shape == "a":
        return f'<li><a href="{href}">{_esc(title)}</a></li>', [_para(title, family, "chrome")]
    date = _furniture(rng, lang, "date")
    if shape == "a+date":
        span = rng.choice(["time", "date", "t"])
        link = f'<a href="{href}" title="{htmllib.escape(title)}">{_esc(title)}</a>'
        markup = f'<li>{link} <span class="{span}">{_esc(date)}</span></li>'
        return markup, [_para(f"{title} {date}", family, "chrome")]
    teaser = _spam(family, lang, rng, form="teaser", half=half) if family else _news(rng, lang, "teaser", half)
    teaser = _truncate(rng, teaser, lang)
    count = _furniture(rng, lang, "count")
    markup = (f'<li><a href="{href}"><h4>{_esc(title)}</h4></a><p class="{rng.choice(["summary", "desc", "intro"])}">'
              f'{_esc(teaser)}</p><div class="{rng.choice(["info", "meta", "foot"])}"><span>{_esc(date)}</span> '
              f"<span>{_esc(count)}</span></div></li>")
    return markup, [_para(title, family, "chrome"), _para(teaser, family, "chrome"),
                    {"text": f"{date} {count}", "label": "chrome"}]


def _thread_html(thread: _Thread, lang: str, rng: random.Random) -> tuple[str, list[dict[str, str]]]:
    """A comment section as sites mark it up: nested lists of avatar, meta, text and actions. One
    sample in four uses class names that say nothing, so the model cannot lean on `class="comment"`."""
    style = rng.choices(["brief", "named", "neutral"], weights=[2, 1, 1])[0]
    if style == "neutral":
        names = {k: _neutral_class(rng) for k in ("list", "item", "avatar", "main", "meta", "name", "time",
                                                 "text", "act", "kids", "head", "tip")}
        outer = f'<div class="{_neutral_class(rng)}" id="{_neutral_class(rng)}">'
    else:
        names = {"list": "comment-list", "item": "comment-item", "avatar": "avatar", "main": "comment-main",
                 "meta": "comment-meta", "name": "comment-author", "time": "comment-time",
                 "text": "comment-content", "act": "comment-actions", "kids": "children",
                 "head": "comment-title", "tip": "comment-tip"}
        if style == "brief":
            outer = '<div class="comments" id="comment">'
        else:
            outer = rng.choice(['<section class="pinglun" id="pl">', '<div id="comments" class="comment-area">',
                                '<div class="reply-box" id="reply">', '<div class="discuss-wrap">'])
    labelled: list[dict[str, str]] = []

    def item(comment: _Comment, depth: int) -> str:
        meta = f"{comment.name} {comment.date}"
        labelled.append({"text": meta, "label": "comment"})
        labelled.append(_para(comment.text, comment.family, "comment"))
        parts = [f'<li class="{names["item"]}" id="c{rng.randint(1000, 99999)}">',
                 f'<div class="{names["avatar"]}"><img src="/avatar/{rng.randint(1, 9999)}.png" alt=""></div>',
                 f'<div class="{names["main"]}"><div class="{names["meta"]}"><span class="{names["name"]}">'
                 f'<a href="/u/{rng.randint(100, 99999)}">{_esc(comment.name)}</a></span> '
                 f'<span class="{names["time"]}">{_esc(comment.date)}</span></div>',
                 f'<div class="{names["text"]}"><p>{_esc(comment.text)}</p></div>']
        if comment.counter:
            tokens = comment.counter.split()
            labelled.append({"text": " ".join(tokens), "label": "comment"})
            parts.append(f'<div class="{names["act"]}">' + " ".join(
                f'<a href="javascript:;">{_esc(t)}</a>' if k == 0 else f"<span>{_esc(t)}</span>"
                for k, t in enumerate(tokens)) + "</div>")
        if comment.replies:
            replies = "".join(item(r, depth + 1) for r in comment.replies)
            parts.append(f'<ul class="{names["kids"]}">{replies}</ul>')
        parts.append("</div></li>")
        return "".join(parts)

    head = []
    for text in thread.head:
        tag = "h3" if len(text) < 24 else "p"
        head.append(f'<{tag} class="{names["head"] if tag == "h3" else names["tip"]}">{_esc(text)}</{tag}>')
        labelled.append({"text": text, "label": "comment"})
    form = (f'<form action="/comment/post" method="post"><textarea name="content" placeholder="'
            f'{"说点什么吧" if lang == "zh" else "Write a comment"}"></textarea>'
            f'<button type="submit">{"发表" if lang == "zh" else "Post"}</button></form>')
    items = "".join(item(c, 0) for c in thread.comments)
    tail = []
    for text in thread.tail:
        tail.append(f'<div class="{names["tip"]}"><a href="javascript:;">{_esc(text)}</a></div>')
        labelled.append({"text": text, "label": "comment"})
    closing = "</section>" if outer.startswith("<section") else "</div>"
    markup = f'\n{outer}{"".join(head)}{form}<ul class="{names["list"]}">{items}</ul>{"".join(tail)}{closing}\n'
    return markup, labelled


def inject_html(html: str, rng: random.Random, families: Sequence[str], lang: str, *, comments: bool = True,
                spam_rate: float = SPAM_RATE) -> tuple[str, list[dict[str, str]]]:
    """Raw HTML with spam and a comment section inserted, and the labelled texts that were inserted
    (spam with its `family`).

    Spam goes in as `<p>` between two article paragraphs, as `<li><a>` items of the page's related list
    (or of a new "相关推荐 / Related" block), and as machine comments in a comment section added before
    `</body>`. The labelled texts are the blocks `cleaner.html.segment_html` cuts from the inserted
    markup, in document order.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    usable = _usable(families, lang)
    content = [f for f in usable if f != "machine_comment"]
    main = rng.choice(content) if content else None
    half = lang == "zh" and rng.random() < 0.5
    skip = _skip_spans(html)
    edits: list[_Edit] = []
    gaps, last_p = _paragraph_gaps(html, skip)
    end = next((m.start() for m in reversed(list(_BODY_END.finditer(html))) if not _inside(m.start(), skip)), len(html))

    if content and gaps and rng.random() < spam_rate:
        for at in sorted(rng.sample(gaps, k=min(len(gaps), rng.choice([1, 1, 2])))):
            family = _pick_family(rng, content, main)
            text = _spam(family, lang, rng, form=rng.choice(["teaser", "teaser", "title"]), half=half)
            inner = _esc(text)
            if rng.random() < 0.3:
                host = _render(rng, "{dom}.{tld}" if lang == "zh" else "{dom_en}.{tld_en}", [_common(lang)], lang)
                inner = f'<a href="https://{host.lower()}/">{inner}</a>'
            edits.append(_Edit(at, f"<p>{inner}</p>", [spam_para(text, family)]))

    related = next((m for m in _RELATED_UL.finditer(html) if not _inside(m.start(), skip)), None)
    if related is not None and content and rng.random() < spam_rate:
        close = html.lower().find(f"</{related.group(1).lower()}", related.end())
        slots = [m.start() for m in re.finditer(r"<li\b", html[related.end():close], re.I)] if close > 0 else []
        places = [related.end() + s for s in slots] + ([close] if close > 0 else [])
        for at in sorted(rng.sample(places, k=min(len(places), rng.randint(1, 2)))):
            markup, labelled = _html_list_item(rng, lang, "a", _pick_family(rng, content, main), half)
            edits.append(_Edit(at, markup, labelled))
    elif related is None and rng.random() < 0.7:
        shape = rng.choice(["a", "a+date", "card"])
        n = rng.randint(3, 7)
        spam_at = set(rng.sample(range(n), k=rng.randint(1, 2))) if content and rng.random() < spam_rate else set()
        heading = _furniture(rng, lang, "list_heading")
        cls = rng.choice(["related", "recommend", "xiangguan", "tuijian", "read-more", _neutral_class(rng)])
        parts, labelled = [f'<div class="{cls}"><h3>{_esc(heading)}</h3><ul>'], [{"text": heading, "label": "chrome"}]
        for i in range(n):
            family = _pick_family(rng, content, main) if i in spam_at else None
            markup, texts = _html_list_item(rng, lang, shape, family, half)
            parts.append(markup)
            labelled.extend(texts)
        parts.append("</ul></div>")
        at = last_p if last_p is not None and rng.random() < 0.5 else end
        edits.append(_Edit(at, "\n" + "".join(parts) + "\n", labelled))

    if comments:
        spam_families = [f for f in ("machine_comment", main) if f in usable]
        machine = rng.randint(1, 4) if spam_families and rng.random() < spam_rate else 0
        text_blocks = [squash(htmllib.unescape(_TAG.sub(" ", m.group(1)))) for m in _P_TAG.finditer(html)
                       if not _inside(m.start(), skip)]
        title_match = re.search(r"<h1\b[^>]*>(.*?)</h1\s*>", html, re.I | re.S) or re.search(
            r"<title\b[^>]*>(.*?)</title\s*>", html, re.I | re.S)
        title = squash(htmllib.unescape(_TAG.sub("", title_match.group(1)))) if title_match else ""
        context = _page_context([t for t in [title, *text_blocks] if t], lang, rng, half)
        thread = _make_thread(lang, rng, context["title"], None, machine, spam_families, context, half)
        markup, labelled = _thread_html(thread, lang, rng)
        edits.append(_Edit(end, markup, labelled))

    return _apply(html, edits, end)


def _assemble(html: str, edits: Sequence[_Edit]) -> tuple[str, list[dict[str, str]]]:
    """The HTML with the edits inserted, and their labelled texts in document order."""
    pieces, labelled, last = [], [], 0
    for edit in sorted(edits, key=lambda e: e.at):
        pieces.append(html[last:edit.at])
        pieces.append(edit.markup)
        labelled.extend(edit.labelled)
        last = edit.at
    pieces.append(html[last:])
    return "".join(pieces), labelled


def _apply(html: str, edits: list[_Edit], end: int) -> tuple[str, list[dict[str, str]]]:
    """Insert the edits, and check with the real segmenter that every inserted text comes out as a
    block: an edit that landed in a hidden or dropped element moves to the end of `<body>`, and is
    left out if it is still not seen there."""
    for attempt in range(3):
        out, labelled = _assemble(html, edits)
        seen = {"".join(b.text.split()) for b in segment_html(out)[0]}
        lost = [e for e in edits if any("".join(t["text"].split()) not in seen for t in e.labelled)]
        if not lost:
            return out, labelled
        keep = [e for e in edits if e not in lost]
        moved = [_Edit(end, e.markup, e.labelled) for e in lost if e.at != end]
        edits = keep + (moved if attempt == 0 else [])
    return _assemble(html, edits)


# --- family split ----------------------------------------------------------------------------


def split_families(seed: int, *, pinned_test: Sequence[str] = PINNED_TEST,
                   pinned_train: Sequence[str] = PINNED_TRAIN) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(train families, test families): disjoint, deterministic in `seed`, about TEST_SHARE held out.

    Holding whole families out lets validation measure spam the model never saw a template of
    (game cheats, the seed's real spam, are always held out). The split is drawn from
    SPLIT_FAMILIES; TRAIN_ONLY_FAMILIES are always on the training side, after the others.
    """
    overlap = set(pinned_test) & set(pinned_train)
    if overlap:
        raise ValueError(f"families pinned to both sides: {sorted(overlap)}")
    train_only = set(pinned_test) & set(TRAIN_ONLY_FAMILIES)
    if train_only:
        raise ValueError(f"train-only families pinned to the test side: {sorted(train_only)}")
    rest = [f for f in SPLIT_FAMILIES if f not in pinned_test and f not in pinned_train]
    random.Random(f"split_families:{seed}").shuffle(rest)
    extra = max(0, round(TEST_SHARE * len(SPLIT_FAMILIES)) - len(pinned_test))
    test = {*pinned_test, *rest[:extra]}
    return tuple(f for f in FAMILIES if f not in test), tuple(f for f in FAMILIES if f in test)


#: The word list of `cleaner.lexicon.SPAM_FAMILIES` that names each family's products, where one does
#: (machine comments have none: they are a shape, not a product; nor have TRAIN_ONLY_FAMILIES, which
#: are never held out, so that no benchmark needs to hide a list of theirs).
LEXICON_LIST: dict[str, str] = {
    "game_cheat": "game_cheat", "gambling": "gambling", "invoice": "invoice", "loan": "loan",
    "click_farm": "click_farm", "private_server": "private_server", "account_trade": "account_trade",
    "counterfeit": "counterfeit", "adult": "adult", "pharma": "pharma", "crypto_signal": "crypto",
    "essay_writing": "essay", "seo_links": "seo",
}


def lexicon_lists(families: Sequence[str]) -> tuple[str, ...]:
    """The lexicon word lists of these families: what a benchmark hides (`features.hidden_word_lists`)
    so that spam of a held-out family is unknown to the word lists as well as to the templates."""
    return tuple(LEXICON_LIST[f] for f in families if f in LEXICON_LIST)


# --- varied placements and look-alikes (issue 4) ---------------------------------------------
# `inject` and `inject_html` put spam where it stands on most pages; a model trained on them alone
# learns those places (a list item after the body, a comment in the thread) more than what spam
# says. `vary` and `vary_html` put spam anywhere a page has room for it (under the headline, inside
# the body, among navigation lines, at the very end, as a product comment in a thread) and add
# news paragraphs *about* what spam sells, labelled body, so that place and topic alone decide
# nothing. They are for training data only: validation pages come from `inject`/`inject_html`.

#: Where `vary` may put a spam paragraph of a text page.
PLACES: tuple[str, ...] = ("top", "after_title", "in_body", "body_end", "in_chrome", "page_end", "thread")
#: Chance that a varied page gets look-alike body paragraphs (news about spam topics).
LOOKALIKE_RATE = 0.6


def lookalike_paragraph(lang: str, rng: random.Random) -> str:
    """A news paragraph about a spam topic (gambling law, lending rules, scams, counterfeits…): body, not spam."""
    spec = _load("lookalike.json")[lang]
    return _render(rng, rng.choice(spec["body"]), [spec["slots"], _common(lang)], lang,
                   half=lang == "zh" and rng.random() < 0.3)


def vary(page: Page, rng: random.Random, families: Sequence[str], *, lookalike_rate: float = LOOKALIKE_RATE,
         spam_places: tuple[int, int] = (1, 3)) -> Page:
    """A copy of a labelled text page (as `inject` returns it, or any labelled page) with spam of
    `families` at 1-3 places drawn from PLACES and, with chance `lookalike_rate`, 1-2 look-alike
    body paragraphs inside the body. `raw` is re-rendered; the input is not changed."""
    paras: list[Para] = [_public(p) for p in page["paragraphs"]]
    body = [i for i, p in enumerate(paras) if p["label"] == "body"]
    lang = detect_lang([paras[i]["text"] for i in body] or [p["text"] for p in paras])
    content = [f for f in _usable(families, lang) if f != "machine_comment"]
    half = lang == "zh" and _uses_halfwidth([paras[i]["text"] for i in body])
    plan: dict[int, list[Para]] = defaultdict(list)
    if body and rng.random() < lookalike_rate:
        for j in rng.sample(range(body[0] + 1, body[-1] + 2), k=min(rng.randint(1, 2), body[-1] + 1 - body[0])):
            plan[j].append({"text": lookalike_paragraph(lang, rng), "label": "body"})
    if content and body:
        main = rng.choice(content)
        chrome = [i for i, p in enumerate(paras) if p["label"] == "chrome"]
        comments = [i for i, p in enumerate(paras) if p["label"] == "comment"]
        for place in rng.sample(PLACES, k=rng.randint(*spam_places)):
            form = rng.choices(FORMS, weights=[3, 4, 2])[0]
            if place == "top":
                at = rng.randint(0, body[0])
            elif place == "after_title":
                at = body[0] + 1
            elif place == "in_body":
                at = rng.randint(body[0] + 1, max(body[0] + 1, body[-1]))
            elif place == "body_end":
                at = body[-1] + 1
            elif place == "in_chrome" and chrome:
                at = rng.choice(chrome)
            elif place == "thread" and comments:
                at, form = rng.choice(comments) + 1, "comment"
            else:
                at = len(paras)
            family = _pick_family(rng, content, main)
            text = _spam(family, lang, rng, form=form, half=half)
            if at < len(paras) and paras[at]["label"] == "chrome" and BULLET.match(paras[at]["text"]) \
                    and form == "title":
                text = _bullet_of(paras[at]["text"]) + text
            plan[at].append(spam_para(text, family))
    return _assembled(page, paras, plan)


_BLOCK_END = re.compile(r"</(?:p|li|div|h[1-6]|ul|ol|section|table)\s*>", re.I)
_BODY_START = re.compile(r"<body\b[^>]*>", re.I)


def vary_html(html: str, rng: random.Random, families: Sequence[str], lang: str, *,
              lookalike_rate: float = LOOKALIKE_RATE) -> tuple[str, list[dict[str, str]]]:
    """Raw HTML with spam at 1-3 places anywhere in the page (after any closing block tag, at the
    top of `<body>`, before `</body>`), as a `<p>`, a `<div>` or a list item, and with chance
    `lookalike_rate` a look-alike news paragraph (body) between two article paragraphs. Returns the
    HTML and the labelled texts it gained (checked against the real segmenter, as `inject_html`)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    content = [f for f in _usable(families, lang) if f != "machine_comment"]
    half = lang == "zh" and rng.random() < 0.5
    skip = _skip_spans(html)
    end = next((m.start() for m in reversed(list(_BODY_END.finditer(html))) if not _inside(m.start(), skip)), len(html))
    edits: list[_Edit] = []
    gaps, _ = _paragraph_gaps(html, skip)
    if gaps and rng.random() < lookalike_rate:
        text = lookalike_paragraph(lang, rng)
        edits.append(_Edit(rng.choice(gaps), f"<p>{_esc(text)}</p>", [{"text": text, "label": "body"}]))
    if content:
        main = rng.choice(content)
        ends = [m.end() for m in _BLOCK_END.finditer(html, 0, end) if not _inside(m.start(), skip)]
        start = next((m.end() for m in _BODY_START.finditer(html) if not _inside(m.start(), skip)), None)
        for _ in range(rng.randint(1, 3)):
            where = rng.random()
            if where < 0.15 and start is not None:
                at = start
            elif where < 0.3:
                at = end
            elif gaps and where < 0.5:
                at = rng.choice(gaps)
            else:
                at = rng.choice(ends) if ends else end
            form = rng.choices(FORMS, weights=[3, 4, 2])[0]
            family = _pick_family(rng, content, main)
            text = _spam(family, lang, rng, form=form, half=half)
            tag = "li" if html[max(0, at - 5):at].lower() == "</li>" else rng.choice(["p", "div", "p"])
            inner = _esc(text)
            if form == "title" and rng.random() < 0.5:
                inner = f'<a href="/{rng.choice(["a", "p", "news"])}/{rng.randint(1000, 99999)}.html">{inner}</a>'
            edits.append(_Edit(at, f"<{tag}>{inner}</{tag}>", [spam_para(text, family)]))
    return _apply(html, edits, end)
