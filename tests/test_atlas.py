"""The unit atlas: its top contexts are really each unit's extreme c and h (checked by brute force over a
full trace of the same text with the same batching), the file round-trips, and a bad file is None."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import torch

from lstmlm import load_model, save_model
from lstmlm.cli import main
from lstmlm.data import batchify, read_tokens
from lstmlm.studies.atlas import ATLAS, build_atlas, load_atlas, save_atlas
from lstmlm.trace import trace

TOP = 3
CONTEXT = 12  # build_atlas's default number of words before the word


@pytest.fixture()
def model_dir(tiny_model_dir, tmp_path) -> Path:
    """A copy of the session's tiny model (2 layers x 8 units), so the atlas does not leak into it."""
    return Path(shutil.copytree(tiny_model_dir, tmp_path / "model"))


@pytest.fixture()
def indexed(model_dir, tiny_corpus, capsys) -> tuple[Path, dict, list[str]]:
    """`lstmlm index` over the tiny valid.txt (~110 steps x 10 columns: four 35-step chunks)."""
    data = tiny_corpus / "valid.txt"
    code = main(["index", "--model", str(model_dir), "--data", str(data), "--top", str(TOP), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"Wrote {model_dir / ATLAS}: ") and "2 layers x 8 units, top 3" in out
    atlas = load_atlas(model_dir)
    assert atlas is not None
    return model_dir, atlas, read_tokens(data)


def brute_force(model, tokens: list[str]) -> dict[tuple[int, str], torch.Tensor]:
    """(layer, signal) -> values (positions, H) from ONE trace of the whole batchified text."""
    ids = torch.tensor(model.vocab.encode(tokens).ids)
    data = batchify(ids, 10)  # (T, B), the atlas's batching
    tr = trace(model, data, model.init_state(10), log_probs=False)
    T, B = data.shape
    out = {}
    for layer, lt in enumerate(tr.layers):
        for signal in ("c", "h"):
            # (T, B, H) -> (B*T, H): row b*T + t is text position b*T + t
            out[(layer, signal)] = lt.get(signal).transpose(0, 1).reshape(B * T, -1)
    return out


def test_top_contexts_are_the_units_extremes(indexed):
    model_dir, atlas, tokens = indexed
    model = load_model(model_dir)
    values = brute_force(model, tokens)
    steps = len(tokens) // 10
    assert atlas["words_scanned"] == steps * 10 and atlas["top"] == TOP and atlas["batch_size"] == 10
    assert len(atlas["layers"]) == 2 and all(len(units) == 8 for units in atlas["layers"])
    checked = 0
    for (layer, signal), v in values.items():
        for unit in range(8):
            column = v[:, unit]
            for name, sign in (("high", 1), ("low", -1)):
                entries = atlas["layers"][layer][unit][f"{signal}_{name}"]
                expected = (sign * column).topk(TOP).values * sign  # the unit's TOP extremes, best first
                got = torch.tensor([e["value"] for e in entries])
                assert torch.allclose(got, expected, atol=1e-4), (layer, signal, unit, name)
                for e in entries:  # each context is where that value occurs, shown with its words
                    p = e["pos"]
                    assert abs(float(column[p]) - e["value"]) < 1e-4
                    assert e["word"] == tokens[p]
                    assert e["before"] == " ".join(tokens[max(0, p - CONTEXT) : p])
                    assert e["after"] == " ".join(tokens[p + 1 : p + 4])
                    checked += 1
    assert checked == 2 * 2 * 8 * 2 * TOP


def test_the_file_round_trips(indexed, tiny_corpus):
    model_dir, atlas, _ = indexed
    raw = json.loads(gzip.decompress((model_dir / ATLAS).read_bytes()))
    assert raw == atlas and atlas["source"] == str(tiny_corpus / "valid.txt")
    again = save_atlas(model_dir, {k: v for k, v in atlas.items() if k != "source"}, source=atlas["source"])
    assert load_atlas(model_dir) == atlas
    assert sorted(p.name for p in again.parent.iterdir() if ".tmp-" in p.name) == []


def test_build_atlas_small_inputs(tiny_model):
    tokens = "the cat sat on the mat . <eos>".split() * 3  # 24 words: 2 steps of 10 columns
    atlas = build_atlas(tiny_model, tokens, top=50)  # more than there are positions: all of them
    assert atlas["words_scanned"] == 20
    assert all(len(e) == 20 for units in atlas["layers"] for u in units for e in u.values())
    with pytest.raises(ValueError, match="too few"):
        build_atlas(tiny_model, tokens[:5])
    with pytest.raises(ValueError, match="top must be"):
        build_atlas(tiny_model, tokens, top=0)


def test_no_atlas_is_none(model_dir):
    assert load_atlas(model_dir) is None
    assert load_atlas(model_dir / "does-not-exist") is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not gzip at all",
        gzip.compress(b'{"version": 1, "layers": [')[:-6],  # truncated
        gzip.compress(b"\xff\xfe not utf-8"),
        gzip.compress(b"not json"),
        gzip.compress(b"[1, 2, 3]"),
        gzip.compress(b'{"version": 2, "layers": [[], []]}'),
        gzip.compress(b'{"version": 1}'),
        gzip.compress(b'{"version": 1, "layers": [[]]}'),  # 1 layer: another model's
    ],
    ids=[
        "empty",
        "not-gzip",
        "truncated",
        "not-utf8",
        "not-json",
        "a-list",
        "version-2",
        "no-layers",
        "other-shape",
    ],
)
def test_a_corrupt_atlas_is_none(model_dir, content):
    (model_dir / ATLAS).write_bytes(content)
    assert load_atlas(model_dir) is None


