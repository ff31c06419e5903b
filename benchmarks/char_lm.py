"""Train chapter 9's character LSTM for longer and record its learning curve against the n-grams.

Usage::

    IMDB_DIR=... python benchmarks/char_lm.py                    # 10,000 updates (about 10-20 min)
    IMDB_DIR=... python benchmarks/char_lm.py --updates 20000 --checkpoints 40

Chapter 9 trains its LSTM for a few minutes and finds the counting model
ahead; whether a longer run overtakes it is the question the chapter leaves
open. This script uses the chapter's full-mode data and sizes
(``helpers.language_model.language_model_sizes("full")``: the same training,
validation and test text, vocabulary, LSTM width, batches, learning rate and
clipping), fits the same Kneser-Ney n-grams, and trains the LSTM for
``--updates`` gradient steps, scoring validation ``--checkpoints`` times. The
checkpoint with the lowest validation bits is kept and scored once on the
test text, as is the n-gram order that validation picks. It writes
``benchmarks/results/char_lm.json``: the learning curve (training seconds,
updates, training and validation bits per character), the n-gram validation
bits by order, both test scores, and the run environment (the load average
says whether other processes shared the CPU; the seconds are then upper
bounds). Nothing is saved under ``artifacts/``.
"""

from __future__ import annotations

import argparse
import sys
import time

from common import ROOT, run_environment, write_result

sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    """Command line: fit the n-grams, train the LSTM, print one line per checkpoint, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--updates", type=int, default=10_000, help="gradient steps (default 10,000)"
    )
    parser.add_argument(
        "--checkpoints", type=int, default=20, help="validation points (default 20)"
    )
    args = parser.parse_args(argv)

    from helpers.runtime import start_chapter

    settings = start_chapter(9)
    import keras
    import numpy as np

    import helpers.language_model as lm
    from helpers.data import load_imdb_splits

    environment_before = run_environment()
    sizes = lm.language_model_sizes("full")
    splits = load_imdb_splits("full")
    vocab = lm.build_char_vocabulary(splits.train.texts, sizes["min_count"])
    train = lm.encode_reviews(splits.train.texts, vocab, sizes["train_chars"], seed=0)
    val = lm.encode_reviews(
        splits.validation.texts, vocab, sizes["validation_chars"], seed=1
    )
    test = lm.encode_reviews(splits.test.texts, vocab, sizes["test_chars"], seed=2)

    ngrams = lm.fit_ngram_counts(train, len(vocab), sizes["max_order"])
    by_order = [
        lm.bits_per_char(p)
        for p in lm.ngram_probabilities_by_order(
            ngrams, val[1:], sizes["max_order"], val[:1]
        )
    ]
    best_order = int(np.argmin(by_order)) + 1
    ngram_test = lm.bits_per_char(
        lm.ngram_probabilities(ngrams, test[1:], best_order, test[:1])
    )
    print("n-gram validation bits by order:", [round(b, 3) for b in by_order])

    keras.utils.set_random_seed(settings.seed)
    model = lm.build_char_lstm(len(vocab), sizes["units"], name="char_lstm")
    x_batches, y_batches = lm.tbptt_batches(train, sizes["batch_size"], sizes["window"])
    windows = lm.scoring_windows(val, 1000, 100)
    started = time.perf_counter()
    run = lm.train_language_model(
        model,
        x_batches,
        y_batches,
        args.updates,
        args.checkpoints,
        lambda: lm.bits_per_char(lm.window_probabilities(model, *windows)),
        sizes["learning_rate"],
        sizes["clipnorm"],
        label="LSTM ",
    )
    wall = time.perf_counter() - started
    lstm_test = lm.bits_per_char(lm.stream_probabilities(model, test, 1000, 100))
    print(
        f"test bits/char: {best_order}-gram {ngram_test:.3f}, LSTM (checkpoint "
        f"{run.best_index + 1}) {lstm_test:.3f}"
    )

    result = {
        "environment_before": environment_before,
        "environment_after": run_environment(),
        "sizes": sizes,
        "updates": args.updates,
        "checkpoints": args.checkpoints,
        "vocabulary_size": len(vocab),
        "lstm_parameters": int(model.count_params()),
        "ngram_validation_bits_by_order": by_order,
        "ngram_best_order": best_order,
        "ngram_test_bits": ngram_test,
        "curve": {
            "seconds": run.seconds,
            "updates": run.updates,
            "train_bits": run.train_bits,
            "validation_bits": run.val_bits,
        },
        "lstm_best_checkpoint": run.best_index + 1,
        "lstm_best_validation_bits": run.best_val_bits,
        "lstm_test_bits": lstm_test,
        "wall_seconds_with_validation": wall,
        "first_checkpoint_below_best_ngram": next(
            (i + 1 for i, b in enumerate(run.val_bits) if b < by_order[best_order - 1]),
            None,
        ),
    }
    print("wrote", write_result("char_lm", result).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
