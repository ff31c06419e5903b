"""How the book's LSTM training step scales with sequence length and batch size (CPU).

Usage::

    python benchmarks/scaling.py              # about 1 min on 2 idle cores
    python benchmarks/scaling.py --repeats 3  # faster, noisier

The model is the book's LSTM recipe (``helpers.recipes.build_imdb_classifier
("lstm")``), fed random token ids (no padding, no data set needed). One
*training step* is one ``train_on_batch`` call: forward pass, gradients and
an Adam update. For each shape the first calls (graph tracing) are discarded,
then ``--repeats`` timings of ``--steps`` steps each are taken and their
median per step is kept.

* sequence length 50 ... 800 tokens at batch 128;
* batch size 16 ... 512 at length 200.

Writes ``benchmarks/results/scaling.json``, the figure ``book/figures/scaling.svg``
and the tables ``book/_generated/scaling_table.md`` and
``book/_generated/scaling_summary.md`` that ``book/scaling.md`` includes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import ROOT, run_environment, write_result

LENGTHS = (50, 100, 200, 400, 800)
BATCHES = (16, 32, 64, 128, 256, 512)
FIXED_BATCH, FIXED_LENGTH = 128, 200
FIGURE = ROOT / "book" / "figures" / "scaling.svg"
GENERATED = ROOT / "book" / "_generated"


def time_steps(
    model, batch: int, length: int, repeats: int, steps: int, warmup: int, rng
) -> dict:
    """Median seconds per training step of ``model`` on one input shape."""
    import numpy as np

    vocabulary = model.get_layer("embedding").input_dim
    x = rng.integers(2, vocabulary, size=(batch, length), dtype=np.int32)
    y = rng.integers(0, 2, size=(batch,)).astype(np.float32)
    for _ in range(warmup):
        model.train_on_batch(x, y)
    per_step = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(x, y)
        per_step.append((time.perf_counter() - started) / steps)
    median = statistics.median(per_step)
    return dict(
        batch=batch,
        length=length,
        seconds_per_step=median,
        repeats_seconds=per_step,
        examples_per_second=batch / median,
        tokens_per_second=batch * length / median,
    )


def _slope(rows: list, key: str) -> float:
    """Log-log slope of seconds per step against ``key`` (chapter 3's
    ``fit_growth``).
    """
    from helpers.bptt import fit_growth

    return fit_growth(
        [r[key] for r in rows], [r["seconds_per_step"] for r in rows]
    ).exponent


def plot(result: dict) -> None:
    """The two log-log panels, with a slope-1 guide (time proportional to the size)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from helpers.plots import model_color

    plt.rcParams["svg.hashsalt"] = "scaling"  # the same figure gives the same file
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    panels = [
        (
            "by_length",
            "length",
            "sequence length (tokens)",
            f"batch {result['fixed_batch']}",
        ),
        (
            "by_batch",
            "batch",
            "batch size (reviews)",
            f"length {result['fixed_length']} tokens",
        ),
    ]
    for ax, (series, key, xlabel, fixed) in zip(axes, panels):
        rows = result[series]
        xs = [r[key] for r in rows]
        ys = [r["seconds_per_step"] * 1000 for r in rows]
        ax.loglog(
            xs,
            ys,
            "o-",
            color=model_color("LSTM"),
            label=f"book LSTM, measured ({fixed})",
        )
        guide = [ys[0] * x / xs[0] for x in xs]
        ax.loglog(xs, guide, "--", color="#7f7f7f", label="time ∝ size (slope 1)")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("time per training step (ms)")
        ax.set_title(f"Step time against {xlabel.split(' (')[0]}")
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.minorticks_off()
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.legend()
    fig.suptitle(
        "Book LSTM training step on "
        f"{result['environment']['machine']['usable_cores']} CPU cores "
        f"(median of {result['repeats']})"
    )
    fig.tight_layout()
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, metadata={"Date": None})
    plt.close(fig)


