"""The words the long-range probes are made of, one set per kind of corpus, and which set fits a model.

A probe's prompts are a lead, then (or not) what is remembered, then a filler cut at phrase boundaries
(lstmlm.studies.probes). A filler in the style of the model's own training text keeps every prompt a
plausible prefix of that text, made of words the model knows (the bundled storybook vocabulary lacks 1999,
1998, producer, albums and mixes of the WikiText set, which it would read as <unk>). The set is chosen from
what the model's config.json records about its training data (`corpus_of`), never from the model's name.
Every set is tokenized the WikiText way (punctuation split off) and holds no brackets or quotation marks,
which the probes predict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ProbeTexts:
    """One corpus style's probe words."""

    corpus: str  # "wikitext", "storybooks" or "neutral"
    lead: str  # before the opener of the bracket and quotation probes
    filler: tuple[str, ...]  # phrases after the opener; each boundary is one distance
    subject_filler: tuple[str, ...]  # the agreement probe's relative clause, after "The <noun(s)>"
    nouns: tuple[tuple[str, str], ...]  # (singular, plural) subjects of the agreement probe


WIKITEXT = ProbeTexts(
    "wikitext",
    "In 1999 , the group released its third album",
    (
        "the band recorded",
        "most of the songs",
        "at a small studio",
        "near the coast",
        "during the winter of 1998",
        ", working with a producer who had previously worked",
        "on several albums by other groups from the same city",
        ", and the sessions lasted for almost three months",
        "before the final mixes were completed",
        "and sent to the label for a release",
        "in the following spring , when the group began a long tour",
        "of the country with two other bands that had signed",
        "to the same label in the previous year",
    ),
    (
        "who",
        "joined the club",
        "from a small team",
        "near the coast",
        "during the winter of 1998",
        "after a long spell with a rival side",
        "in the lower leagues of the same city",
        "and a short loan to another club",
        "in the north of the country that had been promoted",
        "to the first division in the previous year",
    ),
    (("player", "players"), ("manager", "managers"), ("brother", "brothers"), ("officer", "officers")),
)

STORYBOOKS = ProbeTexts(
    "storybooks",
    "One morning , the little girl went down to the river",
    (
        "she took her basket",
        "and her old red shoes",
        "along the path by the woods",
        "near the farm",
        "where her grandmother lived",
        ", and the birds were singing in the tall trees",
        "as the sun came up over the hill behind the house",
        ", so she stopped for a while to listen to them",
        "before she walked on across the little bridge",
        "and into the meadow where the sheep were eating",
        "in the morning light , while the dog ran ahead of her",
        "through the long grass to the edge of the water",
        "where the ducks were swimming",
    ),
    (
        "who",
        "lived in the house",
        "by the old mill",
        "near the river",
        "at the edge of the forest",
        "with a tall gate and a garden",
        "full of apples and flowers in the summer",
        "and a little pond behind the barn",
        "where the children used to play on warm days",
        "after school with their friends from the village",
    ),
    (("boy", "boys"), ("girl", "girls"), ("friend", "friends"), ("soldier", "soldiers")),
)

# Plain everyday prose, for a model trained on anything else (a book of your own, an imported model) and
# for character models (which the probes refuse: they are phrases of words).
NEUTRAL = ProbeTexts(
    "neutral",
    "At the end of the day , the old man wrote a letter",
    (
        "to his son",
        "about the house",
        "in the small town",
        "near the river",
        "where the family had lived",
        ", and about the people who had worked with him",
        "on the farm and in the shop for many years",
        ", and the long winter that had kept them all",
        "at home until the first warm days",
        "of the spring came back to the valley",
        "in the middle of April , when the roads were open again",
        "and the children could walk to the school in the next town",
        "with their friends",
    ),
    (
        "who",
        "lived in the house",
        "at the end of the road",
        "near the river",
        "for most of the year",
        "with a wife and two small children",
        "in the town where his own family had lived",
        "and a brother in the next village",
        "on the other side of the hill that had been sold",
        "to a family from the city in the previous year",
    ),
    (("friend", "friends"), ("brother", "brothers"), ("officer", "officers"), ("soldier", "soldiers")),
)

TEXTS = {t.corpus: t for t in (WIKITEXT, STORYBOOKS, NEUTRAL)}

# Folder or file names of the corpora: WikiText-2/-103 as published (wikitext-2, wikitext-103-raw-v1,
# wiki.train.tokens) and this project's storybooks folder.
_WIKITEXT_NAME = re.compile(r"wikitext-?(2|103)(-raw)?(-v1)?|wiki\.(train|valid|test)\.(tokens|raw)")
_STORYBOOKS_NAME = re.compile(r"storybooks?")


def _recorded_paths(config: Mapping) -> list[str]:
    """The data paths a config.json records, training text first: training.data (the --data folder or the
    --train file, as `lstmlm train` writes it), then training.test_data (what its card's test figure read)."""
    training = config.get("training") if isinstance(config.get("training"), Mapping) else {}
    return [k for k in (training.get("data"), training.get("test_data")) if isinstance(k, str) and k]


def corpus_of(config: Mapping | None) -> str:
    """What kind of text a model was trained on, from its config.json (`model.info`): "wikitext" when a
    recorded data path has a WikiText-2/-103 folder or file name, "storybooks" for the storybooks folder,
    "neutral" otherwise, and for a model that reads characters (config "tokenizer": "chars") or records no
    data. Matches whole folder or file names, case-insensitively (".../storybooks/train.txt" is storybooks;
    "my-storybooks-notes/" is not)."""
    config = config if isinstance(config, Mapping) else {}
    training = config.get("training") if isinstance(config.get("training"), Mapping) else {}
    if "chars" in (config.get("tokenizer"), training.get("tokenizer")):
        return "neutral"
    for path in _recorded_paths(config):  # the training text first, then what the model was tested on
        names = [part.lower().split(" ")[0] for part in re.split(r"[\\/]", path)]  # test_data: "FILE (how)"
        if any(_WIKITEXT_NAME.fullmatch(name) for name in names):
            return "wikitext"
        if any(_STORYBOOKS_NAME.fullmatch(name) for name in names):
            return "storybooks"
    return "neutral"


def probe_texts_for(config: Mapping | None) -> ProbeTexts:
    """The probe words that fit a model trained on the data its config.json records (`corpus_of`)."""
    return TEXTS[corpus_of(config)]
