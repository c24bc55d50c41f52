"""Corpus BLEU against values known independently of this implementation:

* sacreBLEU's README example (``BLEU = 48.53 82.4/50.0/45.5/37.5 ...``);
* Papineni et al. (2002), section 2.1: the modified n-gram precisions of their Example 1
  (candidate 1: 17/18 and 10/17; candidate 2: 8/14 and 1/13) and Example 2 (2/7);
* NLTK's documented ``corpus_bleu`` (0.5920778868801042) and ``sentence_bleu``
  (0.5045666840058485) on Papineni's example, which use the same definition without smoothing;
* closed forms worked out by hand (brevity penalty, exp smoothing, the reference length tie).

If sacrebleu happens to be installed, a randomised comparison runs as well.
"""
import math
import random

import pytest

from nnlite.training.bleu import (BLEUScore, compute_bleu, corpus_bleu, ngram_counts,
                               sentence_bleu, tokenize_13a)

# Papineni et al. 2002, Example 1 (section 2.1), without the final period.
CAND1 = ("It is a guide to action which ensures that the military always obeys the commands "
         "of the party")
CAND2 = ("It is to insure the troops forever hearing the activity guidebook that party direct")
REF1 = "It is a guide to action that ensures that the military will forever heed Party commands"
REF2 = ("It is the guiding principle which guarantees the military forces always being under "
        "the command of the Party")
REF3 = "It is the practical guide for the army always to heed the directions of the party"
# NLTK's second sentence pair
HYP_B = "he read the book because he was interested in world history"
REF_B = "he was interested in world history because he read the book"


def test_sacrebleu_readme_example():
    hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    refs = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
            ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]
    s = corpus_bleu(hyps, refs)
    assert str(s) == ("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 "
                      "hyp_len = 17 ref_len = 18)")
    assert s.score == pytest.approx(48.530827009929865, abs=1e-9)
    assert float(s) == s.score
    assert (s.counts, s.totals) == ([14, 7, 5, 3], [17, 14, 11, 8])


def test_papineni_modified_precisions():
    refs = [[REF1], [REF2], [REF3]]
    s1 = corpus_bleu([CAND1], refs, tokenize="none", smooth_method="none")
    assert s1.counts[:2] == [17, 10] and s1.totals[:2] == [18, 17]
    s2 = corpus_bleu([CAND2], refs, tokenize="none", smooth_method="none")
    assert s2.counts[:2] == [8, 1] and s2.totals[:2] == [14, 13]
    # Example 2: "the" is clipped to its maximum count in one reference (2), so 2/7
    s3 = corpus_bleu(["the the the the the the the"],
                     [["The cat is on the mat."], ["There is a cat on the mat."]],
                     tokenize="13a", lowercase=True, smooth_method="none")
    assert (s3.counts[0], s3.totals[0]) == (2, 7)


def test_nltk_documented_values():
    corpus = corpus_bleu([CAND1, HYP_B], [[REF1, REF_B], [REF2, None], [REF3, None]],
                         tokenize="none", smooth_method="none")
    assert corpus.score / 100 == pytest.approx(0.5920778868801042, abs=1e-12)
    sent = sentence_bleu(CAND1, [REF1, REF2, REF3], tokenize="none", smooth_method="none",
                         use_effective_order=False)
    assert sent.score / 100 == pytest.approx(0.5045666840058485, abs=1e-12)


def test_corpus_counts_are_summed_before_the_ratio():
    """Corpus BLEU is not the mean of sentence BLEUs."""
    hyps, refs = [CAND1, HYP_B], [REF1, REF_B]
    corpus = corpus_bleu(hyps, [refs], tokenize="none")
    per_sentence = [sentence_bleu(h, [r], tokenize="none").score for h, r in zip(hyps, refs)]
    a = corpus_bleu([hyps[0]], [[refs[0]]], tokenize="none")
    b = corpus_bleu([hyps[1]], [[refs[1]]], tokenize="none")
    assert corpus.counts == [x + y for x, y in zip(a.counts, b.counts)]
    assert corpus.totals == [x + y for x, y in zip(a.totals, b.totals)]
    assert corpus.score != pytest.approx(sum(per_sentence) / 2)


def test_hand_computed_exp_smoothing_and_none():
    # p1..p4 = 3/4, 2/3, 1/2, 0/1 ; exp smoothing turns the first zero into 1/(2*1)
    s = corpus_bleu(["a b c d"], [["a b c e"]])
    assert s.precisions == pytest.approx([75.0, 200 / 3, 50.0, 50.0])
    assert s.score == pytest.approx(100 * (0.75 * (2 / 3) * 0.5 * 0.5) ** 0.25)
    assert corpus_bleu(["a b c d"], [["a b c e"]], smooth_method="none").score == 0.0
    floor = corpus_bleu(["a b c d"], [["a b c e"]], smooth_method="floor")
    assert floor.precisions[3] == pytest.approx(10.0)       # 0.1 / 1
    # add-k adds 1 to the counts and totals of orders >= 2
    addk = corpus_bleu(["a b c d"], [["a b c e"]], smooth_method="add-k")
    assert addk.precisions == pytest.approx([75.0, 75.0, 200 / 3, 50.0])


