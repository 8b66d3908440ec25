"""The Cell-hunt tab's words, as (English, Chinese) pairs. The built-in tracks' English labels are
lstmlm.studies.tracks's (`hunt.track.<name>`, {unit} filled with the model's step)."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.cell_hunt": ("Cell hunt", "寻找单元"),
    "hunt.intro": (
        "Which units keep track of quotes, brackets or the position in the line? Each step of the text gets "
        "a track value; every unit of every layer is scored by how well its cell c (or hidden state h) "
        "predicts the track: AUC for yes/no tracks, |r| for counts.",
        "哪些单元在追踪引号、括号或行内位置？文本的每一步都有一个轨迹值；每一层的每个单元按它的细胞状态 c"
        "（或隐藏状态 h）预测这条轨迹的好坏打分：是/否类轨迹用 AUC，计数类轨迹用 |r|。",
    ),
    "hunt.empty": ("Choose a track and press Hunt.", "选一条轨迹，然后按“寻找”。"),
    "hunt.track": ("Track", "轨迹"),
    "hunt.regex": ("Your own track: a regular expression marking steps", "你自己的轨迹：标记步的正则表达式"),
    "hunt.regex_example": (r'e.g. [A-Z] or \bthe\b or "[^"]*"', r'例如 “[A-Z]”、“\bthe\b” 或 “"[^"]*"”'),
    "hunt.over": ("Rank units over", "在哪段文本上给单元排名"),
    "hunt.over.validation": ("the model's validation text (cached)", "模型的验证集文本（已缓存）"),
    "hunt.over.text": ("the text below", "下面的文本"),
    "hunt.signal": ("Signal", "信号"),
    "hunt.signal.both": ("c and h", "c 和 h"),
    "hunt.signal.c": ("cell c", "细胞状态 c"),
    "hunt.signal.h": ("hidden h", "隐藏状态 h"),
    "hunt.text": ("Text", "文本"),
    "hunt.use_prompt": ("Use my prompt", "用我的文本"),
    "hunt.hunt": ("Hunt", "寻找"),
    "hunt.found": ("Found units: pick one to see it", "找到的单元：选一个来查看"),
    "hunt.intervene": ("Intervene on this unit", "对这个单元做干预"),
    "hunt.intervene_note": (
        "Opens Intervene with this unit's cell C set, at every step, to the value it has where the track is "
        "on: e.g. pin the quote cell “inside” and see whether the model closes a quote that was never "
        "opened. Press Apply there.",
        "打开“干预”，把这个单元的细胞状态 C 在每一步都设为轨迹为“开”时它的值：例如把引号细胞固定在“引号内”，"
        "看模型会不会去闭合一个从未打开过的引号。然后在那里按“应用干预”。",
    ),
    "hunt.iv_note": (
        "From Cell hunt: unit {unit} of layer {layer} has its cell C set to {value} at every step, its "
        "value where the track is on (over the hunted text its C ran from {lo} to {hi}; the slider spans "
        "±{bound}). Press Apply.",
        "来自“细胞追踪”：第 {layer} 层第 {unit} 个单元的细胞状态 C 在每一步都设为 {value}，"
        "即轨迹为“开”时它的值（在追踪的文本上它的 C 从 {lo} 到 {hi}；滑块范围为 ±{bound}）。请按“应用干预”。",
    ),
    "hunt.iv_capped": (
        " Its values pass ±{bound}, the most Intervene accepts: the value was capped there.",
        "它的值超出了干预允许的最大范围 ±{bound}：数值被截在这里。",
    ),
    # said in the result area when the hunt (or a picked unit) cannot be shown; {reason}: what to change
    "hunt.cannot_because": ("Cannot hunt: {reason}", "无法寻找：{reason}"),
    "hunt.cannot_show_because": ("Cannot show this unit: {reason}", "无法显示这个单元：{reason}"),
    "hunt.first": ("Hunt first, then pick a unit.", "先寻找，再选一个单元。"),
    "hunt.no_unit": ("No unit to show.", "没有可显示的单元。"),
    "hunt.best_for": ("Best units for “{track}”", "最能追踪“{track}”的单元"),
    "hunt.unit_label": ("layer {layer} {signal} of unit {unit}", "第 {layer} 层单元 {unit} 的{signal}"),
    "hunt.value_label": ("{signal} of unit {unit}", "单元 {unit} 的 {signal}"),
    "hunt.describe_binary": (
        "layer {layer} · {signal} {unit} · AUC {auc}, {direction} where marked",
        "第 {layer} 层 · {signal} {unit} · AUC {auc}，在标记处{direction}",
    ),
    "hunt.higher": ("higher", "更高"),
    "hunt.lower": ("lower", "更低"),
    "hunt.describe_count": (
        "layer {layer} · {signal} {unit} · r {r}",
        "第 {layer} 层 · {signal} {unit} · r {r}",
    ),
    "hunt.th_layer": ("layer", "层"),
    "hunt.th_signal": ("signal", "信号"),
    "hunt.th_unit": ("unit", "单元"),
    "hunt.th_score": ("score", "得分"),
    "hunt.layer_cell": ("layer {layer}", "第 {layer} 层"),
    "hunt.score_note": (
        "Score: max(AUC, 1 − AUC) for a yes/no track (a unit that is low inside is as good a detector), |r| "
        "for a count. 0.5 and 0 mean no better than chance.",
        "得分：是/否类轨迹取 max(AUC, 1 − AUC)（在标记处偏低的单元同样是好的探测器），计数类轨迹取 |r|。"
        "0.5 和 0 表示不比随机猜测好。",
    ),
    "hunt.give_text": ("Give a text to hunt over.", "请给出一段要搜索的文本。"),
    "hunt.legend": (
        "Background: {unit_label}, red above its median over this text ({middle}), blue below, full colour "
        "at ±{scale}. Orange bar under a {unit}: {track}.",
        "底色：{unit_label}，高于它在这段文本上的中位数 ({middle}) 为红色，低于为蓝色，±{scale} 时颜色最深。"
        "{unit}下面的橙色条：{track}。",
    ),
    "hunt.scatter_title": ("{unit_title}: value at each step", "{unit_title}：每一步的值"),
    "hunt.outside": ("outside", "不在其中"),
    "hunt.inside": ("inside", "在其中"),
    "hunt.note.capped": (
        "The hunt reads the first {cap} {unit}s of your text.",
        "只读你文本的前 {cap} 个{unit}。",
    ),
    "hunt.note.own_track": (
        "Your own track is ranked over the text below (the cache holds the built-in tracks).",
        "你自己的轨迹在下面的文本上排名（缓存里只有内置的轨迹）。",
    ),
    "hunt.note.no_cache": (
        "This model has no cached ranking (lstmlm cells writes one): ranked over the text below.",
        "这个模型没有缓存的排名（`lstmlm cells` 会写一个）：在下面的文本上排名。",
    ),
    "hunt.note.cached": (
        "Units ranked over {steps} {unit}s of {source}.",
        "单元在 {source} 的 {steps} 个{unit}上排名。",
    ),
    "hunt.note.validation": ("the validation text", "验证集文本"),
    "hunt.note.skipped": ("Cannot rank units for this track: {why}.", "无法为这条轨迹给单元排名：{why}。"),
    "hunt.track.quote": ("inside double quotes", "在双引号内"),
    "hunt.track.paren": ("inside parentheses (depth)", "在括号内（层数）"),
    "hunt.track.line_pos": (
        "position in the line ({unit}s since the line break)",
        "行内位置（换行后的{unit}数）",
    ),
    "hunt.track.word_pos": ("position in the word", "词内位置"),
    "hunt.track.sentence_start": ("first word of a sentence", "句子的第一个词"),
    "hunt.track.sentence_pos": ("position in the sentence ({unit}s)", "句内位置（{unit}数）"),
    "hunt.track.line_wrap": ("line near its usual wrap length", "行长接近通常的换行长度"),
    "hunt.track.regex": ("your own: a regular expression", "你自己的：正则表达式"),
}
# The track names as the Track menu shows them: one key per track and kind of step, {unit} filled in
STEP_WORDS = {"word": ("word", "词"), "character": ("character", "字符")}
for _key, (_en, _zh) in list(PAIRS.items()):
    if _key.startswith("hunt.track."):
        for _unit, (_unit_en, _unit_zh) in STEP_WORDS.items():
            _name = f"hunt.trackname.{_key.removeprefix('hunt.track.')}.{_unit}"
            PAIRS[_name] = (_en.replace("{unit}", _unit_en), _zh.replace("{unit}", _unit_zh))
