"""Bring your own model: other frameworks' recurrent language models -> a model directory, exactly.

Every reader turns its file into one `Network`: the input (an embedding, or one-hot: none), the recurrent
layers' weights in PyTorch's layout and gate order, and the output layer. `network_to_model` makes that a
`LanguageModel` whose next-token probabilities are the original network's.

    format (detected from the file)             reader              vocabulary
    PyTorch state dict (.pt / .pth)             importing_torch     inside the checkpoint dict, --vocab, or
      recipe, course char-RNNs, d2l models                          --data (the recipe's corpus folder)
    Keras 3 `.keras` (zip: config.json +        importing_keras     --vocab or --chars-from (Keras files
      model.weights.h5), Keras 2 `.h5`                              hold no vocabulary)
    TensorFlow.js model.json + .bin shards      importing_keras     --vocab or --chars-from

    Any of them: else a token list file beside the model file (VOCAB_FILE_NAMES: vocab.json, chars.json,
    idx_to_token.json, ...), used when exactly one list of the right length is found there.

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

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from lstmlm.model import CELLS, LanguageModel, ModelConfig
from lstmlm.tokenizers import TOKENIZERS, get_tokenizer
from lstmlm.vocab import EOS, UNK, Vocab

RECIPE = "pytorch/examples word_language_model"
# A vocabulary without <unk> gets one more token so that any text can be typed: its embedding row is zero
# and its output bias this low, so exp(bias - max logit) underflows to 0 and every other probability is kept.
UNK_BIAS = -1e4
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Tokens that stand for something other than their characters in a character vocabulary.
_SPECIAL = re.compile(r"<[^<>\s]{1,12}>|\[[A-Z]{1,12}\]")


class ImportModelError(ValueError):
    """A file that cannot be imported exactly; the message says which file and why (no escape codes)."""

    def __init__(self, message: str):
        super().__init__(_ESCAPES.sub("", message))


@dataclass
class Network:
    """A recurrent language model read from another framework, in PyTorch's layout and gate order.

    `layers[l]` holds (weight_ih (gH, in), weight_hh (gH, H), bias_ih (gH,), bias_hh (gH,)) with g = 4 for
    the LSTM (gates i, f, g, o), 3 for the GRU (r, z, n), 1 for a plain RNN: nn.LSTM's own tensors.
    """

    cell: str  # lstm | gru | rnn_tanh | rnn_relu
    embedding: torch.Tensor | None  # (V, E); None: the first layer reads one-hot vectors (in = V)
    layers: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]
    decoder_weight: torch.Tensor  # (V, H)
    decoder_bias: torch.Tensor  # (V,)
    source: str  # what was read, e.g. "Keras 3 .keras: Embedding, LSTM, Dense(softmax)"
    tokens: list[str] | None = None  # the vocabulary, when the file holds it
    notes: list[str] = field(default_factory=list)  # settings read and found not to matter


@dataclass
class Imported:
    """An imported model (eval mode, `.vocab` set), its summary for config.json, and its tokenizer."""

    model: LanguageModel
    summary: dict
    tokenizer: str  # wikitext | whitespace | chars


def network_to_model(net: Network, tokens: list[str], tied: bool | None = None) -> LanguageModel:
    """A LanguageModel with the network's weights and `tokens` as its vocabulary (`<unk>` added if absent).

    `tokens[i]` is the token of input row / output class i; a line break "\\n" becomes `<eos>`.
    Raises ImportModelError for shapes that do not make one nn.LSTM / nn.GRU / nn.RNN model.
    """
    if net.cell not in CELLS:
        raise ImportModelError(f"a {net.cell} network: this lstmlm has no such cell (it has {sorted(CELLS)})")
    V, H = net.decoder_weight.shape
    first_in = net.layers[0][0].shape[1]
    if net.embedding is None:
        if first_in != V:
            raise ImportModelError(
                f"the first recurrent layer reads {first_in} inputs but the output layer has {V} classes: "
                "a one-hot input must cover the same vocabulary as the output"
            )
        embedding = torch.eye(V)  # one-hot x -> W_ih x is column x of W_ih: an identity embedding
    else:
        embedding = net.embedding
        if embedding.shape != (V, first_in):
            raise ImportModelError(
                f"the embedding is {tuple(embedding.shape)} but the output layer has {V} classes and the "
                f"first recurrent layer reads {first_in} inputs: the input and output vocabularies differ"
            )
    sizes = [w_hh.shape[1] for _, w_hh, _, _ in net.layers]
    if len(set(sizes)) > 1:
        raise ImportModelError(
            f"recurrent layers of different sizes {sizes}: lstmlm's stacked layers all have the same number "
            "of units (one nn.LSTM / nn.GRU / nn.RNN)"
        )
    if sizes[0] != H:
        raise ImportModelError(
            f"the output layer reads {H} values but the last recurrent layer has {sizes[0]}"
        )
    if len(tokens) != V:
        raise ImportModelError(
            f"the vocabulary has {len(tokens):,} tokens but the model has {V:,} output classes: give the "
            "token list it was trained with (--vocab FILE, or --chars-from TEXT)"
        )
    words = lstmlm_words(tokens)
    same = net.embedding is not None and torch.equal(embedding, net.decoder_weight)
    if tied and not same:
        raise ImportModelError("--tied: the output weights differ from the embedding, so they were not tied")
    tensors = {"embedding.weight": embedding, "decoder.weight": net.decoder_weight}
    tensors["decoder.bias"] = net.decoder_bias
    for n, layer in enumerate(net.layers):
        for name, t in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), layer, strict=True):
            tensors[f"rnn.{name}_l{n}"] = t
    if UNK not in words:
        words, tensors = [*words, UNK], _with_unk(tensors, same)
    try:
        config = ModelConfig(
            vocab_size=len(words),
            cell=net.cell,
            embed_dim=embedding.shape[1],
            hidden_dim=H,
            num_layers=len(net.layers),
            dropout=0.0,  # training only
            tie_weights=same,
            softmax="full",
        )
        model = LanguageModel(config)
        model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)
    except (ValueError, RuntimeError) as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        raise ImportModelError(f"the tensors do not make one model of these sizes: {lines[-1]}") from None
    model.vocab = Vocab(words)
    return model.eval()


def _with_unk(tensors: dict[str, torch.Tensor], tied: bool) -> dict[str, torch.Tensor]:
    """One more vocabulary row for <unk>: a zero embedding that the output layer never predicts."""
    out = dict(tensors)
    emb = tensors["embedding.weight"]
    out["embedding.weight"] = torch.cat([emb, emb.new_zeros(1, emb.size(1))])
    if tied:
        out["decoder.weight"] = out["embedding.weight"]
    else:
        dec = tensors["decoder.weight"]
        out["decoder.weight"] = torch.cat([dec, dec.new_zeros(1, dec.size(1))])
    bias = tensors["decoder.bias"]
    out["decoder.bias"] = torch.cat([bias, bias.new_full((1,), UNK_BIAS)])
    return out


def lstmlm_words(tokens: list[str]) -> list[str]:
    """Another framework's token list in lstmlm's conventions: "\\n" -> `<eos>`, "[UNK]" -> `<unk>`, the
    empty padding token "" -> `<pad>`. Raises ImportModelError for tokens a vocab.txt cannot hold."""
    present = set(tokens)
    renames = {"\n": EOS, "": "<pad>"}
    if UNK not in present:
        renames["[UNK]"] = UNK
    words = []
    for t in tokens:
        if not isinstance(t, str):
            raise ImportModelError(f"the vocabulary holds {t!r}, not a string")
        w = renames.get(t, t)
        if w != t and w in present:
            raise ImportModelError(f"the vocabulary holds both {t!r} and {w!r}, which lstmlm reads alike")
        if "\n" in w or "\r" in w:
            raise ImportModelError(
                f"the vocabulary holds {w!r}: a token with a line break inside is not supported"
            )
        words.append(w)
    seen: dict[str, int] = {}
    for i, w in enumerate(words):
        if w in seen:
            raise ImportModelError(f"the vocabulary holds {w!r} twice (ids {seen[w]} and {i})")
        seen[w] = i
    return words


def guess_tokenizer(tokens: list[str]) -> str:
    """`chars` when every token is one character (or a special such as `<unk>`), else `whitespace`."""
    if tokens and all(len(t) == 1 or _SPECIAL.fullmatch(t) or t == "" for t in tokens):
        return "chars"
    return "whitespace"


# ---------------------------------------------------------------------------------------------------------
# Vocabularies that are not inside the model file
# ---------------------------------------------------------------------------------------------------------


def read_token_list(path: str | os.PathLike) -> list[str]:
    """A token list file: JSON (a list; {token: id}; {id: token}; or an object holding one such list) or
    text (one token per line). Raises ImportModelError when it is neither."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ImportModelError(f"{path}: unreadable ({e})") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ImportModelError(f"{path}: not valid JSON ({e})") from None
        tokens = tokens_from_object(data)
        if tokens is None:
            raise ImportModelError(
                f"{path}: expected a list of tokens, a {{token: id}} or {{id: token}} object, or an object "
                "holding one of these"
            )
        return tokens
    # one token per line; keep spaces (a character vocabulary holds " "), drop only the final newline
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def tokens_from_object(data, size: int | None = None) -> list[str] | None:
    """A token list read from a loaded JSON value or checkpoint entry (None if it holds none of `size`)."""
    found = _as_token_list(data)
    if found is not None and (size is None or len(found) == size):
        return found
    if isinstance(data, dict):
        for key in _VOCAB_KEYS:  # a dict of several entries: look at the usual names first
            found = _as_token_list(data.get(key))
            if found is not None and (size is None or len(found) == size):
                return found
        for value in data.values():
            found = _as_token_list(value)
            if found is not None and (size is None or len(found) == size):
                return found
    return None