def markdown_tables(result: dict) -> tuple:
    """The table and the summary sentences of ``book/scaling.md`` (generated, never
    typed).
    """

    def table(rows, key, header):
        lines = [
            f"| {header} | ms per step | reviews per second | tokens per second |",
            "|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r[key]} | {r['seconds_per_step'] * 1000:.1f} | "
            f"{r['examples_per_second']:,.0f} | {r['tokens_per_second']:,.0f} |"
            for r in rows
        ]
        return lines

    env = result["environment"]
    by_length, by_batch = result["by_length"], result["by_batch"]
    lines = [f"Batch {result['fixed_batch']}, lengths varied:", ""] + table(
        by_length, "length", "length (tokens)"
    )
    lines += ["", f"Length {result['fixed_length']} tokens, batch sizes varied:", ""]
    lines += table(by_batch, "batch", "batch size")
    lines += [
        "",
        f"Measured {env['date'][:10]} on {env['machine']['usable_cores']} cores "
        f"({env['machine']['cpu']}), TensorFlow {env['versions']['tensorflow']}, "
        f"Keras {env['versions']['keras']}; median of {result['repeats']} timings of "
        f"{result['steps']} steps each; load average before the run "
        f"{env['machine']['load_average_1_5_15_min'][0]:.2f}.",
        "",
    ]
    first_l, last_l = by_length[0], by_length[-1]
    first_b, last_b = by_batch[0], by_batch[-1]
    summary = [
        f"- From {first_l['length']} to {last_l['length']} tokens "
        f"({last_l['length'] / first_l['length']:.0f}× longer) a step takes "
        f"{last_l['seconds_per_step'] / first_l['seconds_per_step']:.1f}× longer; "
        f"the fitted log-log slope is {result['slope_length']:.2f} (1 would "
        "be exactly proportional).",
        f"- From batch {first_b['batch']} to {last_b['batch']} "
        f"({last_b['batch'] / first_b['batch']:.0f}× larger) a step takes "
        f"{last_b['seconds_per_step'] / first_b['seconds_per_step']:.1f}× longer "
        f"(slope {result['slope_batch']:.2f}), so the time per review falls to "
        f"{first_b['examples_per_second'] / last_b['examples_per_second']:.2f} of its "
        f"batch-{first_b['batch']} value: {first_b['examples_per_second']:,.0f} "
        f"reviews per second at batch {first_b['batch']}, "
        f"{last_b['examples_per_second']:,.0f} at batch {last_b['batch']}.",
        "",
    ]
    return "\n".join(lines), "\n".join(summary)


def main(argv=None) -> int:
    """Command line: time the shapes, print them, write JSON, figure and tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=7, help="timings per shape (the median is kept)"
    )
    parser.add_argument(
        "--steps", type=int, default=3, help="training steps per timing"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="discarded steps per shape (tracing)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if min(args.repeats, args.steps) < 1 or args.warmup < 1:
        parser.error("--repeats, --steps and --warmup must be at least 1")
    import numpy as np

    from helpers.config import set_global_seed
    from helpers.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    set_global_seed(args.seed)
    from helpers.recipes import build_imdb_classifier

    environment = run_environment()
    started = time.perf_counter()
    model = build_imdb_classifier("lstm")
    rng = np.random.default_rng(args.seed)
    shapes = [("by_length", FIXED_BATCH, length) for length in LENGTHS]
    shapes += [("by_batch", batch, FIXED_LENGTH) for batch in BATCHES]
    result = dict(
        model="helpers.recipes.build_imdb_classifier('lstm')",
        parameters=int(model.count_params()),
        fixed_batch=FIXED_BATCH,
        fixed_length=FIXED_LENGTH,
        repeats=args.repeats,
        steps=args.steps,
        warmup=args.warmup,
        environment=environment,
        by_length=[],
        by_batch=[],
    )
    for series, batch, length in shapes:
        row = time_steps(
            model, batch, length, args.repeats, args.steps, args.warmup, rng
        )
        result[series].append(row)
        print(
            f"batch {batch:>4}  length {length:>4}  "
            f"{row['seconds_per_step'] * 1000:8.1f} ms per step  "
            f"{row['examples_per_second']:8,.0f} reviews/s",
            flush=True,
        )
    result["slope_length"] = _slope(result["by_length"], "length")
    result["slope_batch"] = _slope(result["by_batch"], "batch")
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    result["load_average_after"] = run_environment()["machine"][
        "load_average_1_5_15_min"
    ]
    print(
        f"log-log slope: {result['slope_length']:.2f} against length, "
        f"{result['slope_batch']:.2f} against batch size; "
        f"{result['wall_seconds']:.0f} s in all"
    )
    path = write_result("scaling", result)
    plot(result)
    table, summary = markdown_tables(result)
    GENERATED.mkdir(parents=True, exist_ok=True)
    (GENERATED / "scaling_table.md").write_text(table, encoding="utf-8")
    (GENERATED / "scaling_summary.md").write_text(summary, encoding="utf-8")
    for written in (
        path,
        FIGURE,
        GENERATED / "scaling_table.md",
        GENERATED / "scaling_summary.md",
    ):
        print(f"wrote {written.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
