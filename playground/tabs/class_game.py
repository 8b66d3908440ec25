"""Class game ("predict, then reveal"): a teacher opens a room, students join by its link (?room=CODE) or
code, the teacher pushes a sentence, everyone guesses the next word (or picks which gate closes at the full
stop), the teacher reveals the model's answer beside the class's guesses and steps on word by word. The
rules and state are in server/room*.py; this module lays the tab out and passes the buttons on, and
tabs/class_game_draw.py draws `RoomStore.state`.

A page follows its room with a gr.Timer (POLL_S) that runs only while the page is in a room AND this tab
is open: opening the tab starts it, and its first tick after another tab was opened stops it (the app's
`active` state says which tab is open). A tick whose room did not change returns nothing to draw. The tab
has no listener on the shared prompt.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import gradio as gr

from playground.i18n import say, shown, t
from playground.server.room import RoomError
from playground.server.room_scoring import GATE_PICKS
from playground.server.rooms import RoomStore
from playground.tabs import TabView
from playground.tabs.class_game_draw import DRAWN, MODEL_PANELS, draw
from playground.text import per_unit

TAB_ID = "class"
POLL_S = 1.5  # how often an open Class-game tab asks for its room
DEFAULT_SENTENCE = "The little girl opened the | door and ran into the garden ."

# A page opened by a room link shows the game first: scrolled to the join box, past the header and the prompt.
SCROLL_TO_GAME_JS = """() => {
  if (!new URLSearchParams(window.location.search).has("room")) return;
  let tries = 0;  // the tab shows a moment after the load's update: wait (up to 4 s) until the box is drawn
  const go = () => {
    const box = document.getElementById("class-code");
    if (box && box.offsetParent !== null && box.getBoundingClientRect().height > 0) {
      box.scrollIntoView({block: "start"});
    } else if (tries++ < 40) setTimeout(go, 100);
  };
  go();
}"""
# A room's join link, absolute: the page's own address with ?room=CODE (and its language).
JOIN_LINK_JS = """(query) => {
  if (!query || query.startsWith("http")) return query;
  const url = new URL(window.location.origin + window.location.pathname + query);
  if ((document.documentElement.lang || "").startsWith("zh")) url.searchParams.set("lang", "zh");
  return url.href;
}"""


def _seat(code: str, role: str, token: str) -> dict:
    """What a page keeps of its room (in gr.State): the code, its role, and its teacher key or student id."""
    return {"code": code, "role": role, "token": token}


def open_room(store: RoomStore, password: str, seat: dict | None) -> tuple:
    """Open a new room for this page (closing the room it opened before, if any)."""
    if seat and seat.get("role") == "teacher":
        try:
            store.close(seat["code"], seat["token"])
        except RoomError:
            pass
    try:
        code, key = store.open(password or "")
    except RoomError as e:
        raise gr.Error(shown(e), title=say("tab.class"), print_exception=False) from None
    seat = _seat(code, "teacher", key)
    # the button now closes this room before it opens another: its label says so
    again = gr.Button(say("class.open_again", code=code))
    link = gr.Textbox(value=f"?room={code}", visible=True)
    return (seat, *draw(store, seat), link, gr.Timer(active=True), again)


def join_room(store: RoomStore, code: str, password: str, seat: dict | None) -> tuple:
    """Join room `code` as a student."""
    try:
        member = store.join(code, password or "")
        code = store.state(code, member)["code"]
    except RoomError as e:
        raise gr.Error(shown(e), title=say("tab.class"), print_exception=False) from None
    seat = _seat(code, "student", member)
    return (seat, *draw(store, seat), gr.Textbox(visible=False), gr.Timer(active=True))


def teacher_move(store: RoomStore, move: str, seat: dict | None, text: str = "") -> tuple:
    """Push (`text`), reveal or step, then draw the room."""
    if not seat or seat.get("role") != "teacher":
        raise gr.Error(say("class.open_first"), title=say("tab.class"), print_exception=False)
    code, key = seat["code"], seat["token"]
    try:
        if move == "push":
            store.push_text(code, key, text)
        elif move == "gate":
            store.push_gate(code, key, text)
        elif move == "reveal":
            store.reveal(code, key)
        else:
            store.step(code, key)
    except RoomError as e:
        raise gr.Error(shown(e), title=say("tab.class"), print_exception=False) from None
    return draw(store, seat)


def send_guess(store: RoomStore, seat: dict | None, guess: str) -> tuple:
    """Record this student's guess, then draw the room."""
    if not seat or seat.get("role") != "student":
        raise gr.Error(say("class.join_first"), title=say("tab.class"), print_exception=False)
    try:
        store.guess(seat["code"], seat["token"], guess)
    except RoomError as e:
        raise gr.Error(shown(e), title=say("tab.class"), print_exception=False) from None
    return draw(store, seat)


