"""The several-GPU recipe of book/scaling.md, run on two logical CPU devices.

``tf.distribute.MirroredStrategy`` is exercised as the page shows it: the
recipe's batches, the model built in the strategy's scope, ``train_model``.
Two logical devices of the one CPU stand in for two GPUs, so this checks
that the code path works (two replicas, gradients averaged, a finite loss),
not its speed. It runs in a fresh process, because logical devices must be
configured before TensorFlow first touches the CPU.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json
import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from helpers.recipes import Recipe, RecipeData, build_imdb_classifier, recipe_batches
from helpers.training import train_model

rng = np.random.default_rng(0)
x = np.zeros((64, 12), np.int32)
for row, length in enumerate(rng.integers(1, 13, size=64)):
    x[row, :length] = rng.integers(2, 30, size=length)
y = (x[:, 0] % 2).astype(np.int64)
data = RecipeData(x, y, x[:16], y[:16], x[16:32], y[16:32], [""] * 30)

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
replicas = strategy.num_replicas_in_sync
recipe = Recipe("tiny_lstm", "LSTM", 5, "lstm", max_tokens=30, sequence_length=12,
                embedding_dim=4, units=3, pooling=("mean", "max", "last"), batch_size=8, epochs=1)
recipe = recipe.replace(batch_size=recipe.batch_size * replicas)   # same batch per device
train = recipe_batches(recipe, data.x_train, data.y_train, shuffle=True, seed=1)
validation = recipe_batches(recipe, data.x_val, data.y_val, shuffle=False, batch_size=16)
with strategy.scope():
    model = build_imdb_classifier(recipe, steps_per_epoch=len(train))
fit = train_model(model, train, validation, epochs=recipe.epochs, patience=recipe.patience)
weights = model.get_layer("output").kernel.value
print(json.dumps(dict(replicas=replicas, batches=len(train), loss=fit.history["loss"][-1],
                      mirrored=type(weights).__name__)))
"""


def test_mirrored_strategy_trains_a_recipe_on_two_devices():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nMirroredStrategy on two logical CPUs: {result}")
    assert result["replicas"] == 2
    assert result["batches"] == 4 and np_isfinite(result["loss"])
    assert result["mirrored"] == "MirroredVariable", (
        result
    )  # one copy of each weight per device


def np_isfinite(value) -> bool:
    return value == value and abs(value) != float("inf")
