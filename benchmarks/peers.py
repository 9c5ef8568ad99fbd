"""Adapters for the extractors compared in the benchmark.

Each factory in :data:`FACTORIES` builds, outside any timing, a callable
``(html: str, url: str | None) -> str | None`` running one extractor with its default
settings; :func:`load` wraps it in an :class:`Adapter` that turns crashes and ``None``
into ``""`` and counts them, so one bad page never stops a run.

* ``trafilatura``: ``trafilatura.extract(html, url=url)``, defaults (plain text, no
  comments, tables included, fallback extractors on).
* ``readability``: ``readability.Document(html).summary()``, whose HTML is turned into
  text with a line break around each block element.
* ``justext``: ``justext.justext(html, stoplist)`` keeping non-boilerplate paragraphs.
  The stoplist follows the page language from ``<html lang>``, ``content-language`` or
  ``og:locale`` when jusText has one, else English. jusText has no Chinese or Japanese
  stoplist: for those (declared ``zh``/``ja``, or at least 300 Han/kana characters in the
  page, as Chinese templates often say ``lang="en"``) it runs in its own
  language-independent mode, as its CLI's ``-s None`` does: an empty stoplist with
  ``stopwords_low = stopwords_high = 0`` (with the default thresholds an empty stoplist
  would mark every paragraph bad). Length thresholds stay at their defaults, counted in
  characters, so most Chinese paragraphs (100-200 characters) only reach "near-good" and
  are dropped unless a long one is next to them: that is jusText's default behaviour, not
  tuned here.
* ``resiliparse``: ``extract_plain_text(html, main_content=True)``.
* ``gne``: ``GeneralNewsExtractor().extract(html)["content"]``.
* ``cleaner``: ``Cleaner().clean(html, url=url, kind="html").text``; reported unavailable
  while ``cleaner`` cannot be imported.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

Extract = Callable[[str, str | None], str | None]

PEER_NAMES = ("trafilatura", "readability", "justext", "resiliparse", "gne", "cleaner")
DISTRIBUTIONS = {
    "trafilatura": "trafilatura",
    "readability": "readability-lxml",
    "justext": "jusText",
    "resiliparse": "Resiliparse",
    "gne": "gne",
    "cleaner": "cleaner",
}


class Unavailable(RuntimeError):
    """An extractor that cannot be loaded here."""


@dataclass
class Adapter:
    """One extractor, counting its failed (raised) and empty outputs per page."""

    name: str
    fn: Extract
    failures: int = 0
    empty: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def __call__(self, html: str, url: str | None = None) -> str:
        """Extracted text, ``""`` when the extractor raised or returned nothing."""
        try:
            out = self.fn(html, url)
        except Exception as exc:
            self.failures += 1
            self.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            return ""
        if not isinstance(out, str) or not out.strip():
            self.empty += 1
            return ""
        return out

    def reset(self) -> None:
        """Forget the counts (after a warm-up call)."""
        self.failures = self.empty = 0
        self.errors.clear()


# --- trafilatura -------------------------------------------------------------------------


def _trafilatura() -> Extract:
    import trafilatura

    def run(html: str, url: str | None) -> str | None:
        return trafilatura.extract(html, url=url)

    return run


# --- readability -------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment, one line per block element, whitespace collapsed in lines."""
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    parts: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text and tag not in ("script", "style"):
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _readability() -> Extract:
    from readability import Document

    def run(html: str, url: str | None) -> str:
        return html_to_text(Document(html, url=url).summary())

    return run


# --- jusText -----------------------------------------------------------------------------

