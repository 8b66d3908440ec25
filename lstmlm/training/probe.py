"""The throughput probe of the automatic settings: a few timed training steps of a candidate size on real
batches (torch), and the one-time optimiser set-up that must stay outside its clock (see `autosize`)."""

from __future__ import annotations

import dataclasses
import time

import torch

from lstmlm.training.autosize import LR

PROBE_STEPS = 3  # timed steps per candidate ...
WARMUP_STEPS = 2  # ... after these (the first steps of a new model are slower: allocator, caches)


def warm_up() -> None:
    """Build one optimiser as train() does, outside any timing: the first fused optimiser of a process
    takes seconds to set up (10 s measured on a loaded machine), once; train() pays it before its clock
    starts, so the probe, which must keep to its share of the budget, should not count it either."""
    from lstmlm.training.config import TrainConfig
    from lstmlm.training.optim import make_optimizer

    make_optimizer(torch.nn.Linear(1, 1), TrainConfig(lr=LR))


def measure_words_per_s(
    settings: dict,
    train_ids: torch.Tensor,
    batch_size: int,
    bptt: int,
    device: torch.device | str = "cpu",
    steps: int = PROBE_STEPS,
) -> float:
    """Training words/s of a model built from `settings` (ModelConfig fields): WARMUP_STEPS steps, then
    `steps` timed Adam steps (forward, backward, clipping, update) on the first batches of `train_ids`."""
    from lstmlm.data import batchify, get_batch
    from lstmlm.model import LanguageModel, ModelConfig
    from lstmlm.training.config import TrainConfig
    from lstmlm.training.optim import make_optimizer

    names = {f.name for f in dataclasses.fields(ModelConfig)}
    config = {k: v for k, v in settings.items() if k in names}
    vocab_size = config["vocab_size"]
    cutoffs = [c for c in config.get("adaptive_cutoffs", ModelConfig.adaptive_cutoffs) if 0 < c < vocab_size]
    if config.get("softmax") == "adaptive" and not cutoffs:  # as the CLI fits them to a small vocabulary
        config["adaptive_cutoffs"] = (max(1, vocab_size // 4),)
    model = LanguageModel(ModelConfig(**config)).to(device)
    model.train()
    optimizer = make_optimizer(model, TrainConfig(lr=LR))  # fused Adam, as train() builds it
    span = (steps + WARMUP_STEPS) * bptt * batch_size + batch_size  # the tokens the probe reads
    repeats = 1 + span // max(train_ids.numel(), 1)  # a corpus shorter than that is read again
    data = batchify(train_ids[:span].repeat(repeats), batch_size).to(device)  # (T, B)
    state = model.init_state(batch_size)
    elapsed, words = 0.0, 0
    for step in range(steps + WARMUP_STEPS):
        start = time.perf_counter()
        inputs, targets = get_batch(data, (step * bptt) % max(data.size(0) - 1, 1), bptt)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        features, state = model(inputs, state)
        model.loss(features, targets).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step >= WARMUP_STEPS:  # the first steps warm up the allocator and kernels
            elapsed += time.perf_counter() - start
            words += targets.numel()
    return words / max(elapsed, 1e-9)