def tick(store: RoomStore, seat: dict | None, seen: Any, active: str) -> tuple:
    """One poll: nothing unless the room changed; the timer stops when the page left this tab or its room."""
    skip = (gr.skip(),) * DRAWN
    if not seat or active != TAB_ID:
        return (*skip, gr.Timer(active=False))
    drawn = draw(store, seat)
    if drawn[0] is None:  # the room is gone: say so once, stop polling
        return (*drawn, gr.Timer(active=False))
    if drawn[0] == seen:
        return (*skip, gr.skip())
    return (*drawn, gr.skip())


def tab_opened(seat: dict | None) -> Any:
    """Opening the tab starts the page's polling, if it is in a room."""
    return gr.Timer(active=bool(seat))


def build(store: RoomStore, active: gr.State) -> TabView:
    """The Class-game tab; `store` holds every room of the app, `active` is the app's open-tab state."""
    with gr.Tab(t("tab.class"), id=TAB_ID) as tab:
        gr.Markdown(t(per_unit("class.intro", store.unit)))
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                with gr.Row(equal_height=True):
                    code = gr.Textbox(label=t("class.code"), max_lines=1, elem_id="class-code", scale=2)
                    password = gr.Textbox(
                        label=t("class.password"),
                        type="password",
                        max_lines=1,
                        elem_id="class-password",
                        scale=2,
                    )
                    join = gr.Button(t("class.join"), variant="primary", elem_id="class-join", scale=1)
            with gr.Column(scale=2):
                with gr.Accordion(t("class.teacher"), open=False, elem_id="class-teacher"):
                    new_password = gr.Textbox(
                        label=t("class.new_password"),
                        type="password",
                        max_lines=1,
                        elem_id="class-new-password",
                    )
                    open_button = gr.Button(t("class.open"), elem_id="class-open")
        banner = gr.HTML(elem_id="class-banner")
        link = gr.Textbox(
            label=t("class.link"), interactive=False, visible=False, buttons=["copy"], elem_id="class-link"
        )
        with gr.Group(visible=False) as teacher_panel:
            sentence = gr.Textbox(
                DEFAULT_SENTENCE, label=t("class.sentence"), max_lines=3, elem_id="class-sentence"
            )
            with gr.Row():
                push = gr.Button(t("class.push"), variant="primary", elem_id="class-push")
                push_gate = gr.Button(t("class.push_gate"), elem_id="class-push-gate")
                reveal = gr.Button(t("class.reveal"), elem_id="class-reveal")
                step = gr.Button(t(per_unit("class.step", store.unit)), elem_id="class-step")
        with gr.Group(visible=False) as student_panel:
            with gr.Row(equal_height=True):
                guess = gr.Textbox(
                    label=t(per_unit("class.guess", store.unit)), max_lines=1, elem_id="class-guess", scale=4
                )
                send = gr.Button(t("class.send"), variant="primary", elem_id="class-send", scale=1)
            with gr.Row(visible=False) as gate_row:
                picks = {k: gr.Button(t(f"class.gate_{k}"), elem_id=f"class-gate-{k}") for k in GATE_PICKS}
        round_box = gr.HTML(elem_id="class-round")
        # side by side on a projector, stacked on a phone; the class's panel keeps its width when the models'
        # panels appear (plotly does not redraw a chart whose box changes size with its neighbours)
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=260):
                # hidden until the page is in a room (an empty box under the join form says nothing)
                chart = gr.Plot(show_label=False, visible=False, elem_id="class-chart")
            with gr.Column(scale=5, min_width=260), gr.Row(equal_height=False):
                model_charts = [
                    gr.Plot(show_label=False, visible=False, elem_id=f"class-model-{i}", min_width=220)
                    for i in range(MODEL_PANELS)
                ]
        scores = gr.HTML(elem_id="class-scores")
        seat = gr.State(None)
        seen = gr.State(None)
        timer = gr.Timer(POLL_S, active=False)

    drawn = [seen, banner, round_box, chart, *model_charts, scores, teacher_panel, student_panel, gate_row]
    quiet = dict(show_progress="hidden", api_visibility="private")
    moves = dict(concurrency_limit=4, concurrency_id="rooms", **quiet)
    show_link = dict(js=JOIN_LINK_JS, **quiet)
    open_button.click(
        partial(open_room, store), [new_password, seat], [seat, *drawn, link, timer, open_button], **moves
    ).then(None, link, link, **show_link)
    join_inputs = [code, password, seat]
    for trigger in (join.click, code.submit, password.submit):
        trigger(partial(join_room, store), join_inputs, [seat, *drawn, link, timer], **moves)
    push.click(partial(teacher_move, store, "push"), [seat, sentence], drawn, **moves)
    reveal.click(partial(teacher_move, store, "reveal"), seat, drawn, **moves)
    step.click(partial(teacher_move, store, "step"), seat, drawn, **moves)
    push_gate.click(partial(teacher_move, store, "gate"), [seat, sentence], drawn, **moves)
    for trigger in (send.click, guess.submit):
        trigger(partial(send_guess, store), [seat, guess], drawn, **moves)
    for k, button in picks.items():  # a gate question's picks: the button's letter is the guess
        button.click(partial(send_guess, store, guess=k), seat, drawn, **moves)
    # polls and tab switches skip the queue: a dictionary look-up each, and 30 pages polling must not
    # fill the queue's places that model calls wait in
    timer.tick(partial(tick, store), [seat, seen, active], [*drawn, timer], queue=False, **quiet)
    tab.select(tab_opened, seat, timer, queue=False, **quiet)
    view = TabView(tab)
    view.controls = {"code": code, "password": password, "seat": seat, "timer": timer, "drawn": drawn}
    return view