_VOCAB_KEYS = (
    "tokens", "chars", "characters", "vocab", "vocabulary", "itos", "idx_to_token", "idx2char", "int2char",
    "index_to_char", "idx2word", "words", "char2idx", "char2int", "stoi", "token_to_idx", "word2idx",
)  # fmt: skip


def _as_token_list(value) -> list[str] | None:
    """A list/tuple of strings, {token: id 0..V-1} or {id: token} (ids as ints or digit strings), by id."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(t, str) for t in value):
        return list(value)
    if not isinstance(value, dict) or not value:
        return None
    if all(isinstance(k, str) for k in value) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        pairs = {v: k for k, v in value.items()}
    elif all(isinstance(v, str) for v in value.values()) and all(
        (isinstance(k, int) and not isinstance(k, bool)) or (isinstance(k, str) and k.isdigit())
        for k in value
    ):
        pairs = {int(k): v for k, v in value.items()}
    else:
        return None
    if sorted(pairs) != list(range(len(value))):
        return None
    return [pairs[i] for i in range(len(value))]


def chars_of_text(path: str | os.PathLike) -> list[str]:
    """`sorted(set(text))`: the character list of the Keras and TensorFlow text-generation examples."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline=None) as f:  # text mode: "\r\n" reads as "\n", as theirs
            return sorted(set(f.read()))
    except (OSError, UnicodeDecodeError) as e:
        raise ImportModelError(f"{path}: unreadable ({e})") from None


