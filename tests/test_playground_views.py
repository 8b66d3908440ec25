"""The playground's pure logic and figures, checked against the library's own numbers (tiny model)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch

from lstmlm.prompt import MAX_PROMPT_WORDS, read_prompt
from lstmlm.sampling import advance, reshape, start_state, top_words
from lstmlm.trace import trace
from lstmlm.vocab import detokenize
from playground import markup, plots
from playground.display import display_word, spaced_pieces
from playground.views.gates import (
    GATES,
    MAX_HEATMAP_CELLS,
    MAX_HEATMAP_STEPS,
    heatmap_window,
    saturation,
    saturation_score,
    trace_json,
    trace_layer,
    unit_order,
    unit_series,
)
from playground.views.generate import (
    GenerationSettings,
    coerce_settings,
    generate_words,
    reshaping_at,
    reshaping_summary,
)
from playground.views.next_word import append_words, next_words_json, predict_next

PROMPT = "the cat sat on the mat . a dog ran"


def test_read_prompt_marks_unknown_words_and_caps_long_text(tiny_model):
    p = read_prompt(tiny_model.vocab, "the zebra sat")
    assert p.tokens == ["the", "zebra", "sat"] and p.unknown == [1] and not p.cut and p.notice == ""
    assert p.ids[1] == tiny_model.vocab.unk_id
    long = read_prompt(tiny_model.vocab, "the cat " * 200 + "zebra")
    assert len(long.tokens) == MAX_PROMPT_WORDS and long.tokens[-1] == "zebra" and long.unknown == [299]
    assert long.cut and "300" in long.notice
    assert read_prompt(tiny_model.vocab, None).tokens == []
    huge = read_prompt(tiny_model.vocab, "x" * 100_000)  # one 30k-character "word" after the cut
    assert huge.cut and len(huge.tokens) <= 1


def test_next_words_match_the_library(tiny_model):
    p = read_prompt(tiny_model.vocab, PROMPT)
    expected = top_words(advance(tiny_model, p.ids, start_state(tiny_model))[0], tiny_model.vocab, 5)
    got = predict_next(tiny_model, p, 5)
    assert got.words == expected.words and np.allclose(got.probs, expected.probs)
    assert got.entropy_bits == pytest.approx(expected.entropy_bits)
    js = next_words_json(tiny_model, PROMPT, 5)
    assert js["words"] == expected.words and js["tokens"] == p.tokens
    assert js["probs"] == pytest.approx(expected.probs, abs=1e-6)
    empty = predict_next(tiny_model, read_prompt(tiny_model.vocab, ""), 3)  # a line start, not an error
    with torch.no_grad():
        line_start = tiny_model.log_probs(start_state(tiny_model)[0][-1, 0])
    assert empty.words == top_words(line_start, tiny_model.vocab, 3).words


def test_next_word_bars_show_top_words(tiny_model):
    nxt = predict_next(tiny_model, read_prompt(tiny_model.vocab, PROMPT), 10)
    words = [display_word(w) for w in nxt.words]
    fig = plots.next_word_bars(words, nxt.probs, "What comes next?")
    (bar,) = fig.data
    assert bar.type == "bar" and bar.orientation == "h"
    assert list(bar.x) == pytest.approx(nxt.probs)
    assert list(bar.y) == [plots.text_label(w) for w in words]
    assert fig.layout.xaxis.title.text == "probability" and fig.layout.yaxis.autorange == "reversed"
    # <unk> reads as the other views show it; '<' is escaped, which plotly would read as an HTML tag
    assert plots.text_label("<unk>", "en") == "a rare word" and plots.text_label("<unk>", "zh") == "生僻词"
    assert plots.text_label("a<b>", "en") == "a&lt;b&gt;" and plots.text_label("@-@") == "-"


def test_append_words_keeps_the_text_and_spaces_like_wikitext():
    assert append_words("The cat", ["sat"]) == "The cat sat"
    assert append_words("The cat", [","]) == "The cat,"
    assert append_words("The cat ", ["sat"]) == "The cat sat"
    assert append_words("It cost 3", ["@.@", "5"]) == "It cost 3.5"
    assert append_words("The end", ["<eos>"]) == "The end\n"
    assert append_words("", ["The"]) == "The"
    assert append_words("She said ", ['"', "yes", '"']) == 'She said "yes"'


def test_spaced_pieces_join_to_detokenize():
    tokens = ["The", "(", "big", ")", "cat", "'s", "3", "@,@", "000", '"', "mat", '"', ".", "<eos>", "A"]
    pieces = spaced_pieces(tokens)
    assert "".join(s + t for s, t in pieces) == detokenize(tokens)
    assert len(pieces) == len(tokens)


def test_layer_values_equal_the_trace(tiny_model):
    p = read_prompt(tiny_model.vocab, PROMPT)
    tr = trace(tiny_model, p.ids, start_state(tiny_model))
    for layer in range(tiny_model.config.num_layers):
        lv = trace_layer(tiny_model, p, layer)
        assert lv.steps == len(p.tokens) and lv.units == tiny_model.config.hidden_dim
        for g in GATES:
            assert np.allclose(lv.values[g], tr.layers[layer].get(g)[:, 0].numpy())
    assert trace_layer(tiny_model, read_prompt(tiny_model.vocab, ""), 0) is None
    with pytest.raises(ValueError, match="layer must be one of 0..1"):
        trace_layer(tiny_model, p, 2)


def test_unit_orderings_and_saturation():
    values = np.array([[0.05, 0.5, 0.95], [0.05, 0.2, 0.99], [0.5, 0.8, 0.91], [0.02, 0.5, 0.2]], np.float32)
    left, right = saturation(values)
    assert left.tolist() == [0.75, 0.0, 0.0] and right.tolist() == [0.0, 0.0, 0.75]
    assert saturation_score("f", values).tolist() == [0.75, 0.0, 0.75]
    assert unit_order("f", values, "index").tolist() == [0, 1, 2]
    assert unit_order("f", values, "mean").tolist() == [2, 1, 0]
    var = values.var(axis=0)
    assert unit_order("f", values, "variance").tolist() == list(np.argsort(-var))
    assert unit_order("f", values, "saturation").tolist() == [0, 2, 1]
    assert saturation_score("c", np.array([[3.0], [0.1]])).tolist() == [0.5]  # tanh(3) > 0.9
    with pytest.raises(ValueError, match="ordering must be one of"):
        unit_order("f", values, "random")


def test_heatmap_is_the_gate_array_and_stays_small(tiny_model):
    p = read_prompt(tiny_model.vocab, PROMPT)
    lv = trace_layer(tiny_model, p, 1)
    hm = heatmap_window(lv, "c", "variance")
    order = np.argsort(-lv.values["c"].var(axis=0), kind="stable")
    assert hm.units == order.tolist() and hm.z.shape == (lv.units, lv.steps)
    assert np.array_equal(hm.z, lv.values["c"][:, order].T) and hm.notice == ""
    fig = plots.gate_heatmap(hm.z, hm.words, hm.units, "c", "cell", hm.first_step)
    (heat,) = fig.data
    assert np.array_equal(np.asarray(heat.z), hm.z) and heat.zmid == 0 and heat.zmin == -heat.zmax
    assert [x.replace("\u200b", "") for x in heat.x] == p.tokens and len(set(heat.x)) == len(p.tokens)
    assert list(heat.y) == [f"unit {u}" for u in hm.units]
    assert all(k in heat.hovertemplate for k in ("word", "%{y}", "value"))
    gate_fig = plots.gate_heatmap(*(lambda h: (h.z, h.words, h.units))(heatmap_window(lv, "f")), "f", "f")
    assert (gate_fig.data[0].zmin, gate_fig.data[0].zmax) == (0.0, 1.0)
    # windowing: only the last words, and fewer units when the cells would not fit
    small = heatmap_window(lv, "f", "index", max_steps=3, max_cells=12)
    assert small.z.shape == (4, 3) and small.first_step == lv.steps - 3 and small.units == [0, 1, 2, 3]
    assert "last 3 of" in small.notice and "4 of 8 units" in small.notice


def test_largest_heatmap_update_stays_under_a_megabyte():
    steps, units = MAX_HEATMAP_STEPS, MAX_HEATMAP_CELLS // MAX_HEATMAP_STEPS
    z = np.random.default_rng(0).standard_normal((units, steps)).astype(np.float32)
    fig = plots.gate_heatmap(z, ["word"] * steps, list(range(units)), "c", "cell")
    assert len(fig.to_json()) < 1_000_000


def test_unit_lines_and_saturation_scatter(tiny_model):
    lv = trace_layer(tiny_model, read_prompt(tiny_model.vocab, PROMPT), 0)
    series = unit_series(lv, 3)
    fig = plots.unit_lines(lv.tokens, series, 3, 0)
    assert [t.name for t in fig.data] == ["f forget", "i input", "o output", "C cell", "h hidden"]
    assert np.allclose(fig.data[0].y, lv.values["f"][:, 3]) and np.allclose(
        fig.data[4].y, lv.values["h"][:, 3]
    )
    with pytest.raises(ValueError, match="unit must be one of 0..7"):
        unit_series(lv, 8)
    fractions = {g: saturation(lv.values[g]) for g in ("f", "i", "o")}
    sc = plots.saturation_scatter(fractions, 0)
    assert len(sc.data) == 3 and np.allclose(sc.data[0].x, fractions["f"][0])
    assert np.allclose(sc.data[2].y, fractions["o"][1])
    assert sc.layout.xaxis.title.text == "fraction closed (< 0.1)"


def test_reshaping_stages_match_the_sampler(tiny_model):
    settings = GenerationSettings(temperature=0.5, top_k=3, top_p=0.9)
    p = read_prompt(tiny_model.vocab, PROMPT)
    log_probs = advance(tiny_model, p.ids, start_state(tiny_model))[0]
    blocked = [tiny_model.vocab.unk_id]  # the sampler never draws <unk> unless asked (allow_unk)
    final = reshape(log_probs, 0.5, 3, 0.9, blocked)
    chosen = int(log_probs.argsort()[0])  # the least likely word: appended after the top ones
    r = reshaping_at(tiny_model, p.ids, settings, chosen_id=chosen, n=5)
    ids = log_probs.topk(5).indices.tolist() + [chosen]
    assert r.model == pytest.approx(log_probs.exp()[ids].tolist(), abs=1e-6)
    assert r.final == pytest.approx(final[ids].tolist(), abs=1e-6)
    assert r.tempered == pytest.approx(reshape(log_probs, 0.5, 0, 1.0, blocked)[ids].tolist(), abs=1e-6)
    assert r.chosen == 5 and r.final[5] == 0.0
    assert r.kept_after_top_k == 3 and r.kept_final == int((final > 0).sum()) <= 3
    text = reshaping_summary(r, settings)
    assert "sharpened" in text and f"kept 3 of {r.vocab_size:,}" in text
    fig = plots.reshaping_bars(r.words, r.model, r.tempered, r.final, r.chosen)
    assert [t.name for t in fig.data][0] == "model" and list(fig.data[2].x) == pytest.approx(r.final)


def test_settings_are_checked_with_clear_messages(tiny_model):
    assert coerce_settings(1, 40.0, 1, 30.0, 7.0) == GenerationSettings(1.0, 40, 1.0, 30, 7)
    for bad, message in [
        ((-1, 40, 0.9, 30, 0), "temperature"),
        ((0.8, -2, 0.9, 30, 0), "top_k"),
        ((0.8, 40, 0.0, 30, 0), "top_p"),
        ((0.8, 40, 0.9, 0, 0), "number of words"),
        ((0.8, 40, 0.9, 10**6, 0), "between 1 and"),
        ((0.8, 40, 0.9, 30, 1.5), "seed"),
    ]:
        with pytest.raises(ValueError, match=message):
            coerce_settings(*bad)


def test_generation_is_reproducible_per_seed(tiny_model):
    p = read_prompt(tiny_model.vocab, PROMPT)
    settings = GenerationSettings(temperature=1.0, top_k=0, top_p=1.0, max_words=12, seed=123)
    first = [w.word for w in generate_words(tiny_model, p, settings)]
    torch.manual_seed(999)  # the global generator plays no part
    assert [w.word for w in generate_words(tiny_model, p, settings)] == first and len(first) == 12


def test_markup_escapes_and_marks():
    chips = markup.token_chips(["<script>", "cat", "<eos>"], [0])
    assert "&lt;script&gt;" in chips and "<script>" not in chips and chips.count("lp-unk") == 2
    assert "⏎" in chips and "1 not in the vocabulary" in chips
    words = markup.shaded_words(["a", "<b>", "c"], [0.0, 0.5, 1.0], 0.0, 1.0, diverging=False)
    assert words.count('class="lp-w') == 3 and "&lt;b&gt;" in words
    gen = markup.generated_text(
        ["The"],
        [{"word": "cat", "prob": 0.5, "rank": 1}, {"word": "<eos>", "prob": 0.1, "rank": 2}],
        running=True,
    )
    assert gen.count('class="lp-gen') == 2 and "p = 0.500, rank 1" in gen and "lp-cursor" in gen
    assert "as unsure as a choice among 32 equally" in markup.entropy_line(5.0)


def test_trace_json_for_the_api(tiny_model):
    js = trace_json(tiny_model, PROMPT, layer=1, gates="f,c", encoding="list", decimals=2)
    lv = trace_layer(tiny_model, read_prompt(tiny_model.vocab, PROMPT), 1)
    assert list(js["values"]) == ["f", "c"] and list(js["saturation"]) == ["f"]
    assert np.allclose(js["values"]["c"], lv.values["c"], atol=0.005 + 1e-6)
    assert np.asarray(js["values"]["f"]).shape == (lv.steps, 8)
    assert js["saturation"]["f"]["below_0.1"] == pytest.approx(
        saturation(lv.values["f"])[0].tolist(), abs=1e-4
    )
    json.dumps(js)  # plain JSON
    packed = trace_json(tiny_model, PROMPT, layer=1, gates="h")["values"]["h"]  # default: base64 float16
    h = np.frombuffer(base64.b64decode(packed["bdata"]), "<f2").reshape(packed["shape"])
    assert packed["dtype"] == "float16" and np.allclose(h, lv.values["h"], atol=1e-3)
    assert trace_json(tiny_model, "   ", 0)["notice"].startswith("The prompt is empty")
    with pytest.raises(ValueError, match="gates must be"):
        trace_json(tiny_model, PROMPT, 0, "f,x")
