"""Issue 17's faults, without a browser: the temperature-0 note, Generate's seed line, Surprisal of words
outside the vocabulary (marked, left out of the perplexity)."""

from __future__ import annotations

import math

import pytest
import torch

from lstmlm.prompt import read_prompt
from lstmlm.sampling import entropy_bits
from lstmlm.studies.surprisal import surprisal
from playground.plots import surprisal as explore_plots
from playground.plots import units as unit_plots
from playground.views.generate import GenerationSettings, reshaping_at, reshaping_summary
from playground.views.next_word import line_start
from playground.views.surprisal import surprisal_json, surprisal_view

PROMPT = "the cat sat on the pizza . the dog ran"  # "pizza" is not in the tiny vocabulary


def test_one_word_distribution_has_zero_bits_not_minus_zero():
    one_hot = torch.full((5,), -math.inf)
    one_hot[2] = 0.0
    assert str(entropy_bits(one_hot)) == "0.0"  # was -0.0
    assert entropy_bits(torch.log(torch.full((4,), 0.25))) == pytest.approx(2.0)


def test_temperature_zero_note(tiny_model):
    settings = GenerationSettings(temperature=0.0)
    r = reshaping_at(tiny_model, read_prompt(tiny_model.vocab, "the cat").ids, settings)
    text = reshaping_summary(r, settings)
    assert "-0.0" not in text and "to 0 bits: one word is left" in text
    assert f"from {r.entropy_model_bits:.1f} bits" in text and r.entropy_model_bits > 0.5


def test_generate_seed_line_names_the_seed():
    from playground.tabs.generate import new_seed, seed_line

    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) > 15 and all(0 <= s < 1_000_000 for s in seeds)
    assert 'id="seed-used">Seed 4321:' in seed_line(4321)


def test_generate_seed_line_at_temperature_zero_says_the_seed_is_not_used(tiny_model):
    """At temperature 0 two presses with different seeds give the same words (the library's argmax), so the
    line under the text says the seed is not used, not "each press draws a new one"."""
    from playground.tabs.generate import generate_text

    def press(temperature: float, seed: int) -> str:  # the last yield of one press (seed kept): its text
        *_, last = generate_text(tiny_model, "the cat", temperature, 0, 1.0, 8, seed, keep=True)
        return last[0]

    one, two = press(0.0, 1), press(0.0, 2)
    assert "not used at temperature 0" in one and "otherwise each press" not in one
    assert one.split('id="seed-used"')[0] == two.split('id="seed-used"')[0]  # the same words
    assert press(1.0, 1).split('id="seed-used"')[0] != press(1.0, 2).split('id="seed-used"')[0]
    warm = press(1.0, 3)
    assert "otherwise each press draws a new one" in warm and "not used" not in warm


def test_surprisal_marks_unknown_words_and_leaves_them_out(tiny_model):
    p, s = surprisal_view(tiny_model, PROMPT)
    pos = p.tokens.index("pizza")
    assert p.unknown == [pos]
    assert [w.known for w in s.words] == [i != pos for i in range(len(p.tokens))]
    # the perplexity over the known words only, recomputed from the library without the unknown list
    everything = surprisal(tiny_model, p.ids, state=line_start(tiny_model), first_word=True)
    assert everything.words[pos].bits == pytest.approx(s.words[pos].bits)  # same numbers, only marked
    known_bits = [w.bits for i, w in enumerate(everything.words) if i != pos]
    assert s.bits_per_word == pytest.approx(sum(known_bits) / len(known_bits), rel=1e-5)
    assert s.perplexity == pytest.approx(2 ** (sum(known_bits) / len(known_bits)), rel=1e-5)

    html = explore_plots.surprisal_text(p.tokens, s.words, p.unknown)
    assert html.count("data-bucket=unknown") == 1 and "“pizza” is not in the vocabulary" in html
    summary = explore_plots.surprisal_summary(s.perplexity, s.bits_per_word, s.words)
    assert f"over {len(p.tokens) - 1} words" in summary and "not in the vocabulary</span> 1" in summary
    bars = explore_plots.surprisal_bars(s.words)
    assert len(bars.data[0].y) == len(p.tokens) - 1 and "pizza" not in list(bars.data[0].x)

    js = surprisal_json(tiny_model, PROMPT)
    assert [w["known"] for w in js["words"]] == [w.known for w in s.words]
    assert js["perplexity"] == pytest.approx(s.perplexity, abs=1e-3)
    nothing = surprisal_json(tiny_model, "pizza pasta")
    assert nothing["perplexity"] is None and [w["known"] for w in nothing["words"]] == [False, False]
    _, none_known = surprisal_view(tiny_model, "pizza pasta")
    assert "nothing to score" in explore_plots.surprisal_summary(
        none_known.perplexity, none_known.bits_per_word, none_known.words
    )


