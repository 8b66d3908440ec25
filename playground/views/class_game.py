"""What the Class game shows (no gradio, no plotly): the models' answers for a round (the `Predictor` the
room store calls at a reveal), the answer to "which gate closes at the full stop?" (the `GateReader`), and a
room's state (rooms.RoomStore.state, the same JSON the `room_state` endpoint returns) as HTML: the banner,
the round line, the gates' table and the score table.

"Which gate closes at the full stop?" Read the sentence from a line start as every view does, and take
each LSTM gate g in (f, i, o) for every unit of the top layer at the word before the "." (t - 1) and at
the "." (t).
A unit's gate closes when it goes from open (g >= 0.5) to closed (g < 0.5). The gate that closes is the one
with the most units closing, net of those opening (a tie goes to f, then i, then o), if that net count
reaches 5% of the units; otherwise the answer is "no gate clearly closes" (room_scoring.GateAnswer has the
rule and why 5%)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from lstmlm.messages import message_of
from lstmlm.model import LanguageModel
from lstmlm.prompt import reader
from lstmlm.vocab import UnknownTokenError
from playground.display import display_word
from playground.page_language import language, say
from playground.server import room_refusals as said
from playground.server.room import RoomError
from playground.server.room_scoring import GATE_KEYS, NO_GATE, GateAnswer, GateReader, ModelAnswer, Predictor
from playground.server.rooms import RoomStore
from playground.text import unit_fields
from playground.views.lineup import Entry
from playground.views.next_word import next_log_probs

TOP_WORDS = 8  # each model's words in the chart


def make_predictor(lineup: Sequence[Entry], k: int = TOP_WORDS) -> Predictor:
    """The models' answers for a round: each line-up model's top-k words after the round's words (read
    from a line start, as every view reads a prompt), and the probability it gives the actual word (None
    when its vocabulary lacks the word). A model whose vocabulary cannot read the words is left out."""

    def predict(prefix: Sequence[str], actual: str | None) -> list[ModelAnswer]:
        answers = []
        for entry in lineup:
            vocab = entry.model.vocab
            try:
                ids = vocab.encode(list(prefix)).ids
            except UnknownTokenError:  # a vocabulary without <unk> (an imported model)
                continue
            log_probs = next_log_probs(entry.model, ids)  # (V,)
            values, top = log_probs.topk(min(k, log_probs.numel()))
            known = actual is not None and actual in vocab
            p_actual = math.exp(float(log_probs[vocab.index[actual]])) if known else None
            answers.append(
                ModelAnswer(entry.label, vocab.decode(top.tolist()), values.exp().tolist(), p_actual)
            )
        return answers

    return predict


def make_gate_reader(model: LanguageModel) -> GateReader:
    """The answer to the gate question from `model`'s trace (an LSTM's): each of f, i, o for every unit of
    the top layer at the last two steps of the sentence (read from a line start); `GateAnswer` counts the
    units that close. ValueError for a model without those gates."""
    if model.config.cell != "lstm":
        raise ValueError(f"the gate question needs an LSTM; this model's cell is {model.config.cell!r}")

    def answer(words: Sequence[str]) -> GateAnswer:
        try:
            ids = model.vocab.encode(list(words)).ids
        except UnknownTokenError as e:  # a vocabulary without <unk> (an imported model)
            token = getattr(message_of(e), "values", {}).get("token", "")
            raise RoomError(said.unknown_words(e, token)) from None
        top = reader(model).trace(ids).layers[-1]  # each gate (T, B=1, H)
        last_two = {k: top.get(k)[-2:, 0].float().tolist() for k in GATE_KEYS}  # gate -> [t-1, t], (H,) each
        return GateAnswer(
            before={k: v[0] for k, v in last_two.items()}, at_stop={k: v[1] for k, v in last_two.items()}
        )

    return answer


def make_store(lineup: Sequence[Entry]) -> RoomStore:
    """The rooms of one app, whose reveals ask every model of `lineup` (the app's own model first); the
    gate question reads the app's own model's trace (offered only when it is an LSTM)."""
    model = lineup[0].model
    tokenizer = model.vocab.tokenizer
    gates = make_gate_reader(model) if model.config.cell == "lstm" else None
    return RoomStore(make_predictor(lineup), unit=tokenizer.unit, tokenize=tokenizer.tokenize, gates=gates)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _word(token: str, unit: str = "word") -> str:
    """A model token or a student's guess as the page shows it (listed words hidden), escaped; `unit`: what
    the room's model reads ('word' or 'character'), which names its <unk>."""
    return _esc(display_word(token, unit=unit))


def banner_html(state: dict) -> str:
    """The room's code in large letters (the teacher's screen is projected) or the student's room."""
    key = "class.teacher_banner" if state["role"] == "teacher" else "class.student_banner"
    code = f'<span class="lp-room-code">{_esc(state["code"])}</span>'
    return f'<div class="lp-room-banner">{say(key, code=code)}</div>'


def _named(state: dict) -> dict[str, str]:
    """The {unit}/{Unit} fields for the room's unit ('word' or 'character'), in the page's language."""
    return unit_fields(language(), state.get("unit", "word"))


def round_html(state: dict) -> str:
    """The words the class has seen with a blank (or, once revealed, the actual word) after them; how many
    guessed; and for a student, their guess and whether it was right."""
    if not state["pushed"]:
        key = "class.teacher_push" if state["role"] == "teacher" else "class.wait_push"
        return f'<div class="lp-placeholder">{_esc(say(key))}</div>'
    if state.get("question") == "gate":
        return gate_round_html(state)
    unit = state.get("unit", "word")
    shown = " ".join(_word(w, unit) for w in state["prompt"])
    if state["revealed"] and state["actual"] is not None:
        blank = f'<span class="lp-room-actual">{_word(state["actual"], unit)}</span>'
    else:
        blank = '<span class="lp-room-blank">?</span>'
    named = _named(state)
    status = say(
        "class.status",
        **named,
        round=state["round"],
        rounds=state["rounds"],
        guesses=state["guesses"],
        present=max(state["present"], state["guesses"]),
    )
    lines = [
        f'<div class="lp-text lp-room-prompt">{shown} {blank}</div>',
        f'<div class="lp-small">{status}</div>',
    ]
    mine = state.get("your_guess")
    if state["revealed"]:
        actual = state["actual"]
        if actual is None:
            note = say("class.no_actual", **named)
        elif mine is not None and mine == actual.casefold():
            note = say("class.right", actual=display_word(actual, unit=unit))
        elif mine is not None:
            note = say(
                "class.wrong",
                actual=display_word(actual, unit=unit),
                guess=display_word(mine, unit=unit),
                **named,
            )
        else:
            note = say("class.missed", actual=display_word(actual, unit=unit), **named)
        lines.append(f'<div class="lp-summary">{_esc(note)}</div>')
    elif state["role"] == "student":
        note = say("class.your_guess", guess=display_word(mine, unit=unit)) if mine else say("class.no_guess")
        lines.append(f'<div class="lp-summary">{_esc(note)}</div>')
    return "".join(lines)


def _bits(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def scores_html(state: dict) -> str:
    """The revealed words of the sentence: how many guessed each, the class's surprisal and each model's,
    the means over the words where all have a value, and how the class's surprisal is computed."""
    scores = state["scores"]
    if not scores:
        return f'<div class="lp-small">{_esc(say("class.score_empty"))}</div>'
    labels = list(scores[0]["model_bits"])
    named = _named(state)
    head = [say("class.score_word", **named), say("class.score_right"), say("class.score_class"), *labels]
    rows = [
        [
            _word(s["actual"], state.get("unit", "word")),
            f"{s['right']} / {s['guesses']}",
            _bits(s["class_bits"]),
            *(_bits(s["model_bits"].get(k)) for k in labels),
        ]
        for s in scores
    ]
    totals = state["totals"]
    if totals["words"]:
        rows.append(
            [
                f"<b>{_esc(say('class.score_mean', n=totals['words'], **named))}</b>",
                "",
                f"<b>{_bits(totals['class_bits'])}</b>",
                *(f"<b>{_bits(totals['model_bits'].get(k))}</b>" for k in labels),
            ]
        )
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="lp-label">{_esc(say("class.score_title", **named))}</div>'
        f'<div class="lp-room-table"><table class="lp-compare lp-room-scores"><thead><tr>{th}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
        f'<div class="lp-small">{_esc(say("class.score_note", **named))}</div>'
    )


def gate_round_html(state: dict) -> str:
    """A gate question's round: the sentence with its "." marked, the question, how many picked; a
    student's pick; after the reveal, the gates' table (`gates_html`)."""
    *words, stop = state["prompt"]
    unit = state.get("unit", "word")
    shown = (
        " ".join(_word(w, unit) for w in words) + f' <span class="lp-room-blank">{_word(stop, unit)}</span>'
    )
    present = max(state["present"], state["guesses"])
    lines = [
        f'<div class="lp-text lp-room-prompt">{shown}</div>',
        f'<div class="lp-summary">{_esc(say("class.gate_question"))}</div>',
        f'<div class="lp-small">{_esc(say("class.gate_status", guesses=state["guesses"], n=present))}</div>',
    ]
    mine = state.get("your_guess")
    if state["role"] == "student" and not state["revealed"]:
        note = say("class.gate_yours", gate=say(f"class.gate_{mine}")) if mine else say("class.gate_none")
        lines.append(f'<div class="lp-summary">{_esc(note)}</div>')
    if state["revealed"] and state["gates"] is not None:
        lines.append(gates_html(state))
    return "".join(lines)


def gates_html(state: dict) -> str:
    """The reveal of a gate question: the model's answer in words, then per gate (f, i, o) how many top-layer
    units go from open to closed at the "." and back, the net count, its means at the word before and at the
    ".", and how many of the class picked it, with a last row for "no gate clearly closes"; the answer's row
    bold."""
    revealed = state["gates"]
    gates, answer = revealed["gates"], revealed["answer"]
    units, needed = revealed["units"], revealed["needed"]
    picks = dict(state["histogram"] or [])
    cols = ("col", "closed", "opened", "net", "before", "at", "picks")
    head = [say(f"class.gate_{c}", open=f"{revealed['open']:g}") for c in cols]
    rows = []
    for k in (*GATE_KEYS, NO_GATE):
        cells = [say(f"class.gate_{k}")]
        if k == NO_GATE:
            cells += [""] * 5
        else:
            g = gates[k]
            cells += [str(g["closed"]), str(g["opened"]), f"{g['net']:+d}", f"{g['before']:.3f}"]
            cells.append(f"{g['at_stop']:.3f}")
        cells.append(f"{picks.get(k, 0)} / {state['guesses']}")
        cells = [_esc(c) for c in cells]
        rows.append([f"<b>{c}</b>" for c in cells] if k == answer else cells)
    th = "".join(f"<th>{_esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    most = max(GATE_KEYS, key=lambda k: (gates[k]["net"], -GATE_KEYS.index(k)))  # the answer unless "n"
    key = "class.gate_answer_none" if answer == NO_GATE else "class.gate_answer"
    verdict = say(key, gate=say(f"class.gate_{most}"), net=gates[most]["net"], units=units, needed=needed)
    mine = state.get("your_guess")
    if mine is not None:
        verdict += " " + say("class.gate_right" if mine == answer else "class.gate_wrong")
    rule = say("class.gate_rule", open=f"{revealed['open']:g}", needed=needed, units=units)
    return (
        f'<div class="lp-summary" id="class-gate-answer">{_esc(verdict)}</div>'
        f'<div class="lp-room-table"><table class="lp-compare lp-room-scores lp-room-gates"><thead><tr>{th}'
        f"</tr></thead><tbody>{body}</tbody></table></div>"
        f'<div class="lp-small">{_esc(rule)}</div>'
    )
