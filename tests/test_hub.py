"""The model hub (playground/hub.py): several models on one server, each app under /m/<key>/, the picker's
facts read from config.json, the `models` endpoint, "Open a model" uploads and run-time registration.

The HTTP tests launch the hub's default app on a free port, as `lstm-playground` does, and check each
path's next_words against the network of that path's model computed directly (the fused forward)."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import gradio as gr
import pytest
import torch
from conftest import train_tiny

from lstmlm import load_model
from playground import hub as hub_module
from playground import picker
from playground.hub import ModelHub, slug
from playground.server.model_upload import UploadError, extract_model_zip, model_folder_in_zip, open_upload
from playground.views.model_info import certificate_line, figure_of, read_info, size_of

PROMPT = "the cat sat on the"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never an HTTP proxy
BUNDLED = Path(__file__).resolve().parent.parent / "assets" / "models"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


RAW = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())


def _get(url: str, opener=DIRECT) -> tuple[int, str, dict]:
    try:
        with opener.open(url, timeout=120) as reply:
            return reply.status, reply.read().decode(), dict(reply.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


@torch.no_grad()
def network_probs(model, words: list[str]) -> torch.Tensor:
    """Next-word probabilities (V,) after a line start and `words`: the fused forward, nothing else."""
    ids = torch.tensor([model.vocab.words.index(w) for w in ["<eos>", *words]])
    features, _ = model(ids[:, None])  # (T, 1, H)
    return model.log_probs(features[-1, 0]).exp()


def zip_model(folder: Path, archive: Path, inside: str = "tiny/") -> Path:
    """A .zip of a model folder as a person makes one (its three files under one folder)."""
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("config.json", "model.safetensors", "vocab.txt"):
            z.write(folder / name, inside + name)  # follows save_model's links to the files
    return archive


# ---- what the picker says, from config.json alone


def test_test_figure_size_and_tokenizer_of_the_bundled_models():
    char = read_info(BUNDLED / "warpeace-char-lstm", key="c", path="/m/c/", label="c", origin="bundled")
    config = json.loads((BUNDLED / "warpeace-char-lstm" / "config.json").read_text())
    nats = config["training"]["test_loss_nats_per_char"]
    assert char.tokenizer == "characters" and char.size == "LSTM 2×256"
    assert char.test_figure == f"test {nats:.3f} nats/char ({nats / 0.6931471805599453:.2f} bits)"
    words = read_info(BUNDLED / "wikitext2-gru", key="g", path="/m/g/", label="g", origin="bundled")
    ppl = json.loads((BUNDLED / "wikitext2-gru" / "config.json").read_text())["training"]["test_perplexity"]
    assert (words.tokenizer, words.size, words.test_figure) == (
        "words",
        "GRU 2×256",
        f"test perplexity {ppl:.1f}",
    )
    assert words.choice_label() == f"g · words · GRU 2×256 · test perplexity {ppl:.1f}"


def test_figures_from_odd_configs():
    assert figure_of({}) == "" and figure_of({"training": "x"}) == ""
    assert figure_of({"training": {"val_perplexity": 12.345}}) == "validation perplexity 12.3"
    assert figure_of({"training": {"test_perplexity": float("nan"), "val_perplexity": 9}}) == (
        "validation perplexity 9.0"
    )
    assert (
        size_of({"model": {"cell": "rnn_tanh", "num_layers": 1, "hidden_dim": 8}}) == "plain RNN (tanh) 1×8"
    )
    assert size_of({"model": {"num_layers": "2"}}) == ""


def test_certificate_lines():
    cert = {"max_abs_diff": 3e-7, "reference": "keras predict", "probe_tokens": 64}
    assert certificate_line({"import": {"certificate": cert}}) == (
        "exact to 3e-07 against your framework's own outputs (64 probe tokens)"
    )
    assert certificate_line({"import": {"certificate": {"max_abs_diff": 1.2e-6}}}) == (
        "exact to 2e-06 against your framework's own outputs"  # rounded up: a bound
    )
    assert certificate_line({"import": {"certificate": {"max_abs_diff": 0.0}}}).startswith("exact to 0 ")
    assert certificate_line({"import": {"format": "Keras 3"}}) == "imported, not verified"
    assert (
        certificate_line({"import": {"certificate": {"max_abs_diff": "small"}}}) == "imported, not verified"
    )
    assert certificate_line({"import": "odd"}) == "imported, not verified"
    assert certificate_line({"training": {"imported": True}}) == "imported, not verified"
    assert certificate_line({"training": {"test_perplexity": 80}}) == ""


def test_slug_keys():
    assert slug("War & Peace (chars).zip") == "war-peace-chars-.zip"
    assert slug("???") == "model" and len(slug("x" * 200)) == 64


# ---- the hub without a server


def test_hub_offers_launch_models_then_bundled_each_once(tiny_model_dir):
    hub = ModelHub(BUNDLED / "storybooks-lstm", [tiny_model_dir], compare_dirs=[])
    infos = hub.infos()
    keys = [i.key for i in infos]
    assert infos[0].path == "/" and keys[0] == "storybooks-lstm" == hub.default_key
    assert keys.count("storybooks-lstm") == 1  # the default is also bundled: listed once
    assert set(keys) >= {"wikitext2-lstm", "wikitext2-gru", "wikitext2-rnn", "warpeace-char-lstm"}
    assert all(i.path == f"/m/{i.key}/" for i in infos[1:])
    assert [i.origin for i in infos[:2]] == ["launch", "launch"]


def test_register_without_a_hub_says_so(tiny_model_dir, monkeypatch):
    monkeypatch.setattr(hub_module, "_ACTIVE", None)
    with pytest.raises(hub_module.HubUnavailable, match="without a model hub"):
        hub_module.register(tiny_model_dir, "mine")


def test_models_load_once(tiny_model_dir):
    hub = ModelHub(tiny_model_dir, compare_dirs=[], bundled=False)
    assert hub.load(tiny_model_dir) is hub.load(Path(str(tiny_model_dir)) / ".." / Path(tiny_model_dir).name)


def test_lesson_misfits_are_logged_for_the_servers_own_model_only(tiny_model_dir, tmp_path, capsys):
    """The tiny model has a few units a layer: the shipped lessons' steps on units 225 and 431 do not fit
    it. The log says so when it is the model the server was started with, not for a Live Lab or uploaded
    copy."""
    import shutil

    hub = ModelHub(tiny_model_dir, compare_dirs=[], bundled=False)
    capsys.readouterr()
    hub.build_blocks(hub.default_key)
    said = capsys.readouterr().err
    # one note saying the steps still open, then one indented line a step (not a column of error-like lines)
    header = re.search(
        r"note: (\d+) lesson steps? (?:was|were) written for another model \(they still open\):", said
    )
    assert header, said
    listed = [line for line in said.splitlines() if line.startswith("  - ")]
    assert len(listed) == int(header.group(1)) and any("225" in line for line in listed), said
    lab_copy = shutil.copytree(tiny_model_dir, tmp_path / "snapshot")
    for origin in ("lab", "upload"):
        path = hub.register(lab_copy, f"a {origin} model", origin=origin)  # "/m/<key>/"
        hub.build_blocks(path.split("/")[2])
        assert "written for another model" not in capsys.readouterr().err, origin


# ---- uploads (no server: the handler and the functions it calls)


def test_zip_of_a_model_folder_opens(tiny_model_dir, tmp_path):
    archive = zip_model(Path(tiny_model_dir), tmp_path / "mine.zip")
    assert model_folder_in_zip(zipfile.ZipFile(archive).namelist()) == "tiny/"
    folder, label = open_upload([archive], tmp_path / "models")
    assert label == "mine"
    expected, got = load_model(tiny_model_dir), load_model(folder)
    for (name, a), (_, b) in zip(expected.state_dict().items(), got.state_dict().items(), strict=True):
        assert torch.equal(a, b), name
    assert not any(p.name.startswith("upload-") for p in (tmp_path / "models").iterdir())  # staging gone


def test_bad_uploads_say_what_to_change(tmp_path, monkeypatch):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(UploadError, match="choose a model file"):
        open_upload([], tmp_path / "m")
    not_model = tmp_path / "photos.zip"
    with zipfile.ZipFile(not_model, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(UploadError):  # not a model folder, and not a file lstmlm import reads
        open_upload([not_model], tmp_path / "m")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UploadError):
        open_upload([broken], tmp_path / "m")
    monkeypatch.setattr("playground.server.model_upload.UPLOAD_MB", 0)
    with pytest.raises(UploadError, match="the limit is 0 MB"):
        open_upload([text], tmp_path / "m")
    assert [p for p in (tmp_path / "m").iterdir()] == []  # nothing half-made is left behind


def test_zip_member_links_and_escapes_are_refused(tiny_model_dir, tmp_path):
    archive = zip_model(Path(tiny_model_dir), tmp_path / "evil.zip", inside="")
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("../escape.txt", "x")  # not a plain name in the model folder: never written
    out = extract_model_zip(archive, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "model.safetensors", "vocab.txt"]
    assert not (tmp_path / "escape.txt").exists()
    linked = tmp_path / "linked.zip"
    with zipfile.ZipFile(linked, "w") as z:
        for name in ("config.json", "model.safetensors"):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16) if name == "config.json" else 0
            z.writestr(info, "/etc/passwd")
    with pytest.raises(UploadError, match="links"):
        extract_model_zip(linked, tmp_path / "out2")


def test_upload_handler_gives_a_toast_not_a_traceback(tmp_path):
    hub = ModelHub(BUNDLED / "warpeace-char-lstm", compare_dirs=[], bundled=False)
    junk = tmp_path / "weights.pt"
    junk.write_bytes(b"\x00\x01 not a checkpoint")
    try:
        with pytest.raises(gr.Error) as raised:
            picker.open_model(hub, [str(junk)], picker.LIST_VOCAB)
        message = raised.value.message
        assert (
            message.startswith("weights.pt: ") and "Traceback" not in message and str(tmp_path) not in message
        )
        with pytest.raises(gr.Error, match="choose a model file"):
            picker.open_model(hub, None, picker.LIST_VOCAB)
    finally:
        hub.close()


# ---- the server


def _launch(hub: ModelHub):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = hub.build_default()
    demo.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **hub.launch_kwargs()
    )
    return demo, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def served(tiny_model_dir, tiny_corpus, tmp_path_factory):
    """A hub over the tiny model (at /) and a second tiny model trained with another seed (/m/second/)."""
    second = train_tiny(tiny_corpus, tmp_path_factory.mktemp("hub") / "second", seed=1)
    hub = ModelHub(tiny_model_dir, [second], compare_dirs=[], bundled=False, max_registered=2)
    hub_module.activate(hub)
    demo, url = _launch(hub)
    try:
        assert _get(url + "/m/second/")[0] == 200  # built on first visit (seconds on a loaded machine)
        yield hub, url, second
    finally:
        hub_module.activate(None)
        hub.close()
        demo.close()


def test_each_path_answers_with_its_own_model(served, tiny_model_dir):
    from gradio_client import Client

    hub, url, second = served
    answers = {}
    for path, folder in (("/", tiny_model_dir), ("/m/second/", second)):
        client = Client(url + path, verbose=False)
        try:
            got = client.predict(PROMPT, 5, api_name="/next_words")
        finally:
            client.close()
        probs = network_probs(load_model(folder), PROMPT.split())
        top = probs.topk(5)
        assert got["words"] == [load_model(folder).vocab.words[i] for i in top.indices]
        assert got["probs"] == pytest.approx(top.values.tolist(), abs=1e-6)
        answers[path] = got["probs"]
    assert answers["/"] != answers["/m/second/"]  # two models, two answers (not one app twice)


def test_models_endpoint_lists_every_model(served):
    from gradio_client import Client

    hub, url, _ = served
    client = Client(url + "/m/second/", verbose=False)
    try:
        listed = client.predict(api_name="/models")
    finally:
        client.close()
    assert [m["key"] for m in listed[:2]] == [hub.default_key, "second"]
    assert [m["url_path"] for m in listed[:2]] == ["/", "/m/second/"]
    assert listed[1]["tokenizer"] == "words" and listed[1]["size"] == "LSTM 2×8"
    assert listed == [i.as_json() for i in hub.infos()]


def test_paths_redirect_and_unknown_models_say_so(served):
    hub, url, _ = served
    status, _, headers = _get(f"{url}/m/second?prompt=a", RAW)
    assert status == 307 and headers["location"] == "second/?prompt=a"
    status, _, headers = _get(f"{url}/m/{hub.default_key}/?prompt=a", RAW)
    assert status == 307 and headers["location"] == "../../?prompt=a"
    status, page, _ = _get(f"{url}/m/nothing-here/")
    assert status == 404 and "not open on this server" in page


def test_uploaded_zip_is_registered_and_served_and_the_oldest_dropped(served, tiny_model_dir, tmp_path):
    from gradio_client import Client

    hub, url, second = served
    archive = zip_model(Path(second), tmp_path / "upload.zip")
    path = picker.open_model(hub, [str(archive)], picker.LIST_VOCAB)  # what the Open button calls
    assert path.startswith("/m/upload") and any(i.path == path for i in hub.infos())
    assert _get(url + path)[0] == 200  # built on first visit
    client = Client(url + path, verbose=False)
    try:
        got = client.predict(PROMPT, 3, api_name="/next_words")
    finally:
        client.close()
    assert got["probs"] == pytest.approx(
        network_probs(load_model(second), PROMPT.split()).topk(3).values, abs=1e-6
    )
    status, page, _ = _get(url + path)
    assert status == 200 and "<html" in page.lower()
    folder = hub.entry(path.split("/")[2]).folder
    later = [hub_module.register(tiny_model_dir, f"lab {n}") for n in range(2)]  # the cap is 2 here
    assert later == ["/m/lab-0/", "/m/lab-1/"]
    status, page, _ = _get(url + path)
    assert status == 404 and "2 most recently opened" in page
    assert not folder.exists()  # the upload's folder went with it
    assert _get(url + later[1])[0] == 200


def test_a_model_path_works_through_a_proxy_under_a_path(tiny_model_dir, tiny_corpus, tmp_path):
    """Behind nginx under /lstm (--root-path /lstm): /lstm/m/<key>/ serves that model, every URL its page
    builds starts with the proxied path, and its endpoints answer with its own numbers."""
    from test_root_path import PREFIX, start_proxy

    second = train_tiny(tiny_corpus, tmp_path / "second", seed=1)
    hub = ModelHub(tiny_model_dir, [second], compare_dirs=[], bundled=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = hub.build_default()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **hub.launch_kwargs(root_path=PREFIX),
    )
    proxy = start_proxy(f"http://127.0.0.1:{port}")
    public = f"http://127.0.0.1:{proxy.server_address[1]}{PREFIX}"
    try:
        status, page, _ = _get(public + "/m/second/")
        assert status == 200 and "LSTM Playground" in page
        assert json.loads(_get(public + "/m/second/config")[1])["root"] == public + "/m/second"
        assert json.loads(_get(public + "/config")[1])["root"] == public  # the default app is unchanged
        request = urllib.request.Request(
            public + "/m/second/gradio_api/call/next_words",
            json.dumps({"data": [PROMPT, 3]}).encode(),
            {"Content-Type": "application/json"},
        )
        with DIRECT.open(request, timeout=60) as reply:
            event = json.loads(reply.read())["event_id"]
        stream = _get(f"{public}/m/second/gradio_api/call/next_words/{event}")[1]
        (result,) = json.loads([line[5:] for line in stream.splitlines() if line.startswith("data:")][-1])
        expected = network_probs(load_model(second), PROMPT.split()).topk(3).values
        assert result["probs"] == pytest.approx(expected.tolist(), abs=1e-6)
    finally:
        proxy.shutdown()
        proxy.server_close()
        hub.close()
        demo.close()


def test_a_password_guards_every_model_path_with_one_login(tiny_model_dir, tiny_corpus, tmp_path):
    """--auth: /m/<key>/ asks for the login as / does (no way around it), and the login made at / opens
    every model (one cookie)."""
    import http.cookiejar

    second = train_tiny(tiny_corpus, tmp_path / "second", seed=1)
    hub = ModelHub(tiny_model_dir, [second], compare_dirs=[], bundled=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = hub.build_default()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **hub.launch_kwargs(auth=("teacher", "secret")),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert _get(url + "/config")[0] == 401
        assert _get(url + "/m/second/config")[0] == 401  # not served without the login
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
        )
        login = urllib.request.Request(
            url + "/login",
            b"username=teacher&password=secret",
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert browser.open(login, timeout=60).status == 200
        status, body, _ = _get(url + "/m/second/config", browser)
        assert status == 200 and json.loads(body)["root"] == url + "/m/second"
    finally:
        hub.close()
        demo.close()
