"""Files made by the real tf.keras 2.15 and TensorFlow.js converter 4.17 (assets/fixtures/keras2 and tfjs,
made by assets/fixtures/keras2/make_fixtures.py; CI has no TensorFlow) import with Keras's own next-token
probabilities, saved beside them, to 1e-5; what lstmlm cannot compute is refused saying what to change.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py is not installed")

from lstmlm import load_model  # noqa: E402
from lstmlm.cli import main  # noqa: E402
from lstmlm.importing.certificate import model_probs  # noqa: E402
from lstmlm.importing.files import import_file  # noqa: E402
from lstmlm.importing.network import ImportModelError, lstmlm_words  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "assets" / "fixtures"
TOL = 1e-5

# (model file, Keras's probabilities on the probe): every main kind of file a tf.keras 2 user brings
MATCHES = [
    ("keras2/word_lstm.h5", "keras2/word_lstm.npz"),  # Embedding, LSTM, Dense(softmax), no Input
    ("keras2/char_lstm_last.h5", "keras2/char_lstm_last.npz"),  # one-hot input, last step only
    ("keras2/word_cudnn_lstm.h5", "keras2/word_cudnn_lstm.npz"),  # Keras 2's GPU-only layers
    ("keras2/word_cudnn_gru.h5", "keras2/word_cudnn_gru.npz"),
    ("tfjs/rnn_stacked", "tfjs/rnn_stacked.npz"),  # RNN(StackedRNNCells([LSTMCell, LSTMCell]))
    ("tfjs/rnn_lstmcell", "tfjs/rnn_lstmcell.npz"),  # RNN(LSTMCell)
    ("tfjs/word_functional", "tfjs/word_functional.npz"),  # Functional, Dense + Activation("softmax")
    ("tfjs/word_lstm_shards", "tfjs/word_lstm.npz"),  # weights across four 2 KB shards
    ("tfjs/word_lstm_uint8", "tfjs/word_lstm_uint8.npz"),  # quantized: TF.js's own dequantization
    ("tfjs/char_lstm_onehot", "tfjs/char_lstm_onehot.npz"),  # one-hot input, TimeDistributed(Dense)
]


def _vocab(model_path: str) -> Path:
    folder = FIXTURES / model_path.split("/")[0]
    return folder / ("chars.json" if Path(model_path).name.startswith("char") else "words.json")


@pytest.mark.parametrize("model_path, reference", MATCHES)
def test_real_keras2_and_tfjs_files_give_keras_probabilities(model_path, reference):
    result = import_file(FIXTURES / model_path, vocab_file=_vocab(model_path))
    saved = np.load(FIXTURES / reference)
    V = saved["probs"].shape[-1]
    tokens = json.loads(_vocab(model_path).read_text())
    assert V == len(tokens) and result.model.vocab.words[:V] == lstmlm_words(tokens)  # "\n" -> <eos>
    ours = model_probs(result.model, saved["ids"])[:, :V]  # (T, V) after each probe token, zero state
    theirs = saved["probs"].reshape(-1, V)  # (T, V), or (1, V) for LSTM(return_sequences=False)
    assert np.abs(ours[-len(theirs) :] - theirs).max() <= TOL


def test_cudnn_layers_are_read_as_lstm_and_gru():
    """CuDNNLSTM / CuDNNGRU hold per-gate blocks in cuDNN's layout: read as stored, they would not match."""
    lstm = import_file(FIXTURES / "keras2/word_cudnn_lstm.h5", vocab_file=FIXTURES / "keras2/words.json")
    gru = import_file(FIXTURES / "keras2/word_cudnn_gru.h5", vocab_file=FIXTURES / "keras2/words.json")
    assert (lstm.model.config.cell, gru.model.config.cell) == ("lstm", "gru")
    assert "CuDNNLSTM(16)" in lstm.summary["format"] and "CuDNNGRU(16)" in gru.summary["format"]


