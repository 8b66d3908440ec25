"""Where models are found (lstmlm.bundled): the default by one constant, $LSTMLM_MODEL, your own folders in
$LSTMLM_MODELS_PATH, `--model NAME`, `lstmlm models`, what setup.py copies into a wheel, and a zipped
install (the package and its models inside one zip archive)."""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lstmlm import bundled
from lstmlm.cli import main

REPO = Path(__file__).resolve().parent.parent
ASSETS = REPO / "assets" / "models"


def _assets_models() -> list[str]:
    return sorted(n for n in os.listdir(ASSETS) if os.path.isfile(os.path.join(ASSETS, n, "config.json")))


@pytest.fixture(autouse=True)
def _no_model_env(monkeypatch):
    monkeypatch.delenv(bundled.MODEL_ENV, raising=False)
    monkeypatch.delenv(bundled.MODELS_PATH_ENV, raising=False)


def _copy_model(src: Path, dest: Path) -> Path:
    """The loadable files of a model directory (following the save format's symlinks) as plain files."""
    dest.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_file() and not f.name.startswith("."):
            shutil.copyfile(f, dest / f.name)
    return dest


def test_the_default_is_the_model_named_by_one_constant(monkeypatch):
    assert bundled.DEFAULT_MODEL in _assets_models()
    default = bundled.default_model_dir()
    assert default == ASSETS / bundled.DEFAULT_MODEL  # an editable clone reads assets/models itself
    monkeypatch.setattr(bundled, "DEFAULT_MODEL", "wikitext2-gru")
    switched = bundled.default_model_dir()
    assert switched == ASSETS / "wikitext2-gru"
    assert json.loads((switched / "config.json").read_text())["model"]["cell"] == "gru"


def test_model_env_replaces_the_default(monkeypatch, tiny_model_dir):
    monkeypatch.setenv(bundled.MODEL_ENV, str(tiny_model_dir))
    assert bundled.default_model_dir() == tiny_model_dir
    assert bundled.resolve_model(None) == tiny_model_dir


def test_models_path_names_and_shadowing(monkeypatch, tmp_path, tiny_model_dir):
    mine = tmp_path / "mine"
    _copy_model(tiny_model_dir, mine / "tiny")
    _copy_model(tiny_model_dir, mine / "wikitext2-rnn")  # shadows the bundled RNN
    (mine / "notes").mkdir()  # no config.json: not a model
    monkeypatch.setenv(bundled.MODELS_PATH_ENV, os.pathsep.join([str(tmp_path / "missing"), str(mine)]))
    models = {m.name: m for m in bundled.installed_models()}
    assert sorted(models) == sorted(set(_assets_models()) | {"tiny"})
    assert models["tiny"].origin == str(mine) and models["wikitext2-rnn"].origin == str(mine)
    assert models["wikitext2-gru"].origin == "bundled"
    assert models["tiny"].config["model"]["hidden_dim"] == 8
    assert bundled.resolve_model("tiny") == mine / "tiny"
    assert bundled.resolve_model("wikitext2-rnn") == mine / "wikitext2-rnn"
    assert bundled.resolve_model("wikitext2-gru") == ASSETS / "wikitext2-gru"
    assert bundled.resolve_model("no-such-model") == Path("no-such-model")  # loading it names it
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wikitext2-gru").mkdir()  # an existing path wins over a name
    assert bundled.resolve_model("wikitext2-gru") == Path("wikitext2-gru")


