"""Shared fixtures: tiny corpora and tiny models made in the test session (hidden size 8, CPU only)."""

from __future__ import annotations

import os
import random
import socket
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)  # hidden size 8: one thread is fastest, and the suite shares 2 cores
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group into each test's id
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`-n`, on by default in pyproject.toml, `--dist loadgroup`) each file's browser
    tests run one after another on one worker (they share the file's server and chromium); two files' may
    run at once on two workers. The browser tests are put first, so that the workers start on them: they
    wait on pages more than they compute (one chain of them all left a core idle for the run's last
    minutes), and xdist hands out work in collection order."""
    browser = [i for i in items if i.get_closest_marker("browser") or i.path.name.startswith("test_browser")]
    for item in browser:
        item.add_marker(pytest.mark.xdist_group(f"browser-{item.path.stem}"))
    chosen = set(map(id, browser))
    items[:] = browser + [i for i in items if id(i) not in chosen]


@pytest.fixture(autouse=True)
def _requests_at_full_priority(monkeypatch):
    """Tests call `playground.__main__.main` in this process (its launch replaced): its default
    --request-nice would lower this worker's priority for every later test. The setting itself is
    tested in a fresh interpreter (tests/test_request_priority.py)."""
    import playground.__main__ as server_main

    monkeypatch.setattr(server_main, "REQUEST_NICE", 0)


WORDS = ('the cat dog bird sat ran on a mat and to house big small red blue ( ) , . " is was in of').split()


def write_corpus(folder: Path, seed: int = 0, lines: tuple[int, int, int] = (300, 40, 40)) -> Path:
    """A tiny WikiText-layout corpus (train/valid/test.txt) with a little structure to learn."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in zip(("train", "valid", "test"), lines, strict=True):
        with open(folder / f"{split}.txt", "w", encoding="utf-8") as f:
            for _ in range(n):
                words = []
                for _ in range(rng.randint(2, 6)):
                    a = rng.choice(["the", "a"])
                    words += [
                        a,
                        rng.choice(["cat", "dog", "bird"]),
                        rng.choice(["sat", "ran", "is"]),
                        rng.choice(["on", "in", "to"]),
                        "the",
                        rng.choice(["mat", "house"]),
                        ".",
                    ]
                f.write(" " + " ".join(words) + " \n")
    return folder


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_corpus) -> Path:
    """A 2-layer, 8-unit LSTM trained for a few steps on the tiny corpus, saved as a model directory."""
    from lstmlm.data import Corpus
    from lstmlm.model import ModelConfig
    from lstmlm.training.loop import TrainConfig, train

    out = tmp_path_factory.mktemp("model")
    corpus = Corpus.from_folder(tiny_corpus)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(corpus.vocab), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)
    train(corpus, config, TrainConfig(epochs=2, batch_size=4, bptt=10, lr=0.01, device="cpu"), out)
    return out


@pytest.fixture()
def tiny_model(tiny_model_dir):
    from lstmlm import load_model

    return load_model(tiny_model_dir)


def launch_app(demo, **style) -> str:
    """Launch a built playground on a free loopback port, styled as `lstm-playground` does (`style`: other
    demo.launch() arguments instead, e.g. a model hub's `hub.launch_kwargs()`); its URL."""
    from playground.app import launch_kwargs

    for attempt in range(5):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        try:  # another worker may take the port between its release here and the launch: take another
            demo.launch(
                server_name="127.0.0.1",
                server_port=port,
                prevent_thread_lock=True,
                quiet=True,
                **(style or launch_kwargs()),
            )
        except OSError:
            if attempt == 4:
                raise
        else:
            return f"http://127.0.0.1:{port}/"


@contextmanager
def app_client(model, **build_kwargs):
    """A gradio_client.Client of the playground built over `model` (build_app's keyword arguments), running
    on loopback; client and app are closed afterwards."""
    from gradio_client import Client

    from playground.app import build_app

    demo = build_app(model, **build_kwargs)
    client = Client(launch_app(demo), verbose=False)
    try:
        yield client
    finally:
        client.close()
        demo.close()


def train_tiny(corpus: Path, out: Path, cell: str = "lstm", seed: int = 0) -> Path:
    """A 2-layer, 8-unit model of `cell` trained for one epoch on the tiny corpus, saved in `out`."""
    from lstmlm.data import Corpus
    from lstmlm.model import ModelConfig
    from lstmlm.training.loop import TrainConfig, train

    data = Corpus.from_folder(corpus)
    torch.manual_seed(seed)
    config = ModelConfig(
        vocab_size=len(data.vocab), cell=cell, embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0
    )
    train(data, config, TrainConfig(epochs=1, batch_size=4, bptt=10, lr=0.01, device="cpu"), out)
    return out


@pytest.fixture(scope="session")
def tiny_cell_dirs(tmp_path_factory, tiny_corpus) -> dict[str, Path]:
    """A tiny GRU, plain tanh RNN and plain relu RNN model directory, trained like the tiny LSTM."""
    root = tmp_path_factory.mktemp("cells")
    return {cell: train_tiny(tiny_corpus, root / cell, cell) for cell in ("gru", "rnn_tanh", "rnn_relu")}


@pytest.fixture(autouse=True)
def _no_live_lab_training_outlives_its_test():
    """A Live Lab training runs in a background thread: stop any a test left running, so it cannot step
    (and call patched functions) inside later tests."""
    yield
    live_jobs = sys.modules.get("playground.server.live_jobs")
    if live_jobs is not None:
        assert live_jobs.LiveJobs.stop_everywhere(timeout=60) == 0, "a Live Lab training did not stop"
