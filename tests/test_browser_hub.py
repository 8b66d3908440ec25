"""The model picker in a real browser (chromium): choosing another model in the header's list opens that
model's app in this tab, under its own path, with the prompt kept; the page then shows that model's header
(a character model: its tab says "Next character", the picker says it reads characters). "Open a model"
with a zipped model folder opens it the same way; a file that is no model gets a message."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import torch
from browser_kit import CHROMIUM, chromium, new_page, serve_hub
from playwright.sync_api import expect

from lstmlm import save_model
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.tokenizers import CHARS
from lstmlm.vocab import Vocab

pytestmark = pytest.mark.browser

TEXT = 'She said "yes".\nHe said "no".\n' * 4


@pytest.fixture(scope="module")
def char_dir(tmp_path_factory) -> Path:
    """A tiny untrained character model (2 x 8), saved as a model directory named 'chars-tiny'."""
    vocab = Vocab.from_tokens(CHARS.tokenize(TEXT), tokenizer=CHARS)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)
    out = tmp_path_factory.mktemp("hubchars") / "chars-tiny"
    save_model(out, LanguageModel(config).eval(), vocab)
    return out


def choose(pg, option: str, tries: int = 3) -> None:
    """Pick `option` in the header's model list; on a loaded machine a first click can land while the list
    is still being drawn, so it is tried again (at most `tries` times) until the page starts to leave."""
    start = pg.url
    for _ in range(tries):
        pg.locator("#lp-model-picker input").click()
        pg.get_by_role("option", name=option).click()
        for _ in range(40):
            if pg.url != start:
                return
            pg.wait_for_timeout(500)
    raise AssertionError(f"choosing {option!r} did not open another page")


def test_picking_a_model_opens_its_app_in_this_tab(tiny_model_dir, char_dir, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    zipped, junk = tmp_path / "my-model.zip", tmp_path / "notes.pt"
    with zipfile.ZipFile(zipped, "w") as z:
        for name in ("config.json", "model.safetensors", "vocab.txt"):
            z.write(Path(tiny_model_dir) / name, name)
    junk.write_bytes(b"not a checkpoint")
    with serve_hub(tiny_model_dir, [char_dir]) as (hub, url), chromium() as browser:
        pg = new_page(browser, timeout_ms=90_000)
        pg.goto(url + "?prompt=the%20cat")
        picker = pg.locator("#lp-model-picker")
        picker.get_by_text("reads words").wait_for()
        expect(pg.locator("#prompt textarea")).to_have_value("the cat")  # the link's prompt, on load
        choose(pg, "chars-tiny")
        pg.wait_for_url("**/m/chars-tiny/**")
        assert "prompt=the+cat" in pg.url or "prompt=the%20cat" in pg.url
        pg.locator("#lp-model-picker").get_by_text("reads characters").wait_for()
        pg.get_by_role("tab", name="Next character").wait_for()
        expect(pg.locator("#prompt textarea")).to_have_value("the cat")  # kept across the switch
        expect(pg.locator("#lp-model-picker input")).to_have_value(re.compile("^chars-tiny · characters"))
        # and back: the default model is at /
        choose(pg, hub.infos()[0].choice_label())
        pg.wait_for_url(lambda u: u.split("?")[0] == url)
        pg.get_by_role("tab", name="Next word").wait_for()
        # Open a model: a zip of a model folder opens in this tab under its own path
        pg.locator("#lp-open-model").get_by_text("Open a model").click()
        pg.locator("#lp-model-files input[type=file]").set_input_files(str(zipped))
        pg.locator("#lp-model-files a[download='my-model.zip']").wait_for()  # uploaded (not "Uploading...")
        pg.locator("#lp-open-model-button").click()
        pg.wait_for_url("**/m/my-model/**")
        expect(pg.locator("#lp-model-picker input")).to_have_value(re.compile("^my-model · words · LSTM 2×8"))
        # a file that is no model: a message, and the page stays
        pg.locator("#lp-open-model").get_by_text("Open a model").click()
        pg.locator("#lp-model-files input[type=file]").set_input_files(str(junk))
        pg.locator("#lp-model-files a[download='notes.pt']").wait_for()
        pg.locator("#lp-open-model-button").click()
        toast = pg.locator(".toast-body").filter(has_text="notes.pt: not a model file that lstmlm reads")
        toast.first.wait_for()
        assert "/tmp" not in toast.first.inner_text()  # the file's name, not the server's folders
        assert "/m/my-model/" in pg.url