def test_cli_model_by_name_equals_model_by_directory(capsys, monkeypatch, tmp_path, tiny_model_dir):
    _copy_model(tiny_model_dir, tmp_path / "tiny")
    monkeypatch.setenv(bundled.MODELS_PATH_ENV, str(tmp_path))
    assert main(["next", "the cat sat on", "--model", "tiny", "--json", "-k", "5"]) == 0
    by_name = json.loads(capsys.readouterr().out)
    assert main(["next", "the cat sat on", "--model", str(tiny_model_dir), "--json", "-k", "5"]) == 0
    assert by_name == json.loads(capsys.readouterr().out)
    assert len(by_name["next"]) == 5 and by_name["tokens"] == ["the", "cat", "sat", "on"]
    with pytest.raises(SystemExit) as exit_info:
        main(["next", "the", "--model", "no-such-model"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "no-such-model" in err and "lstmlm models" in err and "Traceback" not in err


def test_models_command_lists_every_installed_model(capsys, monkeypatch, tmp_path, tiny_model_dir):
    assert main(["models", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [m["name"] for m in listing["models"]] == _assets_models()
    assert [m["name"] for m in listing["models"] if m["default"]] == [bundled.DEFAULT_MODEL]
    lstm = next(m for m in listing["models"] if m["name"] == "wikitext2-lstm")
    size = sum(f.stat().st_size for f in (ASSETS / "wikitext2-lstm").iterdir() if f.is_file()) / 1e6
    assert lstm["size_mb"] == pytest.approx(size) and lstm["model"] == "lstm 2x512"
    _copy_model(tiny_model_dir, tmp_path / "tiny")
    monkeypatch.setenv(bundled.MODELS_PATH_ENV, str(tmp_path))
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.split()[:1] == ["tiny"])
    assert "lstm 2x8" in row and str(tmp_path / "tiny") in row
    assert bundled.MODELS_PATH_ENV in out and "--model NAME" in out


def test_playground_compares_the_bundled_models():
    from playground.views.lineup import bundled_dirs

    assert [p.name for p in bundled_dirs()] == _assets_models()


def test_setup_copies_each_models_own_files(tmp_path):
    model_files = runpy.run_path(str(REPO / "setup.py"), run_name="setup_under_test")["model_files"]
    src = tmp_path / "assets" / "models"
    m = src / "mini"
    (m / ".model-1").mkdir(parents=True)
    (m / ".model-1" / "model.safetensors").write_bytes(b"weights")
    (m / "model.safetensors").symlink_to(Path(".model-1") / "model.safetensors")  # the save format
    (m / ".current").symlink_to(".model-1")
    for name in ("config.json", "vocab.txt", "README.md", "atlas.json.gz", "old.tmp"):
        (m / name).write_text(name)
    (m / "resume").mkdir()
    (m / "resume" / "state.json").write_text("{}")
    (src / "not-a-model").mkdir()
    (src / "not-a-model" / "vocab.txt").write_text("x")
    model_files.__globals__["SOURCE"] = src
    pairs = model_files()
    assert sorted(str(rel) for _, rel in pairs) == [
        f"lstmlm/_models/mini/{n}"
        for n in ("README.md", "atlas.json.gz", "config.json", "model.safetensors", "vocab.txt")
    ]
    weights = next(s for s, rel in pairs if rel.name == "model.safetensors")
    assert weights.read_bytes() == b"weights"


@pytest.mark.slow
def test_zipped_install_reads_its_default_model(tmp_path, tiny_model_dir, capsys):
    """The package and a model named DEFAULT_MODEL inside one zip on PYTHONPATH, run from another folder:
    `lstmlm next` answers as the model's own directory does, from a copy outside the archive."""
    archive = tmp_path / "site.zip"
    package = REPO / "lstmlm"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(package.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                z.write(f, f.relative_to(REPO).as_posix())
        for f in tiny_model_dir.iterdir():
            if f.is_file() and not f.name.startswith("."):
                z.write(f, f"lstmlm/{bundled.PACKAGED}/{bundled.DEFAULT_MODEL}/{f.name}")
    script = (
        "import json, lstmlm, lstmlm.bundled as b\n"
        "from lstmlm.cli import main\n"
        "print(json.dumps([lstmlm.__file__, str(b.default_model_dir())]))\n"
        "main(['next', 'the cat sat on', '--json', '-k', '5'])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSTMLM_")}
    env["PYTHONPATH"] = str(archive)
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=run_dir, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    first, answer = done.stdout.splitlines()[:2]
    module_file, default = json.loads(first)
    assert module_file.startswith(str(archive))  # imported from the archive, not the clone
    assert Path(default).name == bundled.DEFAULT_MODEL and str(archive) not in default
    assert main(["next", "the cat sat on", "--json", "-k", "5", "--model", str(tiny_model_dir)]) == 0
    assert json.loads(answer) == json.loads(capsys.readouterr().out)
