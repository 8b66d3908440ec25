"""The Live Lab in Chinese: the words text/live.py writes out (torch-free) agree with lstmlm's figures, and
the progress line, loss curve and what-changed table speak the language they are given."""

from __future__ import annotations

import re

from lstmlm.training.live import MAX_PROBE_TOKENS, MAX_TEXT_BYTES, TEACHING_TEXTS
from playground.plots.live import loss_figure
from playground.text.live import PAIRS
from playground.views.live import change_label, progress_html

STATUS = dict(state="paused", unit="word", seconds=12.4, budget_s=60, step=2048, tokens_per_s=900,
              evals=[dict(step=100, val_loss=2.0), dict(step=200, val_loss=1.0)], curve=None)  # fmt: skip


def test_teaching_texts_and_upload_limit_match_lstmlm():
    for name, text in TEACHING_TEXTS.items():
        assert PAIRS[f"live.teach.{name}"][0] == f"{text.title} (look for {text.look_for})"
    assert set(k.removeprefix("live.teach.") for k in PAIRS if k.startswith("live.teach.")) == set(
        TEACHING_TEXTS
    )
    mb = f"{MAX_TEXT_BYTES / 1e6:g} MB"
    for key in ("live.upload", "live.intro"):
        assert all(mb in text for text in PAIRS[key])
    # the probe is traced on its first MAX_PROBE_TOKENS tokens: the label says so (a longer probe was cut
    # without a word)
    assert all(f"{MAX_PROBE_TOKENS} 个字符" in t or f"first {MAX_PROBE_TOKENS} characters" in t
               for t in PAIRS["live.probe"])  # fmt: skip


def test_progress_line_in_chinese_has_the_same_figures():
    zh, en = progress_html(STATUS, "zh"), progress_html(STATUS, "en")
    assert "已暂停" in zh and "第 2,048 步" in zh and "每秒 900 个词" in zh
    assert "Paused" in en and "step 2,048" in en and "900 words/s" in en
    bits = f"{1.0 / 0.6931471805599453:.3f}"  # best loss 1.0 nat, in bits by hand
    assert f"1.000 奈特/词 = {bits} 比特/词" in zh
    strip = lambda s: re.sub(r"<[^>]+>", "", s)  # noqa: E731
    assert not re.search(r"[A-Za-z]{2,}", strip(zh).replace("div", ""))


def test_loss_curve_and_change_labels_in_chinese():
    fig = loss_figure(STATUS, "zh")
    assert fig.layout.title.text == "学习过程中的损失"
    assert fig.layout.yaxis.title.text == "每词奈特" and fig.layout.yaxis2.title.text == "每词比特"
    assert [d.name for d in fig.data[:2]] == ["训练", "验证（留出的最后 10%）"]
    assert change_label("sat_f", "forget gate f saturated", "word", "zh") == "遗忘门 f饱和"
    assert change_label("track_quote", "inside double quotes", "word", "zh") == "在双引号内"
    assert change_label("track_line_pos", "x", "character", "zh") == "行内位置（换行后的字符数）"
    assert change_label("track_unheard_of", "mine", "word", "zh") == "mine"
    assert change_label("sat_f", "forget gate f saturated", "word", "en") == "forget gate f saturated"


def test_the_best_validation_loss_is_the_best_of_every_validation(tmp_path):
    """A long training's status thins its validations to MAX_EVALS; the progress line's best loss is still
    the best of all of them (it was the best of the thinned list: a best thinned out went missing, and the
    line's "best" rose as a run went on), and the thinned list keeps that best too (live_job.thinned)."""
    from lstmlm.training.live import LiveSettings
    from playground.server.live_job import MAX_EVALS, LiveJob

    job = LiveJob(id="j", owner=None, settings=LiveSettings(), folder=tmp_path)
    losses = [3.0 - 0.001 * i for i in range(2 * MAX_EVALS)] + [2.0] * MAX_EVALS
    losses[401] = 0.5  # an odd step: off the grid of the status's every-4th-validation list
    for i, loss in enumerate(losses):
        job.record("eval", dict(step=i, seconds=i / 10, train_loss=loss, val_loss=loss))
    status = job.status(curve=False)
    assert len(status["evals"]) <= MAX_EVALS and 401 % -(-len(losses) // (MAX_EVALS - 2))
    assert [e["step"] for e in status["evals"] if e["val_loss"] == 0.5] == [401]
    assert status["best_val_loss"] == 0.5
    assert "best validation loss 0.500 nats/character = 0.721 bits/character" in progress_html(status)


def test_an_ended_training_has_no_time_left():
    """A training that ended on its budget a step short of it said 'Finished · 9 s of 10 s (1 s left)'."""
    ended = dict(STATUS, seconds=9.2, budget_s=10)
    for state, word in (("done", "Finished"), ("stopped", "Stopped")):
        line = progress_html(dict(ended, state=state))
        assert f"{word}</b> · 9 s of 10 s (0 s left)" in line
    assert "9 s of 10 s (1 s left)" in progress_html(dict(ended, state="running"))
    assert "（还剩 0 秒）" in progress_html(dict(ended, state="done"), "zh")


def test_a_heatmap_of_some_units_says_how_many_of_how_many():
    """A 256-unit layer's heatmap shows MAX_HEATMAP_UNITS rows; its title says so (its axis said '128
    units' of a model that has 256); a layer that fits says nothing more."""
    import numpy as np

    from playground.plots.live import MAX_HEATMAP_UNITS, snapshot_figure

    tokens = list("ab(c)")
    n = MAX_HEATMAP_UNITS
    some = (f" · the {n} of its 256 units that changed most", f" · 256 个单元中变化最大的 {n} 个")
    for hidden, (en, zh) in ((256, some), (16, ("", ""))):
        values, order = np.zeros((len(tokens), hidden)), np.arange(hidden)[::-1]
        fig = snapshot_figure(values, tokens, 40, 3.0, order, 0, "f", "character", "en")
        assert fig.layout.title.text == "forget gate f · layer 1 · step 40 (3 s)" + en
        assert len(fig.data[0].y) == min(hidden, MAX_HEATMAP_UNITS)
        fig = snapshot_figure(values, tokens, 40, 3.0, order, 0, "f", "character", "zh")
        assert fig.layout.title.text.endswith("（3 秒）" + zh)
