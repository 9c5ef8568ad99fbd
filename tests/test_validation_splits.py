"""training.validate_html scores each fold on pages of sites its model never trained on."""

from cleaner.data import read_pages
from training.splits import page_source
from training.train_model import DATA, load_real_pages
from training.validate_html import VALIDATION_BUCKETS, chinese_pages, fit_pages, fold_of


def test_a_gne_zh_page_falls_in_the_fold_of_its_labelled_records():
    """The gne-zh pages a fold scores are looked up by file name, the records its model trains on
    by their source path: both must give the same fold, or a model would score pages it saw."""
    records = read_pages([DATA / "gne-zh.jsonl", DATA / "gne-zh-text.jsonl"])
    assert records
    for record in records:
        name = record.source.rsplit("/", 1)[-1].removesuffix(".html.gz")
        assert fold_of(page_source(record)) == fold_of(name)


def test_no_fold_trains_on_a_page_it_scores():
    real = load_real_pages()
    for fold in range(VALIDATION_BUCKETS):
        trained = {page_source(p).rsplit("/", 1)[-1].removesuffix(".html.gz") for p in fit_pages(real, fold)}
        scored = {page.id for page in chinese_pages(fold)}
        assert scored and not scored & trained
