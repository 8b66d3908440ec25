"""Arrays in, plotly Figure out (no gradio, no torch): the shared style and each view's pictures."""
