"""The tied adaptive softmax (lstmlm/tied_softmax.py): its log-probabilities against a by-hand numpy
computation, the tying itself, generation's fast path against the slow one, and a trained model through
save/load, `lstmlm eval` and the trace."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import write_corpus
from test_eval import independent_perplexity
from test_fast_sampling import CUTOFFS, SETTINGS, WORDS, adaptive_lm, assert_same_words, both_paths
from test_trace import TOL, fused_reference, max_diff, random_ids, random_state
from test_train_recipe import recipe_model, recipe_train

from lstmlm import load_model
from lstmlm.checkpoint import save_model
from lstmlm.cli import main
from lstmlm.data import Corpus
from lstmlm.fast_sampling import NextDistribution, OutputLayer, Stepper
from lstmlm.model import LanguageModel
from lstmlm.sampling import advance, start_state
from lstmlm.trace import trace
from lstmlm.training.loop import train


def tied_lm(seed: int = 0, scale: float = 1.5, embed_dim: int = 6) -> LanguageModel:
    """An untrained 2-layer, 8-unit model over WORDS (60 ids: head 0-9, clusters 10-29 and 30-59), tied
    adaptive softmax at embedding width `embed_dim`, random weights in [-scale, scale]."""
    return adaptive_lm(seed, scale, tie_weights=True, embed_dim=embed_dim)


def by_hand(model: LanguageModel, h: np.ndarray) -> np.ndarray:
    """log p (N, V) in float64 numpy from the state dict: z = P h + p; head = log-softmax over the head
    words' embedding rows and the cluster tokens; a tail word = its cluster token + its log-softmax in the
    cluster over the cluster words' embedding rows."""
    sd = {k: v.detach().double().numpy() for k, v in model.state_dict().items()}
    emb, bias = sd["embedding.weight"], sd["tied_softmax.bias"]
    z = h @ sd["tied_softmax.projection.weight"].T + sd["tied_softmax.projection.bias"]

    def log_softmax(a):
        m = a.max(axis=1, keepdims=True)
        return a - m - np.log(np.exp(a - m).sum(axis=1, keepdims=True))

    edges = [*CUTOFFS, len(WORDS)]
    S, cluster_w, cluster_b = edges[0], sd["tied_softmax.cluster_weight"], sd["tied_softmax.cluster_bias"]
    head = log_softmax(np.concatenate([z @ emb[:S].T + bias[:S], z @ cluster_w.T + cluster_b], axis=1))
    out = [head[:, :S]]
    for c, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        out.append(head[:, S + c, None] + log_softmax(z @ emb[a:b].T + bias[a:b]))
    return np.concatenate(out, axis=1)


