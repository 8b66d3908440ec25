"""What a Live Lab run is given, checked: a text (pasted, uploaded or picked) and the settings (each in a
safe range). Bad input raises an error whose message says what to do."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields

from lstmlm.messages import Message
from lstmlm.tokenizers import CHARS, WIKITEXT, Tokenizer, binary_offset

MAX_TEXT_BYTES = 2_000_000  # a pasted or uploaded text (UTF-8 bytes); ~2 MB trains for minutes per epoch
TOKENIZERS = {"chars": CHARS, "words": WIKITEXT}  # what the Live Lab offers: characters, or WikiText words
UTF8_BOM = b"\xef\xbb\xbf"  # dropped from an upload (utf-8-sig)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # how a file saved as UTF-16 ("Unicode") begins: little, big endian


class LiveTextError(ValueError):
    """A text that cannot be trained on (empty, too short, too big, not text); the message says what to do."""


class LiveSettingsError(ValueError):
    """A setting outside its safe range; the message names it, the range and the value given."""


@dataclass
class LiveSettings:
    """What the Live Lab trains: a small model, a time budget and a seed (each range checked by `check`)."""

    tokenizer: str = field(default="chars", metadata={"choices": list(TOKENIZERS)})  # chars | words
    num_layers: int = field(default=1, metadata={"range": (1, 2)})  # stacked LSTM layers
    hidden_dim: int = field(default=128, metadata={"range": (16, 256)})  # units per layer (= embedding size)
    bptt: int = field(default=100, metadata={"range": (10, 200)})  # sequence length: tokens per window
    batch_size: int = field(default=32, metadata={"range": (1, 64)})  # windows a step (fewer: tiny texts)
    lr: float = field(default=0.005, metadata={"range": (1e-4, 0.05)})  # Adam's peak rate; cosine to 0
    dropout: float = field(default=0.0, metadata={"range": (0.0, 0.5)})  # a minute rarely overfits
    seconds: float = field(default=60.0, metadata={"range": (10.0, 300.0)})  # training time budget
    seed: int = field(default=0, metadata={"range": (0, 2**31 - 1)})  # weights' initialisation
    # a budget in tokens makes a run repeatable step for step, when it ends the run well before the time
    # budget (the schedule follows whichever is further along; 0 = none)
    max_tokens: int = field(default=0, metadata={"range": (0, 10**9)})
    eval_every: int = field(default=25, metadata={"range": (1, 10_000)})  # validate every N steps
    snapshots: int = field(default=12, metadata={"range": (1, 20)})  # probe traces over the run (+ step 0)
    sample_every_s: float = field(default=3.0, metadata={"range": (0.5, 60.0)})  # a sample this often

    def check(self) -> LiveSettings:
        """Raise LiveSettingsError for a setting of the wrong kind or outside its range; returns self."""
        for f in fields(self):
            value = getattr(self, f.name)
            if "choices" in f.metadata:
                if value not in f.metadata["choices"]:
                    choices = " or ".join(f.metadata["choices"])
                    raise LiveSettingsError(
                        Message(
                            "live.setting_choice",
                            "{name} must be {choices}, got {value!r}",
                            name=f.name,
                            choices=choices,
                            value=value,
                        )
                    )
                continue
            lo, hi = f.metadata["range"]
            whole = f.type == "int"
            shown = "d" if whole else "g"  # whole numbers print plainly: 2147483647, not 2.14748e+09
            span = f"{lo:{shown}}..{hi:{shown}}"
            ok_type = isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(
                value, bool
            )
            if not ok_type or (not whole and not math.isfinite(value)):
                said = dict(name=f.name, span=span, value=value)
                if whole:
                    raise LiveSettingsError(
                        Message(
                            "live.setting_whole",
                            "{name} must be a whole number in {span}, got {value!r}",
                            **said,
                        )
                    )
                raise LiveSettingsError(
                    Message("live.setting_number", "{name} must be a number in {span}, got {value!r}", **said)
                )
            if not lo <= value <= hi:
                raise LiveSettingsError(
                    Message(
                        "live.setting_range",
                        "{name} must be in {span}, got {value}",
                        name=f.name,
                        span=span,
                        value=f"{value:{shown}}",
                    )
                )
        return self

    @classmethod
    def from_dict(cls, values: dict) -> LiveSettings:
        """Settings from JSON-like values (unknown names refused; whole floats accepted as ints), checked."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise LiveSettingsError(
                Message(
                    "live.setting_unknown",
                    "unknown settings {unknown}: the settings are {known}",
                    unknown=unknown,
                    known=", ".join(known),
                )
            )
        cleaned = {}
        for name, value in values.items():
            if known[name].type == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)
            cleaned[name] = value
        return cls(**cleaned).check()

    @property
    def tokenizer_object(self) -> Tokenizer:
        return TOKENIZERS[self.tokenizer]


