"""`lstmlm next`, `sample` and `trace`: look inside a model from the command line (the next tokens, words
or characters, after a prompt, a sampled continuation, every gate over a prompt)."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable

from lstmlm.cli.common import add_model_command, fail, load_or_exit
from lstmlm.cli.options import in_range
from lstmlm.safewords import HIDDEN_LABEL, hide_in_json, hide_in_text, showing_all_words
from lstmlm.tokenizers import VISIBLE  # ⏎ and ␣, as the playground draws them

SHOW_ALL_HELP = (
    f"research use: show and sample the words of the classroom list (lstmlm/wordlists/hidden_words.txt) "
    f"instead of masking them and printing {HIDDEN_LABEL!r}"
)


def add_inspect_parsers(sub) -> None:
    """The `next`, `sample` and `trace` subcommands."""
    p = add_model_command(
        sub, "next", help="the most likely next tokens (words, or characters) after a prompt"
    )
    p.add_argument("prompt", help="free text; cut into tokens by the model's tokenizer (its config.json)")
    p.add_argument(
        "-k", "--top", type=in_range(int, 1), default=10, help="how many tokens (words or characters) to show"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--show-all-words", action="store_true", help=SHOW_ALL_HELP)

    p = add_model_command(
        sub,
        "sample",
        help="continue a prompt by sampling",
        description="Continue a prompt, a token (word or character, as the model reads text) at a time. "
        "Temperature 0 always takes the most likely token.",
    )
    p.add_argument("prompt", nargs="?", default="", help="free text (empty: start a new paragraph)")
    p.add_argument(
        "-n",
        "--words",
        type=in_range(int, 1),
        default=40,
        help="how many tokens to generate: words, or characters for a character model (>= 1)",
    )
    p.add_argument(
        "--temperature", type=in_range(float, 0), default=1.0, help="0 = always the most likely (>= 0)"
    )
    p.add_argument(
        "--top-k", type=in_range(int, 0), default=0, help="sample from the k most likely tokens (0 = all)"
    )
    p.add_argument(
        "--top-p",
        type=in_range(float, 0, 1, low_open=True),
        default=1.0,
        help="sample from the smallest set holding this much probability (> 0 and <= 1)",
    )
    p.add_argument(
        "--seed",
        type=in_range(int, 0, 2**63 - 1),
        default=None,
        help="same seed, same text (default: random)",
    )
    p.add_argument("--stop-at-eos", action="store_true", help="stop at the end of the line")
    p.add_argument(
        "--allow-unk",
        action="store_true",
        help="let the sampler draw <unk>, a stand-in for rare words (default: never; the rest renormalized)",
    )
    p.add_argument("--show-all-words", action="store_true", help=SHOW_ALL_HELP)
    p.add_argument(
        "--json", action="store_true", help="one JSON object with each token's probability and rank"
    )

    p = add_model_command(
        sub,
        "trace",
        help="every gate, cell and hidden state over a prompt",
        description="Trace a prompt: for every layer, the gates i, f, g (candidate), o, the cell c and "
        "hidden h at every token (steps x units), plus the next tokens. Layers are L1, L2, ... in the table "
        "(as in the playground); the JSON's layer indices count from 0. A GRU records its gates r (reset), "
        "z (update), its candidate n and h; a plain RNN its h.",
    )
    p.add_argument("prompt")
    p.add_argument("-k", "--top", type=in_range(int, 1), default=10, help="next tokens listed (>= 1)")
    p.add_argument("--json", action="store_true", help="the full trace as JSON (see README)")
    p.add_argument("--show-all-words", action="store_true", help=SHOW_ALL_HELP)


def _word_filter(cmd: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Run `cmd` with the classroom filter as --show-all-words says, and restore it afterwards."""

    @functools.wraps(cmd)
    def run(ns: argparse.Namespace) -> int:
        with showing_all_words(ns.show_all_words):
            return cmd(ns)

    return run


def _print_json(data: dict) -> None:
    """Print `data` with listed words hidden (unless --show-all-words), saying how many in "hidden"
    (arrays of numbers under "layers" are not searched: they hold no words)."""
    data, hidden = hide_in_json(data, skip=frozenset({"layers", "bdata"}))
    print(json.dumps({**data, "hidden": hidden}))


def _shown(word: str) -> str:
    """A token as printed: a line break as ⏎, a space as ␣, a classroom-list word masked."""
    return VISIBLE.get(word) or hide_in_text(word)[0]


