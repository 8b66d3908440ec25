"""The LSTM Playground: a Gradio app over an lstmlm model (see `playground.app.build_app`)."""
