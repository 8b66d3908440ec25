"""The language model: PyTorch's parameter names and gate order, tied weights, both softmaxes, other cells."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from lstmlm.model import LanguageModel, ModelConfig, detach_state


def make(**settings) -> LanguageModel:
    torch.manual_seed(0)
    config = {"vocab_size": 30, "embed_dim": 8, "hidden_dim": 8, "num_layers": 2, "dropout": 0.0} | settings
    return LanguageModel(ModelConfig(**config)).eval()


def test_parameters_keep_pytorch_names_and_shapes():
    model = make(embed_dim=6, tie_weights=False)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {
        "embedding.weight": (30, 6),
        "rnn.weight_ih_l0": (32, 6),
        "rnn.weight_hh_l0": (32, 8),
        "rnn.bias_ih_l0": (32,),
        "rnn.bias_hh_l0": (32,),
        "rnn.weight_ih_l1": (32, 8),
        "rnn.weight_hh_l1": (32, 8),
        "rnn.bias_ih_l1": (32,),
        "rnn.bias_hh_l1": (32,),
        "decoder.weight": (30, 8),
        "decoder.bias": (30,),
    }
    assert isinstance(model.rnn, torch.nn.LSTM)


def test_gate_order_is_i_f_g_o():
    """One step of layer 0 by hand, reading the 4H rows in the order i, f, g, o, equals the fused kernel."""
    model = make(num_layers=1)
    x = model.embedding(torch.tensor([[3]]))[0]  # (1, E)
    h0, c0 = torch.full((1, 8), 0.3), torch.full((1, 8), -0.7)
    with torch.no_grad():
        _, (h1, c1) = model.rnn(x[None], (h0[None], c0[None]))
        z = (
            x @ model.rnn.weight_ih_l0.T
            + model.rnn.bias_ih_l0
            + h0 @ model.rnn.weight_hh_l0.T
            + model.rnn.bias_hh_l0
        )
    i, f, g, o = z.sigmoid()[:, :8], z.sigmoid()[:, 8:16], z.tanh()[:, 16:24], z.sigmoid()[:, 24:]
    c = f * c0 + i * g
    assert torch.allclose(c1[0], c, atol=1e-6)
    assert torch.allclose(h1[0], o * c.tanh(), atol=1e-6)


def test_tied_weights_share_storage():
    tied, untied = make(), make(tie_weights=False)
    assert tied.decoder.weight is tied.embedding.weight
    assert tied.decoder.weight.data_ptr() == tied.embedding.weight.data_ptr()
    with torch.no_grad():
        tied.embedding.weight[0, 0] = 42.0
    assert tied.decoder.weight[0, 0] == 42.0
    assert untied.decoder.weight.data_ptr() != untied.embedding.weight.data_ptr()
    n_tied = sum(p.numel() for p in tied.parameters())
    assert sum(p.numel() for p in untied.parameters()) == n_tied + 30 * 8


@pytest.mark.parametrize("softmax", ["full", "adaptive"])
def test_log_probs_are_distributions_and_match_the_loss(softmax):
    settings = {"softmax": softmax}
    if softmax == "adaptive":
        settings |= {"tie_weights": False, "adaptive_cutoffs": (5, 15), "adaptive_div_value": 2.0}
    model = make(**settings)
    ids = torch.randint(30, (7, 3), generator=torch.Generator().manual_seed(0))
    targets = torch.randint(30, (7, 3), generator=torch.Generator().manual_seed(1))
    features, _ = model(ids)
    assert features.shape == (7, 3, 8)
    lp = model.log_probs(features)
    assert lp.shape == (7, 3, 30)
    assert torch.allclose(lp.logsumexp(-1), torch.zeros(7, 3), atol=1e-5)  # each row sums to 1
    picked = lp.gather(-1, targets[..., None]).squeeze(-1)
    assert model.loss(features, targets).item() == pytest.approx(-picked.mean().item(), abs=1e-5)
    assert model.log_probs(features[-1, 0]).shape == (30,)


def test_adaptive_softmax_has_its_clusters():
    model = make(softmax="adaptive", tie_weights=False, adaptive_cutoffs=(5, 15, 100), adaptive_div_value=2.0)
    assert model.adaptive.cutoffs == [5, 15, 30]  # 100 >= vocab_size is dropped
    assert [proj[0].out_features for proj in model.adaptive.tail] == [4, 2]  # hidden 8 / 2, / 4
    assert not hasattr(model, "decoder")


def test_full_softmax_loss_is_cross_entropy():
    model = make()
    ids, targets = torch.randint(30, (5, 2)), torch.randint(30, (5, 2))
    features, _ = model(ids)
    expected = F.cross_entropy(model.decoder(features).reshape(-1, 30), targets.reshape(-1))
    assert model.loss(features, targets).item() == pytest.approx(expected.item(), abs=1e-6)


@pytest.mark.parametrize(("cell", "module"), [("gru", torch.nn.GRU), ("rnn_tanh", torch.nn.RNN)])
def test_other_cells_build_and_run(cell, module):
    model = make(cell=cell)
    assert isinstance(model.rnn, module)
    assert "rnn.weight_ih_l1" in model.state_dict()
    assert model.rnn.weight_ih_l0.shape[0] == {"gru": 24, "rnn_tanh": 8}[cell]
    state = model.init_state(3)
    assert isinstance(state, torch.Tensor) and state.shape == (2, 3, 8)
    features, state = model(torch.randint(30, (6, 3)), state)
    assert features.shape == (6, 3, 8) and state.shape == (2, 3, 8)
    assert torch.allclose(model.log_probs(features).logsumexp(-1), torch.zeros(6, 3), atol=1e-5)
    # carrying the state equals one longer run
    ids = torch.randint(30, (8, 1))
    whole, _ = model(ids)
    first, s = model(ids[:3])
    rest, _ = model(ids[3:], detach_state(s))
    assert torch.allclose(torch.cat([first, rest]), whole, atol=1e-6)


def test_lstm_state_and_detach():
    model = make()
    h, c = model.init_state(4)
    assert h.shape == c.shape == (2, 4, 8) and not h.any() and h.data_ptr() != c.data_ptr()
    model.train()
    _, state = model(torch.randint(30, (3, 4)), (h, c))
    assert state[0].requires_grad
    detached = detach_state(state)
    assert not detached[0].requires_grad and torch.equal(detached[1], state[1])


def test_dropout_only_in_training():
    model = make(dropout=0.5)
    ids = torch.randint(30, (5, 2))
    model.eval()
    assert torch.equal(model(ids)[0], model(ids)[0])
    model.train()
    assert not torch.equal(model(ids)[0], model(ids)[0])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"cell": "lstmx"}, r"cell must be one of \['gru', 'lstm', 'rnn_relu', 'rnn_tanh'\], not 'lstmx'"),
        ({"softmax": "sparse"}, r"softmax must be 'full' or 'adaptive', not 'sparse'"),
        ({"vocab_size": 0}, r"vocab_size must be a whole number >= 1, got 0"),
        ({"hidden_dim": 8.5}, r"hidden_dim must be a whole number >= 1, got 8\.5"),
        ({"num_layers": True}, r"num_layers must be a whole number >= 1"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\), got 1\.0"),
        ({"dropout": math.nan}, r"dropout must be in \[0, 1\)"),
        ({"embed_dim": 6}, r"tie_weights needs embed_dim == hidden_dim"),
        (
            {"dropout_input": -0.5},
            r"dropout_input must be in \[0, 1\), or -1 for the dropout value; got -0",
        ),
        ({"dropout_hidden": 1.0}, r"dropout_hidden must be in \[0, 1\), or -1"),
        ({"dropout_embed": 1.0}, r"dropout_embed must be in \[0, 1\), got 1\.0"),
        # the default cutoffs (2000, 10000) do not fit 30 words
        (
            {"softmax": "adaptive", "tie_weights": False},
            r"must be increasing and hold at least one id in 1\.\.29",
        ),
        ({"softmax": "adaptive", "tie_weights": False, "adaptive_cutoffs": (20, 10)}, r"must be increasing"),
    ],
)
def test_config_errors_say_what_is_wrong(settings, message):
    config = {"vocab_size": 30, "embed_dim": 8, "hidden_dim": 8} | settings
    with pytest.raises(ValueError, match=message):
        ModelConfig(**config)


def test_config_round_trips_through_a_dict():
    config = ModelConfig(
        vocab_size=30,
        embed_dim=8,
        hidden_dim=8,
        softmax="adaptive",
        tie_weights=False,
        adaptive_cutoffs=[10, 20],
    )
    d = config.to_dict()
    assert d["adaptive_cutoffs"] == [10, 20] and config.adaptive_cutoffs == (10, 20)
    assert ModelConfig.from_dict(d) == config
    with pytest.raises(ValueError, match=r"unknown model settings: \['hidden_size'\]"):
        ModelConfig.from_dict(d | {"hidden_size": 8})