def recipe_words(folder: str | os.PathLike) -> list[str]:
    """The recipe's vocabulary: first appearance in train.txt, valid.txt, test.txt; `<eos>` ends each line."""
    folder = Path(folder)
    words: dict[str, None] = {}  # insertion-ordered set
    for split in ("train.txt", "valid.txt", "test.txt"):
        path = folder / split
        if not path.is_file():
            raise ImportModelError(f"{path}: missing (the recipe's vocabulary is read from {split})")
        try:
            with open(path, encoding="utf-8") as f:  # text mode, as the recipe reads it
                for line in f:
                    words.update(dict.fromkeys(line.split()))
                    words[EOS] = None
        except (OSError, UnicodeDecodeError) as e:
            raise ImportModelError(f"{path}: unreadable ({e})") from None
    return list(words)


# The files course code saves its token list in, looked for beside a model file that holds none (and in a
# TF.js model's folder): Udacity's tokens / char2int / int2char, d2l's idx_to_token / token_to_idx, the Keras
# example's char_indices / indices_char, TensorFlow's tutorial char2idx / idx2char, torchtext's itos / stoi,
# the PyTorch examples' idx2word / word2idx, and plain vocab / chars lists; also <model stem>_vocab.* and
# <model stem>.vocab.*. JSON: a list, {token: id} or {id: token}; .txt: one token per line.
VOCAB_FILE_NAMES = (
    "vocab.json", "vocab.txt", "vocabulary.json", "vocabulary.txt", "tokens.json", "tokens.txt",
    "chars.json", "chars.txt", "characters.json", "characters.txt", "char2idx.json", "idx2char.json",
    "char_indices.json", "indices_char.json", "char2int.json", "int2char.json", "itos.json", "stoi.json",
    "idx_to_token.json", "token_to_idx.json", "idx2word.json", "word2idx.json",
)  # fmt: skip


