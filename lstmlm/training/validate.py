"""Validate and save: the evaluation on the validation split, the best model directory, `metrics.jsonl`
and the resumable state in `<out>/resume/`, and the error that says what a failed save kept."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict

import torch

from lstmlm.checkpoint import save_model
from lstmlm.data import batch_starts, get_batch
from lstmlm.model import LanguageModel
from lstmlm.training import distributed as ddp
from lstmlm.training.config import METRICS, TrainingSaveError, loss_figure
from lstmlm.training.resume import save_resume
from lstmlm.training.run import TrainingRun


class EvaluationInterrupted(Exception):
    """A stop was requested while `evaluate` ran: it stopped between two windows, with no figure."""


@torch.no_grad()
def evaluate(
    model: LanguageModel,
    data: torch.Tensor,
    bptt: int = 35,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[float, int]:
    """Mean negative log-likelihood (nats/word) over batchified `data` (T, B), state carried through, and
    the number of tokens scored. `should_stop` is asked before each window: True raises
    EvaluationInterrupted (a Ctrl-C need not wait for the whole split)."""
    was_training = model.training
    model.eval()
    state = model.init_state(data.size(1))
    total, count = 0.0, 0
    try:
        for start in batch_starts(data, bptt):
            if should_stop is not None and should_stop():
                raise EvaluationInterrupted
            inputs, targets = get_batch(data, start, bptt)
            features, state = model(inputs, state)
            n = targets.numel()
            total += model.loss(features, targets).item() * n
            count += n
    finally:
        model.train(was_training)
    return total / max(count, 1), count


def validate(run: TrainingRun, train_loss: float) -> bool:
    """Evaluate, save the model when it improved (else anneal the plateau schedule), log the record; True.
    A stop requested during the evaluation (one process only: under torchrun every rank finishes it, as
    they must agree) abandons it: nothing is saved or logged, the position notes it as pending (a resumed
    run does it first, so that it gives the same records as a run never stopped), and it returns False."""
    cfg, position, optimizer = run.cfg, run.position, run.optimizer
    position["pending_validation"] = True
    with averaged(run) as is_average:  # the EMA's weights once it has begun (saved as the model, too)
        try:
            val_loss, _ = evaluate(
                run.model, run.valid_data, cfg.bptt, run.should_stop if run.world == 1 else None
            )
        except EvaluationInterrupted:
            return False
        val_loss = ddp.from_rank0(val_loss, run.device, run.world)  # rank 0 decides what is an improvement
        improved = val_loss < position["best_val_loss"]
        if improved and run.rank == 0:
            save_best(run, math.exp(min(val_loss, 700)), is_average)
    position["evals"] += 1
    position["pending_validation"], position["validated_step"] = False, position["step"]
    record = {
        "step": position["step"],
        "epoch": position["epoch"],
        "train_loss": train_loss,
        "val_loss": val_loss,
        "val_ppl": math.exp(min(val_loss, 700)),
        "lr": optimizer.param_groups[0]["lr"],
        "seconds": round(run.elapsed(), 1),
        "words": position["words"],
        "best": improved,
    }
    if improved:
        position["best_val_loss"] = val_loss  # only once saved: a resumed run then saves it again
    elif cfg.schedule == "plateau":  # anneal
        for g in optimizer.param_groups:
            g["lr"] *= cfg.lr_decay
    position["lr"] = optimizer.param_groups[0]["lr"]
    if run.rank == 0:
        try:
            with open(run.out / METRICS, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        except OSError as e:
            raise save_failed(run, e, f"append to {METRICS} in") from e
    for cb in run.callbacks:
        cb.on_eval(record)
    return True


def averaged(run: TrainingRun):
    """A context in which run.model holds the averaged weights (yields True) or its own (False)."""
    return run.average.swapped_in() if run.average is not None else nullcontext(False)


def save_best(run: TrainingRun, val_ppl: float, is_average: bool = False) -> None:
    """Write the model directory in `run.out`, with what the run has done so far in its config
    (`is_average`: the weights are the EMA's, over its `steps` updates)."""
    position, cfg = run.position, run.cfg
    info = dict(
        run.summary or {},
        **({"weights": f"EMA over the last {run.average.steps} steps"} if is_average else {}),
        epochs=position["epoch"] - 1 + position["batch"] / len(run.starts),
        steps=position["step"],
        words_processed=position["words"],
        val_perplexity=val_ppl,
        train_seconds=round(run.elapsed(), 1),
        train_config=asdict(cfg),
    )
    try:
        save_model(run.out, run.model, run.corpus.vocab, info, dtype=getattr(torch, cfg.save_dtype))
    except OSError as e:
        raise save_failed(run, e, "save the best model in") from e


def save_state(run: TrainingRun) -> None:
    """The resumable state in out/resume (every rank calls this under torchrun)."""
    run.position["seconds"] = run.elapsed()
    run.position["lr"] = run.optimizer.param_groups[0]["lr"]  # scheduled too: a pending validation logs it
    meta = dict(
        run.position,
        recent_losses=run.recent_losses,
        model_config=run.model_config.to_dict(),
        train_config=asdict(run.cfg),
        summary=run.summary or {},
        world_size=run.world,
    )
    average = run.average.state() if run.average is not None else None
    save_resume(run.out, run.model, run.optimizer, run.state, meta, run.rank, run.world, average)


def save_failed(run: TrainingRun, error: OSError, what: str) -> TrainingSaveError:
    """Say what failed and why, and keep the training state if it can still be written."""
    best = run.position["best_val_loss"]
    kept = (
        f"The best model saved before ({loss_figure(best, run.corpus.vocab.tokenizer.unit)}) is intact."
        if math.isfinite(best)
        else "No model had been saved yet."
    )
    if run.world == 1:  # under torchrun the other ranks are not here to gather the state
        try:
            save_state(run)
            kept += f" The training state is in {run.out / 'resume'}: make room, then continue with --resume."
        except OSError as e2:
            kept += f" The training state could not be saved either ({e2.strerror or e2})."
    return TrainingSaveError(f"cannot {what} {run.out}: {error.strerror or error}. {kept}")
