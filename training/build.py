"""Build the labelled training data in training/data/ from the development corpora.

    python -m training.build [--corpora ../shared/corpora] [--only gne-zh|trafilatura-eval]

- gne-zh: each page's hand-made gold (training/gold/gne-zh/<name>.json: the article's
  paragraphs, comments and spam, written by reading the page) is matched to the blocks our
  segmenter cuts: a block that is (part of) a gold paragraph takes its class, every other
  block is chrome. Written as HTML records (gne-zh.jsonl) and as text dumps of the same
  pages (gne-zh-text.jsonl: the blocks one per paragraph, as a scraper's text export).
- trafilatura-eval: a block holding one of the page's `with` segments is body, one holding
  a `without` segment is chrome; the other blocks are labelled by agreement of two peers
  (trafilatura and readability-lxml): body when both keep the block, chrome when neither
  does, left unlabelled (and out of training) when they disagree. A peer keeps a long block
  when its output holds the block's text; a short one (a "5", "Home", "by") only where it
  stands next to a neighbour the peer kept, since almost any article holds such a text somewhere.
  Blocks the peers disagree on are body when body stands on both sides of them (a table
  row, a list item inside the article).
  The article's lead, which sites set in the header and both peers often drop, is body (see
  label_article_lead).
  Peer agreement calls body the boilerplate both peers keep ("Lesen Sie auch:" and the links
  under it, newsletter and follow-us calls, ad labels, comment prompts). Such labels, checked
  by hand, are corrected in training/gold/trafilatura-eval-overrides.json: per page URL, a
  block's text, its label (by LABELS.md) and why. Training-site pages were checked by reading
  their blocks. On the held-out pages (training/splits.py) three scopes were read in their
  page, blind to the model (no model run, benchmark or model output looked at): every block
  labelled body by peer agreement alone (not by a `with` segment or the lead rule); every
  block made body by the fill between body blocks; and every block labelled chrome because
  neither peer kept it that looks like prose (120 characters or more with a . ! ? 。 ！ or ？ in
  it), some of which are article paragraphs, captions, leads or comments (blocks outside these
  scopes were changed only where they go with such a correction: the rest of the same comment
  section, the headline or byline of a corrected lead); labels given by `with`/`without`
  segments were not audited. Those corrections carry "audit": "held-out, blind". They are
  applied last, to every block whose text (without white space) is the correction's, so a
  boilerplate copy of a body block's text (a headline repeated in a sidebar) cannot be
  corrected; one that matches no block is reported, to be looked at again.

Records reference the pages in the corpora by path (`source`); nothing is copied.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from cleaner.data import LabelledPage, write_pages
from cleaner.decode import decode
from cleaner.html import segment_html
from cleaner.labels import BODY, CHROME, COMMENT, SPAM, Label, check_label
from cleaner.segment import Block, compact

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GOLD = HERE / "gold" / "gne-zh"
#: The article's lead (label_article_lead): at least this many characters, with a sentence end...
LEAD_MIN_CHARS = 60
#: ...after the headline, from LEAD_BEFORE_FIRST blocks before the first body paragraph (of
#: LEAD_MIN_PARAGRAPH characters) to LEAD_AFTER_FIRST blocks after it; LEAD_MAX_BLOCKS at most.
LEAD_BEFORE_FIRST = 4
LEAD_AFTER_FIRST = 2
LEAD_MIN_PARAGRAPH = 40
LEAD_MAX_BLOCKS = 2
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")
#: Hand-checked corrections of trafilatura-eval labels (see the module docstring).
OVERRIDES = HERE / "gold" / "trafilatura-eval-overrides.json"
DEFAULT_CORPORA = HERE.parent.parent / "shared" / "corpora"
#: A block shorter than this is not matched by containment (too likely to occur by chance).
MIN_CONTAINED = 4
#: A gold paragraph inside a block labels it when it covers at least this share of the block.
MIN_COVER = 0.6
SEED = 7
#: trafilatura-eval pages also written as a text dump, and as a clean (body-only) text.
TEXT_DUMPS = 250
CLEAN_COPIES = 150
#: A block shorter than this (characters without white space) counts as kept by a peer only
#: next to a neighbour the peer kept: a short text is found somewhere in almost any article.
SHORT_BLOCK = 20
#: Characters a peer may put between two blocks it keeps (list bullets, table bars).
PEER_GAP = 3
#: Label body the blocks the peers disagree on when body stands on both sides of them.
FILL_BETWEEN_BODY = True


def label_by_gold(blocks: list[Block], gold: dict[str, list[str]]) -> list[Label]:
    """Each block's class from the gold paragraphs (body, comment, spam); chrome otherwise."""
    classes = [(SPAM, gold.get("spam", [])), (COMMENT, gold.get("comment", [])), (BODY, gold.get("body", []))]
    keyed = [(label, [compact(t) for t in texts if compact(t)]) for label, texts in classes]
    labels: list[Label] = []
    for block in blocks:
        k = compact(block.text)
        labels.append(_match(k, keyed))
    _first_title_only(blocks, labels, gold)
    return labels


