"""The Compare view's long-range probes read a filler written like the first model's training text: storybook
prose for a storybook model, WikiText prose for a WikiText model, plain prose for anything else and for
character models, chosen from what config.json records (never the model's name); every score is the one
recomputed here by hand from the model's log-probabilities."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from lstmlm import load_model
from lstmlm.bundled import bundled_model_dirs
from lstmlm.checkpoint import read_config, save_model
from lstmlm.studies.compare import line_log_probs
from lstmlm.studies.probe_texts import NEUTRAL, STORYBOOKS, TEXTS, WIKITEXT, corpus_of
from lstmlm.vocab import Vocab
from playground.tabs.compare import probe_figure
from playground.views.compare import probe_json
from playground.views.lineup import Entry

# what `lstmlm train` records as training.data (--data folder, or the --train file) for each kind of corpus
RECORDED = {
    "storybooks": "/work/shared/data/storybooks/train.txt",
    "wikitext": "../shared/data/wikitext-2",
    "neutral": "/home/me/books/my_novel.txt",
}


def all_words(texts) -> list[str]:
    nouns = [w for pair in texts.nouns for w in pair]
    return [*texts.lead.split(), *" ".join(texts.filler + texts.subject_filler).split(), *nouns]


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory) -> Path:
    """A tiny LSTM whose vocabulary holds every set's words, brackets, quotes, was and were."""
    from conftest import train_tiny

    folder = tmp_path_factory.mktemp("filler-corpus")
    lines = []
    for texts in TEXTS.values():
        body = " ".join(texts.filler)
        nouns = " ".join(w for pair in texts.nouns for w in pair)
        lines.append(f'{texts.lead} ( {body} ) . " {body} " The {nouns} was . The {nouns} were .')
        lines.append(f"The {texts.nouns[0][0]} {' '.join(texts.subject_filler)} was .")
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text("\n".join(lines * 4) + "\n")
    return train_tiny(folder, tmp_path_factory.mktemp("filler-model") / "m")


@pytest.fixture(scope="module")
def models(trained_dir, tmp_path_factory) -> dict:
    """The same weights saved three times, each recording another corpus as its training data, in folders
    named against it (the choice must come from config.json, not the folder's name)."""
    root, base = tmp_path_factory.mktemp("filler-dirs"), load_model(trained_dir)
    misleading = {"storybooks": "wikitext2-lstm", "wikitext": "neutral-lstm", "neutral": "storybooks-lstm"}
    out = {}
    for corpus, data in RECORDED.items():
        directory = root / misleading[corpus]
        save_model(directory, base, base.vocab, {"data": data})
        out[corpus] = load_model(directory)
        out[corpus].info["training"]["dir"] = str(directory)  # for the CLI tests (in memory only)
    return out


def by_hand_bracket(model, example: str, opener: str, closer: str) -> float:
    """log2 p(closer | the example) - log2 p(closer | the example without its opener), by two forwards."""
    words = example.split()
    without = words[: words.index(opener)] + words[words.index(opener) + 1 :]
    v = model.vocab
    a = line_log_probs(model, v.encode(words).ids)[-1, v.index[closer]]
    b = line_log_probs(model, v.encode(without).ids)[-1, v.index[closer]]
    return float(a - b) / math.log(2)


@pytest.mark.parametrize(
    ("config", "corpus"),
    [
        ({"training": {"data": "/work/shared/data/storybooks/train.txt"}}, "storybooks"),
        ({"training": {"data": "../shared/data/wikitext-2"}}, "wikitext"),
        ({"training": {"data": "/data/WikiText-103-raw-v1/wiki.train.raw"}}, "wikitext"),
        ({"training": {"data": "C:\\corpora\\wikitext-2\\train.txt"}}, "wikitext"),
        (
            {"training": {"test_data": "../shared/data/storybooks/test.txt (lstmlm eval --raw: batch 10)"}},
            "storybooks",
        ),
        ({"training": {"data": "/home/me/my-storybooks-notes/a.txt"}}, "neutral"),  # whole names only
        ({"training": {"data": "storybooks"}, "tokenizer": "chars"}, "neutral"),  # characters
        (
            {"training": {"data": "../wikitext-2", "test_data": "storybooks/test.txt"}},
            "wikitext",
        ),  # data first
        ({"training": {}}, "neutral"),
        ({}, "neutral"),
        (None, "neutral"),
        ({"training": "not a table"}, "neutral"),
    ],
)
def test_the_corpus_is_read_from_the_recorded_data(config, corpus):
    assert corpus_of(config) == corpus


