"""Tokenizers as data (issue 15 item 1, issue 12 faults 1, 2, 4, 5): how a model's text is cut into tokens is
recorded in its config.json and every reader (library, CLI, app) cuts prompts that way; text is normalized
inside the tokenizers; a vocabulary without <unk> and a file that is not UTF-8 get clear messages."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from test_import import RNNModel

from lstmlm import load_model, save_model
from lstmlm.cli import main
from lstmlm.data import Corpus, read_tokens
from lstmlm.model import LanguageModel, ModelConfig
from lstmlm.tokenizers import (
    CHARS,
    TOKENIZERS,
    WHITESPACE,
    WIKITEXT,
    TextFileError,
    get_tokenizer,
    normalize_text,
    read_text,
)
from lstmlm.vocab import EOS, UNK, UnknownTokenError, Vocab

TOL = 1e-5
ALL = list(TOKENIZERS.values())
DECOMPOSED = "Beyonce\u0301"  # "e" + COMBINING ACUTE ACCENT, as text pasted from macOS or a PDF arrives
COMPOSED = "Beyonc\u00e9"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------------------------------------
# The three tokenizers
# --------------------------------------------------------------------------------------------------------


def test_the_three_ways_to_cut_one_text():
    text = "Paris, (1999) is\nbig."
    assert WIKITEXT.tokenize(text) == ["Paris", ",", "(", "1999", ")", "is", EOS, "big", "."]
    assert WHITESPACE.tokenize(text) == ["Paris,", "(1999)", "is", EOS, "big."]
    assert CHARS.tokenize("a b\nc") == ["a", " ", "b", EOS, "c"]
    assert WHITESPACE.detokenize(["Paris,", "(1999)", "is", EOS, "big."]) == text
    assert CHARS.detokenize(["a", " ", "b", EOS, "c"]) == "a b\nc"
    assert [t.unit for t in ALL] == ["word", "word", "character"]
    assert get_tokenizer(None) is WIKITEXT and get_tokenizer("chars") is CHARS
    with pytest.raises(
        ValueError, match="unknown tokenizer 'bpe': choose one of wikitext, whitespace, chars"
    ):
        get_tokenizer("bpe")


@pytest.mark.parametrize(
    "text",
    ["", "a", "line one\nline two\n", "\n\n", "tabs\tand  two spaces", "ünïcödé ✓ 日本語\nx", "\r\nCRLF\r\n"],
)
def test_chars_round_trip_with_line_breaks(text):
    tokens = CHARS.tokenize(text)
    assert tokens.count(EOS) == text.replace("\r\n", "\n").count("\n")
    assert CHARS.detokenize(tokens) == text.replace("\r\n", "\n")
    assert len(tokens) == len(text.replace("\r\n", "\n"))


@given(st.text(max_size=60))
def test_chars_round_trip_of_any_text(text):
    tokens = CHARS.tokenize(text)
    assert all(len(t) == 1 or t == EOS for t in tokens)
    assert CHARS.detokenize(tokens) == normalize_text(text)
    assert CHARS.tokenize(CHARS.rejoin(tokens)) == tokens


@given(st.text(alphabet=st.sampled_from("ab,.( )\n\u00a0\u0301e'"), max_size=40))
def test_pieces_join_to_detokenize_and_rejoin_reads_back(text):
    for tokenizer in ALL:
        tokens = tokenizer.tokenize(text)
        assert "".join(s + t for s, t in tokenizer.pieces(tokens)) == tokenizer.detokenize(tokens)
        if tokenizer is not WIKITEXT:  # WikiText's " ".join re-splits name parts: "O 'Brien" -> O ' Brien
            assert tokenizer.tokenize(tokenizer.rejoin(tokens)) == tokens


def test_an_unknown_character_reads_as_unk():
    vocab = Vocab.from_tokens(CHARS.tokenize("abc ab\nba"), tokenizer=CHARS)
    assert sorted(vocab.words) == sorted([" ", "a", "b", "c", EOS, UNK])
    enc = vocab.encode_text("ab z\nc")
    assert enc.tokens == ["a", "b", " ", "z", EOS, "c"]
    assert enc.ids == [vocab.index[t] for t in ["a", "b", " "]] + [
        vocab.unk_id,
        vocab.eos_id,
        vocab.index["c"],
    ]
    assert enc.unknown_words == ["z"]


def test_appending_words_or_characters():
    assert WHITESPACE.append("to Paris,", ["(1999)", "and"]) == "to Paris, (1999) and"
    assert WHITESPACE.append("to ", ["Paris,"]) == "to Paris,"
    assert WHITESPACE.append("a", [EOS, "b"]) == "a\nb"
    assert CHARS.append("Pari", ["s", ",", " "]) == "Paris, "
    assert CHARS.append("end", [EOS, "x"]) == "end\nx"
    assert WIKITEXT.append("in the", ["U.S.", ","]) == "in the U.S.,"


# --------------------------------------------------------------------------------------------------------
# Fault 1: Unicode forms and invisible characters, normalized inside every tokenizer
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tokenizer", ALL, ids=lambda t: t.name)
def test_decomposed_accents_read_as_the_composed_word(tokenizer):
    assert unicodedata.normalize("NFC", DECOMPOSED) == COMPOSED and DECOMPOSED != COMPOSED
    assert tokenizer.tokenize(f"{DECOMPOSED} sang") == tokenizer.tokenize(f"{COMPOSED} sang")
    assert COMPOSED in "".join(tokenizer.tokenize(DECOMPOSED))


@pytest.mark.parametrize("tokenizer", ALL, ids=lambda t: t.name)
@pytest.mark.parametrize(
    "space", ["\u00a0", "\u202f", "\u2009", "\u3000"], ids=["nbsp", "narrow", "thin", "cjk"]
)
def test_no_break_and_other_spaces_split_words(tokenizer, space):
    assert tokenizer.tokenize(f"Paris{space}is") == tokenizer.tokenize("Paris is")


@pytest.mark.parametrize("tokenizer", ALL, ids=lambda t: t.name)
@pytest.mark.parametrize(
    "mark",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e"],
    ids=lambda m: f"U+{ord(m):04X}",
)
def test_invisible_format_characters_are_dropped(tokenizer, mark):
    assert tokenizer.tokenize(f"{mark}Par{mark}is is{mark}") == tokenizer.tokenize("Paris is")
    # a joiner between a letter and its combining accent does not keep them apart
    assert tokenizer.tokenize(f"Beyonce{mark}\u0301") == tokenizer.tokenize(COMPOSED)


def test_the_bundled_vocabulary_reads_a_decomposed_word(capsys):
    """The issue's example: "Beyonce" + U+0301 pasted into the app or the CLI reads as the bundled model's
    "Beyoncé", not as unknown words."""
    from lstmlm.prompt import read_prompt

    model = load_model(Path(__file__).resolve().parent.parent / "assets" / "models" / "wikitext2-lstm")
    assert COMPOSED in model.vocab and model.vocab.tokenizer is WIKITEXT  # the bundled config has no entry
    prompt = read_prompt(model.vocab, f"{DECOMPOSED}\u00a0released")
    assert prompt.tokens == [COMPOSED, "released"] and prompt.unknown == []
    assert prompt.ids == [model.vocab.index[COMPOSED], model.vocab.index["released"]]
    code, out, err = run(
        capsys, "next", f"{DECOMPOSED} released", "--json", "-k", "3", "--model", "wikitext2-lstm"
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer["tokens"] == [COMPOSED, "released"] and answer["unknown"] == []


def test_training_and_eval_from_raw_text_normalize(tmp_path, capsys):
    decomposed, composed = tmp_path / "nfd.txt", tmp_path / "nfc.txt"
    lines = [f"{DECOMPOSED} sang a song , and the\u00a0crowd sang too ." for _ in range(20)]
    decomposed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    composed.write_text(unicodedata.normalize("NFC", decomposed.read_text()).replace("\u00a0", " "))
    corpus = Corpus.from_raw_text(decomposed)
    assert (
        COMPOSED in corpus.vocab and DECOMPOSED not in corpus.vocab and "the\u00a0crowd" not in corpus.vocab
    )
    assert read_tokens(decomposed, raw=True) == read_tokens(composed, raw=True)
    out = tmp_path / "m"
    flags = "--softmax full --embed-dim 8 --hidden-dim 8 --batch-size 2 --bptt 5 --threads 1 --quiet".split()
    assert run(capsys, "train", "--train", decomposed, "--out", out, "--epochs", "1", *flags)[0] == 0
    figures = []
    for path in (decomposed, composed):
        code, stdout, err = run(
            capsys, "eval", "--model", out, "--data", path, "--raw", "--batch-size", "2", "--json"
        )
        assert code == 0, err
        figures.append(json.loads(stdout))
    assert figures[0]["unknown_rate"] == 0 and figures[0]["perplexity"] == pytest.approx(
        figures[1]["perplexity"]
    )


# --------------------------------------------------------------------------------------------------------
# Fault 2: a model reads prompts the way its corpus was cut (recorded in config.json)
# --------------------------------------------------------------------------------------------------------

PLACES = ["Paris,", "London,", "Rome,", "Berlin."]
YEARS = ["(1999)", "(2004)", "(1871)"]


def write_whitespace_corpus(folder: Path) -> Path:
    """A corpus in the recipe's layout whose tokens keep their punctuation ("Paris," "(1999)"): only a
    whitespace split reads it as written."""
    import random

    rng = random.Random(1)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", 120), ("valid", 20), ("test", 20)):
        lines = []
        for _ in range(n):
            words = ["They", "moved", "to", rng.choice(PLACES), "in", rng.choice(YEARS), "and", "stayed."]
            lines.append(" " + " ".join(words) + " ")
        (folder / f"{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def recipe_words(folder: Path) -> list[str]:
    """The recipe's Dictionary: words in first-appearance order over train, valid, test, <eos> per line."""
    words: list[str] = []
    for split in ("train", "valid", "test"):
        for line in (folder / f"{split}.txt").read_text(encoding="utf-8").splitlines():
            for w in line.split() + ["<eos>"]:
                if w not in words:
                    words.append(w)
    return words


