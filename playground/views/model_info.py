"""What the model picker says about a model, read from its config.json alone (no weights loaded): how it
reads text, its size, its test figure and, for an imported model, whether the import was checked against
the original framework's outputs. Plain data, no gradio. Each text is a `Message` (English, with its key and
values): `choice_label(lang)` and `info_line(lang)` show it in a page's language (text/library.py)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from lstmlm.cells import CELL_NAMES
from lstmlm.messages import Message
from playground.page_language import shown


@dataclass(frozen=True)
class ModelInfo:
    """One model of the hub as the picker and the `models` endpoint show it."""

    key: str  # URL-safe name: the model's app lives under /m/<key>/
    path: str  # "/" for the default model, else "/m/<key>/" (relative to the server's root)
    label: str  # its folder's name, or the name it was registered with
    tokenizer: str  # "words" or "characters"
    size: str  # e.g. "LSTM 2×512", "" when config.json does not say
    test_figure: str  # e.g. "test perplexity 83.7", "test 1.204 nats/char", "" when none is recorded
    certificate: str  # for an imported model: "exact to 3e-07 against ..." or "imported, not verified"
    origin: str  # "launch" (--model), "bundled", "upload" or "lab"

    def choice_label(self, lang: str = "en") -> str:
        """The picker's line: 'storybooks-lstm · words · LSTM 2×512 · test perplexity 83.7', in `lang`."""
        parts = [self.label, *(shown(p, lang) for p in (self.tokenizer, self.size, self.test_figure))]
        return " · ".join(p for p in parts if p)

    def info_line(self, lang: str = "en") -> str:
        """The line under the picker, in `lang`: 'reads words · LSTM 2×512 · test perplexity 83.7' and, for an
        imported model, its certificate."""
        figure = self.test_figure or Message("model.no_figure", "no test figure recorded")
        parts = [shown(Message("model.reads", "reads {what}", what=self.tokenizer), lang)]
        parts += [shown(p, lang) for p in (self.size, figure, self.certificate)]
        return " · ".join(p for p in parts if p)

    def as_json(self) -> dict:
        """The `models` endpoint's entry: the fields, `path` named `url_path` (gradio_client would take a
        dict with a "path" string for a file to download)."""
        data = asdict(self)
        return {("url_path" if k == "path" else k): v for k, v in data.items()}


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def figure_of(config: dict) -> str:
    """The test figure config.json records: loss per character for a character model, else perplexity
    (test, else validation); "" when it records none."""
    training = config.get("training")
    training = training if isinstance(training, dict) else {}
    nats = _number(training.get("test_loss_nats_per_char"))
    if nats is not None:
        return Message(
            "model.nats", "test {nats:.3f} nats/char ({bits:.2f} bits)", nats=nats, bits=nats / math.log(2)
        )
    test, validation = _number(training.get("test_perplexity")), _number(training.get("val_perplexity"))
    if test is not None:
        return Message("model.test_perplexity", "test perplexity {value:.1f}", value=test)
    if validation is not None:
        return Message("model.val_perplexity", "validation perplexity {value:.1f}", value=validation)
    return ""


def bound(value: float) -> str:
    """`value` >= 0 rounded UP to one significant digit, as 3e-07: a bound that is never below it."""
    if value <= 0:
        return "0"
    exponent = math.floor(math.log10(value))
    digit = math.ceil(value / 10**exponent - 1e-9)  # 1e-9: 3e-7 / 1e-7 is 2.9999999999999996
    if digit == 10:
        digit, exponent = 1, exponent + 1
    return f"{digit}e{exponent:+03d}"


def certificate_line(config: dict) -> str:
    """For an imported model: "exact to 3e-07 against your framework's own outputs" when the import
    stored a certificate (`import.certificate.max_abs_diff`), "imported, not verified" when it did not;
    "" for a model trained here. Reads the section defensively (any shape)."""
    section = config.get("import")
    training = config.get("training")
    imported = section is not None or (isinstance(training, dict) and training.get("imported") is True)
    if not imported:
        return ""
    certificate = section.get("certificate") if isinstance(section, dict) else None
    diff = _number(certificate.get("max_abs_diff")) if isinstance(certificate, dict) else None
    if diff is None:
        return Message("model.unverified", "imported, not verified")
    probes = certificate.get("probe_tokens")
    if isinstance(probes, int) and not isinstance(probes, bool) and probes > 0:
        return Message(
            "model.exact_probes",
            "exact to {bound} against your framework's own outputs ({probes} probe tokens)",
            bound=bound(diff),
            probes=probes,
        )
    return Message("model.exact", "exact to {bound} against your framework's own outputs", bound=bound(diff))


def size_of(config: dict) -> str:
    """'LSTM 2×512' from config.json's model section; "" when it is missing or odd."""
    model = config.get("model")
    if not isinstance(model, dict):
        return ""
    cell, layers, hidden = model.get("cell", "lstm"), model.get("num_layers"), model.get("hidden_dim")
    if not isinstance(layers, int) or not isinstance(hidden, int):
        return ""
    return Message(
        "model.size",
        "{cell_name} {layers}×{hidden}",
        cell=cell,
        cell_name=CELL_NAMES.get(cell, str(cell)),
        layers=layers,
        hidden=hidden,
    )


def read_config(folder: str | Path) -> dict:
    """config.json of a model folder as a dict ({} when missing or not a JSON object)."""
    try:
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


def read_info(folder: str | Path, *, key: str, path: str, label: str, origin: str) -> ModelInfo:
    """The picker's description of the model in `folder`."""
    config = read_config(folder)
    return ModelInfo(
        key=key,
        path=path,
        label=label,
        tokenizer=Message("model.characters", "characters")
        if config.get("tokenizer") == "chars"
        else Message("model.words", "words"),
        size=size_of(config),
        test_figure=figure_of(config),
        certificate=certificate_line(config),
        origin=origin,
    )
