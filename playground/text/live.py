"""The Live Lab (Train your own) tab's words, as (English, Chinese) pairs: its labels (`t(key)`), the
texts its handlers compute (`say(key, ...)`) and those of views/live.py and plots/live.py
(`words_in(lang, key, ...)`). No imports: lstmlm.training.live pulls in torch, so its few figures (the
upload limit, the teaching texts' names) are written here too; tests/test_live_i18n.py checks them."""

PAIRS: dict[str, tuple[str, str]] = {
    "tab.live": ("Train your own", "训练你自己的模型"),
    "live.intro": (
        "Paste a text, upload a .txt file (UTF-8, at most 2 MB) or pick a teaching text; press **Train**. "
        "A small LSTM learns it in a minute or two, here on the server: the last 10% of the text is held out "
        "to check it on text it never trained on. Then scrub through its gates on the probe text, try it, "
        "and download it. The .zip holds the model at its best validation loss, which may be an earlier "
        "step than the last one shown. **Open a model** at the top of the page takes the .zip as it is; "
        "`lstm-playground --model DIR` takes the folder you unzip it to.",
        "粘贴一段文本、上传一个 .txt 文件（UTF-8，最多 2 MB）或选一篇教学文本，然后按 **训练**。"
        "一个小 LSTM 会在服务器上用一两分钟学会它：文本的最后 10% 留作验证，"
        "检查模型在没训练过的文本上表现如何。"
        "之后可以在探针文本上逐个快照查看它的门、试用它，并下载它。"
        ".zip 里是验证损失最低时的模型，可能比最后显示的那一步更早。"
        "页面顶部的 **打开一个模型** 直接接受这个 .zip；"
        "`lstm-playground --model DIR` 接受把它解压出来的文件夹。",
    ),
    "live.teaching": ("Pick a teaching text", "选一篇教学文本"),
    "live.teaching_info": (
        "Open the list to choose one (it fills the text box below), or paste or upload your own",
        "打开列表选一篇（它会填进下面的文本框），或者粘贴、上传你自己的文本",
    ),
    "live.teach.quotes": (
        "Dialogue with quotes (look for a unit that is on inside quotes and off outside)",
        "带引号的对话（找一个在引号内打开、引号外关闭的单元）",
    ),
    "live.teach.brackets": (
        "Nested brackets (look for a unit whose cell rises at '(' and falls at ')')",
        "嵌套括号（找一个细胞状态在 '(' 处上升、在 ')' 处下降的单元）",
    ),
    "live.teach.anbn": (
        "a^n b^n sequences (look for a unit that counts the a's up, then the b's down)",
        "aⁿbⁿ 序列（找一个先数 a 往上、再数 b 往下的单元）",
    ),
    "live.teach.numbered": (
        "Numbered lines (look for units that track the position in the line)",
        "带编号的行（找记录行内位置的单元）",
    ),
    "live.teach.program": (
        "A tiny program (look for units for indentation and for inside a string)",
        "一个小程序（找记录缩进和字符串内部的单元）",
    ),
    "live.teach.poem": (
        "Two short poems (Lear, Blake) (look for a model that recites: line breaks, rhymes)",
        "两首短诗（Lear、Blake）（找一个会背诵的模型：换行、押韵）",
    ),
    "live.upload": (
        "... or upload a .txt file (UTF-8, at most 2 MB)",
        "……或上传一个 .txt 文件（UTF-8，最多 2 MB）",
    ),
    "live.paste": ("... or paste your text", "……或粘贴你的文本"),
    "live.probe": (
        "Probe text: the gates you watch are traced on its first 150 characters (or words; empty: the "
        "text's first 100 characters)",
        "探针文本：你观察的门在它的前 150 个字符（或词）上追踪（留空：用文本的前 100 个字符）",
    ),
    "live.read_as": ("Read it as", "读作"),
    "live.chars": ("Characters", "字符"),
    "live.words": ("Words", "词"),
    "live.layers": ("Layers", "层数"),
    "live.units": ("Units per layer", "每层单元数"),
    "live.bptt": ("Sequence length (tokens per window)", "序列长度（每个窗口的词元数）"),
    "live.lr": ("Learning rate (0.0001 to 0.05)", "学习率（0.0001 到 0.05）"),
    "live.seconds": ("Time budget (seconds)", "时间预算（秒）"),
    "live.seed": ("Seed", "随机种子"),
    "live.train": ("Train", "训练"),
    "live.pause": ("Pause", "暂停"),
    "live.resume": ("Resume", "继续"),
    "live.stop": ("Stop", "停止"),
    # under the loss curve when validation rose well above its best as training fell (plots/live.py)
    "live.overfit": (
        "Validation loss is {ratio}× its best (step {step}) while training loss keeps falling: the model is "
        "memorising its training text (overfitting). A longer text or fewer steps (a shorter time) helps.",
        "验证损失已是其最低值（第 {step} 步）的 {ratio} 倍，而训练损失还在下降："
        "模型在死记训练文本（过拟合）。"
        "换一段更长的文本或减少步数（缩短训练时间）会有帮助。",
    ),
    "live.download": ("Download the model (.zip)", "下载模型（.zip）"),
    # the button once a training ended (tabs/live_watch.py): the zip holds the best save, not the last step
    "live.download_best": (
        "Download the model at its best validation loss, step {step} (.zip)",
        "下载验证损失最低时（第 {step} 步）的模型（.zip）",
    ),
    "live.command": (
        "The same training from the command line (lstmlm train; also in the model's config.json)",
        "在命令行上做同样的训练（这条命令也记在模型的 config.json 里）",
    ),
    "live.command_unzipped": (
        "run in the unzipped folder: it holds the text the command reads",
        "在解压后的文件夹里运行：命令读取的文本就在里面",
    ),
    "live.command_clone": (
        "run in a clone of the project (the teaching text is under assets/)",
        "在项目的克隆目录里运行（教学文本在 assets/ 下）",
    ),
    "live.try": ("Try your model", "试用你的模型"),
    "live.start_with": ("Start with", "开头"),
    "live.generate": ("Generate", "生成"),
    "live.watch": (
        "Each snapshot traces the probe text with the model as it was at that moment; units are ordered by "
        "how much they changed over training.",
        "每个快照都用模型在那一刻的样子追踪探针文本；单元按它们在训练中变化的多少排序。",
    ),
    "live.watch_title": ("Watch its gates learn", "看它的门如何学习"),
    "live.snapshot": ("Snapshot (0 = before training)", "快照（0 = 训练之前）"),
    "live.layer": ("Layer", "层"),
    "live.layer.1": ("Layer 1", "第 1 层"),
    "live.layer.2": ("Layer 2", "第 2 层"),
    "live.show": ("Show", "显示"),
    "live.changed_title": ("What changed", "变化了什么"),
    "live.changed_intro": (
        "Per unit, between two snapshots: how often its gates saturate, and how well its cell follows each "
        "Cell-hunt track (inside quotes, bracket depth, position in the line...), over the start of the "
        "held-out text.",
        "两个快照之间每个单元的变化：它的门多常饱和，它的细胞状态 C 多好地跟随细胞搜寻的每条轨迹"
        "（在引号内、括号层数、行内位置……），在留出文本的开头上计算。",
    ),
    "live.base": ("From snapshot (to the one shown above)", "从这个快照（到上面显示的那个）"),
    "live.open": ("Open this snapshot in every view", "在每个视图中打开这个快照"),
    "live.popup_blocked": (
        "Your browser blocked the new tab, so this page stays open with its training (leaving it would end "
        "the training and remove its files).",
        "浏览器阻止了新标签页，所以本页和它的训练保持不变（离开本页会结束训练并删除它的文件）。",
    ),
    "live.popup_link": ("Open the snapshot in a new tab", "在新标签页中打开这个快照"),
    "live.q.c": ("cell state C", "细胞状态 C"),
    "live.q.h": ("hidden state h", "隐藏状态 h"),
    "live.q.f": ("forget gate f", "遗忘门 f"),
    "live.q.i": ("input gate i", "输入门 i"),
    "live.q.o": ("output gate o", "输出门 o"),
    "live.q.g": ("candidate C̃", "候选值 C̃"),
    # handler texts
    "live.cannot_read": ("Cannot read that file", "无法读取这个文件"),
    "live.upload_lost": (
        "the uploaded copy could not be read ({error}): upload the file again",
        "无法读取上传的副本（{error}）：请重新上传文件",
    ),
    "live.cannot_start": ("Cannot start training", "无法开始训练"),
    "live.setting_changed": ("Setting changed", "设置已更改"),
    "live.clamped": (
        "{label} is {lo} to {hi}: {value} was set to {end}",
        "{label}的范围是 {lo} 到 {hi}：{value} 已改为 {end}",
    ),
    "live.not_shared": ("This link does not name a shared training.", "这个链接没有指向一个共享的训练。"),
    "live.train_first": (
        "Train a model first: it is saved at its first validation, after a few seconds.",
        "请先训练一个模型：它在第一次验证时（几秒之后）保存。",
    ),
    "live.train_first_open": (
        "Train a model first: its snapshots open in every view.",
        "请先训练一个模型：它的快照可以在每个视图中打开。",
    ),
    "live.hub_label": ("Live Lab model at step {step} ({s} s)", "实时实验室模型，第 {step} 步（{s} 秒）"),
    "live.curve_empty": ("The loss curve appears here.", "损失曲线会显示在这里。"),
    "live.heat_empty": ("Snapshots appear here while it trains.", "训练时快照会显示在这里。"),
    "live.heat_wait": (
        "Snapshots of the probe's gates appear here while it trains.",
        "训练时，探针文本上的门的快照会显示在这里。",
    ),
    "live.changes_wait": (
        "What changed between two snapshots appears here once there are two.",
        "有了两个快照之后，这里会显示它们之间变化了什么。",
    ),
    # views/live.py
    "live.state.queued": ("Waiting", "等待中"),
    "live.state.running": ("Training", "训练中"),
    "live.state.paused": ("Paused", "已暂停"),
    "live.state.done": ("Finished", "已完成"),
    "live.state.stopped": ("Stopped", "已停止"),
    "live.state.failed": ("Failed", "失败"),
    "live.queue": (
        " (number {n} in the queue: the server trains a few at a time)",
        "（排在队列第 {n} 位：服务器一次只训练几个）",
    ),
    "live.shared": (
        " · a shared training: you watch, its teacher controls it",
        " · 共享的训练：你在观看，由老师控制",
    ),
    "live.shared_settings": (
        "**The teacher's training:** {read_as}, {layers} layer(s) of {units} units, sequence length {bptt}, "
        "learning rate {lr}, {seconds} s, seed {seed}.",
        "**老师的训练：**{read_as}，{layers} 层，每层 {units} 个单元，序列长度 {bptt}，学习率 {lr}，"
        "{seconds} 秒，随机种子 {seed}。",
    ),
    "live.time": ("{s} s of {budget} s ({left} s left)", "{s} 秒 / 共 {budget} 秒（还剩 {left} 秒）"),
    "live.step": ("step {step}", "第 {step} 步"),
    "live.speed": ("{n} {u}s/s", "每秒 {n} 个{u}"),
    "live.best": (
        "best validation loss {nats} nats/{u} = {bits} bits/{u}",
        "最佳验证损失 {nats} 奈特/{u} = {bits} 比特/{u}",
    ),
    "live.sample_empty": (
        "A sample from the model appears here every few seconds.",
        "每隔几秒，这里会显示模型生成的一段样本。",
    ),
    "live.sample": (
        "Sample at step {step} ({s} s), same seed each time",
        "第 {step} 步（{s} 秒）的样本，每次用同一个随机种子",
    ),
    "live.changes_old": (
        "Snapshots made before this version carry no per-unit statistics.",
        "这个版本之前生成的快照没有逐单元的统计数据。",
    ),
    "live.saturated": ("{gate} saturated", "{gate}饱和"),
    "live.unit_at": ("layer {layer} unit {unit}", "第 {layer} 层 单元 {unit}"),
    "live.changes_note": (
        "Saturated: the fraction of steps where the gate is below 0.1 or above 0.9. A track's score is how "
        "well the unit's cell follows it: max(AUC, 1 &minus; AUC) for a yes/no track, |r| for a count "
        "(0.5 / 0 = no better than chance), over the first {n} held-out tokens.",
        "饱和：门低于 0.1 或高于 0.9 的步数比例。轨迹得分表示单元的细胞状态 C 跟随这条轨迹的程度："
        "是/否轨迹用 max(AUC, 1 &minus; AUC)，计数轨迹用 |r|（0.5 / 0 = 不比随机好），"
        "在留出文本的前 {n} 个词元上计算。",
    ),
    "live.changes_title": (
        "What changed from step {a} ({sa} s) to step {b} ({sb} s)",
        "从第 {a} 步（{sa} 秒）到第 {b} 步（{sb} 秒）变化了什么",
    ),
    "live.col.what": ("what", "项目"),
    "live.col.unit": ("unit", "单元"),
    "live.col.before": ("before", "之前"),
    "live.col.after": ("after", "之后"),
    "live.col.change": ("change", "变化"),
    "live.share": (
        'Share it read-only: <a id="live-share-link" href="?view=live&amp;lab={token}" target="_blank">this '
        "link</a> lets students watch this training and scrub its snapshots (they cannot pause or stop it). "
        "Copy it with the right mouse button.",
        '只读分享：<a id="live-share-link" href="?view=live&amp;lab={token}" target="_blank">这个链接</a>'
        "让学生观看这次训练并浏览它的快照（他们不能暂停或停止它）。用鼠标右键复制它。",
    ),
    # plots/live.py
    "live.curve_title": ("Loss while it learns", "学习过程中的损失"),
    "live.training": ("training", "训练"),
    "live.validation": ("validation (held-out last 10%)", "验证（留出的最后 10%）"),
    "live.validation_short": ("validation", "验证"),
    "live.nats_hover": ("step %{x}<br>%{y:.3f} nats", "第 %{x} 步<br>%{y:.3f} 奈特"),
    "live.nats_per": ("nats per {u}", "每{u}奈特"),
    "live.bits_per": ("bits per {u}", "每{u}比特"),
    "live.step_axis": ("step", "步"),
    "live.snap_title": (
        "{q}{tanh} · layer {layer} · step {step} ({s} s)",
        "{q}{tanh} · 第 {layer} 层 · 第 {step} 步（{s} 秒）",
    ),
    "live.snap_some": (
        "the {n} of its {total} units that changed most",
        "{total} 个单元中变化最大的 {n} 个",
    ),
    "live.snap_unknown": (
        "not in the model's vocabulary, read as {rare}: {chars}",
        "不在模型的词表里、按{rare}读入：{chars}",
    ),
}
