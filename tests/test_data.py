"""Corpus reading and BPTT batching: the diagrams in data.py, and targets one word ahead."""

from __future__ import annotations

import math
import string

import pytest
import torch
import torch.nn.functional as F

from lstmlm.data import Corpus, batch_starts, batchify, get_batch, read_tokens
from lstmlm.model import LanguageModel, ModelConfig

ALPHABET = list(string.ascii_lowercase)


def letters(t: torch.Tensor) -> list[str]:
    """A (T, B) tensor of alphabet positions as rows of letters, e.g. 'agms'."""
    return ["".join(ALPHABET[i] for i in row) for row in t.tolist()]


def test_batchify_the_alphabet_as_in_the_diagram():
    source = batchify(torch.arange(26), 4)
    assert source.shape == (6, 4)
    assert letters(source) == ["agms", "bhnt", "ciou", "djpv", "ekqw", "flrx"]  # y and z are dropped
    assert source.is_contiguous()


def test_get_batch_on_the_alphabet_as_in_the_diagram():
    source = batchify(torch.arange(26), 4)
    inputs, targets = get_batch(source, 0, 2)
    assert letters(inputs) == ["agms", "bhnt"] and letters(targets) == ["bhnt", "ciou"]
    inputs, targets = get_batch(source, 2, 2)
    assert letters(inputs) == ["ciou", "djpv"] and letters(targets) == ["djpv", "ekqw"]
    inputs, targets = get_batch(source, 4, 2)  # the last batch is shorter: f has no successor row
    assert letters(inputs) == ["ekqw"] and letters(targets) == ["flrx"]
    assert list(batch_starts(source, 2)) == [0, 2, 4]