def test_rnn_around_keras_cells_reads_as_the_layers():
    """keras.layers.RNN(LSTMCell) is an LSTM layer; RNN(StackedRNNCells) is its cells as stacked layers."""
    one = import_file(FIXTURES / "tfjs/rnn_lstmcell", vocab_file=FIXTURES / "tfjs/words.json")
    two = import_file(FIXTURES / "tfjs/rnn_stacked", vocab_file=FIXTURES / "tfjs/words.json")
    assert (one.model.config.cell, one.model.config.num_layers) == ("lstm", 1)
    assert (two.model.config.cell, two.model.config.num_layers) == ("lstm", 2)
    assert "RNN(LSTMCell)(16), RNN(LSTMCell)(16)" in two.summary["format"]


def test_a_text_vectorization_layer_is_read_as_the_tokenizer_with_its_vocabulary():
    """TextVectorization as the first layer (.keras only: .h5 cannot hold it): its vocabulary comes from the
    zip, and the probe text, read by lstmlm's tokenizer, gives the layer's ids and Keras's probabilities."""
    model, reference = FIXTURES / "keras2/word_textvec.keras", FIXTURES / "keras2/word_textvec.npz"
    certificate = import_file(model, reference=reference).summary["certificate"]
    assert certificate["max_abs_diff"] <= TOL and certificate["text_checked"]
    result = import_file(model)
    assert result.summary["vocabulary"] == "stored in the checkpoint"
    assert result.model.vocab.words[:3] == ["<pad>", "<unk>", "the"]  # get_vocabulary(): "", "[UNK]", ...


def test_a_string_lookup_layer_gives_its_vocabulary_from_its_config():
    """StringLookup(vocabulary=chars) first (tf.keras 2.15's .keras zip): the vocabulary is its config's
    list after its [UNK]; the characters read by lstmlm's tokenizer give Keras's probabilities."""
    model, reference = FIXTURES / "keras2/char_lookup.keras", FIXTURES / "keras2/char_lookup.npz"
    result = import_file(model, reference=reference)
    certificate = result.summary["certificate"]
    assert certificate["max_abs_diff"] <= TOL and certificate["text_checked"]
    chars = json.loads((FIXTURES / "keras2/chars.json").read_text())
    assert result.model.vocab.words == ["<unk>", *chars[1:]] and result.tokenizer == "chars"


@pytest.mark.parametrize("vocab", ["word_index.json", "tokenizer.json"])
def test_keras_text_tokenizer_vocabularies_start_at_id_1(vocab):
    """keras.preprocessing.text.Tokenizer: word_index is {word: 1..N} (0 is the padding id, the model has N+1
    classes), and tokenizer.to_json() holds it as a JSON string; both are the vocabulary, <pad> at 0."""
    model, reference = FIXTURES / "tfjs/word_tokenizer", FIXTURES / "tfjs/word_tokenizer.npz"
    result = import_file(model, vocab_file=FIXTURES / "tfjs" / vocab, reference=reference)
    certificate = result.summary["certificate"]
    assert certificate["max_abs_diff"] <= TOL and certificate["text_checked"]
    word_index = json.loads((FIXTURES / "tfjs/word_index.json").read_text())
    assert result.model.vocab.words[: len(word_index) + 1] == ["<pad>", *word_index]


def test_uint8_weights_are_dequantized_not_the_originals():
    """The uint8 model matches TF.js's dequantized forward, and differs from the unquantized Keras model by
    the quantization (so the 1e-5 above is not the unquantized model passing by chance)."""
    result = import_file(FIXTURES / "tfjs/word_lstm_uint8", vocab_file=FIXTURES / "tfjs/words.json")
    unquantized = np.load(FIXTURES / "tfjs/word_lstm.npz")
    ours = model_probs(result.model, unquantized["ids"])[:, : unquantized["probs"].shape[-1]]
    assert np.abs(ours - unquantized["probs"]).max() > 1e-3
    assert any("uint8-quantized" in note for note in result.summary["notes"])


