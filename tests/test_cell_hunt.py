"""The cell hunt: each track by hand on small strings, AUC and r against their definitions, a planted quote
unit found with AUC 1.0 (and not taken for a random track), the regex track, and `lstmlm cells`' cache."""

from __future__ import annotations

import time
from itertools import product
from pathlib import Path

import numpy as np
import pytest
import torch

from lstmlm import load_model, save_model
from lstmlm.cli import main
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.studies.cell_hunt import CACHE, cached_ranking, hunt, load_hunt
from lstmlm.studies.tracks import REGEX_SECONDS, Track, compute_tracks, regex_track
from lstmlm.studies.unit_ranking import rank_tracks
from lstmlm.studies.unit_scores import auc_scores, pearson_scores
from lstmlm.tokenizers import CHARS, WHITESPACE, WIKITEXT
from lstmlm.vocab import Vocab


def values(text: str, name: str, tokenizer=CHARS) -> list[int]:
    return [int(v) for v in compute_tracks(tokenizer.tokenize(text), tokenizer)[name].values]


def test_quote_track_spans_a_line_break_and_an_empty_line_closes_it():
    #                       a  "  b  \n c  "  d  "  e  \n \n  f  "  g
    assert values('a"b\nc"d"e\n\nf"g', "quote") == [0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1]
    assert values("“a” b", "quote") == [1, 1, 0, 0, 0]  # curly quotes open and close


def test_paren_track_counts_nested_depth():
    assert values("a(b(c)d)e)f", "paren") == [0, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0]


def test_line_position_after_crlf_and_cr():
    # CRLF and a lone CR are one line break each: "ab" "c" "" "de"
    assert values("ab\r\nc\r\rde", "line_pos") == [0, 1, 2, 0, 1, 0, 0, 1]


def test_word_position_and_sentence_tracks():
    text = "Hi. It's 3.5 ok! Yes"
    assert values(text, "word_pos") == [1, 2, 0, 0, 1, 2, 3, 4, 0, 1, 0, 1, 0, 1, 2, 0, 0, 1, 2, 3]
    assert values(text, "sentence_start") == [1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert values(text, "sentence_pos") == [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 2]


def test_line_wrap_marks_the_end_of_full_lines():
    lines = ["x" * 20] * 5 + ["x" * 4]
    tracks = compute_tracks(CHARS.tokenize("\n".join(lines) + "\n"), CHARS)
    wrap = tracks["line_wrap"]
    assert "usual line length 20 " in wrap.note
    first = wrap.values[:21]  # 20 characters and the line break: columns 10..20 are within 10 of 20
    assert first.tolist() == [0.0] * 10 + [1.0] * 11
    assert wrap.values[-5:].sum() == 0  # the short last line never gets near
    short = compute_tracks(CHARS.tokenize("ab\ncd\n"), CHARS)["line_wrap"]
    assert short.values.sum() == 0 and "at least 5" in short.note and short.usable


def test_word_models_track_words():
    tokens = WIKITEXT.tokenize('He said " no ( really ) " . Ok')
    tracks = compute_tracks(tokens, WIKITEXT)
    assert set(tracks) == {"quote", "paren", "line_pos", "sentence_start", "sentence_pos"}
    assert tracks["quote"].values.tolist() == [0, 0, 1, 1, 1, 1, 1, 0, 0, 0]
    assert tracks["paren"].values.tolist() == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0]
    assert tracks["sentence_start"].values.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert tracks["sentence_pos"].values.tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 0]
    assert "words since" in tracks["line_pos"].label


def test_regex_track_marks_characters_and_words():
    assert regex_track(CHARS.tokenize("the cat, the"), CHARS, r"\bthe\b").values.tolist() == [
        1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1,
    ]  # fmt: skip
    assert regex_track(WHITESPACE.tokenize("the cat, the"), WHITESPACE, r"cat").values.tolist() == [0, 1, 0]
    assert regex_track(WHITESPACE.tokenize("a b"), WHITESPACE, r" ").values.tolist() == [0, 0]  # spaces
    with pytest.raises(ValueError, match="not a valid regular expression"):
        regex_track(["a"], CHARS, "(")
    with pytest.raises(ValueError, match="type a regular expression"):
        regex_track(["a"], CHARS, "")


