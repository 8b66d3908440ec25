"""The Live Lab's loss curve notes overfitting: the last validation loss at least 1.5x its best while the
training loss fell below what it was at the best (a tiny text's held-out part, memorised training text)."""

from __future__ import annotations

from playground.plots.live import OVERFIT_RATIO, loss_figure, overfitting
from playground.text.live import PAIRS


def evals(*rows: tuple[int, float, float]) -> list[dict]:
    return [dict(step=s, seconds=s / 10, train_loss=t, val_loss=v) for s, t, v in rows]


# the newcomer's run: an 8-line poem, validation 2.6 at step 50, then 5.2 while training falls to 0.001
POEM = evals((0, 4.0, 4.1), (50, 2.2, 2.6), (500, 0.3, 3.9), (1908, 0.001, 5.2))


def status(rows: list[dict]) -> dict:
    return dict(unit="character", evals=rows, curve={"step": [r["step"] for r in rows],
                                                     "loss": [r["train_loss"] for r in rows]})  # fmt: skip


def notes(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "overfit"]


def test_the_rule():
    assert OVERFIT_RATIO == 1.5
    assert overfitting(POEM)["step"] == 50
    assert overfitting(POEM[:3]) is None  # 3.9 / 2.6 = 1.5 exactly is enough; just below it is not
    assert overfitting(evals((50, 2.2, 2.6), (500, 0.3, 2.6 * 1.5))) is not None
    assert overfitting(evals((50, 2.2, 2.6), (500, 0.3, 2.6 * 1.49))) is None
    # validation rose but so did training (a diverging run, not memorising): no note
    assert overfitting(evals((50, 2.2, 2.6), (500, 3.0, 5.2))) is None
    assert overfitting(POEM[:1]) is None and overfitting([]) is None  # one validation: nothing to compare
    assert overfitting(evals((50, 2.2, float("nan")), (60, 2.0, 3.0))) is None  # a NaN is no best
    assert overfitting([dict(step=50, val_loss=2.6), dict(step=99, val_loss=5.2)]) is None  # no training loss


def test_the_note_under_the_curve_in_both_languages():
    assert notes(loss_figure(status(POEM[:2]), "en")) == []
    (en,) = notes(loss_figure(status(POEM), "en"))
    (zh,) = notes(loss_figure(status(POEM), "zh"))
    # the curve has half the tab's width: at 95 characters a line (48 in Chinese) the note ran past its right
    # edge and its last line past the bottom, and its first line overlapped the step axis's title
    assert all(len(line) <= 56 for line in en.split("<br>")) and all(
        len(line) <= 24 for line in zh.split("<br>")
    )
    for lang in ("en", "zh"):
        fig = loss_figure(status(POEM), lang)
        (note,) = [a for a in fig.layout.annotations if a.name == "overfit"]
        lines = note.text.count("<br>") + 1
        assert note.yshift <= -90 and note.font.size == 15  # below the step axis's title, ~70 px down
        assert fig.layout.margin.b >= -note.yshift + 20 * lines  # every line inside the figure
        assert fig.layout.height - fig.layout.margin.b >= 380 - 90  # the curve keeps its height
    ratio = f"{5.2 / 2.6:.1f}"  # 2.0
    assert en.replace("<br>", " ") == PAIRS["live.overfit"][0].format(ratio=ratio, step="50")
    assert zh.replace("<br>", "") == PAIRS["live.overfit"][1].format(ratio=ratio, step="50")
    en, zh = en.replace("<br>", " "), zh.replace("<br>", "")
    assert "overfitting" in en and "longer text" in en and "过拟合" in zh and "更长的文本" in zh


def test_a_long_runs_status_keeps_its_best_validation():
    """A status lists at most MAX_EVALS validations, evenly thinned: the best and the last are always among
    them, so the note (and the curve's lowest point) read the true best, not the best of the thinned list."""
    from playground.server.live_job import MAX_EVALS, thinned

    n = 1000
    every = -(-n // (MAX_EVALS - 2))  # the thinning step: 4 (room for the best and the last)
    best_at = 401  # not on the grid of every 4th
    assert best_at % every
    rows = evals(*[(k, 4.0 - k / n, 3.0 if k == best_at else 6.0 - k / n) for k in range(n)])
    shown = thinned(rows)
    assert len(shown) <= MAX_EVALS
    assert rows[best_at] in shown and shown[-1] == rows[-1] and shown[0] == rows[0]
    assert [r["step"] for r in shown] == sorted({r["step"] for r in shown})  # in order, none twice
    assert overfitting(shown)["step"] == best_at  # 5.0 / 3.0 >= 1.5, training lower than at the best
    every_fourth = rows[::every]
    assert overfitting(every_fourth) is None  # what the old thinning would have read: no best at 3.0
    assert thinned([]) == [] and thinned(rows[:5]) == rows[:5]
    with_nan = evals((0, 4.0, float("nan")), (1, 3.0, 2.0), (2, 2.0, 2.5), (3, 1.0, 2.6), (4, 1.0, 2.7))
    assert thinned(with_nan, most=3) == [with_nan[0], with_nan[1], with_nan[4]]  # a NaN is no best