def test_a_mixed_precision_model_says_why_keras_differs():
    """mixed_float16: Keras computes in float16, lstmlm in float32 from the same float32 weights. At the
    default tolerance the certificate refuses and names the policy and the tolerance to use; with it, the
    difference is float16 rounding (3e-4), not a wrong reading."""
    model, words = FIXTURES / "tfjs/word_mixed", FIXTURES / "tfjs/words.json"
    reference = FIXTURES / "tfjs/word_mixed.npz"
    with pytest.raises(ImportModelError) as refused:
        import_file(model, vocab_file=words, reference=reference)
    assert "Keras's mixed_float16 dtype policy" in str(refused.value)
    assert "import again with --tolerance 1e-2" in str(refused.value)
    result = import_file(model, vocab_file=words, reference=reference, tolerance=1e-2)
    assert 1e-5 < result.summary["certificate"]["max_abs_diff"] < 2e-3
    assert any(note.startswith("dtype policy mixed_float16") for note in result.summary["notes"])


@pytest.mark.parametrize("name", ["word_lstm_ckpt.index", "word_lstm_ckpt.data-00000-of-00001"])
def test_a_tensorflow_checkpoint_is_refused_as_weights_only(name):
    """model.save_weights("name") in tf.keras 2 writes a TensorFlow checkpoint, not a Keras file."""
    with pytest.raises(ImportModelError) as refused:
        import_file(FIXTURES / "keras2" / name, vocab_file=FIXTURES / "keras2/words.json")
    said = str(refused.value)
    assert "a TensorFlow checkpoint" in said and 'model.save("model.keras")' in said


def test_a_file_inside_a_saved_model_names_the_saved_model(tmp_path):
    """tf.keras 2's model.save("dir") writes a SavedModel; a user may give one of its files."""
    (tmp_path / "variables").mkdir()
    (tmp_path / "saved_model.pb").write_bytes(b"")
    (tmp_path / "keras_metadata.pb").write_bytes(b"\x12\x00")
    index = (FIXTURES / "keras2/word_lstm_ckpt.index").read_bytes()  # a real TensorFlow table
    (tmp_path / "variables" / "variables.index").write_bytes(index)
    for inside in ("saved_model.pb", "keras_metadata.pb", "variables/variables.index"):
        with pytest.raises(ImportModelError) as refused:
            import_file(tmp_path / inside)
        assert str(refused.value).startswith(f"{tmp_path}: a TensorFlow SavedModel"), inside


def test_cli_import_with_reference_certifies_a_keras2_h5(capsys, tmp_path):
    out = tmp_path / "imported"
    folder = FIXTURES / "keras2"
    code = main(["import", str(folder / "word_lstm.h5"), "--vocab", str(folder / "words.json"),
                 "--reference", str(folder / "word_lstm.npz"), "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    certificate = load_model(out).info["import"]["certificate"]
    assert certificate["max_abs_diff"] <= TOL and certificate["text_checked"]


@pytest.mark.parametrize(
    "model_path, says",
    [
        (
            "tfjs/word_gru_reset_before",
            "reset_after=False (Keras 1 and the TF.js default) applies the reset",
        ),
        ("tfjs/word_gru_reset_before", "Retrain with reset_after=True"),
        ("tfjs/word_mask_zero", "Embedding layer 'embedding_6': mask_zero=True"),
        ("tfjs/word_mask_zero", "Build the same model with mask_zero=False, copy the weights into it"),
        ("tfjs/word_nested", "a model used as a layer; lstmlm reads one level of layers. Flatten it"),
    ],
)
def test_what_lstmlm_cannot_compute_is_refused_saying_what_to_change(model_path, says):
    with pytest.raises(ImportModelError) as refused:
        import_file(FIXTURES / model_path, vocab_file=_vocab(model_path))
    assert says in str(refused.value)