def test_gradient_flow_note_says_what_this_prompt_shows():
    from types import SimpleNamespace

    from playground.views.gradient import SHORT_FLOW, Flow, flow_note

    def flow(label, values):
        return Flow(SimpleNamespace(label=label, named=lambda lang: label), ["w"] * (len(values) + 1), values)

    # a short sentence where the plain RNN sits above the LSTM: said, and the averaged curve pointed to
    short = flow_note([flow("LSTM", [2.0, 1.0, 0.5]), flow("RNN", [1.0, 0.9, 0.8])])
    assert "3 words back" in short and "LSTM 25%, RNN 80%" in short and "the RNN keeps the most" in short
    assert "says little" in short and "averaged curve" in short
    n = SHORT_FLOW + 3
    long = flow_note([flow("LSTM", [1.0] * (n - 1) + [0.5]), flow("RNN", [1.0] * (n - 1) + [0.001])])
    assert f"{n} words back" in long and "LSTM 50%, RNN 0%" in long and "says little" not in long
    assert flow_note([]) == ""


def test_heading_marks_are_never_generated_unless_asked():
    from lstmlm.model import LanguageModel, ModelConfig
    from lstmlm.vocab import Vocab
    from playground.views.generate import generate_words

    vocab = Vocab.from_tokens("the cat = sat on the mat <eos>".split())
    torch.manual_seed(0)
    model = LanguageModel(ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=1))
    model.vocab = vocab
    with torch.no_grad():
        model.decoder.bias[vocab.index["="]] = 6.0  # "=" is by far the likeliest word everywhere
    model.eval()
    p = read_prompt(vocab, "the cat")
    words = [w.word for w in generate_words(model, p, GenerationSettings(1.0, 0, 1.0, 20, 3))]
    # "=" opens a heading line at each line start, and the line is generated hidden; here "=" is likelier
    # than the line break everywhere, so a heading line runs past sampling.MAX_HIDDEN and the text ends early
    assert 0 < len(words) <= 20 and "=" not in words
    asked = [
        w.word for w in generate_words(model, p, GenerationSettings(1.0, 0, 1.0, 20, 3, allow_headings=True))
    ]
    assert asked.count("=") > 10
    r = reshaping_at(model, p.ids, GenerationSettings(1.0, 0, 1.0), chosen_id=vocab.index["="])
    assert (
        r.final[r.chosen] == 0.0 and r.model[r.chosen] > 0.5
    )  # the model wants it; the sampler never draws it


def test_clean_words_in_the_atlas_and_the_next_word_labels():
    from playground.tabs.next_word import word_labels

    entry = {
        "layer": 0,
        "unit": 3,
        "source": "../shared/data/wikitext-2/valid.txt",
        "words_scanned": 10,
        "h_high": [
            {"value": 0.5, "before": "cost 1 @,@ 000 <eos> a well @-@", "word": "known", "after": "<unk> ."}
        ],
    }
    html = unit_plots.atlas_contexts(entry)
    assert "@" not in html and "&lt;eos&gt;" not in html and "&lt;unk&gt;" not in html
    assert "cost 1,000 ⏎ a well-" in html and "a rare word ." in html
    # the data file in words, never its path
    assert "the validation text of Wikipedia articles (WikiText-2)" in html
    assert "valid.txt" not in html and "shared" not in html and ".." not in html
    labels = word_labels(["the", "<eos>"])
    assert labels[0] == "the" and labels[1].endswith(" new line") and "<eos>" not in labels[1]


def test_intervene_presets_and_effect_in_words(tiny_model):
    from lstmlm.studies.intervene import compare_distributions
    from playground.views.intervene import DEFAULT_PRESET, PRESETS, effect_sentence, preset_values

    assert preset_values(DEFAULT_PRESET, 2)[:3] == (1, "pin_output", 0.0)  # hide the memory, top layer
    assert preset_values("never_forget_top", 2)[:3] == (1, "pin_forget", 1.0)
    assert preset_values("close_input_top", 3)[:3] == (2, "pin_input", 0.0)
    assert preset_values("forget_all_top", 1)[:3] == (0, "pin_forget", 0.0)
    assert all(p.expect.endswith(".") and p.layer in ("top", "bottom") for p in PRESETS.values())
    vocab = tiny_model.vocab
    before = torch.full((len(vocab),), -20.0)
    before[vocab.index["cat"]], before[vocab.index["dog"]] = 0.0, -1.0
    after = before.clone()
    after[vocab.index["cat"]], after[vocab.index["dog"]] = -1.0, 0.0
    changed = effect_sentence(compare_distributions(before.log_softmax(0), after.log_softmax(0), vocab, 5))
    assert changed == "The top word changed from “cat” (73%) to “dog” (73%)."
    same = effect_sentence(compare_distributions(before.log_softmax(0), before.log_softmax(0), vocab, 5))
    assert same == "The top word stayed “cat”: 73% before, 73% after."


