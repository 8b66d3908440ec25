"""The classroom-safe word list and how vocabularies and training budgets use it."""

from lstmlm.safewords import HIDDEN_LABEL, hidden_ids, hidden_words, is_hidden, shown
from lstmlm.vocab import EOS, UNK, Vocab


def test_list_is_read_with_comments_stripped_and_lowercase():
    words = hidden_words()
    assert len(words) > 200
    assert all(w == w.lower() and w.strip() == w and not w.startswith("#") for w in words)
    # period slurs added by reading the corpus, and an LDNOOBW entry
    assert {"nigger", "darky", "injun", "redskin", "chinaman", "coon", "kike"} <= words


def test_matching_is_case_insensitive_and_whole_token():
    assert is_hidden("Coon") and is_hidden("COON")
    assert not is_hidden("raccoon") and not is_hidden("Dick") and not is_hidden("ass")  # ordinary senses kept
    assert shown("Darkey") == HIDDEN_LABEL and shown("Darkey", hide=False) == "Darkey"
    assert hidden_ids(["the", "Injun", "cat", "squaws"]) == [1, 3]


def test_vocab_cap_and_exclusion_count_the_dropped_words_as_unk():
    tokens = "a b b c c c coon Coon coon d d <eos>".split()
    vocab = Vocab.from_tokens(tokens, max_size=4, exclude=is_hidden)
    # c (3), b (2), d (2) compete for 2 places; 4 tokens read as <unk> (3 hidden + a): <unk> ranks first
    assert vocab.words == [UNK, "c", "b", EOS]
    assert vocab.encode("coon d".split()).ids == [vocab.unk_id, vocab.unk_id]
    plain = Vocab.from_tokens(tokens)
    assert "coon" in plain and "Coon" in plain and len(plain) == 8
