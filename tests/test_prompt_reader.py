"""Reading a prompt in one place (issue 13): `lstmlm.prompt.PromptReader` steps with the numbers of the fused
nn.LSTM / nn.GRU / nn.RNN, traces a prompt with the numbers of a fresh `trace` from the line start, keeps the
last few traces, and the Equations view traces a prompt once per update."""

from __future__ import annotations

import gc
import sys
import threading
import weakref

import pytest
import torch

import lstmlm.prompt
import lstmlm.sampling
import lstmlm.stepping
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.prompt import PromptReader, reader
from lstmlm.studies.arrays import layer_arrays
from lstmlm.studies.equations import equation_numbers
from lstmlm.trace import trace
from playground.tabs import equations as equations_tab
from playground.views.equations import equations_json

PROMPT = "the cat sat on the mat . the dog"


def random_model(cell: str) -> LanguageModel:
    """A 2-layer, 64-unit model with random weights (no vocabulary: it starts from zeros)."""
    torch.manual_seed(7)
    config = ModelConfig(
        vocab_size=50, cell=cell, embed_dim=32, hidden_dim=64, num_layers=2, dropout=0.0, tie_weights=False
    )
    return LanguageModel(config).eval()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh"])
def test_step_equals_the_fused_forward(cell):
    model = random_model(cell)
    ids = torch.randint(0, 50, (40,), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        fused, fused_state = model.rnn(model.embedding(ids)[:, None], model.init_state(1))  # (T, 1, H)
    r = PromptReader(model)
    state, worst = None, 0.0
    for t, word in enumerate(ids.tolist()):
        top, state = r.step([word], state)  # (1, H)
        worst = max(worst, float((top[0] - fused[t, 0]).abs().max()))
    assert worst <= 1e-5
    pairs = zip(state, fused_state, strict=True) if cell == "lstm" else [(state, fused_state)]
    assert all(float((a - b).abs().max()) <= 1e-5 for a, b in pairs)


def test_step_from_nothing_starts_at_the_line_start(tiny_model):
    r = PromptReader(tiny_model)
    eos = tiny_model.vocab.eos_id
    with torch.no_grad():
        _, after_eos = tiny_model.rnn(tiny_model.embedding(torch.tensor([[eos]])), tiny_model.init_state(1))
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(r.start, after_eos, strict=True))
    word = tiny_model.vocab.index["cat"]
    assert all(torch.equal(a, b) for a, b in zip(r.step([word])[1], r.step([word], r.start)[1], strict=True))


def test_a_trace_is_a_fresh_trace_from_the_line_start_kept_for_the_last_prompts(tiny_model):
    r = PromptReader(tiny_model, max_traces=2)
    start = lstmlm.stepping.advance(tiny_model, [tiny_model.vocab.eos_id])[1]
    prompts = [r.prompt(text).ids for text in ("the cat sat", "the dog sat on", "a cat . the")]
    first = r.trace(prompts[0])
    fresh = trace(tiny_model, prompts[0], start, log_probs=False)
    for got, expected in zip(first.layers, fresh.layers, strict=True):
        assert all(torch.equal(got.get(n), expected.get(n)) for n in ("i", "f", "g", "o", "c", "h"))
    assert r.trace(prompts[0]) is first and r.traces_run == 1
    r.trace(prompts[1])
    r.trace(prompts[2])  # the third prompt pushes out the first
    assert r.traces_run == 3 and r.trace(prompts[0]) is not first and r.traces_run == 4
    with pytest.raises(ValueError, match="no words"):
        r.trace([])


def test_traces_from_many_threads_agree(tiny_model):
    r = PromptReader(tiny_model, max_traces=2)  # small: threads evict each other's traces
    prompts = [r.prompt(text).ids for text in ("the cat sat", "the dog sat on", "a cat . the", "the mat")]
    start = lstmlm.stepping.advance(tiny_model, [tiny_model.vocab.eos_id])[1]
    expected = [trace(tiny_model, ids, start, log_probs=False).layers[-1].h for ids in prompts]
    wrong: list[int] = []

    def work(n: int) -> None:
        for k in range(20):
            j = (n + k) % len(prompts)
            if not torch.equal(r.trace(prompts[j]).layers[-1].h, expected[j]):
                wrong.append(j)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong and r.traces_kept <= 2


def test_a_model_without_vocabulary_reads_ids_not_text():
    r = PromptReader(random_model("lstm"))
    with pytest.raises(ValueError, match="no vocabulary"):
        r.prompt("the cat")
    assert r.trace([1, 2, 3]).layers[0].h.shape == (3, 1, 64)


def test_one_reader_per_model_that_goes_with_it():
    model = random_model("lstm")
    assert reader(model) is reader(model)
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None  # the reader does not keep its model alive


def test_the_old_import_paths_are_the_same_functions():
    assert lstmlm.sampling.advance is lstmlm.prompt.advance is lstmlm.stepping.advance
    assert lstmlm.sampling.start_state is lstmlm.prompt.start_state is lstmlm.stepping.start_state


@pytest.fixture()
def traces(monkeypatch) -> list[int]:
    """The prompts traced, one entry (its length) per trace: through the reader, or by any playground module
    that imported `trace` itself (so a view that bypasses the reader is counted too)."""
    calls: list[int] = []

    def counted(model, ids, *args, **kwargs):
        calls.append(len(ids))
        return trace(model, ids, *args, **kwargs)

    monkeypatch.setattr(lstmlm.prompt, "trace", counted)
    for name, module in list(sys.modules.items()):
        if name.startswith("playground.") and getattr(module, "trace", None) is trace:
            monkeypatch.setattr(module, "trace", counted)
    return calls


def test_the_equations_view_traces_a_prompt_once_per_update(tiny_model, traces):
    equations_tab.show_equations(tiny_model, PROMPT, 1, None, 3, "all")
    assert traces == [9]  # equations, memory and the cell diagram (one unit and all) from one trace
    equations_tab.show_equations(tiny_model, PROMPT, 0, 2, 5)  # another layer, step, unit: no new trace
    assert traces == [9]
    equations_tab.show_equations(tiny_model, PROMPT + " ran", 1, None, 3)
    assert traces == [9, 10]
    # the numbers are those of a trace of its own from the line start
    ids = tiny_model.vocab.encode_text(PROMPT).ids
    start = lstmlm.stepping.advance(tiny_model, [tiny_model.vocab.eos_id])[1]
    own = equation_numbers(layer_arrays(trace(tiny_model, ids, start, log_probs=False)), 1, 4, 3)
    got = equations_json(tiny_model, PROMPT, 1, 4, 3)["numbers"]
    assert (
        got["c_t"] == round(own.c_t, 8)
        and got["h_t"] == round(own.h_t, 8)
        and got["f_t"] == round(own.f_t, 8)
    )
