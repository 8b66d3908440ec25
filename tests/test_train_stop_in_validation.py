"""A stop (Ctrl-C, SIGTERM, the Live Lab's Pause) that comes while the model is being validated: the
validation stops between two windows instead of running to the end of the split, nothing of it is saved,
and a resumed run validates first, so that it ends exactly as a run never stopped.

Tiny corpora from conftest.write_corpus, 2-layer models with 8 units, CPU, one thread (as test_train.py).
"""

from __future__ import annotations

import pytest
from conftest import write_corpus
from test_train import Recorder, one_thread, read_metrics, tiny_model, tiny_train, without_time  # noqa: F401

from lstmlm.data import Corpus
from lstmlm.training import validate as validation
from lstmlm.training.loop import train


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    return Corpus.from_folder(write_corpus(tmp_path_factory.mktemp("corpus"), lines=(300, 120, 40)))


class CountingWindows:
    """Counts the windows `evaluate` scores (each one forward of the model in eval mode)."""

    def __init__(self, monkeypatch):
        self.windows = 0
        real = validation.get_batch

        def counted(*args, **kwargs):
            self.windows += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(validation, "get_batch", counted)


def stop_inside_validation(recorder: Recorder, at_step: int, windows_first: int, counter: CountingWindows):
    """A should_stop that says yes once `at_step` steps were taken and the validation that follows has
    scored `windows_first` windows (0: before its first)."""
    state = {"windows_then": None}

    def should_stop() -> bool:
        if len(recorder.losses) < at_step:
            return False
        if state["windows_then"] is None:
            state["windows_then"] = counter.windows
        return counter.windows - state["windows_then"] >= windows_first

    return should_stop


@pytest.mark.parametrize("at_step", [100, 213])  # a validation every 50 steps; 213: the end of epoch 1
@pytest.mark.parametrize("windows_first", [0, 2])
def test_a_stop_inside_a_validation_is_quick_and_the_resumed_run_ends_the_same(
    corpus, tmp_path, monkeypatch, at_step, windows_first
):
    counter = CountingWindows(monkeypatch)
    whole = Recorder()
    reference = train(corpus, tiny_model(corpus), tiny_train(), tmp_path / "whole", [whole])
    split_windows = counter.windows // len(whole.evals)  # the windows of one whole validation
    assert split_windows >= 4  # enough that stopping after 2 is inside it

    first, second = Recorder(), Recorder()
    counter.windows = 0
    stop = stop_inside_validation(first, at_step, windows_first, counter)
    out = tmp_path / "stopped"
    stopped = train(corpus, tiny_model(corpus), tiny_train(), out, [first], should_stop=stop)
    assert stopped["stop_reason"] == "interrupted" and stopped["steps"] == at_step
    evals_before = [r["step"] for r in first.evals]
    assert at_step not in evals_before  # the validation in progress was abandoned, not logged
    assert counter.windows == split_windows * len(evals_before) + windows_first  # it stopped at once

    result = train(corpus, tiny_model(corpus), tiny_train(), out, [second], resume=True)
    assert second.evals[0]["step"] == at_step  # the resumed run validates first
    assert first.losses + second.losses == whole.losses
    assert without_time(read_metrics(out)) == without_time(read_metrics(tmp_path / "whole"))
    assert result["best_val_loss"] == reference["best_val_loss"] and result["steps"] == reference["steps"]
    weights = "model.safetensors"
    assert (out / weights).read_bytes() == (tmp_path / "whole" / weights).read_bytes()


def test_a_stop_inside_the_last_validation_of_a_budget(corpus, tmp_path, monkeypatch):
    """The validation after a word budget ran out: stopped inside it, the run says "interrupted" (not
    done); resumed with the same budget it validates once, as the run never stopped."""
    counter = CountingWindows(monkeypatch)
    cfg = tiny_train(max_words=1200, eval_every=0, epochs=50)  # 30 steps of 4 x 10 words: no epoch ends
    whole = Recorder()
    done = train(corpus, tiny_model(corpus), cfg, tmp_path / "whole", [whole])
    assert done["stop_reason"] == "word budget" and [r["step"] for r in whole.evals] == [30]

    first, second = Recorder(), Recorder()
    stop = stop_inside_validation(first, 30, 1, counter)
    stopped = train(corpus, tiny_model(corpus), cfg, tmp_path / "stopped", [first], should_stop=stop)
    assert stopped["stop_reason"] == "interrupted" and first.evals == []
    assert not (tmp_path / "stopped" / "model.safetensors").exists()  # no validation: nothing saved yet
    result = train(corpus, tiny_model(corpus), cfg, tmp_path / "stopped", [second], resume=True)
    assert result["stop_reason"] == "word budget" and second.losses == []
    assert without_time(second.evals) == without_time(whole.evals)
    assert result["best_val_loss"] == done["best_val_loss"]