def test_a_corrupt_deflate_stream_is_none(indexed):
    model_dir = indexed[0]
    data = bytearray((model_dir / ATLAS).read_bytes())
    data[20:40] = b"\xff" * 20  # garbage in the deflate stream (zlib.error, not an OSError)
    (model_dir / ATLAS).write_bytes(bytes(data))
    assert load_atlas(model_dir) is None


def test_a_model_saved_since_makes_the_atlas_stale(indexed):
    model_dir = indexed[0]
    model = load_model(model_dir)
    config = json.loads((model_dir / "config.json").read_text())
    config["saved"] = "2000-01-01T00:00:00+00:00"  # as if retrained into the same folder after indexing
    (model_dir / "config.json").write_text(json.dumps(config))
    assert load_atlas(model_dir) is None
    save_model(model_dir, model, model.vocab)  # a fresh save: the atlas stays stale
    assert load_atlas(model_dir) is None


def test_index_errors_are_clean(capsys, model_dir, tmp_path):
    assert main(["index", "--model", str(model_dir), "--data", str(tmp_path / "missing.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
    short = tmp_path / "short.txt"
    short.write_text("the cat\n")
    assert main(["index", "--model", str(model_dir), "--data", str(short), "--quiet"]) == 2
    assert "too few for batch size 10" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # refused by argparse, before anything is read
        main(["index", "--model", str(model_dir), "--data", str(short), "--top", "0"])
    assert exit_info.value.code == 2
    assert not (model_dir / ATLAS).exists()


@pytest.mark.parametrize(
    "line, prose",
    [
        ("Nobody could call Mr. Tod nice, and the rabbits could not bear him at all.", True),
        ("'I can.'", True),  # a short line of dialogue ends a sentence
        ('"Where are you going?" he asked.', True),
        ("COPYRIGHT, 1912 BY FREDERICK WARNE & Co.", False),
        ("THE BULLETS WERE HUMMING AND SINGING, CLIPPING ALONG THE TOP OF THE WATER", False),
        ("[Illustration]", False),
        ("CHAPTER XLV.", False),
        ("Chapter 17--Good Bargains", False),
        (" = = Plot summary = = ", False),
        ("", False),
        ("从前有一座山，山里有一座庙，庙里有一个老和尚在给小和尚讲故事。", True),  # no case: by length
        ("第一章", False),
    ],
)
def test_is_prose(line, prose):
    from lstmlm.data import is_prose

    assert is_prose(line) is prose


def test_prose_only_leaves_the_title_page_out_of_the_atlas(model_dir, tiny_corpus, capsys, tmp_path):
    """A book laid out one paragraph a line, its title page first: with --prose-only, no context of the
    atlas comes from the title page, and the positions index the running text alone."""
    body = (tiny_corpus / "valid.txt").read_text().splitlines()
    title = ["THE TALE OF THE CAT", "BY", "A. WRITER", "[Illustration]", "COPYRIGHT, 1912 BY THE PRINTERS"]
    book = tmp_path / "book.txt"
    book.write_text("\n".join(title + body) + "\n")
    args = ["index", "--model", str(model_dir), "--data", str(book), "--top", str(TOP), "--quiet"]
    assert main([*args, "--prose-only"]) == 0
    capsys.readouterr()
    atlas = load_atlas(model_dir)
    assert atlas["prose_only"] is True
    kept = [line for line in body if len(line.split()) >= 8 or line.rstrip().endswith((".", "!", "?"))]
    tokens = [t for line in kept for t in [*line.split(), "<eos>"]]
    assert atlas["words_scanned"] <= len(tokens)
    for layer in atlas["layers"]:
        for unit in layer:
            for snippets in unit.values():
                for s in snippets:
                    assert tokens[s["pos"]] == s["word"]
                    assert not any(w.isupper() and len(w) > 1 for w in s["before"].split()), s
    assert main(args) == 0  # without the option the title page is read too: more text scanned
    capsys.readouterr()
    assert load_atlas(model_dir)["words_scanned"] > atlas["words_scanned"]


def test_the_bundled_storybook_atlas_shows_running_text_only():
    """The default model's atlas was built with --prose-only: none of its 20,480 contexts is mostly capitals
    (a title page, a copyright line: 396 were, before)."""
    atlas = load_atlas(Path(__file__).parents[1] / "assets" / "models" / "storybooks-lstm")
    assert atlas is not None and atlas["prose_only"] is True
    shouting = []
    for layer in atlas["layers"]:
        for unit in layer:
            for snippets in unit.values():
                for s in snippets:
                    text = f"{s['before']} {s['word']} {s['after']}"
                    cased = [c for c in text if c.isupper() or c.islower()]
                    if cased and sum(c.isupper() for c in cased) > 0.4 * len(cased):
                        shouting.append(text)
    assert not shouting, shouting[:5]