def test_regex_track_reads_any_character():
    #                                     猫     🐈    c  a  t
    tokens = CHARS.tokenize("猫 🐈 cat")
    assert regex_track(tokens, CHARS, "🐈|at").values.tolist() == [0, 0, 1, 0, 0, 1, 1]
    assert regex_track(WHITESPACE.tokenize("猫 🐈 cat"), WHITESPACE, "猫|t$").values.tolist() == [1, 0, 1]


def test_a_regex_that_backtracks_for_ever_is_stopped():
    """(a+)+b on 26 a's takes ~2**26 steps (~25 s here; 40 a's: days) inside Python's re, which cannot be
    interrupted: the search runs in a separate process, ended after REGEX_SECONDS."""
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"searched the text for over 3 s and was stopped: simplify it"):
        regex_track(CHARS.tokenize("a" * 26 + "!"), CHARS, "(a+)+b")
    assert time.perf_counter() - start < REGEX_SECONDS + 2


def test_auc_and_r_match_their_definitions():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, size=(200, 3)).astype(np.float32)  # many ties
    y = rng.random(200) < 0.3
    auc = auc_scores(x.T, y[None])[0]  # one row per unit
    for u in range(3):  # P(marked > unmarked) + P(equal) / 2, over every pair
        pos, neg = x[y, u], x[~y, u]
        pairs = [(a > b) + 0.5 * (a == b) for a, b in product(pos, neg)]
        assert auc[u] == pytest.approx(np.mean(pairs), abs=1e-12)
    counts = rng.random(200)
    r = pearson_scores(x.T, counts[None])[0]
    assert r == pytest.approx([np.corrcoef(x[:, u], counts)[0, 1] for u in range(3)], abs=1e-9)
    assert np.isnan(auc_scores(x.T, np.zeros((1, 200)))).all()  # nothing marked: no AUC


def planted_quote_model() -> tuple[LanguageModel, Vocab]:
    """A 1-layer, 4-unit character LSTM whose unit 0 flips its cell at every double quote: c ~ +1 inside
    quotes, -1 (or 0 at the start) outside. Unit 1 has random weights."""
    vocab = Vocab(['"', "a", "b", " ", "<eos>", "<unk>"], CHARS)
    config = ModelConfig(
        vocab_size=6, embed_dim=4, hidden_dim=4, num_layers=1, dropout=0.0, tie_weights=False
    )
    torch.manual_seed(0)
    model = LanguageModel(config).eval()
    rnn, B, K = model.rnn, 20.0, 20.0
    with torch.no_grad():
        emb = model.embedding.weight
        emb.zero_()
        emb[0, 0] = 1.0  # feature 0: "this character is a quote"
        emb[1:, 1] = torch.randn(5)  # something for the random unit to read
        w_ih, w_hh = rnn.weight_ih_l0, rnn.weight_hh_l0  # (4H, E), (4H, H); blocks i, f, g, o
        b_ih, b_hh = rnn.bias_ih_l0, rnn.bias_hh_l0
        H = 4
        for w in (w_ih, w_hh, b_ih, b_hh):
            w[0::H].zero_()  # unit 0's row in each gate block
        # unit 0: at a quote i = 1, f = 0 and g = -sign(h_{t-1}) (start: +1); elsewhere i = 0, f = 1
        w_ih[0, 0], b_ih[0] = 2 * B, -B  # i
        w_ih[H, 0], b_ih[H] = -2 * B, B  # f
        w_hh[2 * H, 0], b_ih[2 * H] = -K, 0.38 * K  # g = tanh(-K h + 0.38 K)
        b_ih[3 * H] = B  # o = 1
    return model, vocab


def test_ranking_finds_the_planted_quote_unit_and_ignores_a_random_track():
    model, vocab = planted_quote_model()
    model.vocab = vocab
    rng = np.random.default_rng(1)
    text = "".join(rng.choice(['"', "a", "b", " "], p=[0.08, 0.4, 0.4, 0.12]) for _ in range(600))
    h = hunt(model, CHARS.tokenize(text))
    quote = h.rankings["quote"]
    best = quote.best(1)[0]
    assert (best.layer, best.signal, best.unit) == (0, "c", 0)
    assert best.statistic == 1.0 and best.direction == "high"
    assert quote.statistic[0, 1, 0] == 1.0  # h = tanh(c) orders the steps the same way
    random_track = Track("random", "random", "binary", (rng.random(len(h.tokens)) < 0.3).astype(float))
    noise = rank_tracks(h.values, [random_track])["random"]
    assert abs(noise.statistic[0, 0, 0] - 0.5) < 0.1  # the quote unit says nothing about a random track


