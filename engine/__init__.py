"""Descent's engine: the course text's neural-network mathematics in plain NumPy.

    from engine import MLP, Momentum, fit, make_moons
"""

from engine.activations import ACTIVATIONS, get_activation
from engine.datasets import (
    DATASETS,
    make_blobs,
    make_circles,
    make_dataset,
    make_moons,
    make_spirals,
    make_xor,
    train_val_test_split,
)
from engine.ensembles import Bagging, fit_bagging
from engine.features import FEATURES, input_features
from engine.initializers import INITIALIZERS, init_weights
from engine.losses import (
    cross_entropy,
    entropy,
    mse,
    one_hot,
    softmax,
    softmax_cross_entropy,
)
from engine.network import MLP
from engine.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Newton,
    RMSProp,
    make_optimizer,
)
from engine.training import EpochRecord, Trainer, fit
from engine.trajectories import Trajectory
from engine.trajectories import run as run_trajectories

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "FEATURES",
    "INITIALIZERS",
    "MLP",
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "Bagging",
    "EpochRecord",
    "Momentum",
    "Nesterov",
    "Newton",
    "RMSProp",
    "Trainer",
    "Trajectory",
    "cross_entropy",
    "entropy",
    "fit",
    "fit_bagging",
    "get_activation",
    "init_weights",
    "input_features",
    "make_blobs",
    "make_circles",
    "make_dataset",
    "make_moons",
    "make_optimizer",
    "make_spirals",
    "make_xor",
    "mse",
    "one_hot",
    "run_trajectories",
    "softmax",
    "softmax_cross_entropy",
    "train_val_test_split",
]
