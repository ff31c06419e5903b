"""Tests for helpers/gradients.py: gradient norms through time."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.gradients import (  # noqa: E402
    gradient_norms_through_time,
    input_jacobian_norms,
    jacobian_norms_by_distance,
    per_batch_losses,
    random_orthogonal,
    rnn_input_jacobian_norms,
    saturation_factor,
    train_logging_gradient_norms,
)
from helpers.scratch import rnn_forward  # noqa: E402


def test_random_orthogonal():
    q = random_orthogonal(12, seed=3)
    np.testing.assert_allclose(q.T @ q, np.eye(12), atol=1e-12)
    np.testing.assert_array_equal(q, random_orthogonal(12, seed=3))
    assert not np.allclose(q, random_orthogonal(12, seed=4))
    with pytest.raises(ValueError):
        random_orthogonal(0)


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.1, 1.5])
def test_linear_rnn_norm_is_rho_to_the_distance(rho):
    u = rho * random_orthogonal(16, seed=0)
    norms = jacobian_norms_by_distance(u, 40)
    np.testing.assert_allclose(norms, rho ** np.arange(41), rtol=1e-10, atol=0)


def test_non_orthogonal_matrix_is_not_rho_to_the_distance():
    """The test above can fail: a non-normal U does not give rho**k."""
    u = np.triu(np.ones((8, 8))) * 0.5
    norms = jacobian_norms_by_distance(u, 5)
    assert not np.allclose(norms, 0.5 ** np.arange(6))


def test_tanh_product_matches_explicit_jacobians_and_bound():
    rng = np.random.default_rng(0)
    u = 1.2 * random_orthogonal(6, seed=1)
    x = rng.standard_normal((1, 8, 3))
    w = rng.standard_normal((3, 6))
    h = rnn_forward(x, w, u, np.zeros(6))[0]
    norms = jacobian_norms_by_distance(u, 8, hidden_states=h)
    # explicit product for distance 3: J_T J_{T-1} J_{T-2}, J_k = diag(1 - h_k^2) U^T
    jac = [np.diag(1 - h[k] ** 2) @ u.T for k in range(8)]
    np.testing.assert_allclose(
        norms[3], np.linalg.norm(jac[7] @ jac[6] @ jac[5], 2), rtol=1e-12
    )
    assert np.all(norms <= np.linalg.norm(u, 2) ** np.arange(9) + 1e-12)


def test_jacobian_norms_bad_arguments():
    with pytest.raises(ValueError):
        jacobian_norms_by_distance(np.ones((2, 3)), 3)
    with pytest.raises(ValueError):
        jacobian_norms_by_distance(np.eye(2), -1)
    with pytest.raises(ValueError):
        jacobian_norms_by_distance(np.eye(2), 5, hidden_states=np.zeros((3, 2)))


def test_keras_linear_rnn_input_jacobian_equals_theory():
    n, horizon, rho = 8, 12, 1.3
    u = rho * random_orthogonal(n, seed=2)
    layer = keras.layers.SimpleRNN(
        n, activation="linear", use_bias=False, name="linear_rnn_test"
    )
    x = np.random.default_rng(0).standard_normal((3, horizon + 1, n)).astype("float32")
    layer.build(x.shape)
    layer.set_weights([np.eye(n, dtype="float32"), u.astype("float32")])
    norms = input_jacobian_norms(layer, x, chunk_size=2)
    assert norms.shape == (3, horizon + 1)
    np.testing.assert_allclose(
        norms, np.broadcast_to(rho ** np.arange(horizon + 1), norms.shape), rtol=1e-4
    )


def test_input_jacobian_norms_equal_batch_jacobian_for_an_lstm():
    import tensorflow as tf

    keras.utils.set_random_seed(3)
    layer = keras.layers.LSTM(5, name="lstm_jacobian_test")
    x = np.random.default_rng(1).standard_normal((3, 7, 4)).astype("float32")
    norms = input_jacobian_norms(layer, x, chunk_size=2)  # chunks of 2 and 1 sequences
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        h_last = layer(xt)
    blocks = np.transpose(tape.batch_jacobian(h_last, xt).numpy(), (0, 2, 1, 3)).astype(
        np.float64
    )
    for ord_ in (2, "fro"):
        expected = np.linalg.matrix_norm(blocks, ord=ord_)[:, ::-1]
        np.testing.assert_allclose(
            input_jacobian_norms(layer, x, ord=ord_), expected, rtol=1e-5, atol=1e-7
        )
    np.testing.assert_allclose(
        norms, np.linalg.matrix_norm(blocks, ord=2)[:, ::-1], rtol=1e-5, atol=1e-7
    )


def test_input_jacobian_rejects_sequences_output():
    layer = keras.layers.SimpleRNN(4, return_sequences=True, name="seq_rnn_test")
    with pytest.raises(ValueError):
        input_jacobian_norms(layer, np.zeros((1, 5, 3), "float32"))
    with pytest.raises(ValueError):
        input_jacobian_norms(layer, np.zeros((5, 3), "float32"))


def _small_model():
    from helpers.models import build_sequence_classifier

    keras.utils.set_random_seed(0)
    return build_sequence_classifier(
        "simple_rnn", vocab_size=50, embedding_dim=4, units=5, name="tiny_rnn"
    )


def test_gradient_norms_through_time_shape_and_last_token():
    model = _small_model()
    ids = np.random.default_rng(0).integers(1, 50, size=(5, 30))
    norms = gradient_norms_through_time(model, ids, chunk_size=2)
    assert norms.shape == (5, 30) and (norms >= 0).all()
    # distance 0 is the last token: dh_T/dx_T = diag(1 - h_T^2) W^T, computed by hand
    w, _, _ = model.get_layer("rnn").get_weights()
    embedded = np.asarray(model.get_layer("embedding")(ids))
    h_last = np.asarray(model.get_layer("rnn")(embedded))
    expected = [np.linalg.norm(np.diag(1 - h**2) @ w.T, 2) for h in h_last]
    np.testing.assert_allclose(norms[:, 0], expected, rtol=1e-4)


def test_gradient_norms_reject_padding():
    model = _small_model()
    ids = np.ones((2, 10), dtype=np.int32)
    ids[0, -1] = 0
    with pytest.raises(ValueError, match="padding"):
        gradient_norms_through_time(model, ids)


def test_per_batch_losses_inverts_running_means():
    losses = np.array([1.0, 3.0, 2.0, 0.5, 0.25, 0.75])
    means = np.concatenate(
        [
            np.cumsum(losses[:3]) / np.arange(1, 4),
            np.cumsum(losses[3:]) / np.arange(1, 4),
        ]
    )
    np.testing.assert_allclose(per_batch_losses(means, 3), losses)
    with pytest.raises(ValueError):
        per_batch_losses(means, 4)
    with pytest.raises(ValueError):
        per_batch_losses(means, 0)


def test_numpy_input_jacobian_equals_gradient_tape():
    keras.utils.set_random_seed(1)
    layer = keras.layers.SimpleRNN(6, name="tanh_rnn_test")
    x = np.random.default_rng(1).standard_normal((3, 15, 4)).astype("float32")
    layer.build(x.shape)
    w, u, b = layer.get_weights()
    layer.set_weights([w, 1.3 * u, 0.1 * np.ones_like(b)])
    tape_norms = input_jacobian_norms(layer, x)
    numpy_norms = rnn_input_jacobian_norms(x, *layer.get_weights())
    assert numpy_norms.shape == (3, 15)
    np.testing.assert_allclose(numpy_norms, tape_norms, rtol=1e-4, atol=1e-7)
    fro = rnn_input_jacobian_norms(x, *layer.get_weights(), ord="fro")
    assert (fro >= numpy_norms - 1e-12).all()


def test_gradient_norms_through_time_lstm_uses_tape():
    from helpers.models import build_sequence_classifier

    keras.utils.set_random_seed(0)
    model = build_sequence_classifier(
        "lstm", vocab_size=30, embedding_dim=3, units=4, name="tiny_lstm"
    )
    norms = gradient_norms_through_time(
        model, np.random.default_rng(0).integers(1, 30, size=(2, 7))
    )
    assert norms.shape == (2, 7) and np.isfinite(norms).all() and (norms > 0).all()


def test_saturation_factor_values_and_errors():
    assert saturation_factor(np.zeros((2, 3, 4))) == 1.0
    assert saturation_factor(np.array([0.0, 1.0, -1.0, 0.5])) == pytest.approx(
        (1 + 0 + 0 + 0.75) / 4
    )
    with pytest.raises(ValueError, match="empty"):
        saturation_factor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="tanh"):
        saturation_factor(np.array([1.5]))


def _tiny_classifier(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid", name="out")],
        name="tiny",
    )
    return model


def test_train_logging_gradient_norms_logs_every_step_before_clipping():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    logs = {}
    for clip in (None, 1e-3):
        model = _tiny_classifier()
        weights = [w.copy() for w in model.get_weights()]
        optimizer = keras.optimizers.SGD(learning_rate=0.5, global_clipnorm=clip)
        logs[clip] = train_logging_gradient_norms(model, x, y, optimizer, 2, 16, seed=1)
        moved = np.linalg.norm(model.get_weights()[0] - weights[0])
        if clip:
            assert moved <= 2 * 2 * 0.5 * clip + 1e-6  # 4 steps of length <= lr * clip
    for log in logs.values():
        assert log["loss"].shape == log["gradient_norm"].shape == (4,)  # 2 x (40 // 16)
    # the first step sees the same weights and batch, so the same unclipped norm
    assert logs[None]["gradient_norm"][0] == pytest.approx(
        logs[1e-3]["gradient_norm"][0]
    )
    assert logs[1e-3]["gradient_norm"][0] > 1e-3  # logged before clipping
    # the first gradient equals a direct GradientTape computation
    import tensorflow as tf

    model = _tiny_classifier()
    batch = np.random.default_rng(1).permutation(40)[:16]
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y[batch, None], model(x[batch]))
    grads = tape.gradient(loss, model.trainable_variables)
    assert logs[None]["loss"][0] == pytest.approx(float(loss), rel=1e-5)
    assert logs[None]["gradient_norm"][0] == pytest.approx(
        float(tf.linalg.global_norm(grads)), rel=1e-5
    )


def test_train_logging_gradient_norms_rejects_bad_arguments():
    model = _tiny_classifier()
    x, y = np.zeros((8, 3), "float32"), np.zeros(8)
    optimizer = keras.optimizers.SGD(0.1)
    with pytest.raises(ValueError, match="examples"):
        train_logging_gradient_norms(model, x, y[:5], optimizer, 1, 4)
    with pytest.raises(ValueError, match="epochs"):
        train_logging_gradient_norms(model, x, y, optimizer, 0, 4)
    with pytest.raises(ValueError, match="exceeds"):
        train_logging_gradient_norms(model, x, y, optimizer, 1, 9)
