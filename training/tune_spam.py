"""Choose the spam decision rule (pipeline.SPAM_MIN_PROBABILITY, SELLING_SCORE_MIN, SPAM_LIFT_MIN)
on validation data made from the training side only:

    python -m training.tune_spam [--eval-pages N] [--train-seed N ...] [--pool]
    python -m training.tune_spam --members P.seed20261124,P.seed1,P.seed2

bench_spam measures spam of held-out families (the test side of `synth.split_families`) on
held-out sites; tuning the rule there would fit it to the test. Here neither is touched:
- the *training* families are split again: VALIDATION_FAMILIES of them (drawn by seed, never
  machine_comment, which is a shape rather than a product) are kept out of training;
- the *training* sites are split again by a salted site hash: one in four is a validation site;
- seed 002 (bench_spam's unseen real spam) is left out;
- the lexicon's word lists of the validation families are hidden (`features.hidden_word_lists`),
  as bench_spam hides those of its held-out families (`--keep-word-lists`: not).
A model is trained by the shipped recipe (`train_recipe`: an Ensemble of one member a
`--train-seed`, default MEMBER_SEEDS) on the fit sites with the fit families, then the
validation sites get spam of the validation families and comment threads injected the way
bench_spam injects them (`synthetic_pages`); with `--pool`, one single model a seed instead and
their validations pooled (how a rule holds over retrains of one member). Printed: for each
threshold, selling-score minimum and spam-lift minimum, spam recall, body precision, the share of
pages losing an article paragraph to a false spam call, and reader comments called spam; and the
rule the criterion picks: the
highest spam recall with at most MAX_PAGES_LOSING of pages losing body and at most
MAX_COMMENTS_AS_SPAM of comments called spam; when no rule meets both, the fewest pages losing
body (then the highest recall) among the rules with few enough comments called spam. The shipped
rule is chosen over three validations at once, by each rule's worst case (`choose_jointly`):
`--members A,B,C` (three single members saved by `--pool --save-model`) validates each member
once and scores the shipped pair (A and B, the mean of their probabilities, as an Ensemble
scores), the three pairs pooled and the three members pooled: one pooled run alone can pick a
rule at the edge that the others break.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np

from cleaner.classify import Ensemble, Model, ensemble_of
from cleaner.data import LabelledPage, align, page_content
from cleaner.features import FEATURE_NAMES, hidden_word_lists
from cleaner.labels import BODY, COMMENT, LABELS, SPAM
from cleaner.pipeline import decide, prepare
from training import synth
from training.seeds import SEED_WITH_SPAM
from training.splits import in_first_bucket, is_seed, page_source
from training.train_model import CORPORA, MEMBER_SEEDS, SEED, load_real_pages, split, synthetic_pages, train_recipe

VALIDATION_FAMILIES = 3
VALIDATION_BUCKETS = 4
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995)
SCORE_MINS = (1, 2, 3, 4, 99)
#: Spam n-gram lift minimums tried (pipeline.SPAM_LIFT_MIN; None: the lift is no selling signal).
LIFT_MINS = (None, 0.0, 0.1, 0.2, 0.3, 0.5)
MAX_PAGES_LOSING = 0.01
MAX_COMMENTS_AS_SPAM = 0.05
_SPAM, _BODY = LABELS.index(SPAM), LABELS.index(BODY)
_SCORE = FEATURE_NAMES.index("selling_score")


def validation_families(seed: int = SEED) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fit families, validation families), both from the training side of synth.split_families.

    Validation families are drawn from the split's own families (not synth.TRAIN_ONLY_FAMILIES,
    which only ever add to the fit side), so they stayed the same when those were added."""
    train, _ = synth.split_families(seed)
    content = sorted(f for f in train if f not in synth.PINNED_TRAIN and f not in synth.TRAIN_ONLY_FAMILIES)
    held = set(random.Random(f"tune_spam:{seed}").sample(content, VALIDATION_FAMILIES))
    return tuple(f for f in train if f not in held), tuple(f for f in train if f in held)


