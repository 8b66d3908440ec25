"""Issue 17 item 5, the strings that still reached a Chinese page in English (measured in session 5): the
intervention checks, the Live Lab's job messages, the cells' names, the model picker's lines and the
importers' refusals. Each is a `Message` (lstmlm/messages.py) shown in Chinese by its key
(playground/text/library.py); the English, which the CLI and the HTTP API keep, is checked unchanged."""

from __future__ import annotations

import os
import time

import pytest

from lstmlm.cells import CELL_NAMES, CELLS
from lstmlm.messages import message_of
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.trace import Intervention, check_interventions
from lstmlm.training.live import LiveSettings, live_corpus
from playground.page_language import ZH, shown
from playground.server.live_jobs import LiveBusy, LiveJobs, UnknownJob
from playground.server.live_worker import failure
from playground.views.live import progress_html


def has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def lstm() -> LanguageModel:
    return LanguageModel(ModelConfig(vocab_size=10, embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0))


@pytest.mark.parametrize(
    ("intervention", "english", "chinese"),
    [
        (
            Intervention(5, "f", 1.0),
            "layer 5 does not exist: this model has layers 0..1",
            "第 5 层不存在：这个模型的层是 0..1",
        ),
        (
            Intervention(0, "x", 1.0),
            "cannot intervene on 'x': choose one of i, f, g, o, c",
            "不能干预 'x'：请选 i, f, g, o, c 之一",
        ),
        (
            Intervention(0, "f", "a"),
            "intervention value must be a number, got 'a'",
            "干预的值必须是数，现在是 'a'",
        ),
        (
            Intervention(0, "f", float("nan")),
            "intervention value must be a finite number, got nan",
            "干预的值必须是有限的数，现在是 nan",
        ),
        (
            Intervention(0, "f", 1.5),
            "forget gate values lie in [0, 1], got 1.5",
            "f 的值在 [0, 1] 之间，现在是 1.5",
        ),
        (
            Intervention(1, "g", 0.0, units=(1, 9)),
            "units must be in 0..7 (layer 1 has 8 units)",
            "单元必须在 0..7 之内（第 1 层有 8 个单元）",
        ),
        (
            Intervention(0, "f", 0.0, units=(1.5,)),
            "units must be whole numbers in 0..7, got (1.5,)",
            "单元必须是 0..7 中的整数，现在是 (1.5,)",
        ),
        (
            Intervention(0, "f", 0.0, start=4, stop=2),
            "steps must satisfy 0 <= start <= stop, got 4..2",
            "步必须满足 0 <= 起点 <= 终点，现在是 4..2",
        ),
    ],
)
def test_an_intervention_the_model_cannot_take_is_refused_in_chinese(lstm, intervention, english, chinese):
    with pytest.raises(ValueError) as refused:
        check_interventions(lstm, [intervention], 6)
    assert str(refused.value) == english  # the CLI's and the API's words, as before
    assert shown(refused.value, "zh") == chinese and shown(refused.value, "en") == english


def test_the_live_labs_refusals_of_a_job_are_in_chinese():
    jobs = LiveJobs(max_running=1, max_queued=0)
    with pytest.raises(UnknownJob) as unknown:
        jobs.get("nope")
    assert str(unknown.value).startswith("no training has the id 'nope' (it ended more than an hour ago")
    assert shown(unknown.value, "zh").startswith("没有编号为 'nope' 的训练")
    with pytest.raises(LiveBusy) as busy:  # no place in the queue at all
        jobs.start("ab\n" * 200, LiveSettings(seconds=10, hidden_dim=16), owner="a")
    assert str(busy.value) == (
        "the server is busy: 0 trainings are waiting for one of its 1 places. Try again in a few minutes"
    )
    assert shown(busy.value, "zh") == "服务器很忙：0 个训练在等它的 1 个位置。请过几分钟再试"
    for error in (busy.value, unknown.value):
        assert message_of(error) is not None and has_han(shown(error, "zh"))


def test_a_failed_trainings_reason_is_in_chinese_inside_the_chinese_frame():
    with pytest.raises(ValueError) as empty:
        live_corpus("", LiveSettings())
    said = failure(empty.value)
    assert (
        str(said)
        == "LiveTextError: the text is empty: paste a text, upload a .txt file or pick a teaching text"
    )
    assert (
        shown(said, "zh")
        == "训练失败（LiveTextError）：文本是空的：请粘贴文本、上传 .txt 文件或选一篇教学文本"
    )
    plain = failure(RuntimeError("CUDA is not here"))  # a reason no table knows stays English in the frame
    assert shown(plain, "zh") == "训练失败（RuntimeError）：CUDA is not here"
    status = {
        "state": "failed", "unit": "character", "seconds": 3.0, "budget_s": 10.0, "step": 7,
        "tokens_per_s": 90, "evals": [], "error": said,
    }  # fmt: skip
    assert "文本是空的" in progress_html(status, "zh") and "the text is empty" in progress_html(status, "en")


