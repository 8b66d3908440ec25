"""Classroom links (pure functions, no gradio) and the two languages' dictionaries."""

from __future__ import annotations

import re
from pathlib import Path

from playground.classroom.links import (
    MAX_SPEC_CHARS,
    MAX_URL_PROMPT_CHARS,
    Limits,
    Screen,
    build_intervention,
    build_query,
    parse_intervention,
    parse_query,
)

LIMITS = Limits(num_layers=2, hidden_dim=650, max_k=30, max_words=200)


def test_round_trip_gives_the_same_screen():
    screen = Screen(
        prompt='The cat sat on the "mat" & ran? 猫',
        view="gates",
        k=7,
        temperature=0.7,
        top_k=12,
        top_p=0.9,
        words=50,
        seed=3,
        layer=1,
        gate="i",
        order="variance",
        unit=12,
        iv="layer:1,target:f,value:1,units:10-19,steps:3-",
        mode="present",
        lang="zh",
    )
    assert parse_query(build_query(screen), LIMITS) == screen
    assert parse_query(build_query(Screen(prompt="")), LIMITS) == Screen(prompt="")
    assert build_query(Screen()) == ""  # defaults only: no query at all
    assert build_query(Screen(prompt="a b", seed=3)) == "?prompt=a+b&seed=3"  # defaults are left out


def test_hostile_values_are_clamped_or_ignored():
    s = parse_query(
        {
            "prompt": "x" * 1_000_000 + "\x00",
            "view": "../../etc/passwd",
            "k": "nan",
            "temperature": "1e999",
            "top_k": "-5",
            "top_p": "inf",
            "words": "99999999999999999999",
            "seed": "-1",
            "layer": "7",
            "gate": "<script>",
            "unit": "1e9",
            "iv": "layer:1;<b>" + "z" * 1000,
            "mode": "evil",
            "lang": "fr",
            "unknown": "1",
        },
        LIMITS,
    )
    assert len(s.prompt) == MAX_URL_PROMPT_CHARS and "\x00" not in s.prompt
    assert (s.view, s.k, s.temperature, s.top_k, s.top_p) == ("next_word", 10, 0.8, 0, 0.95)
    assert (s.words, s.seed, s.layer, s.gate, s.unit) == (200, 0, 1, "f", 649)
    assert len(s.iv) <= MAX_SPEC_CHARS and "<" not in s.iv and ";" not in s.iv
    assert (s.mode, s.lang) == ("normal", "")
    assert parse_query("?view=generate&temperature=0.25&layer=-3", LIMITS) == Screen(
        view="generate", temperature=0.25, layer=0
    )
    assert parse_query({}, LIMITS) == Screen()


def test_intervention_spec_round_trip_and_clamping():
    spec = build_intervention(1, "pin_forget", 1.0, "list", "3,10-19", 10, "3-")
    assert spec == "layer:1,target:f,value:1,units:3 10-19,steps:3-"
    assert parse_intervention(spec, LIMITS) == {
        "layer": 1,
        "action": "pin_forget",
        "value": 1.0,
        "units": "list",
        "unit_list": "3,10-19",
        "steps": "3-",
    }
    got = parse_intervention("layer:9,target:o,value:nan,units:top99999,start:4,bogus:1", LIMITS)
    assert got == {
        "layer": 1,
        "action": "pin_output",
        "value": 0.0,
        "units": "top",
        "top_n": 650,
        "steps": "4-",
    }
    assert parse_intervention("target:c,value:-7.5", LIMITS) == {"action": "set_cell", "value": -7.5}
    assert parse_intervention("target:f,value:5", LIMITS)["value"] == 1.0  # a gate stays in 0..1
    assert parse_intervention("units:1-2;rm -rf", LIMITS) == {}


def test_every_i18n_key_used_exists_in_both_languages():
    from playground.i18n import EN, ZH

    assert set(EN) == set(ZH)
    assert all(v.strip() for v in [*EN.values(), *ZH.values()])
    root = Path(__file__).resolve().parent.parent / "playground"
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r"""\b(?:t|tr)\(f?["']([a-z_]+\.[a-z_{}.]+)["']\)""", path.read_text("utf-8")))
    expanded = {k.replace("{g}", g) for k in used for g in "fiogch"}
    assert {"tab.next_word", "tab.learn", "prompt.label", "learn.body"} <= expanded
    # a key made from another variable (f"order.{o}"): some key of that shape must exist
    patterns = {k for k in expanded if "{" in k}
    shapes = {k: "[a-z_]+".join(map(re.escape, re.split(r"\{[^}]*\}", k))) for k in patterns}
    missing = [k for k, shape in shapes.items() if not any(re.fullmatch(shape, e) for e in EN)]
    assert not missing, sorted(missing)
    assert expanded - patterns <= set(EN), sorted(expanded - patterns - set(EN))


def test_chinese_learn_text_uses_the_article_notation():
    from playground.i18n import ZH

    body = ZH["learn.body"]
    for term in ("遗忘门 $f_t$", "输入门 $i_t$", "候选值 $\\tilde{C}_t$", "细胞状态 $C_t$", "输出门 $o_t$",
                 "隐藏状态 $h_t$", "softmax"):  # fmt: skip
        assert term in body, term
    assert "不是下一个词的概率分布" in body  # h_t goes through the output layer and softmax first
