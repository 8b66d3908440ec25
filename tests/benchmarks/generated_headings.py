"""Heading lines in the WikiText model's generations (issue 17 item 7), against WikiText-2's own lines.

A WikiText heading line is " = Title = " or " = = Section = = "; its title is the words between the marks.
A generated line looks like a heading without its marks when it is a whole line (after a line break, ended
by one) of at most MAX_TITLE words that does not end like a sentence (. ? ! " )): the script prints the
share of WikiText-2's heading titles and of its body lines that pass this test, then, for N continuations
of W words with the Generate view's settings (temperature 0.8, top-k 40, top-p 0.95, <unk> masked; seed =
prompt number; prompts: the first 10 words of the first N paragraphs of test.txt), in each mode:
  blocked  "=" never drawn (the sampler before heading lines were generated hidden)
  hidden   allow_headings=False: heading lines generated hidden and cut out (sampling.generate)
  allowed  allow_headings=True: the plain sample, "=" lines shown
the whole lines shown, those that look like headings without "=", the "=" shown, the line breaks hidden,
and the median length of the other whole lines (WikiText-2's body lines: median 107 words).

Run: python tests/benchmarks/generated_headings.py [--model DIR] [--data DIR] [--n 30] [--words 100]
[--modes blocked,hidden,allowed] [--show K] [--threads 1].
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

MAX_TITLE = 8
ENDS = {".", "?", "!", '"', ")"}
EOS = "<eos>"


def heading_like(words: list[str]) -> bool:
    return 0 < len(words) <= MAX_TITLE and words[-1] not in ENDS


def whole_lines(tokens: list[str], starts_line: bool) -> list[list[str]]:
    """The lines of a token stream that begin after a line break (or at its start when `starts_line`) and
    end with one; blank lines included as []."""
    out, line, open_ = [], [], starts_line
    for t in tokens:
        if t == EOS:
            if open_:
                out.append(line)
            line, open_ = [], True
        else:
            line.append(t)
    return out


def corpus_figures(path: Path) -> None:
    lines = path.read_text(encoding="utf8").split("\n")
    heads = [l.split() for l in lines if l.split()[:1] == ["="]]
    body = [l.split() for l in lines if l.split() and l.split()[:1] != ["="]]
    titles = [[w for w in h if w != "="] for h in heads]
    tokens = sum(len(l.split()) + 1 for l in lines)
    print(
        f"WikiText-2 train: {len(heads)} heading lines, {len(body)} body lines, {tokens} tokens "
        f"({100 * len(heads) / tokens:.2f} headings per 100 tokens)"
    )
    print(f"  heading titles passing heading_like: {sum(map(heading_like, titles)) / len(titles):.3f}")
    print(f"  body lines passing heading_like: {sum(map(heading_like, body)) / len(body):.3f}")
    blen = sorted(len(b) for b in body)
    print(f"  body line length (words): median {blen[len(blen) // 2]}, mean {sum(blen) / len(blen):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="assets/models/wikitext2-lstm")
    ap.add_argument("--data", default="/work/shared/data/wikitext-2")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--words", type=int, default=100)
    ap.add_argument("--modes", default="blocked,hidden,allowed")
    ap.add_argument("--show", type=int, default=0, help="print the first SHOW continuations of each mode")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ns = ap.parse_args()
    corpus_figures(Path(ns.data) / "train.txt")
    import torch

    from lstmlm import load_model, sampling

    torch.set_num_threads(ns.threads)
    from lstmlm.prompt import read_prompt

    model = load_model(ns.model)
    # prompts: the first 10 words of the first n paragraphs of the test split (each read from a line start)
    paras = [
        l.split()
        for l in (Path(ns.data) / "test.txt").read_text(encoding="utf8").split("\n")
        if len(l.split()) > 40 and l.split()[0] != "="
    ][: ns.n]
    plain_blocked = sampling.blocked_ids

    def with_marks(vocab, allow_unk):  # the sampler before this change: "=" never drawn, anywhere
        return sorted(set(plain_blocked(vocab, allow_unk)) | set(sampling.heading_ids(vocab)))

    for mode in ns.modes.split(","):
        sampling.blocked_ids = with_marks if mode == "blocked" else plain_blocked
        n_lines = n_head = n_marks = n_hidden = 0
        lengths, examples = [], []
        t0 = time.time()
        for seed, para in enumerate(paras):
            prompt = read_prompt(model.vocab, " ".join(para[:10]))
            drawn = sampling.generate(
                model,
                prompt.ids,
                ns.words,
                0.8,
                40,
                0.95,
                sampling.make_generator(seed),
                allow_headings=(mode != "hidden"),
            )  # the Generate view's settings
            gws = list(drawn)
            words = [g.word for g in gws]
            n_hidden += sum(1 for g in gws for i in g.hidden if i == model.vocab.eos_id)
            n_marks += words.count("=")
            lines = [l for l in whole_lines(words, False) if l]
            n_lines += len(lines)
            for l in lines:
                if l[0] == "=":
                    continue
                if heading_like(l):
                    n_head += 1
                    examples.append(" ".join(l))
                else:
                    lengths.append(len(l))
            if seed < ns.show:
                print(
                    f"--- {mode} seed {seed}: {' '.join(para[:10])} | "
                    + " ".join(words).replace(EOS, "\u21b5")
                )
        lengths.sort()
        median = lengths[len(lengths) // 2] if lengths else "-"
        print(
            f"[{mode}] {len(paras)} continuations of {ns.words} words ({time.time() - t0:.0f} s): "
            f"{n_lines} whole lines shown, {n_head} heading-like without '=', {n_marks} '=' shown, "
            f"{n_hidden} line breaks hidden; other whole lines: median {median} "
            f"words, {len(lengths)} lines"
        )
        print(f"[{mode}] heading-like:", examples[:25], flush=True)


if __name__ == "__main__":
    main()
