"""The Class game's handlers, without a browser: "Open a room" says what it does once a room is open (it
closes that room and opens another), and the class's chart shows only once the page is in a room."""

from __future__ import annotations

import gradio as gr
import pytest

from playground.server.room import RoomError
from playground.server.rooms import RoomStore
from playground.tabs.class_game import build, join_room, open_room
from playground.tabs.class_game_draw import DRAWN
from playground.text.class_game import PAIRS


def test_open_button_names_the_room_it_closes():
    store = RoomStore(gates=lambda words: None)
    seat, *rest = open_room(store, "", None)
    button = rest[-1]
    assert len(rest) == DRAWN + 3  # what is drawn, the link, the timer, the button
    assert isinstance(button, gr.Button) and button.value == f"Close room {seat['code']} and open a new one"
    store.state(seat["code"], seat["token"])  # the room is open
    seat2, *rest2 = open_room(store, "", seat)
    assert seat2["code"] != seat["code"] and seat2["code"] in rest2[-1].value
    with pytest.raises(RoomError):  # the first room was closed, as the label said
        store.state(seat["code"], seat["token"])
    en, zh = PAIRS["class.open_again"]
    assert "{code}" in en and "{code}" in zh and any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_class_chart_hidden_until_in_a_room():
    store = RoomStore(gates=lambda words: None)
    with gr.Blocks():
        view = build(store, gr.State("class"))
    chart = view.controls["drawn"][3]
    assert chart.elem_id == "class-chart" and chart.visible is False
    code, _key = store.open()
    _seat, _sig, _banner, _round, first, *_ = join_room(store, code, "", None)
    assert isinstance(first, gr.Plot) and first.visible is True
