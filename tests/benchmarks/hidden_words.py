"""Classroom-safe words, measured (issue 21): for every bundled model, how many words of the classroom list
(lstmlm/wordlists/hidden_words.txt) its vocabulary holds, and how many of them it produces in 20,000 words
generated at temperature 1.0 (seeded, from a line start, with the run-time mask on as the app and CLI run it).
The listed words produced must be 0; so must `<unk>` (never drawn unless asked).

The words are counted from the generated strings with `is_hidden` (case-insensitive, whole tokens), not from
the mask's ids, so a mask that missed a word would show here.

Run: python tests/benchmarks/hidden_words.py [--words 20000] [--seed 0] [--model NAME|DIR ...]. Prints one
JSON line; exit status 1 if any model produced a listed word or <unk>. No words are printed, only counts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import torch

from lstmlm.bundled import bundled_model_dirs, resolve_model
from lstmlm.checkpoint import load_model
from lstmlm.safewords import blocked_ids, hidden_ids, hide_in_text, hiding, is_hidden
from lstmlm.sampling import generate, make_generator
from lstmlm.vocab import UNK


def check_model(directory: Path, words: int, seed: int) -> dict:
    """The vocabulary's listed words and what `words` generated words at temperature 1 contain (counts)."""
    model = load_model(directory)
    vocab = model.vocab
    listed = hidden_ids(vocab.words)
    start = time.perf_counter()
    produced_listed = produced_unk = 0
    tokens = []
    for gw in generate(model, [], words, 1.0, 0, 1.0, make_generator(seed)):
        produced_listed += is_hidden(gw.word)
        produced_unk += gw.word == UNK
        tokens.append(gw.word)
    seconds = time.perf_counter() - start
    # A character model has no word to mask, but it can spell one: count the listed words in the text as
    # joined, and check that the text as shown (hide_in_text, as the app and CLI show it) holds none.
    text = vocab.tokenizer.detokenize(tokens)
    shown, spelled = hide_in_text(text)
    left = sum(is_hidden(w) for w in re.findall(r"\w+", shown))
    return {
        "spelled_in_text": spelled,  # listed words in the joined text, before the display filter
        "listed_shown": left,  # after it: must be 0
        "vocab_size": len(vocab),
        "listed_in_vocab": len(listed),
        "masked_ids": len(blocked_ids(vocab, allow_unk=False)),  # listed + <unk>
        "generated": words,
        "listed_generated": produced_listed,
        "unk_generated": produced_unk,
        "seconds": round(seconds, 1),
        "words_per_s": round(words / seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--words", type=int, default=20_000, help="words generated per model (default 20000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", nargs="*", default=None, help="models to check (default: every bundled one)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if not hiding():
        print("hidden_words: the classroom filter is off in this process", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    dirs = [resolve_model(m) for m in args.model] if args.model else bundled_model_dirs()
    models = {d.name: check_model(d, args.words, args.seed) for d in dirs}
    ok = all(
        m["listed_generated"] == 0 and m["unk_generated"] == 0 and m["listed_shown"] == 0
        for m in models.values()
    )
    out = {"words": args.words, "seed": args.seed, "temperature": 1.0, "ok": ok, "models": models}
    print(json.dumps(out))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