# ISO 639-1 code -> jusText stoplist name, for the languages it has.
_JUSTEXT_LANGS = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "hy": "Armenian", "az": "Azerbaijani",
    "eu": "Basque", "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton",
    "bg": "Bulgarian", "ca": "Catalan", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "iw": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "is": "Icelandic", "id": "Indonesian", "ga": "Irish", "it": "Italian",
    "jv": "Javanese", "kn": "Kannada", "kk": "Kazakh", "ko": "Korean", "ku": "Kurdish",
    "ky": "Kyrgyz", "la": "Latin", "lv": "Latvian", "lt": "Lithuanian", "lb": "Luxembourgish",
    "mk": "Macedonian", "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi",
    "ne": "Nepali", "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk",
    "oc": "Occitan", "fa": "Persian", "pl": "Polish", "pt": "Portuguese", "qu": "Quechua",
    "ro": "Romanian", "ru": "Russian", "sr": "Serbian", "sh": "Serbo_Croatian", "sk": "Slovak",
    "sl": "Slovenian", "es": "Spanish", "su": "Sundanese", "sw": "Swahili", "sv": "Swedish",
    "tl": "Tagalog", "ta": "Tamil", "te": "Telugu", "tr": "Turkish", "tk": "Turkmen",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "cy": "Welsh",
    "fy": "West_Frisian", "yo": "Yoruba",
}  # fmt: skip
_NO_STOPLIST_LANGS = frozenset({"zh", "ja"})
_CODE = r"""["']?([A-Za-z]{2,3})"""
_LANG_PATTERNS = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        r"<html\b[^>]*?\blang\s*=\s*" + _CODE,
        r"""<meta[^>]+http-equiv\s*=\s*["']?content-language["']?[^>]+content\s*=\s*""" + _CODE,
        r"<meta[^>]+content\s*=\s*" + _CODE + r"""[^>]+http-equiv\s*=\s*["']?content-language""",
        r"""<meta[^>]+property\s*=\s*["']og:locale["'][^>]+content\s*=\s*""" + _CODE,
    )
)
CJK_PAGE_CHARS = 300  # Han/kana characters that make a page Chinese/Japanese whatever it declares
_HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def page_language(html: str) -> str | None:
    """The page's declared language code (lower-case, e.g. ``de``), if any."""
    head = html[:20000]
    for pattern in _LANG_PATTERNS:
        m = pattern.search(head)
        if m:
            return m.group(1).lower()
    return None


def justext_settings(html: str) -> tuple[str | None, dict[str, float]]:
    """Stoplist name (None: language-independent mode) and threshold overrides for a page."""
    lang = page_language(html)
    if lang in _NO_STOPLIST_LANGS or len(_HAN_KANA.findall(html)) >= CJK_PAGE_CHARS:
        return None, {"stopwords_low": 0.0, "stopwords_high": 0.0}
    return _JUSTEXT_LANGS.get(lang or "", "English"), {}


def _justext() -> Extract:
    import justext

    stoplists: dict[str, frozenset[str]] = {}

    def run(html: str, url: str | None) -> str:
        name, overrides = justext_settings(html)
        if name is None:
            stoplist: frozenset[str] = frozenset()
        else:
            if name not in stoplists:
                stoplists[name] = justext.get_stoplist(name)
            stoplist = stoplists[name]
        paragraphs = justext.justext(html, stoplist, **overrides)
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return run


# --- resiliparse, GNE, cleaner -----------------------------------------------------------


def _resiliparse() -> Extract:
    from resiliparse.extract.html2text import extract_plain_text

    def run(html: str, url: str | None) -> str:
        return extract_plain_text(html, main_content=True)

    return run


def _gne() -> Extract:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def run(html: str, url: str | None) -> str | None:
        content = extractor.extract(html)["content"]
        return content if isinstance(content, str) else None

    return run


def model_backend(engine) -> str:
    """Compile (or load) `engine`'s trees before it is timed, as a long job has them after its
    first pages (`cleaner.fasttrees`), and name what scores: a benchmark must not time a mix."""
    from cleaner import fasttrees

    try:
        fasttrees.warm(engine.model.boosters)
    except ImportError:
        return "LightGBM (the fast extra is not installed)"
    except Exception as exc:  # the backend is optional: time LightGBM, and say why
        engine.fast_trees = False
        return f"LightGBM (compiled trees failed: {type(exc).__name__}: {exc})"
    return "compiled trees (lleaves)"


def _cleaner() -> Extract:
    try:
        from cleaner import Cleaner

        engine = Cleaner()
        print(f"cleaner's model scored by {model_backend(engine)}", file=sys.stderr)
    except Exception as exc:  # not written yet, or broken mid-development
        raise Unavailable(f"cleaner: {type(exc).__name__}: {exc}") from exc

    def run(html: str, url: str | None) -> str:
        return engine.clean(html, url=url, kind="html").text

    return run


FACTORIES: dict[str, Callable[[], Extract]] = {
    "trafilatura": _trafilatura,
    "readability": _readability,
    "justext": _justext,
    "resiliparse": _resiliparse,
    "gne": _gne,
    "cleaner": _cleaner,
}


def load(name: str) -> Adapter:
    """Build the adapter for ``name``; raises :class:`Unavailable` when it cannot run here."""
    try:
        factory = FACTORIES[name]
    except KeyError:
        raise Unavailable(f"unknown extractor {name!r}; known: {', '.join(FACTORIES)}") from None
    try:
        return Adapter(name, factory())
    except Unavailable:
        raise
    except ImportError as exc:
        raise Unavailable(f"{name}: {exc}") from exc


def version(name: str) -> str:
    """Installed version of an extractor's distribution, or ``?``."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(DISTRIBUTIONS.get(name, name))
    except PackageNotFoundError:
        return "?"
