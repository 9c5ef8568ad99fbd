"""Stage 2 for HTML: walk the DOM once (selectolax/lexbor) and emit blocks in reading order.

Every element is visited once, in document order, and inherits what its parent knew (its
block-level ancestor, its depth, the class/id token families along its path, whether it is
inside a link), so the walk is linear in the page and never recursive: 200,000 nested divs
cost what 200,000 siblings cost. A block is the text between two block boundaries that shares
one block-level ancestor, as a browser lays it out.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from cleaner.limits import TooManyBlocks, check
from cleaner.segment import Block, squash

#: Elements that never hold article text, removed with their content before the walk.
#: `rt`/`rp` are ruby annotations (the kana reading printed over kanji): a browser sets them
#: apart from the line, and kept inline they split every annotated word ("子こども").
DROPPED_TAGS = [
    "script", "style", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "select", "option", "textarea", "button", "input", "head", "audio", "video", "rt", "rp",
]
#: A page's <noscript> content is dropped too, unless the rest of the page has fewer than this
#: many characters of text: then the page is all in <noscript> (its script version draws the
#: same text), and that content is what a reader without scripts gets.
NOSCRIPT_FALLBACK_CHARS = 200
#: Elements that start a new block (their text is laid out apart from their neighbours').
BLOCK_TAGS = frozenset(
    {
    'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'dir',
    'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5',
    'h6', 'header', 'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section',
    'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'br',
}
)
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
#: How many ancestors a block remembers, for the container scores (bounded so deep pages stay linear).
ANCESTOR_MEMORY = 12
#: A block needs this many characters to vote for its container as the article's.
VOTE_MIN_CHARS = 25

# Class/id token families, English and the pinyin Chinese sites use.
TOKEN_FAMILIES: dict[str, frozenset[str]] = {
    "body": frozenset(
        {
        'article', 'content', 'contents', 'main', 'post', 'entry', 'story', 'body', 'text', 'detail',
        'details', 'zhengwen', 'neirong', 'wenzhang', 'news', 'para', 'paragraph', 'artical', 'art', 'con',
        'cont', 'txt', 'rich', 'richtext',
    }
    ),
    "chrome": frozenset(
        {
        'nav', 'navbar', 'navigation', 'menu', 'footer', 'foot', 'header', 'head', 'sidebar', 'side', 'aside',
        'breadcrumb', 'breadcrumbs', 'crumb', 'crumbs', 'share', 'sharing', 'social', 'related', 'recommend',
        'recommended', 'tuijian', 'xiangguan', 'ad', 'ads', 'advert', 'advertisement', 'banner', 'copyright',
        'banquan', 'tag', 'tags', 'widget', 'login', 'subscribe', 'newsletter', 'promo', 'sponsor', 'hot',
        'rank', 'ranking', 'more', 'toolbar', 'pager', 'pagination', 'cookie', 'popup', 'modal', 'topbar',
        'bottom', 'top', 'logo', 'search', 'links', 'friend', 'footer_links',
    }
    ),
    "comment": frozenset(
        {
        'comment', 'comments', 'reply', 'replies', 'pinglun', 'discuss', 'discussion', 'respond', 'disqus',
        'review', 'reviews', 'gentie', 'talk', 'feedback',
    }
    ),
    # the article's lead or standfirst, which sites set apart from the text (and teaser cards too)
    "lead": frozenset(
        {
        'lead', 'lede', 'intro', 'introtext', 'introduction', 'excerpt', 'chapo', 'abstract', 'standfirst',
        'dek', 'deck', 'subtitle', 'subheadline', 'summary', 'daoyu', 'zhaiyao',
    }
    ),
}
_PREFIXES = {"chrome": ("recommend", "related", "footer", "breadcrumb", "sidebar", "advert"),
             "comment": ("comment", "reply", "pinglun", "discuss")}
_FAMILY_BITS = {name: 1 << i for i, name in enumerate(TOKEN_FAMILIES)}
_TOKEN_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(slots=True)
class PageMeta:
    """What the page says about itself, outside its blocks."""

    title: str | None = None
    date: str | None = None
    author: str | None = None
    description: str | None = None
    article_body: str | None = None  # JSON-LD articleBody, a hint of what the body is
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Anchor:
    """A block-level element: what every piece of text directly inside it shares."""

    id: int  # its mem_id
    tag: str
    path: str  # tag.class.id names from <body> down to it, the last 300 characters
    chain: tuple[int, ...]  # mem_ids of its last ANCESTOR_MEMORY block-level ancestors, then its own


#: What an element knows from its ancestors. A tuple, not a dataclass: one is built for every
#: element of the page, and a tuple costs a sixth as much. The fields, in order:
#: - the id and the `_Anchor` of its nearest block-level element (itself if it is one);
#: - its depth;
#: - the OR of the token-family bits along its path;
#: - the families of its anchor and the anchor's parent only (the near context);
#: - whether it is inside a link.
_State = tuple[int, _Anchor, int, int, int, bool]
#: The deadline is checked when the node count has none of these bits set (every 1,024 nodes).
CHECK_MASK = 1023
# What the walk does with a node, by its tag (compared by identity).
_TEXT, _OTHER, _INLINE, _LINK, _BREAK, _BLOCK = "text", "other", "inline", "link", "break", "block"


def _kind(tag: str | None) -> tuple[str | None, str]:
    """A tag and its kind. Selectolax names text `-text`, and comments, doctypes... `-x` or `!x`."""
    if tag == "-text":
        return tag, _TEXT
    if tag is None or tag.startswith(("-", "!")):
        return tag, _OTHER
    if tag == "br":
        return tag, _BREAK  # a block boundary, but no container
    if tag in BLOCK_TAGS:
        return tag, _BLOCK
    return tag, _LINK if tag == "a" else _INLINE


def segment_html(html: str, max_blocks: int | None = None) -> tuple[list[Block], PageMeta]:
    """Blocks of an HTML page in reading order, and the page's metadata.

    Raises TooManyBlocks past `max_blocks` blocks (before the rest of the page costs memory).
    """
    tree = LexborHTMLParser(html)
    meta = read_meta(tree)
    tree.strip_tags(DROPPED_TAGS, recursive=True)
    _drop_noscript(tree)
    for node in tree.css("[hidden], [style*=display], [style*=visibility], [aria-hidden=true]"):
        if node.tag == "html":
            continue  # lexbor refuses to decompose the root (SelectolaxError): `<html hidden>` crashed clean
        style = node.attributes.get("style") or ""
        if "hidden" in node.attributes or node.attributes.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(style):
            node.decompose()
    root = tree.body or tree.root
    if root is None:
        return [], meta
    blocks, chains = _walk(root, max_blocks)
    _vote_containers(blocks, chains)
    return blocks, meta


def _drop_noscript(tree: LexborHTMLParser) -> None:
    """Remove <noscript> content, or unwrap it where the page has (almost) nothing else to read."""
    noscripts = tree.css("noscript")
    if not noscripts:
        return
    body = tree.body
    if body is not None:
        outside = len(squash(body.text(deep=True))) - sum(len(squash(n.text(deep=True))) for n in noscripts)
        if outside < NOSCRIPT_FALLBACK_CHARS:
            tree.unwrap_tags(["noscript"])
            return
    tree.strip_tags(["noscript"], recursive=True)


def _walk(root, max_blocks: int | None = None) -> tuple[list[Block], list[tuple[int, ...]]]:
    """Visit each node once and cut text into blocks at block boundaries.

    Returns the blocks and, for each, the chain of its block-level ancestors' ids.
    A block takes its depth and families from the parent of its first piece of text, and its
    tag, path and group from that parent's anchor.
    """
    top_anchor = _Anchor(root.mem_id, "body", "body", (root.mem_id,))
    top: _State = (root.mem_id, top_anchor, 0, 0, 0, False)
    states: dict[int, _State] = {}
    kinds: dict[int, tuple[str | None, str]] = {}  # tag id -> (name, kind): a name is decoded anew each read
    blocks: list[Block] = []
    chains: list[tuple[int, ...]] = []
    parts: list[str] = []
    link_chars = 0
    first: _State = top  # the state of the parent of the current block's first piece
    current = -1  # the current block's anchor id; -1: no block is open
    solid = False  # whether parts hold more than white space

    def flush() -> None:
        text = squash("".join(parts))
        if text:
            anchor = first[1]
            blocks.append(_block(text, first, min(link_chars, len(text))))
            chains.append(anchor.chain)
            if max_blocks is not None and len(blocks) > max_blocks:
                raise TooManyBlocks(max_blocks)

    for count, node in enumerate(root.traverse(include_text=True)):
        try:
            tag, kind = kinds[node.tag_id]
        except KeyError:
            tag, kind = kinds[node.tag_id] = _kind(node.tag)
        if kind is _TEXT:
            piece = node.text_content
            if not piece:
                continue
            parent = node.parent
            above = states.get(parent.mem_id, top) if parent is not None else top
            if above[0] != current:
                if solid:
                    flush()
                parts, link_chars, first, current, solid = [], 0, above, above[0], False
            parts.append(piece)
            if not solid:
                solid = not piece.isspace()  # most pieces are white space between tags: no block
            if above[5]:
                link_chars += len(squash(piece))
            continue
        if kind is _OTHER:
            continue
        if not count & CHECK_MASK:
            check("segmentation")
        parent = node.parent
        anchor_id, anchor, depth, families, near, in_link = (
            states.get(parent.mem_id, top) if parent is not None else top)
        attrs = node.attributes
        own, label = _token_facts(attrs.get("class"), attrs.get("id")) if attrs else _NO_TOKENS
        mem_id = node.mem_id
        if kind is _BLOCK:
            new = _Anchor(mem_id, tag, f"{anchor.path}>{tag}{label}"[-300:],
                          (*anchor.chain[-ANCESTOR_MEMORY:], mem_id))
            states[mem_id] = (mem_id, new, depth + 1, families | own,
                              own | (near if anchor.tag != "body" else 0), in_link)
        else:
            states[mem_id] = (anchor_id, anchor, depth + 1, families | own, near | own,
                              in_link or kind is _LINK)
        if kind is _BLOCK or kind is _BREAK:
            if solid:
                flush()
            parts, link_chars, current, solid = [], 0, -1, False
    if solid:
        flush()
    return blocks, chains


_NO_TOKENS = (0, "")


@functools.lru_cache(maxsize=4096)
def _token_facts(class_: str | None, id_: str | None) -> tuple[int, str]:
    """The family bits of an element's class and id, and the `.word.word` its path name adds."""
    words = f"{class_ or ''} {id_ or ''}".split()
    if not words:
        return _NO_TOKENS
    bits = 0
    for word in words:
        bits |= _word_bits(word)
    return bits, "." + ".".join(words)[:60]


