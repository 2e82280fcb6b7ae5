"""The training lab's sidebar: data, network, training and mode, all shareable by URL."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from engine.activations import ACTIVATIONS
from engine.datasets import DATASETS
from engine.hyperparameters import HYPERPARAMETERS
from engine.initializers import INITIALIZERS, LARGE_STD, SMALL_STD
from engine.lab_run import (
    BAGGING,
    COMPARE,
    SINGLE,
    Architecture,
    Knobs,
    LabData,
    split,
    synthetic_data,
)
from engine.optimizers import OPTIMIZERS
from ui import url_state
from ui.lab.csv_input import csv_controls, csv_given

PAGE = "lab"
CSV = "csv"  # the user's own file, beside the registry's datasets
DATA_CHOICES = (*DATASETS, CSV)
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
LAB_OPTIMIZERS = tuple(name for name, cls in OPTIMIZERS.items() if "lab" in cls.defaults)
LOSSES = {"cross_entropy": "cross-entropy", "mse": "mean squared error"}
MODES = {SINGLE: "One network", COMPARE: "Sigmoid vs ReLU", BAGGING: "Bagging ensemble"}
BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 0)  # 0: the whole training set
PENALTIES = (0.0, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)
SPEEDS = (0, 1, 2, 5, 10, 20)  # epochs a second; 0: as fast as the machine trains

# The course text's errata, where the lab's settings meet them
NORMALIZED_ERRATUM = ("The course text prints the bounds as −6/√(m+n) and 6/(m+n); the "
                      "correct bound is √6/√(m+n) on both sides, as here.")
VALIDATION_ERRATUM = ("The course text says the validation set is used to minimize the "
                      "validation *accuracy*; the correct goal is to minimize the validation "
                      "*loss*, which early stopping watches.")
INIT_HELP = ("Each layer's W (m inputs, n outputs) is drawn at random; biases start at 0. "
             "normalized: W ~ U(−√6/√(m+n), +√6/√(m+n)). " + NORMALIZED_ERRATUM
             + f" He: W ~ N(0, 2/m), made for ReLU. small: N(0, {SMALL_STD:g}²). "
             f"large: N(0, {LARGE_STD:g}²).")

DEFAULTS = {
    "data": "moons", "n": 300, "noise": 0.2, "data_seed": 0, "arms": 2, "blobs": 3,
    "val": 0.2, "test": 0.2, "mode": SINGLE, "members": 5,
    "layers": 2, "width": 16, "act": "relu", "init": "normalized", "loss": "cross_entropy",
    "seed": 0, "opt": "momentum", "lr": 0.05, "lam": 0.9, "rho": 0.9, "batch": 32,
    "epochs": 100, "l1": 0.0, "l2": 0.0, "dropout": 0.0, "early": False, "patience": 10,
    "speed": 0, "test_points": False,
}

FIELDS = [
    url_state.Field("data", url_state.one_of(DATA_CHOICES)),
    url_state.Field("n", url_state.number_between(50, 1000, integer=True)),
    url_state.Field("noise", url_state.number_between(0.0, 0.5), url_state.format_number),
    url_state.Field("data_seed", url_state.number_between(0, 99, integer=True)),
    url_state.Field("arms", url_state.number_between(2, 5, integer=True)),
    url_state.Field("blobs", url_state.number_between(2, 6, integer=True)),
    url_state.Field("val", url_state.number_between(0.1, 0.4), url_state.format_number),
    url_state.Field("test", url_state.number_between(0.1, 0.4), url_state.format_number),
    url_state.Field("mode", url_state.one_of(tuple(MODES))),
    url_state.Field("members", url_state.number_between(2, 10, integer=True)),
    url_state.Field("layers", url_state.number_between(1, 8, integer=True)),
    url_state.Field("width", url_state.number_between(2, 64, integer=True)),
    url_state.Field("act", url_state.one_of(HIDDEN_ACTIVATIONS)),
    url_state.Field("init", url_state.one_of(tuple(INITIALIZERS))),
    url_state.Field("loss", url_state.one_of(tuple(LOSSES))),
    url_state.Field("seed", url_state.number_between(0, 99, integer=True)),
    url_state.Field("opt", url_state.one_of(LAB_OPTIMIZERS)),
    url_state.Field("lr", url_state.number_in(HYPERPARAMETERS["lr"].stops),
                    url_state.format_number),
    url_state.Field("lam", url_state.number_in(HYPERPARAMETERS["momentum"].stops),
                    url_state.format_number),
    url_state.Field("rho", url_state.number_in(HYPERPARAMETERS["rho"].stops),
                    url_state.format_number),
    url_state.Field("batch", url_state.number_in(BATCHES), url_state.format_number),
    url_state.Field("epochs", url_state.number_between(10, 1000, integer=True)),
    url_state.Field("l1", url_state.number_in(PENALTIES), url_state.format_number),
    url_state.Field("l2", url_state.number_in(PENALTIES), url_state.format_number),
    url_state.Field("dropout", url_state.number_between(0.0, 0.8), url_state.format_number),
    url_state.Field("early", url_state.boolean, url_state.format_bool),
    url_state.Field("patience", url_state.number_between(1, 100, integer=True)),
    url_state.Field("speed", url_state.number_in(SPEEDS), url_state.format_number),
    url_state.Field("test_points", url_state.boolean, url_state.format_bool),
]


@dataclass(frozen=True)
class LabSettings:
    data: LabData
    data_key: tuple
    arch: Architecture
    knobs: Knobs
    mode: str
    members: int
    speed: float = 0  # epochs a second (0: as fast as it trains)
    test_points: bool = False  # on the decision boundary

    @property
    def run_key(self) -> tuple:
        return (self.data_key, self.arch, self.mode, self.members)


def _key(name: str) -> str:
    return f"lab_{name}"


def _init_state() -> list[str]:
    """URL values first, then defaults; the widgets read their values from here."""
    notices = url_state.load(PAGE, _prefixed_fields())
    for name, value in _defaults(st.session_state.get(_key("data"), DEFAULTS["data"])).items():
        st.session_state.setdefault(_key(name), value)
    return notices


def _defaults(data: str) -> dict:
    """Every setting's default; the noise depends on the dataset."""
    return {**DEFAULTS, "noise": DATASETS[data].noise if data in DATASETS else DEFAULTS["noise"]}


