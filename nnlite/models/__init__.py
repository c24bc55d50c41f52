"""``nnlite.models``: the classic networks, each file reading like its paper.

    from nnlite import models
    model = models.resnet18(num_classes=10)

Builders follow torchvision's names and arguments (without ``weights``), and the
models that torchvision also has use its attribute names, so their ``state_dict`` keys
and shapes are torchvision's and weights move between the two by name. The files::

    lenet.py      LeNet5, LeNet5Classic (LeCun et al. 1998), rbf_loss
    alexnet.py    alexnet, AlexNetClassic (Krizhevsky et al. 2012), AlexNetSmall
    zfnet.py      zfnet (Zeiler & Fergus 2014)
    vgg.py        vgg11/13/16/19 and _bn (Simonyan & Zisserman 2015)
    googlenet.py  googlenet, Inception (Szegedy et al. 2015)
    allconv.py    AllCNN, allcnn_c, allcnn_c_small: the all-convolutional net
                  (Springenberg et al. 2015)
    resnet.py     resnet18/34/50/101/152, resnet20/32/44/56/110 for CIFAR (He et al. 2016)
    textcnn.py    TextCNN (Kim 2014)
    fasttext.py   FastText (Joulin et al. 2017)
    seq2seq.py    Seq2Seq with additive attention (Bahdanau et al. 2015)
    transformer.py TransformerSeq2Seq, TransformerLM (Vaswani et al. 2017)
    charrnn.py    CharRNN (Graves 2013; Karpathy's char-rnn)
    show_attend_tell.py ShowAttendTell: CNN encoder, LSTM decoder with soft attention
                  (Xu et al. 2015), image -> sequence
    vae.py        VAE, ConvVAE (Kingma & Welling 2014), vae_loss, gaussian_kl, bernoulli_nll
    rnn_classifier.py LSTMClassifier: a (bi)LSTM N->1 sentence classifier (Tai et al. 2015)
    dcgan.py      Generator, Discriminator, weights_init: DCGAN for 28x28 MNIST
                  (Radford et al. 2016)
    decoding.py   sample_next, beam_search, causal_mask: decoding shared by the sequence models
"""
from .allconv import AllCNN, allcnn_c, allcnn_c_small
from .alexnet import (AlexNet, AlexNetClassic, AlexNetSmall, alexnet, alexnet_classic,
                      alexnet_small)
from .charrnn import CharRNN
from .dcgan import Discriminator, Generator, weights_init
from .fasttext import FastText
from .googlenet import BasicConv2d, GoogLeNet, GoogLeNetOutputs, Inception, InceptionAux, googlenet
from .lenet import LeNet5, LeNet5Classic, lenet5, lenet5_classic, lecun_normalize, rbf_loss
from .resnet import (BasicBlock, Bottleneck, CifarResNet, ResNet, resnet18, resnet20, resnet32,
                     resnet34, resnet44, resnet50, resnet56, resnet101, resnet110, resnet152)
from .rnn_classifier import LSTMClassifier
from .seq2seq import Seq2Seq
from .show_attend_tell import ShowAttendTell
from .textcnn import TextCNN
from .transformer import TransformerLM, TransformerSeq2Seq
from .vae import (ConvVAE, VAE, VariationalAutoencoder, bernoulli_nll, gaussian_kl,
                  reparameterize, vae_loss)
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn
from .zfnet import ZFNet, zfnet

__all__ = [
    "LeNet5", "LeNet5Classic", "lenet5", "lenet5_classic", "lecun_normalize", "rbf_loss",
    "AlexNet", "AlexNetClassic", "AlexNetSmall", "alexnet", "alexnet_classic", "alexnet_small",
    "ZFNet", "zfnet",
    "VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "GoogLeNet", "GoogLeNetOutputs", "Inception", "InceptionAux", "BasicConv2d", "googlenet",
    "ResNet", "BasicBlock", "Bottleneck", "CifarResNet", "resnet18", "resnet34", "resnet50",
    "resnet101", "resnet152", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110",
    "TextCNN", "FastText", "Seq2Seq", "TransformerSeq2Seq", "TransformerLM", "CharRNN",
    "ShowAttendTell",
    "VAE", "ConvVAE", "VariationalAutoencoder", "vae_loss", "gaussian_kl", "bernoulli_nll",
    "reparameterize",
    "LSTMClassifier", "AllCNN", "allcnn_c", "allcnn_c_small",
    "Generator", "Discriminator", "weights_init",
]