@functools.lru_cache(maxsize=16384)
def _word_bits(word: str) -> int:
    """The family bits of one class or id word ("article-content"): words recur across sites."""
    bits = 0
    for token in _tokens(word):
        bits |= _token_bits(token)
    return bits


def _tokens(word: str) -> list[str]:
    """The lower-case tokens of a class/id word: split at non-alphanumerics and at camelCase.

    Most words are lower-case ASCII tokens joined by '-' or '_', which str methods split
    several times faster than the regex that handles the rest.
    """
    tokens = word.replace("-", " ").replace("_", " ").split()
    if word.islower() and word.isascii() and "".join(tokens).isalnum():
        return tokens
    return [token.lower() for token in _TOKEN_SPLIT.split(word) if token]


@functools.lru_cache(maxsize=8192)
def _token_bits(token: str) -> int:
    bits = 0
    for family, words in TOKEN_FAMILIES.items():
        if token in words or token.startswith(_PREFIXES.get(family, ("\0",))):
            bits |= _FAMILY_BITS[family]
    return bits


def _hint_template(families: int, near: int) -> dict[str, float]:
    hints = {f"path_{name}": float(bool(families & bit)) for name, bit in _FAMILY_BITS.items()}
    hints.update({f"near_{name}": float(bool(near & bit)) for name, bit in _FAMILY_BITS.items()})
    return hints