def _dataset_changed() -> None:
    """A new dataset starts at its own noise, unless the user had chosen one."""
    state = st.session_state
    if state[_key("noise")] in {DEFAULTS["noise"], *(d.noise for d in DATASETS.values())}:
        state[_key("noise")] = _defaults(state[_key("data")])["noise"]


def _prefixed_fields() -> list[url_state.Field]:
    # the URL says ?lr=0.05; session state says lab_lr (the playground has its own keys)
    return [url_state.Field(f.key, f.parse, f.format, state_key=_key(f.key)) for f in FIELDS]


def controls(notices: list[str]) -> LabSettings:
    notices.extend(_init_state())
    side = st.sidebar
    side.header("Data")
    data, data_key = _data_controls(side, notices)
    side.toggle("Show the test points", key=_key("test_points"),
                help="The test set (crosses on the decision boundary) takes no part in "
                     "training or early stopping: it is for the end, to see how the "
                     "network does on data it has never seen.")
    side.header("Network")
    side.radio("Mode", tuple(MODES), key=_key("mode"), format_func=MODES.get, horizontal=True,
               help="Sigmoid vs ReLU trains two networks that differ only in their activation. "
                    "Bagging trains several networks on bootstrap samples and averages them.")
    mode = st.session_state[_key("mode")]
    if mode == BAGGING:
        side.slider("Members k", 2, 10, key=_key("members"))
    side.slider("Hidden layers", 1, 8, key=_key("layers"))
    side.slider("Units per hidden layer", 2, 64, key=_key("width"))
    if mode == COMPARE:
        side.caption("Activation: sigmoid and ReLU, side by side.")
    else:
        side.selectbox("Activation f", HIDDEN_ACTIVATIONS, key=_key("act"),
                       format_func=lambda name: ACTIVATIONS[name].label)
    side.selectbox("Initialization", tuple(INITIALIZERS), key=_key("init"),
                   format_func=lambda name: INITIALIZERS[name].label, help=INIT_HELP)
    side.selectbox("Loss", tuple(LOSSES), key=_key("loss"), format_func=LOSSES.get,
                   help="Both act on the softmax output y' = q(c).")
    side.number_input("Weight seed", 0, 99, key=_key("seed"))
    side.header("Training")
    knobs = _training_controls(side)
    state = st.session_state
    arch = Architecture(state[_key("layers")], state[_key("width")], state[_key("act")],
                        state[_key("init")], state[_key("loss")], int(state[_key("seed")]))
    _save_url()
    return LabSettings(data, data_key, arch, knobs, mode, int(state[_key("members")]),
                       state[_key("speed")], bool(state[_key("test_points")]))


def _save_url() -> None:
    values = {f.key: st.session_state.get(_key(f.key)) for f in FIELDS}
    url_state.save(PAGE, FIELDS, values, _defaults(values["data"]))


