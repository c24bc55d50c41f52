"""Corpus BLEU (Papineni et al. 2002) computed the way sacreBLEU (Post 2018) computes it.

    >>> hyps = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]
    >>> refs = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
    ...         ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]
    >>> print(corpus_bleu(hyps, refs))
    BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)

The recipe, step by step (sacreBLEU 2.x, ``BLEU.corpus_score`` with its defaults):

1. Each segment is ``rstrip``-ed, optionally lower-cased, and tokenised with the ``13a``
   tokenizer (``mteval-v13a.pl``'s rules, :func:`tokenize_13a`), hypotheses and references
   alike.
2. For each segment: the hypothesis' n-grams (n = 1..4) are counted; each is *clipped* to the
   largest count it has in any one reference; ``correct[n]`` sums the clipped counts and
   ``total[n]`` the hypothesis n-grams. The segment's reference length is the reference length
   *closest* to the hypothesis length (on a tie, the shorter).
3. Corpus level: these counts and lengths are **summed over all segments first**, and only then
   turned into precisions ``p_n = correct[n] / total[n]`` -- BLEU is not an average of sentence
   scores.
4. ``BLEU = BP * exp(mean_n log p_n)`` with the brevity penalty ``BP = exp(1 - r / c)`` if the
   hypothesis length ``c`` is below the reference length ``r``, else 1. Reported x 100.

Smoothing of zero precisions (Chen & Cherry 2014), ``smooth_method``:

* ``'exp'`` (sacreBLEU's default, NIST's ``mteval`` method 3): the k-th order whose count is
  zero gets ``p_n = 1 / (2^k * total[n])``;
* ``'none'``: a zero precision makes BLEU 0 (Papineni's definition);
* ``'floor'``: zero counts become ``smooth_value`` (default 0.1);
* ``'add-k'``: ``smooth_value`` (default 1) is added to the counts and totals of n >= 2.

On a corpus of real size every precision is non-zero and all four methods but ``add-k`` give
the same number. ``sentence_bleu`` defaults to ``use_effective_order=True`` as sacreBLEU does.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Sequence, Union

__all__ = ["BLEUScore", "corpus_bleu", "sentence_bleu", "tokenize_13a", "ngram_counts"]

MAX_NGRAM_ORDER = 4
SMOOTH_DEFAULTS = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}


# ============================================================================
# Tokenisation: mteval-v13a
# ============================================================================
_13A_RULES = [
    # punctuation and symbols become tokens: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * +
    # : ; < = > ? @ /  (ASCII ranges, as in mteval-v13a.pl)
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    # period and comma, unless preceded by a digit
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    # period and comma, unless followed by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    # dash when preceded by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


def tokenize_13a(line: str) -> str:
    """The ``13a`` tokenizer of sacreBLEU / ``mteval-v13a.pl`` (the WMT standard).

    Removes ``<skipped>``, joins words hyphenated across lines, unescapes ``&quot; &amp; &lt;
    &gt;``, then splits off punctuation and symbols, and periods and commas that are not inside
    a number. Returns the tokens joined by single spaces.

    Example:
        >>> tokenize_13a("It's 3.14, isn't it?")
        "It's 3.14 , isn't it ?"
        >>> tokenize_13a("A 1,000-2,000 range &amp; more.")
        'A 1,000 - 2,000 range & more .'
    """
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = (line.replace("&quot;", '"').replace("&amp;", "&")
                .replace("&lt;", "<").replace("&gt;", ">"))
    line = f" {line} "
    for pattern, repl in _13A_RULES:
        line = pattern.sub(repl, line)
    return " ".join(line.split())


def _tokenizer(tokenize: Union[str, Callable[[str], str]]) -> Callable[[str], str]:
    if callable(tokenize):
        return tokenize
    if tokenize == "13a":
        return tokenize_13a
    if tokenize == "none":
        return lambda line: line
    if tokenize == "char":      # sacreBLEU's 'char': every non-space character is a token
        return lambda line: " ".join(ch for ch in line if not ch.isspace())
    raise ValueError(f"BLEU: tokenize must be '13a', 'none', 'char' or a callable "
                     f"str -> str, got {tokenize!r}")


# ============================================================================
# Sufficient statistics
# ============================================================================
def ngram_counts(tokens: Sequence[str], max_order: int = MAX_NGRAM_ORDER) -> Counter:
    """Counts of every n-gram (a tuple of tokens) of order 1..``max_order``."""
    counts: Counter = Counter()
    for n in range(1, max_order + 1):
        counts.update(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return counts


def _closest_ref_len(hyp_len: int, ref_lens: Sequence[int]) -> int:
    """The reference length closest to ``hyp_len``; the shorter one on a tie."""
    return min(ref_lens, key=lambda r: (abs(r - hyp_len), r))


def _segment_stats(hyp: Sequence[str], refs: Sequence[Sequence[str]], max_order: int
                   ) -> list[int]:
    """``[hyp_len, ref_len, correct_1..N, total_1..N]`` for one segment."""
    ref_max: Counter = Counter()
    for ref in refs:
        for ngram, c in ngram_counts(ref, max_order).items():   # clip to the max over refs
            if c > ref_max[ngram]:
                ref_max[ngram] = c
    correct, total = [0] * max_order, [0] * max_order
    for ngram, c in ngram_counts(hyp, max_order).items():
        n = len(ngram) - 1
        total[n] += c
        correct[n] += min(c, ref_max.get(ngram, 0))
    return [len(hyp), _closest_ref_len(len(hyp), [len(r) for r in refs])] + correct + total


# ============================================================================
# The score
# ============================================================================
@dataclass
class BLEUScore:
    """A BLEU score and the statistics behind it (sacreBLEU's ``BLEUScore`` fields).

    Attributes:
        score (float): BLEU x 100.
        counts (list[int]): matched (clipped) n-grams per order. totals (list[int]): the
            hypothesis n-grams per order. precisions (list[float]): x 100, after smoothing.
        bp (float): brevity penalty. sys_len, ref_len (int): hypothesis and effective
            reference lengths in tokens.

    ``str(score)`` is sacreBLEU's line, e.g.
    ``BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)``;
    ``float(score)`` is ``score.score``.
    """

    score: float
    counts: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    precisions: list = field(default_factory=list)
    bp: float = 1.0
    sys_len: int = 0
    ref_len: int = 0

    @property
    def ratio(self) -> float:
        """Hypothesis length / reference length."""
        return self.sys_len / self.ref_len if self.ref_len else 0.0

    def __float__(self) -> float:
        return float(self.score)

    def __str__(self) -> str:
        prec = "/".join(f"{p:.1f}" for p in self.precisions)
        return (f"BLEU = {self.score:.2f} {prec} (BP = {self.bp:.3f} ratio = {self.ratio:.3f} "
                f"hyp_len = {self.sys_len:d} ref_len = {self.ref_len:d})")


def _log(x: float) -> float:
    return math.log(x) if x > 0 else -9999999999.0    # sacreBLEU's floor for log(0)


def compute_bleu(correct: Sequence[float], total: Sequence[float], sys_len: int, ref_len: int,
                 smooth_method: str = "exp", smooth_value: float | None = None,
                 effective_order: bool = False) -> BLEUScore:
    """BLEU from corpus-level counts (sacreBLEU's ``BLEU.compute_bleu``)."""
    if smooth_method not in SMOOTH_DEFAULTS:
        raise ValueError(f"BLEU: smooth_method must be one of {list(SMOOTH_DEFAULTS)}, got "
                         f"{smooth_method!r}")
    if smooth_value is None:
        smooth_value = SMOOTH_DEFAULTS[smooth_method]
    correct, total = list(correct), list(total)
    order = len(correct)
    bp = 1.0
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    precisions = [0.0] * order
    if not any(correct):
        return BLEUScore(0.0, correct, total, precisions, bp, sys_len, ref_len)

    smooth_mteval = 1.0
    eff_order = order
    for n in range(order):
        if smooth_method == "add-k" and n > 0:
            correct[n] += smooth_value
            total[n] += smooth_value
        if total[n] == 0:
            break
        if effective_order:
            eff_order = n + 1
        if correct[n] == 0:
            if smooth_method == "exp":
                smooth_mteval *= 2
                precisions[n] = 100.0 / (smooth_mteval * total[n])
            elif smooth_method == "floor":
                precisions[n] = 100.0 * smooth_value / total[n]
        else:
            precisions[n] = 100.0 * correct[n] / total[n]
    score = bp * math.exp(sum(_log(p) for p in precisions[:eff_order]) / eff_order)
    return BLEUScore(score, correct, total, precisions, bp, sys_len, ref_len)


def _reference_streams(references: Sequence, n_hyps: int) -> list[Sequence]:
    if isinstance(references, str):
        raise TypeError("corpus_bleu: references must be a list of reference streams (lists "
                        "of strings, one string per hypothesis), got a single string")
    references = list(references)
    if references and isinstance(references[0], str):
        references = [references]        # a flat list of strings: one reference stream
    if not references:
        raise ValueError("corpus_bleu: no references given")
    for k, stream in enumerate(references):
        if isinstance(stream, str):
            raise TypeError(f"corpus_bleu: reference stream {k} is a string; every stream must "
                            f"be a list with one reference string per hypothesis")
        if len(stream) != n_hyps:
            raise ValueError(f"corpus_bleu: reference stream {k} has {len(stream)} segments "
                             f"but there are {n_hyps} hypotheses")
    return references


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[Sequence[str]],
                smooth_method: str = "exp", smooth_value: float | None = None,
                lowercase: bool = False, tokenize: Union[str, Callable[[str], str]] = "13a",
                use_effective_order: bool = False,
                max_ngram_order: int = MAX_NGRAM_ORDER) -> BLEUScore:
    """Corpus-level BLEU, as ``sacrebleu.corpus_bleu``.

    Args:
        hypotheses (list of str): system outputs, one per segment (detokenised text).
        references (list of reference streams): ``references[k][i]`` is the k-th reference of
            segment ``i`` (sacreBLEU's layout: one list per *reference set*, not per segment).
            A flat list of strings is taken as one stream. A reference may be ``None`` where a
            segment has fewer references.
        smooth_method (str): ``'exp'`` (default, as sacreBLEU), ``'none'``, ``'floor'`` or
            ``'add-k'``; see the module docstring. smooth_value (float, optional): for
            ``floor`` (0.1) and ``add-k`` (1).
        lowercase (bool): lower-case hypotheses and references first. Default: False.
        tokenize (str or callable): ``'13a'`` (default), ``'none'`` (split on whitespace as
            given -- for pre-tokenised text), ``'char'``, or a function ``str -> str``.
        use_effective_order (bool): average only over the orders that have n-grams.
        max_ngram_order (int): Default: 4.

    Returns:
        BLEUScore: ``.score`` is BLEU x 100; ``str()`` gives sacreBLEU's one-line summary.

    Raises:
        ValueError / TypeError: streams of the wrong length, strings where lists belong.
    """
    if isinstance(hypotheses, str):
        raise TypeError("corpus_bleu: hypotheses must be a list of strings, got one string "
                        "(for one sentence use sentence_bleu, or wrap it in a list)")
    hypotheses = list(hypotheses)
    if any(not isinstance(h, str) for h in hypotheses):
        bad = next(h for h in hypotheses if not isinstance(h, str))
        raise TypeError(f"corpus_bleu: every hypothesis must be a str, got "
                        f"{type(bad).__name__}")
    if not isinstance(max_ngram_order, int) or max_ngram_order < 1:
        raise ValueError(f"corpus_bleu: max_ngram_order must be a positive int, got "
                         f"{max_ngram_order!r}")
    streams = _reference_streams(references, len(hypotheses))
    tok = _tokenizer(tokenize)

    def prep(s: str) -> list[str]:
        s = s.rstrip()
        return tok(s.lower() if lowercase else s).split()

    stats = [0] * (2 + 2 * max_ngram_order)
    for i, hyp in enumerate(hypotheses):
        refs = [prep(stream[i]) for stream in streams if stream[i] is not None]
        if not refs:
            raise ValueError(f"corpus_bleu: segment {i} has no reference (all None)")
        seg = _segment_stats(prep(hyp), refs, max_ngram_order)
        stats = [a + b for a, b in zip(stats, seg)]
    k = max_ngram_order
    return compute_bleu(stats[2:2 + k], stats[2 + k:], stats[0], stats[1], smooth_method,
                        smooth_value, use_effective_order)


def sentence_bleu(hypothesis: str, references: Sequence[str], smooth_method: str = "exp",
                  smooth_value: float | None = None, lowercase: bool = False,
                  tokenize: Union[str, Callable[[str], str]] = "13a",
                  use_effective_order: bool = True) -> BLEUScore:
    """BLEU of one sentence against its references (a list of strings), as
    ``sacrebleu.sentence_bleu`` (smoothed, effective order). BLEU is a corpus metric: an
    average of sentence BLEUs is *not* corpus BLEU."""
    if isinstance(references, str):
        references = [references]
    return corpus_bleu([hypothesis], [[r] for r in references], smooth_method, smooth_value,
                       lowercase, tokenize, use_effective_order)