def vocab_files_beside(path: str | os.PathLike) -> list[Path]:
    """The files of VOCAB_FILE_NAMES (and <stem>_vocab.json / .txt, <stem>.vocab.json / .txt) that exist
    beside the model file `path`, or inside it when it is a TF.js folder."""
    path = Path(path)
    folder, stem = (path, None) if path.is_dir() else (path.parent, path.stem)
    names = list(VOCAB_FILE_NAMES)
    if stem:
        names += [f"{stem}{sep}vocab.{ext}" for sep in ("_", ".") for ext in ("json", "txt")]
    return [folder / n for n in names if (folder / n).is_file()]


def find_vocab_beside(path: str | os.PathLike, size: int) -> tuple[list[str], str]:
    """The token list of `size` tokens saved beside the model file, and a note saying which file it was.

    Files that disagree with each other, or none of `size` tokens, raise ImportModelError naming the files
    and the option to give (--vocab FILE).
    """
    found: dict[Path, list[str]] = {}
    other: list[str] = []
    for candidate in vocab_files_beside(path):
        try:
            tokens = read_token_list(candidate)
        except ImportModelError as e:
            other.append(f"{candidate.name} (unreadable: {e})")
            continue
        if len(tokens) == size:
            found[candidate] = tokens
        else:
            other.append(f"{candidate.name} ({len(tokens):,} tokens)")
    lists = {tuple(t) for t in found.values()}
    if len(lists) > 1:
        raise ImportModelError(
            f"{path}: the files beside the model hold different token lists of {size:,} tokens "
            f"({', '.join(p.name for p in found)}): choose the one it was trained with, --vocab FILE"
        )
    if not found:
        looked = f"; beside it: {', '.join(other)}, not {size:,} tokens" if other else ""
        raise ImportModelError(
            f"{path}: the file holds no vocabulary ({size:,} output classes) and none was found beside it "
            f"(looked for {', '.join(VOCAB_FILE_NAMES[:4])} and {len(VOCAB_FILE_NAMES) - 4} more names)"
            f"{looked}: give the token list it was trained with, --vocab FILE (JSON list or one token per "
            "line) or --chars-from TEXT "
            "(its sorted characters, as the Keras and TensorFlow text-generation examples build it)"
        )
    first, *same = found
    also = f" (the same list as {', '.join(p.name for p in same)})" if same else ""
    return found[first], f"{first} (found beside the model{also}; token i is class i)"


# ---------------------------------------------------------------------------------------------------------
# Which format, and the whole import
# ---------------------------------------------------------------------------------------------------------

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def detect_format(path: str | os.PathLike) -> str:
    """ "keras" (.keras zip), "keras-h5" (HDF5), "tfjs" (model.json or its folder) or "torch", from the
    file's bytes, not its name. Raises ImportModelError for a missing path or a TensorFlow SavedModel."""
    path = Path(path)
    if path.is_dir():
        if (path / "model.json").is_file():
            return "tfjs"
        if (path / "saved_model.pb").is_file():
            raise ImportModelError(
                f"{path}: a TensorFlow SavedModel, which holds TensorFlow programs that lstmlm does not run: "
                'save the Keras model as model.save("model.keras") and import that file'
            )
        raise ImportModelError(f"{path}: a folder without model.json (TF.js); give the model file itself")
    if not path.is_file():
        raise ImportModelError(f"{path}: no such file")
    with open(path, "rb") as f:
        head = f.read(8)
    if head == HDF5_MAGIC:
        return "keras-h5"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as e:
            raise ImportModelError(f"{path}: a damaged zip file ({e})") from None
        if "config.json" in names and "model.weights.h5" in names:
            return "keras"
        return "torch"  # torch.save's zip format (archive/data.pkl)
    if head.lstrip()[:1] == b"{":
        return "tfjs"
    return "torch"