def test_hunt_refuses_too_short_a_text(tiny_model):
    with pytest.raises(ValueError, match="at least 2"):
        hunt(tiny_model, ["the"])


@pytest.fixture()
def char_model_dir(tmp_path) -> Path:
    """A tiny untrained character model saved as a directory (2 layers x 8 units)."""
    text = 'He said "no (really) way".\nShe said "yes".\n' * 20
    vocab = Vocab.from_tokens(CHARS.tokenize(text), tokenizer=CHARS)
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=2, dropout=0.0)
    save_model(tmp_path / "model", LanguageModel(config).eval(), vocab)
    (tmp_path / "valid.txt").write_text(text, encoding="utf-8")
    return tmp_path / "model"


def test_cells_cli_writes_the_cache_the_view_reads(char_model_dir, capsys):
    data = char_model_dir.parent / "valid.txt"
    code = main(["cells", "--model", str(char_model_dir), "--data", str(data), "--batch-size", "2",
                 "--regex", "s"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Ranked 2 x 8 units over" in out and "characters" in out and "regex:" in out
    cache = load_hunt(char_model_dir)
    assert cache is not None and cache["unit"] == "character" and "regex" not in cache["tracks"]
    assert set(cache["tracks"]) == {"quote", "paren", "line_pos", "word_pos", "sentence_start",
                                    "sentence_pos", "line_wrap"}  # fmt: skip
    # the cached numbers are the library's over the same columns
    model = load_model(char_model_dir)
    from lstmlm.data import read_tokens

    fresh = hunt(model, read_tokens(data, tokenizer=CHARS), batch_size=2)
    ranking = cached_ranking(cache, "quote")
    assert np.allclose(ranking.statistic, fresh.rankings["quote"].statistic, atol=1e-5, equal_nan=True)
    assert cache["passage"].startswith('He said "no')
    # a model saved since makes the cache stale
    save_model(char_model_dir, model, model.vocab)
    assert load_hunt(char_model_dir) is None
    assert (char_model_dir / CACHE).exists()


def test_cells_cli_errors_are_messages(char_model_dir, capsys, tmp_path):
    assert main(["cells", "--model", str(char_model_dir), "--data", str(tmp_path / "none.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err
    data = char_model_dir.parent / "valid.txt"
    assert main(["cells", "--model", str(char_model_dir), "--data", str(data), "--regex", "("]) == 2
    assert "not a valid regular expression" in capsys.readouterr().err


def test_cells_without_data_finds_the_text_kept_beside_the_model(char_model_dir, tmp_path, monkeypatch):
    """A Live Lab download keeps the text it trained on beside the model (text.txt; or train.txt and
    valid.txt) and its config.json records it relative to that folder: `lstmlm cells --model DIR` run
    from elsewhere said "the model was trained on text.txt, not found from here" although DIR/text.txt
    was there."""
    import json

    from lstmlm.cli.cells import validation_text

    text = (char_model_dir.parent / "valid.txt").read_text(encoding="utf-8")
    config_path = char_model_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    model = load_model(char_model_dir)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    kept = (({"data": "text.txt"}, ["text.txt"]),
            ({"data": "train.txt", "valid": "valid.txt"}, ["train.txt", "valid.txt"]))  # fmt: skip
    for training, files in kept:
        config["training"] = {**training, "pretokenized": False}
        config_path.write_text(json.dumps(config), encoding="utf-8")
        assert validation_text(model, char_model_dir)[0] == []  # not there yet: give --data
        for name in files:
            (char_model_dir / name).write_text(text, encoding="utf-8")
        tokens, source, problem = validation_text(model, char_model_dir)
        assert problem == "" and len(tokens) > 50 and str(char_model_dir) in source, (training, problem)
        for name in files:
            (char_model_dir / name).unlink()
    here = "a text of the same name where the command runs wins, as before\n" * 30
    (elsewhere / "text.txt").write_text(here, encoding="utf-8")
    config["training"] = {"data": "text.txt", "pretokenized": False}
    config_path.write_text(json.dumps(config), encoding="utf-8")
    (char_model_dir / "text.txt").write_text(text, encoding="utf-8")
    assert validation_text(model, char_model_dir)[1] == "the last 10% of lines of text.txt"