def is_validation_site(page: LabelledPage) -> bool:
    """One training site in VALIDATION_BUCKETS, by a hash salted differently from training/splits.py."""
    if is_seed(page):
        return False
    return in_first_bucket(page_source(page), VALIDATION_BUCKETS, salt="tune_spam:")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-pages", type=int, default=200, help="validation pages to inject spam into")
    parser.add_argument("--save-model", type=Path, help="also write the trained model here (joblib; "
                                                          "with --pool, one file a seed: PATH.seed<N>)")
    parser.add_argument("--load-model", action="append",
                        help="a model --save-model wrote, instead of training; A,B: the Ensemble of A and B; "
                             "repeat it: their Ensemble, or with --pool each validated on its own")
    parser.add_argument("--show", type=int, default=0, help="print this many missed and false spam calls")
    parser.add_argument("--train-seed", type=int, action="append",
                        help="seed of a member, its draw of the generated training pages (repeatable; default: "
                             "the shipped recipe's); the families and the validation pages stay those of the default")
    parser.add_argument("--pool", action="store_true",
                        help="one single model a seed (or a --load-model each), their validations pooled")
    parser.add_argument("--keep-word-lists", action="store_true",
                        help="do not hide the lexicon's word lists of the validation families")
    parser.add_argument("--members", help="A,B,C: three single members --pool --save-model wrote (A and B the "
                                              "shipped pair): the rule is chosen over the pair, the three pairs "
                                              "pooled and the three members pooled at once")
    parser.add_argument("--known-families", action="store_true",
                        help="inject spam of the fit families instead, whose word lists the lexicon keeps: "
                             "spam of products the model was trained on, as seed 002's game cheats are")
    args = parser.parse_args(argv)
    fit_families, val_families = validation_families()
    hidden = () if args.keep_word_lists else synth.lexicon_lists(val_families)
    print(f"lexicon word lists hidden: {', '.join(hidden) or 'none'}")
    with hidden_word_lists(hidden):
        return _run(args, fit_families, val_families)


def _run(args: argparse.Namespace, fit_families: tuple[str, ...], val_families: tuple[str, ...]) -> int:
    _, test_families = synth.split_families(SEED)
    assert not set(val_families) & set(test_families) and not set(fit_families) & set(test_families)
    print(f"fit families: {', '.join(fit_families)}\nvalidation families: {', '.join(val_families)}\n"
          f"(held-out families of bench_spam, not used: {', '.join(test_families)})")
    train, _ = split([p for p in load_real_pages() if p.id != SEED_WITH_SPAM])
    fit_pages = [p for p in train if not is_validation_site(p)]
    val_pages = sorted((p for p in train if is_validation_site(p)), key=lambda p: p.id)[: args.eval_pages]
    seeds = args.train_seed or list(MEMBER_SEEDS)
    injected = fit_families if args.known_families else val_families
    print(f"spam injected: of the {'fit' if args.known_families else 'validation'} families")
    evaluation = synthetic_pages(val_pages, SEED + 2, injected, html_pages=len(val_pages))
    if args.members:
        return _run_members(args.members.split(","), evaluation, len(val_pages))
    runs = [_validate(model, evaluation, len(val_pages)) for model in _models(args, seeds, fit_pages, fit_families)]
    blocks, texts = _pooled([blocks for blocks, _ in runs]), [text for _, run_texts in runs for text in run_texts]
    print(f"{len(evaluation)} validation pages x {len(runs)} model(s), {len(blocks.gold)} labelled blocks, "
          f"{int((blocks.gold == SPAM).sum())} spam")
    print("\n| t | score min | lift min | spam recall | spam precision | body precision | pages losing body "
          "| comments as spam |")
    print("|---|---|---|---|---|---|---|---|")
    measured = []
    for rule in itertools.product(THRESHOLDS, SCORE_MINS, LIFT_MINS):
        stats = _measure(blocks, *rule)
        recall, precision, body_precision, losing, comments = stats
        print(f"| {rule[0]:g} | {rule[1]} | {rule[2]} | {recall:.3f} | {precision:.3f} | {body_precision:.3f} | "
              f"{losing:.1%} | {comments:.1%} |")
        measured.append((rule, stats))
    best, met = choose(measured)
    if args.show:
        rng = random.Random(0)
        rule = best[0] if best else (0.8, 2, None)
        calls = blocks.called(*rule)
        for title, wanted in (("missed spam", lambda g, q: g == SPAM and q != SPAM),
                              ("false spam", lambda g, q: g != SPAM and q == SPAM)):
            found = [(texts[i], calls[i], g, blocks.proba[i, _SPAM])
                     for i, g in enumerate(blocks.gold) if wanted(g, calls[i])]
            print(f"\n{title} ({len(found)}):")
            for text, called, gold, p in rng.sample(found, min(args.show, len(found))):
                print(f"  gold {gold} called {called} p(spam) {p:.2f}  {text}")
    _print_choice(best, met, "")
    return 0


