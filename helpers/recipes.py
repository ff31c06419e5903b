"""The book's IMDB classifiers as recipes: built, trained, recorded and reloaded one
way.

A *recipe* fixes everything that decides a result: the data (vocabulary
size, sequence length), the architecture, the optimizer and its schedule,
the batch size, the epoch budget and the early-stopping rule. The chapters
that discuss a model train its recipe (chapter 1 the bags of words, chapter 4
the SimpleRNN, chapters 5-7 the gated models) and chapter 8 compares every
model, so each recipe is written once, here, and never copied into a
notebook.

:func:`run_recipe` trains a recipe with one seed (validation picks the
epoch), evaluates the test set once, and records the trained model and its
figures under ``artifacts/records/`` (``artifacts/quick/records/`` in quick
mode). The record is keyed by a *fingerprint* of the recipe's fields, the
seed, the mode's sizes, the package versions and the code that trains and
scores it (:func:`training_key`: the helper definitions that
:func:`load_recipe_data` and :func:`train_recipe` reach, read as syntax by
:mod:`helpers.fingerprint`).
A later call with the same fingerprint loads the record instead of training
again; a change to that code or to the recipe gives a new fingerprint, and
the model is trained afresh, while adding a recipe or editing prediction,
plotting or file-writing code retrains nothing. So every figure comes
either from this run or from a recorded run of the same training code.

Keras is imported inside the functions, so importing this module is cheap.

Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from helpers.config import mode_settings

#: Recurrent cells a sequence recipe can use.
CELLS = ("simple_rnn", "lstm", "gru")
#: Features a sequence recipe can pool from the recurrent states.
POOLINGS = ("mean", "max", "last")
#: Where a trained run's key starts: the functions that load a recipe's data and train
#: and score it. The key follows every helper definition they reach
#: (helpers.fingerprint).
TRAINING_CODE = ("helpers.recipes:load_recipe_data", "helpers.recipes:train_recipe")
#: Left out of that reach: the recipe table. A run's key holds its own recipe's fields,
#: so a new or changed recipe retrains only its own runs.
NOT_TRAINING_CODE = ("helpers.recipes:RECIPES",)
#: The environment variable naming a file to which every run a process reads is logged
#: (helpers.execute sets it, so that a chapter's record lists the trained runs it read).
RUN_LOG_VARIABLE = "RNN_BOOK_RUN_LOG"
#: Reviews per batch when a model only predicts (validation, test, throughput). Memory,
#: not speed, sets it: a Bi-LSTM scoring 512 reviews of 1,000 tokens at once holds about
#: 1.5 GB of intermediate states, 256 reviews half that.
EVALUATION_BATCH_SIZE = 256


@dataclass(frozen=True)
class Recipe:
    """One IMDB classifier, completely specified.

    Attributes
    ----------
    name : str
        Short name used in file names (``"lstm"``).
    label : str
        Name shown in tables and plots (``"LSTM"``).
    chapter : int
        The chapter that introduces the model.
    cell : {"bow", "simple_rnn", "lstm", "gru"}
        ``"bow"`` is a logistic regression on multi-hot n-grams (chapter 1);
        the others read token ids with that recurrent layer.
    bidirectional : bool
        Wrap the recurrent layer in ``keras.layers.Bidirectional``.
    max_tokens : int
        Vocabulary size (built on the training split only).
    sequence_length : int
        Tokens kept per review.
    padding, truncating : {"post", "pre"}
        Where the padding goes and which tokens a longer review keeps, as in
        :func:`helpers.data.pad_token_ids`: ``"post"``, ``"post"`` (the
        book's default) keeps the first tokens with padding after them;
        ``"pre"``, ``"pre"`` (Keras's ``pad_sequences`` default, which the
        tutorial Bi-LSTM used) keeps the last tokens with padding before them.
        Length bucketing needs ``padding="post"``.
    ngrams : int
        ``"bow"`` only: 1 for words, 2 for words and word pairs.
    embedding_dim, units : int
        Size of each token's embedding and of the recurrent state.
    mask_zero : bool
        Skip padding (token id 0) in the recurrent layer.
    bucketed : bool
        Length-bucketed batches (``helpers.bucketing``) instead of batches
        padded to ``sequence_length``.
    pooling : tuple of str
        Features the classifier reads: any of ``"mean"`` and ``"max"`` over
        the real (unpadded) steps, and ``"last"`` (the final state).
    embedding_dropout, dropout : float
        ``SpatialDropout1D`` rate on the embeddings (it drops whole
        embedding dimensions, at every position of a review) and dropout
        rate before the output layer.
    learning_rate : float
        Adam's initial learning rate.
    decay_per_epoch : float or None
        The factor by which the learning rate falls over one epoch: it
        decays at every batch (``ExponentialDecay`` without ``staircase``),
        so it is multiplied by this over each epoch (``None``: constant).
    batch_size : int
        Training batch size.
    epochs : int
        Epoch budget in full mode (quick mode caps it).
    patience : int or None
        Early stopping on validation accuracy (``None``: train all epochs
        and keep the last weights).
    """

    name: str
    label: str
    chapter: int
    cell: str
    bidirectional: bool = False
    max_tokens: int = 20_000
    sequence_length: int = 500
    padding: str = "post"
    truncating: str = "post"
    ngrams: int = 1
    embedding_dim: int = 128
    units: int = 64
    mask_zero: bool = True
    bucketed: bool = True
    pooling: tuple = ("last",)
    embedding_dropout: float = 0.0
    dropout: float = 0.0
    learning_rate: float = 1e-3
    decay_per_epoch: Optional[float] = None
    batch_size: int = 128
    epochs: int = 3
    patience: Optional[int] = 1

    def __post_init__(self):
        for name in ("padding", "truncating"):
            if getattr(self, name) not in ("pre", "post"):
                raise ValueError(
                    f"{name} must be 'pre' or 'post', got {getattr(self, name)!r}"
                )
        if self.bucketed and self.padding != "post":
            raise ValueError(
                "length bucketing cuts each batch after its longest review, "
                "so it needs padding='post'; use bucketed=False with padding='pre'"
            )

    def replace(self, **changes) -> "Recipe":
        """Return a copy with some fields changed (for ablations)."""
        return dataclasses.replace(self, **changes)


# The recurrent recipes share everything but the cell. Chosen on validation accuracy
# only (single-seed runs of 3 epochs, on the random validation split the book used
# before its movie blocks): reading reviews up to 1,000 tokens beat a cut at 500
# tokens, "last" state + mean + max beat mean + max, and epoch 3 added nothing over
# epoch 2. Chapter 7's ablation re-checks the steps on the movie-block validation set.
# The vocabulary was 20,000 words until the movie blocks; on them 10,000 words scored
# higher in every run we made (best-epoch validation accuracy, 10k vs 20k: LSTM seed 1
# 0.8872 vs 0.8808, GRU seed 1 0.8804 vs 0.8766, improved Bi-LSTM seed 1 0.8830 vs
# 0.8736 and seed 2 0.8842 vs 0.8702): the rarer words are mostly names, which
# identify movies, not opinions.
_GATED = dict(
    max_tokens=10_000,
    sequence_length=1000,
    pooling=("mean", "max", "last"),
    embedding_dropout=0.3,
    dropout=0.3,
    learning_rate=2e-3,
    decay_per_epoch=0.5,
    batch_size=128,
    epochs=2,
    patience=1,
)

#: Every model the book compares, in the order of the chapters.
RECIPES = {
    "bow_unigram": Recipe(
        "bow_unigram",
        "BoW unigram",
        1,
        "bow",
        max_tokens=20_000,
        ngrams=1,
        batch_size=64,
        epochs=15,
        patience=2,
    ),
    # 40,000 words and pairs: chapter 1's validation choice among 20,000, 40,000 and
    # 80,000 (it asserts so).
    "bow_bigram": Recipe(
        "bow_bigram",
        "BoW bigram",
        1,
        "bow",
        max_tokens=40_000,
        ngrams=2,
        batch_size=64,
        epochs=15,
        patience=2,
    ),
    "simple_rnn": Recipe("simple_rnn", "SimpleRNN", 2, "simple_rnn", **_GATED),
    "lstm": Recipe("lstm", "LSTM", 5, "lstm", **_GATED),
    "gru": Recipe("gru", "GRU", 6, "gru", **_GATED),
    # The Bi-LSTM of the tutorial this book answers, as it built and fed it; like every
    # recipe, validation accuracy picks the epoch (the tutorial kept its last epoch and
    # watched the test set).
    "bilstm_tutorial": Recipe(
        "bilstm_tutorial",
        "tutorial Bi-LSTM",
        7,
        "lstm",
        bidirectional=True,
        max_tokens=10_000,
        sequence_length=200,
        padding="pre",
        truncating="pre",
        mask_zero=False,
        bucketed=False,
        pooling=("last",),
        dropout=0.5,
        batch_size=128,
        epochs=2,
        patience=1,
    ),
    "bilstm_improved": Recipe(
        "bilstm_improved", "Bi-LSTM (improved)", 7, "lstm", bidirectional=True, **_GATED
    ),
}


#: Seeds every recipe is trained with for chapter 8's comparison, per mode (quick mode:
#: two seeds, enough for a spread at CI cost).
RECIPE_SEEDS = {"full": (1, 2, 3), "quick": (1, 2)}


def recipe_seeds(mode: Optional[str] = None) -> tuple:
    """Return the seeds each recipe is trained with for the comparison.

    Chapter 8 compares every recipe over these seeds. The chapters that
    discuss the models train most of these runs first (chapter 1 the bags
    of words, chapter 4 the SimpleRNN, chapters 5-7 the gated models), so
    chapter 8 loads their records and trains only what is missing.

    Parameters
    ----------
    mode : {"full", "quick"}, optional
        By default ``BOOK_MODE``.

    Returns
    -------
    tuple of int
        :data:`RECIPE_SEEDS` of the mode.
    """
    return RECIPE_SEEDS[mode_settings(mode).mode]


def get_recipe(name_or_recipe) -> Recipe:
    """Return the :class:`Recipe` called ``name`` (or the recipe itself).

    Raises
    ------
    KeyError
        If there is no such recipe; the message lists the known names.
    """
    if isinstance(name_or_recipe, Recipe):
        return name_or_recipe
    if name_or_recipe not in RECIPES:
        raise KeyError(
            f"no recipe {name_or_recipe!r}; known recipes: {', '.join(RECIPES)}"
        )
    return RECIPES[name_or_recipe]


def build_imdb_classifier(recipe, steps_per_epoch: int = 1):
    """Build and compile the Keras model of a recipe.

    A sequence recipe reads token ids ``(batch, time)`` (padded with 0)::

        Embedding (masked) -> SpatialDropout1D -> [Bi]LSTM/GRU/SimpleRNN
          -> concat(mean over real steps, max over real steps, last state)
          -> Dropout -> Dense(1, sigmoid)

    The mean and max leave padded steps out explicitly, so they are exact
    for any padding, and an empty review (no real step) pools to zeros
    instead of NaN. A ``"bow"`` recipe reads a sparse multi-hot vector of
    ``max_tokens`` n-grams and is a logistic regression.

    Parameters
    ----------
    recipe : Recipe or str
        The recipe (or its name).
    steps_per_epoch : int
        Batches per epoch, for the per-epoch learning-rate decay.

    Returns
    -------
    keras.Model
        Compiled with Adam, binary cross-entropy and accuracy; named after
        the recipe.

    Raises
    ------
    ValueError
        If the recipe names an unknown cell or pooling, or
        ``steps_per_epoch`` is not positive.
    """
    import keras

    recipe = get_recipe(recipe)
    if int(steps_per_epoch) < 1:
        raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch!r}")
    if recipe.cell == "bow":
        inputs = keras.Input(shape=(recipe.max_tokens,), sparse=True, name="multi_hot")
        outputs = keras.layers.Dense(1, activation="sigmoid", name="logistic")(inputs)
    else:
        inputs, outputs = _sequence_graph(keras, recipe)
    model = keras.Model(inputs, outputs, name=recipe.name)
    rate = recipe.learning_rate
    if recipe.decay_per_epoch is not None:
        rate = keras.optimizers.schedules.ExponentialDecay(
            rate, decay_steps=int(steps_per_epoch), decay_rate=recipe.decay_per_epoch
        )
    model.compile(
        optimizer=keras.optimizers.Adam(rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _sequence_graph(keras, recipe: Recipe):
    if recipe.cell not in CELLS:
        raise ValueError(
            f"unknown cell {recipe.cell!r}; choose 'bow' or one of {CELLS}"
        )
    unknown = set(recipe.pooling) - set(POOLINGS)
    if unknown or not recipe.pooling:
        raise ValueError(
            f"pooling must be a non-empty subset of {POOLINGS}, got {recipe.pooling!r}"
        )
    token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(
        recipe.max_tokens,
        recipe.embedding_dim,
        mask_zero=recipe.mask_zero,
        name="embedding",
    )(token_ids)
    if recipe.embedding_dropout:
        x = keras.layers.SpatialDropout1D(
            recipe.embedding_dropout, name="embedding_dropout"
        )(x)
    layer_class = {
        "simple_rnn": keras.layers.SimpleRNN,
        "lstm": keras.layers.LSTM,
        "gru": keras.layers.GRU,
    }[recipe.cell]
    needs_states = set(recipe.pooling) & {"mean", "max"}
    rnn = layer_class(
        recipe.units, return_sequences=bool(needs_states), return_state=True, name="rnn"
    )
    n_states = 2 if recipe.cell == "lstm" else 1
    if recipe.bidirectional:
        outputs = keras.layers.Bidirectional(rnn, name="bidirectional_rnn")(x)
        last = keras.layers.Concatenate(name="last_states")(
            [outputs[1], outputs[1 + n_states]]
        )
    else:
        outputs = rnn(x)
        last = outputs[1]
    features = []
    if needs_states:
        states = outputs[0]
        real = keras.ops.expand_dims(
            keras.ops.cast(keras.ops.not_equal(token_ids, 0), states.dtype), -1
        )
        count = keras.ops.sum(real, axis=1)
        if "mean" in recipe.pooling:
            features.append(
                keras.ops.sum(states * real, axis=1) / keras.ops.maximum(count, 1.0)
            )
        if "max" in recipe.pooling:
            peak = keras.ops.max(states * real - 1e4 * (1.0 - real), axis=1)
            features.append(peak * keras.ops.minimum(count, 1.0))
    if "last" in recipe.pooling:
        features.append(last)
    h = (
        keras.layers.Concatenate(name="pooled")(features)
        if len(features) > 1
        else features[0]
    )
    if recipe.dropout:
        h = keras.layers.Dropout(recipe.dropout, name="dropout")(h)
    probability = keras.layers.Dense(1, activation="sigmoid", name="output")(h)
    return token_ids, probability


@dataclass
class RecipeData:
    """A recipe's inputs: training, validation and test arrays and the vocabulary.

    For a sequence recipe ``x_*`` are ``int32`` id matrices padded as the
    recipe says;
    for a ``"bow"`` recipe they are sparse multi-hot tensors.
    """

    x_train: object
    y_train: np.ndarray
    x_val: object
    y_val: np.ndarray
    x_test: object
    y_test: np.ndarray
    vocabulary: list


def load_recipe_data(recipe, mode: Optional[str] = None) -> RecipeData:
    """Load the IMDB split the way ``recipe`` reads it, cached on disk.

    Sequence recipes read :func:`helpers.data.load_imdb_sequences`; bag-of-
    words recipes read multi-hot n-grams of a ``TextVectorization`` layer
    adapted on the training split, cached by
    :func:`helpers.data.cached_arrays` as compressed sparse rows, so only
    the first call in a mode vectorises the 50,000 reviews.

    Raises
    ------
    helpers.data.DatasetError
        If the dataset is missing, incomplete or corrupt.
    """
    recipe = get_recipe(recipe)
    if recipe.cell != "bow":
        from helpers.data import load_imdb_sequences

        d = load_imdb_sequences(
            max_tokens=recipe.max_tokens,
            sequence_length=recipe.sequence_length,
            padding=recipe.padding,
            truncating=recipe.truncating,
            mode=mode,
        )
        return RecipeData(
            d.x_train, d.y_train, d.x_val, d.y_val, d.x_test, d.y_test, d.vocabulary
        )
    import tensorflow as tf

    from helpers.data import cached_arrays

    settings = mode_settings(mode)
    key = dict(
        max_tokens=recipe.max_tokens,
        ngrams=recipe.ngrams,
        mode=settings.mode,
        settings=repr(settings),
    )
    arrays = cached_arrays(
        "multi-hot", key, lambda: _multi_hot_arrays(recipe, settings.mode)
    )

    # compressed sparse rows back to the layer's tf.SparseTensor (int64 ones)
    def split(name):
        labels, indptr = arrays[f"y_{name}"], arrays[f"indptr_{name}"]
        rows = np.repeat(np.arange(len(labels), dtype=np.int64), np.diff(indptr))
        indices = np.stack([rows, arrays[f"columns_{name}"].astype(np.int64)], axis=1)
        x = tf.SparseTensor(
            indices,
            np.ones(len(rows), np.int64),
            (len(labels), len(arrays["vocabulary"])),
        )
        return x, labels

    return RecipeData(
        *split("train"),
        *split("val"),
        *split("test"),
        [str(w) for w in arrays["vocabulary"]],
    )


def _multi_hot_arrays(recipe: Recipe, mode: str) -> dict:
    """Vectorise the splits into multi-hot n-grams, as compressed sparse rows (for the
    cache).
    """
    import tensorflow as tf
    import keras

    from helpers.data import load_imdb_splits

    splits = load_imdb_splits(mode)
    layer = keras.layers.TextVectorization(
        max_tokens=recipe.max_tokens,
        output_mode="multi_hot",
        ngrams=recipe.ngrams,
        sparse=True,
        name="multi_hot",
    )
    layer.adapt(tf.constant(splits.train.texts), batch_size=1024)
    arrays = dict(vocabulary=np.asarray([str(w) for w in layer.get_vocabulary()]))
    for name, reviews in (
        ("train", splits.train),
        ("val", splits.validation),
        ("test", splits.test),
    ):
        x = tf.sparse.reorder(layer(tf.constant(reviews.texts)))
        rows, columns = x.indices.numpy().T  # every value of a multi-hot tensor is 1
        arrays[f"indptr_{name}"] = np.searchsorted(
            rows, np.arange(len(reviews.labels) + 1)
        ).astype(np.int64)
        arrays[f"columns_{name}"] = columns.astype(np.int32)
        arrays[f"y_{name}"] = reviews.labels
    return arrays


def recipe_batches(
    recipe, x, y, shuffle: bool, seed: int = 0, batch_size: Optional[int] = None
):
    """Return what ``model.fit``/``evaluate`` should read for this recipe.

    Bucketed sequence recipes get :func:`helpers.bucketing.bucketed_dataset`;
    the others get a ``tf.data.Dataset`` of ``batch_size`` slices, shuffled
    with ``seed`` when ``shuffle`` is true.
    """
    import tensorflow as tf

    recipe = get_recipe(recipe)
    batch_size = int(batch_size or recipe.batch_size)
    y = np.asarray(y, dtype=np.float32)
    if recipe.cell != "bow" and recipe.bucketed:
        from helpers.bucketing import bucketed_dataset

        return bucketed_dataset(x, y, batch_size, shuffle=shuffle, seed=seed)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(len(y), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(2)


def training_key(recipe, seed: int, mode: Optional[str] = None, index=None) -> str:
    """Return a 16-hex-digit key of what decides a run, package versions aside.

    It covers the recipe's fields, the seed, the mode's data sizes and the
    syntax of every helper definition that :func:`load_recipe_data` and
    :func:`train_recipe` reach (:data:`TRAINING_CODE` without
    :data:`NOT_TRAINING_CODE`), docstrings and
    comments left out. A chapter's fingerprint holds the keys of the runs it
    read (:func:`helpers.fingerprint.chapter_parts`).

    Parameters
    ----------
    recipe : Recipe or str
        The recipe (or its name).
    seed : int
        The run's seed.
    mode : {"full", "quick"}, optional
        By default ``BOOK_MODE``.
    index : helpers.fingerprint.HelperIndex, optional
        The helpers to read (tests pass an edited copy).
    """
    from helpers.fingerprint import helper_index

    recipe = get_recipe(recipe)
    code = (index or helper_index()).code_digest(
        TRAINING_CODE, exclude=NOT_TRAINING_CODE
    )
    key = dict(
        recipe=dataclasses.asdict(recipe),
        seed=int(seed),
        settings=repr(mode_settings(mode)),
        code=code,
    )
    return hashlib.sha256(
        json.dumps(key, sort_keys=True, default=list).encode()
    ).hexdigest()[:16]


def recipe_fingerprint(recipe, seed: int, mode: Optional[str] = None) -> str:
    """Return the 16-hex-digit key of a run's record: :func:`training_key` and versions.

    The versions of TensorFlow, Keras and NumPy are added: their kernels
    decide the trained weights too.
    """
    import keras
    import tensorflow as tf

    key = dict(
        training=training_key(recipe, seed, mode),
        versions=[tf.__version__, keras.__version__, np.__version__],
    )
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class RecipeRun:
    """The figures of one recipe trained with one seed.

    Attributes
    ----------
    name, label : str
        The recipe.
    seed : int
        Seed of the weights and the batch order.
    val_accuracy : float
        Validation accuracy at the epoch validation chose.
    test_accuracy : float or None
        Test accuracy of those weights, evaluated once after training
        (``None`` for a run made with ``evaluate_test=False``, such as an
        ablation step that is not a final model).
    test_probabilities : list of float or None
        P(positive) of every test review from that one evaluation, in the
        order of ``RecipeData.x_test`` (``None`` with ``test_accuracy``), so
        that a later chapter reads them instead of scoring the test set again.
    seconds_per_epoch : float
        Mean wall time of a training epoch (with its validation pass).
    train_seconds : float
        Wall time of the whole fit.
    epochs_run, best_epoch : int
        Epochs trained, and the 1-based epoch validation chose.
    parameters : int
        Trainable and non-trainable weights of the model.
    history : dict
        Per-epoch metrics.
    fingerprint : str
        :func:`recipe_fingerprint` of the run.
    mode : str
        ``"full"`` or ``"quick"``.
    loaded : bool
        True when this run was read from a record rather than trained now.
    """

    name: str
    label: str
    seed: int
    val_accuracy: float
    test_accuracy: Optional[float]
    seconds_per_epoch: float
    train_seconds: float
    epochs_run: int
    best_epoch: int
    parameters: int
    history: dict = field(default_factory=dict)
    fingerprint: str = ""
    mode: str = "full"
    loaded: bool = False
    test_probabilities: Optional[list] = field(default=None, repr=False)


def records_folder(mode: Optional[str] = None) -> Path:
    """``artifacts/records`` (``artifacts/quick/records`` in quick mode)."""
    from helpers.export import ARTIFACTS_FOLDER, repository_root

    folder = repository_root() / ARTIFACTS_FOLDER
    if mode_settings(mode).mode == "quick":
        folder = folder / "quick"
    return folder / "records"


def record_paths(
    recipe, seed: int, mode: Optional[str] = None, folder: Optional[Path] = None
) -> tuple:
    """The ``(model, figures)`` paths of a recipe's record for one seed.

    ``folder`` defaults to :func:`records_folder`; a benchmark passes a
    scratch folder so that its runs never replace the records chapters load.
    """
    recipe = get_recipe(recipe)
    stem = f"{recipe.name}-seed{int(seed)}-{recipe_fingerprint(recipe, seed, mode)}"
    folder = Path(folder) if folder is not None else records_folder(mode)
    return folder / f"{stem}.keras", folder / f"{stem}.json"


def load_recorded_run(
    recipe, seed: int, mode: Optional[str] = None, folder: Optional[Path] = None
):
    """Return ``(model, RecipeRun)`` from the record of this code, or ``None``.

    ``None`` means there is no record with the current fingerprint in
    ``folder`` (see :func:`record_paths`), or it cannot be read (a damaged
    record is ignored, never trusted).
    """
    import keras

    model_path, figures_path = record_paths(recipe, seed, mode, folder)
    if not (model_path.is_file() and figures_path.is_file()):
        return None
    try:
        figures = json.loads(figures_path.read_text(encoding="utf-8"))
        model = keras.saving.load_model(model_path)
    except Exception:  # noqa: BLE001 - an unreadable record is retrained
        return None
    figures["loaded"] = True
    return model, RecipeRun(**figures)


def run_recipe(
    recipe,
    seed: int,
    data: Optional[RecipeData] = None,
    mode: Optional[str] = None,
    reuse: bool = True,
    folder: Optional[Path] = None,
    evaluate_test: bool = True,
):
    """Train ``recipe`` with ``seed`` (or load its record), test once, record it.

    Training follows the recipe: validation accuracy picks the epoch
    (early stopping with ``patience``), then the test set is evaluated once.
    The model and a JSON file of the figures are written atomically to
    :func:`record_paths`.

    Parameters
    ----------
    recipe : Recipe or str
        The recipe (or its name).
    seed : int
        Seed of the weights and the batch order.
    data : RecipeData, optional
        Already loaded data (:func:`load_recipe_data`); loaded when needed.
    mode : {"full", "quick"}, optional
        By default ``BOOK_MODE``; quick mode caps the epochs.
    reuse : bool
        Load the record of the same fingerprint when there is one.
    folder : pathlib.Path, optional
        Where records are read and written; by default
        :func:`records_folder`.
    evaluate_test : bool
        Evaluate the test set after training. ``False`` for a variant that
        only validation judges (an ablation step): its test accuracy is
        never computed, so it cannot leak into a choice, and the run is
        recorded under its own fingerprint.

    Returns
    -------
    tuple
        ``(model, RecipeRun)``.
    """
    recipe = get_recipe(recipe)
    settings = mode_settings(mode)
    given_or_loaded = (  # noqa: E731
        lambda: data if data is not None else load_recipe_data(recipe, settings.mode)
    )
    found = load_recorded_run(recipe, seed, settings.mode, folder) if reuse else None
    if found is not None:
        model, run = found
        print(
            f"{recipe.label}, seed {seed}: loaded the recorded run of this code "
            f"(validation {run.val_accuracy:.4f})"
        )
        # recorded as a variant, now final: test it once
        if evaluate_test and run.test_accuracy is None:
            run.test_accuracy, run.test_probabilities = _score_test(
                recipe, model, given_or_loaded()
            )
            _write_record(recipe, model, run, folder, write_model=False)
        _log_run_read(recipe, seed, settings.mode)
        return model, run
    model, run = train_recipe(
        recipe, seed, given_or_loaded(), settings.mode, evaluate_test
    )
    run.fingerprint = recipe_fingerprint(recipe, seed, settings.mode)
    _write_record(recipe, model, run, folder)
    _log_run_read(recipe, seed, settings.mode)
    return model, run


def train_recipe(
    recipe,
    seed: int,
    data: RecipeData,
    mode: Optional[str] = None,
    evaluate_test: bool = True,
):
    """Train ``recipe`` with ``seed`` on ``data`` and score the test set once; record
    nothing.

    The training half of :func:`run_recipe`, and where a run's key starts
    (:data:`TRAINING_CODE`): whatever this function reaches decides the
    trained weights and the recorded figures.

    Returns
    -------
    tuple
        ``(model, RecipeRun)``; the run's ``fingerprint`` is left empty.
    """
    import keras

    from helpers.training import train_model

    recipe = get_recipe(recipe)
    settings = mode_settings(mode)
    # drop earlier runs' traced functions and kernel caches (memory)
    keras.backend.clear_session()
    # before the batches: a tf.data shuffle draws on TensorFlow's global seed
    keras.utils.set_random_seed(seed)
    train = recipe_batches(recipe, data.x_train, data.y_train, shuffle=True, seed=seed)
    validation = recipe_batches(
        recipe, data.x_val, data.y_val, shuffle=False, batch_size=EVALUATION_BATCH_SIZE
    )
    model = build_imdb_classifier(recipe, steps_per_epoch=len(train))
    print(f"{recipe.label}, seed {seed}:")
    fit = train_model(
        model,
        train,
        validation,
        epochs=settings.epochs(recipe.epochs),
        patience=recipe.patience,
    )
    test_accuracy, test_probabilities = (
        _score_test(recipe, model, data) if evaluate_test else (None, None)
    )
    history = {k: [float(v) for v in values] for k, values in fit.history.items()}
    run = RecipeRun(
        recipe.name,
        recipe.label,
        int(seed),
        fit.best(),
        test_accuracy,
        fit.seconds_per_epoch,
        fit.seconds,
        fit.epochs_run,
        fit.best_epoch,
        int(model.count_params()),
        history,
        "",
        settings.mode,
        False,
        test_probabilities,
    )
    return model, run


def _log_run_read(recipe: Recipe, seed: int, mode: str) -> None:
    """Append the run to the file named by :data:`RUN_LOG_VARIABLE`, if it is set."""
    log = os.environ.get(RUN_LOG_VARIABLE)
    if log:
        entry = dict(recipe=dataclasses.asdict(recipe), seed=int(seed), mode=mode)
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry, default=list) + "\n")


def run_recipe_seeds(
    recipe,
    data: Optional[RecipeData] = None,
    mode: Optional[str] = None,
    folder: Optional[Path] = None,
) -> list:
    """Run ``recipe`` with every seed of :func:`recipe_seeds` and return the runs.

    Each seed goes through :func:`run_recipe` (trained, or loaded from its
    record), so a chapter that trains a model's comparison seeds leaves
    records that chapter 8 loads. Introduced in chapter 1.

    Parameters
    ----------
    recipe : Recipe or str
        The recipe (or its name).
    data : RecipeData, optional
        Already loaded data, shared by the seeds; loaded once when omitted.
    mode : {"full", "quick"}, optional
        By default ``BOOK_MODE``.
    folder : pathlib.Path, optional
        Where records are read and written, as in :func:`run_recipe`.

    Returns
    -------
    list of RecipeRun
        One run per seed, in the order of :func:`recipe_seeds`.
    """
    recipe = get_recipe(recipe)
    data = data if data is not None else load_recipe_data(recipe, mode)
    return [
        run_recipe(recipe, seed, data=data, mode=mode, folder=folder)[1]
        for seed in recipe_seeds(mode)
    ]


def _score_test(recipe: Recipe, model, data: RecipeData) -> tuple:
    probabilities = predict_probabilities(recipe, model, data.x_test)
    accuracy = float(np.mean((probabilities > 0.5) == (np.asarray(data.y_test) == 1)))
    return accuracy, [float(p) for p in probabilities]


def predict_probabilities(
    recipe, model, x, batch_size: int = EVALUATION_BATCH_SIZE
) -> np.ndarray:
    """Return P(positive) of every row of ``x``, in the order of ``x``.

    The model reads the recipe's own batches (:func:`recipe_batches`):
    length-bucketed for a bucketed recipe, whose batches come sorted by
    length; the scores are put back in the order of ``x``.

    Parameters
    ----------
    recipe : Recipe or str
        The recipe the model was trained with.
    model : keras.Model
        The trained model.
    x : numpy.ndarray or tf.SparseTensor
        Encoded reviews, as in :class:`RecipeData`.
    batch_size : int
        Reviews per batch.

    Returns
    -------
    numpy.ndarray
        ``float32`` of shape ``(len(x),)``.
    """
    recipe = get_recipe(recipe)
    n = int(x.shape[0])
    batches = recipe_batches(
        recipe, x, np.zeros(n, np.float32), shuffle=False, batch_size=batch_size
    )
    scores = np.asarray(model.predict(batches, verbose=0), dtype=np.float32).reshape(n)
    if recipe.cell != "bow" and recipe.bucketed:  # the batches were sorted by length
        from helpers.bucketing import sequence_lengths

        in_order = np.empty_like(scores)
        in_order[np.argsort(sequence_lengths(x), kind="stable")] = scores
        scores = in_order
    return scores


def _write_record(
    recipe: Recipe,
    model,
    run: RecipeRun,
    folder: Optional[Path],
    write_model: bool = True,
) -> None:
    model_path, figures_path = record_paths(recipe, run.seed, run.mode, folder)
    figures = {k: v for k, v in dataclasses.asdict(run).items() if k != "loaded"}
    from helpers.files import write_atomically, write_text_atomically

    if write_model:
        write_atomically(model_path, model.save)
    write_text_atomically(figures_path, json.dumps(figures, indent=1))


def recipe_inputs(recipe, vocabulary, texts):
    """Encode raw review texts the way ``recipe``'s model reads them.

    Texts are cleaned like the training reviews
    (:func:`helpers.data.clean_review`). A sequence recipe gets ids cut to
    ``sequence_length`` and padded as the recipe says, and a text with no
    word left reads as one unknown word (:func:`helpers.export.one_step_at_least`:
    no fully masked row reaches the recurrent layer); a ``"bow"`` recipe gets a
    sparse multi-hot matrix (an empty bag for such a text).

    Parameters
    ----------
    recipe : Recipe or str
        The recipe.
    vocabulary : sequence of str
        The vocabulary the model was trained with (:class:`RecipeData`).
    texts : sequence of str
        The reviews (a list, not one string).

    Returns
    -------
    numpy.ndarray or tf.SparseTensor
        The model's input batch.

    Raises
    ------
    ValueError
        If ``texts`` is a single string or holds a non-string.
    """
    from helpers.data import clean_review, encode_texts, text_vectorizer

    recipe = get_recipe(recipe)
    if isinstance(texts, str):
        raise ValueError(
            "texts must be a list of strings, not one string; wrap it in a list"
        )
    texts = list(texts)
    bad = [type(t).__name__ for t in texts if not isinstance(t, str)]
    if bad:
        raise ValueError(
            f"every review must be a str; got {', '.join(sorted(set(bad)))}"
        )
    if recipe.cell != "bow":
        from helpers.export import one_step_at_least

        ids = encode_texts(
            texts, vocabulary, recipe.sequence_length, recipe.padding, recipe.truncating
        )
        return one_step_at_least(ids, recipe.padding)
    import tensorflow as tf

    layer = text_vectorizer(
        vocabulary, output_mode="multi_hot", ngrams=recipe.ngrams, sparse=True
    )
    return layer(tf.constant([clean_review(t) for t in texts], dtype=tf.string))


def predict_reviews(recipe, model, vocabulary, texts) -> np.ndarray:
    """Return P(positive) of each raw review under a recipe's trained model.

    Raises
    ------
    ValueError
        As :func:`recipe_inputs`, and for a text that is empty or only
        whitespace (:func:`helpers.export.refuse_empty_reviews`).
    """
    if not isinstance(texts, str) and len(texts) == 0:
        return np.zeros(0, dtype=np.float32)
    x = recipe_inputs(recipe, vocabulary, texts)
    from helpers.export import refuse_empty_reviews

    refuse_empty_reviews(texts)
    return np.asarray(model.predict(x, verbose=0, batch_size=256)).ravel()