BUNDLED = {  # what each bundled model was trained on, as its card says
    "storybooks-lstm": "storybooks",
    "storybooks-gru": "storybooks",
    "storybooks-rnn": "storybooks",
    "wikitext2-lstm": "wikitext",
    "wikitext2-gru": "wikitext",
    "wikitext2-rnn": "wikitext",
    "warpeace-char-lstm": "neutral",  # War and Peace, read as characters
}


def test_every_bundled_model_gets_its_corpus_and_knows_every_filler_word():
    dirs = {d.name: d for d in bundled_model_dirs() if d.name in BUNDLED}
    assert set(dirs) == set(BUNDLED)
    for name, directory in dirs.items():
        assert corpus_of(read_config(directory)) == BUNDLED[name], name
        if BUNDLED[name] != "neutral":  # the filler is made of words the model has (no <unk> in a probe)
            vocab = Vocab.load(directory / "vocab.txt")
            assert [w for w in all_words(TEXTS[BUNDLED[name]]) if w not in vocab] == [], name
    storybook_vocab = Vocab.load(dirs["storybooks-lstm"] / "vocab.txt")
    assert {w for w in all_words(WIKITEXT) if w not in storybook_vocab} == {
        "1999",
        "1998",
        "producer",
        "albums",
        "mixes",
    }


@pytest.mark.parametrize("corpus", list(RECORDED))
@pytest.mark.parametrize(("probe", "opener", "closer"), [("parenthesis", "(", ")"), ("quote", '"', '"')])
def test_bracket_probes_read_the_first_models_filler(models, corpus, probe, opener, closer):
    others = [c for c in RECORDED if c != corpus]
    lineup = [Entry(c, models[c], "#000") for c in (corpus, *others)]  # the first model's corpus decides
    out = probe_json(lineup, probe)
    texts = TEXTS[corpus]
    assert out["corpus"] == corpus and out["noun"] == texts.nouns[0][0]
    words = out["examples"][-1].split()
    cut = words.index(opener)
    assert " ".join(words[:cut]) == texts.lead and " ".join(words[cut + 1 :]) == " ".join(texts.filler)
    boundaries = [len(" ".join(texts.filler[: n + 1]).split()) for n in range(len(texts.filler))]
    assert out["distance"] == boundaries and out["distance"][-1] == len(words) - 1 - cut
    for row, entry in zip(out["models"], lineup, strict=True):  # each model scored on the same words
        for example, bits in zip(out["examples"], row["bits"], strict=True):
            assert bits == pytest.approx(by_hand_bracket(entry.model, example, opener, closer), abs=1e-4)


@pytest.mark.parametrize("corpus", list(RECORDED))
def test_agreement_reads_the_first_models_subjects(models, corpus):
    model, texts = models[corpus], TEXTS[corpus]
    out = probe_json([Entry(corpus, model, "#000")], "agreement")
    v = model.vocab

    def margin(subject: str, clause: list[str]) -> float:
        row = line_log_probs(model, v.encode(["The", subject, *clause]).ids)[-1]
        return float(row[v.index["was"]] - row[v.index["were"]]) / math.log(2)

    clause = " ".join(texts.subject_filler).split()
    for distance, bits, example in zip(
        out["distance"], out["models"][0]["bits"], out["examples"], strict=True
    ):
        assert example == " ".join(["The", texts.nouns[0][0], *clause[:distance]])
        by_hand = sum(
            margin(one, clause[:distance]) - margin(many, clause[:distance]) for one, many in texts.nouns
        )
        assert bits == pytest.approx(by_hand / len(texts.nouns), abs=1e-4)
    assert out["distance"][-1] == len(clause)
    assert out["question"].startswith(f"After 'The {texts.nouns[0][0]}(s) who …'")