def test_a_worker_that_dies_is_reported_in_chinese(monkeypatch):
    from playground.server import live_worker

    monkeypatch.setattr(live_worker, "train_in_worker", _die)
    jobs = LiveJobs()
    job = jobs.start("ab\n" * 200, LiveSettings(seconds=10, hidden_dim=16, batch_size=4, bptt=20))
    end = time.monotonic() + 120  # a fresh worker process, on a busy machine
    while time.monotonic() < end:
        status = jobs.status(job.id)
        if status["state"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert (
        status["state"] == "failed"
        and status["error"] == "the training process ended unexpectedly (exit code 3)"
    )
    assert shown(status["error"], "zh") == "训练进程意外结束（退出码 3）"
    assert "训练进程意外结束（退出码 3）" in progress_html(status, "zh")


def _die(*args) -> None:
    os._exit(3)


def test_every_cell_has_its_name_in_both_languages():
    for cell in CELLS:
        assert ZH[f"cell.{cell}"]
    from playground.text.cells import PAIRS

    assert {key: en for key, (en, _) in PAIRS.items()} == {
        f"cell.{c}": name for c, name in CELL_NAMES.items()
    }
    assert PAIRS["cell.rnn_tanh"][1] == "普通 RNN（tanh）"


def test_a_models_lines_in_the_picker_are_in_chinese():
    from playground.views.model_info import ModelInfo, certificate_line, figure_of, size_of

    config = {"model": {"cell": "rnn_tanh", "num_layers": 2, "hidden_dim": 256}}
    size = size_of(config)
    assert size == "plain RNN (tanh) 2×256" and shown(size, "zh") == "普通 RNN（tanh） 2×256"
    figure = figure_of({"training": {"test_perplexity": 83.74}})
    assert figure == "test perplexity 83.7" and shown(figure, "zh") == "测试困惑度 83.7"
    nats = figure_of({"training": {"test_loss_nats_per_char": 1.2}})
    assert shown(nats, "zh") == "测试 1.200 奈特/字符（1.73 比特）"
    certificate = certificate_line({"import": {"certificate": {"max_abs_diff": 2.1e-7, "probe_tokens": 40}}})
    assert shown(certificate, "zh") == "与你的框架自己的输出相差不超过 3e-07（40 个探测词元）"
    from lstmlm.messages import Message

    info = ModelInfo(
        "k", "/m/k/", "mine", Message("model.characters", "characters"), size, "", certificate, "upload"
    )
    assert info.choice_label() == "mine · characters · plain RNN (tanh) 2×256"
    assert info.choice_label("zh") == "mine · 字符 · 普通 RNN（tanh） 2×256"
    assert info.info_line() == (
        "reads characters · plain RNN (tanh) 2×256 · no test figure recorded · exact to 3e-07 against your "
        "framework's own outputs (40 probe tokens)"
    )
    zh = info.info_line("zh")
    assert zh == (
        "读字符 · 普通 RNN（tanh） 2×256 · 没有记录测试成绩 · "
        "与你的框架自己的输出相差不超过 3e-07（40 个探测词元）"
    )
    assert info.as_json()["size"] == "plain RNN (tanh) 2×256"  # the API stays English


def test_the_compare_lines_and_the_header_name_the_cell_in_chinese():
    from playground.views.cell_kind import model_size, model_size_html
    from playground.views.lineup import Entry

    rnn = LanguageModel(ModelConfig(vocab_size=10, embed_dim=8, hidden_dim=8, cell="rnn_tanh", dropout=0.0))
    entry = Entry("plain RNN (tanh) 1×8 (other)", rnn, "#000")
    assert entry.named("en") == entry.label and entry.named("zh") == "普通 RNN（tanh） 1×8 (other)"
    assert model_size(rnn, "zh") == "2 × 8 普通 RNN（tanh）"
    both = model_size_html(rnn)
    assert '<span class="lp-lang-en">2 × 8 plain RNN (tanh)</span>' in both
    assert '<span class="lp-lang-zh">2 × 8 普通 RNN（tanh）</span>' in both
    lstm_model = LanguageModel(ModelConfig(vocab_size=10, embed_dim=8, hidden_dim=8, dropout=0.0))
    assert model_size_html(lstm_model) == "2 × 8 LSTM"  # the same in both languages: no spans


def test_the_counterfactual_tab_has_a_plain_name_and_keeps_the_term_in_its_tooltip():
    from playground.page_language import EN

    assert (EN["tab.counterfactual"], ZH["tab.counterfactual"]) == ("Change one word", "改一个词")
    assert (EN["tab.counterfactual.character"], ZH["tab.counterfactual.character"]) == (
        "Change one character",
        "改一个字符",
    )
    for key in ("tip.counterfactual", "tip.counterfactual.character"):
        assert EN[key].startswith("Counterfactual:") and ZH[key].startswith("反事实：")
