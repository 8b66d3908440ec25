"""Each tab's screen as plain data (no gradio, no plotly); the API endpoints return the same data."""
