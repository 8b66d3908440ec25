"""Everyday prompts: how often a word model's top 5 next words hold a word a person would accept after 40
everyday sentence starts (tests/benchmarks/everyday.json), and how often `<unk>` is its top word.

Run: python tests/benchmarks/everyday.py [--model NAME|DIR ...] [--details]. Scores every bundled word model
and each --model; prints one JSON line: per model the share of prompts answered (an accepted word in the top
5), the share with `<unk>` as the top word, and the prompt words the model reads as `<unk>`. --details also
prints each prompt's top 5 words to stderr ("+" before an accepted word; "!" when `<unk>` is first).
The numbers are the raw model's (before the run-time mask that hides `<unk>` and listed words), each prompt
read from a line start as the playground reads it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lstmlm.bundled import bundled_model_dirs, resolve_model
from lstmlm.checkpoint import load_model
from lstmlm.model import LanguageModel
from lstmlm.sampling import advance, start_state, top_words

PROMPTS_FILE = Path(__file__).with_name("everyday.json")
UNK = "<unk>"


def load_prompts(path: Path = PROMPTS_FILE) -> tuple[list[dict], int]:
    """The prompts ({"prompt", "accept"}) and k (how many top words count) from an everyday.json file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["prompts"], int(data.get("k", 5))


def score_model(model: LanguageModel, prompts: list[dict], k: int = 5) -> dict:
    """Per prompt: the top-k next words of the raw model and whether one is accepted; and the shares."""
    vocab, start = model.vocab, start_state(model)
    rows = []
    for item in prompts:
        enc = vocab.encode_text(item["prompt"])
        log_probs, _ = advance(model, enc.ids, start)
        top = top_words(log_probs, vocab, k)
        accepted = {w.lower() for w in item["accept"]}
        rows.append(
            {
                "prompt": item["prompt"],
                "top": top.words,
                "probs": [round(p, 4) for p in top.probs],
                "answered": any(w.lower() in accepted for w in top.words),
                "unk_first": top.words[0] == UNK,
                "unknown_words": enc.unknown_words,
            }
        )
    n = len(rows)
    return {
        "prompts": n,
        "answered": sum(r["answered"] for r in rows),
        "answered_share": round(sum(r["answered"] for r in rows) / n, 3),
        "unk_first": sum(r["unk_first"] for r in rows),
        "unk_first_share": round(sum(r["unk_first"] for r in rows) / n, 3),
        "unknown_prompt_words": sorted({w for r in rows for w in r["unknown_words"]}),
        "rows": rows,
    }


def word_models(extra: list[str]) -> list[Path]:
    """Every bundled model that reads words, then each --model (characters models are left out)."""
    found = [d for d in bundled_model_dirs() if _reads_words(d)]
    for value in extra:
        path = resolve_model(value)
        if path not in found:
            found.append(path)
    return found


def _reads_words(directory: Path) -> bool:
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    return config.get("tokenizer", "wikitext") != "chars"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="also score this model (name or folder)")
    parser.add_argument("--prompts", type=Path, default=PROMPTS_FILE, help="prompts file (everyday.json)")
    parser.add_argument("--details", action="store_true", help="print each prompt's top words first")
    args = parser.parse_args()
    prompts, k = load_prompts(args.prompts)
    summary = {}
    for directory in word_models(args.model):
        model = load_model(directory)
        result = score_model(model, prompts, k)
        rows = result.pop("rows")
        summary[directory.name] = result
        if args.details:
            print(f"== {directory.name}: {result['answered']}/{result['prompts']} answered", file=sys.stderr)
            for r in rows:
                accepted = {
                    w.lower() for w in next(p for p in prompts if p["prompt"] == r["prompt"])["accept"]
                }
                words = " ".join(("+" if w.lower() in accepted else "") + w for w in r["top"])
                flag = "!" if r["unk_first"] else ("ok" if r["answered"] else "--")
                print(f"{flag:>2}  {r['prompt']:<45} -> {words}", file=sys.stderr)
    print(json.dumps({"k": k, "models": summary}))


if __name__ == "__main__":
    main()
