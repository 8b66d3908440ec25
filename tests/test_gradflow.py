"""Gradient flow, side-by-side scoring and long-range probes, on tiny LSTM / GRU / RNN models.

The gradient is checked against central finite differences in float64 (an independent route: no autograd),
batched flow against one snippet at a time, perplexity against the Surprisal view and the fused loss."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
import torch

from lstmlm import load_model
from lstmlm.sampling import start_state
from lstmlm.studies.compare import line_log_probs, score_prompt
from lstmlm.studies.gradflow import (
    FILE_NAME,
    average_flow,
    decay_per_word,
    flow_norms,
    gradient_flow,
    load_flow,
    save_flow,
)
from lstmlm.studies.probes import NOUNS, PROBES, run_probe
from lstmlm.studies.surprisal import surprisal

PROMPT = "the cat sat on the mat . a dog ran to the house".split()


@pytest.fixture(params=["lstm", "gru", "rnn_tanh"])
def cell_model(request, tiny_model_dir, tiny_cell_dirs):
    return load_model(tiny_model_dir if request.param == "lstm" else tiny_cell_dirs[request.param])


def log_p_last(model, context_embeddings: torch.Tensor, target: int, state) -> float:
    """log p(target | context) with the context given as embeddings (T, 1, E): no autograd involved."""
    with torch.no_grad():
        out, _ = model.rnn(context_embeddings, state)
        return float(model.log_probs(out[-1])[0, target])


def test_gradient_flow_equals_finite_differences(cell_model):
    model = copy.deepcopy(cell_model).double()
    ids = model.vocab.encode(PROMPT).ids
    state = start_state(model)
    norms = gradient_flow(model, ids, state)
    assert norms.shape == (len(ids) - 1,)
    x = model.embedding(torch.tensor(ids[:-1])[:, None]).detach()  # (T, 1, E)
    eps = 1e-6
    for t in range(x.size(0)):  # every position: a full numerical gradient over the E embedding dims
        grad = np.zeros(x.size(-1))
        for e in range(x.size(-1)):
            plus, minus = x.clone(), x.clone()
            plus[t, 0, e] += eps
            minus[t, 0, e] -= eps
            grad[e] = (log_p_last(model, plus, ids[-1], state) - log_p_last(model, minus, ids[-1], state)) / (
                2 * eps
            )
        distance = len(ids) - 1 - t
        assert norms[distance - 1] == pytest.approx(np.linalg.norm(grad), rel=1e-6, abs=1e-9)


def test_batched_flow_equals_one_snippet_at_a_time(cell_model):
    ids = torch.tensor([cell_model.vocab.encode(PROMPT[k : k + 8]).ids for k in range(4)]).t()  # (8, 4)
    together = flow_norms(cell_model, ids)
    for b in range(ids.size(1)):
        alone = gradient_flow(cell_model, ids[:, b].tolist())
        np.testing.assert_allclose(together[:, b], alone, rtol=1e-5, atol=1e-8)


def test_gradient_flow_leaves_the_shared_model_untouched(cell_model):
    gradient_flow(cell_model, cell_model.vocab.encode(PROMPT).ids)
    assert all(p.grad is None for p in cell_model.parameters())


def test_gradient_flow_refuses_what_it_cannot_differentiate(tiny_model):
    with pytest.raises(ValueError, match="two words"):
        gradient_flow(tiny_model, [3])
    tiny_model.train()
    with pytest.raises(ValueError, match="eval mode"):
        gradient_flow(tiny_model, [3, 4, 5])


def test_average_flow_save_and_load(tiny_model, tiny_corpus, tmp_path):
    tokens = (tiny_corpus / "valid.txt").read_text().split()
    ids = tiny_model.vocab.encode(tokens).ids
    flow = average_flow(tiny_model, ids, snippets=7, length=12, batch_size=3, source="valid.txt")
    assert flow.distance == list(range(1, 12)) and flow.snippets == 7
    assert all(lo <= med <= hi for lo, med, hi in zip(flow.q10, flow.median, flow.q90, strict=True))
    # the statistics are over exactly these snippets: recompute the mean at distance 1 by hand
    room = len(ids) - 12
    firsts = [gradient_flow(tiny_model, ids[s : s + 12])[0] for s in (round(k * room / 6) for k in range(7))]
    assert flow.mean[0] == pytest.approx(float(np.mean(firsts)), rel=1e-3)
    save_flow(tmp_path, flow)
    assert load_flow(tmp_path) == flow
    (tmp_path / FILE_NAME).write_text(json.dumps({"distance": [1, 2], "mean": [1.0]}))
    assert load_flow(tmp_path) is None  # a damaged file is ignored, not shown
    assert load_flow(tmp_path / "missing") is None
    with pytest.raises(ValueError, match="fewer than one snippet"):
        average_flow(tiny_model, ids[:5], snippets=2, length=12)


def test_decay_per_word_recovers_an_exponential():
    distance = list(range(1, 100))
    assert decay_per_word(distance, [3.0 * 0.8**d for d in distance]) == pytest.approx(0.8, rel=1e-9)
    assert decay_per_word(distance, [1.0] * 99) == pytest.approx(1.0)
    assert math.isnan(decay_per_word([1, 2], [1.0, 0.5]))


def test_prompt_perplexity_matches_the_surprisal_view_and_the_fused_loss(cell_model):
    ids = cell_model.vocab.encode(PROMPT).ids
    score = score_prompt(cell_model, ids, k=5)
    # the same words scored by the model's own loss over a fused forward from the line start
    eos = cell_model.vocab.eos_id
    with torch.no_grad():
        features, _ = cell_model(torch.tensor([eos, *ids[:-1]])[:, None])
        nll = float(cell_model.loss(features, torch.tensor(ids)[:, None]))
    assert score.perplexity == pytest.approx(math.exp(nll), rel=1e-5)
    assert len(score.word_bits) == len(ids) and len(score.words) == 5
    assert score.probs == sorted(score.probs, reverse=True)
    assert score.prob_of(cell_model.vocab, score.words[0]) == pytest.approx(score.probs[0], rel=1e-6)
    assert score.prob_of(cell_model.vocab, "not-a-word") is None
    if cell_model.config.cell == "lstm":
        assert score.perplexity == pytest.approx(surprisal(cell_model, ids).perplexity, rel=1e-6)


def test_empty_prompt_scores_the_line_start(cell_model):
    score = score_prompt(cell_model, [])
    assert score.perplexity is None and score.word_bits == []
    rows = line_log_probs(cell_model, [])
    assert rows.shape == (1, len(cell_model.vocab))
    assert float(rows.exp().sum()) == pytest.approx(1.0, abs=1e-5)


@pytest.fixture(scope="module")
def probe_model(tmp_path_factory):
    """A tiny LSTM whose vocabulary holds every probe's words (its corpus is the probes' own text)."""
    from conftest import train_tiny

    from lstmlm.studies import probes

    folder = tmp_path_factory.mktemp("probe-corpus")
    text = " ".join(probes.FILLER + probes.SUBJECT_FILLER)
    lines = [
        f' In 1999 , the group released its third album ( {text} ) . " {text} " The player was . The '
        f"players were . {' '.join(w for pair in probes.NOUNS for w in pair)}"
    ] * 6
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text("\n".join(lines) + "\n")
    return load_model(train_tiny(folder, tmp_path_factory.mktemp("probe-model") / "m"))


@pytest.mark.parametrize("name", list(PROBES))
def test_probes_score_the_difference_they_describe(probe_model, name):
    result = run_probe(probe_model, name)
    assert len(result.distance) == len(result.bits) == len(result.examples)
    assert result.distance == sorted(result.distance) and all(map(math.isfinite, result.bits))
    vocab = probe_model.vocab
    if name == "parenthesis":  # recompute the last distance by hand
        words = result.examples[-1].split()
        without = [w for w in words if w != "("]
        a = line_log_probs(probe_model, vocab.encode(words).ids)[-1, vocab.index[")"]]
        b = line_log_probs(probe_model, vocab.encode(without).ids)[-1, vocab.index[")"]]
        assert result.bits[-1] == pytest.approx(float(a - b) / math.log(2), abs=1e-4)
        assert result.distance[-1] == len(words) - 1 - words.index("(")
    if name == "agreement":  # one noun pair's share of the first distance, by hand

        def margin(subject: str) -> float:
            row = line_log_probs(probe_model, vocab.encode(["The", subject, "who"]).ids)[-1]
            return float(row[vocab.index["was"]] - row[vocab.index["were"]]) / math.log(2)

        total = 0.0
        for one, many in NOUNS:
            total += (margin(one) - margin(many)) / len(NOUNS)
        assert result.distance[0] == 1 and result.bits[0] == pytest.approx(total, abs=1e-4)


def test_a_vocabulary_without_the_probed_words_is_refused(tiny_model):
    with pytest.raises(ValueError, match=r"lacks \)"):
        run_probe(tiny_model, "parenthesis")


def test_unknown_probe_says_what_to_choose(tiny_model):
    with pytest.raises(ValueError, match="parenthesis, quote, agreement"):
        run_probe(tiny_model, "rhymes")


def test_cli_gradflow_writes_what_the_playground_reads(tiny_model_dir, tiny_corpus, tmp_path, capsys):
    import shutil

    from lstmlm.cli import main

    model_dir = tmp_path / "m"
    shutil.copytree(tiny_model_dir, model_dir)
    argv = ["gradflow", "--model", str(model_dir), "--data", str(tiny_corpus / "valid.txt")]
    assert main([*argv, "--snippets", "6", "--length", "9", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    flow = load_flow(model_dir)
    assert flow is not None and flow.snippets == 6 and flow.distance == list(range(1, 9))
    assert flow.source == f"{tiny_corpus.name}/valid.txt"  # the corpus's folder and file, no other path
    assert out["median"] == flow.median and out["decay_per_word"] == pytest.approx(
        decay_per_word(flow.distance, flow.median)
    )
    with pytest.raises(SystemExit) as exit_info:  # refused by argparse, before anything is read
        main([*argv, "--length", "1"])
    assert exit_info.value.code == 2
    assert "--length" in capsys.readouterr().err
    assert main(["gradflow", "--model", str(model_dir), "--data", str(tmp_path / "none.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_cli_probe(probe_model, tmp_path, capsys):
    from lstmlm.checkpoint import save_model
    from lstmlm.cli import main

    save_model(tmp_path / "p", probe_model, probe_model.vocab, {})
    assert main(["probe", "agreement", "--model", str(tmp_path / "p"), "--filler", "wikitext", "--json"]) == 0
    (out,) = json.loads(capsys.readouterr().out)
    assert out["bits"] == run_probe(probe_model, "agreement").bits
    assert main(["probe", "rhymes", "--model", str(tmp_path / "p")]) == 2
    assert "choose one of" in capsys.readouterr().err
