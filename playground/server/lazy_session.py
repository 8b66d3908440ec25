"""A Gradio session that copies the page's component config when something first reads it, not when the
session is made.

Gradio's `SessionState(blocks)` starts by writing the config of every component of the page (over 400 in the
bundled model's app: `get_config` of each, which reads the constructor's signature, and for a Plot tries
`import bokeh` anew), which it reads again only to restore a deep link or to update one component's value.
A browser tab makes one session for all its calls, but a bare API call (`POST /gradio_api/call/<name>`
without a session_hash, as curl or a script sends it) got a new one each time: py-spy put ~40% of the
server's CPU there with 20 clients calling `next_words` (43 ms of CPU per call on the shared machine).
`LazySession` runs Gradio's own set-up for everything else, so a bare call gets a fresh, empty state as
before, and copies a component's config only when Gradio writes it (a call's own components: 3 for
`next_words`, its two inputs and its answer) or a deep link reads them all; `sessions.OwnStreamPerCall`
hands one to each bare call.
"""

from __future__ import annotations

from collections.abc import Iterator

from gradio.state_holder import SessionState


class _PageWithoutComponents:
    """What `SessionState.__init__` reads of a Blocks (its default config, and its blocks to copy the config
    of), with no blocks: Gradio's set-up runs in full but copies no component's config."""

    def __init__(self, blocks) -> None:
        self.default_config = blocks.default_config
        self.blocks: dict = {}


class LazySession(SessionState):
    """`SessionState(blocks)` whose `config_values` (component id -> its config, as Gradio makes it) starts
    empty. Gradio itself fills in one component's config when a call writes that component's value
    (`_update_value_in_config`) or replaces it (`__setitem__`); `components` (all of them, for a deep link)
    first makes the others', from the session's copy of the blocks, in the page's order: the same values
    and order the eager copy would hold."""

    def __init__(self, blocks) -> None:
        super().__init__(_PageWithoutComponents(blocks))  # config_values == {}
        self._page_ids = frozenset(blocks.blocks)  # the components Gradio copies the config of

    def complete(self) -> None:
        """Make every page component's config not made yet (the eager copy's contents, in its order)."""
        made, config = self.config_values, self.blocks_config.config_for_block
        self.config_values = {
            k: made[k] if k in made else config(k, [], v)
            for k, v in self.blocks_config.blocks.items()
            if k in self._page_ids
        } | made  # configs Gradio made for components not on the page follow, in the order it made them

    @property
    def components(self) -> Iterator[dict]:
        """Every component's config (Gradio's deep link reads them), made first where not made yet."""
        self.complete()
        return SessionState.components.fget(self)
