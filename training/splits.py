"""Held-out splits by site, shared by training and benchmarks.

A page is held out when a stable hash of its site falls in the test bucket, so that
no site contributes pages to both sides and every reported number is on unseen sites.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

TEST_BUCKETS = 3  # one site in three is held out


def page_source(page) -> str:
    """Where a labelled page (cleaner.data.LabelledPage) comes from, for the splits: its URL, else
    its corpus path, else its id."""
    return page.extra.get("url") or page.source or page.id


def is_seed(page) -> bool:
    """Whether a labelled page is one of the seed pages (seeds/): they always train, never validate."""
    return (page.source or "").startswith("seeds/")


def site_of(source: str) -> str:
    """The site a page comes from: a URL's host, or a gne-zh file name's prefix."""
    if "://" in source:
        host = urlsplit(source).hostname or source
        return host.removeprefix("www.")
    name = source.rsplit("/", 1)[-1]
    return name.split("_", 1)[0].split(".", 1)[0]


def bucket_of(source: str, buckets: int, salt: str = "") -> int:
    """Which of `buckets` a stable hash of the page's site (after `salt`) falls in: a split
    by site, another for every salt."""
    digest = hashlib.sha1(f"{salt}{site_of(source)}".encode()).digest()
    return digest[0] % buckets


def in_first_bucket(source: str, buckets: int, salt: str = "") -> bool:
    """True when the page's site falls in the first of `buckets` (see bucket_of)."""
    return bucket_of(source, buckets, salt) == 0


def is_held_out(source: str) -> bool:
    """True when the page's site belongs to the held-out test split."""
    return in_first_bucket(source, TEST_BUCKETS)
