"""What a Class-game page shows of its room: `draw` turns `RoomStore.state` into the tab's outputs (the
banner, the round, the class's chart and the models' charts, the scores, which panel shows) and a
signature, so that a poll (tabs/class_game.py `tick`) redraws only when the room, who is present or the
page's language changed.
"""

from __future__ import annotations

import gradio as gr

from playground import markup
from playground.i18n import language, say
from playground.plots.class_game import CLASS_COLOR, MODEL_COLORS, bars_figure
from playground.plots.style import placeholder
from playground.server.room import RoomError
from playground.server.rooms import RoomStore
from playground.views.class_game import banner_html, round_html, scores_html

MODEL_PANELS = 4  # models charted beside the class (the API returns every model of the line-up)
DRAWN = 8 + MODEL_PANELS  # outputs of `draw`


def charts(state: dict) -> list:
    """The class's panel (its guesses, or a note saying when they show) and one panel per model (shown
    after the reveal), as Plot updates."""
    teacher = state["role"] == "teacher"
    axis, prob = say("class.chart_share"), say("class.chart_prob")
    unit = state.get("unit", "word")  # what the room's model reads: names a model's <unk>
    if state["histogram"]:
        words = [w for w, _ in state["histogram"]]
        shares = [c / max(state["guesses"], 1) for _, c in state["histogram"]]
        title = say("class.chart_class", n=state["guesses"])
        first = bars_figure(title, words, shares, CLASS_COLOR, state["actual"], axis, unit)
    else:
        first = placeholder(say("class.chart_none" if teacher else "class.chart_hidden"), height=260)
    models = (state["models"] or [])[:MODEL_PANELS]
    shown = [
        gr.Plot(
            bars_figure(m["label"], m["words"], m["probs"], MODEL_COLORS[i], state["actual"], prob, unit),
            visible=True,
        )
        for i, m in enumerate(models)
    ]
    return [gr.Plot(first, visible=True), *shown, *[gr.Plot(visible=False)] * (MODEL_PANELS - len(shown))]


def draw(store: RoomStore, seat: dict | None) -> tuple:
    """(signature, banner, round, the class's chart, MODEL_PANELS model charts, scores, teacher panel,
    student panel, gate buttons) for the page's room; a room that is gone says so and leaves the page out."""
    hidden = (gr.Group(visible=False), gr.Group(visible=False), gr.Row(visible=False))
    if not seat:
        return (None, "", "", *[gr.skip()] * (1 + MODEL_PANELS), "", *hidden)
    try:
        state = store.state(seat["code"], seat["token"])
    except RoomError:
        gone = markup.notice(say("class.closed"))
        return (None, gone, "", *[gr.skip()] * (1 + MODEL_PANELS), "", *hidden)
    teacher = state["role"] == "teacher"
    return (
        signature(state),
        banner_html(state),
        round_html(state),
        *charts(state),
        scores_html(state),
        gr.Group(visible=teacher),
        gr.Group(visible=not teacher),
        gr.Row(visible=not teacher and state["question"] == "gate"),
    )


def signature(state: dict) -> tuple:
    """What a page has drawn: it redraws only when the room changed, who is present changed, or the
    page's language did."""
    return (state["code"], state["version"], state["present"], language())
