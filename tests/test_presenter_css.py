"""Presenter mode's type sizes (classroom/presenter.py), without a browser: every pixel font size of the
app's CSS gets a twin at 1.5x, a size the CSS already sets for presenter mode is left to it, a rule inside
a media query gets none, and the theme's text-size variables are set at 1.5x their resolved pixels.
tests/test_browser_presenter.py measures the result on every tab in chromium."""

from __future__ import annotations

import re

import gradio as gr

from playground.classroom.presenter import P, css_sizes, presenter_css, theme_sizes

CSS = """
.a { color: red; font-size: 14px; }
.b, #c td { font-size: 17px !important; line-height: 1.2; }
/* .d { font-size: 99px; } */
@media (max-height: 820px) { .e { font-size: 15px; } .f { padding: 0; } }
.g { font-size: 20px; }
body.lp-present .gradio-container .contain .g { font-size: 40px; }
body:not(.lp-present) .h { font-size: 12px; }
.i { font-size: 1.2em; }
"""


def twins(css: str) -> dict[str, float]:
    """{selector after P: pixel size} of css_sizes(css)."""
    out = {}
    for selectors, size in re.findall(r"([^{}]+)\{ font-size: ([\d.]+)px !important; \}", css_sizes(css)):
        for s in selectors.split(","):
            assert s.strip().startswith(P)
            out[s.strip()[len(P) :].strip()] = float(size)
    return out


def test_every_pixel_size_gets_a_twin_half_again_larger():
    assert twins(CSS) == {".a": 21.0, ".b": 25.5, "#c td": 25.5}
    # not: a comment (.d), a media query's rule (.e), a size presenter mode already sets (.g), a rule for
    # the normal page only (.h), a relative size (.i: it follows its parent)


def test_the_themes_text_sizes_are_resolved_and_scaled():
    theme = gr.themes.Default(text_size="lg")  # the app's: text_md 16px, block_label_text_size *text_sm
    sizes = dict(re.findall(r"(--[\w-]+): ([\d.]+)px;", theme_sizes(theme)))
    assert float(sizes["--text-md"]) == 1.5 * 16 and float(sizes["--text-sm"]) == 1.5 * 14
    assert float(sizes["--block-label-text-size"]) == 1.5 * 14  # *text_sm, followed
    assert float(sizes["--checkbox-label-text-size"]) == 1.5 * 16 and "--input-text-size" in sizes
    assert presenter_css(CSS, theme).startswith("body.lp-present, body.lp-present .gradio-container {")