#: The path_* and near_* hints of every combination of family bits, copied into each block.
_HINTS = {(f, n): _hint_template(f, n) for f in range(1 << len(_FAMILY_BITS)) for n in range(1 << len(_FAMILY_BITS))}


def _block(text: str, state: _State, link_chars: int) -> Block:
    _, anchor, depth, families, near, _ = state
    tag = anchor.tag
    chain = anchor.chain
    # positional: keywords cost as much again as the rest of building a Block
    return Block(text, None, None,  # start, end: offsets exist in text input only
                 chain[-2] if len(chain) > 1 else 0, tag, anchor.path,  # group, tag, path
                 tag == "li", tag in HEADINGS, link_chars, depth,  # bullet, heading, link_chars, depth
                 _HINTS[families, near].copy())  # hints


def _vote_containers(blocks: list[Block], chains: list[tuple[int, ...]]) -> None:
    """Readability's idea: long, punctuated text votes for its parent and grandparent.

    The block whose ancestors hold the winning container is inside the article's container;
    `container_score` is how much of the best container's vote its own container has.
    """
    votes: dict[int, float] = {}
    for block, chain in zip(blocks, chains):
        text = block.text
        if len(text) < VOTE_MIN_CHARS or block.link_chars > len(text) / 2:
            continue
        commas = text.count(",") + text.count("，") + text.count("、") + text.count("。")
        score = 1.0 + min(commas, 10) * 0.5 + min(len(text) / 100, 3.0)
        for weight, container in zip((1.0, 0.5, 0.25), reversed(chain[:-1])):
            votes[container] = votes.get(container, 0.0) + score * weight
    best = max(votes, key=votes.__getitem__) if votes else None
    top = votes[best] if best is not None else 1.0
    known: dict[int, tuple[float, float]] = {}  # both hints, per anchor (the last id of a chain)
    for block, chain in zip(blocks, chains):
        if (hints := known.get(chain[-1])) is None:
            score = max(votes.get(c, 0.0) for c in chain[-3:]) / top
            hints = known[chain[-1]] = (float(best is not None and best in chain), score)
        block.hints["in_best_container"] = hints[0]
        block.hints["container_score"] = hints[1]


