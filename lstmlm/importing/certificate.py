"""The import certificate: the imported model against the original framework's own outputs on a probe text.

The user runs their model in their own framework once (the README's snippets for Keras and PyTorch) and
saves what it predicts with NumPy:

    np.savez("ref.npz", ids=ids, probs=probs, text=text)

    ids     (T,) int        the probe's token ids in the model's own vocabulary order (a leading 1 is dropped)
    probs   (T, V) float    the next-token distribution after each of the T tokens, or (V,): only the one
                            after the last token (a Keras model whose last LSTM has return_sequences=False)
    logits  instead of probs: the raw output layer (softmax is taken here, in float64)
    text    optional str    the probe text: when given, the imported vocabulary must read it as `ids`
                            (a character list in another order is caught here, not only by the numbers)

The imported model reads `ids` from a zero state through the trace (the forward every view shows) and the
certificate is the largest |p_ours - p_theirs| over every compared distribution and class:

    certificate = {"max_abs_diff": 3e-08, "reference": "ref.npz", "probe_tokens": T, "distributions": T}

Above `TOLERANCE` the import is refused (`CertificateError`) with the figure and the likely cause. The file
is read with `allow_pickle=False`: plain arrays only, nothing from it runs.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import torch

from lstmlm.importing.network import ImportModelError
from lstmlm.messages import Message
from lstmlm.model import LanguageModel
from lstmlm.trace import trace

TOLERANCE = 1e-4  # float32 rounding: ~1e-8 on the tests' models; a swapped gate or class order: >= 3e-3


class CertificateError(ImportModelError):
    """The imported model's probabilities differ from the reference's by more than the tolerance."""


def read_reference(path: str | os.PathLike, vocab_size: int) -> tuple[np.ndarray, np.ndarray, str | None]:
    """The reference's ids (T,), distributions (T, V) or (1, V) in float64 (rows sum to 1), and probe text.

    `vocab_size` is the original model's number of classes (without an <unk> the import added). Raises
    ImportModelError naming the file and what to change for anything else.
    """
    path = Path(path)
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ImportModelError(
                Message(
                    "import.ref_one_array",
                    "--reference {path}: not a NumPy .npz file written by np.savez (one array, as np.save "
                    "writes): write ids and probs with np.savez",
                    path=str(path),
                )
            )
        with loaded:
            arrays = {k: loaded[k] for k in loaded.files}
    except FileNotFoundError:
        raise ImportModelError(
            Message("import.ref_no_file", "--reference {path}: no such file", path=str(path))
        ) from None
    except ValueError as e:
        if "Object arrays" in str(e):  # an object array (a list of strings, a dict) would need pickle
            raise ImportModelError(
                Message(
                    "import.ref_objects",
                    "--reference {path}: holds Python objects, which are never loaded; save plain arrays: "
                    "np.savez(f, ids=np.array(ids), probs=np.array(probs), text=str(text))",
                    path=str(path),
                )
            ) from None
        if "pickled data" in str(e):  # numpy takes any other file for a pickle, which it never loads
            raise ImportModelError(
                Message(
                    "import.ref_pickle",
                    "--reference {path}: not a NumPy .npz file written by np.savez (nor a NumPy array; "
                    "pickles are never loaded)",
                    path=str(path),
                )
            ) from None
        raise _ref_unreadable(path, e) from None
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise _ref_unreadable(path, e) from None
    ids = _squeeze(arrays.get("ids"))
    if ids is None or ids.ndim != 1 or ids.size == 0 or ids.dtype.kind not in "iu":
        raise ImportModelError(
            Message(
                "import.ref_ids",
                "--reference {path}: `ids` must be the probe's token ids, integers of shape (T,) (found "
                "{found})",
                path=str(path),
                found=Message("import.ref_none", "none") if ids is None else f"{ids.dtype} {ids.shape}",
            )
        )
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ImportModelError(
            Message(
                "import.ref_id_range",
                "--reference {path}: ids range {low}..{high} but the model has {size:,} classes "
                "(0..{last}): the reference was made with another vocabulary",
                path=str(path),
                low=ids.min(),
                high=ids.max(),
                size=vocab_size,
                last=vocab_size - 1,
            )
        )
    probs = _distributions(path, arrays, ids.size, vocab_size)
    text = arrays.get("text")
    if text is not None:
        if text.dtype.kind != "U" or text.size != 1:
            raise ImportModelError(
                Message(
                    "import.ref_text",
                    "--reference {path}: `text` must be one string (found {dtype})",
                    path=str(path),
                    dtype=text.dtype,
                )
            )
        text = str(text.reshape(()))
    return ids.astype(np.int64), probs, text


def _ref_unreadable(path: Path, error: Exception) -> ImportModelError:
    """A reference file that numpy cannot read as an .npz, with numpy's reason (English)."""
    return ImportModelError(
        Message(
            "import.ref_unreadable",
            "--reference {path}: not a NumPy .npz file written by np.savez ({error})",
            path=str(path),
            error=str(error),
        )
    )


def _squeeze(a: np.ndarray | None) -> np.ndarray | None:
    """Drop leading dimensions of size 1 (a batch of one), keeping at least one dimension."""
    if a is None:
        return None
    while a.ndim > 1 and a.shape[0] == 1:
        a = a[0]
    return a


def _distributions(path: Path, arrays: dict, T: int, V: int) -> np.ndarray:
    """`probs` or softmax(`logits`) as (T, V) or (1, V) float64, checked."""
    key = "probs" if "probs" in arrays else "logits" if "logits" in arrays else None
    if key is None:
        raise ImportModelError(
            Message(
                "import.ref_no_probs",
                "--reference {path}: no `probs` (or `logits`) array; it holds {names}",
                path=str(path),
                names=sorted(arrays),
            )
        )
    a = _squeeze(arrays[key])
    if a.dtype.kind != "f":
        raise ImportModelError(
            Message(
                "import.ref_floats",
                "--reference {path}: `{array}` must be floats (found {dtype})",
                path=str(path),
                array=key,
                dtype=a.dtype,
            )
        )
    a = a.astype(np.float64)
    if a.ndim == 1:
        a = a[None]  # the distribution after the last token only
    if a.ndim != 2 or a.shape[1] != V or a.shape[0] not in (1, T):
        raise ImportModelError(
            Message(
                "import.ref_shape",
                "--reference {path}: `{array}` has shape {shape}; expected ({steps}, {classes}) (after each "
                "of the {steps} ids, over the model's {classes:,} classes) or ({classes},) (after the last "
                "id){other}",
                path=str(path),
                array=key,
                shape=arrays[key].shape,
                steps=T,
                classes=V,
                other=Message("import.ref_other_size", ": another vocabulary size")
                if a.ndim == 2 and a.shape[1] != V
                else "",
            )
        )
    if not np.isfinite(a).all():
        raise ImportModelError(
            Message(
                "import.ref_finite",
                "--reference {path}: `{array}` holds NaN or infinite values",
                path=str(path),
                array=key,
            )
        )
    if key == "logits":
        a = np.exp(a - a.max(axis=1, keepdims=True))
        return a / a.sum(axis=1, keepdims=True)
    sums = a.sum(axis=1)
    if (a < 0).any() or np.abs(sums - 1).max() > 1e-3:
        raise ImportModelError(
            Message(
                "import.ref_sums",
                "--reference {path}: the rows of `probs` are not distributions (they sum to {low:.4g} .. "
                "{high:.4g}): these look like logits; save them as logits=... or save softmax(logits)",
                path=str(path),
                low=sums.min(),
                high=sums.max(),
            )
        )
    return a


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
