"""The traced forward against PyTorch's fused LSTM, the LSTM identities, interventions and continuation."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, ModelConfig
from lstmlm.trace import Intervention, check_interventions, trace

TOL = 1e-5  # the bound for h, c and log-probabilities against the fused kernel (float32)
EXACT = 1e-6  # the bound for the identities and for paths that must agree with each other


def random_lstm(
    num_layers: int = 2, vocab_size: int = 20, hidden_dim: int = 8, seed: int = 0
) -> LanguageModel:
    """An untrained LSTM with weights wide enough that gates saturate and cells grow beyond 1."""
    model = LanguageModel(
        ModelConfig(
            vocab_size=vocab_size,
            embed_dim=hidden_dim,
            hidden_dim=hidden_dim,
            num_layers=num_layers,
            dropout=0.0,
        )
    )
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():  # decoder.weight is embedding.weight (tied)
            p.copy_(torch.empty_like(p).uniform_(-1.0, 1.0, generator=gen))
    return model.eval()


def random_state(model: LanguageModel, batch: int, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """A non-zero (h, c), each (L, B, H)."""
    gen = torch.Generator().manual_seed(seed)
    shape = (model.config.num_layers, batch, model.config.hidden_dim)
    return torch.rand(shape, generator=gen) * 2 - 1, torch.randn(shape, generator=gen) * 2


def random_ids(model: LanguageModel, steps: int, batch: int, seed: int = 2) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(model.config.vocab_size, (steps, batch), generator=gen)


@torch.no_grad()
def fused_reference(model: LanguageModel, ids: torch.Tensor, state) -> dict:
    """h_t and c_t of every layer from PyTorch's own kernels: the multi-layer nn.LSTM for the output and
    final state, and each layer as its own single-layer nn.LSTM, one step per call, for c_t."""
    features, (h_n, c_n) = model(ids, state)
    hs, cs = [], []
    x = model.embedding(ids)  # (T, B, E)
    for layer in range(model.config.num_layers):
        cell = nn.LSTM(x.size(-1), model.config.hidden_dim)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, f"{name}_l0").copy_(getattr(model.rnn, f"{name}_l{layer}"))
        h, c = state[0][layer : layer + 1], state[1][layer : layer + 1]  # (1, B, H)
        h_steps, c_steps = [], []
        for t in range(ids.size(0)):
            _, (h, c) = cell(x[t : t + 1], (h, c))
            h_steps.append(h[0])
            c_steps.append(c[0])
        hs.append(torch.stack(h_steps))
        cs.append(torch.stack(c_steps))
        x = hs[-1]
    return {
        "h": hs,
        "c": cs,
        "features": features,
        "log_probs": model.log_probs(features),
        "h_n": h_n,
        "c_n": c_n,
    }


@torch.no_grad()
def loop_reference(model: LanguageModel, ids: torch.Tensor, state, interventions=()) -> dict:
    """The LSTM equations written out one step at a time, pinning values as the interventions say."""
    H = model.config.hidden_dim
    x = model.embedding(ids)
    out = {k: [] for k in "ifgoch"}
    for layer in range(model.config.num_layers):
        w_ih, w_hh = getattr(model.rnn, f"weight_ih_l{layer}"), getattr(model.rnn, f"weight_hh_l{layer}")
        b_ih, b_hh = getattr(model.rnn, f"bias_ih_l{layer}"), getattr(model.rnn, f"bias_hh_l{layer}")
        h, c = state[0][layer], state[1][layer]
        steps = {k: [] for k in "ifgoch"}
        for t in range(ids.size(0)):
            z = x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh  # (B, 4H), gate order i, f, g, o
            v = {
                "i": torch.sigmoid(z[:, :H]),
                "f": torch.sigmoid(z[:, H : 2 * H]),
                "g": torch.tanh(z[:, 2 * H : 3 * H]),
                "o": torch.sigmoid(z[:, 3 * H :]),
            }
            active = [
                iv
                for iv in interventions
                if iv.layer == layer and iv.start <= t and (iv.stop is None or t < iv.stop)
            ]
            for iv in active:
                if iv.target in v:
                    units = list(range(H)) if iv.units is None else list(iv.units)
                    v[iv.target][:, units] = iv.value
            c = v["f"] * c + v["i"] * v["g"]
            for iv in active:
                if iv.target == "c":
                    c = c.clone()
                    c[:, list(range(H)) if iv.units is None else list(iv.units)] = iv.value
            h = v["o"] * torch.tanh(c)
            for k in "ifgo":
                steps[k].append(v[k])
            steps["c"].append(c)
            steps["h"].append(h)
        for k in steps:
            out[k].append(torch.stack(steps[k]))
        x = out["h"][-1]
    out["log_probs"] = model.log_probs(x)
    return out


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


def max_rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """|a - b| in units of max(1, |b|). Two float32 computations of the same value by different kernels (or
    the same kernel on other memory alignment) differ by an ulp or two; the ulp of a cell value or a
    log-probability near 12 is 1e-6, so those are compared relative to their size."""
    return float(((a - b).abs() / b.abs().clamp(min=1.0)).max())


@pytest.fixture(params=["random", "trained"])
def any_model(request) -> LanguageModel:
    return random_lstm() if request.param == "random" else request.getfixturevalue("tiny_model")


# --- parity with the fused kernel -------------------------------------------------------------------


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize(
    "steps", [7, 40]
)  # below FUSED_MIN_STEPS trace steps one by one, above it uses the kernel
def test_trace_equals_fused_lstm_every_layer(any_model, batch, steps):
    model = any_model
    ids, state = random_ids(model, steps, batch), random_state(model, batch)
    ref = fused_reference(model, ids, state)
    assert max_diff(ref["h"][-1], ref["features"]) <= EXACT  # the per-layer reference is the fused model

    tr = trace(model, ids[:, 0] if batch == 1 else ids, state)
    assert len(tr.layers) == model.config.num_layers
    for layer, lt in enumerate(tr.layers):
        assert lt.h.shape == lt.c.shape == lt.i.shape == (steps, batch, 8)
        assert max_diff(lt.h, ref["h"][layer]) <= TOL, f"h of layer {layer}"
        assert max_rel_diff(lt.c, ref["c"][layer]) <= TOL, f"c of layer {layer}"  # |c| reaches ~20
        assert torch.count_nonzero(lt.c[0] - lt.f[0] * lt.i[0]) > 0  # c0 mattered: the state was not zero
    assert tr.log_probs.shape == (steps, batch, model.config.vocab_size)
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL
    assert max_diff(tr.state[0], ref["h_n"]) <= TOL
    assert max_rel_diff(tr.state[1], ref["c_n"]) <= TOL  # c_n is the last c: relative, as c above


def test_trace_from_zero_state_equals_default(any_model):
    ids = random_ids(any_model, 6, 1)[:, 0]
    default, zero = trace(any_model, ids), trace(any_model, ids, any_model.init_state(1))
    assert torch.equal(default.log_probs, zero.log_probs)
    ref = fused_reference(any_model, ids[:, None], any_model.init_state(1))
    assert max_diff(default.log_probs, ref["log_probs"]) <= TOL


def test_trace_equals_hand_written_equations(any_model):
    ids, state = random_ids(any_model, 9, 2), random_state(any_model, 2)
    tr, ref = trace(any_model, ids, state), loop_reference(any_model, ids, state)
    for layer, lt in enumerate(tr.layers):
        for k in "ifgoch":
            assert max_diff(lt.get(k), ref[k][layer]) <= TOL, f"{k} of layer {layer}"
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL


def test_lstm_identities_and_ranges(any_model):
    ids, state = random_ids(any_model, 15, 3), random_state(any_model, 3)
    tr = trace(any_model, ids, state)
    H = any_model.config.hidden_dim
    for layer, lt in enumerate(tr.layers):
        assert torch.equal(lt.c0, state[1][layer]) and torch.equal(lt.h0, state[0][layer])
        c_before = torch.cat([lt.c0[None], lt.c[:-1]])
        assert max_rel_diff(lt.c, lt.f * c_before + lt.i * lt.g) <= EXACT  # c_t = f_t c_{t-1} + i_t g_t
        assert max_diff(lt.h, lt.o * torch.tanh(lt.c)) <= EXACT  # h_t = o_t tanh(c_t)
        for name in "ifo":
            assert 0.0 <= lt.get(name).min() and lt.get(name).max() <= 1.0
        assert -1.0 <= lt.g.min() and lt.g.max() <= 1.0
        z = lt.preact
        assert z.shape == (15, 3, 4 * H)
        assert max_diff(torch.sigmoid(z[..., :H]), lt.i) <= EXACT
        assert max_diff(torch.sigmoid(z[..., H : 2 * H]), lt.f) <= EXACT
        assert max_diff(torch.tanh(z[..., 2 * H : 3 * H]), lt.g) <= EXACT
        assert max_diff(torch.sigmoid(z[..., 3 * H :]), lt.o) <= EXACT
    # the random weights saturate some gates, so the ranges above are tested near their ends
    assert tr.layers[0].f.max() > 0.95 and tr.layers[0].f.min() < 0.05


# --- interventions ----------------------------------------------------------------------------------


def test_forget_gate_zero_everywhere_leaves_only_the_write():
    model = random_lstm()
    ids, state = random_ids(model, 10, 2), random_state(model, 2)
    ivs = [Intervention(layer=n, target="f", value=0.0) for n in range(2)]
    tr = trace(model, ids, state, interventions=ivs)
    ref = loop_reference(model, ids, state, ivs)
    for layer, lt in enumerate(tr.layers):
        assert torch.equal(lt.f, torch.zeros_like(lt.f))
        assert torch.equal(lt.c, lt.i * lt.g)  # exactly: c_t = 0 * c_{t-1} + i_t g_t
        assert max_diff(lt.h, ref["h"][layer]) <= TOL
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL


@pytest.mark.parametrize("layer", [0, 1])
def test_intervention_on_no_units_takes_the_step_path_and_changes_nothing(any_model, layer):
    assert FUSED_MIN_STEPS <= 30  # so the plain trace below goes through the fused kernel
    ids, state = random_ids(any_model, 30, 2), random_state(any_model, 2)
    plain = trace(any_model, ids, state)
    stepwise = trace(any_model, ids, state, interventions=[Intervention(layer, "f", 1.0, units=())])
    for a, b in zip(plain.layers, stepwise.layers, strict=True):
        for k in ("i", "f", "g", "o", "c", "h", "preact"):
            assert max_rel_diff(b.get(k), a.get(k)) <= EXACT
    assert max_rel_diff(stepwise.log_probs, plain.log_probs) <= EXACT
    assert max_rel_diff(stepwise.state[1], plain.state[1]) <= EXACT


def test_forget_gate_one_for_some_units_from_step_3_on():
    """'f = 1 for units 2-5 of layer 1 from step 3 on' in a 3-layer model."""
    model = random_lstm(num_layers=3, seed=5)
    ids, state = random_ids(model, 10, 2), random_state(model, 2)
    iv = Intervention(layer=1, target="f", value=1.0, units=(2, 3, 4, 5), start=3)
    plain, tr = trace(model, ids, state), trace(model, ids, state, interventions=[iv])
    ref = loop_reference(model, ids, state, [iv])

    for k in "ifgoch":  # layer 0 is below the intervention: untouched
        assert torch.equal(plain.layers[0].get(k), tr.layers[0].get(k))
    p1, t1 = plain.layers[1], tr.layers[1]
    for k in "ifgoch":  # steps before 3: unchanged
        assert max_rel_diff(p1.get(k)[:3], t1.get(k)[:3]) <= EXACT
    assert torch.equal(t1.f[3:, :, 2:6], torch.ones(7, 2, 4))
    assert max_diff(t1.f[3, :, [0, 1, 6, 7]], p1.f[3, :, [0, 1, 6, 7]]) <= EXACT  # other units at step 3
    assert torch.equal(t1.c[3:, :, 2:6], t1.c[2:-1, :, 2:6] + t1.i[3:, :, 2:6] * t1.g[3:, :, 2:6])
    assert max_diff(t1.c[3:], p1.c[3:]) > 1e-2  # the cell now keeps everything
    assert max_diff(t1.h[4:, :, [0, 1, 6, 7]], p1.h[4:, :, [0, 1, 6, 7]]) > 1e-3  # through h_{t-1}
    for layer in (1, 2):  # the layers above follow from the pinned values
        assert max_diff(tr.layers[layer].h[:3], plain.layers[layer].h[:3]) <= EXACT
    assert max_diff(tr.layers[2].h[3:], plain.layers[2].h[3:]) > 1e-3
    assert max_rel_diff(tr.log_probs[:3], plain.log_probs[:3]) <= EXACT
    assert max_diff(tr.log_probs[3:], plain.log_probs[3:]) > 1e-3
    for layer, lt in enumerate(tr.layers):  # and every value is what the equations give
        for k in "ifgoch":
            assert max_diff(lt.get(k), ref[k][layer]) <= TOL, f"{k} of layer {layer}"
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL


def test_an_intervention_after_a_long_fused_stretch():
    """Fused kernel for steps 0..29 of layer 0, then step by step from the pinned step 30 on."""
    model = random_lstm(seed=4)
    ids, state = random_ids(model, 36, 2), random_state(model, 2)
    iv = Intervention(layer=0, target="o", value=0.0, units=(1, 6), start=30)
    plain, tr = trace(model, ids, state), trace(model, ids, state, interventions=[iv])
    ref = loop_reference(model, ids, state, [iv])
    for layer, lt in enumerate(tr.layers):
        for k in "ifgoch":
            assert max_diff(lt.get(k), ref[k][layer]) <= TOL, f"{k} of layer {layer}"
    assert torch.equal(tr.layers[0].h[30:, :, [1, 6]], torch.zeros(6, 2, 2))  # h = 0 * tanh(c)
    assert max_rel_diff(tr.log_probs[:30], plain.log_probs[:30]) <= EXACT
    assert max_diff(tr.log_probs[30:], plain.log_probs[30:]) > 1e-4


def test_pinning_the_cell():
    model = random_lstm()
    ids, state = random_ids(model, 8, 1), random_state(model, 1)
    iv = Intervention(layer=0, target="c", value=0.5, units=(0,), start=2, stop=4)
    tr = trace(model, ids, state, interventions=[iv])
    lt = tr.layers[0]
    assert torch.equal(lt.c[2:4, :, 0], torch.full((2, 1), 0.5))
    assert torch.equal(lt.h[2:4, :, 0], lt.o[2:4, :, 0] * math.tanh(0.5))
    # the step after the pin reads c_{t-1} = 0.5
    assert torch.equal(lt.c[4, :, 0], lt.f[4, :, 0] * 0.5 + lt.i[4, :, 0] * lt.g[4, :, 0])
    assert lt.c[4, 0, 0] != 0.5
    ref = loop_reference(model, ids, state, [iv])
    for layer, layer_trace in enumerate(tr.layers):
        for k in "ifgoch":
            assert max_diff(layer_trace.get(k), ref[k][layer]) <= TOL
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL


def test_several_interventions_at_once_follow_the_equations():
    model = random_lstm(num_layers=2, seed=3)
    ids, state = random_ids(model, 9, 3), random_state(model, 3)
    ivs = [
        Intervention(0, "i", 0.0, units=(1, 2), start=1, stop=5),
        Intervention(0, "g", -1.0, units=(7,)),
        Intervention(1, "o", 1.0, start=6),
        Intervention(1, "c", -2.0, units=(0, 4), start=2, stop=3),
    ]
    tr, ref = trace(model, ids, state, interventions=ivs), loop_reference(model, ids, state, ivs)
    for layer, lt in enumerate(tr.layers):
        for k in "ifgoch":
            assert max_diff(lt.get(k), ref[k][layer]) <= TOL, f"{k} of layer {layer}"
    assert torch.equal(tr.layers[0].i[1:5, :, 1:3], torch.zeros(4, 3, 2))
    assert (tr.layers[0].i[5:, :, 1:3] > 0).all()  # stop is exclusive: from step 5 on, i is computed again
    assert torch.equal(tr.layers[1].o[6:], torch.ones(3, 3, 8))
    assert max_diff(tr.log_probs, ref["log_probs"]) <= TOL


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"layer": 2}, r"layer 2 does not exist: this model has layers 0\.\.1"),
        ({"layer": -1}, r"layer -1 does not exist"),
        ({"units": (3, 8)}, r"units must be in 0\.\.7"),
        ({"units": (-1,)}, r"units must be in 0\.\.7"),
        ({"units": (1.5,)}, r"units must be whole numbers in 0\.\.7"),
        ({"target": "h"}, r"cannot intervene on 'h': choose one of i, f, g, o, c"),
        ({"target": "f", "value": 1.5}, r"forget gate values lie in \[0, 1\], got 1\.5"),
        ({"target": "i", "value": -0.1}, r"input gate values lie in \[0, 1\]"),
        ({"target": "o", "value": 2.0}, r"output gate values lie in \[0, 1\]"),
        ({"target": "g", "value": -1.5}, r"candidate values lie in \[-1, 1\]"),
        ({"value": float("nan")}, r"must be a finite number"),
        ({"target": "c", "value": float("inf")}, r"must be a finite number"),
        ({"value": "half"}, r"must be a number, got 'half'"),
        ({"value": None}, r"must be a number, got None"),
        ({"start": -1}, r"0 <= start <= stop, got -1"),
        ({"start": 4, "stop": 2}, r"0 <= start <= stop, got 4\.\.2"),
    ],
)
def test_invalid_interventions_say_what_is_allowed(fields, message):
    model = random_lstm()
    iv = Intervention(**({"layer": 0, "target": "f", "value": 0.5} | fields))
    with pytest.raises(ValueError, match=message):
        trace(model, [1, 2, 3], interventions=[iv])
    with pytest.raises(ValueError, match=message):
        check_interventions(model, [iv], 3)


def test_trace_refuses_empty_prompts():
    gru = LanguageModel(ModelConfig(vocab_size=10, embed_dim=8, hidden_dim=8, cell="gru", dropout=0.0))
    for model in (random_lstm(), gru):  # GRU and RNN traces: tests/test_trace_cells.py
        with pytest.raises(ValueError, match="the prompt has no words"):
            trace(model, [])


# --- continuing from a saved state -------------------------------------------------------------------


@pytest.mark.parametrize("split", [1, 4, 9])
def test_continuing_from_a_state_equals_one_trace(any_model, split):
    ids, state = random_ids(any_model, 10, 3), random_state(any_model, 3)
    whole = trace(any_model, ids, state)
    first = trace(any_model, ids[:split], state)
    rest = trace(any_model, ids[split:], state=first.state)
    for layer in range(any_model.config.num_layers):
        for k in "ifgoch":
            joined = torch.cat([first.layers[layer].get(k), rest.layers[layer].get(k)])
            assert max_rel_diff(joined, whole.layers[layer].get(k)) <= EXACT
        assert torch.equal(rest.layers[layer].c0, first.layers[layer].c[-1])
    assert max_rel_diff(torch.cat([first.log_probs, rest.log_probs]), whole.log_probs) <= EXACT
    assert max_rel_diff(rest.state[1], whole.state[1]) <= EXACT


def test_tracing_word_by_word_equals_one_trace():
    model = random_lstm()
    ids, state = random_ids(model, 7, 1)[:, 0], random_state(model, 1)
    whole = trace(model, ids, state)
    log_probs = []
    for word in ids.tolist():
        step = trace(model, [word], state)
        state = step.state
        log_probs.append(step.log_probs)
    assert max_rel_diff(torch.cat(log_probs), whole.log_probs) <= EXACT
    assert max_diff(state[0], whole.state[0]) <= EXACT


def test_trace_can_skip_the_output_layer():
    model = random_lstm()
    tr = trace(model, [1, 2, 3], log_probs=False)
    assert tr.log_probs is None
    assert torch.equal(tr.layers[-1].h, trace(model, [1, 2, 3]).layers[-1].h)
