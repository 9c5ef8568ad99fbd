from cleaner.segment import segment_text


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