def import_file(
    path: str | os.PathLike,
    *,
    vocab_file: str | os.PathLike | None = None,
    chars_from: str | os.PathLike | None = None,
    corpus_dir: str | os.PathLike | None = None,
    cell: str | None = None,
    tied: bool | None = None,
    tokenizer: str | None = None,
    reference: str | os.PathLike | None = None,
    tolerance: float | None = None,
) -> Imported:
    """Read any supported file (see the module docstring), convert it exactly, and summarize the import.

    The vocabulary comes from, in order: `vocab_file`, `chars_from` (sorted set of a text's characters),
    `corpus_dir` (the PyTorch recipe's corpus folder), the checkpoint itself, a token list file beside the
    model (`VOCAB_FILE_NAMES`). `cell` says what a plain RNN's nonlinearity was (rnn_tanh / rnn_relu: its
    weights do not tell) and checks other cells; `tied` checks that the output layer shares the embedding;
    `tokenizer` overrides the guess (chars when every token is one character, else whitespace).
    `reference`: an .npz of the original framework's own outputs on a probe (lstmlm.importing.certificate);
    the summary then holds "certificate" (max_abs_diff, reference, probe_tokens, ...), and a difference over
    `tolerance` (default 1e-4) raises CertificateError (an ImportModelError). Raises ImportModelError with the
    reason for anything else.
    """
    from lstmlm.importing.certificate import TOLERANCE, certify
    from lstmlm.importing.keras import read_keras_h5, read_keras_zip, read_tfjs
    from lstmlm.importing.pytorch import network_from_torch_file

    path = Path(path)
    kind = detect_format(path)
    if kind == "torch":
        net = network_from_torch_file(path, cell)
    else:
        net = {"keras": read_keras_zip, "keras-h5": read_keras_h5, "tfjs": read_tfjs}[kind](path)
        if cell is not None and cell != net.cell:
            raise ImportModelError(f"--cell {cell}: the file holds a {net.cell}")
    V = net.decoder_weight.shape[0]
    given = [s for s in (vocab_file, chars_from, corpus_dir) if s is not None]
    if len(given) > 1:
        raise ImportModelError("give one vocabulary: --vocab, --chars-from or --data")
    if vocab_file is not None:
        tokens, vocabulary = read_token_list(vocab_file), f"{vocab_file} (token i is class i)"
    elif chars_from is not None:
        tokens, vocabulary = chars_of_text(chars_from), f"sorted(set(text)) of {chars_from}"
    elif corpus_dir is not None:
        tokens = recipe_words(corpus_dir)
        vocabulary = "first appearance in train.txt, valid.txt, test.txt (the recipe's order)"
        if len(tokens) != V:
            raise ImportModelError(
                f"the model's embedding has {V:,} rows but the corpus gives {len(tokens):,} words: import it "
                "with the corpus folder it was trained on (its train.txt, valid.txt and test.txt, unchanged)"
            )
        tokenizer = tokenizer or "whitespace"  # the recipe splits lines on whitespace
    elif net.tokens is not None:
        tokens, vocabulary = net.tokens, "stored in the checkpoint"
    else:
        tokens, vocabulary = find_vocab_beside(path, V)
    if tokenizer is not None and tokenizer not in TOKENIZERS:
        raise ImportModelError(f"--tokenizer {tokenizer}: choose one of {', '.join(TOKENIZERS)}")
    model = network_to_model(net, list(tokens), tied)
    tokenizer = tokenizer or guess_tokenizer(list(tokens))
    model.vocab.tokenizer = model.tokenizer = get_tokenizer(tokenizer)  # save_model records it in config.json
    summary = {
        "imported": True,
        "imported_from": str(path),
        "sha256": _digest(path),
        "format": net.source,
        "vocabulary": vocabulary,
        "added_unk": UNK not in lstmlm_words(list(tokens)),
        "one_hot_input": net.embedding is None,
        "tokenizer": tokenizer,
    }
    if corpus_dir is not None:
        summary |= {"recipe": RECIPE, "data": str(corpus_dir)}
    if net.notes:
        summary["notes"] = net.notes
    if reference is not None:
        summary["certificate"] = certify(model, reference, V, TOLERANCE if tolerance is None else tolerance)
    return Imported(model=model, summary=summary, tokenizer=tokenizer)


