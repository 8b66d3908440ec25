"""WikiText-2's conventions: `<eos>` ends every line and `<unk>` stands for a word the vocabulary lacks (as
in WikiText-2 and the Penn Treebank), and the rules that cut free text into its words (`split_wikitext`)
and join them back (`detokenize`). Use them through `lstmlm.tokenizers.WIKITEXT`, which normalizes the
text first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EOS = "<eos>"
UNK = "<unk>"


# The rules are those of the Moses tokenizer (tokenizer.perl -l en -a), whose output WikiText-2 matches,
# plus the WikiText number escapes. Conventions read off the corpus itself:
#   "don't" -> "don 't" (not "do n't"), "O'Brien" -> "O 'Brien", "players'" -> "players '"
#   "U.S.", "e.g.", "Mr.", "Dr.", "St.", initials "J." keep their period; "Jr." and "Inc." keep it
#   only before a lowercase word; "No." only before a number; other words lose a final period.
#   "1,000" -> "1 @,@ 000", "3.5" -> "3 @.@ 5", "state-of-the-art" -> "state @-@ of @-@ the @-@ art";
#   a hyphen that ends a word stays on it ("second-"); "–", "—", "...", "$", "%", "/", "&" stand alone.

# Tokens already in WikiText form become private-use marks so that no rule below splits them. The mark
# of <unk> stands for a word, so the rules treat it as a letter or digit ("anti-<unk>", "16,<unk>").
_MARKS = {t: chr(0xE000 + i) for i, t in enumerate(["@-@", "@,@", "@.@", UNK, EOS, "<formula>"])}
_U = _MARKS[UNK]
_KEPT_APOSTROPHE = chr(0xE000 + len(_MARKS))  # the apostrophe of a clitic already split off ("'s")
_RESTORE = {ord(m): f" {t} " for t, m in _MARKS.items()} | {ord(_KEPT_APOSTROPHE): "'", ord("\n"): f" {EOS} "}
_LETTER = rf"[^\W\d_]|{_U}"  # one character wide, so usable in lookbehinds
_NON_LETTER = rf"[^\w{_U}]|[\d_]"
_ALNUM = rf"[^\W_]|{_U}"
_DIGIT = rf"\d|{_U}"

# After `normalize_text`: control characters separate tokens (except the line break); curly quotes become
# straight (the corpus uses straight ones); the private-use marks above must not come from the input.
_BLANKED = [*range(0x20), *range(0x7F, 0xA0), *range(0xE000, ord(_KEPT_APOSTROPHE) + 1)]
_NORMALIZE: dict[int, str | None] = {c: " " for c in _BLANKED if c != ord("\n")}
_NORMALIZE |= {ord("`"): "'", ord("…"): "..."}
_NORMALIZE |= {ord(c): "'" for c in "‘’‚‛"} | {ord(c): '"' for c in "“”„‟"}

# Every character that is not a letter, digit, space or . ' , - stands alone; so do runs of dots or
# hyphens. Superscripts and fractions count as symbols, as in the corpus ("m ²").
_SYMBOL = re.compile(rf"[^\w\s.',\-{_U}]|[_\u00b2\u00b3\u00b9\u00bc-\u00be\u2150-\u218f]|\.\.+|--+")
# Each pattern starts with its literal character and looks back from there: this lets `re` jump
# from one candidate to the next, about ten times faster than a leading lookbehind.
_INNER_HYPHEN = re.compile(rf"-(?<=(?:{_ALNUM})-)(?={_ALNUM})")
_LEADING_HYPHEN = re.compile(rf"-(?<!(?:{_ALNUM})-)(?<!--)(?!-)")  # a hyphen after a word stays ("second-")
_DIGIT_COMMA = re.compile(rf",(?<=(?:{_DIGIT}),)(?={_DIGIT})")
_DIGIT_PERIOD = re.compile(rf"\.(?<=(?:{_DIGIT})\.)(?={_DIGIT})")
_CLITIC = re.compile(rf"'(?<!\S')(?=(?:s|t|re|m|ve|ll|d)(?!{_ALNUM}|'))", re.IGNORECASE)
# Moses's apostrophe rules: an apostrophe stands alone (a quote, "players '") unless a letter follows a
# letter or digit; inside a word it starts the second part: "don 't", "O 'Brien", "1990 's". As in Moses,
# a part that began with an apostrophe is not split again: "rock'n'roll" -> "rock 'n'roll".
_LONE_APOSTROPHE = re.compile(rf"'(?:(?!{_LETTER})|(?<!(?:{_ALNUM})'))")
_INNER_APOSTROPHE = re.compile(rf"'(?<=(?:{_LETTER})')(?<!'(?:{_LETTER})')(?={_LETTER})")
_DECADE_APOSTROPHE = re.compile(r"'(?<=\d')(?=s)")
_HAS_LETTER = re.compile(r"[^\W\d_]")

# Words whose final period is not a full stop (Moses's English list, which the corpus follows).
_ABBREVIATIONS = frozenset(
    [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    + "Adj Adm Adv Asst Bart Bldg Brig Bros Capt Cmdr Col Comdr Con Corp Cpl DR Dr Drs Ens Gen Gov Hon Hr"
    " Hosp Insp Lt MM MR MRS MS Maj Messrs Mlle Mme Mr Mrs Ms Msgr Op Ord Pfc Ph Prof Pvt Rep Reps Res"
    " Rev Rt Sen Sens Sfc Sgt Sr St Supt Surg v vs i.e rev e.g Nos Nr"
    " Jan Feb Mar Apr Jun Jul Aug Sep Oct Nov Dec".split()
)
_BEFORE_NUMBERS = frozenset(["No", "Art", "pp"])  # "No. 5" keeps its period, "said no." does not


def _keeps_period(word: str, next_word: str) -> bool:
    """Whether `word` + "." is an abbreviation rather than the end of a sentence."""
    if "." in word and _HAS_LETTER.search(word):  # U.S., e.g., a.m., Amazon.com
        return True
    if word in _ABBREVIATIONS:
        return True
    if word in _BEFORE_NUMBERS:
        return next_word[:1].isdigit()
    return next_word[:1].islower()  # "approx. the": a sentence does not go on in lowercase


def split_wikitext(text: str) -> list[str]:
    """Split normalized text (see `normalize_text`) into WikiText-2 tokens; a line break becomes <eos>."""
    text = text.translate(_NORMALIZE).replace("''", '"')
    for token, mark in _MARKS.items():
        text = text.replace(token, mark)
    text = _SYMBOL.sub(r" \g<0> ", text)
    text = _INNER_HYPHEN.sub(f" {_MARKS['@-@']} ", text)
    text = _LEADING_HYPHEN.sub(" - ", text)
    text = _DIGIT_COMMA.sub(f" {_MARKS['@,@']} ", text)
    text = _DIGIT_PERIOD.sub(f" {_MARKS['@.@']} ", text)
    text = text.replace(",", " , ")
    text = _CLITIC.sub(_KEPT_APOSTROPHE, text)
    text = _LONE_APOSTROPHE.sub(" ' ", text)
    text = _INNER_APOSTROPHE.sub(" '", text)
    text = _DECADE_APOSTROPHE.sub(" '", text)
    words = text.translate(_RESTORE).split()
    tokens: list[str] = []
    for i, word in enumerate(words):
        if len(word) > 1 and word[-1] == "." and word[-2] != ".":
            next_word = words[i + 1] if i + 1 < len(words) else ""
            if not _keeps_period(word[:-1], next_word):
                tokens += (word[:-1], ".")
                continue
        tokens.append(word)
    return tokens


JOINERS = {"@-@": "-", "@,@": ",", "@.@": "."}
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}%") | {"...", "n't"}
_NO_SPACE_AFTER = frozenset("([{$£€¥#")
_SUFFIX = re.compile(r"'[^\W\d_]")  # clitics and name parts split off: 's, 't, 'll, 'Brien


def detokenize(tokens: Iterable[str]) -> str:
    """Join WikiText tokens into readable text: escapes undone, no space before punctuation.

    A straight double quote opens or closes by the count so far, and the count carries over line breaks (a
    hard-wrapped text's quote closes on a later line: 'will not' / 'forgive me." He looked'), except that a
    quote starting a line always opens (a quotation running over several paragraphs opens each of them)."""
    parts: list[str] = []
    glue = True  # no space before the next token: start of text, after "(", a joiner or a line break
    previous = ""
    in_double = in_single = False  # inside a straight-quoted passage
    line_start = True
    for token in tokens:
        if token == EOS:
            parts.append("\n")
            glue, previous, in_single, line_start = True, "", False, True
            continue
        if token == '"' and line_start:
            in_double = False
        line_start = False
        if token in JOINERS:
            parts.append(JOINERS[token])
            glue, previous = True, token
            continue
        left = token in _NO_SPACE_BEFORE or _SUFFIX.match(token) is not None
        right = token in _NO_SPACE_AFTER
        if token == '"':
            left, right, in_double = in_double, not in_double, not in_double
        elif token == "'":
            if in_single or previous[-1:] in ("s", "S"):  # closing quote, or plural possessive
                left, in_single = True, False
            else:
                right, in_single = True, True
        if not (glue or left):
            parts.append(" ")
        parts.append(token)
        glue, previous = right, token
    return "".join(parts)