@_word_filter
def cmd_next(ns: argparse.Namespace) -> int:
    from lstmlm.prompt import reader
    from lstmlm.sampling import top_words

    model = load_or_exit(ns)
    enc = model.vocab.encode_text(ns.prompt)
    if not enc.ids:
        return fail("the prompt is empty: type some text")
    log_probs = reader(model).read(enc.ids)[0]  # read from the line start, as the playground reads it
    nxt = top_words(log_probs, model.vocab, ns.top)
    if ns.json:
        _print_json(
            {
                "tokens": enc.tokens,
                "unknown": enc.unknown_words,
                "entropy_bits": nxt.entropy_bits,
                "next": [{"word": w, "prob": p} for w, p in zip(nxt.words, nxt.probs, strict=False)],
            }
        )
        return 0
    if enc.unknown:
        unknown = ", ".join(_shown(w) for w in enc.unknown_words)
        print(f"unknown {model.vocab.tokenizer.unit}s (read as <unk>): {unknown}", file=sys.stderr)
    for w, p in zip(nxt.words, nxt.probs, strict=False):
        print(f"{p:8.4f}  {'#' * max(1, round(40 * p))} {_shown(w)}")
    print(f"entropy {nxt.entropy_bits:.2f} bits")
    return 0


@_word_filter
def cmd_sample(ns: argparse.Namespace) -> int:
    from lstmlm.sampling import generate, make_generator

    model = load_or_exit(ns)
    detokenize = model.vocab.tokenizer.detokenize  # words joined with spaces, characters without
    enc = model.vocab.encode_text(ns.prompt)
    try:
        words = list(
            generate(
                model,
                enc.ids,
                ns.words,
                ns.temperature,
                ns.top_k,
                ns.top_p,
                make_generator(ns.seed),
                ns.stop_at_eos,
                allow_unk=ns.allow_unk,
            )
        )
    except ValueError as e:
        return fail(str(e))
    if ns.json:
        _print_json(
            {
                "prompt_tokens": enc.tokens,
                "text": detokenize([w.word for w in words]),
                "words": [w.__dict__ for w in words],
            }
        )
    else:
        print(hide_in_text(detokenize(enc.tokens + [w.word for w in words]))[0])
    return 0


# The text table of `lstmlm trace`, per layer: the mean over the units of each of these but the last, whose
# largest |value| closes the row (for the LSTM: mean f, mean i, mean o, |c|max).
TRACE_COLUMNS = {
    "lstm": ("f", "i", "o", "c"),
    "gru": ("r", "z", "h"),
    "rnn_tanh": ("h", "h"),
    "rnn_relu": ("h", "h"),
}


@_word_filter
def cmd_trace(ns: argparse.Namespace) -> int:
    from lstmlm.prompt import reader
    from lstmlm.sampling import top_words
    from lstmlm.trace import trace

    model = load_or_exit(ns)
    enc = model.vocab.encode_text(ns.prompt)
    if not enc.ids:
        return fail("the prompt is empty: type some text")
    tr = trace(model, enc.ids, reader(model).start)  # with log-probabilities, which reader.trace leaves out
    nxt = top_words(tr.log_probs[-1, 0], model.vocab, ns.top)
    if ns.json:
        from lstmlm.studies.export import trace_dict

        _print_json(trace_dict(tr, enc.tokens, enc.unknown_words, nxt))
        return 0
    *means, last = TRACE_COLUMNS[tr.cell]
    labels = "  ".join([f"mean {k}" for k in means] + [f"|{last}|max"])
    layers = "  ".join(f"L{n + 1} {labels}" for n in range(len(tr.layers)))  # L1 first, as the app counts
    print(f"{model.vocab.tokenizer.unit:>14}  {layers}")
    for t, tok in enumerate(enc.tokens):
        cols = []
        for lt in tr.layers:
            stats = [lt.get(k)[t, 0].mean() for k in means] + [lt.get(last)[t, 0].abs().max()]
            cols.append(f"{stats[0]:9.3f}" + "".join(f" {v:7.3f}" for v in stats[1:]))
        print(f"{_shown(tok)[:14]:>14}  " + "  ".join(cols))
    print("next: " + ", ".join(f"{_shown(w)} {p:.3f}" for w, p in zip(nxt.words, nxt.probs, strict=False)))
    return 0
