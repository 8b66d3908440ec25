"""Bring your own model: other frameworks' recurrent language models -> a model directory, exactly.

Every reader turns its file into one `Network`: the input (an embedding, or one-hot: none), the recurrent
layers' weights in PyTorch's layout and gate order, and the output layer. `network_to_model` makes that a
`LanguageModel` whose next-token probabilities are the original network's.

    format (detected from the file)             reader              vocabulary
    PyTorch state dict (.pt / .pth)             pytorch             inside the checkpoint dict, --vocab, or
      recipe, course char-RNNs, d2l models                          --data (the recipe's corpus folder)
    Keras 3 `.keras` (zip: config.json +        keras               --vocab or --chars-from (Keras files
      model.weights.h5), Keras 2 `.h5`                              hold no vocabulary)
    TensorFlow.js model.json + .bin shards      keras               --vocab or --chars-from

    Any of them: else a token list file beside the model file (VOCAB_FILE_NAMES: vocab.json, chars.json,
    idx_to_token.json, ...), used when exactly one list of the right length is found there.

The modules: `network` (Network, network_to_model, the error), `vocabulary` (token lists outside the
model file), `formats` (detect_format: which format a file is), `files` (import_file, save_imported), one
reader per framework (`pytorch`, with `pytorch_layout`: a state dict's layers; `keras`, with
`keras_layers`, `keras_chain` and `keras_cells`: the layer walk, the chain of layers, a recurrent layer's
equations) and `certificate` (with `reference`: the reference file read); the names below are importable
from `lstmlm.importing` itself.

`import_file` reads and converts (and, given a reference .npz of the original framework's own outputs,
certifies: lstmlm.importing.certificate); `save_imported` writes the model directory, config.json's "import"
holding what was read and the certificate, with nothing half-written on failure.

Nothing from a file is ever run: PyTorch files are read with `torch.load(weights_only=True)` (tensors and
plain containers only), Keras and TF.js files as JSON and HDF5 (h5py, the `lstm-playground[import]` extra);
no TensorFlow or Keras is imported. What cannot be represented exactly by nn.LSTM / nn.GRU / nn.RNN is
refused with a message naming the feature (bidirectional, projections, hard_sigmoid gates, ...).

One-hot input (no embedding layer, common in course char-RNNs): the first layer reads a one-hot vector, so
W_ih x picks column x of W_ih. The imported model gets an identity embedding (V x V): the same product.

Wrapping any other `nn.LSTM` language model (embedding -> nn.LSTM -> linear layer) by hand:

    from lstmlm import LanguageModel, ModelConfig, Vocab, save_model

    config = ModelConfig(vocab_size=len(words), embed_dim=E, hidden_dim=H, num_layers=L,
                         dropout=0.0, tie_weights=False, softmax="full")
    model = LanguageModel(config)
    model.embedding.load_state_dict(my_embedding.state_dict())  # weight (V, E)
    model.rnn.load_state_dict(my_lstm.state_dict())  # weight_ih_l0 (4H, E), ...: gate order i, f, g, o
    model.decoder.load_state_dict(my_linear.state_dict())  # weight (V, H), bias (V,)
    model.vocab = Vocab(words)  # word i is row i
    save_model("runs/mine", model.eval(), model.vocab, {"imported_from": "my model"})
"""

from lstmlm.importing.files import (
    RECIPE,
    import_file,
    import_recipe,
    out_problem,
    save_imported,
)
from lstmlm.importing.formats import HDF5_MAGIC, detect_format
from lstmlm.importing.network import (
    UNK_BIAS,
    Imported,
    ImportModelError,
    Network,
    guess_tokenizer,
    lstmlm_words,
    network_to_model,
)
from lstmlm.importing.vocabulary import (
    VOCAB_FILE_NAMES,
    chars_of_text,
    find_vocab_beside,
    read_token_list,
    recipe_words,
    tokens_from_object,
    vocab_files_beside,
)

__all__ = [
    "HDF5_MAGIC",
    "RECIPE",
    "UNK_BIAS",
    "VOCAB_FILE_NAMES",
    "ImportModelError",
    "Imported",
    "Network",
    "chars_of_text",
    "detect_format",
    "find_vocab_beside",
    "guess_tokenizer",
    "import_file",
    "import_recipe",
    "lstmlm_words",
    "network_to_model",
    "out_problem",
    "read_token_list",
    "recipe_words",
    "save_imported",
    "tokens_from_object",
    "vocab_files_beside",
]
