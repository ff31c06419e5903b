"""Compare the book's IMDB classifiers: summaries over seeds, speed, where they differ.

Chapter 8 puts every recipe of :mod:`helpers.recipes` side by side. The
pieces it needs, and nothing chapter-specific, live here:

* :func:`load_shared_data` loads each distinct input (vocabulary size,
  sequence length, n-grams) once, however many recipes read it;
* :func:`summarise_runs` turns the runs of one recipe over several seeds
  into one table row (mean ± std of test accuracy, timings, which runs were
  loaded from records, the seed chosen on *validation*);
* :func:`timed_predictions` scores reviews in the recipe's own batches,
  returns the scores in the original order and measures reviews per second;
  :func:`take_rows` picks the reviews (a sample of the test set) it scores;
* :func:`word_counts`, :func:`accuracy_by_length`,
  :func:`confident_disagreements` and :func:`minimal_pair_counts` say where
  two models differ;
* :func:`markdown_table` writes a table as Markdown text (no DataFrame), to
  be glued into the book.

Keras and TensorFlow are imported inside the functions that need them.

Introduced in chapter 8 (``notebooks/08_comparison.ipynb``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from helpers.minimal_pairs import pairs_fully_right, standard_tokens
from helpers.seeds import SeedRun, best_on_validation, mean_and_std


def _data_key(recipe) -> tuple:
    """What decides a recipe's input arrays (recipes with the same key share them)."""
    if recipe.cell == "bow":
        return ("bow", recipe.max_tokens, recipe.ngrams)
    return (
        "sequence",
        recipe.max_tokens,
        recipe.sequence_length,
        recipe.padding,
        recipe.truncating,
    )


def load_shared_data(
    names: Sequence[str], mode: Optional[str] = None, loader: Optional[Callable] = None
) -> dict:
    """Load the data of several recipes, each distinct input only once.

    The gated recipes read the same vocabulary and sequence length; loading
    their arrays once instead of once per recipe saves time and (in full
    mode) several hundred megabytes.

    Parameters
    ----------
    names : sequence of str
        Recipe names (keys of :data:`helpers.recipes.RECIPES`).
    mode : {"full", "quick"}, optional
        By default ``BOOK_MODE``.
    loader : callable, optional
        ``loader(recipe, mode)`` returning a ``RecipeData``; by default
        :func:`helpers.recipes.load_recipe_data`.

    Returns
    -------
    dict
        Recipe name to its ``RecipeData``; recipes with the same input share
        one object.

    Raises
    ------
    ValueError
        If ``names`` is empty or names a recipe twice.
    KeyError
        If a name is not a recipe (the message lists the known ones).
    """
    from helpers.recipes import get_recipe, load_recipe_data

    names = list(names)
    if not names:
        raise ValueError("no recipes given; pass names from helpers.recipes.RECIPES")
    if len(set(names)) != len(names):
        raise ValueError(f"a recipe is named twice in {names}; name each recipe once")
    loader = loader or load_recipe_data
    loaded, data = {}, {}
    for name in names:
        recipe = get_recipe(name)
        key = _data_key(recipe)
        if key not in loaded:
            loaded[key] = loader(recipe, mode)
        data[name] = loaded[key]
    return data


@dataclass(frozen=True)
class ModelSummary:
    """One model's row of the comparison: its runs over several seeds.

    Attributes
    ----------
    name, label : str
        The recipe.
    seeds : tuple of int
        The seeds of the runs, in the order given.
    test_mean, test_std : float
        Mean and sample standard deviation of the test accuracy over seeds.
    parameters : int
        Weights of the model (the same for every seed).
    train_seconds, seconds_per_epoch : float
        Mean over seeds of the fit's wall time and of its time per epoch.
    loaded : int
        How many of the runs were read from a record instead of trained now.
    best_seed : int
        The seed with the highest *validation* accuracy (first on ties).
    """

    name: str
    label: str
    seeds: tuple
    test_mean: float
    test_std: float
    parameters: int
    train_seconds: float
    seconds_per_epoch: float
    loaded: int
    best_seed: int

    @property
    def trained(self) -> int:
        """How many of the runs were trained in this run."""
        return len(self.seeds) - self.loaded