def read_meta(tree: LexborHTMLParser) -> PageMeta:
    """Title, date, author and JSON-LD articleBody, from the places pages put them."""
    meta = PageMeta()
    named: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and attrs.get("content"):
            named.setdefault(key, squash(attrs["content"] or ""))
    for node in tree.css('script[type="application/ld+json"]'):
        _read_json_ld(node.text(deep=True), meta)
    title_node = tree.css_first("title")
    h1 = tree.css_first("h1")
    meta.title = (named.get("og:title") or meta.title or (squash(h1.text()) if h1 else None)
                  or (squash(title_node.text()) if title_node else None)) or None
    meta.date = meta.date or next((named[k] for k in ("article:published_time", "pubdate", "publishdate",
                                                      "datepublished", "og:release_date", "date") if k in named), None)
    if meta.date is None and (time := tree.css_first("time[datetime]")) is not None:
        meta.date = time.attributes.get("datetime")
    meta.author = meta.author or named.get("author") or named.get("article:author")
    meta.description = named.get("og:description") or named.get("description")
    return meta


def _read_json_ld(source: str, meta: PageMeta) -> None:
    try:
        data = json.loads(source)
    except (ValueError, RecursionError):
        return
    stack = [data]
    seen = 0
    while stack and seen < 200:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "@graph" in item:
                stack.append(item["@graph"])
            if isinstance(item.get("articleBody"), str) and not meta.article_body:
                meta.article_body = squash(item["articleBody"])
            if isinstance(item.get("headline"), str) and not meta.title:
                meta.title = squash(item["headline"])
            if isinstance(item.get("datePublished"), str) and not meta.date:
                meta.date = item["datePublished"]
            author = item.get("author")
            if isinstance(author, list) and author:
                author = author[0]
            if isinstance(author, dict):
                author = author.get("name")
            if isinstance(author, str) and author and not meta.author:
                meta.author = squash(author)