@pytest.fixture(scope="module")
def whitespace_model(tmp_path_factory) -> tuple[RNNModel, list[str], Path]:
    """The recipe's network (random weights, 2 x 8 LSTM) over a whitespace corpus, imported with lstmlm."""
    folder = tmp_path_factory.mktemp("ws")
    corpus = write_whitespace_corpus(folder / "corpus")
    words = recipe_words(corpus)
    torch.manual_seed(3)
    original = RNNModel("LSTM", len(words), 8, 8, 2, dropout=0.0).eval()
    with torch.no_grad():  # weights large enough that what the network reads shows in what it predicts
        for p in original.parameters():
            p.normal_(0, 1.0)
    weights = folder / "model.pt"
    torch.save(original.state_dict(), weights)
    assert main(["import", str(weights), "--data", str(corpus), "--out", str(folder / "imported")]) == 0
    return original, words, folder / "imported"


def original_next_probs(original: RNNModel, words: list[str], tokens: list[str]) -> torch.Tensor:
    """The recipe network's next-word distribution after `tokens`, read from a line start (after <eos>)."""
    ids = torch.tensor([words.index(t) for t in ["<eos>", *tokens]])[:, None]  # (T, 1)
    with torch.no_grad():
        log_probs, _ = original(ids, None)  # (T, V)
    return log_probs[-1].exp()


