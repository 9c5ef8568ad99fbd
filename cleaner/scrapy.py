"""A Scrapy item pipeline (the `scrapy` extra) that cleans each item's HTML as it is crawled.

    ITEM_PIPELINES = {"cleaner.scrapy.CleanerPipeline": 300}

Settings (all optional):

- CLEANER_HTML_FIELD ("html"): the item field holding the page, str or bytes;
  an item without it passes through untouched.
- CLEANER_OUTPUT_FIELDS ("text", "title"): output fields copied into the item, any of
  `cleaner.batch.OUTPUT_FIELDS`, plus "paragraphs" / "comments" (which turn on labels / comments).
- CLEANER_PREFIX (""): put before each output field name, e.g. "clean_".
- CLEANER_DROP_HTML (False): remove the page from the item once cleaned.
- CLEANER_DROP_EMPTY (False): drop items whose page has no article text.
- CLEANER_MODEL / CLEANER_TRUST_MODEL: another model, as `--model` / `--trust-model`.

The item's `url` and `encoding` fields (e.g. from `response.encoding`) are used when present.
The model loads once, when the spider opens. Cleaning runs in Scrapy's reactor thread, so
keep CONCURRENT_REQUESTS modest or run several crawls for more cores.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from cleaner.batch import OUTPUT_FIELDS, RecordCleaner
from cleaner.records import record_from_fields

EXTRA_FIELDS = ("paragraphs", "comments", "error")


class CleanerPipeline:
    """Adds the clean text (and what else CLEANER_OUTPUT_FIELDS asks) to every item with a page."""

    def __init__(self, html_field: str = "html", output_fields: tuple[str, ...] = ("text", "title"),
                 prefix: str = "", drop_html: bool = False, drop_empty: bool = False, model: str | None = None,
                 trust_model: bool = False) -> None:
        unknown = [f for f in output_fields if f not in OUTPUT_FIELDS and f not in EXTRA_FIELDS]
        if unknown:
            raise NotConfigured(f"CLEANER_OUTPUT_FIELDS: unknown fields {unknown}")
        self.html_field, self.output_fields, self.prefix = html_field, tuple(output_fields), prefix
        self.drop_html, self.drop_empty = drop_html, drop_empty
        self.options = {"model": model, "trust_model": trust_model,
                        "labels": "paragraphs" in output_fields, "include_comments": "comments" in output_fields}
        self.worker: RecordCleaner | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CleanerPipeline:
        settings = crawler.settings
        return cls(html_field=settings.get("CLEANER_HTML_FIELD", "html"),
                   output_fields=tuple(settings.getlist("CLEANER_OUTPUT_FIELDS", ["text", "title"])),
                   prefix=settings.get("CLEANER_PREFIX", ""),
                   drop_html=settings.getbool("CLEANER_DROP_HTML", False),
                   drop_empty=settings.getbool("CLEANER_DROP_EMPTY", False),
                   model=settings.get("CLEANER_MODEL"), trust_model=settings.getbool("CLEANER_TRUST_MODEL", False))

    def open_spider(self, spider: Any = None) -> None:
        """Load the model once, before the first item."""
        self.worker = RecordCleaner(self.options)
        self.worker.cleaner  # noqa: B018 - load now: a bad model stops the crawl at its start

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        page = adapter.get(self.html_field)
        if page is None:
            return item
        if self.worker is None:
            self.open_spider(spider)
        assert self.worker is not None
        fields = {"html": page, "url": adapter.get("url"), "encoding": adapter.get("encoding"),
                  "id": adapter.get("id")}
        out = self.worker(record_from_fields(fields, str(adapter.get("url") or ""), None, None))
        if self.drop_empty and not out.get("text"):
            raise DropItem(f"no article text: {out.get('error') or out.get('reason')}")
        for name in self.output_fields:
            adapter[self.prefix + name] = out.get(name)
        if self.drop_html:
            del adapter[self.html_field]
        return item