def _data_controls(side, notices: list[str]) -> tuple[LabData, tuple]:
    state = st.session_state
    side.selectbox("Dataset", DATA_CHOICES, key=_key("data"),
                   format_func=lambda name: "Your own CSV file" if name == CSV
                   else DATASETS[name].label, on_change=_dataset_changed)
    name = state[_key("data")]
    if name == CSV:
        data = csv_controls(side, notices)
        if data is not None:
            side.slider("Validation share", 0.1, 0.4, key=_key("val"), step=0.05)
            side.slider("Test share", 0.1, 0.4, key=_key("test"), step=0.05)
            labdata = split(data.X, data.y, data.classes, data.features, state[_key("val")],
                            state[_key("test")], 0)
            return labdata, ("csv", state.get("lab_csv_hash"), tuple(data.features),
                             state[_key("val")], state[_key("test")])
        notices.append("Until a CSV file can be used, the lab trains on two moons."
                       if csv_given() else "Upload or paste a CSV file to train on it; until "
                       "then the lab uses two moons.")
        name = "moons"
    side.slider("Points", 50, 1000, key=_key("n"), step=50)
    side.slider("Noise", 0.0, 0.5, key=_key("noise"), step=0.05)
    if name == "spirals":
        side.slider("Arms (classes)", 2, 5, key=_key("arms"))
    if name == "blobs":
        side.slider("Blobs (classes)", 2, 6, key=_key("blobs"))
    side.slider("Validation share", 0.1, 0.4, key=_key("val"), step=0.05)
    side.slider("Test share", 0.1, 0.4, key=_key("test"), step=0.05)
    side.number_input("Data seed", 0, 99, key=_key("data_seed"))
    args = (name, state[_key("n")], state[_key("noise")], int(state[_key("data_seed")]))
    extras = {"arms": state[_key("arms")], "blobs": state[_key("blobs")],
              "val": state[_key("val")], "test": state[_key("test")]}
    return _synthetic(*args, **extras), (*args, *sorted(extras.items()))


@st.cache_data(max_entries=32, show_spinner=False)
def _synthetic(name, n, noise, seed, **extras) -> LabData:
    return synthetic_data(name, n, noise, seed, **extras)


def _training_controls(side) -> Knobs:
    state = st.session_state
    side.selectbox("Optimizer", LAB_OPTIMIZERS, key=_key("opt"),
                   format_func=lambda name: OPTIMIZERS[name].label, on_change=_optimizer_changed)
    opt = state[_key("opt")]
    lr = HYPERPARAMETERS["lr"]
    side.select_slider(lr.label, lr.stops, key=_key("lr"), format_func=lambda v: f"{v:g}",
                       help=lr.help)
    hyper = {"lr": state[_key("lr")]}
    if opt in ("momentum", "nesterov"):
        side.select_slider(HYPERPARAMETERS["momentum"].label,
                           HYPERPARAMETERS["momentum"].stops, key=_key("lam"),
                           format_func=lambda v: f"{v:g}")
        hyper["momentum"] = state[_key("lam")]
    if opt == "rmsprop":
        side.select_slider(HYPERPARAMETERS["rho"].label, HYPERPARAMETERS["rho"].stops,
                           key=_key("rho"), format_func=lambda v: f"{v:g}")
        hyper["rho"] = state[_key("rho")]
    side.select_slider("Mini-batch size Q", BATCHES, key=_key("batch"),
                       format_func=lambda q: "all (batch GD)" if q == 0 else
                       ("1 (online SGD)" if q == 1 else str(q)))
    side.slider("Epochs", 10, 1000, key=_key("epochs"), step=10)
    penalty = ("Training minimizes Ĵ(θ) = J(θ) + λ₂·½‖w‖₂² + λ₁·½‖w‖₁ over the weights w "
               "(not the biases): the course text's Ω(θ) = ½‖w‖₂² for L2 and ½‖w‖₁ for L1. "
               "It writes L2's strength as α, (α/2)wᵀw; here it is λ₂, as α is the "
               "learning rate.")
    side.select_slider("L1 strength λ₁", PENALTIES, key=_key("l1"),
                       format_func=lambda v: f"{v:g}", help=penalty)
    side.select_slider("L2 strength λ₂", PENALTIES, key=_key("l2"),
                       format_func=lambda v: f"{v:g}", help=penalty)
    side.slider("Dropout p (input and hidden units)", 0.0, 0.8, key=_key("dropout"), step=0.05)
    side.toggle("Early stopping", key=_key("early"),
                help="Stop when the validation loss has not improved for `patience` epochs, "
                     "and keep the best weights. " + VALIDATION_ERRATUM)
    if state[_key("early")]:
        side.slider("Patience (epochs)", 1, 100, key=_key("patience"))
    return Knobs(opt, tuple(sorted(hyper.items())), state[_key("batch")] or None,
                 state[_key("l1")], state[_key("l2")], state[_key("dropout")],
                 state[_key("patience")] if state[_key("early")] else None,
                 int(state[_key("epochs")]))


def _optimizer_changed() -> None:
    """A new optimizer starts from its own sensible α (its lab default)."""
    st.session_state[_key("lr")] = OPTIMIZERS[st.session_state[_key("opt")]].defaults["lab"]["lr"]