def test_an_imported_recipe_model_reads_prompts_split_on_whitespace(whitespace_model, capsys):
    from lstmlm.prompt import read_prompt
    from playground.views.next_word import next_log_probs, next_words_json

    original, words, directory = whitespace_model
    config = json.loads((directory / "config.json").read_text())
    assert config["tokenizer"] == "whitespace"
    model = load_model(directory)
    assert model.tokenizer is WHITESPACE and model.vocab.tokenizer is WHITESPACE
    text = "They moved to Paris, in (1999) and"
    tokens = ["They", "moved", "to", "Paris,", "in", "(1999)", "and"]
    # the app reads it as the corpus was cut: "Paris," and "(1999)" are one known token each
    prompt = read_prompt(model.vocab, text)
    assert prompt.tokens == tokens and prompt.unknown == []
    V = len(words)
    expected = original_next_probs(original, words, tokens)  # (V,)
    got = next_log_probs(model, prompt.ids).exp()  # (V + 1,): lstmlm added <unk> after the recipe's words
    assert torch.allclose(got[:V], expected, atol=TOL) and float(got[V]) == 0.0
    answer = next_words_json(model, text, k=5)
    assert answer["tokens"] == tokens and answer["unknown"] == []
    for word, p in zip(answer["words"], answer["probs"], strict=True):
        assert p == pytest.approx(float(expected[words.index(word)]), abs=TOL)
    # the CLI reads it the same way
    code, out, err = run(capsys, "next", "--model", directory, text, "--json", "-k", "5")
    assert code == 0, err
    cli = json.loads(out)
    assert cli["tokens"] == tokens and cli["unknown"] == []
    assert [n["word"] for n in cli["next"]] == answer["words"]
    # read the WikiText way (before issue 12), the same text loses its places and years to <unk>
    wrong = model.vocab.encode(WIKITEXT.tokenize(text))
    assert wrong.unknown_words == ["Paris", ",", "(", "1999", ")"]
    wrong_probs = next_log_probs(model, wrong.ids).exp()[:V]
    assert (
        float((wrong_probs - expected).abs().max()) > 1e-3
    )  # so the comparison above can tell readings apart


