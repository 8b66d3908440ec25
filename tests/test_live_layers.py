"""The Live Lab's "Watch its gates learn" offers the layers of the model being trained, no more."""

from __future__ import annotations

from test_live import anbn_text
from test_live_app import wait_until_ended

from playground.server.live_jobs import LiveJobs


def test_the_layer_choices_follow_the_trained_models_layers():
    """Watch its gates learn offers one layer per layer of the model being trained (a 1-layer model has no
    Layer 2), set when the training starts, in the page's language."""
    from types import SimpleNamespace

    from playground.tabs.live import start_training
    from playground.tabs.live_snapshots import layer_choices

    assert layer_choices(1, "en") == [("Layer 1", 0)]
    assert layer_choices(2, "zh") == [("第 1 层", 0), ("第 2 层", 1)]
    jobs = LiveJobs()
    for layers, session in ((1, "one"), (2, "two")):
        request = SimpleNamespace(session_hash=session)
        out = start_training(jobs, anbn_text(), "chars", layers, 16, 20, 0.005, 10, 0, "", request)
        radio = out[-1]
        assert [value for _, value in radio.choices] == list(range(layers)) and radio.value == 0
        assert [label for label, _ in radio.choices] == [f"Layer {n + 1}" for n in range(layers)]
        assert jobs.get(out[0]).settings.num_layers == layers
        jobs.stop(out[0])
        wait_until_ended(jobs, out[0])
