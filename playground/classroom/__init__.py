"""Classroom mode: links that restore a screen (pure) and the bar above the prompt (gradio)."""
