"""Presenter mode's type sizes, made from the sizes they enlarge, so that no text is left at its normal size
(issue 17: every text at least 1.5x its normal size at 1920x1080). Two sources of size:

- the theme's text sizes (gradio's labels, radio and checkbox texts, slider values and ends, dropdowns,
  buttons, markdown, info lines), which gradio writes as CSS variables on :root: `theme_sizes` sets each,
  resolved to pixels, to SCALE times its value on <body class="lp-present">;
- every `font-size: Npx` of the app's own CSS (app.py and each view's CSS): `css_sizes` gives each such
  rule a presenter twin at SCALE x N, `!important` like its original or stronger.

A selector the CSS already sizes for presenter mode itself (a rule naming `lp-present`) is left to it.
Plotly charts and the cell diagram's SVG are zoomed as a whole (classroom/bar.py)."""

from __future__ import annotations

import re

import gradio as gr

SCALE = 1.5
P = "body.lp-present .gradio-container .contain"  # outranks gradio's copy of the app CSS (bar.py says why)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_PX = re.compile(r"font-size:\s*([\d.]+)px\s*(!important)?")
_SIZE_FIELD = re.compile(r"(^text_(xxs|xs|sm|md|lg|xl|xxl)$)|_text_size$")


def _px(value: str, theme: gr.themes.Base, depth: int = 0) -> float | None:
    """A theme value in pixels: '14px', or '*text_sm' (another field, followed); None for anything else."""
    value = value.strip()
    if value.startswith("*") and depth < 5:
        other = getattr(theme, value[1:], None)
        return _px(other, theme, depth + 1) if isinstance(other, str) else None
    match = re.fullmatch(r"([\d.]+)px", value)
    return float(match.group(1)) if match else None


def theme_sizes(theme: gr.themes.Base, scale: float = SCALE) -> str:
    """The theme's text-size variables (`--text-sm`, `--block-label-text-size`, ...) at `scale` times their
    value, set on body.lp-present (each resolved to pixels: a variable gradio defines as var(--text-sm) on
    :root keeps :root's value below it, so every one is set, not only the --text-* scale)."""
    sizes = {}
    for name, value in sorted(vars(theme).items()):
        if isinstance(value, str) and _SIZE_FIELD.search(name):
            px = _px(value, theme)
            if px is not None:
                sizes[f"--{name.replace('_', '-')}"] = f"{px * scale:g}px"
    body = " ".join(f"{k}: {v};" for k, v in sizes.items())
    return f"body.lp-present, body.lp-present .gradio-container {{ {body} }}\n"


def _top_level(css: str) -> str:
    """`css` without comments and without its @-blocks (@media, @keyframes): a rule inside a media query
    holds only there, so it gets no twin that would hold everywhere."""
    css, out, depth, at = re.sub(r"/\*.*?\*/", "", css, flags=re.S), [], 0, False
    for char in css:
        if depth == 0 and char == "@":
            at = True
        if char == "{":
            depth += 1
        if not at:
            out.append(char)
        if char == "}":
            depth -= 1
            at = at and depth > 0
    return "".join(out)


def css_sizes(css: str, scale: float = SCALE) -> str:
    """A presenter twin of every top-level rule of `css` that sets `font-size` in pixels: the same
    selectors under P, the size times `scale`, always `!important` (the originals may be). A selector a
    presenter rule of `css` already sizes (the same selector after P) is left to that rule; selectors that
    name lp-present themselves (body:not(.lp-present) ...) get none."""
    rules = [(sel.strip(), body) for sel, body in _RULE.findall(_top_level(css))]
    own = {  # "body.lp-present .gradio-container .contain .lp-lesson-nav" -> ".lp-lesson-nav"
        part.split(".contain", 1)[-1].strip()
        for selector, body in rules
        if "font-size" in body
        for part in selector.split(",")
        if "lp-present" in part
    }
    out = []
    for selector, body in rules:
        match = _PX.search(body)
        if not match:
            continue
        parts = [s.strip() for s in selector.split(",") if s.strip()]
        parts = [s for s in parts if "lp-present" not in s and s not in own]
        if parts:
            size = float(match.group(1)) * scale
            out.append(f"{', '.join(f'{P} {s}' for s in parts)} {{ font-size: {size:g}px !important; }}")
    return "\n".join(out) + "\n"


def presenter_css(css: str, theme: gr.themes.Base) -> str:
    """Everything presenter mode adds to the page's `css` for type size: the theme's sizes and the twins
    of `css`'s pixel sizes."""
    return theme_sizes(theme) + css_sizes(css)