def summarise_runs(runs: Sequence) -> ModelSummary:
    """Summarise one recipe's runs (``helpers.recipes.RecipeRun``) over seeds.

    The seed kept for later use is chosen on validation accuracy
    (:func:`helpers.seeds.best_on_validation`); test accuracy is only
    averaged, never used to choose.

    Parameters
    ----------
    runs : sequence of RecipeRun
        At least two runs of the same recipe, with different seeds.

    Returns
    -------
    ModelSummary
        The row.

    Raises
    ------
    ValueError
        If fewer than two runs are given, they come from different recipes,
        repeat a seed, or disagree on the parameter count.
    """
    runs = list(runs)
    if len(runs) < 2:
        raise ValueError(
            "need the runs of at least two seeds for a mean and "
            f"a spread, got {len(runs)}"
        )
    names = {run.name for run in runs}
    if len(names) != 1:
        raise ValueError(
            f"runs of different recipes {sorted(names)}; summarise one recipe at a time"
        )
    seeds = tuple(int(run.seed) for run in runs)
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seed repeated in {seeds}; pass one run per seed")
    parameters = {int(run.parameters) for run in runs}
    if len(parameters) != 1:
        raise ValueError(
            f"parameter counts differ between seeds ({sorted(parameters)}); "
            "the runs are not of the same model"
        )
    test_mean, test_std = mean_and_std(run.test_accuracy for run in runs)
    best = best_on_validation(
        [
            SeedRun(
                run.seed,
                run.val_accuracy,
                run.test_accuracy,
                run.seconds_per_epoch,
                run.best_epoch,
            )
            for run in runs
        ]
    )
    return ModelSummary(
        name=runs[0].name,
        label=runs[0].label,
        seeds=seeds,
        test_mean=test_mean,
        test_std=test_std,
        parameters=parameters.pop(),
        train_seconds=float(np.mean([run.train_seconds for run in runs])),
        seconds_per_epoch=float(np.mean([run.seconds_per_epoch for run in runs])),
        loaded=sum(bool(run.loaded) for run in runs),
        best_seed=int(best.seed),
    )


def _rows(x) -> int:
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) != 2:
        raise ValueError(
            f"x must be a 2-D batch of inputs (reviews, features), got shape {shape}"
        )
    return int(shape[0])


def take_rows(x, rows):
    """Return the rows ``rows`` of an encoded batch, in that order.

    Parameters
    ----------
    x : numpy.ndarray or tf.SparseTensor
        Encoded reviews (token ids, or a sparse bag of words).
    rows : array_like of int
        Distinct row indices.

    Returns
    -------
    numpy.ndarray or tf.SparseTensor
        The same kind of batch as ``x``, with ``len(rows)`` rows.
    """
    rows = np.asarray(rows, dtype=np.int64)
    # a tf.SparseTensor (bag of words)
    if hasattr(x, "indices") and hasattr(x, "dense_shape"):
        import tensorflow as tf

        indices = x.indices.numpy()
        keep = np.isin(indices[:, 0], rows)
        new_row = np.full(_rows(x), -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        kept = indices[keep]
        kept[:, 0] = new_row[kept[:, 0]]
        return tf.sparse.reorder(
            tf.SparseTensor(kept, x.values.numpy()[keep], [len(rows), int(x.shape[1])])
        )
    return np.asarray(x)[rows]


def timed_predictions(recipe, model, x, batch_size: Optional[int] = None) -> tuple:
    """Score inputs in the recipe's own batches; return scores and reviews per second.

    The scores come from :func:`helpers.recipes.predict_probabilities`
    (length-bucketed batches for bucketed recipes, as in training, with the
    scores put back in the order of ``x``). A few batches are scored first,
    so that the prediction function is built for every batch shape; the
    timed pass then scores every review once (text preprocessing is not
    included: ``x`` is already encoded).

    Parameters
    ----------
    recipe, model, x, batch_size
        As in :func:`helpers.recipes.predict_probabilities`.

    Returns
    -------
    tuple
        ``(probabilities, reviews_per_second)``: P(positive) of each row of
        ``x`` in its order (float32, shape ``(n,)``) and the throughput of
        the timed pass.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty 2-D batch or ``batch_size`` is not a
        positive integer.
    """
    from helpers.recipes import EVALUATION_BATCH_SIZE, get_recipe, predict_probabilities

    recipe = get_recipe(recipe)
    batch_size = EVALUATION_BATCH_SIZE if batch_size is None else batch_size
    n = _rows(x)
    if n == 0:
        raise ValueError("x holds no reviews; pass at least one encoded review")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    # Warm-up on two full batches and a one-review batch: the prediction function
    # is traced for every batch shape it will meet, so the timed pass never traces.
    predict_probabilities(
        recipe,
        model,
        take_rows(x, np.arange(min(n, 2 * int(batch_size) + 1))),
        batch_size,
    )
    started = time.perf_counter()
    scores = predict_probabilities(recipe, model, x, batch_size)
    return scores, float(n / (time.perf_counter() - started))


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """Count the words of each review after the standard cleaning.

    Lower case, punctuation removed, split on whitespace
    (:func:`helpers.minimal_pairs.standard_tokens`): what a
    ``TextVectorization`` layer counts as tokens, before any cut to
    ``sequence_length``.

    Parameters
    ----------
    texts : sequence of str
        The reviews (a list, not one string).

    Returns
    -------
    numpy.ndarray
        ``int64`` of shape ``(len(texts),)``.

    Raises
    ------
    ValueError
        If ``texts`` is a single string.
    """
    if isinstance(texts, str):
        raise ValueError(
            "texts must be a list of reviews, not one string; wrap it in a list"
        )
    return np.asarray([len(standard_tokens(text)) for text in texts], dtype=np.int64)


def _check_same_length(**arrays) -> list:
    values = [np.asarray(a).ravel() for a in arrays.values()]
    sizes = {name: len(v) for name, v in zip(arrays, values)}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"one value per review is needed in each; got sizes {sizes}")
    return values


