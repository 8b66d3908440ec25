"""What the model picker says about a model, read from its config.json alone (no weights loaded): how it
reads text, its size, its test figure and, for an imported model, whether the import was checked against
the original framework's outputs. Plain data, no gradio."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from lstmlm.cells import CELL_NAMES


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

    def choice_label(self) -> str:
        """The picker's line: 'storybooks-lstm · words · LSTM 2×512 · test perplexity 83.7'."""
        parts = [self.label, self.tokenizer, self.size, self.test_figure]
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
        return f"test {nats:.3f} nats/char ({nats / math.log(2):.2f} bits)"
    for name, what in (("test_perplexity", "test"), ("val_perplexity", "validation")):
        value = _number(training.get(name))
        if value is not None:
            return f"{what} perplexity {value:.1f}"
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
        return "imported, not verified"
    line = f"exact to {bound(diff)} against your framework's own outputs"
    probes = certificate.get("probe_tokens")
    if isinstance(probes, int) and not isinstance(probes, bool) and probes > 0:
        line += f" ({probes} probe tokens)"
    return line


def size_of(config: dict) -> str:
    """'LSTM 2×512' from config.json's model section; "" when it is missing or odd."""
    model = config.get("model")
    if not isinstance(model, dict):
        return ""
    cell, layers, hidden = model.get("cell", "lstm"), model.get("num_layers"), model.get("hidden_dim")
    if not isinstance(layers, int) or not isinstance(hidden, int):
        return ""
    return f"{CELL_NAMES.get(cell, str(cell))} {layers}×{hidden}"


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
        tokenizer="characters" if config.get("tokenizer") == "chars" else "words",
        size=size_of(config),
        test_figure=figure_of(config),
        certificate=certificate_line(config),
        origin=origin,
    )
