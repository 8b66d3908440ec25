"""Training under `torchrun`: DistributedDataParallel, each rank on its own columns of the batch.

What the loop needs to know is here: which rank this process is, the GPU it takes, the one-forward loss
module DDP can follow, and the few collectives that keep every rank's decisions (stop, improvement, loss
shown) the same. In a single process (world size 1) every function is a no-op.
"""

from __future__ import annotations

import os

import torch
import torch.distributed as dist

from lstmlm.model import LanguageModel


def rank_and_world() -> tuple[int, int]:
    """(rank, world size): (0, 1) outside torchrun."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def rank_device(device: torch.device, world_size: int) -> torch.device:
    """Under torchrun each rank takes its own GPU (LOCAL_RANK); a CPU or single-process run keeps `device`."""
    if device.type == "cuda" and world_size > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    return device


class BatchLoss(torch.nn.Module):
    """model(inputs) and model.loss as ONE forward: DistributedDataParallel only follows parameters used
    inside forward, and the adaptive softmax leaves a tail cluster unused when no target falls in it.

    forward -> (loss: mean nats per target, penalty: ar x mean(h^2) of the top layer's output after dropout
    + tar x mean((h_t - h_{t-1})^2) before it (AR/TAR, Merity et al. 2017; 0 when both are 0), state)."""

    def __init__(self, model: LanguageModel, ar: float = 0.0, tar: float = 0.0):
        super().__init__()
        self.model, self.ar, self.tar = model, ar, tar

    def forward(self, inputs: torch.Tensor, state, targets: torch.Tensor):
        features, raw, state = self.model.forward_parts(inputs, state)  # (T, B, H) after / before dropout
        penalty = features.new_zeros(())
        if self.ar:
            penalty = penalty + self.ar * features.pow(2).mean()
        if self.tar and raw.size(0) > 1:
            penalty = penalty + self.tar * (raw[1:] - raw[:-1]).pow(2).mean()
        return self.model.loss(features, targets), penalty, state


def loss_module(model: LanguageModel, world_size: int, ar: float = 0.0, tar: float = 0.0) -> torch.nn.Module:
    """BatchLoss (with AR/TAR weights `ar`, `tar`), wrapped in DistributedDataParallel under torchrun."""
    net: torch.nn.Module = BatchLoss(model, ar, tar)
    if world_size > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            net, find_unused_parameters=model.config.softmax == "adaptive"
        )
    return net


def max_over_ranks(code: int, device: torch.device, world_size: int) -> int:
    """The largest `code` of all ranks (so that all stop at the same step, or they would hang)."""
    if world_size > 1:
        flag = torch.tensor([code], device=device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        code = int(flag.item())
    return code


def from_rank0(value: float, device: torch.device, world_size: int) -> float:
    """Rank 0's `value` on every rank (rank 0 decides what counts as an improvement, for everyone)."""
    if world_size > 1:
        shared = torch.tensor([value], dtype=torch.float64, device=device)
        dist.broadcast(shared, 0)
        value = shared.item()
    return value


def mean_over_ranks(value: torch.Tensor, world_size: int) -> torch.Tensor:
    """The mean of `value` over all ranks, in place."""
    if world_size > 1:
        dist.all_reduce(value)
        value /= world_size
    return value


def barrier(world_size: int) -> None:
    """Wait for every rank (under torchrun)."""
    if world_size > 1:
        dist.barrier()