def out_problem(out: str | os.PathLike, force: bool = False) -> str | None:
    """Why `out` cannot receive an imported model (a model there without `force`, a file in the way), or
    None."""
    from lstmlm.checkpoint import CONFIG

    out = Path(out)
    if (out / CONFIG).exists() and not force:
        return f"--out {out} already holds a model; choose another folder or add --force to replace it"
    existing = next((p for p in (out, *out.parents) if p.exists()), None)  # the nearest that exists
    if existing is not None and not existing.is_dir():
        return f"--out {out}: {existing} is a file, not a folder"
    return None


def save_imported(
    result: Imported, out: str | os.PathLike, *, force: bool = False, command: str | None = None
) -> Path:
    """Write an import as a model directory whose config.json holds "import": the summary (and its
    certificate); return the directory.

    Nothing is left half-written: the model is saved into a hidden folder beside `out`, read back and
    compared with the imported one, and only then becomes `out` (a rename; over an existing folder, the
    atomic save of lstmlm.checkpoint). On any error the folders this call created are removed and a model
    already in `out` is untouched. Raises ImportModelError when `out` holds a model and not `force`, or
    cannot be written.
    """
    import shutil

    from lstmlm.checkpoint import CheckpointError, load_model, save_model

    out = Path(out)
    if problem := out_problem(out, force):
        raise ImportModelError(problem)
    summary = dict(result.summary) | ({"command": command} if command else {})
    created = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    stage = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = out.parent / f".{out.name}.importing-{os.getpid()}-{os.urandom(4).hex()}"
        model = result.model
        save_model(stage, model, model.vocab, {"imported": True}, sections={"import": summary})
        loaded = load_model(stage)
        same = loaded.vocab.words == model.vocab.words and all(
            torch.equal(a, b)
            for a, b in zip(loaded.state_dict().values(), model.state_dict().values(), strict=True)
        )
        if not same:
            raise ImportModelError(f"the model written to {stage} does not read back as imported")
        if out.is_dir():  # an existing folder (--force, or empty): lstmlm's atomic save into it
            save_model(out, loaded, loaded.vocab, {"imported": True}, sections={"import": summary})
        else:
            os.rename(stage, out)
            created = []  # out is now the finished model
    except OSError as e:
        raise ImportModelError(f"cannot write the model to {out}: {e.strerror or e}") from None
    except CheckpointError as e:
        raise ImportModelError(f"the imported model does not read back: {e}") from None
    finally:
        if stage is not None and stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
        for folder in created:  # folders made for a model that was not written, deepest first
            if not folder.exists():
                continue
            try:
                folder.rmdir()
            except OSError:
                break
    return out


def _digest(path: Path) -> str:
    """sha256 of a file, or of a TF.js folder's model.json."""
    target = path / "model.json" if path.is_dir() else path
    h = hashlib.sha256()
    with open(target, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_recipe(
    state_dict_path: str | os.PathLike,
    corpus_dir: str | os.PathLike,
    cell: str | None = None,
    tied: bool | None = None,
) -> tuple[LanguageModel, dict]:
    """The PyTorch examples recipe: a state dict and its corpus folder; returns the model and its summary."""
    result = import_file(state_dict_path, corpus_dir=corpus_dir, cell=cell, tied=tied)
    return result.model, result.summary
