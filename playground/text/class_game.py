"""The Class game's words in English and Chinese, as (English, Chinese) pairs; i18n.py merges them into its
dictionaries (labels take `t(key)`, handler text `say(key, ...)`). No imports: i18n.py reads it."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.class": ("Class game", "课堂竞猜"),
    "class.open_first": ("open a room first", "请先开一个房间"),
    "class.join_first": ("join a room first", "请先加入一个房间"),
    "class.intro": (
        "**Predict, then reveal.** The teacher opens a room and pushes a sentence; everyone guesses the "
        "next word on their phone or laptop; the teacher reveals the model's answer beside the class's "
        "guesses, then steps on word by word. No names are kept.",
        "**先猜，再揭晓。** 老师开一个房间并推送一句话；每个人在手机或电脑上猜下一个词；老师揭晓模型的答案，"
        "和全班的猜测放在一起，然后一个词一个词地往下走。不保存任何名字。",
    ),
    "class.intro.character": (
        "**Predict, then reveal.** The teacher opens a room and pushes a sentence; everyone guesses the "
        "next character on their phone or laptop; the teacher reveals the model's answer beside the class's "
        "guesses, then steps on character by character. No names are kept.",
        "**先猜，再揭晓。** 老师开一个房间并推送一句话；每个人在手机或电脑上猜下一个字符；"
        "老师揭晓模型的答案，和全班的猜测放在一起，然后一个字符一个字符地往下走。不保存任何名字。",
    ),
    "class.code": ("Room code", "房间号"),
    "class.password": ("Room password (only if the teacher set one)", "房间密码（老师设了才需要）"),
    "class.join": ("Join", "加入"),
    "class.teacher": ("Teacher: open a room", "老师：开一个房间"),
    "class.new_password": ("Password for the room (optional)", "房间密码（可不填）"),
    "class.open": ("Open a room", "开房间"),
    "class.open_again": ("Close room {code} and open a new one", "关闭房间 {code}，另开一个新房间"),
    "class.link": (
        "Students join with this link (or type the code in this tab)",
        "学生用这个链接加入（或在本页输入房间号）",
    ),
    "class.sentence": (
        "Sentence for the class: put | where the guessing starts",
        "给全班的句子：在开始猜的地方放一个 |",
    ),
    "class.push": ("Push to the class", "推送给全班"),
    "class.reveal": ("Reveal", "揭晓"),
    "class.step": ("Next word", "下一个词"),
    "class.step.character": ("Next character", "下一个字符"),
    "class.guess": ("Your guess for the next word", "你猜下一个词是"),
    "class.guess.character": ("Your guess for the next character", "你猜下一个字符是"),
    "class.send": ("Send", "发送"),
    "class.teacher_banner": ("Room {code}", "房间 {code}"),
    "class.student_banner": ("You are in room {code}", "你在房间 {code}"),
    "class.status": (
        "{Unit} {round} of {rounds} · {guesses} of {present} students here have guessed",
        "第 {round} 个{Unit}，共 {rounds} 个 · 在场的 {present} 个学生中 {guesses} 个已经猜了",
    ),
    "class.wait_push": ("Waiting for the teacher to push a sentence.", "等老师推送一句话。"),
    "class.teacher_push": (
        "Type a sentence in the box “Sentence for the class” and press “Push to the class”.",
        "在“给全班的句子”框里输入一句话，然后按“推送给全班”。",
    ),
    "class.your_guess": (
        "Your guess: {guess} (you can change it until the reveal)",
        "你的猜测：{guess}（揭晓前可以改）",
    ),
    "class.no_guess": ("Type your guess and press Send.", "输入你的猜测，然后按“发送”。"),
    "class.right": ("You guessed it: {actual}", "你猜对了：{actual}"),
    "class.wrong": (
        "The {unit} was {actual}; you guessed {guess}.",
        "这个{unit}是 {actual}；你猜的是 {guess}。",
    ),
    "class.missed": ("The {unit} was {actual}.", "这个{unit}是 {actual}。"),
    "class.no_actual": (
        "Revealed: the models' {unit}s. The sentence ends here, so there is no {unit} to check.",
        "已揭晓：模型的{unit}。句子到这里结束，没有可以核对的{unit}。",
    ),
    "class.wait_reveal": ("The teacher reveals the answer soon.", "老师马上揭晓答案。"),
    "class.chart_class": ("The class · {n} guessed", "全班 · {n} 人猜了"),
    "class.chart_share": ("share of the guesses", "猜测中的比例"),
    "class.chart_prob": ("probability", "概率"),
    "class.chart_hidden": (
        "The class's guesses appear here after the reveal.",
        "揭晓之后这里显示全班的猜测。",
    ),
    "class.chart_none": ("No guesses yet.", "还没有人猜。"),
    "class.score_title": (
        "The class against the models, {unit} by {unit}",
        "全班对模型，一个{unit}一个{unit}地比较",
    ),
    "class.score_word": ("{unit}", "{unit}"),
    "class.score_right": ("guessed it", "猜对"),
    "class.score_class": ("class (bits)", "全班（比特）"),
    "class.score_mean": ("mean over {n} {unit}s", "{n} 个{unit}的平均"),
    "class.score_note": (
        "Surprisal in bits: lower = the {unit} was easier to predict. The class's is "
        "-log2((right + 1) / (guesses + 2)): the share who guessed the {unit}, add-one smoothed (as if one "
        "more student had guessed it and one more had not), so a {unit} nobody got right costs "
        "log2(guesses + 2) bits, not infinity. A model's is -log2 P({unit}). The means leave out {unit}s "
        "no student sent a guess for and {unit}s a model does not know (–).",
        "意外度以比特计：越低 = 这个{unit}越好猜。全班的意外度是 -log2((猜对人数 + 1) / (猜测人数 + 2))："
        "猜对这个{unit}的人的比例，加一平滑（好像多了一个猜对的学生和一个猜错的学生），"
        "所以没人猜对的{unit}是 log2(猜测人数 + 2) 比特，而不是无穷大。模型的意外度是 -log2 P({unit})。"
        "平均值不包括没有学生提交猜测的{unit}和模型不认识的{unit}（–）。",
    ),
    "class.score_empty": ("Scores appear here after each reveal.", "每次揭晓之后，这里显示得分。"),
    "class.closed": (
        "The room is closed or has expired: open or join another.",
        "这个房间已关闭或过期：请开或加入另一个。",
    ),
    "class.push_gate": ("Ask: which gate closes at the full stop?", "提问：句号处哪个门关上？"),
    "class.gate_question": (
        "Which gate closes at the full stop? Pick the gate of which the most top-layer units go from open to "
        "closed at the “.”, or “no gate clearly closes”.",
        "句号处哪个门关上？选出在“.”处最上层由开变关的单元最多的门，或者选“没有哪个门明显关上”。",
    ),
    "class.gate_status": (
        "{guesses} of {n} students here have picked",
        "在场的 {n} 个学生中 {guesses} 个已经选了",
    ),
    "class.gate_f": ("forget gate f", "遗忘门 f"),
    "class.gate_i": ("input gate i", "输入门 i"),
    "class.gate_o": ("output gate o", "输出门 o"),
    "class.gate_yours": (
        "Your pick: {gate} (you can change it until the reveal)",
        "你的选择：{gate}（揭晓前可以改）",
    ),
    "class.gate_n": ("no gate clearly closes", "没有哪个门明显关上"),
    "class.gate_none": (
        "Press f, i, o or n (no gate clearly closes), or type it and press Send.",
        "按 f、i、o 或 n（没有哪个门明显关上），或输入后按“发送”。",
    ),
    "class.gate_col": ("gate", "门"),
    "class.gate_closed": ("units open → closed", "由开变关的单元"),
    "class.gate_opened": ("units closed → open", "由关变开的单元"),
    "class.gate_net": ("net closing", "净关上数"),
    "class.gate_before": ("mean at the word before", "前一个词处的平均值"),
    "class.gate_at": ("mean at “.”", "“.”处的平均值"),
    "class.gate_picks": ("the class's picks", "全班的选择"),
    "class.gate_answer": (
        "The model's answer: the {gate} closes: {net} of its {units} units go from open to closed, net of "
        "those that open ({needed} needed).",
        "模型的答案：{gate}关上了：{units} 个单元中，扣除由关变开的，"
        "净有 {net} 个由开变关（需要 {needed} 个）。",
    ),
    "class.gate_answer_none": (
        "The model's answer: no gate clearly closes: the most any gate closes is {net} of {units} units, net "
        "(the {gate}), fewer than the {needed} needed.",
        "模型的答案：没有哪个门明显关上：净关上最多的是{gate}，{units} 个单元中只有 {net} 个，"
        "少于需要的 {needed} 个。",
    ),
    "class.gate_right": ("You picked it.", "你选对了。"),
    "class.gate_wrong": ("Your pick was another one.", "你选的是另一个。"),
    "class.gate_rule": (
        "Measured in this app's model's trace, reading the sentence from a line start: for each gate, the "
        "top layer's units whose value goes from open (≥ {open}) at the word before the “.” to closed "
        "(< {open}) at the “.”, minus those that go the other way. A gate clearly closes when this net count "
        "reaches {needed} of the {units} units (5%: in the bundled storybook model it stayed below that from "
        "one ordinary word to the next in 26 everyday sentences); the largest wins (a tie goes to f, then i, "
        "then o). Each gate's mean over the units is shown beside the counts.",
        "数值来自本应用模型的追踪（从行首读这句话）：对每个门，数出最上层中在“.”前一个词处为开（≥ {open}）、"
        "在“.”处为关（< {open}）的单元，减去反过来由关变开的单元。这个净数达到 {units} 个单元中的 {needed} 个"
        "（5%：在自带的童书模型里，26 个日常句子中从一个普通词到下一个词，它都低于这个数）时，"
        "这个门才算明显关上；最大的那个胜出（并列时依次取 f、i、o）。"
        "计数旁边列出了每个门在所有单元上的平均值。",
    ),
}