def _match(k: str, keyed: list[tuple[Label, list[str]]]) -> Label:
    for label, texts in keyed:
        if k in texts:
            return label
    if len(k) >= MIN_CONTAINED:
        for label, texts in keyed:
            if any(k in t for t in texts):
                return label
        for label, texts in keyed:
            covered = sum(len(t) for t in texts if len(t) >= MIN_CONTAINED and t in k)
            if covered >= MIN_COVER * len(k):
                return label
    return CHROME


def _first_title_only(blocks: list[Block], labels: list[Label], gold: dict[str, list[str]]) -> None:
    """The headline printed again (breadcrumb, sidebar) is chrome: keep body on the first heading copy."""
    body = gold.get("body", [])
    if not body:
        return
    title = compact(body[0])
    hits = [i for i, b in enumerate(blocks) if labels[i] == BODY and compact(b.text) == title]
    if len(hits) > 1:
        keep = next((i for i in hits if blocks[i].heading), hits[0])
        for i in hits:
            if i != keep:
                labels[i] = CHROME


def gne_pages(corpora: Path) -> Iterator[tuple[LabelledPage, LabelledPage]]:
    """(HTML record, text-dump record) for every gne-zh page with gold."""
    rng = random.Random(SEED)
    for gold_file in sorted(GOLD.glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        source = f"gne-zh/{gold_file.stem}.html.gz"
        path = corpora / source
        if not path.is_file():
            print(f"skip {gold_file.stem}: {path} not found", file=sys.stderr)
            continue
        decoded = decode(gzip.decompress(path.read_bytes()))
        blocks, _ = segment_html(decoded.text)
        labels = label_by_gold(blocks, gold)
        paragraphs = [(b.text, lab) for b, lab in zip(blocks, labels)]
        found = {compact(b.text) for b, lab in zip(blocks, labels) if lab == BODY}
        missing = [t for t in gold.get("body", [])
                   if compact(t) not in found and not any(compact(t) in f for f in found)]
        extra = {"labels_from": "hand", "gold": f"gold/gne-zh/{gold_file.name}"}
        if missing:
            extra["gold_paragraphs_not_found"] = len(missing)
        html = LabelledPage(id=gold_file.stem, kind="html", source=source, paragraphs=paragraphs, extra=extra)
        separator = "\n\n" if rng.random() < 0.5 else "\n"
        dump = LabelledPage(id=f"{gold_file.stem}#text", kind="text", source=source,
                            raw=separator.join(t for t, _ in paragraphs), paragraphs=paragraphs,
                            extra={"labels_from": "hand", "dump_of": source})
        yield html, dump


def trafilatura_pages(corpora: Path) -> Iterator[LabelledPage]:
    """trafilatura-eval pages labelled by their segments and by two peers' agreement."""
    evaldata = json.loads((corpora / "trafilatura-eval" / "evaldata.json").read_text(encoding="utf-8"))
    overrides = read_overrides()
    for url, item in evaldata.items():
        source = f"trafilatura-eval/html/{item['file']}.gz"
        path = corpora / source
        if not path.is_file():
            continue
        decoded = decode(gzip.decompress(path.read_bytes()), kind="html")
        if decoded.reason:
            continue
        blocks = [b for b in segment_html(decoded.text)[0] if compact(b.text)]
        keys = [compact(b.text) for b in blocks]
        kept_a, kept_b = (peer_kept(keys, compact(out)) for out in peer_outputs(decoded.text, url))
        labels, given = label_by_segments_and_peers(keys, kept_a, kept_b, item)
        label_article_lead(blocks, labels, given)
        extra = {"url": url, "labels_from": "peers"}
        if url in overrides:
            extra["hand_overrides"] = apply_overrides(keys, labels, overrides[url], url)
        paragraphs = [(b.text, lab) for b, lab in zip(blocks, labels) if lab is not None]
        page_id = "te-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]
        yield LabelledPage(id=page_id, kind="html", source=source, paragraphs=paragraphs, extra=extra)


def label_by_segments_and_peers(keys: list[str], kept_a: list[bool], kept_b: list[bool],
                                item: dict) -> tuple[list[Label | None], list[str | None]]:
    """Each block's label (compact texts `keys`, in page order) and what gave it: "with" or
    "without" (a segment of evaldata `item`), "peers" (both peers agree), "between" (between
    body blocks), None (unlabelled: the peers disagree)."""
    with_keys = [compact(s) for s in item.get("with", []) if compact(s)]
    without_keys = [compact(s) for s in item.get("without", []) if compact(s)]
    labels: list[Label | None] = []
    given: list[str | None] = []
    for k, in_a, in_b in zip(keys, kept_a, kept_b):
        if any(s in k or (len(k) >= 10 and k in s) for s in with_keys):
            labels.append(BODY)
            given.append("with")
        elif any(s in k for s in without_keys):
            labels.append(CHROME)
            given.append("without")
        elif in_a == in_b:
            labels.append(BODY if in_a else CHROME)
            given.append("peers")
        else:
            labels.append(None)
            given.append(None)
    if FILL_BETWEEN_BODY:
        fill_between_body(labels)
        given = [g if g is not None or lab is None else "between" for g, lab in zip(given, labels)]
    return labels, given


def label_article_lead(blocks: list[Block], labels: list[Label | None], given: list[str | None]) -> None:
    """Label body the article's lead: a block in a lead container (class or id of the "lead"
    family: lead, intro, excerpt, chapo, standfirst, dek, subtitle...) of LEAD_MIN_CHARS or more
    that ends a sentence, standing after the headline, at most LEAD_BEFORE_FIRST blocks before and
    LEAD_AFTER_FIRST blocks after the first body paragraph, unless a `without` segment is in it;
    at most LEAD_MAX_BLOCKS of them (a lead is a paragraph or two, not a list of teasers). Both peers often drop the
    lead that sites set in the article's header, where the evaldata annotators count it."""
    first = next((i for i, (b, lab) in enumerate(zip(blocks, labels))
                  if lab == BODY and len(b.text) >= LEAD_MIN_PARAGRAPH and not b.heading), None)
    if first is None:
        return
    head = max((i for i in range(first) if labels[i] == BODY and blocks[i].heading), default=-1)
    found = 0
    for i in range(max(head + 1, first - LEAD_BEFORE_FIRST, 0), min(first + LEAD_AFTER_FIRST + 1, len(blocks))):
        block = blocks[i]
        if (labels[i] != BODY and given[i] != "without" and block.hints.get("near_lead")
                and len(block.text) >= LEAD_MIN_CHARS and _SENTENCE_END.search(block.text)):
            labels[i], given[i] = BODY, "lead"
            found += 1
            if found == LEAD_MAX_BLOCKS:
                return


def read_overrides(path: Path = OVERRIDES) -> dict[str, list[dict[str, str]]]:
    """The hand-checked label corrections of trafilatura-eval pages, by page URL (none if no file)."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["pages"]


def apply_overrides(keys: list[str], labels: list[Label | None], fixes: list[dict[str, str]], url: str) -> int:
    """Give every block whose compact text is a correction's text the corrected label; returns
    how many blocks changed. A correction that matches no block is reported (the page or the
    segmenter changed: the file needs another look)."""
    changed = 0
    for fix in fixes:
        target = compact(fix["text"])
        hits = [i for i, k in enumerate(keys) if k == target]
        if not hits:
            print(f"override matches no block of {url}: {fix['text'][:60]!r}", file=sys.stderr)
        for i in hits:
            changed += labels[i] != fix["label"]
            labels[i] = check_label(fix["label"])
    return changed


def peer_outputs(html: str, url: str) -> tuple[str, str]:
    """The main text trafilatura and readability-lxml extract from a page ("" when one fails)."""
    import trafilatura
    from readability import Document

    try:
        a = trafilatura.extract(html, url=url) or ""
    except Exception:
        a = ""
    try:
        b = _html_text(Document(html).summary())
    except Exception:
        b = ""
    return a, b


def fill_between_body(labels: list[Label | None]) -> None:
    """A block the peers disagree on, with body on both sides (the nearest labelled blocks),
    is body: it stands inside the article (a table row, a list item, a caption)."""
    previous: Label | None = None
    pending: list[int] = []
    for i, label in enumerate(labels):
        if label is None:
            pending.append(i)
            continue
        if pending and previous == BODY and label == BODY:
            for j in pending:
                labels[j] = BODY
        pending, previous = [], label


def peer_kept(keys: list[str], kept: str) -> list[bool]:
    """Which blocks (compact texts, in page order) a peer kept, given its compact output.

    A block of SHORT_BLOCK characters or more is kept when the output holds it. A shorter one
    is kept only where the output holds it right after the previous block's text or right
    before the next one's (within PEER_GAP characters), so that a "5" or a "Home" is not
    taken as kept because the article happens to contain it.
    """
    spans: list[tuple[int, int] | None] = []
    for k in keys:
        at = kept.find(k) if len(k) >= SHORT_BLOCK else -1
        spans.append((at, at + len(k)) if at >= 0 else None)
    for i in range(1, len(keys)):  # forward: right after a kept neighbour
        k, prev = keys[i], spans[i - 1]
        if spans[i] is None and prev is not None:
            at = kept.find(k, prev[1], prev[1] + PEER_GAP + len(k))
            if at >= 0:
                spans[i] = (at, at + len(k))
    for i in range(len(keys) - 2, -1, -1):  # backward: right before a kept neighbour
        k, nxt = keys[i], spans[i + 1]
        if spans[i] is None and nxt is not None:
            at = kept.rfind(k, max(0, nxt[0] - PEER_GAP - len(k)), nxt[0])
            if at >= 0:
                spans[i] = (at, at + len(k))
    return [span is not None for span in spans]


def text_versions(pages: list[LabelledPage], corpora: Path, dumps: int, clean_copies: int) -> list[LabelledPage]:
    """Text pages made from HTML records: scraper-style dumps of every block (labels carried
    over), and clean article texts (only the body, as many crawls store it), so that the text
    path learns from more than one language and from pages with no boilerplate at all."""
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(pages, min(dumps, len(pages))), key=lambda p: p.id)
    out = []
    for page in chosen:
        decoded = decode(gzip.decompress((corpora / page.source).read_bytes()), kind="html")
        blocks, _ = segment_html(decoded.text)
        separator = "\n\n" if rng.random() < 0.5 else "\n"
        out.append(LabelledPage(id=f"{page.id}#text", kind="text", source=page.source,
                                raw=separator.join(b.text for b in blocks), paragraphs=page.paragraphs,
                                extra={"labels_from": page.extra.get("labels_from"), "dump_of": page.source,
                                       "url": page.extra.get("url")}))
    for page in sorted(rng.sample(pages, min(clean_copies, len(pages))), key=lambda p: p.id):
        body = [t for t, label in page.paragraphs if label == BODY]
        if len(body) >= 2:
            out.append(LabelledPage(id=f"{page.id}#clean", kind="text", source=page.source,
                                    raw="\n\n".join(body), paragraphs=[(t, BODY) for t in body],
                                    extra={"labels_from": page.extra.get("labels_from"), "clean_copy_of": page.source,
                                           "url": page.extra.get("url")}))
    return out


def _html_text(html: str) -> str:
    blocks, _ = segment_html(html)
    return "\n".join(b.text for b in blocks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--only", choices=["gne-zh", "trafilatura-eval"])
    args = parser.parse_args(argv)
    if args.only in (None, "gne-zh"):
        pairs = list(gne_pages(args.corpora))
        write_pages([h for h, _ in pairs], DATA / "gne-zh.jsonl")
        clean = text_versions([h for h, _ in pairs], args.corpora, 0, len(pairs))
        write_pages([t for _, t in pairs] + clean, DATA / "gne-zh-text.jsonl")
        print(f"gne-zh: {len(pairs)} pages", file=sys.stderr)
    if args.only in (None, "trafilatura-eval"):
        pages = list(trafilatura_pages(args.corpora))
        write_pages(pages, DATA / "trafilatura-eval.jsonl")
        count = write_pages(text_versions(pages, args.corpora, TEXT_DUMPS, CLEAN_COPIES),
                            DATA / "trafilatura-eval-text.jsonl")
        print(f"trafilatura-eval: {len(pages)} pages, {count} text versions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
