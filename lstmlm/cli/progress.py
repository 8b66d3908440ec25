"""What `lstmlm train` shows on the terminal: a training Callback that draws a tqdm bar per epoch (loss,
perplexity for a word model or bits per character for a character model, lr, words/s or characters/s) and
prints every validation and message above it, on stderr."""

from __future__ import annotations

import math
import sys

from lstmlm.training.config import loss_figure


def figures(val_ppl: float, unit: str) -> str:
    """The best validation figure of a run (`val_ppl` = e^nats, as `train()` returns it) as the field
    reports it for `unit` tokens (`lstmlm.training.config.loss_figure`)."""
    return "best " + loss_figure(math.log(val_ppl), unit)


class TrainProgressBar:
    """A `train()` callback (on_step / on_eval / on_message); `quiet` keeps the messages, drops the bar.
    `unit` is what one token of the model is ("word" or "character", the tokenizer's `unit`): the bar
    shows the speed as words/s or characters/s."""

    def __init__(self, quiet: bool, unit: str = "word"):
        from tqdm import tqdm

        self.quiet = quiet
        self.chars = unit == "character"
        self.speed = f"{unit}s/s"
        self.bar = None
        self.tqdm = tqdm
        self.epoch = None

    def on_step(self, p) -> None:
        if self.quiet:
            return
        if self.bar is None or self.epoch != p.epoch:
            if self.bar is not None:
                self.bar.close()
            self.bar = self.tqdm(
                total=p.batches,
                initial=p.batch - 1,
                desc=f"epoch {p.epoch}",
                unit="batch",
                dynamic_ncols=True,
            )
            self.epoch = p.epoch
        self.bar.update(1)
        if p.step % 10 == 0:
            self.bar.set_postfix(
                {
                    "loss": f"{p.loss:.3f}",
                    **(
                        {"bpc": f"{p.loss / math.log(2):.3f}"}
                        if self.chars
                        else {"ppl": f"{math.exp(min(p.loss, 50)):.1f}"}
                    ),
                    "lr": f"{p.lr:.2g}",
                    self.speed: f"{p.words_per_s:,.0f}",
                }
            )

    def on_eval(self, r: dict) -> None:
        val = (
            f"val loss {r['val_loss']:.3f} nats ({r['val_loss'] / math.log(2):.3f} bits)/char"
            if self.chars
            else f"val ppl {r['val_ppl']:.2f}"
        )
        self.write(
            f"step {r['step']} epoch {r['epoch']}: train loss {r['train_loss']:.3f}  "
            f"{val}{'  (best, saved)' if r['best'] else ''}  lr {r['lr']:.3g}  "
            f"{r['seconds'] / 60:.1f} min"
        )

    def on_message(self, text: str) -> None:
        self.write(text)

    def write(self, text: str) -> None:
        (self.tqdm.write if self.bar is not None else print)(text, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
