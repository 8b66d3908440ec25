"""The reference file: the original framework's own outputs on a probe text, read and checked.

The user runs their model in their own framework once (the README's snippets for Keras and PyTorch) and
saves what it predicts with NumPy:

    np.savez("ref.npz", ids=ids, probs=probs, text=text)

    ids     (T,) int        the probe's token ids in the model's own vocabulary order (a leading 1 is dropped)
    probs   (T, V) float    the next-token distribution after each of the T tokens, or (V,): only the one
                            after the last token (a Keras model whose last LSTM has return_sequences=False)
    logits  instead of probs: the raw output layer (softmax is taken here, in float64)
    text    optional str    the probe text: when given, the imported vocabulary must read it as `ids`
                            (a character list in another order is caught here, not only by the numbers)

The file is read with `allow_pickle=False`: plain arrays only, nothing from it runs. Anything else is
refused (ImportModelError) naming the file and what to change. `lstmlm.importing.certificate` compares it
with the imported model.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from lstmlm.importing.network import ImportModelError
from lstmlm.messages import Message
from lstmlm.tokenizers import BINARY_PROBE, binary_offset


def read_reference(path: str | os.PathLike, vocab_size: int) -> tuple[np.ndarray, np.ndarray, str | None]:
    """The reference's ids (T,), distributions (T, V) or (1, V) in float64 (rows sum to 1), and probe text.

    `vocab_size` is the original model's number of classes (without an <unk> the import added). Raises
    ImportModelError naming the file and what to change for anything else.
    """
    path = Path(path)
    if not path.exists():
        raise ImportModelError(
            Message("import.ref_no_file", "--reference {path}: no such file", path=str(path))
        )
    if (refusal := _not_numpy(path)) is not None:  # before numpy, which takes any other file for a pickle
        raise refusal
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                arrays = {k: loaded[k] for k in loaded.files}
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
        raise _ref_unreadable(path, e) from None
    except (OSError, zipfile.BadZipFile, EOFError) as e:
        raise _ref_unreadable(path, e) from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ImportModelError(
            Message(
                "import.ref_one_array",
                "--reference {path}: not a NumPy .npz file written by np.savez (one array, as np.save "
                "writes): write ids and probs with np.savez",
                path=str(path),
            )
        )
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


def _not_numpy(path: Path) -> ImportModelError | None:
    """The refusal of a `path` that cannot be a NumPy file, judged from its first bytes, or None when it
    starts as an .npz (a zip) or an .npy does. numpy itself calls any other file "pickled (object) data" and
    suggests allow_pickle, which would mislead: a reference is never unpickled."""
    if path.is_dir():
        return _ref_unreadable(path, "it is a folder: give the .npz file inside it")
    try:
        with open(path, "rb") as f:
            head = f.read(BINARY_PROBE)
    except OSError as e:
        return _ref_unreadable(path, e.strerror or str(e))
    if head.startswith((b"PK", b"\x93NUMPY")):
        return None
    if not head:
        return _ref_unreadable(path, "the file is empty")
    if binary_offset(head) is None:
        first = head.decode("utf-8", errors="replace").splitlines()[0][:40] if head.strip() else ""
        return _ref_unreadable(
            path,
            f"it holds text, starting {first!r}: save the arrays with np.savez, as the README's snippet does",
        )
    return ImportModelError(
        Message(
            "import.ref_pickle",
            "--reference {path}: not a NumPy .npz file written by np.savez (nor a NumPy array; "
            "pickles are never loaded)",
            path=str(path),
        )
    )


def _ref_unreadable(path: Path, error: Exception | str) -> ImportModelError:
    """A reference file that numpy cannot read as an .npz, with the reason (English)."""
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
