"""One registry per concept: optimizers (with their hyperparameters), activations,
initializations and datasets, each entry complete and consistent with the engine."""

import re

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.datasets import DATASETS
from engine.hyperparameters import HYPERPARAMETERS, rule_latex
from engine.initializers import INITIALIZERS, init_weights
from engine.optimizers import OPTIMIZERS, make_optimizer


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_entry_is_complete(name):
    cls = OPTIMIZERS[name]
    assert cls.label and re.fullmatch(r"#[0-9A-Fa-f]{6}", cls.color)
    for page, values in cls.defaults.items():
        assert set(values) == set(cls.hyperparameter_names()), page
        for param, value in values.items():  # every default is a stop of its slider
            assert value in HYPERPARAMETERS[param].stops, (page, param)
        make_optimizer(name, **values)  # and a valid setting
    # the rule names exactly the optimizer's own hyperparameters
    named = set(re.findall(r"<(\w+)>", " ".join(cls.rule)))
    assert named == set(cls.hyperparameter_names())


def test_labels_and_colours_tell_the_optimizers_apart():
    assert len({cls.label for cls in OPTIMIZERS.values()}) == len(OPTIMIZERS)
    assert len({cls.color.lower() for cls in OPTIMIZERS.values()}) == len(OPTIMIZERS)


def test_a_rule_is_written_with_symbols_or_with_numbers():
    rule = OPTIMIZERS["momentum"].rule
    symbolic = rule_latex(rule)
    assert r"\lambda\,\mathbf{v}(k-1) - \alpha\," in symbolic and "<" not in symbolic
    filled = rule_latex(rule, {"lr": 0.05, "momentum": 0.9})
    assert r"0.9\,\mathbf{v}(k-1) - 0.05\," in filled
    assert filled.startswith(r"\begin{aligned}")  # two lines, aligned at =
    single = OPTIMIZERS["sgd"].rule_latex({"lr": 1e-7})
    assert single == r"\theta(k) = \theta(k-1) - 10^{-7}\,\nabla J(\theta(k-1))"


@pytest.mark.parametrize(("name", "bad"), [("lr", 0.0), ("momentum", 1.0), ("rho", -0.1),
                                           ("eps", 0.0), ("damping", -1.0)])
def test_a_hyperparameter_names_the_bad_value(name, bad):
    with pytest.raises(ValueError, match=f"{name}={bad!r}"):
        HYPERPARAMETERS[name].check(name, bad)


def test_every_stop_of_a_slider_is_in_its_range():
    for name, spec in HYPERPARAMETERS.items():
        for value in spec.stops:
            spec.check(name, value)


def test_activations_initializations_and_datasets_have_labels():
    assert ACTIVATIONS["relu"].label == "ReLU"
    assert all(a.label for a in ACTIVATIONS.values())
    assert INITIALIZERS["normalized"].label == "normalized (√6/√(m+n))"  # the corrected bound
    assert DATASETS["spirals"].noise == 0.05 and DATASETS["moons"].noise == 0.2
    assert all(d.label for d in DATASETS.values())


def test_a_dataset_entry_makes_its_data_as_its_maker_does():
    for name, spec in DATASETS.items():
        X, y = spec(100, noise=0.1, seed=4)
        X2, y2 = spec.make(100, noise=0.1, seed=4)
        np.testing.assert_array_equal(X, X2)
        np.testing.assert_array_equal(y, y2)
        assert X.shape == (100, 2), name


def test_an_initializer_entry_draws_what_init_weights_draws():
    for name, init in INITIALIZERS.items():
        a = init.draw(4, 3, np.random.default_rng(0))
        b = init_weights(name, 4, 3, np.random.default_rng(0))
        np.testing.assert_array_equal(a, b)