def accuracy_by_length(
    counts, labels, probabilities, edges: Sequence[float], threshold: float = 0.5
) -> list:
    """Accuracy of a model in review-length buckets.

    Bucket ``i`` holds the reviews with ``edges[i] < count <= edges[i + 1]``.

    Parameters
    ----------
    counts : array_like of int
        Length of each review (:func:`word_counts`).
    labels : array_like of int
        0/1 labels.
    probabilities : array_like of float
        P(positive); above ``threshold`` means "positive".
    edges : sequence of float
        Strictly increasing bucket edges, at least two; the last may be
        ``math.inf``.
    threshold : float
        The decision threshold.

    Returns
    -------
    list of tuple
        ``(label, n_reviews, accuracy)`` per bucket, e.g. ``("101-200", 812,
        0.87)``; ``accuracy`` is NaN for an empty bucket. Reviews outside
        the edges are left out.

    Raises
    ------
    ValueError
        If the arrays differ in length or the edges are not strictly
        increasing.
    """
    counts, labels, probabilities = _check_same_length(
        counts=counts, labels=labels, probabilities=probabilities
    )
    edges = np.asarray(edges, dtype=np.float64)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(
            "edges must be at least two strictly increasing "
            f"numbers, got {edges.tolist()}"
        )
    correct = (probabilities > threshold) == (labels == 1)
    buckets = []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (counts > low) & (counts <= high)
        label = f"> {low:g}" if math.isinf(high) else f"{low + 1:g}-{high:g}"
        n = int(inside.sum())
        buckets.append((label, n, float(correct[inside].mean()) if n else float("nan")))
    return buckets


def confident_disagreements(first, second, threshold: float = 0.5) -> np.ndarray:
    """Indices of the reviews two models classify differently, most confident first.

    Parameters
    ----------
    first, second : array_like of float
        P(positive) of the same reviews under two models.
    threshold : float
        The decision threshold of both.

    Returns
    -------
    numpy.ndarray
        ``int64`` indices where one model says "positive" and the other
        does not, ordered by ``|first - second|`` from largest to smallest
        (ties keep the reviews' order).

    Raises
    ------
    ValueError
        If the two arrays differ in length.
    """
    first, second = _check_same_length(first=first, second=second)
    disagree = np.flatnonzero((first > threshold) != (second > threshold))
    gap = np.abs(first[disagree] - second[disagree])
    return disagree[np.argsort(-gap, kind="stable")].astype(np.int64)


def minimal_pair_counts(
    positive_scores, negative_scores, threshold: float = 0.5
) -> tuple:
    """Count the minimal pairs fully right and the single reviews right.

    Parameters
    ----------
    positive_scores, negative_scores : sequence of float
        P(positive) of the positive and of the negative review of each pair
        (:data:`helpers.minimal_pairs.MINIMAL_PAIRS`).
    threshold : float
        A score above it means "positive".

    Returns
    -------
    tuple of int
        ``(pairs_fully_right, reviews_right)``, out of ``n`` and ``2 n``.

    Raises
    ------
    ValueError
        If the two sequences differ in length.
    """
    pairs = pairs_fully_right(positive_scores, negative_scores, threshold)
    reviews = int(
        np.sum(np.asarray(positive_scores) > threshold)
        + np.sum(np.asarray(negative_scores) <= threshold)
    )
    return int(sum(pairs)), reviews


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence], align: Optional[str] = None
) -> str:
    """Write a table as Markdown (GitHub/MyST pipe-table) text.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : sequence of sequences
        The cells, already formatted (anything is converted with ``str``);
        a ``|`` in a cell is escaped.
    align : str, optional
        One letter per column, ``"l"``, ``"r"`` or ``"c"``; by default the
        first column left and the others right.

    Returns
    -------
    str
        The table, one line per row, ending without a newline.

    Raises
    ------
    ValueError
        If there are no columns or no rows, a row has the wrong number of
        cells, or ``align`` is malformed.
    """
    header = [str(h) for h in header]
    rows = [[str(cell).replace("|", "\\|") for cell in row] for row in rows]
    if not header or not rows:
        raise ValueError("a table needs at least one column and one row")
    bad = [i for i, row in enumerate(rows) if len(row) != len(header)]
    if bad:
        raise ValueError(f"rows {bad} do not have {len(header)} cells like the header")
    align = align or "l" + "r" * (len(header) - 1)
    if len(align) != len(header) or set(align) - set("lrc"):
        raise ValueError(
            f"align must be one of l, r, c per column ({len(header)}), got {align!r}"
        )
    rule = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(rule[a] for a in align) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
