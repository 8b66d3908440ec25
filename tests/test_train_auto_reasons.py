"""The automatic choices' reasons: never contradict themselves, and say the run's unit (a character model's
reasons speak of characters). A fake throughput and a clock moved by the probe, as tests/test_autosize.py."""

from __future__ import annotations

from lstmlm.training.autosize import plan_training


def _slow_probe_plan(unit: str = "word"):
    # 100,000 tokens, a 1-minute budget: the probe may use 5% (3 s). The bisection starts at 128 units, whose
    # 2 s probe reads too few (1 token/s); 2 s + 2 x 2 s > 3 s, so it stops, and 64 units are measured last:
    # at 1e6 tokens/s they read far more than the 200,000 (2 passes) they need
    now = [0.0]

    def measure(settings: dict) -> float:
        now[0] += 2.0
        return 1e6 if settings["hidden_dim"] == 64 else 1.0

    return plan_training(100_000, 10_000, 50, 1.0, 0, {}, measure, clock=lambda: now[0], unit=unit)


def test_the_smallest_size_measured_last_is_not_called_too_small():
    plan = _slow_probe_plan()
    reason = plan.reasons["hidden_dim"]
    assert plan.model["hidden_dim"] == 64 and list(plan.measured) == [128, 64]
    assert (
        "even it reads only" not in reason and ">= the 0.20 M it needs" in reason and "not probed" in reason
    )


def test_a_character_runs_reasons_say_characters():
    plan = _slow_probe_plan("character")
    text = " ".join(plan.reasons.values())
    assert "M characters in the budget" in text and "1,000,000 characters/s measured" in text
    assert "50-character output layer" in plan.reasons["softmax"] and "training character" in text
    assert " word" not in text.replace("bundled word models", "")
    assert " word" in " ".join(_slow_probe_plan().reasons.values())  # a word run keeps its words
