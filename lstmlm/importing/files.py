"""The whole import of a file: which format it is (`formats`: from its bytes), reading and converting it
with its vocabulary (and certifying it), and saving the model directory with nothing half-written on
failure."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from lstmlm.importing.formats import detect_format
from lstmlm.importing.network import (
    Imported,
    ImportModelError,
    guess_tokenizer,
    lstmlm_words,
    network_to_model,
)
from lstmlm.importing.vocabulary import chars_of_text, find_vocab_beside, read_token_list, recipe_words
from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.tokenizers import TOKENIZERS, get_tokenizer
from lstmlm.vocab import UNK

RECIPE = "pytorch/examples word_language_model"


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
    from lstmlm.importing.certificate import TOLERANCE, CertificateError, certify
    from lstmlm.importing.keras import read_keras_h5, read_keras_zip, read_tfjs
    from lstmlm.importing.pytorch import network_from_torch_file

    path = Path(path)
    kind = detect_format(path)
    if kind == "torch":
        net = network_from_torch_file(path, cell)
    else:
        net = {"keras": read_keras_zip, "keras-h5": read_keras_h5, "tfjs": read_tfjs}[kind](path)
        if cell is not None and cell != net.cell:
            raise ImportModelError(
                Message(
                    "import.cell_differs",
                    "--cell {cell}: the file holds a {found}",
                    cell=cell,
                    found=net.cell,
                )
            )
    V = net.decoder_weight.shape[0]
    given = [s for s in (vocab_file, chars_from, corpus_dir) if s is not None]
    if len(given) > 1:
        raise ImportModelError(
            Message("import.one_vocab", "give one vocabulary: --vocab, --chars-from or --data")
        )
    if vocab_file is not None:
        tokens, vocabulary = read_token_list(vocab_file), f"{vocab_file} (token i is class i)"
    elif chars_from is not None:
        tokens, vocabulary = chars_of_text(chars_from), f"sorted(set(text)) of {chars_from}"
    elif corpus_dir is not None:
        tokens = recipe_words(corpus_dir)
        vocabulary = "first appearance in train.txt, valid.txt, test.txt (the recipe's order)"
        if len(tokens) != V:
            raise ImportModelError(
                Message(
                    "import.corpus_size",
                    "the model's embedding has {rows:,} rows but the corpus gives {words:,} words: import it "
                    "with the corpus folder it was trained on (its train.txt, valid.txt and test.txt, "
                    "unchanged)",
                    rows=V,
                    words=len(tokens),
                )
            )
        tokenizer = tokenizer or "whitespace"  # the recipe splits lines on whitespace
    elif net.tokens is not None:
        tokens, vocabulary = net.tokens, "stored in the checkpoint"
    else:
        tokens, vocabulary = find_vocab_beside(path, V)
    if tokenizer is not None and tokenizer not in TOKENIZERS:
        raise ImportModelError(
            Message(
                "import.tokenizer",
                "--tokenizer {tokenizer}: choose one of {choices}",
                tokenizer=tokenizer,
                choices=", ".join(TOKENIZERS),
            )
        )
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
        try:
            limit = TOLERANCE if tolerance is None else tolerance
            summary["certificate"] = certify(model, reference, V, limit)
        except CertificateError as e:
            if net.precision is None:
                raise
            raise CertificateError(
                Message(
                    "import.mismatch_precision",
                    "{mismatch}. The model uses Keras's {policy} dtype policy: Keras computes it in 16-bit "
                    "floats, lstmlm in float32 from the same weights, so Keras's own outputs differ by "
                    "16-bit rounding (about 1e-3); if the difference is that small, import again with "
                    "--tolerance 1e-2",
                    mismatch=e.args[0],
                    policy=net.precision,
                )
            ) from None
    return Imported(model=model, summary=summary, tokenizer=tokenizer)


def out_problem(out: str | os.PathLike, force: bool = False) -> Message | None:
    """Why `out` cannot receive an imported model (a model there without `force`, a file in the way), or
    None."""
    from lstmlm.checkpoint import CONFIG

    out = Path(out)
    if (out / CONFIG).exists() and not force:
        return Message(
            "import.out_taken",
            "--out {path} already holds a model; choose another folder or add --force to replace it",
            path=str(out),
        )
    existing = next((p for p in (out, *out.parents) if p.exists()), None)  # the nearest that exists
    if existing is not None and not existing.is_dir():
        return Message(
            "import.out_file",
            "--out {path}: {file} is a file, not a folder",
            path=str(out),
            file=str(existing),
        )
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
            raise ImportModelError(
                Message(
                    "import.read_back",
                    "the model written to {path} does not read back as imported",
                    path=str(stage),
                )
            )
        if out.is_dir():  # an existing folder (--force, or empty): lstmlm's atomic save into it
            save_model(out, loaded, loaded.vocab, {"imported": True}, sections={"import": summary})
        else:
            os.rename(stage, out)
            created = []  # out is now the finished model
    except OSError as e:
        raise ImportModelError(
            Message(
                "import.cannot_write",
                "cannot write the model to {path}: {error}",
                path=str(out),
                error=str(e.strerror or e),
            )
        ) from None
    except CheckpointError as e:
        raise ImportModelError(
            Message("import.no_read_back", "the imported model does not read back: {error}", error=str(e))
        ) from None
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
