"""Generation speed: words/s for 500 new words after a 50-word prompt (2x256 LSTM, 33,278 words), and
whether a word's cost grows with the prompt (per-word time after a 500-word prompt / after a 10-word one).

Run: python tests/benchmarks/generation.py [--runs 5] [--threads N]. Prints one JSON line of medians;
random weights. Only compare figures taken on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.sampling import advance, generate, make_generator, start_state
from lstmlm.vocab import Vocab

VOCAB_SIZE, HIDDEN, LAYERS = 33_278, 256, 2
NEW_WORDS, PROMPT = 500, 50
SHORT, LONG, PER_WORD_SAMPLE = (
    10,
    500,
    100,
)  # incremental_ratio: prompts of 10 and 500 words, 100 new words each


def per_word_seconds(model: LanguageModel, prompt: list[int], seed: int) -> float:
    """Seconds per new word, the prompt already read (its last word is fed by the first step)."""
    _, state = advance(model, prompt[:-1], start_state(model))
    start = time.perf_counter()
    for _ in generate(model, prompt[-1:], PER_WORD_SAMPLE, generator=make_generator(seed), state=state):
        pass
    return (time.perf_counter() - start) / PER_WORD_SAMPLE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs of each measurement (median reported)"
    )
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = LanguageModel(
        ModelConfig(
            vocab_size=VOCAB_SIZE, embed_dim=HIDDEN, hidden_dim=HIDDEN, num_layers=LAYERS, dropout=0.0
        )
    ).eval()
    model.vocab = Vocab(["<eos>", "<unk>", *(f"w{n}" for n in range(VOCAB_SIZE - 2))])
    ids = torch.randint(2, VOCAB_SIZE, (LONG,), generator=torch.Generator().manual_seed(1)).tolist()

    def words_per_s(seed: int) -> float:
        start = time.perf_counter()
        count = sum(1 for _ in generate(model, ids[:PROMPT], NEW_WORDS, generator=make_generator(seed)))
        return count / (time.perf_counter() - start)

    words_per_s(0)  # warm up
    speeds, short, long = [], [], []
    for run in range(args.runs):  # interleaved, so a change in machine load hits all three alike
        speeds.append(words_per_s(run))
        short.append(per_word_seconds(model, ids[:SHORT], run))
        long.append(per_word_seconds(model, ids[:LONG], run))
    short_ms, long_ms = 1000 * statistics.median(short), 1000 * statistics.median(long)
    print(
        json.dumps(
            {
                "words_per_s": round(statistics.median(speeds), 1),
                "incremental_ratio": round(long_ms / short_ms, 3),
                "best_words_per_s": round(max(speeds), 1),  # the run least disturbed by other processes
                "ms_per_word_after_10": round(short_ms, 3),
                "ms_per_word_after_500": round(long_ms, 3),
                "new_words": NEW_WORDS,
                "prompt_words": PROMPT,
                "runs": args.runs,
                "vocab_size": VOCAB_SIZE,
                "hidden_dim": HIDDEN,
                "num_layers": LAYERS,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
