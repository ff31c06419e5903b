"""Tests of helpers.training and helpers.plots on a tiny synthetic problem."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from helpers.runtime import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()
import keras  # noqa: E402

from helpers.plots import MODEL_COLORS, model_color, plot_learning_curves  # noqa: E402
from helpers.training import train_model  # noqa: E402


def _tiny_problem(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid", name="out")],
        name="tiny",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model, (x[:192], y[:192]), (x[192:], y[192:])


def test_one_line_per_epoch_and_best_epoch(capsys):
    model, train, val = _tiny_problem()
    run = train_model(model, train, val, epochs=3, patience=None, batch_size=64)
    lines = capsys.readouterr().out.strip().splitlines()
    assert (
        len(lines) == 3
        and lines[0].startswith("epoch 1/3")
        and "val_accuracy" in lines[0]
    )
    assert run.epochs_run == 3 and run.best_epoch == 3 and run.seconds > 0
    assert 0.0 <= run.best() <= 1.0


def test_early_stopping_restores_the_best_validation_epoch(capsys):
    model, train, val = _tiny_problem(1)
    run = train_model(
        model, train, val, epochs=6, patience=1, monitor="val_loss", batch_size=64
    )
    losses = run.history["val_loss"]
    assert run.best_epoch == int(np.argmin(losses)) + 1
    assert np.isclose(
        model.evaluate(*val, verbose=0)[0], losses[run.best_epoch - 1], rtol=1e-4
    )


def test_learning_curves_are_titled_labelled_and_coloured():
    history = {"accuracy": [0.6, 0.7], "val_accuracy": [0.55, 0.65]}
    fig = plot_learning_curves({"LSTM": history}, title="t")
    ax = fig.axes[0]
    assert (
        ax.get_title() == "t"
        and ax.get_xlabel() == "epoch"
        and ax.get_ylabel() == "accuracy"
    )
    assert len(ax.get_legend().get_texts()) == 2
    assert ax.lines[0].get_color() == MODEL_COLORS["LSTM"] == model_color("LSTM")
    assert model_color("unknown model") not in MODEL_COLORS.values()


def test_datasets_train_without_the_shuffle_warning(capsys):
    import warnings

    import tensorflow as tf

    model, (x, y), val = _tiny_problem(2)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(192, seed=0).batch(64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = train_model(model, dataset, val, epochs=1, patience=None)
    assert run.epochs_run == 1
