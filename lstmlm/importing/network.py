"""The common form every reader produces (`Network`: PyTorch's layout and gate order) and the exact
conversion of it into a `LanguageModel`, with the vocabulary in lstmlm's conventions; the import's error."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import torch

from lstmlm.messages import Message
from lstmlm.model import CELLS, LanguageModel, ModelConfig
from lstmlm.vocab import EOS, UNK, Vocab

# A vocabulary without <unk> gets one more token so that any text can be typed: its embedding row is zero
# and its output bias this low, so exp(bias - max logit) underflows to 0 and every other probability is kept.
UNK_BIAS = -1e4
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Tokens that stand for something other than their characters in a character vocabulary.
_SPECIAL = re.compile(r"<[^<>\s]{1,12}>|\[[A-Z]{1,12}\]")


class ImportModelError(ValueError):
    """A file that cannot be imported exactly; the message says which file and why (no escape codes).

    Raised with a `Message` (key "import.*", the file's path as its `path` value) so that an app can say it
    in its language and show only the file's name; terminal escape codes in its text values (a file name, a
    quoted error) are removed and the Message is kept. Plain text is accepted too (stripped the same way)."""

    def __init__(self, message: str):
        super().__init__(_clean(message))


def _clean(message: str) -> str:
    """`message` without terminal escape codes, still a Message (with cleaned values) when it was one."""
    if isinstance(message, Message):
        values = {
            name: _clean(v) if isinstance(v, str) else v for name, v in message.values.items()
        }  # a nested Message stays one
        cleaned = Message(message.key, message.template, **values)
        if not _ESCAPES.search(cleaned):
            return cleaned
    return _ESCAPES.sub("", message)


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
    precision: str | None = None  # a Keras dtype policy computing below float32 (mixed_float16, ...), or None


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
        raise ImportModelError(
            Message(
                "import.no_cell",
                "a {cell} network: this lstmlm has no such cell (it has {cells})",
                cell=net.cell,
                cells=sorted(CELLS),
            )
        )
    V, H = net.decoder_weight.shape
    first_in = net.layers[0][0].shape[1]
    if net.embedding is None:
        if first_in != V:
            raise ImportModelError(
                Message(
                    "import.one_hot_size",
                    "the first recurrent layer reads {inputs} inputs but the output layer has {classes} "
                    "classes: a one-hot input must cover the same vocabulary as the output",
                    inputs=first_in,
                    classes=V,
                )
            )
        embedding = torch.eye(V)  # one-hot x -> W_ih x is column x of W_ih: an identity embedding
    else:
        embedding = net.embedding
        if embedding.shape != (V, first_in):
            raise ImportModelError(
                Message(
                    "import.embedding_size",
                    "the embedding is {shape} but the output layer has {classes} classes and the first "
                    "recurrent layer reads {inputs} inputs: the input and output vocabularies differ",
                    shape=tuple(embedding.shape),
                    classes=V,
                    inputs=first_in,
                )
            )
    sizes = [w_hh.shape[1] for _, w_hh, _, _ in net.layers]
    if len(set(sizes)) > 1:
        raise ImportModelError(
            Message(
                "import.layer_sizes",
                "recurrent layers of different sizes {sizes}: lstmlm's stacked layers all have the same "
                "number of units (one nn.LSTM / nn.GRU / nn.RNN)",
                sizes=sizes,
            )
        )
    if sizes[0] != H:
        raise ImportModelError(
            Message(
                "import.output_reads",
                "the output layer reads {reads} values but the last recurrent layer has {units}",
                reads=H,
                units=sizes[0],
            )
        )
    if len(tokens) != V:
        if tokens and tokens[0] == "" and len(tokens) > V:  # ids from 1: a Keras Tokenizer's word_index
            raise ImportModelError(
                Message(
                    "import.vocab_size_num_words",
                    "the vocabulary has {tokens:,} tokens but the model has {classes:,} output classes. A "
                    "Keras Tokenizer(num_words={classes}) reads only the ids below {classes}: give the file "
                    "of tokenizer.to_json(), which says so, as --vocab",
                    tokens=len(tokens),
                    classes=V,
                )
            )
        raise ImportModelError(
            Message(
                "import.vocab_size",
                "the vocabulary has {tokens:,} tokens but the model has {classes:,} output classes: give the "
                "token list it was trained with (--vocab FILE, or --chars-from TEXT)",
                tokens=len(tokens),
                classes=V,
            )
        )
    words = lstmlm_words(tokens)
    same = net.embedding is not None and torch.equal(embedding, net.decoder_weight)
    if tied and not same:
        raise ImportModelError(
            Message(
                "import.not_tied",
                "--tied: the output weights differ from the embedding, so they were not tied",
            )
        )
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
        raise ImportModelError(
            Message(
                "import.tensors",
                "the tensors do not make one model of these sizes: {error}",
                error=lines[-1],  # PyTorch's reason (English)
            )
        ) from None
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
            raise ImportModelError(
                Message("import.token_type", "the vocabulary holds {token!r}, not a string", token=t)
            )
        w = renames.get(t, t)
        if w != t and w in present:
            raise ImportModelError(
                Message(
                    "import.token_alike",
                    "the vocabulary holds both {token!r} and {same!r}, which lstmlm reads alike",
                    token=t,
                    same=w,
                )
            )
        if "\n" in w or "\r" in w:
            raise ImportModelError(
                Message(
                    "import.token_break",
                    "the vocabulary holds {token!r}: a token with a line break inside is not supported",
                    token=w,
                )
            )
        words.append(w)
    seen: dict[str, int] = {}
    for i, w in enumerate(words):
        if w in seen:
            raise ImportModelError(
                Message(
                    "import.token_twice",
                    "the vocabulary holds {token!r} twice (ids {first} and {second})",
                    token=w,
                    first=seen[w],
                    second=i,
                )
            )
        seen[w] = i
    return words


def guess_tokenizer(tokens: list[str]) -> str:
    """`chars` when every token is one character (or a special such as `<unk>`), else `whitespace`."""
    if tokens and all(len(t) == 1 or _SPECIAL.fullmatch(t) or t == "" for t in tokens):
        return "chars"
    return "whitespace"


def is_safetensors(head: bytes) -> bool:
    """Whether a file's first 9 bytes start a safetensors file: 8 (its header's length), then its JSON."""
    return head[8:9] == b"{"


def not_a_model_file(path: str | os.PathLike) -> Message:
    """The refusal of a file in none of the formats read (a vocabulary, a text, a damaged download, ...)."""
    return Message(
        "import.not_a_model",
        "{path}: not a model file that lstmlm reads (a Keras .keras or .h5 file, a TF.js model.json, a "
        "PyTorch state dict saved by torch.save or safetensors); give the model file itself (a token list "
        "goes in --vocab, a text in --chars-from)",
        path=str(path),
    )
