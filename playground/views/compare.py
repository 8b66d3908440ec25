"""What the Compare view shows, as plain data (no gradio here): one prompt through every model of the
line-up, each reading it with its own vocabulary from its own line-start state, and the long-range probes
scored for each model, on a filler written like the first model's training text."""

from __future__ import annotations

from collections.abc import Sequence

from lstmlm.messages import message_of
from lstmlm.prompt import Prompt, read_prompt
from lstmlm.studies.compare import PromptScore, score_prompt
from lstmlm.studies.probe_texts import ProbeTexts, probe_texts_for
from lstmlm.studies.probes import PROBES, run_probe
from playground.text import words_in
from playground.views.lineup import Entry, json_number
from playground.views.next_word import MAX_TOP_K_SHOWN, line_start


def test_perplexity(entry: Entry) -> float | None:
    """The model's test perplexity on its own data's test text, as its model card records it (None if not
    recorded)."""
    info = getattr(entry.model, "info", None) or {}
    value = (info.get("training") or {}).get("test_perplexity")
    return float(value) if isinstance(value, (int, float)) else None


def compare_view(lineup: Sequence[Entry], text: str, k: int = 10) -> tuple[Prompt, list[PromptScore]]:
    """The prompt as the first model reads it, and every model's score of it."""
    k = max(1, min(int(k), MAX_TOP_K_SHOWN))
    prompts = [read_prompt(e.model.vocab, text) for e in lineup]
    scores = [
        score_prompt(e.model, p.ids, e.label, k, state=line_start(e.model))  # the views' cached start state
        for e, p in zip(lineup, prompts, strict=True)
    ]
    return prompts[0], scores


def union_words(
    lineup: Sequence[Entry], scores: Sequence[PromptScore], k: int
) -> tuple[list[str], list[list]]:
    """The words any model ranks in its top k (each model's favourites in turn), and every model's
    probability for each of them (None where a model's vocabulary lacks the word)."""
    words: list[str] = []
    for rank in range(k):
        for s in scores:
            if rank < len(s.words) and s.words[rank] not in words:
                words.append(s.words[rank])
    words = words[: max(k, 12)]
    probs = [[s.prob_of(e.model.vocab, w) for w in words] for e, s in zip(lineup, scores, strict=True)]
    return words, probs


def compare_json(lineup: Sequence[Entry], text: str, k: int = 10) -> dict:
    """What the `compare` endpoint returns."""
    prompt, scores = compare_view(lineup, text, k)
    models = []
    for e, s in zip(lineup, scores, strict=True):
        models.append(
            {
                "label": e.label,
                "cell": s.cell,
                "perplexity": json_number(s.perplexity),
                "bits_per_word": json_number(s.bits_per_word),
                "entropy_bits": json_number(s.entropy_bits),
                "unknown_words": s.unknown,
                "test_perplexity": test_perplexity(e),
                "next": [
                    {"word": w, "prob": json_number(p, 6)} for w, p in zip(s.words, s.probs, strict=True)
                ],
                "word_bits": [json_number(b) for b in s.word_bits],
            }
        )
    notice = prompt.notice or (
        "" if prompt.ids else "The prompt is empty: each model predicts a line's first word."
    )
    return {"tokens": prompt.tokens, "notice": notice, "models": models}


def lineup_probe_texts(lineup: Sequence[Entry]) -> ProbeTexts:
    """The probe words for the line-up: the set that fits the first (the app's own) model's training data,
    as its config.json records it (`probe_texts_for`; storybooks, WikiText, or neutral for anything else
    and for character models). Every model is scored on the same words, so the curves share one axis."""
    return probe_texts_for(getattr(lineup[0].model, "info", None) if lineup else None)


def probe_json(lineup: Sequence[Entry], probe: str) -> dict:
    """What the `long_range` endpoint returns: the probe's score in bits per model and distance, the filler's
    kind ("corpus": storybooks, wikitext or neutral) and the agreement probe's first subject ("noun")."""
    if not isinstance(probe, str) or probe not in PROBES:
        raise ValueError(f"unknown probe {str(probe)[:40]!r}: choose one of {', '.join(PROBES)}")
    texts = lineup_probe_texts(lineup)
    models, first = [], None
    for e in lineup:
        row = {"label": e.label, "cell": e.model.config.cell, "bits": None, "note": ""}
        try:
            result = run_probe(e.model, probe, texts)
            row["bits"] = result.bits
            first = first or result
        except ValueError as err:  # e.g. a vocabulary without brackets: that model cannot be probed
            row["note"] = message_of(err) or str(err)  # a Message (a str) keeps its key, for the page
        models.append(row)
    noun = texts.nouns[0][0]
    return {
        "probe": probe,
        "title": PROBES[probe].title,
        "question": words_in("en", f"probe.{probe}.question", noun=noun),
        "corpus": texts.corpus,
        "noun": noun,
        "distance": first.distance if first else [],
        "examples": first.examples if first else [],
        "models": models,
    }
