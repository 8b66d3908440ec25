"""The unit atlas: for every unit of every layer, the contexts of a corpus where it is most
positive and most negative (as in LSTMVis, precomputed so the playground can show them offline).

Built once per model by `lstmlm index --model DIR --data FILE` into `DIR/atlas.json.gz` (gzip'd JSON).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

import torch

from .data import batchify, read_tokens
from .model import LanguageModel
from .trace import trace

ATLAS = "atlas.json.gz"
SIGNALS = ("c", "h")


@torch.no_grad()
def build_atlas(
    model: LanguageModel, tokens: list[str], top: int = 5, context: int = 12, after: int = 3,
    batch_size: int = 10, bptt: int = 35, progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Scan `tokens` with the state carried through; keep each unit's `top` highest and lowest c and h."""
    ids = torch.tensor(model.vocab.encode(tokens).ids, dtype=torch.long)
    data = batchify(ids, batch_size)  # (T, B); column b holds tokens [b*T, (b+1)*T)
    steps, B = data.shape
    L, H = model.config.num_layers, model.config.hidden_dim
    # best[(layer, signal, sign)] = (values (top, H), positions (top, H)), sign +1 = highest, -1 = lowest
    best: dict[tuple[int, str, int], tuple[torch.Tensor, torch.Tensor]] = {}
    state = model.init_state(B)
    for start in range(0, steps, bptt):
        chunk = data[start : start + bptt]
        tr = trace(model, chunk, state, log_probs=False)
        state = tr.state
        T = chunk.size(0)
        pos = (torch.arange(B)[None, :] * steps + start + torch.arange(T)[:, None]).reshape(-1)  # (T*B,)
        for layer, lt in enumerate(tr.layers):
            for signal in SIGNALS:
                values = lt.get(signal).reshape(T * B, H)
                for sign in (1, -1):
                    v, p = sign * values, pos[:, None].expand(-1, H)
                    if (layer, signal, sign) in best:
                        bv, bp = best[(layer, signal, sign)]
                        v, p = torch.cat([bv, v]), torch.cat([bp, p])
                    k = min(top, v.size(0))
                    tv, ti = v.topk(k, dim=0)  # (k, H)
                    best[(layer, signal, sign)] = (tv, p.gather(0, ti))
        if progress:
            progress(min(start + bptt, steps), steps)

    def snippet(p: int) -> dict:
        lo = max(0, p - context)
        return {"before": " ".join(tokens[lo:p]), "word": tokens[p], "after": " ".join(tokens[p + 1 : p + 1 + after])}

    layers = []
    for layer in range(L):
        units = []
        for u in range(H):
            entry = {}
            for signal in SIGNALS:
                for sign, name in ((1, "high"), (-1, "low")):
                    tv, tp = best[(layer, signal, sign)]
                    entry[f"{signal}_{name}"] = [
                        dict(snippet(int(tp[j, u])), value=round(sign * float(tv[j, u]), 4))
                        for j in range(tv.size(0))
                    ]
            units.append(entry)
        layers.append(units)
    return {"version": 1, "words_scanned": steps * B, "top": top, "layers": layers}


def save_atlas(model_dir: str | os.PathLike, atlas: dict, source: str) -> Path:
    """Write DIR/atlas.json.gz atomically."""
    path = Path(model_dir) / ATLAS
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    text = json.dumps(dict(atlas, source=source), ensure_ascii=False, separators=(",", ":"))
    tmp.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    os.replace(tmp, path)
    return path


def load_atlas(model_dir: str | os.PathLike) -> dict | None:
    """The atlas of a model directory, or None when it has none (or an unreadable one)."""
    path = Path(model_dir) / ATLAS
    try:
        atlas = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    except (OSError, ValueError, EOFError):
        return None
    return atlas if isinstance(atlas, dict) and atlas.get("version") == 1 else None


def index_file(model: LanguageModel, path: str | os.PathLike, **kw) -> dict:
    """Build the atlas over a tokenized corpus file (e.g. WikiText-2 valid.txt)."""
    return build_atlas(model, read_tokens(path), **kw)
