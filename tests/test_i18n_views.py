"""Issue 17, the views' computed text in Chinese without a browser: the numbers a Chinese sentence carries
are the English one's (and the model's, computed here another way), the library's English reasons are put
in Chinese, and no Chinese text a view computes holds an English word outside the allow-list."""

from __future__ import annotations

import math
import re

import torch

from lstmlm.prompt import read_prompt
from lstmlm.studies.intervene import compare_distributions
from lstmlm.studies.probes import run_probe
from playground.plots.surprisal import surprisal_summary
from playground.tabs.compare import skip_reason
from playground.views.generate import GenerationSettings, reshaping_at, reshaping_summary
from playground.views.intervene import effect_sentence, steps_label
from playground.views.surprisal import surprisal_view


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?%?", text)


def test_the_chinese_perplexity_is_two_to_the_mean_bits(tiny_model):
    p, s = surprisal_view(tiny_model, "the cat sat on the mat")
    zh = surprisal_summary(s.perplexity, s.bits_per_word, s.words, "zh")
    # the model's own probabilities, read another way: -log2 of each known word's p, averaged
    bits = [-math.log2(w.prob) for w in s.words if w.known]
    perplexity = 2 ** (sum(bits) / len(bits))
    assert f"困惑度 {perplexity:,.1f}" in zh and f"平均每词 {sum(bits) / len(bits):.2f} 比特" in zh
    english = surprisal_summary(s.perplexity, s.bits_per_word, s.words, "en")
    assert numbers(re.sub(r"<[^>]+>", " ", zh)) == numbers(re.sub(r"<[^>]+>", " ", english))
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", " ", zh).replace("top", ""))


def test_effect_and_steps_in_chinese(tiny_model):
    vocab = tiny_model.vocab
    before = torch.full((len(vocab),), -20.0)
    before[vocab.index["cat"]], before[vocab.index["dog"]] = 0.0, -1.0
    after = before.clone()
    after[vocab.index["cat"]], after[vocab.index["dog"]] = -1.0, 0.0
    share = f"{1 / (1 + math.exp(-1) + (len(vocab) - 2) * math.exp(-20)):.0%}"  # softmax of 0 beside -1
    change = compare_distributions(before.log_softmax(0), after.log_softmax(0), vocab, 5)
    assert effect_sentence(change, "zh") == f"最可能的词从“cat”（{share}）变成了“dog”（{share}）。"
    tokens = ["the", "cat", "sat"]
    assert steps_label(tokens, 1, 3, "zh") == "第 1 (cat) 步到第 2 (sat) 步"
    assert steps_label(tokens, 1, None, "en") == "from step 1 (cat) on (and every generated word)"


def test_the_librarys_probe_reasons_in_chinese(tiny_model):
    try:  # the tiny corpus has no brackets: the library says so in English
        run_probe(tiny_model, "parenthesis")
        reason = None
    except ValueError as e:
        reason = e.args[0]  # the library's Message, as views/compare.py keeps it
    assert reason is not None and "lacks" in reason
    missing = reason.split("lacks ")[1].split(",")[0]  # the words, read back from the English
    assert missing and all(w not in tiny_model.vocab for w in missing.split())
    zh = skip_reason(reason, "zh")
    assert zh == f"这个模型的词表里没有探针要预测的 {missing}" and not re.search(r"[A-Za-z]{2,}", zh)
    assert skip_reason(reason, "en") == str(reason)
    assert skip_reason("something else", "zh") == "something else"  # an unknown reason stays as written


def test_the_reshaping_summary_in_chinese_carries_the_same_numbers(tiny_model):
    settings = GenerationSettings(temperature=0.7, top_k=5, top_p=0.9)
    r = reshaping_at(tiny_model, read_prompt(tiny_model.vocab, "the cat").ids, settings)
    zh, en = reshaping_summary(r, settings, "zh"), reshaping_summary(r, settings, "en")
    assert sorted(numbers(zh)) == sorted(numbers(en))  # (the word order differs)
    assert f"在 {len(tiny_model.vocab):,} 个词中保留了 {r.kept_after_top_k:,} 个" in zh
    assert not re.search(r"[A-Za-z]{3,}", zh.replace("Top", ""))


def test_a_view_that_needs_an_lstm_says_so_in_chinese():
    from lstmlm.model import LanguageModel, ModelConfig
    from playground.views.cell_kind import lstm_only_message

    gru = LanguageModel(ModelConfig(vocab_size=10, embed_dim=4, hidden_dim=4, num_layers=1, cell="gru"))
    en = lstm_only_message(gru, "intervene")
    assert (
        en.startswith("The Intervene view pins an LSTM's gates")
        and "this model is a GRU, which has a reset" in en
    )
    zh = lstm_only_message(gru, "intervene", "zh")
    assert zh.startswith("“干预”视图固定 LSTM 的门") and "这个模型是 GRU，它有重置门 r" in zh
    assert not re.search(r"[A-Za-z]{3,}", zh.replace("LSTM", "").replace("GRU", ""))