def _print_choice(best: tuple | None, met: bool, worst: str) -> None:
    """The rule `choose` picked, or `choose_jointly` (`worst`: its stats are each rule's worst case)."""
    if best is None:
        return
    verdict = "chosen" if met else (f"no rule meets the criterion{' in every run' if worst else ''}; "
                                    "fewest pages losing body")
    (threshold, score_min, lift_min), (recall, _, _, losing, _) = best
    print(f"\n{verdict}: SPAM_MIN_PROBABILITY = {threshold}, SELLING_SCORE_MIN = {score_min}, "
          f"SPAM_LIFT_MIN = {lift_min} ({worst}recall {recall:.3f}, {worst}pages losing body {losing:.1%})")


def _validate(model: Model, evaluation: list[LabelledPage], sites: int) -> tuple[_Blocks, list[str]]:
    """One model's labelled validation blocks (pages numbered from 0), and a line of text for each."""
    print(f"validating {_name(model)} on {sites} pages of other training sites")
    pages, gold, probas, features, lifts, texts = [], [], [], [], [], []  # one entry per labelled block
    for number, page in enumerate(evaluation):
        prepared = prepare(page_content(page, [CORPORA]), kind=page.kind)
        if not prepared.blocks:
            continue
        page_texts = [b.text for b in prepared.blocks]
        page_lifts = model.text_lifts(page_texts)
        proba = model.predict_proba(prepared.features, texts=page_texts, lifts=page_lifts)
        spam_lifts = model.spam_lifts(page_lifts) if page_lifts is not None else np.full(len(proba), np.nan)
        for label, row, block_features, lift, block in zip(align(prepared.blocks, page.paragraphs), proba,
                                                           prepared.features, spam_lifts, prepared.blocks):
            if label is not None:
                pages.append(number)
                gold.append(label)
                probas.append(row)
                features.append(block_features)
                lifts.append(lift)
                texts.append(f"{page.kind} {block.tag or '-'}: {block.text[:90]}")
    return _Blocks(np.array(pages), np.array(gold), np.array(probas), np.array(features), np.array(lifts)), texts


def _pooled(runs: list[_Blocks]) -> _Blocks:
    """Several validations as one, each run's pages numbered apart."""
    offsets = np.cumsum([0] + [int(run.page.max()) + 1 if len(run.page) else 0 for run in runs])
    joined = (np.concatenate([getattr(run, name) for run in runs]) for name in ("gold", "proba", "features", "lift"))
    return _Blocks(np.concatenate([run.page + offset for run, offset in zip(runs, offsets)]), *joined)


def _averaged(runs: list[_Blocks]) -> _Blocks:
    """The validation of the Ensemble of these runs' members: the mean of their probabilities and
    spam lifts (as `classify.Ensemble` scores), over the same blocks."""
    first = runs[0]
    return _Blocks(first.page, first.gold, np.mean([run.proba for run in runs], axis=0), first.features,
                   np.mean([run.lift for run in runs], axis=0))


def _run_members(paths: list[str], evaluation: list[LabelledPage], sites: int) -> int:
    """Validate three single members once each and choose the rule that meets the criterion over
    the pair of the first two, the three pairs pooled and the three members pooled (`choose_jointly`)."""
    if len(paths) != 3:
        raise SystemExit("--members takes three saved single members, A,B,C")
    single = [_validate(joblib.load(path), evaluation, sites)[0] for path in paths]
    pairs = [_averaged([single[i], single[j]]) for i, j in ((0, 1), (0, 2), (1, 2))]
    runs = {"pair": pairs[0], "pairs pooled": _pooled(pairs), "singles pooled": _pooled(single)}
    print("\n| t | score min | lift min | " + " | ".join(f"{name}: recall / pages losing body" for name in runs)
          + " | comments as spam (worst) |")
    print("|---|---|---|" + "---|" * (len(runs) + 1))
    measured = []
    for rule in itertools.product(THRESHOLDS, SCORE_MINS, LIFT_MINS):
        stats = [_measure(blocks, *rule) for blocks in runs.values()]
        print(f"| {rule[0]:g} | {rule[1]} | {rule[2]} | "
              + " | ".join(f"{recall:.3f} / {losing:.1%}" for recall, _, _, losing, _ in stats)
              + f" | {max(s[4] for s in stats):.1%} |")
        measured.append((rule, stats))
    best, met = choose_jointly(measured)
    _print_choice(best, met, "worst ")
    return 0