def refuse_binary(data: str | bytes, name: str = "the text") -> None:
    """LiveTextError if `data` (a text or a file's bytes) holds a NUL in its first BINARY_PROBE characters
    (bytes): binary data, not text. The one check both the upload and a pasted or API text go through, and
    the one `lstmlm` file readers use (`lstmlm.tokenizers.binary_offset`)."""
    if binary_offset(data) is None:
        return
    if name == "the text":  # pasted or sent: "it" in Chinese
        raise LiveTextError(
            Message(
                "live.binary",
                "{name} holds binary data (NUL characters), not text: use a plain .txt file",
                name=name,
            )
        )
    raise LiveTextError(  # a file: named in Chinese too
        Message(
            "live.binary_file",
            "{name} holds binary data (NUL characters), not text: use a plain .txt file",
            name=name,
        )
    )


def check_text(text: str) -> str:
    """The text if it can be trained on; LiveTextError saying why not (empty, too big, binary)."""
    if not isinstance(text, str) or not text.strip():
        raise LiveTextError(
            Message(
                "live.empty", "the text is empty: paste a text, upload a .txt file or pick a teaching text"
            )
        )
    refuse_binary(text)
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise LiveTextError(
            Message(
                "live.text_big",
                "the text is {mb:.1f} MB; the Live Lab takes at most {limit:g} MB: use a part of it",
                mb=size / 1e6,
                limit=MAX_TEXT_BYTES / 1e6,
            )
        )
    return text


def read_upload(data: bytes, name: str = "the file", size: int | None = None) -> str:
    """An uploaded file's bytes as text: UTF-8 (a BOM dropped) and no binary; LiveTextError otherwise (a
    UTF-16 file, one that begins with its byte-order mark, named as such). `name`: the file's name, said in
    the messages; `size`: its size in bytes when `data` holds only its beginning (a file over
    MAX_TEXT_BYTES need not be read whole to be refused)."""
    size = len(data) if size is None else size
    if size > MAX_TEXT_BYTES:
        raise LiveTextError(
            Message(
                "live.file_big",
                "{name} is {mb:.1f} MB; the Live Lab takes at most {limit:g} MB of text: upload a part of it",
                name=name,
                mb=size / 1e6,
                limit=MAX_TEXT_BYTES / 1e6,
            )
        )
    if data.startswith(UTF16_BOMS):  # saved as "Unicode": text, but its NULs would read as binary data
        raise LiveTextError(
            Message(
                "live.utf16",
                "{name} is UTF-16 text, not UTF-8: save it as UTF-8 in your editor (or iconv -f utf-16 -t "
                "utf-8) and upload it again",
                name=name,
            )
        )
    refuse_binary(data, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        offset = e.start + (len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0)  # e.start is after a BOM
        line = data.count(b"\n", 0, offset) + 1
        raise LiveTextError(
            Message(
                "live.not_utf8",
                "{name} is not UTF-8 text: the byte at offset {offset:,} (line {line}) is 0x{byte}. "
                "Save it as UTF-8 in your editor (or iconv -f cp1252 -t utf-8) and upload it again",
                name=name,
                offset=offset,
                line=line,
                byte=data[offset : offset + 1].hex(),
            )
        ) from None
    return check_text(text)
