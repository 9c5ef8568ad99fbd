"""Find and check generic selling cues (lexicon.SELLING_LISTS) on data no benchmark tests on:

    python -m training.selling_cues            # candidates
    python -m training.selling_cues WORD ...   # check these words

Only the spam of tune_spam's *fit* families is read (never its validation families nor the
held-out families of bench_spam), with the article paragraphs and reader comments of the
training pages. With no words, it lists n-grams (2-4 CJK characters, 1-3 English words) that
at least MIN_FAMILIES fit families share, each in at least MIN_FAMILY_SHARE of that family's
paragraphs, and that at most MAX_BODY_SHARE of article paragraphs hold: phrases that sell
whatever the product is. With words, it prints for each how many fit families' spam holds it
and how many article paragraphs and comments do. A person picks from the list: template
phrases that name a product stay out (they belong to a family's list in SPAM_FAMILIES).
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable

from cleaner import lexicon
from cleaner.labels import BODY, COMMENT
from training import synth
from training.train_model import load_real_pages, split
from training.tune_spam import validation_families

MIN_FAMILIES = 3
MIN_FAMILY_SHARE = 0.03
MAX_BODY_SHARE = 0.002
PARAGRAPHS_PER_FAMILY = 300
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _grams(text: str, lang: str) -> set[str]:
    if lang == "zh":
        return {text[i:i + n] for n in (2, 3, 4) for i in range(len(text) - n + 1)
                if all(_CJK.match(c) for c in text[i:i + n])}
    words = re.findall(r"[a-z0-9/$%'-]+", text)
    return {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}


def _holds(word: str) -> Callable[[str], bool]:
    """Whether a lower-cased text holds `word` as the selling scans match it: the lexicon's own pattern
    for it (CJK anywhere, Latin as a whole word)."""
    cjk, latin = lexicon._split_patterns([word])
    pattern = latin if word.isascii() else cjk
    return lambda text: word in text and pattern.search(text) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("words", nargs="*")
    args = parser.parse_args(argv)
    fit_families, _ = validation_families()
    spam: dict[tuple[str, str], list[str]] = {}
    for family in fit_families:
        for lang in synth.family_langs(family):
            rng = random.Random(f"selling_cues:{family}:{lang}")
            spam[family, lang] = [synth.spam_paragraph(family, lang, rng).lower() for _ in range(PARAGRAPHS_PER_FAMILY)]
    train, _ = split(load_real_pages())
    body = [t.lower() for p in train for t, label in p.paragraphs if label == BODY]
    comments = [t.lower() for p in train for t, label in p.paragraphs if label == COMMENT]
    print(f"fit families: {', '.join(fit_families)}; {len(body)} article paragraphs, {len(comments)} comments")
    words = [w.lower() for w in args.words] or _candidates(spam)
    for word in words:
        holds = _holds(word)
        families = sorted({family for (family, _), texts in spam.items() if any(map(holds, texts))})
        in_body, in_comments = sum(map(holds, body)), sum(map(holds, comments))
        if args.words or in_body <= MAX_BODY_SHARE * len(body):
            print(f"{word!r:28} families {len(families):2d}  article paragraphs {in_body:4d}  comments {in_comments:3d}"
                  f"  {', '.join(families)}")
    return 0


def _candidates(spam: dict[tuple[str, str], list[str]]) -> list[str]:
    """N-grams common in the spam of at least MIN_FAMILIES fit families, the most shared first."""
    families_of: defaultdict[str, set[str]] = defaultdict(set)
    for (family, lang), texts in spam.items():
        counts = Counter(g for text in texts for g in _grams(text, lang))
        for gram, count in counts.items():
            if count >= MIN_FAMILY_SHARE * len(texts) and (lang == "zh" or len(gram) >= 4):
                families_of[gram].add(family)
    shared = [g for g, families in families_of.items() if len(families) >= MIN_FAMILIES]
    return sorted(shared, key=lambda g: (-len(families_of[g]), g))


if __name__ == "__main__":
    raise SystemExit(main())