def _models(args: argparse.Namespace, seeds: list[int], fit_pages: list[LabelledPage],
            fit_families: tuple[str, ...]) -> list[Model]:
    """The models to validate: loaded or trained, one (the recipe's) or, with --pool, one a seed."""
    if args.load_model:  # a value "A,B" is the Ensemble of A and B
        loaded = [ensemble_of([joblib.load(part) for part in str(path).split(",")]) for path in args.load_model]
        return loaded if args.pool else [ensemble_of(loaded)]
    models = []
    for group in [[seed] for seed in seeds] if args.pool else [seeds]:
        started = time.perf_counter()
        model = train_recipe(fit_pages, group, fit_families)
        print(f"trained in {time.perf_counter() - started:.0f} s on {len(fit_pages)} real pages "
              f"(seeds {' '.join(map(str, group))})")
        if args.save_model:
            joblib.dump(model, f"{args.save_model}.seed{group[0]}" if args.pool else args.save_model)
        models.append(model)
    return models


def _name(model: Model) -> str:
    members = model.members if isinstance(model, Ensemble) else [model]
    return f"a model of {len(members)} member(s), seeds {' '.join(str(m.random_state) for m in members)}"


def choose(measured: list[tuple[tuple, tuple[float, float, float, float, float]]]) -> tuple[tuple | None, bool]:
    """The (rule, stats) the criterion picks from `measured` (stats as `_measure` gives them), and
    whether it meets the criterion: the highest recall with at most MAX_PAGES_LOSING of pages losing
    body and MAX_COMMENTS_AS_SPAM of comments called spam; else, among rules with few enough comments
    called spam, the fewest pages losing body, then (a tie, within rounding) the highest recall."""
    def better(stats, than) -> bool:
        return than is None or stats[3] < than[1][3] - 1e-9 or (
            abs(stats[3] - than[1][3]) <= 1e-9 and stats[0] > than[1][0] + 1e-9)

    best = fallback = None
    for rule, stats in measured:
        recall, _, _, losing, comments = stats
        if comments > MAX_COMMENTS_AS_SPAM:
            continue
        if losing <= MAX_PAGES_LOSING and (best is None or recall > best[1][0] + 1e-9):
            best = (rule, stats)
        if better(stats, fallback):
            fallback = (rule, stats)
    return (best, True) if best is not None else (fallback, False)


def choose_jointly(measured: list[tuple[tuple, list[tuple[float, float, float, float, float]]]]
                   ) -> tuple[tuple | None, bool]:
    """`choose` over several validations of each rule at once, by each rule's worst case: its
    lowest recall and precisions and its most pages losing body and comments called spam. A rule
    at the edge of one run (one pooled run can pick one that the others break) does not pass."""
    return choose([(rule, (min(s[0] for s in stats), min(s[1] for s in stats), min(s[2] for s in stats),
                           max(s[3] for s in stats), max(s[4] for s in stats))) for rule, stats in measured])


@dataclass(slots=True)
class _Blocks:
    """The labelled validation blocks, one row each: the page (numbered across models), the gold
    label, the model's probabilities, the features and the spam n-gram lift (NaN: no lifts)."""

    page: np.ndarray
    gold: np.ndarray
    proba: np.ndarray
    features: np.ndarray
    lift: np.ndarray

    def called(self, threshold: float, score_min: int, lift_min: float | None) -> np.ndarray:
        """Each block's label by pipeline.decide with this rule: one pass over all blocks, as
        decide treats each row on its own."""
        labels, _ = decide(self.proba, self.features, threshold, score_min, self.lift, lift_min)
        return np.array(LABELS)[labels]


def _measure(blocks: _Blocks, threshold: float, score_min: int,
             lift_min: float | None) -> tuple[float, float, float, float, float]:
    """(spam recall, spam precision, body precision, share of pages losing body, comments called spam)."""
    label = blocks.called(threshold, score_min, lift_min)
    gold = blocks.gold
    spam_hit = int(((gold == SPAM) & (label == SPAM)).sum())
    body_hit = int(((gold == BODY) & (label == BODY)).sum())
    losing = np.unique(blocks.page[(gold == BODY) & (label == SPAM)]).size
    comments = gold == COMMENT
    return (spam_hit / max(int((gold == SPAM).sum()), 1), spam_hit / max(int((label == SPAM).sum()), 1),
            body_hit / max(int((label == BODY).sum()), 1), losing / max(np.unique(blocks.page).size, 1),
            int((comments & (label == SPAM)).sum()) / max(int(comments.sum()), 1))

if __name__ == "__main__":
    raise SystemExit(main())
