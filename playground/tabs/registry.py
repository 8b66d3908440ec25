"""TABS: every tab of the app, in the order the tab strip shows them. app.py builds the tabs from it, the
classroom bar restores each tab's link keys from it, and tests/test_tab_registry.py checks it against the
link format (classroom/links.py), the words (text/<id>.py) and Learn's list of views. A new tab is its own
files (tabs/, views/, plots/, api/, text/<id>.py) plus one line here.

It lives beside tabs/__init__.py rather than in it: the tab modules import TabView from the package, and a
package that imported them back would be an import circle. Each `build` adapts the registry's one call,
`build(page)`, to the tab's own parameters (model first)."""

from __future__ import annotations

from playground.tabs import (
    TabSpec,
    cell_hunt,
    class_game,
    compare,
    counterfactual,
    equations,
    gates,
    generate,
    gradient,
    intervene,
    learn,
    live,
    next_word,
    start,
    surprisal,
    units,
)

# The order follows the shipped lessons (playground/lesson_files, by their `order`): the views lessons 1-5
# open, in the order they first open them (next word; generate; gates, counterfactual, equations, intervene;
# cell hunt; compare, gradient), then the views no lesson opens, in the order Learn lists them (surprisal,
# train your own, class game), Learn last. Units sits before Intervene, which reads its found unit (a tab is
# built in this order, so a tab another reads comes first); Start and Learn keep their places.
TABS: tuple[TabSpec, ...] = (
    TabSpec("start", lambda p: start.build(p.model, p.lessons)),  # first: the guided lessons
    TabSpec("next_word", lambda p: next_word.build(p.model, p.prompt), link_keys=("k",)),
    TabSpec(
        "generate",
        lambda p: generate.build(p.model, p.prompt),
        link_keys=("temperature", "top_k", "top_p", "words", "seed"),
    ),
    TabSpec(
        "gates",
        lambda p: gates.build(p.model, p.prompt, p.active),
        link_keys=("layer", "gate", "order", "unit"),
    ),
    TabSpec("counterfactual", lambda p: counterfactual.build(p.model, p.prompt)),
    TabSpec(  # a link's layer and unit go to Gates and here (the open one's are in a link), word only here
        "equations",
        lambda p: equations.build(p.model, p.prompt, p.active),
        link_keys=("layer", "unit", "word"),
    ),
    TabSpec("units", lambda p: units.build(p.model, p.prompt, p.active, p.atlas)),
    TabSpec(  # its preset "switch off the unit found in Units" reads Units' found unit (built before it)
        "intervene",
        lambda p: intervene.build(p.model, p.prompt, p.views["units"].shared.get("found")),
        link_keys=("iv",),
    ),
    TabSpec(  # its "Intervene on this unit" sets Intervene's controls (built just before it)
        "cell_hunt",
        lambda p: cell_hunt.build(
            p.model,
            p.prompt,
            p.active,
            p.tabs,
            p.hunt_cache,
            {**p.views["intervene"].controls, **p.views["intervene"].shared},
        ),
    ),
    TabSpec("compare", lambda p: compare.build(p.lineup, p.prompt, p.active)),
    TabSpec("gradient", lambda p: gradient.build(p.lineup, p.prompt, p.active)),
    TabSpec("surprisal", lambda p: surprisal.build(p.model, p.prompt, p.active)),
    TabSpec("live", lambda p: live.build(page=p.demo)),  # page: a shared training's link
    TabSpec("class", lambda p: class_game.build(p.rooms, p.active), linkable=False),  # joined by ?room=CODE
    TabSpec("learn", lambda p: learn.build(p.model, p.prompt, p.tabs, p.active)),
)
