"""`lstmlm train --max-minutes M` with nothing tuned against the reference recipe, for the same wall time.

The reference is the PyTorch examples word_language_model recipe, written here from its description:
2-layer LSTM of 200 units (embedding 200, untied), full softmax, dropout 0.2, plain SGD at lr 20, gradient
norm clipped to 0.25, batch 20, bptt 35, the state carried from window to window, lr / 4 whenever the
validation loss does not improve. One epoch of it is timed (its training and its validation), then
`lstmlm train` gets exactly that time as `--max-minutes` (and `--threads`, so both use the same cores) and
nothing else: everything else is its automatic choice (lstmlm/training/autosize.py). Both run one after
the other in
this process with the same torch thread count, and are scored on the same test slice, with the same
tokenizer and the same vocabulary (the one `lstmlm train` chooses for the training slice, which the
reference is given too, so neither side reads more words as <unk>: the script checks the two are equal).

Corpus (not WikiText-2, which the defaults came from): the first --lines lines of storybooks train.txt for
training, the first --eval-lines of valid.txt / test.txt for validation / test (whole paragraphs a line).

    nice -n 10 python tests/benchmarks/budget_vs_reference.py --lines 12000 --threads 1

prints one JSON line: {"ref_ppl", "ours_ppl", "ratio" (ours / reference; goal <= 0.9), "minutes", ...}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

from lstmlm import load_model
from lstmlm.cli import main as lstmlm_main
from lstmlm.data import Corpus, batch_starts, batchify, get_batch, ids_tensor, read_tokens
from lstmlm.model import LanguageModel, ModelConfig, detach_state
from lstmlm.safewords import is_hidden
from lstmlm.tokenizers import WIKITEXT
from lstmlm.training.autosize import auto_vocabulary
from lstmlm.training.loop import evaluate

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "storybooks"


def write_slices(folder: Path, data: Path, lines: int, eval_lines: int) -> dict[str, Path]:
    """The first `lines` of train.txt and the first `eval_lines` of valid.txt / test.txt, in `folder`."""
    paths = {}
    for split, n in (("train", lines), ("valid", eval_lines), ("test", eval_lines)):
        with open(data / f"{split}.txt", encoding="utf-8") as f:
            head = [line for _, line in zip(range(n), f, strict=False)]
        paths[split] = folder / f"{split}.txt"
        paths[split].write_text("".join(head), encoding="utf-8")
    return paths


def reference_epoch(corpus: Corpus, seed: int) -> tuple[LanguageModel, float, float]:
    """One epoch of the reference recipe: (model, wall seconds incl. its validation, validation loss)."""
    torch.manual_seed(seed)
    config = ModelConfig(
        vocab_size=len(corpus.vocab), embed_dim=200, hidden_dim=200, num_layers=2, dropout=0.2,
        tie_weights=False, softmax="full",
    )  # fmt: skip
    model = LanguageModel(config)  # uniform(-0.1, 0.1) embedding and decoder, zero decoder bias
    lr, bptt, best = 20.0, 35, math.inf
    start = time.monotonic()
    train_data = batchify(corpus.train, 20)  # (T, 20)
    valid_data = batchify(corpus.valid, 10)
    model.train()
    state = model.init_state(20)
    for i in batch_starts(train_data, bptt):
        inputs, targets = get_batch(train_data, i, bptt)
        state = detach_state(state)
        model.zero_grad()
        features, state = model(inputs, state)
        model.loss(features, targets).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-lr)
    val_loss, _ = evaluate(model, valid_data, bptt)
    if val_loss >= best:  # the recipe's annealing (never applies after one epoch)
        lr /= 4.0
    return model, time.monotonic() - start, val_loss


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help="storybooks folder (train/valid/test.txt)")
    ap.add_argument("--lines", type=int, default=12000, help="training lines (paragraphs) to use")
    ap.add_argument("--eval-lines", type=int, default=2000, help="validation and test lines to use")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for both sides")
    ap.add_argument("--seed", type=int, default=1111)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_slices(Path(tmp), args.data, args.lines, args.eval_lines)

        def read(max_vocab: int) -> Corpus:  # as `lstmlm train --train ... --valid ...` reads them
            return Corpus.from_raw_text(
                paths["train"], paths["valid"], tokenizer=WIKITEXT, max_vocab=max_vocab, exclude=is_hidden
            )

        corpus, max_vocab, _ = auto_vocabulary(read)
        test_ids = ids_tensor(corpus.vocab, read_tokens(paths["test"], tokenizer=WIKITEXT))
        test_data = batchify(test_ids, 10)  # the standard protocol: batch 10, bptt 35, state carried

        ref_model, ref_seconds, ref_val = reference_epoch(corpus, args.seed)
        ref_test, _ = evaluate(ref_model, test_data, 35)
        minutes = ref_seconds / 60
        print(f"reference: one epoch {minutes:.2f} min, test ppl {math.exp(ref_test):.1f}", file=sys.stderr)

        out = Path(tmp) / "ours"
        argv = ["train", "--train", str(paths["train"]), "--valid", str(paths["valid"]), "--out", str(out)]
        argv += ["--max-minutes", f"{minutes:.4f}", "--threads", str(args.threads), "--quiet"]
        start = time.monotonic()
        if lstmlm_main(argv) != 0:
            print("lstmlm train failed", file=sys.stderr)
            return 1
        ours_seconds = time.monotonic() - start
        ours = load_model(out)
        if ours.vocab.words != corpus.vocab.words:
            print("the two vocabularies differ: the comparison would not be fair", file=sys.stderr)
            return 1
        ours_test, _ = evaluate(ours, test_data, 35)
        info = ours.info["training"]
        chosen = {k: v["value"] for k, v in info.get("auto_choices", {}).items() if "value" in v}
    result = {
        "ref_ppl": round(math.exp(ref_test), 2),
        "ours_ppl": round(math.exp(ours_test), 2),
        "ratio": round(math.exp(ours_test - ref_test), 3),
        "minutes": round(minutes, 2),
        "ours_minutes_total": round(ours_seconds / 60, 2),  # incl. reading the corpus twice and the probe
        "ref_val_ppl": round(math.exp(ref_val), 2),
        "train_words": corpus.train.numel(),
        "test_words": test_ids.numel(),
        "vocab_size": len(corpus.vocab),
        "max_vocab": max_vocab,
        "ours_words_processed": info.get("words_processed"),
        "ours_choices": chosen,
        "threads": args.threads,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
