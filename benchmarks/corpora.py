"""Loading the benchmark corpora in place (never copied into the repo) and decoding their bytes."""

from __future__ import annotations

import codecs
import gzip
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from training.splits import is_held_out

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"  # /work/<tree>/../shared/corpora
if not CORPORA.is_dir():
    CORPORA = Path("/work/shared/corpora")
GOLD_ZH = REPO / "training" / "gold" / "gne-zh"

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Labels whose bytes are better read by a superset codec (as browsers do).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
}


@dataclass
class Page:
    """One decoded page of a corpus, with whatever gold it has."""

    corpus: str
    id: str  # URL for trafilatura-eval, file name stem for gne-zh
    url: str | None
    html: str
    encoding: str
    segments: Mapping[str, Sequence[str]] | None = None  # evaldata {"with": …, "without": …}
    gold: str | None = None  # gold body text, paragraphs joined by newlines
    extra: dict[str, str] = field(default_factory=dict)


def _codec(label: bytes | str) -> str | None:
    """The Python codec for a charset label, upgraded to its superset; None if unknown."""
    name = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec)``.

    Order: BOM; bytes that are valid UTF-8, or nearly (at most one bad sequence in ten
    non-ASCII characters, replaced), since re-saved pages keep stale declarations (three
    gne-zh pages declare GB2312 but are UTF-8) and some mix in stray Latin-1; the declared
    charset (XML declaration, then meta; GB2312/GBK read as GB18030, Latin-1 as cp1252);
    charset_normalizer's guess.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, "replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if bad <= 0.1 * sum(1 for ch in text if ord(ch) > 127):
        return text, "utf-8"  # mostly UTF-8 with a few stray bytes: guessing garbles the rest
    head = data[:8192]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m = pattern.search(head)
        declared = _codec(m.group(1)) if m else None
        if declared:
            # a UTF-16 label on an ASCII-compatible page is a lie
            enc = "utf-8" if declared.startswith("utf_16") else declared
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                break  # declaration is wrong: guess instead
    best = from_bytes(data).best()
    if best is not None:
        enc = _codec(best.encoding) or best.encoding
        return data.decode(enc, "replace"), enc
    return data.decode("utf-8", "replace"), "utf-8"


def _keep(source: str, split: str) -> bool:
    return split == "all" or is_held_out(source)


def load_trafilatura_eval(split: str = "held-out", limit: int | None = None, root: Path = CORPORA) -> list[Page]:
    """Pages of trafilatura's evaluation set, with their ``with``/``without`` segments."""
    base = root / "trafilatura-eval"
    evaldata = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    pages: list[Page] = []
    for url, item in evaldata.items():
        if not _keep(url, split):
            continue
        html, enc = decode_html(gzip.decompress((base / "html" / f"{item['file']}.gz").read_bytes()))
        pages.append(Page("trafilatura-eval", url, url, html, enc, segments=item))
        if limit is not None and len(pages) >= limit:
            break
    return pages


def load_gne_zh(
    split: str = "held-out", limit: int | None = None, root: Path = CORPORA, gold_dir: Path = GOLD_ZH
) -> tuple[list[Page], list[str]]:
    """Chinese pages that have gold text, and the names of those skipped for lack of it."""
    pages: list[Page] = []
    missing: list[str] = []
    for path in sorted((root / "gne-zh").glob("*.html.gz")):
        name = path.name.removesuffix(".html.gz")
        if not _keep(name, split):
            continue
        gold_path = gold_dir / f"{name}.json"
        if not gold_path.is_file():
            missing.append(name)
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        html, enc = decode_html(gzip.decompress(path.read_bytes()))
        pages.append(Page("gne-zh", name, None, html, enc, gold="\n".join(gold.get("body") or [])))
        if limit is not None and len(pages) >= limit:
            break
    return pages, missing
