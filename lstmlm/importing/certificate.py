"""The import certificate: the imported model against the original framework's own outputs on a probe text.

The user runs their model in their own framework once (the README's snippets for Keras and PyTorch) and
saves the probe's ids and the distributions it predicts with np.savez (the format: lstmlm.importing.reference,
which reads the file with `allow_pickle=False`: plain arrays only, nothing from it runs).

The imported model reads `ids` from a zero state through the trace (the forward every view shows) and the
certificate is the largest |p_ours - p_theirs| over every compared distribution and class:

    certificate = {"max_abs_diff": 3e-08, "reference": "ref.npz", "probe_tokens": T, "distributions": T}

Above `TOLERANCE` the import is refused (`CertificateError`) with the figure and the likely cause.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from lstmlm.importing.network import ImportModelError
from lstmlm.importing.reference import read_reference
from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.trace import trace

TOLERANCE = 1e-4  # float32 rounding: ~1e-8 on the tests' models; a swapped gate or class order: >= 3e-3


class CertificateError(ImportModelError):
    """The imported model's probabilities differ from the reference's by more than the tolerance."""


def model_probs(model: LanguageModel, ids: np.ndarray) -> np.ndarray:
    """(T, V) float64 next-token probabilities after each id, from a zero state, through the trace."""
    with torch.no_grad():
        log_probs = trace(model, torch.as_tensor(ids).view(-1, 1)).log_probs  # (T, 1, V)
    return log_probs[:, 0].double().exp().numpy()


def certify(
    model: LanguageModel,
    reference: str | os.PathLike,
    vocab_size: int | None = None,
    tolerance: float = TOLERANCE,
) -> dict:
    """Compare the model with a reference file (module docstring); return the certificate.

    `vocab_size`: the original model's classes (default: the model's, less an <unk> the import added).
    Raises ImportModelError for an unreadable reference and CertificateError (with the largest difference,
    where it is and the likely cause) when the model and the reference differ by more than `tolerance`.
    """
    words = model.vocab.words
    if vocab_size is None:
        vocab_size = len(words) - (words[-1] == "<unk>" and model.decoder.bias[-1].item() <= -1e3)
    name = Path(reference).name
    ids, theirs, text = read_reference(reference, vocab_size)
    if text is not None:
        _check_text(model, ids, text, name)
    ours_all = model_probs(model, ids)
    ours = ours_all[:, :vocab_size] if theirs.shape[0] == len(ids) else ours_all[-1:, :vocab_size]
    diff = np.abs(ours - theirs)
    worst = float(diff.max())
    certificate = {
        "max_abs_diff": worst,
        "reference": name,
        "probe_tokens": int(len(ids)),
        "distributions": int(theirs.shape[0]),
        "tolerance": tolerance,
        "text_checked": text is not None,
    }
    if not worst <= tolerance:
        raise CertificateError(_mismatch_message(name, diff, ours, theirs, ids, tolerance))
    return certificate


def _check_text(model: LanguageModel, ids: np.ndarray, text: str, name: str) -> None:
    """The imported vocabulary must read the probe text as the reference's ids."""
    tokens = model.tokenizer.tokenize(text)
    theirs = model.vocab.decode(ids)
    if tokens == theirs:
        return
    if len(tokens) != len(theirs):
        raise CertificateError(
            Message(
                "import.ref_text_length",
                "{name}: its text reads as {tokens} tokens with this model's {tokenizer} tokenizer but the "
                "reference has {ids} ids. If your framework splits text differently (e.g. lowercases or "
                "drops punctuation), leave `text` out of the reference; nothing was saved",
                name=name,
                tokens=len(tokens),
                tokenizer=model.tokenizer.name,
                ids=len(ids),
            )
        )
    t = next(i for i, (a, b) in enumerate(zip(tokens, theirs, strict=True)) if a != b)
    raise CertificateError(
        Message(
            "import.ref_text_order",
            "{name}: token {step} of the probe text is {token!r}, but the reference's id {id} is {theirs!r} "
            "in the vocabulary given to the import: the vocabulary is not in the order the model was trained "
            "with (or not its vocabulary). Give the model's own token list (--vocab FILE, or --chars-from "
            "the exact training text); nothing was saved",
            name=name,
            step=t,
            token=tokens[t],
            id=ids[t],
            theirs=theirs[t],
        )
    )


def _mismatch_message(
    name: str, diff: np.ndarray, ours: np.ndarray, theirs: np.ndarray, ids: np.ndarray, tolerance: float
) -> Message:
    """The figure, where it is, and the likely cause read from the pattern of the differences."""
    step, cls = np.unravel_index(int(diff.argmax()), diff.shape)
    rows_off = diff.max(axis=1) > tolerance
    permuted = np.abs(np.sort(ours, axis=1) - np.sort(theirs, axis=1)).max() <= tolerance
    if permuted:
        cause = Message(
            "import.cause_order",
            "each distribution holds the same probabilities in another order: the output classes are in "
            "another order than the vocabulary given (give the token list the model was trained with, in "
            "its order)",
        )
    elif len(rows_off) > 1 and not rows_off[0]:
        cause = Message(
            "import.cause_state",
            "the first {steps} step(s) agree and later ones do not: the state carried from step to step "
            "differs (the reference model kept a state from an earlier call, e.g. stateful=True or a hidden "
            "state passed in; reset it before the probe), or the recurrent weights were read in another gate "
            "order",
            steps=int(np.argmax(rows_off)),
        )
    else:
        cause = Message(
            "import.cause_other",
            "{first}the reference was made with another model file or vocabulary, with dropout on (PyTorch: "
            "call model.eval() first), with another input (one-hot vs ids), or the weights were read in "
            "another gate order",
            first=Message("import.cause_first", "the distributions differ from the first step: ")
            if len(rows_off) > 1
            else "",
        )
    where = (
        Message(
            "import.after_token",
            "after token {step} (id {id})",
            step=int(step),
            id=int(ids[min(step, len(ids) - 1)]),
        )
        if diff.shape[0] > 1
        else Message("import.after_last", "after the last token")
    )
    return Message(
        "import.mismatch",
        "the imported model does not match {name}: largest difference {worst:.3g} in a probability "
        "(tolerance {tolerance:g}), {where}, class {output_class}: ours {ours:.6f}, the reference's "
        "{theirs:.6f}; {off} of {rows} distributions differ. Likely cause: {cause}. Nothing was saved",
        name=name,
        worst=diff.max(),
        tolerance=tolerance,
        where=where,
        output_class=int(cls),
        ours=ours[step, cls],
        theirs=theirs[step, cls],
        off=int(rows_off.sum()),
        rows=len(rows_off),
        cause=cause,
    )