EVERYDAY = [  # everyday prompts of the default model's kind (not the ones the presets were chosen on)
    "Once upon a time there was a little",
    "The old man looked at the boy and said",
    "The boys who live next door",
    "She went to the store and bought",
    "The river flows through the city of",
    "He was born in 1950 and",
    "The fox ran into the woods and",
    "Grandmother sat by the fire and",
]


def test_default_intervention_visibly_moves_the_default_model():
    """On the bundled default model the default preset, listed first, changes the top word on nearly all of
    a set of everyday prompts (no other preset on more) and moves most of the distribution; hiding the top
    layer's memory gives one top word whatever the prompt (o = 0 makes the top h zero, so the output sees
    no context): the expectation's "the same top word whatever you type"."""
    from lstmlm import load_model
    from lstmlm.bundled import default_model_dir
    from playground.views.intervene import (
        DEFAULT_PRESET,
        PRESETS,
        InterventionRequest,
        preset_values,
        run_intervention,
    )

    model = load_model(default_model_dir())

    def changes(name: str) -> list:
        layer, action, value, _ = preset_values(name, model.config.num_layers)
        req = InterventionRequest(layer=layer, action=action, value=value)
        return [run_intervention(model, p, req, 0, 0, 10).change for p in EVERYDAY]

    found = {name: changes(name) for name in PRESETS}
    changed = {n: sum(c.before.words[0] != c.after.words[0] for c in cs) for n, cs in found.items()}
    assert list(PRESETS)[0] == DEFAULT_PRESET
    assert changed[DEFAULT_PRESET] >= len(EVERYDAY) - 1, changed
    assert changed[DEFAULT_PRESET] == max(changed.values()), changed
    assert len({c.after.words[0] for c in found["hide_memory_top"]}) == 1
    # it moves well over half the probability mass. (On the tied storybook model of 2026-12-01 "never forget"
    # moves more mass, 0.83 against 0.68 on these prompts, but to scattered top words on 7 of 8, not one.)
    tv = {n: sum(c.total_variation for c in cs) / len(cs) for n, cs in found.items()}
    assert tv[DEFAULT_PRESET] > 0.6, tv


def _preset_prompts() -> list[str]:
    """The 49 everyday prompts the presets' expectations were measured on (text/intervene.py): the default
    prompt, EVERYDAY above, and tests/benchmarks/everyday.json's 40."""
    import json
    from pathlib import Path

    from playground.views.next_word import DEFAULT_PROMPT

    spec = json.loads((Path(__file__).parent / "benchmarks" / "everyday.json").read_text())
    return [DEFAULT_PROMPT, *EVERYDAY, *(p["prompt"] for p in spec["prompts"])]


SIZES = {  # a size word in an expectation -> the bound it claims on the median total variation
    "large": (0.6, 1.0),
    "moderate": (0.3, 0.6),
    "small": (0.0, 0.3),
}
SIZES_ZH = {"large": "变化很大", "moderate": "变化中等", "small": "变化很小"}