def test_the_note_names_the_filler_and_the_subject_in_either_language(models):
    sb = [Entry("storybooks", models["storybooks"], "#000")]
    _, en = probe_figure(sb, "agreement", "en")
    _, zh = probe_figure(sb, "agreement", "zh")
    assert "After &#x27;The boy(s) who …&#x27;" in en and "written like a storybook" in en
    assert "The boy(s) who" in zh and "故事书风格" in zh
    assert "In 1999" not in en and "player" not in en + zh
    _, wt = probe_figure([Entry("wikitext", models["wikitext"], "#000")], "quote", "zh")
    assert "维基百科风格" in wt and "In 1999 , the group released its third album &quot;" in wt
    _, other = probe_figure([Entry("neutral", models["neutral"], "#000")], "parenthesis", "en")
    assert "plain everyday prose" in other and NEUTRAL.lead in other
    assert STORYBOOKS.lead not in other and not re.search(r"\{\w+\}", en + zh + wt + other)  # all filled


def test_a_character_model_first_gets_the_neutral_filler_and_is_refused(tmp_path):
    from lstmlm.model import LanguageModel, ModelConfig
    from lstmlm.tokenizers import TOKENIZERS

    chars = TOKENIZERS["chars"]
    text = 'She said "yes" (twice). The boy was there.\n' * 5
    vocab = Vocab.from_tokens(chars.tokenize(text), tokenizer=chars)
    config = ModelConfig(vocab_size=len(vocab), embed_dim=8, hidden_dim=8, num_layers=1, dropout=0.0)
    save_model(tmp_path / "c", LanguageModel(config).eval(), vocab, {"data": "../data/storybooks"})
    model = load_model(tmp_path / "c")
    assert json.loads((tmp_path / "c" / "config.json").read_text())["tokenizer"] == "chars"
    out = probe_json([Entry("chars", model, "#000")], "quote")
    assert out["corpus"] == "neutral" and out["distance"] == [] and out["models"][0]["bits"] is None
    assert "phrases of words" in out["models"][0]["note"]


@pytest.fixture(scope="module")
def model_dirs(models) -> dict[str, Path]:
    """The folder of each of `models` (the weights saved with each recorded corpus)."""
    return {c: Path(m.info["training"]["dir"]) for c, m in models.items()}


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    """main(argv) -> (exit code, stdout, stderr), as tests/test_cli.py's `run`."""
    from test_cli import run

    return run(capsys, *argv)


@pytest.mark.parametrize("corpus", list(RECORDED))
def test_the_probe_command_picks_the_filler_as_the_compare_view_does(models, model_dirs, corpus, capsys):
    """`lstmlm probe` reads the filler of the model's recorded corpus (its folder is named against it),
    or the one --filler names; its bits are the ones recomputed here by hand on that filler's words."""
    directory = str(model_dirs[corpus])
    for filler, expected in (("auto", corpus), ("neutral", "neutral"), ("storybooks", "storybooks")):
        code, out, _ = _cli(
            capsys, "probe", "parenthesis", "--model", directory, "--filler", filler, "--json"
        )
        assert code == 0
        (row,) = json.loads(out)
        assert row["corpus"] == expected
        texts = TEXTS[expected]
        examples = [" ".join([*texts.lead.split(), "(", *" ".join(texts.filler[: n + 1]).split()])
                    for n in range(len(texts.filler))]  # fmt: skip
        assert row["distance"] == [len(" ".join(texts.filler[: n + 1]).split()) for n in range(len(examples))]
        for example, bits in zip(examples, row["bits"], strict=True):
            assert bits == pytest.approx(by_hand_bracket(models[corpus], example, "(", ")"), abs=1e-4)
    code, out, _ = _cli(capsys, "probe", "agreement", "--model", directory)
    noun = TEXTS[corpus].nouns[0][0]
    assert code == 0 and out.splitlines()[0] == f"filler: {corpus} (chosen from the model's training data)"
    assert f"After 'The {noun}(s) who …', does the model prefer 'was' for one {noun}" in out


def test_the_probe_command_refuses_a_model_it_cannot_probe(tiny_model_dir, tmp_path, capsys):
    """A model whose vocabulary lacks the bracket gets a message, not a traceback."""
    code, out, err = _cli(capsys, "probe", "parenthesis", "--model", str(tiny_model_dir))
    assert code == 2 and "Traceback" not in err and "lacks" in err and out == ""
