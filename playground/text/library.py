"""The Chinese of what `lstmlm` says to a person (a notice, the reason a setting or a text is refused): the
library speaks English only and marks each such text with a key and the values of its {fields}
(lstmlm/messages.py); `page_language.shown` fills the Chinese text of that key from the same values. A key
missing here is shown in English (the library's own text). A {unit} field is "word" or "character", shown as
词 or 字符. The playground's own server refusals written as Messages (an upload) are here too.
tests/test_library_messages.py checks every key against the source that says it."""

from __future__ import annotations

from playground.text.library_import import IMPORTING

CHINESE: dict[str, str] = {
    # lstmlm/prompt.py
    "prompt.cut": "文本太长：模型只读最后 {n} 个{unit}（上限是 {limit}）。",
    "prompt.no_vocab": "这个模型没有词表，不能读文本：请给它词的编号。",
    # lstmlm/vocab.py
    "vocab.no_unk": (
        "{token} 不在这个模型的词表中，而词表里没有代替未知{unit}的 {unk}（模型来自一个没有它的工具包）："
        "请只用模型认识的{unit}（它的 vocab.txt 列出了全部 {size:,} 个）"
    ),
    # lstmlm/distributions.py (the settings and the mask); sampling.max_words: lstmlm/sampling.py
    "sampling.temperature": "温度必须是 >= 0 的数（0 = 总是选最可能的词），现在是 {temperature}",
    "sampling.temperature_finite": "温度必须是有限的数（温度很大时每个词都一样可能）",
    "sampling.top_k": "top_k 必须是 >= 0 的整数（0 = 不限制），现在是 {top_k}",
    "sampling.top_p": "top_p 必须在 (0, 1] 之间（1 = 不限制），现在是 {top_p}",
    "sampling.max_words": "生成的词数必须 >= 0，现在是 {n}",
    "sampling.nothing_left": "这个模型能说的每个词都被隐藏了或是 <unk>：没有词可以抽样",
    # lstmlm/trace.py (the forward)
    "trace.empty": "没有可以追踪的：文本里没有词",
    "trace.lstm_only": "干预固定的是 LSTM 的门或细胞；这个模型的细胞是 {cell!r}（不加干预地追踪它）",
    # lstmlm/interventions.py check_interventions ({target}: i f g o c, the article's symbols)
    "trace.layer": "第 {layer!r} 层不存在：这个模型的层是 0..{last}",
    "trace.target": "不能干预 {target!r}：请选 {targets} 之一",
    "trace.value": "干预的值必须是数，现在是 {value!r}",
    "trace.finite": "干预的值必须是有限的数，现在是 {value}",
    "trace.range": "{target} 的值在 [{lo:g}, {hi:g}] 之间，现在是 {value:g}",
    "trace.units": "单元必须是 0..{last} 中的整数，现在是 {units!r}",
    "trace.units_range": "单元必须在 0..{last} 之内（第 {layer} 层有 {size} 个单元）",
    "trace.steps_whole": "步必须是整数，现在是 {start!r}..{stop!r}",
    "trace.steps_order": "步必须满足 0 <= 起点 <= 终点，现在是 {start}..{stop}",
    # lstmlm/studies/intervene.py
    "intervene.units_unread": "读不懂 {item!r}：请写单元编号和范围，如 3,5,10-19（或 all）",
    "intervene.backwards": "范围 {written} 是倒着写的：请写成 {lo}-{hi}",
    "intervene.no_unit": "单元 {unit} 不存在：这一层的单元是 0..{last}",
    "intervene.no_units": "没有给出单元：请写单元编号和范围，如 3,5,10-19（或 all）",
    "intervene.steps_unread": "读不懂步 {text!r}：请写一步 (4)、一个范围 (2-6) 或“从 4 起” (4-)",
    "intervene.no_step": "第 {step} 步不存在：文本的步是 0..{last}",
    "intervene.top_n": "前 N 个要求 N >= 1，现在是 {n}",
    # lstmlm/studies/units.py, tracks.py
    "units.span": "选中的范围必须满足 0 <= 起点 < 终点 <= {steps}（文本的步），现在是 {start}..{stop}",
    "units.span_whole": "请少选几个词：单元搜索要把选中的部分和它之外的词比较",
    "tracks.regex_empty": "请为你的轨迹输入一个正则表达式，如 [A-Z] 或 \\bthe\\b",
    "tracks.regex_long": "这个正则表达式有 {n} 个字符；请少于 {limit} 个",
    "tracks.regex_invalid": "{pattern!r} 不是有效的正则表达式：{error}",
    "tracks.regex_slow": "你的正则表达式在文本里搜索了 {seconds:g} 秒以上，已被停止："
    "请把它改简单些（重复里再套重复，如 (a+)+，可能永远算不完）",
    "tracks.regex_failed": "你的正则表达式无法运行：请把它改简单些",
    # lstmlm/studies/probes.py (Compare's probes)
    "probes.not_words": "探针是由词组成的短语；这个模型按{unit}读文本",
    "probes.lacks": "这个模型的词表里没有探针要预测的 {words}",
    # lstmlm/studies/counterfactual.py, surprisal.py, gradflow.py, cell_hunt.py
    "counterfactual.empty": "文本 {name} 是空的：请输入几个词",
    "surprisal.short": "文本太短：请输入几个词",
    "gradflow.short": "梯度流至少需要两个词：上下文和它预测的词",
    "hunt.short": "文本太短，无法追踪",
    "hunt.two_tokens": "文本至少需要 2 个{unit}才能搜索",
    # the playground's own refusals of an uploaded model (playground/server/model_upload.py), written the
    # same way; an importer's reason they quote ({error}, an import.* Message below) is shown in Chinese too
    "upload.unzipped_big": "{name}：模型文件夹解压后超过 {limit} MB",
    "upload.zip_links": (
        "{name}：这个 zip 存的是链接而不是文件；请连同文件一起压缩文件夹（zip -r model.zip DIR 会跟随链接）"
    ),
    "upload.bad_zip": "{name}：不是可读的 zip 文件（{error}）",
    "upload.which_model": (
        "看不出 {names} 中哪个是模型文件：请上传一个模型文件（.keras、.h5、.pt、"
        "带 .bin 分片的 TF.js model.json，或模型文件夹的 .zip），需要时再加上它的词表"
    ),
    "upload.token_lists": "词表不止一个（{names}）：请上传模型文件和一个词表",
    "upload.none": "请先选择模型文件（并等它上传完）：模型文件夹的 .zip，或 .keras、.h5、.pt 文件",
    "upload.missing": "{names} 没有上传成功；请再试一次",
    "upload.big": "这些文件共 {mb:.0f} MB；一次上传的上限是 {limit} MB",
    "upload.no_load": "{name}：模型文件夹无法加载：{error}",
    "upload.needs_vocab": (
        "{error}。在应用里：请把词表（.txt，每行一个词元，或 .json）和模型文件一起上传，"
        "或在“旁边的 .txt 文件是”下选择“一段文本：它排序后的字符就是词表”"
    ),
    "upload.import_failed": "无法导入这个文件：{error}",
    # lstmlm/importing (a model file from another framework refused): text/library_import.py
    **IMPORTING,
    # the model picker's lines (playground/views/model_info.py): what a model reads, its size and figures
    "model.words": "词",
    "model.characters": "字符",
    "model.reads": "读{what}",
    "model.size": "{cell_name} {layers}×{hidden}",
    "model.nats": "测试 {nats:.3f} 奈特/字符（{bits:.2f} 比特）",
    "model.test_perplexity": "测试困惑度 {value:.1f}",
    "model.val_perplexity": "验证困惑度 {value:.1f}",
    "model.no_figure": "没有记录测试成绩",
    "model.unverified": "导入的，未经核对",
    "model.exact": "与你的框架自己的输出相差不超过 {bound}",
    "model.exact_probes": "与你的框架自己的输出相差不超过 {bound}（{probes} 个探测词元）",
    # the playground's views (playground/views/*.py): what a tab's input lacks
    "units.range_unread": "请把要选的词写成范围，如 3-7（第 0..{last} 个词），现在是 {text!r}",
    "units.range_outside": "范围必须在文本的第 0..{last_step} 个词之内，现在是 {first}-{last}",
    "units.two_words": "请至少输入两个词：单元搜索要把选中的词和其他词比较",
    "views.empty": "文本是空的：请输入几个词",
    "export.empty": "文本是空的：请输入一些词，再导出它们的追踪",
    "diagram.empty": "请先输入文本：细胞图显示其中的一个词",
    "hunt.two_tokens_given": "请给出至少 2 个{unit}的文本来搜索",
    "live.no_snapshot": "还没有快照：训练开始时拍第一张",
    # the Class game's rooms (playground/server/room_refusals.py)
    "room.one_character": "请输入一个字符",
    "room.word_first": "请先输入一个词",
    "room.one_word": "只猜一个词（不要空格）：接下来的那个词",
    "room.pick_gate": "选一个门：f（遗忘）、i（输入）或 o（输出），或 n（没有哪个门明显关上）",
    "room.sentence_first": "请先为全班输入一句话",
    "room.wrong_password": "这个房间的密码不对：请向老师要密码",
    "room.no_gates": "这个模型没有遗忘门、输入门和输出门：请用 LSTM 提门的问题",
    "room.push_first": "请先推送一句话",
    "room.gate_one_round": "门的问题只有一轮：请推送一句新的话",
    "room.last_word": "这是这句话的最后一个词：请推送一句新的话",
    "room.join_first": "请先加入房间（你的页面可能刷新过）：再加入一次",
    "room.wait_push": "请等老师推送一句话",
    "room.revealed": "这个词已经揭晓：请等下一个",
    "room.teacher_only": "只有开这个房间的老师才能这样做",
    "room.unknown_words": "{token} 不在模型的词表中：请推送由模型认识的词组成的句子",
    "room.guess_long": "一次猜测是一个词，最多 {limit} 个字符",
    "room.full_stop": "请在至少一个词之后用句号“{stop}”结束这句话",
    "room.text_long": "文本有 {n:,} 个字符：请推送一句话，最多 {limit} 个字符",
    "room.one_mark": "请只放一个 {mark} 标出全班开始猜的位置（现在有 {found} 个）",
    "room.sentence_long": "这句话有 {n} 个词：最多 {limit} 个",
    "room.password_long": "房间密码最多 {limit} 个字符",
    "room.server_full": (
        "服务器已有 {rooms} 个开着的房间，这是上限：请关掉一个，或等一个过期（最后一次变化后 {hours:g} 小时）"
    ),
    "room.full": "房间 {code} 已满（{students} 个学生）",
    "room.push_length": "请推送一句 1 到 {limit} 个词的话",
    "room.start_range": "起点必须在 0 到 {n} 之间（这句话的长度）",
    "room.no_room": (
        "没有代码为 {code} 的开着的房间：请检查代码（字母和数字，例如 K7QX2），或问老师；"
        "房间在最后一次变化 {hours:g} 小时后关闭"
    ),
    # lstmlm/training/live/settings.py
    "live.setting_choice": "{name} 必须是 {choices}，现在是 {value!r}",
    "live.setting_whole": "{name} 必须是 {span} 之间的整数，现在是 {value!r}",
    "live.setting_number": "{name} 必须是 {span} 之间的数，现在是 {value!r}",
    "live.setting_range": "{name} 必须在 {span} 之间，现在是 {value}",
    "live.setting_unknown": "未知的设置 {unknown}：设置有 {known}",
    "live.binary": "它含有二进制数据（NUL 字符），不是文本：请用纯文本 .txt 文件",
    "live.binary_file": "文件 {name} 含有二进制数据（NUL 字符），不是文本：请用纯文本 .txt 文件",
    "live.empty": "文本是空的：请粘贴文本、上传 .txt 文件或选一篇教学文本",
    "live.text_big": "文本有 {mb:.1f} MB；实时训练最多接受 {limit:g} MB：请用其中一部分",
    "live.file_big": "文件 {name} 有 {mb:.1f} MB；实时训练最多接受 {limit:g} MB 文本：请上传其中一部分",
    "live.utf16": (
        "文件 {name} 是 UTF-16 文本，不是 UTF-8："
        "请在编辑器中另存为 UTF-8（或用 iconv -f utf-16 -t utf-8）后再上传"
    ),
    "live.not_utf8": (
        "文件 {name} 不是 UTF-8 文本：偏移 {offset:,}（第 {line} 行）的字节是 0x{byte}。"
        "请在编辑器中另存为 UTF-8（或用 iconv -f cp1252 -t utf-8）后再上传"
    ),
    # the Live Lab's jobs (playground/server/live_jobs.py, live_worker.py)
    "live.busy_yours": "你已经有一个训练（在训练、已暂停或在等待）：请先停止它，或等它结束",
    "live.busy_server": "服务器很忙：{waiting} 个训练在等它的 {places} 个位置。请过几分钟再试",
    "live.unknown_job": (
        "没有编号为 {job!r} 的训练（它已结束超过一小时、它的页面已关闭，或它从未开始）：请开始一个新的"
    ),
    "live.read_only": "这是一个共享的只读训练：只有开始它的人才能控制它",
    "live.pause_state": "只有正在训练的训练才能暂停；它现在的状态是“{state}”",
    "live.resume_state": "只有已暂停的训练才能继续；它现在的状态是“{state}”",
    "live.crashed": "训练进程意外结束（退出码 {code}）",
    "live.memory_cap": (
        "训练用了 {used:.0f} MB 内存，超过每个训练可用的 {cap:.0f} MB，已被结束："
        "请用更少的单元、更短的序列或更少的文本"
    ),
    "live.time_cap": "训练超出时间预算 {grace:.0f} 秒，已被结束",
    "live.failed": "训练失败（{kind}）：{reason}",
    # lstmlm/training/live/run.py
    "live.surrogate": "文本不是有效的 Unicode：第 {offset:,} 个字符是孤立的代理项（U+{code}）：请删除它",
    "live.text_short": (
        "文本有 {count} 个{unit}（换行算一个）；实时训练至少需要 {minimum} 个（其中十分之一留作验证，"
        "检查模型在没训练过的文本上表现如何）：请添加更多文本"
    ),
    "live.valid_empty": (
        "文本的最后十分之一里没有可用来检查模型的{unit}（只有空格或空行）：请在文本末尾留一些正文"
    ),
}