def test_brevity_penalty_and_closest_reference():
    s = corpus_bleu(["a b c d"], [["a b c d e f g h"]])
    assert s.bp == pytest.approx(math.exp(1 - 8 / 4))
    assert s.score == pytest.approx(100 * math.exp(-1))
    # hypothesis of 5 tokens, references of 4 and 6: equally close, the shorter one counts
    s = corpus_bleu(["a b c d e"], [["a b c d"], ["a b c d e f"]])
    assert (s.sys_len, s.ref_len, s.bp) == (5, 4, 1.0)
    s = corpus_bleu(["a b c d e"], [["a b c d e f"], ["a b c d"]])
    assert s.ref_len == 4
    assert corpus_bleu([""], [["a b"]]).score == 0.0              # empty output


def test_identical_is_100_and_flat_reference_list():
    hyps = ["The cat sat on the mat.", "A dog barked twice at the postman."]
    assert corpus_bleu(hyps, [hyps]).score == pytest.approx(100.0)
    assert corpus_bleu(hyps, hyps).score == pytest.approx(100.0)      # one flat stream
    assert corpus_bleu(hyps, [hyps]).ratio == 1.0


def test_lowercase_and_effective_order():
    assert corpus_bleu(["THE CAT"], [["the cat"]], lowercase=True,
                       use_effective_order=True).score == pytest.approx(100.0)
    # two tokens: no 3- or 4-grams, so without effective order the score is ~0
    assert corpus_bleu(["the cat"], [["the cat"]], smooth_method="none").score == 0.0
    assert sentence_bleu("the cat", ["the cat"]).score == pytest.approx(100.0)


@pytest.mark.parametrize("text, tokens", [
    ("Hello, world!", "Hello , world !"),
    ("It's 3.14, isn't it?", "It's 3.14 , isn't it ?"),
    ("A 1,000-2,000 range.", "A 1,000 - 2,000 range ."),
    ("e-mail me at x@y.com &amp; &quot;now&quot;", 'e-mail me at x @ y . com & " now "'),
    ("Line-\nbreak <skipped> here", "Linebreak here"),
    ("  spaces   everywhere  ", "spaces everywhere"),
    ("(a) [b] {c} <d> $5 50% #1 a/b ~x", "( a ) [ b ] { c } < d > $ 5 50 % # 1 a / b ~ x"),
])
def test_tokenize_13a(text, tokens):
    assert tokenize_13a(text) == tokens


def test_ngram_counts():
    c = ngram_counts("a b a b".split(), 2)
    assert c[("a",)] == 2 and c[("a", "b")] == 2 and c[("b", "a")] == 1 and len(c) == 4


def test_bad_input():
    with pytest.raises(ValueError, match="reference stream 0 has 1 segments but there are 2"):
        corpus_bleu(["a", "b"], [["a"]])
    with pytest.raises(TypeError, match="hypotheses must be a list"):
        corpus_bleu("a b", [["a b"]])
    with pytest.raises(ValueError, match="smooth_method"):
        corpus_bleu(["a"], [["a"]], smooth_method="bogus")
    with pytest.raises(ValueError, match="tokenize"):
        corpus_bleu(["a"], [["a"]], tokenize="intl-ish")
    with pytest.raises(ValueError, match="segment 0 has no reference"):
        corpus_bleu(["a"], [[None]])
    assert isinstance(compute_bleu([0, 0, 0, 0], [1, 1, 1, 1], 1, 1), BLEUScore)


def test_matches_sacrebleu_if_installed():
    sacrebleu = pytest.importorskip("sacrebleu")
    rng = random.Random(0)
    words = "the a cat dog sat on mat . , is was not ( ) 3.5 - & quot".split()
    for _ in range(100):
        n, nref = rng.randint(1, 5), rng.randint(1, 3)
        hyps = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
                for _ in range(n)]
        refs = [[" ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
                 for _ in range(n)] for _ in range(nref)]
        for smooth in ("exp", "none", "floor", "add-k"):
            ours = corpus_bleu(hyps, refs, smooth_method=smooth)
            theirs = sacrebleu.corpus_bleu(hyps, refs, smooth_method=smooth)
            assert ours.score == pytest.approx(theirs.score, abs=1e-9)
            assert str(ours) == str(theirs)
