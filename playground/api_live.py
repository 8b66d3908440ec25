"""The Live Lab endpoints: `live_train` starts a training (returns its job id), `live_status` says where it
is (loss curve, evaluations, the latest sample, snapshots), `live_stop` stops it. Registered with `gr.api`,
which reads the parameters from the type hints (so no `from __future__ import annotations` here). Bad input
raises `gr.Error` saying what to change; a full server says "busy, try again".
"""

import gradio as gr

from lstmlm.live import TEACHING_TEXTS, LiveSettings, LiveSettingsError, LiveTextError

from .api import classroom_safe
from .live_jobs import JOBS, LiveBusy, LiveJobs, UnknownJob


def register(jobs: LiveJobs = JOBS) -> None:
    """Add the three endpoints to the Blocks being built."""

    def live_train(
        text: str = "", settings: dict | None = None, teaching_text: str = "", probe: str = ""
    ) -> dict:
        """Start training a small LSTM on `text` (or on the built-in `teaching_text`: quotes, brackets,
        anbn, numbered, program, poem). `settings` (all optional): tokenizer (chars | words), num_layers
        (1-2), hidden_dim (16-256), bptt (10-200), batch_size (1-64), lr (0.0001-0.05), dropout (0-0.5),
        seconds (10-300), seed, max_tokens, eval_every, snapshots (1-20), sample_every_s. Returns {"job": id,
        "settings": the settings used}; poll `live_status` with the id."""
        try:
            if teaching_text:
                if teaching_text not in TEACHING_TEXTS:
                    names = ", ".join(TEACHING_TEXTS)
                    raise LiveTextError(
                        f"no teaching text is called {teaching_text!r}: choose one of {names}"
                    )
                if text:
                    raise LiveTextError("give either text or teaching_text, not both")
                text = TEACHING_TEXTS[teaching_text].read()
            if settings is not None and not isinstance(settings, dict):
                raise LiveSettingsError('settings must be a JSON object, e.g. {"seconds": 20}')
            chosen = LiveSettings.from_dict(settings or {})
            job = jobs.start(text, chosen, owner=None, probe=probe)
        except (LiveTextError, LiveSettingsError, LiveBusy) as e:
            raise gr.Error(str(e)) from None
        status = job.status(curve=False)
        return {"job": job.id, "state": status["state"], "settings": status["settings"]}

    def live_status(job: str, curve: bool = True) -> dict:
        """Where training `job` is: state (running, done, stopped, failed), step, seconds, budget_s,
        tokens_per_s, evals [{step, seconds, train_loss, val_loss}] in nats per token, the latest sample,
        the number of snapshots, summary and error once it ended; with `curve` the training loss per step."""
        try:
            return jobs.get(job).status(curve=bool(curve))
        except UnknownJob as e:
            raise gr.Error(str(e)) from None

    def live_stop(job: str) -> dict:
        """Ask training `job` to stop after its current step (its best model so far stays saved)."""
        try:
            stopped = jobs.stop(job)
        except UnknownJob as e:
            raise gr.Error(str(e)) from None
        return {"job": stopped.id, "state": stopped.state, "stopping": True}

    for fn in (live_train, live_status, live_stop):
        gr.api(classroom_safe(fn), api_name=fn.__name__, concurrency_limit=4, concurrency_id="live_api")
