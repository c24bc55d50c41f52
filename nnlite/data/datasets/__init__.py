"""Datasets: MNIST, FashionMNIST, MultiDigitMNIST (strings of MNIST digits), CIFAR10,
MovieReviews (MR), SST2, CharCorpus, Multi30k, synthetic sequence tasks, the text tools
(Tokenizer, Vocab, pad_sequences), and torchvision's ImageFolder / DatasetFolder over folders
of PNG or PBM/PGM/PPM images.

Each reads from ``root`` (default: the repository's ``data/`` folder, or ``$NNLITE_DATA``;
see :mod:`nnlite.data.download`) and takes ``download=False``.
"""
from .cifar import CIFAR10, read_cifar_bin
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST, parse_idx, read_idx
from .multidigit import DigitLayout, MultiDigitMNIST
from .synthetic import AdditionTask, CopyTask, ReverseTask, SortTask
from .text import (SST2, CharCorpus, MovieReviews, Multi30k, Tokenizer, Vocab, clean_str,
                   clean_str_sst, pad_sequences)

__all__ = ["MNIST", "FashionMNIST", "MultiDigitMNIST", "DigitLayout", "CIFAR10", "ImageFolder",
           "DatasetFolder", "MovieReviews", "SST2", "CharCorpus", "Multi30k", "CopyTask",
           "ReverseTask", "SortTask", "AdditionTask", "Tokenizer", "Vocab", "pad_sequences",
           "clean_str", "clean_str_sst", "read_idx", "parse_idx", "read_cifar_bin"]