def test_parameter_names_keep_pytorchs_recurrent_names_and_no_second_embedding():
    names = set(tied_lm().state_dict())
    assert {"rnn.weight_ih_l0", "rnn.weight_hh_l1", "rnn.bias_ih_l0", "embedding.weight"} <= names
    assert {k for k in names if not k.startswith(("rnn.", "embedding."))} == {
        "tied_softmax.projection.weight",  # (E, H)
        "tied_softmax.projection.bias",
        "tied_softmax.bias",  # (V,)
        "tied_softmax.cluster_weight",  # (C, E)
        "tied_softmax.cluster_bias",
    }
    assert tied_lm().state_dict()["tied_softmax.cluster_weight"].shape == (2, 6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_log_probs_sum_to_one_and_equal_the_computation_by_hand(seed):
    model = tied_lm(seed)
    h = torch.randn(5, 8, generator=torch.Generator().manual_seed(seed)) * 2
    lp = model.log_probs(h).detach()
    assert lp.shape == (5, len(WORDS))
    assert float(torch.logsumexp(lp.double(), dim=1).abs().max()) <= 1e-6
    want = by_hand(model, h.double().numpy())
    # float32 against float64: |difference| in units of max(1, |value|) (log-probs reach -28 here)
    assert (np.abs(lp.detach().double().numpy() - want) / np.maximum(1.0, np.abs(want))).max() <= 1e-5


def test_loss_and_token_losses_agree_with_log_probs():
    model = tied_lm(3)
    ids = torch.randint(len(WORDS), (9, 4), generator=torch.Generator().manual_seed(4))
    targets = torch.randint(len(WORDS), (9, 4), generator=torch.Generator().manual_seed(5))
    assert (targets >= 30).any() and ((targets >= 10) & (targets < 30)).any() and (targets < 10).any()
    features, _ = model(ids)
    picked = model.log_probs(features).gather(-1, targets.unsqueeze(-1)).squeeze(-1).detach()  # (9, 4)
    token = model.token_losses(features, targets).detach()
    assert token.shape == (9, 4)
    assert max_diff(token, -picked) <= 1e-5
    assert float(model.loss(features, targets)) == pytest.approx(float(-picked.mean()), abs=1e-5)
    with pytest.raises(ValueError, match=r"target ids must be in 0\.\.59"):
        model.loss(features, torch.full((9, 4), 60))


def test_every_word_is_scored_with_its_input_embedding_row():
    """The tying is exact: moving a tail word's embedding row moves its output score by z . delta."""
    model = tied_lm(6)
    h = torch.randn(1, 8, generator=torch.Generator().manual_seed(7))
    word = 44  # in the last cluster
    before = model.log_probs(h)[0].detach()
    z = model.tied_softmax.projection(h)[0].detach()
    delta = torch.zeros(6)
    delta[2] = 0.5
    with torch.no_grad():
        model.embedding.weight[word] += delta
    after = model.log_probs(h)[0].detach()
    others = [w for w in range(30, 60) if w != word]
    # within its cluster, the word's logit rose by z . delta; the others' fell by the same log-normaliser
    rise = float((after[word] - before[word]) - (after[others[0]] - before[others[0]]))
    assert rise == pytest.approx(float(z @ delta), abs=1e-5)
    assert torch.allclose(after[:30], before[:30])  # the head and the other cluster do not read that row


def test_fast_path_equals_model_log_probs_bit_for_bit_and_states_are_the_same():
    model = tied_lm(1)
    stepper, output = Stepper(model), OutputLayer(model)
    assert output.known and output.projection is not None
    ids = [2, 7, 33, 15, 9]
    log_probs, state = advance(model, ids, start_state(model))
    h, hs, cs = stepper.read(ids, start_state(model))
    assert torch.equal(torch.stack(hs), state[0]) and torch.equal(torch.stack(cs), state[1])
    assert torch.equal(NextDistribution(output, h).full(), log_probs)


@pytest.mark.parametrize("settings_", SETTINGS)
def test_generation_gives_the_same_words_for_the_same_seed_as_the_full_row(settings_):
    model = tied_lm(2)
    for seed in range(3):
        fast, full = both_paths(model, [2, 4, 6], 40, settings_, seed)
        assert_same_words(fast, full)
        if settings_ == (1.0, 0, 1.0) and seed == 0:
            assert any(w.id >= 10 for w in fast)  # tail words are drawn (the two-stage path)


# --- a trained tiny model: save/load, eval, trace ------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def trained(corpus_dir, tmp_path_factory):
    """A 2 x 8 LSTM with a tied adaptive softmax (E = 6) trained 2 epochs with the whole recipe."""
    out = tmp_path_factory.mktemp("tied")
    corpus = Corpus.from_folder(corpus_dir)
    config = recipe_model(corpus, dropout_input=0.3, dropout_hidden=0.2)
    cfg = recipe_train(threads=1)
    torch.manual_seed(0)
    train(corpus, config, cfg, out)
    return out


def test_a_trained_model_saves_loads_and_evaluates(trained, corpus_dir, tmp_path, capsys):
    model = load_model(trained)
    assert model.config.tie_weights and model.config.softmax == "adaptive" and model.config.locked_dropout
    saved = json.loads((trained / "config.json").read_text())
    assert saved["model"]["dropout_embed"] == 0.1 and saved["training"]["weights"].startswith("EMA over")
    ids = torch.tensor([[2], [3], [4], [5]])
    save_model(tmp_path / "again", model, model.vocab, model.info)
    again = load_model(tmp_path / "again")
    assert torch.equal(again.log_probs(again(ids)[0]), model.log_probs(model(ids)[0]))
    test_file = corpus_dir / "test.txt"
    assert main(["eval", "--model", str(trained), "--data", str(test_file), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    expected, count = independent_perplexity(model, test_file)
    assert result["perplexity"] == pytest.approx(expected, rel=1e-5) and result["tokens"] == count
    assert expected < 10  # learned: 16 words, uniform would be 16


@pytest.mark.parametrize("steps", [7, 40])  # one step at a time, and the fused kernel
def test_the_trace_equals_the_fused_kernels(trained, steps):
    model = load_model(trained)
    ids, state = random_ids(model, steps, 3), random_state(model, 3)
    ref = fused_reference(model, ids, state)
    tr = trace(model, ids, state)
    for layer, lt in enumerate(tr.layers):
        assert max_diff(lt.h, ref["h"][layer]) <= TOL
    assert tr.log_probs.shape == (steps, 3, model.config.vocab_size)
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL
    assert float(torch.logsumexp(tr.log_probs.double(), -1).abs().max()) <= 1e-6
