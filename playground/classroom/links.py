"""Classroom mode without gradio: the screen (prompt, open view, settings, presenter mode, language) as a
URL query string and back, so a link restores the same screen on another computer.

Everything read from a URL is untrusted: `parse_query` clamps numbers into range, replaces NaN and junk
by the defaults, cuts long text, and ignores unknown keys. `build_query` writes only what differs from
the defaults (plus the prompt), so links stay short:

    ?prompt=The+cat+sat&view=gates&layer=1&gate=i&unit=12&mode=present&lang=zh
    ?prompt=The+boy+played&view=equations&layer=1&unit=171&word=boy

The layer and unit are those of the open view (Gates or Equations & memory: each restores them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from urllib.parse import parse_qs, urlencode

from lstmlm.cells import display_order

MAX_URL_PROMPT_CHARS = 2_000  # a link carries at most 2000 characters of prompt (URLs over ~8 KB break)
MAX_SPEC_CHARS = 200  # the intervention spec is a short "key:value,..." string
MAX_WORD_CHARS = 40  # Equations' word: a step number or one word of the prompt
VIEWS = (  # tab ids a link may open: tabs/registry.py's linkable tabs; an unknown one opens next_word
    "start",
    "next_word",
    "generate",
    "gates",
    "learn",
    "intervene",
    "equations",
    "counterfactual",
    "surprisal",
    "units",
    "cell_hunt",
    "compare",
    "gradient",
    "live",  # the Live Lab ("Train your own"); with &lab=TOKEN a teacher's training, read-only
)
GATES = display_order("lstm")  # f i o g c h, an LSTM's; `Limits.gates` holds the app's model's own
ORDERS = ("index", "variance", "saturation", "mean")
MODES = ("normal", "present")
LANGS = ("", "en", "zh")  # "" = the browser's language
_SPEC_CHARS = re.compile(r"[^A-Za-z0-9:,.\-_ ]")


@dataclass(frozen=True)
class Screen:
    """What a link restores (defaults are the app's defaults)."""

    prompt: str | None = None  # None = leave the prompt box as it is
    view: str = "next_word"  # the open tab
    k: int = 10  # Next word: words shown
    temperature: float = 0.8  # Generate: temperature, top-k, top-p, words, seed
    top_k: int = 40
    top_p: float = 0.95
    words: int = 30
    seed: int = 0
    layer: int = 0  # Gates and Equations: layer (0-based); Gates: gate, unit order; both: unit
    gate: str = "f"
    order: str = "index"
    unit: int = 0
    word: str = ""  # Equations: "" the last word, "3" step 3 (0-based), "boy" that word's first place
    iv: str = ""  # an intervention spec, e.g. "layer:1,target:f,value:1,units:10-19,start:3"
    mode: str = "normal"  # "present" = presenter layout
    lang: str = ""  # "" = the browser's language, else "en" or "zh"


@dataclass(frozen=True)
class Limits:
    """The ranges a link's numbers are clamped into (the model's sizes and the sliders' ranges)."""

    num_layers: int = 1
    hidden_dim: int = 1
    max_k: int = 30
    max_words: int = 200
    max_top_k: int = 200
    max_seed: int = 2**31 - 1
    gates: tuple[str, ...] = GATES  # what the Gates view can show (a GRU: r, z, n, h)


def _number(raw: str | None, default: float, lo: float, hi: float) -> float:
    """A finite number clamped into [lo, hi]; the default when missing or not a number."""
    try:
        value = float(str(raw).strip()[:40])
    except (TypeError, ValueError):
        return default
    if not math.isfinite(value):
        return default
    return min(hi, max(lo, value))


def _whole(raw: str | None, default: int, lo: int, hi: int) -> int:
    return int(round(_number(raw, default, lo, hi)))


def _choice(raw: str | None, choices: tuple[str, ...], default: str) -> str:
    value = (raw or "").strip()
    return value if value in choices else default


def clean_spec(raw: str | None) -> str:
    """An intervention spec cut to harmless characters and MAX_SPEC_CHARS (`parse_intervention` reads it)."""
    return _SPEC_CHARS.sub("", raw or "")[:MAX_SPEC_CHARS]


def clean_word(raw: str | None) -> str:
    """Equations' word from a URL: one line, trimmed, at most MAX_WORD_CHARS characters ("" = the last word).
    Which step it names is decided against the prompt when the view is drawn (views/equations.py)."""
    return " ".join(str(raw or "").split())[:MAX_WORD_CHARS].strip()


def parse_query(params: Mapping[str, str | list[str]] | str, limits: Limits = Limits()) -> Screen:
    """The screen a URL asks for: every value checked and clamped, unknown keys ignored."""
    if isinstance(params, str):
        params = parse_qs(params.lstrip("?"), keep_blank_values=True)
    one = {k: (v[-1] if isinstance(v, list) and v else v) for k, v in params.items() if k}
    d = Screen()
    prompt = one.get("prompt")
    if prompt is not None:
        prompt = str(prompt)[:MAX_URL_PROMPT_CHARS].replace("\x00", "")
    return Screen(
        prompt=prompt,
        view=_choice(one.get("view"), VIEWS, d.view),
        k=_whole(one.get("k"), d.k, 1, limits.max_k),
        temperature=round(_number(one.get("temperature"), d.temperature, 0.0, 2.0), 4),
        top_k=_whole(one.get("top_k"), d.top_k, 0, limits.max_top_k),
        top_p=round(_number(one.get("top_p"), d.top_p, 0.05, 1.0), 4),
        words=_whole(one.get("words"), d.words, 1, limits.max_words),
        seed=_whole(one.get("seed"), d.seed, 0, limits.max_seed),
        layer=_whole(one.get("layer"), d.layer, 0, max(0, limits.num_layers - 1)),
        gate=_choice(one.get("gate"), limits.gates, d.gate if d.gate in limits.gates else limits.gates[0]),
        order=_choice(one.get("order"), ORDERS, d.order),
        unit=_whole(one.get("unit"), d.unit, 0, max(0, limits.hidden_dim - 1)),
        word=clean_word(one.get("word")),
        iv=clean_spec(one.get("iv")),
        mode=_choice(one.get("mode"), MODES, d.mode),
        lang=_choice(one.get("lang"), LANGS, d.lang),
    )


def build_query(screen: Screen) -> str:
    """'?prompt=...&view=...': the prompt always, every other value only where it is not the default."""
    d = asdict(Screen())
    items = []
    for f in fields(Screen):
        value = getattr(screen, f.name)
        if f.name == "prompt":
            if value is not None:
                items.append(("prompt", value[:MAX_URL_PROMPT_CHARS]))
        elif value != d[f.name]:
            items.append((f.name, f"{value:g}" if isinstance(value, float) else str(value)))
    return "?" + urlencode(items) if items else ""


def screen_from_controls(**values) -> Screen:
    """A Screen from the app's control values (floats from sliders become whole numbers where needed)."""
    s = Screen()
    kinds = {f.name: type(getattr(s, f.name)) for f in fields(Screen) if f.name != "prompt"}
    clean = {}
    for name, value in values.items():
        if name == "prompt":
            clean[name] = None if value is None else str(value)
        elif name in kinds and value is not None:
            kind = kinds[name]
            try:
                clean[name] = int(round(float(value))) if kind is int else kind(value)
            except (TypeError, ValueError):
                continue
    return replace(s, **clean)


ACTION_OF_TARGET = {  # an intervention spec's target -> the Intervene view's action
    "f": "pin_forget",
    "i": "pin_input",
    "o": "pin_output",
    "g": "zero_candidate",
    "c": "set_cell",
}
TARGET_OF_ACTION = {v: k for k, v in ACTION_OF_TARGET.items()}
_RANGES = re.compile(r"^\d{1,6}(-\d{0,6})?( \d{1,6}(-\d{0,6})?)*$")


def parse_intervention(spec: str, limits: Limits = Limits()) -> dict:
    """The Intervene view's controls from a spec like 'layer:1,target:f,value:1,units:10-19,steps:3-'.

    Keys: layer (0-based), target (f, i, o, g, c), value, units ("all", "top10", or unit numbers and
    ranges joined by spaces, e.g. "3 10-19"), steps ("3-" from step 3 on, "2-6", "4"; `start:3` = "3-").
    Missing or unusable parts are left out, so the view keeps its own defaults for them."""
    out: dict = {}
    for part in clean_spec(spec).split(","):
        key, _, raw = part.partition(":")
        key, raw = key.strip(), raw.strip()
        if key == "layer":
            out["layer"] = _whole(raw, 0, 0, max(0, limits.num_layers - 1))
        elif key == "target" and raw in ACTION_OF_TARGET:
            out["action"] = ACTION_OF_TARGET[raw]
        elif key == "value":
            out["value"] = round(_number(raw, 0.0, -100.0, 100.0), 4)
        elif key == "units":
            if raw == "all":
                out["units"] = "all"
            elif raw.startswith("top"):
                out["units"], out["top_n"] = "top", _whole(raw[3:], 10, 1, limits.hidden_dim)
            elif _RANGES.match(raw):
                out["units"], out["unit_list"] = "list", raw.replace(" ", ",")
        elif key == "steps" and _RANGES.match(raw):
            out["steps"] = raw
        elif key == "start":
            out["steps"] = f"{_whole(raw, 0, 0, 10**6)}-"
    if out.get("action") != "set_cell" and "value" in out:
        out["value"] = min(1.0, max(0.0, out["value"]))  # a gate is pinned inside 0..1
    return out


def build_intervention(
    layer: int, action: str, value: float, units: str, unit_list: str, top_n: int, steps: str
) -> str:
    """The spec string for the Intervene view's controls (the inverse of `parse_intervention`)."""
    parts = [f"layer:{int(layer)}", f"target:{TARGET_OF_ACTION.get(action, 'f')}", f"value:{float(value):g}"]
    if units == "top":
        parts.append(f"units:top{int(top_n)}")
    elif units == "list" and _RANGES.match((unit_list or "").replace(",", " ").strip()):
        parts.append("units:" + " ".join((unit_list or "").replace(",", " ").split()))
    else:
        parts.append("units:all")
    if steps and _RANGES.match(steps.strip()):
        parts.append(f"steps:{steps.strip()}")
    return clean_spec(",".join(parts))
