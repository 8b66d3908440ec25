"""The `intervene`, `equations` and `counterfactual` endpoints through gradio_client, as scripts call them."""

from __future__ import annotations

from decimal import Decimal

import pytest
import torch
from conftest import app_client

from lstmlm.sampling import start_state
from lstmlm.trace import trace
from playground.views.counterfactual import counterfactual_json
from playground.views.equations import equations_json

PROMPT = "the cat sat on the mat . a dog ran to the"  # words the tiny model knows


@pytest.fixture(scope="module")
def client(tiny_model_dir):
    from lstmlm import load_model

    model = load_model(tiny_model_dir)
    with app_client(model) as c:
        yield c, model


def test_the_endpoints_are_public_and_the_tab_listeners_are_not(client):
    c, _ = client
    named = set(c.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/intervene", "/equations", "/counterfactual"} <= named
    # the tab listeners' functions (e.g. Counterfactual's compare_prompts) stay private
    assert not named & {
        "/apply",
        "/update",
        "/update_if_open",
        "/compare_prompts",
        "/from_prompt",
        "/_value_slider",
    }


@torch.no_grad()
def lstm_by_hand(
    model, words: list[str], pin: tuple[int, list[int], int, float] | None = None
) -> torch.Tensor:
    """Next-word probabilities (V,) after <eos> and `words`, each LSTM step computed from its equations with
    the model's weights. pin = (layer, units, first prompt step, value): f_t of those units is set to value.
    """
    rnn, L, H = model.rnn, model.config.num_layers, model.config.hidden_dim
    h, c = [torch.zeros(H) for _ in range(L)], [torch.zeros(H) for _ in range(L)]
    for t, word in enumerate(["<eos>", *words]):  # step t - 1 of the prompt (the <eos> is the line start)
        x = model.embedding.weight[model.vocab.words.index(word)]
        for layer in range(L):
            z = getattr(rnn, f"weight_ih_l{layer}") @ x + getattr(rnn, f"bias_ih_l{layer}")
            z = z + getattr(rnn, f"weight_hh_l{layer}") @ h[layer] + getattr(rnn, f"bias_hh_l{layer}")
            i, f, g, o = z.chunk(4)  # PyTorch's gate order
            i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
            if pin is not None and layer == pin[0] and t - 1 >= pin[2]:
                f[pin[1]] = pin[3]
            c[layer] = f * c[layer] + i * g
            h[layer] = o * c[layer].tanh()
            x = h[layer]
    return model.log_probs(h[-1]).exp()


def test_intervene_pins_the_forget_gate(client):
    c, model = client
    got = c.predict(
        PROMPT, layer=1, action="pin_forget", value=0.0, units="list", unit_list="0-3", steps="2-",
        n_words=5, seed=4, k=5, api_name="/intervene",
    )  # fmt: skip
    words = PROMPT.split()
    for side, pin in (("before", None), ("after", (1, [0, 1, 2, 3], 2, 0.0))):
        probs = lstm_by_hand(model, words, pin)
        top = probs.topk(5)
        assert got[side]["words"] == [model.vocab.words[i] for i in top.indices], side
        assert got[side]["probs"] == pytest.approx(top.values.tolist(), abs=2e-6), side
    plain, pinned = lstm_by_hand(model, words), lstm_by_hand(model, words, (1, [0, 1, 2, 3], 2, 0.0))
    assert (plain - pinned).abs().max() > 1e-3  # the pin matters here: an ignored intervention fails above
    assert got["total_variation"] == pytest.approx(0.5 * (plain - pinned).abs().sum().item(), abs=2e-6)
    assert got["intervention"]["units"] == [0, 1, 2, 3] and got["intervention"]["start"] == 2
    assert len(got["generated_words_with"]) == len(got["generated_words_without"]) == 5


def test_equations_add_up_to_the_shown_cell(client):
    c, model = client
    got = c.predict(PROMPT, 0, 3, 5, 4, "en", api_name="/equations")
    assert got == {
        **equations_json(model, PROMPT, 0, 3, 5, 4, "en"),
        "hidden": 0,
    }
    n, shown = got["numbers"], got["shown"]
    # f_t * C_{t-1} + i_t * C~_t is the shown C_t, to the shown precision
    assert Decimal(shown["kept"]) + Decimal(shown["written"]) == Decimal(shown["c_t"])
    assert Decimal(shown["kept"]) == round(Decimal(n["f_t"] * n["c_prev"]), 4)
    assert Decimal(shown["written"]) == round(Decimal(n["i_t"] * n["g_t"]), 4)
    assert abs(Decimal(shown["c_t"]) - Decimal(n["c_t"])) <= Decimal("0.0001")
    assert shown["c_t"] in got["latex"] and "$$C_t = f_t * C_{t-1}" in got["latex"]


def test_counterfactual(client):
    c, model = client
    got = c.predict("the cat sat on the", "the dog sat on the", 1, 5, api_name="/counterfactual")
    assert got == {
        **counterfactual_json(model, "the cat sat on the", "the dog sat on the", 1, 5),
        "hidden": 0,
    }
    assert got["first_difference"] == 1 and got["mean_abs_delta"]["h"][0] == 0.0
    assert got["mean_abs_delta"]["h"][1] > 0
    # the top layer's h, traced by the library for each prompt: mean |B - A| per position
    state = start_state(model)
    ids = [
        [model.vocab.words.index(w) for w in text.split()]
        for text in ("the cat sat on the", "the dog sat on the")
    ]
    h = [trace(model, i, state).layers[1].h[:, 0] for i in ids]  # (T, H) each
    assert got["mean_abs_delta"]["h"] == pytest.approx((h[1] - h[0]).abs().mean(1).tolist(), abs=2e-6)
    assert got["read_alike"] == []


def test_counterfactual_differences_are_rounded_to_6_places(client):
    """Rounded in float64: a float32 rounded to 6 places read 0.07977700233459473 in the JSON."""
    _, model = client
    got = counterfactual_json(model, "the cat sat on the", "the dog sat on the", 0, 5)["mean_abs_delta"]
    values = [v for signal in got.values() for v in signal]
    assert any(v > 0 for v in values)
    assert all(Decimal(repr(v)).as_tuple().exponent >= -6 for v in values), values


def test_counterfactual_of_two_unknown_words_says_they_read_as_unk(client):
    c, model = client
    got = c.predict("the Zorblax was", "the Quibble was", 0, 5, api_name="/counterfactual")
    assert got["first_difference"] is None  # the model reads both prompts the same
    assert got["read_alike"] == [{"position": 1, "a": "Zorblax", "b": "Quibble", "read_as": "<unk>"}]
    assert all(v == 0.0 for values in got["mean_abs_delta"].values() for v in values)
    assert got["total_variation"] == 0.0 and got["before"] == got["after"]


@pytest.mark.parametrize(
    ("endpoint", "args", "message"),
    [
        ("/intervene", (PROMPT, 0, "pin_forget", 2.0), "between 0 and 1"),
        ("/intervene", (PROMPT, 0, "pin_forget", 0.0, "list", "9-2"), "goes backwards"),
        ("/intervene", ("", 0), "the prompt is empty"),
        ("/equations", (PROMPT, 0, 0, 99), "unit 99 does not exist"),
        ("/equations", (PROMPT, 0, 0, 0, 4, "fr"), "lang must be one of"),
        ("/counterfactual", ("the cat", "the dog", 7), "layer must be one of 0..1"),
    ],
)
def test_bad_input_gives_a_message(client, endpoint, args, message):
    from gradio_client.exceptions import AppError

    c, _ = client
    with pytest.raises(AppError, match=message):
        c.predict(*args, api_name=endpoint)
