import json

import pytest

import cleaner
from cleaner import LABELS, Cleaner, InputError, Result, clean

HTML = """<html><head><title>Budget passed</title></head><body>
<ul class="nav"><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul>
<div class="article-content"><h1>Budget passed</h1>
<p>The parliament passed the budget on Tuesday after a long debate, officials said.</p>
<p>The finance minister said the plan would cut the deficit by half within three years.</p>
<p>Opposition members criticised the spending cuts, saying they would hurt schools.</p></div>
<div class="footer">Copyright 2025 Example News. All rights reserved.</div></body></html>"""


def test_clean_returns_a_result_with_labelled_paragraphs_in_order():
    result = clean(HTML)
    assert isinstance(result, Result) and result.kind == "html" and result.title == "Budget passed"
    assert [p.index for p in result.paragraphs] == list(range(len(result.paragraphs)))
    assert all(p.label in LABELS and 0.0 <= p.score <= 1.0 for p in result.paragraphs)
    assert "finance minister" in result.text


def test_result_serialises_to_json():
    data = json.loads(clean(HTML).to_json())
    assert set(data) >= {"text", "paragraphs", "title", "kind", "encoding", "comments", "reason"}
    assert set(data["paragraphs"][0]) >= {"text", "label", "score", "index", "start", "end", "path"}


def test_bytes_and_str_give_the_same_text():
    assert clean(HTML.encode("utf-8")).text == clean(HTML).text


def test_text_paragraph_positions_point_into_the_input(seeds):
    raw = seeds[0].raw
    for p in clean(raw, kind="text").paragraphs:
        assert p.text.replace(" ", "") in raw[p.start:p.end].replace(" ", "").replace("\n", "")


def test_clean_many_is_lazy_and_reuses_one_model():
    pages = iter([HTML, "第一段文字。\n\n第二段文字。"])
    results = Cleaner().clean_many(pages)
    assert next(results).kind == "html"
    assert next(results).kind == "text"


def test_comments_are_returned_only_when_asked(seeds):
    raw = next(p for p in seeds if p.id.startswith("002")).raw
    assert clean(raw).comments is None
    assert isinstance(clean(raw, include_comments=True).comments, list)


def test_wrong_argument_types_raise_input_error():
    with pytest.raises(InputError):
        clean(123)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        clean("text", kind="pdf")
    assert issubclass(InputError, cleaner.CleanerError)


def test_binary_input_gives_empty_text_with_a_reason():
    result = clean(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert result.text == "" and "PNG" in result.reason and result.paragraphs == []


def test_clean_with_a_model_file_loads_it_once_until_it_changes(tmp_path, monkeypatch):
    import os
    import shutil

    from cleaner import classify

    mine = tmp_path / "mine.joblib"
    shutil.copy(classify.SHIPPED_MODEL, mine)
    shutil.copy(classify.card_path(classify.SHIPPED_MODEL), classify.card_path(mine))
    loads = []
    real = cleaner.load_model
    monkeypatch.setattr(cleaner, "load_model", lambda path, trust=False: loads.append(path) or real(path, trust=trust))
    cleaner._loaded.cache_clear()
    with pytest.raises(cleaner.ModelError):
        clean(HTML, model=mine)  # not the shipped model: trust is still needed, every time
    first = clean(HTML, model=mine, trust_model=True)
    assert clean(HTML, model=str(mine), trust_model=True).text == first.text == clean(HTML).text
    assert len(loads) == 2  # the refused load, then one for both calls
    stamp = mine.stat()
    os.utime(mine, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))  # the file was replaced
    clean(HTML, model=mine, trust_model=True)
    assert len(loads) == 3
    with pytest.raises(cleaner.ModelError):
        clean(HTML, model=tmp_path / "missing.joblib", trust_model=True)
