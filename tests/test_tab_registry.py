"""The tab registry (playground/tabs/registry.py) agrees with every place that names a tab: the link format,
the words in both languages, Learn's list of views, and the app as built."""

from __future__ import annotations

import re
from dataclasses import fields

from playground.classroom.links import VIEWS, Screen
from playground.i18n import EN, ZH
from playground.tabs.registry import TABS
from playground.text import learn


def test_every_tab_once_in_the_order_of_the_strip():
    ids = [spec.id for spec in TABS]
    assert len(ids) == len(set(ids))
    assert ids[:2] == ["start", "next_word"] and ids[-1] == "learn"


def test_links_open_exactly_the_linkable_tabs():
    assert {spec.id for spec in TABS if spec.linkable} == set(VIEWS)


def test_link_keys_are_fields_of_a_screen_and_only_gates_and_equations_share_some():
    keys = [k for spec in TABS for k in spec.link_keys]
    assert set(keys) <= {f.name for f in fields(Screen)} - {"prompt", "view", "mode", "lang"}
    for spec in TABS:
        assert len(spec.link_keys) == len(set(spec.link_keys)), spec.id
    shared = {k for k in keys if keys.count(k) > 1}  # restored into each; a link carries the open tab's
    owners = {spec.id for spec in TABS if shared & set(spec.link_keys)}
    assert shared == {"layer", "unit"} and owners == {"gates", "equations"}


def test_every_tab_has_its_label_in_both_languages_and_a_row_in_learn():
    for spec in TABS:
        assert spec.label_key in EN and spec.label_key in ZH, spec.id
    rows = learn.view_rows("en", "word")  # a word model's Learn (tests/test_learn_units.py: a character one)
    described = {name for row in rows for name in re.findall(r"\*\*(.+?)\*\*", row[0])}
    assert {EN[spec.label_key] for spec in TABS} == described


def test_the_app_builds_every_tab_of_the_registry(tiny_model):
    from playground.app import build_app

    demo = build_app(tiny_model)
    ids = [b.id for b in demo.blocks.values() if type(b).__name__ == "Tab"]
    assert ids == [spec.id for spec in TABS]


def test_a_link_s_defaults_are_the_controls_first_values(tiny_model):
    """Screen's defaults (what a link leaves out) are the values the linked controls start with."""
    import gradio as gr

    from playground.tabs import Page

    with gr.Blocks() as demo:
        prompt, active = gr.Textbox(), gr.State("next_word")
        with gr.Tabs() as tabs:
            page = Page(tiny_model, prompt, active, tabs, demo)
            for spec in TABS:
                if spec.link_keys and "iv" not in spec.link_keys:
                    view = spec.build(page)
                    assert set(view.controls) == set(spec.link_keys), spec.id
                    for name, control in view.controls.items():
                        assert control.value == getattr(Screen(), name), (spec.id, name, control.value)
