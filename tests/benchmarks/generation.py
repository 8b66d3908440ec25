"""Generation speed: words/s for 500 new words after a 50-word prompt (batch 1) with a bundled model, on the
fast path (`sampling.generate`, two-stage adaptive softmax) and on the full-distribution path (fast=False),
whether the two give the same words for the same seed, and whether a word's cost grows with the prompt
(incremental_ratio: time per new word for 100 words, reading the prompt included, after a 500-word prompt
/ after a 10-word one; the prompt's reading time alone is reported beside it).

Run: python tests/benchmarks/generation.py [--model NAME|DIR] [--runs 5] [--threads N]. Prints one JSON line
of medians. The model is the default bundled one unless --model names another. Settings: the sampler's
defaults (temperature 1, no top-k / top-p, <unk> and listed words masked) and the Generate view's (0.8, 40,
0.95). Only compare figures taken on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from lstmlm.bundled import resolve_model
from lstmlm.checkpoint import load_model
from lstmlm.model import LanguageModel
from lstmlm.sampling import advance, generate, make_generator, start_state

NEW_WORDS, PROMPT = 500, 50
SHORT, LONG, PER_WORD_SAMPLE = 10, 500, 100  # incremental_ratio: prompts of 10 and 500 words, 100 new words
SETTINGS = {"default": (1.0, 0, 1.0), "playground": (0.8, 40, 0.95)}  # temperature, top_k, top_p
TEXT = (
    "The old house stood at the end of the lane , and every morning the children walked past it on their way "
    "to school . Nobody had lived there for years , but one day in the spring a light appeared in the window "
    "of the room at the top of the stairs , and the youngest of the children said that she had seen a face "
    "looking down at her from behind the glass ."
)


def prompt_ids(model: LanguageModel, n: int) -> list[int]:
    """The first n ids of TEXT (repeated as needed) in the model's vocabulary."""
    ids = model.vocab.encode_text(TEXT).ids
    return (ids * (n // len(ids) + 1))[:n]


def per_word_seconds(model: LanguageModel, prompt: list[int], seed: int) -> tuple[float, float]:
    """(seconds per new word, reading the prompt included; seconds to read the prompt alone). The whole
    prompt goes to `generate` from a line start, as the Generate view sends it: a generator that re-read
    the prompt for every word would make the first figure grow with the prompt's length."""
    start = time.perf_counter()
    for _ in generate(
        model, prompt, PER_WORD_SAMPLE, generator=make_generator(seed), state=start_state(model)
    ):
        pass
    per_word = (time.perf_counter() - start) / PER_WORD_SAMPLE
    start = time.perf_counter()
    advance(model, prompt, start_state(model))
    return per_word, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", default=None, help="model directory or bundled name (default: the default)"
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs of each measurement (median reported)"
    )
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model_dir = resolve_model(args.model)
    model = load_model(model_dir).eval()
    ids = prompt_ids(model, LONG)

    def run(seed: int, settings: tuple, fast: bool) -> tuple[float, list[int]]:
        start, cpu = time.perf_counter(), time.process_time()
        words = [
            w.id for w in generate(model, ids[:PROMPT], NEW_WORDS, *settings, make_generator(seed), fast=fast)
        ]
        cpu_seconds[fast] += time.process_time() - cpu
        return len(words) / (time.perf_counter() - start), words

    cpu_seconds = {True: 0.0, False: 0.0}
    run(0, SETTINGS["default"], True)  # warm up
    cpu_seconds = {True: 0.0, False: 0.0}  # not counting the warm-up
    speeds = {(name, fast): [] for name in SETTINGS for fast in (True, False)}
    first_differences, short, long, read_short, read_long = [], [], [], [], []
    for seed in range(args.runs):  # interleaved, so a change in machine load hits all of them alike
        for name, settings in SETTINGS.items():
            fast_speed, fast_words = run(seed, settings, True)
            full_speed, full_words = run(seed, settings, False)
            speeds[name, True].append(fast_speed)
            speeds[name, False].append(full_speed)
            # one word drawn differently (u within float rounding of a boundary) changes the rest of the text
            differ = [n for n, (a, b) in enumerate(zip(fast_words, full_words, strict=True)) if a != b]
            first_differences += differ[:1]
        for prompt, per_word, read in ((ids[:SHORT], short, read_short), (ids[:LONG], long, read_long)):
            word_s, read_s = per_word_seconds(model, prompt, seed)
            per_word.append(word_s)
            read.append(read_s)
    short_ms, long_ms = 1000 * statistics.median(short), 1000 * statistics.median(long)

    def median(name: str, fast: bool) -> float:
        return round(statistics.median(speeds[name, fast]), 1)

    print(
        json.dumps(
            {
                "words_per_s": median("default", True),
                "words_per_s_full_path": median("default", False),
                "words_per_s_playground_settings": median("playground", True),
                "words_per_s_playground_settings_full_path": median("playground", False),
                "best_words_per_s": round(max(speeds["default", True]), 1),  # the least disturbed run
                # both settings per CPU second (all threads): less disturbed by other processes
                "words_per_cpu_s": round(NEW_WORDS * args.runs * len(SETTINGS) / cpu_seconds[True], 1),
                "words_per_cpu_s_full_path": round(
                    NEW_WORDS * args.runs * len(SETTINGS) / cpu_seconds[False], 1
                ),
                "runs_with_the_same_words": f"{args.runs * len(SETTINGS) - len(first_differences)}"
                f"/{args.runs * len(SETTINGS)}",  # fast vs full path, same seed
                "first_differences": first_differences,  # word index where a run's texts part
                # per new word, reading the prompt included: after a 500-word prompt / after a 10-word one
                "incremental_ratio": round(long_ms / short_ms, 3),
                "ms_per_word_after_10": round(short_ms, 3),
                "ms_per_word_after_500": round(long_ms, 3),
                "ms_to_read_10": round(1000 * statistics.median(read_short), 3),  # the prompt alone
                "ms_to_read_500": round(1000 * statistics.median(read_long), 3),
                "new_words": NEW_WORDS,
                "prompt_words": PROMPT,
                "runs": args.runs,
                "model": model_dir.name,
                "vocab_size": model.config.vocab_size,
                "softmax": model.config.softmax,
                "hidden_dim": model.config.hidden_dim,
                "num_layers": model.config.num_layers,
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
