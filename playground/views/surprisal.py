"""What the Surprisal view shows (no gradio): each word's probability, rank and GLTR bucket from
`lstmlm.studies.surprisal`, over a prompt read the way every view reads it (`read_prompt`, from a line start),
as plain dicts for the endpoint and the tab."""

from __future__ import annotations

from lstmlm.model import LanguageModel
from lstmlm.prompt import Prompt, read_prompt
from lstmlm.studies.surprisal import Surprisal, surprisal
from playground.views.next_word import line_start


def surprisal_view(model: LanguageModel, text: str, k: int = 5) -> tuple[Prompt, Surprisal | None]:
    """The prompt and each word's probability, rank and GLTR bucket (None for an empty prompt)."""
    p = read_prompt(model.vocab, text)
    if not p.ids:
        return p, None
    k = max(1, min(int(k), 20))
    return p, surprisal(model, p.ids, k=k, state=line_start(model), first_word=True, unknown=p.unknown)


def surprisal_json(model: LanguageModel, text: str, k: int = 5) -> dict:
    """What the `surprisal` endpoint returns: per word its prob, rank, bucket, bits and the top-k expected."""
    p, s = surprisal_view(model, text, k)
    out = {"tokens": p.tokens, "unknown": p.unknown, "notice": p.notice, "words": []}
    if s is None:
        return dict(out, perplexity=None, bits_per_word=None, notice="The prompt is empty: type some words.")
    out["words"] = [
        {
            "position": w.position,
            "word": w.word,
            "prob": round(w.prob, 6),
            "rank": w.rank,
            "bucket": w.bucket,
            "bits": round(w.bits, 4),
            "known": w.known,  # False: not in the vocabulary, read as <unk>; left out of the perplexity
            "expected": [
                {"word": e, "prob": round(q, 6)} for e, q in zip(w.expected, w.expected_probs, strict=True)
            ],
        }
        for w in s.words
    ]
    if not any(w.known for w in s.words):  # nothing the model can score: no perplexity (not NaN in JSON)
        return dict(out, perplexity=None, bits_per_word=None)
    return dict(out, perplexity=round(s.perplexity, 4), bits_per_word=round(s.bits_per_word, 4))
