""" "Open a model" in the app: uploaded files -> a model folder the hub can offer. Plain functions, no gradio.

Accepted: a .zip of a model folder (config.json, model.safetensors, vocab.txt, as `lstmlm train` writes
it), or any file `lstmlm import` reads (Keras .keras / .h5, a TensorFlow.js model.json with its .bin
shards, a PyTorch state dict), with the token list beside it when the file holds none. Nothing in a file is
run (see lstmlm.importing); a zip is read member by member (plain names only, sizes checked), never
extracted as a whole. Every refusal is an UploadError whose message says what to change.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from lstmlm.checkpoint import CheckpointError, load_model, save_model
from lstmlm.messages import Message, message_of

UPLOAD_MB = 200  # one upload, all its files together
UPLOAD_LIMIT = f"{UPLOAD_MB}mb"  # gradio's max_file_size: it refuses a bigger file before it arrives
UNZIPPED_MB = 1000  # a model folder read from a zip, all its files together
MODEL_FILES = ("config.json", "model.safetensors", "vocab.txt")
TEXT_SUFFIXES = (".txt", ".json")  # a token list (or the model.json of TF.js)
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MB = 1024 * 1024
# the importer's refusals that a token list beside the model file answers (lstmlm.importing: none in the file
# or beside it, one of the wrong length, several that disagree): the app says how to upload it
NEEDS_VOCAB = (
    "import.no_vocab",
    "import.vocab_size",
    "import.vocab_size_num_words",
    "import.vocab_beside_differ",
)
PATH_VALUES = ("path", "file")  # the importer's values that are a file's path: shown as the file's name


class UploadError(ValueError):
    """An upload that cannot be opened; the message says why and what to upload instead."""


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._-")[:128]
    return cleaned or "upload"


def model_folder_in_zip(names: Sequence[str]) -> str | None:
    """The folder (prefix, "" or "name/") of a zip that holds a model directory, the shallowest one; None
    when no folder holds both config.json and model.safetensors (a Keras .keras zip, a torch.save file)."""
    found = []
    for name in names:
        if name.endswith("config.json"):
            prefix = name[: -len("config.json")]
            if (prefix == "" or prefix.endswith("/")) and prefix + "model.safetensors" in names:
                found.append(prefix)
    return min(found, key=lambda p: (p.count("/"), p)) if found else None


def extract_model_zip(archive: Path, out: Path) -> Path | None:
    """The model folder of `archive` written to `out` (its plain files only); None when the zip holds no
    model folder. Raises UploadError for a damaged zip, links, or more than UNZIPPED_MB unpacked."""
    try:
        with zipfile.ZipFile(archive) as z:
            infos = z.infolist()
            prefix = model_folder_in_zip([i.filename for i in infos])
            if prefix is None:
                return None
            members = [
                i for i in infos if i.filename.startswith(prefix) and "/" not in i.filename[len(prefix) :]
            ]
            members = [
                i for i in members if not i.is_dir() and SAFE_NAME.fullmatch(i.filename[len(prefix) :])
            ]
            if sum(i.file_size for i in members) > UNZIPPED_MB * MB:
                raise UploadError(
                    Message(
                        "upload.unzipped_big",
                        "{name}: the model folder unpacks to more than {limit} MB",
                        name=archive.name,
                        limit=UNZIPPED_MB,
                    )
                )
            if any(stat.S_ISLNK(i.external_attr >> 16) for i in members):
                raise UploadError(
                    Message(
                        "upload.zip_links",
                        "{name}: the zip stores links instead of files; zip the folder with its files "
                        "(zip -r model.zip DIR follows links)",
                        name=archive.name,
                    )
                )
            out.mkdir(parents=True, exist_ok=True)
            for info in members:
                with z.open(info) as src, open(out / info.filename[len(prefix) :], "wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as e:
        raise UploadError(
            Message(
                "upload.bad_zip", "{name}: not a readable zip file ({error})", name=archive.name, error=str(e)
            )
        ) from None
    return out


def _pick_source(files: list[Path]) -> tuple[Path, list[Path]]:
    """(the model file, the other files) among uploaded files: TF.js's model.json when there are .bin
    shards, else the one file that is not a token list (.txt / .json)."""
    if any(f.name == "model.json" for f in files) and any(f.suffix == ".bin" for f in files):
        source = next(f for f in files if f.name == "model.json")
        return source, [f for f in files if f.suffix not in (".bin",) and f != source]
    binaries = [f for f in files if f.suffix.lower() not in TEXT_SUFFIXES]
    if len(binaries) == 1:
        return binaries[0], [f for f in files if f != binaries[0]]
    if not binaries and len(files) == 1:
        return files[0], []  # a TF.js model.json without shards, or a mislabeled file: the importer says
    names = ", ".join(f.name for f in binaries) or ", ".join(f.name for f in files)
    raise UploadError(
        Message(
            "upload.which_model",
            "cannot tell which file is the model among {names}: upload one model file (.keras, .h5, .pt, "
            "a TF.js model.json with its .bin shards, or a .zip of a model folder), plus its token list if "
            "needed",
            names=names,
        )
    )


def without_folder(said: str, folder: Path) -> str:
    """What the importer said, naming its files by their names rather than by this server's `folder`.

    A `Message` is rebuilt with the same key and template (so an app still translates it): a value named in
    PATH_VALUES becomes the file's name, and `folder` is dropped from its other text values (a quoted
    Python or framework error naming the file), nested Messages included. Plain text loses `folder` too."""
    prefix = f"{folder}{os.sep}"
    message = message_of(said)
    if message is None:
        return str(said).replace(prefix, "")
    values = {}
    for name, value in message.values.items():
        if isinstance(value, Message):
            value = without_folder(value, folder)
        elif name in PATH_VALUES and isinstance(value, (str, os.PathLike)):
            value = Path(value).name
        elif isinstance(value, str):
            value = value.replace(prefix, "")
        values[name] = value
    return Message(message.key, message.template, **values)  # the same message, other values


def import_files(
    files: list[Path], out: Path, vocab_is_text: bool = False, tokenizer: str | None = None
) -> Path:
    """Import the uploaded model file of `files` (with the token list among them, if any) into the model
    folder `out` via lstmlm.importing. `vocab_is_text`: the .txt file is a text whose sorted characters
    are the vocabulary (as Keras's text-generation examples build it), not one token per line."""
    from lstmlm.importing import ImportModelError, import_file

    source, others = _pick_source(files)
    if len(others) > 1:
        raise UploadError(
            Message(
                "upload.token_lists",
                "more than one token list ({names}): upload the model file and one token list",
                names=", ".join(f.name for f in others),
            )
        )
    vocab = others[0] if others else None
    try:
        result = import_file(
            source,
            vocab_file=vocab if vocab is not None and not vocab_is_text else None,
            chars_from=vocab if vocab is not None and vocab_is_text else None,
            tokenizer=tokenizer,
        )
    except ImportModelError as e:
        said = without_folder(message_of(e) or str(e), source.parent)
        if getattr(said, "key", None) in NEEDS_VOCAB:  # the importer names the CLI's options
            raise UploadError(
                Message(
                    "upload.needs_vocab",
                    "{error}. In the app: upload the token list (.txt, one token per line, or .json) "
                    "together with the model file, or choose 'a text: its sorted characters are the "
                    "vocabulary' under 'A .txt file beside it is'",
                    error=said,
                    name=source.name,
                )
            ) from None
        raise UploadError(Message("upload.import_failed", "{error}", error=said)) from None
    summary = dict(result.summary, imported_from=source.name)  # not this server's temporary path
    save_model(out, result.model, result.model.vocab, summary)
    return out


def open_upload(
    paths: Sequence[str | Path],
    into: Path,
    vocab_is_text: bool = False,
    load: Callable[[Path], object] = load_model,
) -> tuple[Path, str]:
    """(a loadable model folder made under `into`, its label) from the uploaded files `paths`.
    Raises UploadError with the reason (nothing chosen, too big, no model inside, import refused...)."""
    files = [Path(p) for p in paths if p]
    if not files:
        raise UploadError(
            Message(
                "upload.none",
                "choose a model file first (and let its upload finish): a .zip of a model folder, or a "
                ".keras, .h5, .pt file",
            )
        )
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise UploadError(
            Message(
                "upload.missing", "the upload of {names} did not arrive; try again", names=", ".join(missing)
            )
        )
    total = sum(f.stat().st_size for f in files)
    if total > UPLOAD_MB * MB:
        raise UploadError(
            Message(
                "upload.big",
                "the files hold {mb:.0f} MB; the limit is {limit} MB for one upload",
                mb=total / MB,
                limit=UPLOAD_MB,
            )
        )
    into.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="model-", dir=into))  # unique, also for uploads at the same time
    staged = Path(tempfile.mkdtemp(prefix="upload-", dir=into))
    try:
        local = []
        for f in files:  # gradio names its copies after the upload; keep the names the person chose
            target = staged / _safe_name(f.name)
            shutil.copyfile(f, target)
            local.append(target)
        model_zip = None
        if len(local) == 1 and local[0].suffix.lower() == ".zip":
            model_zip = extract_model_zip(local[0], out)
        if model_zip is None:
            import_files(local, out, vocab_is_text)
        label = Path(_safe_name(files[0].name)).stem if len(files) == 1 else _pick_source(local)[0].stem
        try:
            load(out)
        except CheckpointError as e:
            raise UploadError(
                Message(
                    "upload.no_load",
                    "{name}: the model folder does not load: {error}",
                    name=files[0].name,
                    error=str(e),  # lstmlm's reason, with the file it names (English)
                )
            ) from None
        return out, label
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staged, ignore_errors=True)
