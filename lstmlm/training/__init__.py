"""Training: the loop as a function with callbacks (no printing), its config, optimiser, resumable
state and torchrun; the settings a budget picks; the Live Lab's small runs."""
