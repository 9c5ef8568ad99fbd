"""Stage 1, decode: bytes or str in, Unicode text and its kind (html or text) out.

Order of trust for bytes, from most to least reliable:
BOM > valid UTF-8 > the page's declared charset (or the caller's, e.g. an HTTP header) >
charset-normalizer's guess. UTF-8 comes before the declared charset because pages that
declare one charset and are written in another almost always declare a legacy one and are
UTF-8, and because a wrong GB18030 decode never fails (it accepts nearly any bytes) while
UTF-8 rejects non-UTF-8 text at once.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re
import zlib
from dataclasses import dataclass

import numpy as np
from charset_normalizer import from_bytes

from cleaner.limits import MAX_PAGE_BYTES

#: How far into a page we look for <meta charset> and HTML tags.
SNIFF_BYTES = 8192
#: Below this many non-ASCII bytes, bytes that happen to be valid UTF-8 do not outvote the
#: page's declared multi-byte charset (short GBK text is often valid UTF-8 by chance).
UTF8_EVIDENCE_BYTES = 16
#: A page with more NUL bytes than this share (and no UTF-16/32 BOM) is binary.
MAX_NUL_SHARE = 0.01
#: UTF-8 with at most this share of invalid sequences is read as UTF-8, dropping them.
MAX_BAD_UTF8_SHARE = 0.005
#: Text whose decoded start holds more control characters than this share is binary, not text.
MAX_CONTROL_SHARE = 0.05
#: Multi-byte CJK codecs tried when a page's bytes fit neither UTF-8 nor a Western charset.
CJK_CODECS = ("gb18030", "big5hkscs")
#: Share of a CJK reading's non-ASCII characters that must be Han, kana, hangul or CJK punctuation (or “”…—).
MIN_CJK_SHARE = 0.9

# Legacy labels that browsers read as a superset; GB18030 covers GB2312 and GBK.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
}

# Codecs Python has that no browser reads a page in: they raise on any input, or decode markup
# into something else (utf-7 is a known XSS vector).
_NOT_PAGE_CODECS = frozenset({"undefined", "idna", "punycode", "utf-7", "unicode-escape", "raw-unicode-escape",
                              "mbcs", "oem", "uu", "base64", "hex", "zlib", "bz2", "quopri", "rot-13"})
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"RIFF", "RIFF media"),
    (b"\x7fELF", "ELF binary"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]{1,40})""", re.I)
_HTML_SNIFF = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|article|script|span|a)[\s>/]", re.I)
_CJK_TEXT = re.compile(r"[\u2010-\u2027\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff\ufffd]")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded page: its text, its kind, the encoding read, and why it is empty if it is."""

    text: str
    kind: str  # "html" or "text"
    encoding: str | None
    reason: str | None = None


def decode(page: str | bytes, kind: str = "auto", encoding: str | None = None,
           max_bytes: int = MAX_PAGE_BYTES) -> Decoded:
    """Decode `page` and tell its kind; never raises on content, gives a reason instead."""
    if isinstance(page, (bytes, bytearray, memoryview)):
        raw = bytes(page)
        if raw[:2] == b"\x1f\x8b":
            raw = _gunzip(raw, max_bytes)
        if len(raw) > max_bytes:
            return Decoded("", _kind_or(kind, "text"), None, f"page too large ({len(raw)} bytes > {max_bytes})")
        text, used, reason = _decode_bytes(raw, encoding)
        if reason:
            return Decoded("", _kind_or(kind, "text"), used, reason)
    elif isinstance(page, str):
        if len(page) > max_bytes:
            return Decoded("", _kind_or(kind, "text"), None, f"page too large ({len(page)} characters > {max_bytes})")
        text, used = page, None
    else:
        raise TypeError(f"a page is str or bytes, not {type(page).__name__}")
    text = clean_characters(text)
    if kind == "auto":
        kind = "html" if looks_like_html(text) else "text"
    if not text.strip():
        return Decoded("", kind, used, "no text in input")
    return Decoded(text, kind, used)


def clean_characters(text: str) -> str:
    """Unify line ends and drop characters that are never content (controls, lone surrogates)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            text = text.replace("\r", "\n")
    return _CONTROL.sub("", text) if _has_control(text) else text


#: The characters of `_CONTROL` outside C0 and the surrogates: found by C-speed `in` tests.
_CONTROL_OUTSIDE_C0 = ("\x7f", "\ufffd", "\ufffe", "\uffff")
_C0_ALLOWED = (0x09, 0x0A, 0x0D)  # tab, line feed, carriage return


