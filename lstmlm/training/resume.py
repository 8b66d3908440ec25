"""The resumable training state in `<run>/resume/`: enough to continue a run exactly where it stopped.

`state-<step>-<id>.safetensors` (named by state.json's `tensors`; `state.safetensors` in older states)
holds tensors: the weights (`model.*`), the optimiser state (`opt.<param>.<name>`),
the random generators (`rng.cpu`, and `rng.cpu.<rank>` / `rng.cuda.<rank>` per process) and the hidden
state carried between BPTT batches (`hidden.<n>`, all columns of the batch, shape (L, batch_size, H)).
`state.json` holds the rest: the position (epoch, batch, step, seconds, best validation loss, lr, ...),
the optimiser's param groups, the model config (`model_config`), the training config (`train_config`),
the run summary (`summary`) and the last training losses (`recent_losses`). States written before
`model_config` / `train_config` existed lack those keys; callers then rely on the settings they are given.

A save writes a new tensors file under a new name, then replaces state.json, which names it: that rename
is the one commit point, so a kill at any moment leaves the old state or the new one, never half of each.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import torch
import torch.distributed as dist
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.model_dir import remove_stale_staged
from lstmlm.training.config import FIXED_ON_RESUME, TrainConfig

RESUME_DIR = "resume"
STATE_JSON, STATE_TENSORS = "state.json", "state.safetensors"


class ResumeError(ValueError):
    """A saved state that does not fit the model, data or settings it is resumed with."""


def has_resume_state(out: str | os.PathLike) -> bool:
    """Whether `out` holds a state that `train(resume=True)` can continue from."""
    return (Path(out) / RESUME_DIR / STATE_JSON).is_file()


def read_resume_meta(out: str | os.PathLike) -> dict:
    """The JSON half of the saved state (position, `model_config`, `train_config`, `summary`, ...)."""
    path = Path(out) / RESUME_DIR / STATE_JSON
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ResumeError(f"{path}: unreadable resume state ({e})") from None


def check_resumable(meta: dict, model_config: ModelConfig, cfg: TrainConfig) -> None:
    """The model and the settings that shape the saved state must be the saved run's."""
    saved_model = meta.get("model_config")
    if saved_model is not None and ModelConfig.from_dict(saved_model) != model_config:
        diff = [k for k, v in model_config.to_dict().items() if saved_model.get(k) != v]
        raise ResumeError(
            f"the saved run's model differs in {', '.join(diff)} "
            f"(saved: {', '.join(f'{k}={saved_model.get(k)}' for k in diff)})"
        )
    saved_train = meta.get("train_config") or {}
    for k in FIXED_ON_RESUME:
        if k in saved_train and saved_train[k] != getattr(cfg, k):
            flag = "--" + k.replace("_", "-")
            raise ResumeError(f"the saved run used {flag} {saved_train[k]}; it cannot change on resume")