@pytest.mark.parametrize(("words", "batch", "bptt"), [(100, 3, 7), (57, 1, 10), (200, 10, 35)])
def test_targets_are_the_inputs_shifted_by_one_word(words, batch, bptt):
    ids = torch.arange(words)  # word n has id n: the next word is always id + 1 within a column
    source = batchify(ids, batch)
    assert source.shape == (words // batch, batch)
    covered = 0
    for start in batch_starts(source, bptt):
        inputs, targets = get_batch(source, start, bptt)
        assert inputs.shape == targets.shape == (min(bptt, source.size(0) - 1 - start), batch)
        assert torch.equal(targets, inputs + 1)
        assert torch.equal(targets[:-1], inputs[1:])
        covered += inputs.size(0)
    assert covered == source.size(0) - 1  # every word but the last of each column is an input once


def test_batchify_rejects_what_it_cannot_arrange():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        batchify(torch.arange(10), 0)
    with pytest.raises(ValueError, match=r"5 tokens are too few for batch size 4 \(2 a column\)"):
        batchify(torch.arange(5), 4)


def test_training_loss_scores_the_next_word_not_the_input():
    """The tutorial bug scores the output at t against the input at t; ours scores it against word t + 1."""
    torch.manual_seed(0)
    model = LanguageModel(ModelConfig(vocab_size=12, embed_dim=8, hidden_dim=8, num_layers=1, dropout=0.0))
    source = batchify(torch.randint(12, (200,), generator=torch.Generator().manual_seed(1)), 4)
    inputs, targets = get_batch(source, 0, 10)
    features, _ = model(inputs)
    logits = model.decoder(features).reshape(-1, 12)
    ours = model.loss(features, targets)
    assert ours.item() == pytest.approx(F.cross_entropy(logits, source[1:11].reshape(-1)).item(), abs=1e-6)
    buggy = F.cross_entropy(logits, inputs.reshape(-1))
    assert abs(ours.item() - buggy.item()) > 1e-3


def test_the_tutorial_bug_learns_to_copy_and_ours_learns_to_predict():
    """On text where the next word is always id + 1 (mod 12), train on each loss and score the next word."""
    source = batchify(torch.arange(480) % 12, 4)

    def next_word_loss_after_training(target_of) -> float:
        torch.manual_seed(0)
        model = LanguageModel(
            ModelConfig(vocab_size=12, embed_dim=8, hidden_dim=8, num_layers=1, dropout=0.0)
        )
        opt = torch.optim.Adam(model.parameters(), lr=0.1)
        for step in range(30):
            inputs, targets = get_batch(source, (step * 10) % 100, 10)
            loss = model.loss(model(inputs)[0], target_of(inputs, targets))
            opt.zero_grad()
            loss.backward()
            opt.step()
        inputs, targets = get_batch(source, 100, 10)  # rows not trained on
        with torch.no_grad():
            return model.loss(model(inputs)[0], targets).item()

    assert next_word_loss_after_training(lambda inputs, targets: targets) < 1.0  # measured 0.43
    # the copying model is worse than a uniform guess (ln 12 = 2.48 nats): measured 3.34
    assert next_word_loss_after_training(lambda inputs, targets: inputs) > math.log(12)


def test_corpus_from_folder(tiny_corpus):
    corpus = Corpus.from_folder(tiny_corpus)
    train_tokens = read_tokens(tiny_corpus / "train.txt")
    lines = (tiny_corpus / "train.txt").read_text().splitlines()
    assert len(train_tokens) == sum(len(line.split()) + 1 for line in lines)  # one <eos> per line
    assert train_tokens[-1] == "<eos>"
    assert corpus.train.dtype == torch.long and corpus.train.numel() == len(train_tokens)
    assert corpus.vocab.decode(corpus.train[:5].tolist()) == train_tokens[:5]
    assert "<eos>" in corpus.vocab and "<unk>" in corpus.vocab
    assert corpus.vocab.words[0] in ("the", ".")  # most frequent first
    assert corpus.valid.numel() == len(read_tokens(tiny_corpus / "valid.txt"))
    assert corpus.test is not None and corpus.test.numel() == len(read_tokens(tiny_corpus / "test.txt"))


def test_corpus_maps_unseen_words_to_unk_and_test_is_optional(tmp_path):
    (tmp_path / "train.txt").write_text(" a b a c \n b a \n")
    (tmp_path / "valid.txt").write_text(" a zebra \n")
    corpus = Corpus.from_folder(tmp_path)
    assert corpus.test is None
    assert corpus.vocab.words[:3] == ["a", "b", "<eos>"]  # by frequency: a 3, b 2, <eos> 2 (b seen first)
    assert corpus.vocab.decode(corpus.valid.tolist()) == ["a", "<unk>", "<eos>"]


def test_corpus_from_raw_text_holds_out_the_last_lines(tmp_path):
    lines = [f"Line {n} isn't tokenized, yet." for n in range(20)]
    (tmp_path / "raw.txt").write_text("\n".join(lines) + "\n")  # with the usual final line break
    corpus = Corpus.from_raw_text(tmp_path / "raw.txt")
    words = corpus.vocab.decode(corpus.valid.tolist())
    # 10% of 20 lines are held out; their numbers 18 and 19 never occur in training, so they are <unk>
    assert words == [
        "Line",
        "<unk>",
        "isn",
        "'t",
        "tokenized",
        ",",
        "yet",
        ".",
        "<eos>",
        "Line",
        "<unk>",
        "isn",
        "'t",
        "tokenized",
        ",",
        "yet",
        ".",
        "<eos>",
    ]
    assert corpus.train.numel() == 18 * 9
    assert corpus.vocab.decode(corpus.train[:9].tolist()) == [
        "Line",
        "0",
        "isn",
        "'t",
        "tokenized",
        ",",
        "yet",
        ".",
        "<eos>",
    ]
    assert corpus.test is None


def test_corpus_from_raw_text_with_a_validation_file(tmp_path):
    (tmp_path / "train.txt").write_text("The cat sat.\nThe dog ran.\n")
    (tmp_path / "valid.txt").write_text("The bird sat.\n")
    corpus = Corpus.from_raw_text(tmp_path / "train.txt", tmp_path / "valid.txt")
    assert corpus.vocab.decode(corpus.train.tolist()) == "The cat sat . <eos> The dog ran . <eos>".split()
    assert corpus.vocab.decode(corpus.valid.tolist()) == "The <unk> sat . <eos>".split()


def test_raw_text_needs_two_lines_to_split(tmp_path):
    (tmp_path / "one.txt").write_text("only one line\n")
    with pytest.raises(ValueError, match="needs at least 2 lines"):
        Corpus.from_raw_text(tmp_path / "one.txt")