def _has_control(text: str) -> bool:
    """Whether `_CONTROL` matches anywhere in `text`, a few times faster than the regex scan.

    Lone surrogates do not encode to UTF-8, and in UTF-8 a byte below 0x20 is always that
    C0 character, which numpy counts.
    """
    if any(character in text for character in _CONTROL_OUTSIDE_C0):
        return True
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    codes = np.frombuffer(raw, dtype=np.uint8)
    c0 = codes[codes < 0x20]
    return c0.size != np.count_nonzero(np.isin(c0, _C0_ALLOWED))


def looks_like_html(text: str) -> bool:
    """True when the start of the page holds HTML markup."""
    head = text[:SNIFF_BYTES]
    return len(_HTML_SNIFF.findall(head)) >= 2 or (head.lstrip()[:1] == "<" and _HTML_SNIFF.search(head) is not None)


def normalise_charset(name: str | None) -> str | None:
    """The Python codec to read a declared charset with, or None when Python has none."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a name holding NUL
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_CODECS:
        return None  # rot13, zlib, base64… are transforms, not charsets; decoding with them raises
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # as browsers do: a page that reached us as ASCII-compatible bytes is not UTF-16
    return info.name


def _kind_or(kind: str, default: str) -> str:
    return default if kind == "auto" else kind


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    """Gunzip up to max_bytes + 1 bytes; a truncated stream yields what it holds."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        return inflater.decompress(raw, max_bytes + 1)
    except zlib.error:
        return raw  # not really gzip: let the binary sniffing below judge it


def _decode_bytes(raw: bytes, hint: str | None) -> tuple[str, str | None, str | None]:
    """Decode raw bytes: (text, encoding used, reason it holds no text)."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(name, errors="replace"), name, None
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return "", None, f"binary input ({what})"
    head = raw[:SNIFF_BYTES]
    if head and head.count(0) / len(head) > MAX_NUL_SHARE:
        return "", None, "binary input (NUL bytes)"
    declared = normalise_charset(hint)
    if declared is None and (match := _META_CHARSET.search(head)):
        declared = normalise_charset(match.group(1).decode("ascii", "ignore"))
    if declared and declared != "utf-8" and not _single_byte(declared) \
            and sum(1 for byte in raw[:UTF8_EVIDENCE_BYTES * 64] if byte > 0x7F) < UTF8_EVIDENCE_BYTES:
        # Too few non-ASCII bytes for valid UTF-8 to be evidence ('去' in GBK is valid UTF-8 'ȥ'):
        # the declared multi-byte charset wins when it reads the bytes.
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode(declared), declared, None
    try:
        return raw.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as error:
        if error.end == len(raw) and error.reason == "unexpected end of data":
            # A stream cut inside a character (truncated gzip, a capped download): keep what came.
            return raw[:error.start].decode("utf-8"), "utf-8", None
    if declared and declared != "utf-8":
        if _single_byte(declared) and (cjk := _cjk_reading(raw)):
            return (*cjk, None)  # a CJK page declaring a Western charset: a single-byte read is mojibake
        try:
            return raw.decode(declared), declared, None
        except UnicodeDecodeError:
            pass
    mostly = raw.decode("utf-8", errors="replace")
    if mostly.count("\ufffd") <= MAX_BAD_UTF8_SHARE * max(len(mostly), 1):
        return mostly, "utf-8", None
    best = from_bytes(raw[: 2**20]).best()
    if best is None or best.encoding is None:
        return "", None, "binary input (no text encoding fits)"
    guessed = normalise_charset(best.encoding) or "utf-8"
    if _single_byte(guessed) and (cjk := _cjk_reading(raw)):
        return (*cjk, None)  # short CJK pages fool the guesser into a Western charset
    text = raw.decode(guessed, errors="replace")
    if len(_CONTROL.findall(text[:SNIFF_BYTES])) > MAX_CONTROL_SHARE * len(text[:SNIFF_BYTES]):
        return "", None, f"binary input (control characters when read as {guessed})"
    return text, guessed, None


@functools.lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """True for codecs that read every byte as one character (cp1252, ISO-8859-x…): they never fail."""
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256
    except (UnicodeError, LookupError):
        return False


def _cjk_reading(raw: bytes) -> tuple[str, str] | None:
    """(text, codec) when the bytes decode strictly in a CJK multi-byte codec into mostly CJK text.

    Western text in a legacy charset almost never survives a strict GB18030 or Big5 decode
    (an accented letter is followed by ASCII, which is no valid trail byte), so a clean decode
    whose non-ASCII characters are nearly all Han or CJK punctuation is the page's real encoding.
    """
    for codec in CJK_CODECS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:8 * SNIFF_BYTES]
        wide = len(sample.encode("utf-8")) - len(sample)  # > 0 exactly when non-ASCII is present
        cjk = len(_CJK_TEXT.findall(sample))
        if wide and cjk >= MIN_CJK_SHARE * (len(sample) - len(sample.encode("ascii", "ignore"))):
            return text, codec
    return None
