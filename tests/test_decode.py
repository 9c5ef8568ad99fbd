import gzip

import pytest

from cleaner.decode import decode, looks_like_html

ARTICLE = "<html><head>{meta}<title>标题</title></head><body><p>北京市统计局公布了去年的数据，增长明显。</p></body></html>"


def test_gbk_page_with_meta_charset_decodes_to_chinese():
    page = ARTICLE.format(meta='<meta charset="gb2312">').encode("gbk")
    decoded = decode(page)
    assert decoded.encoding == "gb18030"
    assert "北京市统计局" in decoded.text and decoded.kind == "html"


def test_gbk_page_claiming_utf8_is_still_read_as_gbk():
    page = ARTICLE.format(meta='<meta charset="utf-8">').encode("gbk")
    decoded = decode(page)
    assert "北京市统计局" in decoded.text


def test_gbk_page_without_any_charset_is_detected():
    page = ("<html><body>" + "<p>北京市统计局公布了去年的数据，增长明显。上海市紧随其后。</p>" * 20 + "</body></html>").encode("gbk")
    assert "北京市统计局" in decode(page).text


def test_big5_page_is_read():
    page = '<html><head><meta charset="big5"></head><body><p>臺北市統計處公布去年的資料，成長明顯。</p></body></html>'
    assert "臺北市統計處" in decode(page.encode("big5")).text


def test_utf16_with_bom():
    page = "\ufeff" + ARTICLE.format(meta="")
    decoded = decode(page.encode("utf-16"))
    assert "北京市统计局" in decoded.text and decoded.encoding.startswith("utf-16")


def test_latin1_page_is_read_as_windows_1252():
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Café über straße</p></body></html>'
    assert "Café über straße" in decode(page.encode("latin-1")).text


def test_gzip_and_truncated_gzip_are_unpacked():
    page = "<html><body>" + "".join(f"<p>第{i}段:北京市统计局 {i * 7919 % 1000}</p>" for i in range(3000))
    packed = gzip.compress(page.encode("utf-8"))
    assert "第2999段" in decode(packed).text
    truncated = decode(packed[: len(packed) // 2]).text
    assert "第10段:北京市统计局" in truncated and "第2999段" not in truncated


@pytest.mark.parametrize("blob,what", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF"),
    (bytes(1000), "NUL"),
])
def test_binary_input_gives_a_reason_not_text(blob, what):
    decoded = decode(blob)
    assert decoded.text == "" and what in decoded.reason


def test_empty_and_whitespace_input_give_a_reason():
    for page in (b"", "", "   \n\t  "):
        assert decode(page).reason == "no text in input"


def test_control_characters_and_lone_surrogates_are_dropped():
    decoded = decode("abc\x00def\ud800ghi\x07\r\njkl\rmno")
    assert decoded.text == "abcdefghi\njkl\nmno"


def test_invalid_utf8_in_the_middle_keeps_the_rest():
    page = ("Hello world. " * 200).encode() + b"\xff\xfe\xfa" + ("More text. " * 200).encode()
    decoded = decode(page)
    assert decoded.encoding == "utf-8" and "More text." in decoded.text and "\ufffd" not in decoded.text


def test_html_is_told_from_text():
    assert looks_like_html("<!DOCTYPE html><html><body><p>x</p></body></html>")
    assert not looks_like_html("一段文字 <b>加粗</b> 的说明")


def test_the_fast_control_check_agrees_with_the_regex():
    from cleaner.decode import _CONTROL, _has_control

    # every 1- and 2-byte UTF-8 character, the edges of the surrogates and of U+FFFx, a sample of the rest
    codes = [*range(0x800), *range(0xD7F0, 0xE010), *range(0xFFF0, 0x10010), *range(0x800, 0x110000, 97)]
    for code in codes:
        text = f"a{chr(code)}字"
        assert _has_control(text) == bool(_CONTROL.search(text)), hex(code)