def test_the_next_word_view_says_which_tokenizer(whitespace_model):
    from playground import markup

    model = load_model(whitespace_model[2])
    line = markup.tokenizer_line(model.tokenizer)
    assert 'data-tokenizer="whitespace"' in line and "&quot;Paris,&quot; is one" in line
    # config.json's name only in a data attribute; the line says how the tokenizer cuts text, not "WikiText"
    assert 'data-tokenizer="chars"' in markup.tokenizer_line(CHARS)
    wikitext = markup.tokenizer_line(WIKITEXT)
    assert 'data-tokenizer="wikitext"' in wikitext and "WikiText" not in wikitext
    assert "learned" not in wikitext  # no training text recorded: none named
    stories = markup.tokenizer_line(WIKITEXT, {"training": {"data": "/data/storybooks/train.txt"}})
    assert stories.endswith("It learned from children&#x27;s storybooks.</div>")


def test_a_model_without_a_tokenizer_entry_reads_wikitext_and_a_bad_entry_is_refused(
    tiny_model_dir, tmp_path
):
    import shutil

    from lstmlm.checkpoint import CheckpointError

    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy, symlinks=True)
    config = json.loads((copy / "config.json").read_text())
    assert config["tokenizer"] == "wikitext"  # what save_model writes for a --data model
    del config["tokenizer"]
    (copy / "config.json").unlink()
    (copy / "config.json").write_text(json.dumps(config))
    assert load_model(copy).tokenizer is WIKITEXT
    config["tokenizer"] = "sentencepiece"
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="unknown tokenizer 'sentencepiece': choose one of wikitext"):
        load_model(copy)


@pytest.mark.parametrize("name", ["chars", "whitespace", "wikitext"])
def test_train_records_the_tokenizer_and_reads_prompts_with_it(tmp_path, capsys, name):
    book = tmp_path / "book.txt"
    book.write_text("The cat (a tabby) sat.\nThe dog, too, sat.\n" * 15, encoding="utf-8")
    out = tmp_path / "m"
    flags = "--softmax full --embed-dim 8 --hidden-dim 8 --batch-size 2 --bptt 8 --threads 1 --quiet".split()
    code, _, err = run(
        capsys, "train", "--train", book, "--tokenizer", name, "--out", out, "--epochs", "1", *flags
    )
    assert code == 0, err
    assert json.loads((out / "config.json").read_text())["tokenizer"] == name
    model = load_model(out)
    assert model.tokenizer is get_tokenizer(name)
    expected = {
        "chars": ["T", "h", "e", " ", "c", "a", "t", " ", "(", "a"],
        "whitespace": ["The", "cat", "(a", "tabby)", "sat."],
        "wikitext": ["The", "cat", "(", "a", "tabby", ")", "sat", "."],
    }[name]
    code, out_json, err = run(
        capsys,
        "trace",
        "--model",
        out,
        "The cat (a tabby) sat."[: len(expected) if name == "chars" else None],
        "--json",
    )
    assert code == 0, err
    assert json.loads(out_json)["tokens"] == expected and json.loads(out_json)["unknown"] == []
    # a sampled continuation is joined by the tokenizer: characters without spaces between them
    code, sampled, err = run(capsys, "sample", "--model", out, "The", "-n", "12", "--seed", "1", "--json")
    assert code == 0, err
    answer = json.loads(sampled)
    drawn = [w["word"] for w in answer["words"]]
    assert answer["text"] == model.tokenizer.detokenize(drawn)
    if name == "chars":
        assert answer["text"] == "".join("\n" if w == EOS else w for w in drawn)


