"""The LSTM Playground: a Gradio app over an lstmlm model (see `playground.app.build_app`).

In a notebook, `playground.show(prompt, view=...)` returns a view's figure and `playground.launch()` shows
the whole app inline (see `playground.notebook`)."""


def __getattr__(name: str):
    """`playground.show` / `playground.launch`, imported on first use: `import playground` stays light."""
    if name in ("show", "launch"):
        from playground import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'playground' has no attribute {name!r}")