def save_resume(
    out: Path,
    model: LanguageModel,
    optimizer: torch.optim.Optimizer,
    hidden,
    meta: dict,
    rank: int = 0,
    world: int = 1,
    average: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write the state atomically per file (tensors first, then the JSON that points at them); every
    rank must call this under torchrun (hidden states and generators are gathered), only rank 0 writes.
    `average`: the weight average's tensors (`WeightAverage.state`), kept as they are named."""
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    mine = {
        "hidden": [h.detach().cpu() for h in hidden],
        "rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state() if torch.cuda.is_available() and hidden[0].is_cuda else None,
    }
    ranks = [mine]
    if world > 1:
        ranks = [None] * world
        dist.all_gather_object(ranks, mine)
    if rank != 0:
        return
    tied = model.config.tie_weights and model.config.softmax == "full"
    tensors = {
        f"model.{k}": v.detach().cpu().contiguous()
        for k, v in model.state_dict().items()
        if not (tied and k == "decoder.weight")
    }  # the same tensor as embedding.weight
    opt = optimizer.state_dict()
    for pid, s in opt["state"].items():
        for k, v in s.items():  # safetensors cannot hold 0-d tensors: store (1,), remember which
            tensors[f"opt.{pid}.{k}"] = v.detach().cpu().reshape(-1) if v.dim() == 0 else v.detach().cpu()
    tensors |= average or {}
    tensors["rng.cpu"] = ranks[0]["rng"]
    for r, payload in enumerate(ranks):
        if r:
            tensors[f"rng.cpu.{r}"] = payload["rng"]
        if payload["cuda_rng"] is not None:
            tensors[f"rng.cuda.{r}"] = payload["cuda_rng"]
    for n in range(len(hidden)):  # (L, batch_size, H): every rank's columns, in rank order
        tensors[f"hidden.{n}"] = torch.cat([p["hidden"][n] for p in ranks], dim=1).contiguous()
    meta = dict(
        meta,
        param_groups=opt["param_groups"],
        opt_scalar_keys={
            str(pid): [k for k, v in s.items() if v.dim() == 0] for pid, s in opt["state"].items()
        },
    )
    d = out / RESUME_DIR
    d.mkdir(parents=True, exist_ok=True)
    remove_stale_staged(d)
    name = f"state-{meta['step']}-{uuid.uuid4().hex[:8]}.safetensors"  # a new name: the old file stays valid
    meta["tensors"] = name
    tmp = d / (STATE_JSON + f".tmp-{os.getpid()}")
    try:
        save_file(tensors, str(d / name), metadata={"step": str(meta["step"])})
        tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(tmp, d / STATE_JSON)  # the commit: state.json now names the new tensors
    except BaseException:
        tmp.unlink(missing_ok=True)
        (d / name).unlink(missing_ok=True)
        raise
    for old in d.glob("state*.safetensors"):  # earlier states' tensors (and a killed save's)
        if old.name != name:
            old.unlink(missing_ok=True)


def load_average(out: Path, meta: dict) -> dict[str, torch.Tensor]:
    """The weight average's tensors in the state `meta` (read_resume_meta) names ({} if it has none)."""
    tensors = load_file(str(out / RESUME_DIR / meta.get("tensors", STATE_TENSORS)))
    return {k: v for k, v in tensors.items() if k.startswith("avg.") or k == "avg_steps"}


def load_resume(
    out: Path,
    model: LanguageModel,
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    batch_size: int,
    rank: int = 0,
    world: int = 1,
):
    """Restore weights, optimiser and generators in place; returns (meta, this rank's hidden state)."""
    d = out / RESUME_DIR
    meta = read_resume_meta(out)
    name = meta.get("tensors", STATE_TENSORS)
    try:
        with safe_open(str(d / name), framework="pt") as f:
            step = (f.metadata() or {}).get("step")
    except (OSError, SafetensorError) as e:
        raise ResumeError(f"{d / name}: unreadable resume state ({e})") from None
    if step is not None and int(step) != meta["step"]:
        raise ResumeError(
            f"{d}: {name} (step {step}) and {STATE_JSON} (step {meta['step']}) "
            "disagree; the state was torn by a kill while saving"
        )
    tensors = load_file(str(d / name))
    try:
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, strict=False)
    except RuntimeError as e:
        first = [line.strip() for line in str(e).splitlines() if line.strip()][-1]
        raise ResumeError(
            f"the saved weights do not fit this model; resume with the original model settings "
            f"and data ({first})"
        ) from None
    opt_state: dict = {}
    for k, v in tensors.items():
        if k.startswith("opt."):
            _, pid, name = k.split(".", 2)
            scalar = name in meta["opt_scalar_keys"].get(pid, [])
            opt_state.setdefault(int(pid), {})[name] = v.reshape(()) if scalar else v.to(device)
    try:
        optimizer.load_state_dict({"state": opt_state, "param_groups": meta["param_groups"]})
    except ValueError as e:
        raise ResumeError(f"the saved optimiser state does not fit: {e}") from None
    torch.set_rng_state(tensors.get(f"rng.cpu.{rank}", tensors["rng.cpu"]) if rank else tensors["rng.cpu"])
    if device.type == "cuda" and f"rng.cuda.{rank}" in tensors:
        torch.cuda.set_rng_state(tensors[f"rng.cuda.{rank}"], device)
    hidden = [tensors[f"hidden.{n}"] for n in range(2) if f"hidden.{n}" in tensors]
    if hidden[0].size(1) != batch_size:
        raise ResumeError(
            f"the saved hidden state has {hidden[0].size(1)} columns; resume with --batch-size "
            f"{hidden[0].size(1)}"
        )
    per_rank = batch_size // world
    hidden = [h[:, rank * per_rank : (rank + 1) * per_rank].contiguous().to(device) for h in hidden]
    return meta, (tuple(hidden) if len(hidden) == 2 else hidden[0])