def test_a_chars_folder_trains_a_character_model(tmp_path, capsys):
    folder = tmp_path / "book"
    folder.mkdir()
    for split, n in (("train", 40), ("valid", 6), ("test", 6)):
        (folder / f"{split}.txt").write_text('"Well," said he.\nShe said "no".\n' * n, encoding="utf-8")
    corpus = Corpus.from_folder(folder, tokenizer=CHARS)
    assert corpus.vocab.tokenizer is CHARS and '"' in corpus.vocab and " " in corpus.vocab
    assert corpus.train.numel() == len((folder / "train.txt").read_text())  # one id per character (\n: <eos>)
    pretokenized = Corpus.from_folder(folder)  # --data without --tokenizer: WikiText files split on spaces
    assert pretokenized.vocab.tokenizer is WIKITEXT and '"Well,"' in pretokenized.vocab


# --------------------------------------------------------------------------------------------------------
# Fault 4: a vocabulary without <unk>
# --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_unk_dir(tmp_path_factory) -> Path:
    """A model wrapped by hand from another toolkit: its vocabulary has no <unk>."""
    words = ["<eos>", "the", "cat", "sat", "on", "mat", "."]
    torch.manual_seed(0)
    config = ModelConfig(
        vocab_size=len(words), embed_dim=8, hidden_dim=8, num_layers=1, dropout=0.0, softmax="full"
    )
    out = tmp_path_factory.mktemp("nounk") / "model"
    save_model(out, LanguageModel(config).eval(), Vocab(words))
    return out


def test_a_vocabulary_without_unk_names_the_unknown_word(no_unk_dir):
    model = load_model(no_unk_dir)
    assert model.vocab.unk_id is None
    assert model.vocab.encode_text("the cat sat").ids == [1, 2, 3]
    with pytest.raises(UnknownTokenError) as err:
        model.vocab.encode_text("the zebra sat")
    assert isinstance(err.value, ValueError) and not isinstance(err.value, KeyError)
    assert str(err.value).startswith(
        '"zebra" is not in this model\'s vocabulary, and the vocabulary has no <unk>'
    )


@pytest.mark.parametrize(
    "args",
    [
        ["next", "the zebra"],
        ["trace", "the zebra"],
        ["sample", "the zebra", "-n", "3"],
        ["eval", "--raw", "--data"],
    ],
    ids=["next", "trace", "sample", "eval"],
)
def test_the_cli_says_which_word_without_a_traceback(no_unk_dir, tmp_path, capsys, args):
    if args[0] == "eval":
        text = tmp_path / "t.txt"
        text.write_text("the cat sat on the mat .\n" * 30 + "the zebra sat .\n")
        args = [*args, text]
    code, out, err = run(capsys, *args, "--model", no_unk_dir)
    assert code == 2 and out == ""
    assert err.startswith("lstmlm: error: ") and "Traceback" not in err and "KeyError" not in err
    assert '"zebra" is not in this model\'s vocabulary, and the vocabulary has no <unk>' in err


def test_every_prompt_endpoint_says_which_word_over_http(no_unk_dir):
    from conftest import app_client
    from gradio_client.exceptions import AppError

    calls = {
        "next_words": ("the zebra",),
        "generate": ("the zebra",),
        "trace": ("the zebra",),
        "intervene": ("the zebra",),
        "equations": ("the zebra",),
        "counterfactual": ("the zebra", "the cat"),
        "surprisal": ("the zebra",),
        "unit_search": ("the zebra",),
        "compare": ("the zebra",),
        "gradient_flow": ("the zebra",),
    }
    with app_client(load_model(no_unk_dir)) as client:
        assert client.predict("the cat", api_name="/next_words")["tokens"] == ["the", "cat"]
        for api_name, args in calls.items():
            with pytest.raises(AppError) as err:
                client.predict(*args, api_name=f"/{api_name}")
            message = str(err.value)
            assert '"zebra" is not in this model\'s vocabulary' in message, (api_name, message)
            assert "upstream" not in message