def join_by_link(store: RoomStore, drawn: int, request: gr.Request | None) -> tuple:
    """(code, tabs, active tab, seat, the `drawn` outputs, password, timer) for a page opened by a link:
    with ?room=CODE the Class-game tab opens with the code filled in, joined at once unless the room has a
    password; any other page is left as it is."""
    params = dict(request.query_params) if request is not None else {}
    rest = (gr.skip(),) * (drawn + 3)  # seat, what is drawn, password, timer
    if "room" not in params:
        return (gr.skip(),) * 3 + rest
    code = "".join(str(params["room"]).split()).upper()[:20]
    opened = (code, gr.Tabs(selected=TAB_ID), TAB_ID)
    try:
        if store.needs_password(code):
            return opened + rest  # the student types the password and presses Join
    except RoomError as e:
        gr.Warning(shown(e), title=say("tab.class"))
        return opened + rest
    seat, *drawn_now, _link, timer = join_room(store, code, "", None)
    return (*opened, seat, *drawn_now, gr.skip(), timer)


def follow_link(store: RoomStore, loaded: Any, view: TabView, tabs: gr.Tabs, active: gr.State) -> None:
    """After the page load (chained on the app's load event, so it has the last word on the open tab): a
    link with ?room=CODE opens this tab with the code filled in, and joins at once unless the room has a
    password (`join_by_link`)."""
    c = view.controls

    def opened_by_link(request: gr.Request) -> tuple:  # gradio injects the request into a plain function
        return join_by_link(store, len(c["drawn"]), request)

    loaded.then(
        opened_by_link,
        None,
        [c["code"], tabs, active, c["seat"], *c["drawn"], c["password"], c["timer"]],
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    ).then(None, js=SCROLL_TO_GAME_JS, queue=False, show_progress="hidden", api_visibility="private")
