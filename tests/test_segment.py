import random

from cleaner import segment
from cleaner.segment import ELLIPSIS_END, ELLIPSIS_LAST, segment_text, squash


def test_blank_lines_separate_paragraphs_and_offsets_point_into_the_input():
    text = "Title\n\nFirst paragraph here.\n\n  Second one.  \n"
    blocks = segment_text(text)
    assert [b.text for b in blocks] == ["Title", "First paragraph here.", "Second one."]
    for b in blocks:
        assert text[b.start:b.end] == b.text


def test_item_lines_of_one_paragraph_become_separate_blocks():
    text = "  • 伊朗又作秀:14枚导弹打美军基地\n\n    木叔这篇国际评论。\n\n    2025年06月24日\n    143\n"
    blocks = segment_text(text)
    assert [b.text for b in blocks] == ["• 伊朗又作秀:14枚导弹打美军基地", "木叔这篇国际评论。", "2025年06月24日", "143"]
    assert blocks[0].bullet and not blocks[2].bullet


def test_hard_wrapped_prose_stays_one_block():
    text = ("The committee met on Tuesday to discuss the budget for the coming\n"
            "year, and agreed after a long debate that the proposal should be\n"
            "sent back for revision.\n")
    blocks = segment_text(text)
    assert len(blocks) == 1 and blocks[0].text.startswith("The committee") and "coming year," in blocks[0].text


def test_numbers_starting_a_line_are_not_bullets():
    assert not segment_text("1.88万亿元左右,占该市比重1/3左右。")[0].bullet


def _random_texts() -> list[str]:
    rng = random.Random(5)
    pool = ["a", "字", " ", "  ", "\t", "\u3000", "\n", "\n\n", "\r", "• ", "1. ", "...", "…", "。", "x" * 60]
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 80))) for _ in range(500)]


def test_lines_split_at_once_equal_the_lazy_split(monkeypatch):
    texts = _random_texts()
    at_once = [(list(segment._lines(t)), [(b.text, b.start, b.end, b.group, b.bullet) for b in segment_text(t)])
               for t in texts]
    monkeypatch.setattr(segment, "SPLIT_AT_ONCE_CHARS", -1)
    lazy = [(list(segment._lines(t)), [(b.text, b.start, b.end, b.group, b.bullet) for b in segment_text(t)])
            for t in texts]
    assert at_once == lazy
    for t, (lines, _) in zip(texts, at_once):
        assert [line for _, line in lines] == t.split("\n") and all(t.startswith(line, o) for o, line in lines)


def test_block_offsets_and_text_are_the_squashed_stripped_line():
    for t in _random_texts():
        for b in segment_text(t):
            assert squash(t[b.start:b.end]) == b.text or "\n" in t[b.start:b.end]
            assert not t[b.start:b.end][:1].isspace() and not t[b.start:b.end][-1:].isspace()


def test_ellipsis_end_matches_only_before_the_listed_last_characters():
    for t in [*_random_texts(), "a...", "a…\n", "。。。", "……", "x.\n"]:
        if ELLIPSIS_END.search(t):
            assert t.endswith(ELLIPSIS_LAST), t