# --------------------------------------------------------------------------------------------------------
# Fault 5: a corpus file that is not UTF-8
# --------------------------------------------------------------------------------------------------------

CP1252 = "The caf\u00e9 \u201cLe Dôme\u201d \u2013 40\u20ac\n".encode("cp1252")  # é, curly quotes, dash, euro


def test_read_text_names_the_file_the_byte_and_the_fix(tmp_path):
    path = tmp_path / "book 1.txt"
    path.write_bytes(b"first line\n" + CP1252)
    offset = len(b"first line\nThe caf")
    with pytest.raises(TextFileError) as err:
        read_text(path)
    message = str(err.value)
    assert message.startswith(f"{path} is not UTF-8 text: the byte at offset {offset} (line 2) is 0xe9")
    assert f"iconv -f cp1252 -t utf-8 '{path}' > utf8.txt" in message
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfab\n\x93")
    with pytest.raises(TextFileError, match=r"at offset 6 \(line 2\) is 0x93"):
        read_text(tmp_path / "bom.txt")
    (tmp_path / "ok.txt").write_bytes("\ufeffThe caf\u00e9\n".encode())
    assert read_text(tmp_path / "ok.txt") == "The caf\u00e9\n"  # a leading BOM is not text


@pytest.mark.parametrize("source", ["--train", "--valid", "--data"])
def test_train_on_a_windows_1252_file_says_how_to_fix_it(tmp_path, capsys, source):
    good = "the cat sat on the mat .\n" * 30
    folder = tmp_path / "corpus"
    folder.mkdir()
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text(good)
    bad = folder / ("valid.txt" if source != "--train" else "train.txt")
    bad.write_bytes(good.encode() + CP1252)
    args = {
        "--train": ["--train", folder / "train.txt"],
        "--valid": ["--train", folder / "train.txt", "--valid", folder / "valid.txt"],
        "--data": ["--data", folder],
    }[source]
    code, _, err = run(capsys, "train", *args, "--out", tmp_path / "m", "--epochs", "1", "--quiet")
    assert code == 2 and "Traceback" not in err
    offset = len(good) + len("The caf")
    assert f"{bad} is not UTF-8 text: the byte at offset {offset:,} (line 31) is 0xe9" in err
    assert "Re-encode the file as UTF-8, e.g. from Windows-1252: iconv -f cp1252 -t utf-8" in err
    assert not (tmp_path / "m" / "config.json").exists()


def test_typing_an_unknown_word_in_the_app_warns_with_the_word(no_unk_dir):
    """The prompt's one listener redraws every view; a word a <unk>-less vocabulary lacks becomes one
    warning toast (escaped: the toast renders HTML) and the views keep their last drawing."""
    import gradio as gr

    from lstmlm.prompt import read_prompt
    from playground.tabs import TabView, follow_prompt

    model = load_model(no_unk_dir)

    def tokens_view(text: str) -> str:
        return " ".join(read_prompt(model.vocab, text).tokens)

    def ids_view(text: str) -> int:
        return len(read_prompt(model.vocab, text).ids)

    with gr.Blocks():
        prompt = gr.Textbox()
        a, b = gr.HTML(), gr.HTML()
        views = {
            "a": TabView(gr.Tab("a"), tokens_view, [prompt], [a]),
            "b": TabView(gr.Tab("b"), ids_view, [prompt], [b]),
        }
        redraw, _, _ = follow_prompt(prompt, views)
    assert redraw("the cat") == ("the cat", 2)
    with pytest.warns(UserWarning) as caught:
        assert redraw("the < zebra") == (gr.skip(), gr.skip())
    assert len(caught) == 1  # one toast for the two views that could not draw
    assert str(caught[0].message).startswith("&#x27;&lt;&#x27; is not in this model&#x27;s vocabulary")
