"""Intervene's generated text never starts a WikiText heading line ("= = Plot = =") unless asked: the app
passes allow_headings=False, as Generate does (issue 17 item 7)."""

from __future__ import annotations

import pytest

from lstmlm import load_model
from lstmlm.cli import main
from lstmlm.studies.intervene import generate_with_interventions

TINY = ["--embed-dim", "8", "--hidden-dim", "8", "--num-layers", "1", "--batch-size", "4", "--bptt", "10",
        "--epochs", "2", "--device", "cpu", "--quiet", "--no-auto", "--lr", "0.01"]  # fmt: skip


@pytest.fixture(scope="module")
def heading_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("headings")
    data = root / "data"
    data.mkdir()
    text = " = = Plot = = \n the cat sat on the mat . \n = Story = \n a dog ran . \n" * 40
    for name in ("train.txt", "valid.txt"):
        (data / name).write_text(text)
    assert main(["train", "--data", str(data), "--out", str(root / "m"), *TINY]) == 0
    return load_model(root / "m")


def test_no_heading_mark_unless_allowed(heading_model):
    m = heading_model
    eq = m.vocab.index["="]
    ids = m.vocab.encode_text("the cat sat").ids

    def words(**kw) -> list[int]:
        return [gw.id for gw in generate_with_interventions(m, ids, (), 300, 1.5, 0, 1.0, 7, **kw)]

    assert eq in words()  # the model draws "=" when it may: the test can fail
    assert eq not in words(allow_headings=False)


def test_the_intervene_view_generates_no_headings(heading_model):
    from playground.views.intervene import InterventionRequest, run_intervention

    res = run_intervention(
        heading_model, "the cat sat", InterventionRequest(action="pin_forget", value=1.0), 60, 3
    )
    words = [w["word"] for w in res.generated_plain + res.generated_intervened]
    assert len(words) == 120 and "=" not in words
