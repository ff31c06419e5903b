"""Tests for helpers/models.py: shapes, parameter counts, names, masking, errors."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.models import RECURRENT_LAYERS, build_sequence_classifier  # noqa: E402

VOCAB, D, N = 50, 6, 4


def _small(**options):
    keras.utils.set_random_seed(0)
    options = dict(dict(vocab_size=VOCAB, embedding_dim=D, units=N), **options)
    return build_sequence_classifier(**options)


@pytest.mark.parametrize("layer", sorted(RECURRENT_LAYERS))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_shape_is_one_probability_per_sequence(layer, bidirectional):
    model = _small(layer=layer, bidirectional=bidirectional)
    ids = np.random.default_rng(0).integers(1, VOCAB, size=(3, 7)).astype("int32")
    probabilities = model.predict(ids, verbose=0)
    assert probabilities.shape == (3, 1)
    assert np.all((probabilities > 0) & (probabilities < 1))


def test_simple_rnn_parameter_count_is_n_times_n_plus_d_plus_n():
    model = _small()
    assert model.get_layer("rnn").count_params() == N * (N + D) + N
    assert model.get_layer("embedding").count_params() == VOCAB * D
    assert model.get_layer("output").count_params() == N + 1
    assert model.count_params() == VOCAB * D + N * (N + D) + N + N + 1


def test_bidirectional_doubles_the_recurrent_parameters_and_the_output_input():
    model = _small(bidirectional=True)
    assert model.get_layer("bidirectional_rnn").count_params() == 2 * (N * (N + D) + N)
    assert model.get_layer("output").count_params() == 2 * N + 1


def test_names_and_compilation():
    model = _small(layer="gru", name="my_gru")
    assert model.name == "my_gru"
    assert [layer.name for layer in model.layers] == [
        "token_ids",
        "embedding",
        "rnn",
        "output",
    ]
    assert isinstance(model.get_layer("rnn"), keras.layers.GRU)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    assert model.loss == "binary_crossentropy"
    assert _small().name == "simple_rnn_classifier"
    assert _small(layer="lstm", bidirectional=True).name == "bi_lstm_classifier"
    assert _small(learning_rate=0.01).optimizer.learning_rate.numpy() == pytest.approx(
        0.01
    )


def _final_state(model, ids):
    """The recurrent layer's output (the last state) for ``ids``."""
    probe = keras.Model(model.input, model.get_layer("rnn").output)
    return probe.predict(ids, verbose=0)


@pytest.mark.parametrize("layer", sorted(RECURRENT_LAYERS))
def test_masking_keeps_the_final_state_of_a_post_padded_sequence(layer):
    masked = _small(layer=layer, mask_zero=True)
    unmasked = _small(layer=layer, mask_zero=False)
    unmasked.set_weights(masked.get_weights())
    tokens = np.array([[5, 9, 17, 3, 22]], dtype="int32")
    post_padded = np.concatenate([tokens, np.zeros((1, 6), "int32")], axis=1)

    true_state = _final_state(masked, tokens)
    np.testing.assert_allclose(
        _final_state(masked, post_padded), true_state, rtol=1e-5, atol=1e-6
    )
    # Without the mask, the six padding steps change the state.
    difference = np.abs(_final_state(unmasked, post_padded) - true_state).max()
    assert difference > 1e-3


def test_unknown_layer_raises_value_error_naming_the_choices():
    with pytest.raises(ValueError, match="'simple_rnn', 'lstm', 'gru'"):
        build_sequence_classifier(layer="transformer")