def test_each_preset_expectation_says_what_it_does_on_the_default_model():
    """Every preset's sentence, English and Chinese, against the figures recomputed on the bundled default
    model over the 49 everyday prompts: the count of changed top words ("N of 49"), the mean and median
    total variation, and its size word ("large": median TV >= 0.6, "moderate": 0.3 to 0.6, "small": < 0.3).
    (Before: "Never forget" said "a moderate change" at median TV 0.76, "Forget everything" "small", 0.45.)"""
    import statistics

    from lstmlm import load_model
    from lstmlm.bundled import default_model_dir
    from playground.text import unit_fields, words_in
    from playground.views.intervene import PRESETS, InterventionRequest, preset_values, run_intervention

    model = load_model(default_model_dir())
    prompts = _preset_prompts()
    assert len(prompts) == 49
    for name in PRESETS:
        layer, action, value, _ = preset_values(name, model.config.num_layers)
        req = InterventionRequest(layer=layer, action=action, value=value)
        changes = [run_intervention(model, p, req, 0, 0, 10).change for p in prompts]
        tv = [c.total_variation for c in changes]
        changed = sum(c.before.words[0] != c.after.words[0] for c in changes)
        mean, median = f"{statistics.mean(tv):.2f}", f"{statistics.median(tv):.2f}"
        en = words_in("en", f"iv.expect.{name}", **unit_fields("en", "word"))
        zh = words_in("zh", f"iv.expect.{name}", **unit_fields("zh", "word"))
        assert f"changed on {changed} of 49 everyday prompts" in en, (name, changed, en)
        assert f"49 个日常提示中有 {changed} 个" in zh, (name, changed, zh)
        assert f"moved by {mean} on average" in en and f"median {median})" in en, (name, mean, median, en)
        assert f"平均移动了 {mean}" in zh and f"中位数 {median}）" in zh, (name, mean, median, zh)
        said = [size for size in SIZES if f"a {size} change" in en]
        assert len(said) == 1, (name, en)
        lo, hi = SIZES[said[0]]
        assert lo <= statistics.median(tv) < hi, (name, said, median)
        assert SIZES_ZH[said[0]] in zh and not any(SIZES_ZH[s] in zh for s in SIZES if s != said[0]), zh


def test_effect_sentence_names_the_real_word_first_when_the_top_one_is_rare(tiny_model):
    """A top word <unk> after the intervention reads "a rare word", which names no word: the sentence also
    says which real word is now first (the likeliest one that is not <unk>), in English and Chinese."""
    from lstmlm.studies.intervene import compare_distributions
    from playground.views.intervene import effect_sentence

    vocab = tiny_model.vocab
    before = torch.full((len(vocab),), -20.0)
    before[vocab.index["cat"]], before[vocab.index["dog"]] = 0.0, -1.0
    after = before.clone()
    after[vocab.index["<unk>"]], after[vocab.index["cat"]], after[vocab.index["dog"]] = 0.0, -3.0, -1.0
    change = compare_distributions(before.log_softmax(0), after.log_softmax(0), vocab, 5)
    assert effect_sentence(change) == (
        "The top word changed from “cat” (73%) to “a rare word” (71%). "
        "The likeliest real word is now “dog” (26%)."
    )
    assert effect_sentence(change, "zh") == (
        "最可能的词从“cat”（73%）变成了“生僻词”（71%）。现在最可能的真实词是“dog”（26%）。"
    )
    same = compare_distributions(after.log_softmax(0), after.log_softmax(0), vocab, 5)
    assert effect_sentence(same).endswith("71% after. The likeliest real word is now “dog” (26%).")
    plain = compare_distributions(before.log_softmax(0), before.log_softmax(0), vocab, 5)
    assert "real" not in effect_sentence(plain)


def test_never_forget_on_the_default_prompt_names_the_real_top_word():
    """The newcomer's case through the tab's handler: "Never forget" on the default prompt turns the top word
    into <unk>; the summary names the likeliest word that is not <unk>, found here from the whole
    distribution (the library's trace with the same intervention, <unk> masked out)."""
    from lstmlm import load_model
    from lstmlm.bundled import default_model_dir
    from lstmlm.trace import trace
    from playground.tabs.intervene import apply_intervention
    from playground.views.inputs import prompt_words
    from playground.views.intervene import InterventionRequest, make_intervention, preset_values
    from playground.views.next_word import DEFAULT_PROMPT, line_start

    model = load_model(default_model_dir())
    layer, action, value, _ = preset_values("never_forget_top", model.config.num_layers)
    summary = apply_intervention(
        model, DEFAULT_PROMPT, layer, action, value, "all", "0-9", 10, "mean_abs_c", "0-", 0, 0, "c"
    )[0]
    _, ids, _ = prompt_words(model, DEFAULT_PROMPT)
    iv = make_intervention(model, ids, InterventionRequest(layer=layer, action=action, value=value))
    log_probs = trace(model, ids, line_start(model), [iv]).log_probs[-1, 0].double()
    unk = model.vocab.index["<unk>"]
    assert int(log_probs.argmax()) == unk  # the case at hand: "a rare word" is first
    log_probs[unk] = -math.inf
    real = int(log_probs.argmax())
    word, p = model.vocab.words[real], float(log_probs[real].exp())
    assert "to “a rare word”" in summary, summary
    assert f"The likeliest real word is now “{word}” ({p:.0%})." in summary, summary
