"""Vocabularies that are not inside the model file: token list files (JSON or one token per line), the
token lists in checkpoint entries, a text's characters, the recipe's corpus, and the files beside a model."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lstmlm.importing.network import ImportModelError
from lstmlm.messages import Message
from lstmlm.vocab import EOS, UNK


def read_token_list(path: str | os.PathLike) -> list[str]:
    """A token list file: JSON (a list; {token: id}; {id: token}; or an object holding one such list) or
    text (one token per line). Raises ImportModelError when it is neither."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ImportModelError(_unreadable(path, e)) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ImportModelError(
                Message("import.vocab_json", "{path}: not valid JSON ({error})", path=str(path), error=str(e))
            ) from None
        tokens = tokens_from_object(_keras_tokenizer(data))
        if tokens is None:
            raise ImportModelError(
                Message(
                    "import.vocab_shape",
                    "{path}: expected a list of tokens, a {{token: id}} or {{id: token}} object, or an "
                    "object holding one of these",
                    path=str(path),
                )
            )
        return tokens
    # one token per line; keep spaces (a character vocabulary holds " "), drop only the final newline
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _keras_tokenizer(data):
    """Keras's text Tokenizer saved with tokenizer.to_json(): its word_index (a JSON string in the config) as
    the tokenizer reads text with it, else `data` unchanged. With num_words=N, `texts_to_sequences` keeps
    only ids below N (the model has N classes), so only those are kept; its oov_token (id 1, what every other
    word reads as) becomes `<unk>`, lstmlm's word for it."""
    if not (isinstance(data, dict) and data.get("class_name") == "Tokenizer"):
        return data
    config = data.get("config") or {}
    word_index = config.get("word_index")
    try:
        word_index = json.loads(word_index) if isinstance(word_index, str) else word_index
    except ValueError:
        return data
    if not isinstance(word_index, dict):
        return data
    num_words = config.get("num_words")
    if isinstance(num_words, int) and not isinstance(num_words, bool) and num_words > 0:
        word_index = {w: i for w, i in word_index.items() if not isinstance(i, int) or i < num_words}
    oov = config.get("oov_token")
    if isinstance(oov, str) and oov in word_index and UNK not in word_index:
        word_index = {(UNK if w == oov else w): i for w, i in word_index.items()}
    return word_index


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
    """A list/tuple of strings, {token: id 0..V-1} or {id: token} (ids as ints or digit strings), by id. Ids
    1..V-1 without 0 (Keras's Tokenizer.word_index: 0 is the padding id, a class no word has) get "" at 0,
    which the import names <pad>."""
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
    if sorted(pairs) == list(range(1, len(value) + 1)) and "" not in pairs.values():
        pairs[0] = ""  # the padding id
    if sorted(pairs) != list(range(len(pairs))):
        return None
    return [pairs[i] for i in range(len(pairs))]


def chars_of_text(path: str | os.PathLike) -> list[str]:
    """`sorted(set(text))`: the character list of the Keras and TensorFlow text-generation examples."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline=None) as f:  # text mode: "\r\n" reads as "\n", as theirs
            return sorted(set(f.read()))
    except (OSError, UnicodeDecodeError) as e:
        raise ImportModelError(_unreadable(path, e)) from None


def _unreadable(path: Path, error: Exception) -> Message:
    """A file that cannot be read as UTF-8 text, with the reason (Python's, English)."""
    return Message("import.unreadable", "{path}: unreadable ({error})", path=str(path), error=str(error))


def recipe_words(folder: str | os.PathLike) -> list[str]:
    """The recipe's vocabulary: first appearance in train.txt, valid.txt, test.txt; `<eos>` ends each line."""
    folder = Path(folder)
    words: dict[str, None] = {}  # insertion-ordered set
    for split in ("train.txt", "valid.txt", "test.txt"):
        path = folder / split
        if not path.is_file():
            raise ImportModelError(
                Message(
                    "import.recipe_missing",
                    "{path}: missing (the recipe's vocabulary is read from {split})",
                    path=str(path),
                    split=split,
                )
            )
        try:
            with open(path, encoding="utf-8") as f:  # text mode, as the recipe reads it
                for line in f:
                    words.update(dict.fromkeys(line.split()))
                    words[EOS] = None
        except (OSError, UnicodeDecodeError) as e:
            raise ImportModelError(_unreadable(path, e)) from None
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
            Message(
                "import.vocab_beside_differ",
                "{path}: the files beside the model hold different token lists of {size:,} tokens ({names}): "
                "choose the one it was trained with, --vocab FILE",
                path=str(path),
                size=size,
                names=", ".join(p.name for p in found),
            )
        )
    if not found:
        looked = (
            Message(
                "import.vocab_beside_others",
                "; beside it: {files}, not {size:,} tokens",
                files=", ".join(other),
                size=size,
            )
            if other
            else ""
        )
        raise ImportModelError(
            Message(
                "import.no_vocab",
                "{path}: the file holds no vocabulary ({size:,} output classes) and none was found beside it "
                "(looked for {names} and {more} more names){looked}: give the token list it was trained "
                "with, --vocab FILE (JSON list or one token per line) or --chars-from TEXT (its sorted "
                "characters, as the Keras and TensorFlow text-generation examples build it)",
                path=str(path),
                size=size,
                names=", ".join(VOCAB_FILE_NAMES[:4]),
                more=len(VOCAB_FILE_NAMES) - 4,
                looked=looked,
            )
        )
    first, *same = found
    also = f" (the same list as {', '.join(p.name for p in same)})" if same else ""
    return found[first], f"{first} (found beside the model{also}; token i is class i)"
