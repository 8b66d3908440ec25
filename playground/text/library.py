"""The Chinese of what `lstmlm` says to a person (a notice, the reason a setting or a text is refused): the
library speaks English only and marks each such text with a key and the values of its {fields}
(lstmlm/messages.py); `page_language.shown` fills the Chinese text of that key from the same values. A key
missing here is shown in English (the library's own text). A {unit} field is "word" or "character", shown as
词 or 字符. The playground's own server refusals written as Messages (an upload) are here too.
tests/test_library_messages.py checks every key against the source that says it."""

from __future__ import annotations

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
    # lstmlm/importing (a model file from another framework refused: the upload shows it, {path} as the
    # file's name); {error} quotes Python's or the framework's own reason, which stays English
    "import.no_file": "{path}：没有这个文件",
    "import.folder": "{path}：这个文件夹里没有 model.json（TF.js）；请给出模型文件本身",
    "import.saved_model": (
        "{path}：这是 TensorFlow SavedModel，里面是 lstmlm 不会运行的 TensorFlow 程序："
        '请用 model.save("model.keras") 保存 Keras 模型，再导入那个文件'
    ),
    "import.bad_zip": "{path}：zip 文件已损坏（{error}）",
    "import.cell_differs": "--cell {cell}：文件里是 {found}",
    "import.one_vocab": "词表只能给一个：--vocab、--chars-from 或 --data",
    "import.corpus_size": (
        "模型的嵌入有 {rows:,} 行，而语料给出 {words:,} 个词：请用它训练时的语料文件夹导入"
        "（其中的 train.txt、valid.txt 和 test.txt，不要改动）"
    ),
    "import.tokenizer": "--tokenizer {tokenizer}：请选 {choices} 之一",
    "import.out_taken": "--out {path} 里已经有一个模型；请换一个文件夹，或加上 --force 替换它",
    "import.out_file": "--out {path}：{file} 是文件，不是文件夹",
    "import.read_back": "写到 {path} 的模型读回来和导入的不一样",
    "import.cannot_write": "无法把模型写到 {path}：{error}",
    "import.no_read_back": "导入的模型读不回来：{error}",
    "import.no_cell": "{cell} 网络：这个 lstmlm 没有这种细胞（它有 {cells}）",
    "import.one_hot_size": (
        "第一个循环层读 {inputs} 个输入，而输出层有 {classes} 个类别：独热输入必须覆盖和输出相同的词表"
    ),
    "import.embedding_size": (
        "嵌入是 {shape}，而输出层有 {classes} 个类别、第一个循环层读 {inputs} 个输入：输入和输出的词表不同"
    ),
    "import.layer_sizes": (
        "循环层的大小不同 {sizes}：lstmlm 堆叠的各层单元数相同（一个 nn.LSTM / nn.GRU / nn.RNN）"
    ),
    "import.output_reads": "输出层读 {reads} 个值，而最后一个循环层有 {units} 个单元",
    "import.vocab_size": (
        "词表有 {tokens:,} 个词元，而模型有 {classes:,} 个输出类别：请给出它训练时用的词表"
        "（--vocab FILE，或 --chars-from TEXT）"
    ),
    "import.not_tied": "--tied：输出权重和嵌入不同，所以它们没有绑定",
    "import.tensors": "这些张量组不成一个这种大小的模型：{error}",
    "import.token_type": "词表里有 {token!r}，它不是字符串",
    "import.token_alike": "词表里同时有 {token!r} 和 {same!r}，lstmlm 把它们读成同一个",
    "import.token_break": "词表里有 {token!r}：不支持内部带换行的词元",
    "import.token_twice": "词表里有两个 {token!r}（编号 {first} 和 {second}）",
    "import.unreadable": "{path}：无法读取（{error}）",
    "import.vocab_json": "{path}：不是有效的 JSON（{error}）",
    "import.vocab_shape": (
        "{path}：应当是词元列表、{{词元: 编号}} 或 {{编号: 词元}} 对象，或含有其中之一的对象"
    ),
    "import.recipe_missing": "{path}：缺少这个文件（示例代码的词表从 {split} 读出）",
    "import.vocab_beside_differ": (
        "{path}：模型旁边的几个文件存着不同的 {size:,} 个词元的词表（{names}）："
        "请选出它训练时用的那个，--vocab FILE"
    ),
    "import.vocab_beside_others": "；旁边有：{files}，都不是 {size:,} 个词元",
    "import.no_vocab": (
        "{path}：文件里没有词表（{size:,} 个输出类别），旁边也没有找到（找过 {names} 和另外 {more} 个文件名）"
        "{looked}：请给出它训练时用的词表，--vocab FILE（JSON 列表或每行一个词元）或 --chars-from TEXT"
        "（文本排序后的字符，Keras 和 TensorFlow 的文本生成示例就是这样建词表的）"
    ),
    "import.pickled_class": "一个 pickle 的 {name}",
    "import.pickled_code": "pickle 的代码或对象",
    "import.pickled": (
        "{path}：不是普通的 state dict：它含有{what}，这永远不会被加载（加载它会运行文件里的代码）。"
        "如果它是用 torch.save(model, f) 保存的整个模型，请在你信任它的地方加载，"
        "再用 torch.save(model.state_dict(), f) 保存"
    ),
    "import.torch_unreadable": "{path}：不是可读的 PyTorch 文件（{error}）",
    "import.not_state_dict": "{path}：不是 state dict（应当是“参数名 -> 张量”的字典）",
    "import.bidirectional": (
        "双向 RNN（{tensor}）：lstmlm 的模型只从左往右读，而预测下一个词的语言模型不能是双向的；拒绝导入"
    ),
    "import.proj_size": (
        "带 proj_size 的 LSTM（{tensor}：它的 h 被投影成 {size} 个值）："
        "没有投影的 nn.LSTM 无法精确计算它；拒绝导入"
    ),
    "import.no_rnn": (
        "不是循环语言模型的 state dict：没有 nn.LSTM、nn.GRU 或 nn.RNN 的 weight_ih_l0 / weight_hh_l0"
        "（找到的是 {names}……）"
    ),
    "import.several_rnn": (
        "有多个循环模块（{names}）：lstmlm 导入一个 nn.LSTM / nn.GRU / nn.RNN（多层用 num_layers 堆叠）"
    ),
    "import.rnn_matrix": "{tensor}：缺失或不是矩阵",
    "import.rnn_rows": (
        "{tensor} 有 {rows} 行，对应 {hidden} 个单元：不是 LSTM（4 x {hidden}）、GRU（3 x）或 RNN（1 x）"
    ),
    "import.cell_plain_rnn": "--cell {cell}：这些权重是普通 RNN 的",
    "import.cell_weights": "--cell {cell}：这些权重是 {found} 的",
    "import.rnn_which": (
        "普通 RNN（nn.RNN）：它的非线性（tanh 或 relu）不在权重里；请用 --cell rnn_tanh 或 --cell rnn_relu "
        "说明是哪个（即示例代码的 --model RNN_TANH / RNN_RELU）"
    ),
    "import.rnn_shapes": "{prefix}第 {layer} 层：形状 {ih}、{hh}、{bias} 不符合 {hidden} 个单元",
    "import.output_none": "一个也没有",
    "import.output_several": "好几个（{names}）",
    "import.output_layer": (
        "应当有一个读 {hidden} 个循环单元的线性输出层，却找到{reason}；其他矩阵：{matrices}。"
        "不支持一个线性层 + softmax 以外的输出头"
    ),
    "import.embeddings": "有好几个矩阵都可能是嵌入：{names}",
    "import.leftover": (
        "除了嵌入、一个循环模块和一个线性输出层之外还有别的张量{features}：{names}；"
        "lstmlm 无法精确计算它们，所以拒绝这个模型"
    ),
    "import.h5py": "读取 Keras 文件需要 h5py：pip install 'lstm-playground[import]'（或 pip install h5py）",
    "import.keras_unreadable": "{path}：不是可读的 .keras 文件（{error}）",
    "import.h5_unreadable": "{path}：不是可读的 HDF5 文件（{error}）",
    "import.weights_only": (
        "{path}：只有权重（model.save_weights）：文件里没有模型结构。"
        '请用 model.save("model.keras")（或 .h5）保存整个模型，再导入那个文件'
    ),
    "import.tfjs_unreadable": "{path}：不是可读的 model.json（{error}）",
    "import.tfjs_graph": (
        "{path}：不是 TF.js 层模型（从 SavedModel 转换来的图模型存的是 TensorFlow 程序而不是层）；"
        "请用 tensorflowjs_converter --input_format keras 转换 Keras 模型，或在 TF.js 里用 model.save() 保存"
    ),
    "import.tfjs_manifest": "{path}：没有 weightsManifest",
    "import.tfjs_dtype": "{path}：权重 {name} 的 dtype 是 {dtype!r}，不是数值类型",
    "import.tfjs_truncated": "{path}：分片在权重 {name} 之前就结束了（文件被截断了？）",
    "import.tfjs_bytes": "{path}：{shards} 的分片有 {size} 字节，清单描述的是 {described} 字节",
    "import.tfjs_outside": "{path}：权重路径 {shard!r} 跑到了模型文件夹之外",
    "import.tfjs_shard": "{path}：缺少权重分片（{error}）",
    "import.config_object": "模型配置不是 JSON 对象",
    "import.sequential_layers": "Sequential 配置里没有层列表",
    "import.not_chain": (
        "层 {name!r} 的输入来自 {inbound}：lstmlm 只导入由一条层链组成的模型（没有分支、合并或共享层）"
    ),
    "import.nothing": "无",
    "import.output_not_last": "模型的输出不是它的最后一层：不是一条层链",
    "import.subclassed": (
        "{kind!r} 模型：只有 Sequential 和 Functional 模型在文件里描述它们的层（子类化模型的层是代码，"
        "lstmlm 不运行代码）；请把它重建为 keras.Sequential"
    ),
    "import.keras_layer": "{kind} 层 {name!r}",
    "import.keras_weights": "{where}：意外的权重 {found}（应当是 {roles}）",
    "import.keras_missing": "{where}：文件里没有它的 {names}",
    "import.embedding_late": "{where}：不支持第一层之后的嵌入",
    "import.mask_zero": (
        "{where}：mask_zero=True（Keras 会跳过编号为 0 的每一步并保持状态）：nn.LSTM 没有掩码，所以拒绝导入"
    ),
    "import.recurrent_late": "{where}：不支持输出层之后的循环层",
    "import.one_dense": (
        "{where}：lstmlm 读一个 Dense 层，位于循环层之后（不支持线性 + softmax 以外的输出头）"
    ),
    "import.dense_activation": "{where}：激活函数是 {activation!r}；输出层必须是线性 + softmax",
    "import.softmax_only": "{where}：Dense 输出层之后只支持一个 softmax",
    "import.keras_feature": "{where}：{feature}不是 lstmlm 能精确计算的；拒绝导入",
    "import.feature.attention": "注意力",
    "import.feature.conv_lstm": "卷积 LSTM",
    "import.feature.bidirectional": "双向层（它也倒着读文本，而预测下一个词元的模型不能这样做）",
    "import.feature.layer_norm": "层归一化",
    "import.feature.batch_norm": "批归一化",
    "import.feature.conv": "卷积",
    "import.feature.custom_rnn": "自定义的 RNN 细胞",
    "import.feature.stacked_cells": "一个 RNN 层里堆叠的多个细胞",
    "import.feature.cudnn": "Keras 2 的 {kind}（还不读它的两组偏置）",
    "import.feature.masking": "掩码（跳过的步保持状态）",
    "import.feature.other": "{kind} 层",
    "import.keras_layers": "{source}：应当有循环层和一个 Dense 输出层，找到的是 {found}",
    "import.softmax_twice": "{source}：softmax 用了两次；输出必须是对 logits 的一次 softmax",
    "import.keras_cells": "{source}：各层的细胞不同 {cells}：lstmlm 只堆叠一种细胞",
    "import.go_backwards": "{where}：go_backwards=True 倒着读文本；拒绝导入",
    "import.rnn_activation": "{where}：激活函数是 {activation!r}；nn.RNN 只计算 tanh 或 relu",
    "import.hard_sigmoid": (
        "{where}：recurrent_activation hard_sigmoid（Keras 2.3 之前的门和 TF.js 的默认值）是分段线性的门；"
        "nn.LSTM / nn.GRU 的门用 logistic sigmoid，所以这个模型无法被精确追踪，拒绝导入。"
        "请用 recurrent_activation='sigmoid' 重新训练（TF.js：recurrentActivation: 'sigmoid'）"
    ),
    "import.gate_activation": (
        "{where}：activation {activation!r} / recurrent_activation {gate!r}；nn.{kind} 只计算 tanh 和 sigmoid"
    ),
    "import.kernel_shapes": (
        "{where}：kernel {kernel} 和 recurrent_kernel {recurrent} 不符合 {units} 个单元的 {kind}"
    ),
    "import.bias_shape": "{where}：偏置是 {shape}，应当是 {expected}",
    "import.reset_after": (
        "{where}：reset_after=False（Keras 1 和 TF.js 的默认值）在循环矩阵之前把重置门作用于 h_(t-1)；"
        "nn.GRU 在之后作用，所以这个 GRU 无法被精确表示；拒绝导入。"
        "请用 reset_after=True 重新训练（Keras 2.3 起的默认值）"
    ),
    "import.gru_bias": "{where}：偏置是 {shape}，reset_after=True 时应当是 {expected}",
    "import.ref_no_file": "--reference {path}：没有这个文件",
    "import.ref_one_array": (
        "--reference {path}：不是 np.savez 写的 NumPy .npz 文件（是 np.save 写的单个数组）："
        "请用 np.savez 写 ids 和 probs"
    ),
    "import.ref_objects": (
        "--reference {path}：含有 Python 对象，这永远不会被加载；请保存普通数组："
        "np.savez(f, ids=np.array(ids), probs=np.array(probs), text=str(text))"
    ),
    "import.ref_pickle": (
        "--reference {path}：不是 np.savez 写的 NumPy .npz 文件（也不是 NumPy 数组；pickle 永远不会被加载）"
    ),
    "import.ref_unreadable": "--reference {path}：不是 np.savez 写的 NumPy .npz 文件（{error}）",
    "import.ref_ids": (
        "--reference {path}：`ids` 必须是探测文本的词元编号，形状为 (T,) 的整数（找到的是 {found}）"
    ),
    "import.ref_none": "无",
    "import.ref_id_range": (
        "--reference {path}：编号范围是 {low}..{high}，而模型有 {size:,} 个类别（0..{last}）："
        "参考文件是用另一个词表做的"
    ),
    "import.ref_text": "--reference {path}：`text` 必须是一个字符串（找到的是 {dtype}）",
    "import.ref_no_probs": "--reference {path}：没有 `probs`（或 `logits`）数组；它有的是 {names}",
    "import.ref_floats": "--reference {path}：`{array}` 必须是浮点数（找到的是 {dtype}）",
    "import.ref_shape": (
        "--reference {path}：`{array}` 的形状是 {shape}；"
        "应当是 ({steps}, {classes})（{steps} 个编号各自之后、在模型的 {classes:,} 个类别上的分布）"
        "或 ({classes},)（最后一个编号之后）{other}"
    ),
    "import.ref_other_size": "：词表大小不同",
    "import.ref_finite": "--reference {path}：`{array}` 含有 NaN 或无穷大",
    "import.ref_sums": (
        "--reference {path}：`probs` 的行不是概率分布（它们的和在 {low:.4g} .. {high:.4g} 之间）："
        "看起来是 logits；请存成 logits=...，或存 softmax(logits)"
    ),
    "import.ref_text_length": (
        "{name}：用这个模型的 {tokenizer} 分词器读，它的文本是 {tokens} 个词元，而参考文件有 {ids} 个编号。"
        "如果你的框架分词方式不同（例如转成小写或去掉标点），请在参考文件里省略 `text`；什么也没有保存"
    ),
    "import.ref_text_order": (
        "{name}：探测文本的第 {step} 个词元是 {token!r}，"
        "而参考文件的编号 {id} 在导入用的词表里是 {theirs!r}："
        "词表的顺序不是模型训练时的顺序（或者不是它的词表）。请给出模型自己的词表"
        "（--vocab FILE，或 --chars-from 训练时的原文）；什么也没有保存"
    ),
    "import.mismatch": (
        "导入的模型和 {name} 不一致：一个概率上的最大差值是 {worst:.3g}（容差 {tolerance:g}），{where}，"
        "类别 {output_class}：我们的是 {ours:.6f}，参考文件的是 {theirs:.6f}；"
        "{rows} 个分布中有 {off} 个不同。"
        "可能的原因：{cause}。什么也没有保存"
    ),
    "import.after_token": "在第 {step} 个词元（编号 {id}）之后",
    "import.after_last": "在最后一个词元之后",
    "import.cause_order": (
        "每个分布里的概率相同但顺序不同：输出类别的顺序和给出的词表不同（请按顺序给出模型训练时用的词表）"
    ),
    "import.cause_state": (
        "前 {steps} 步一致，之后不一致：一步传到下一步的状态不同（参考模型保留了之前调用的状态，"
        "例如 stateful=True 或传入了隐藏状态；请在探测前重置它），或者循环权重按另一种门顺序读取了"
    ),
    "import.cause_other": (
        "{first}参考文件是用另一个模型文件或词表做的、开着 dropout（PyTorch：先调用 model.eval()）、"
        "用了另一种输入（独热还是编号），或者权重按另一种门顺序读取了"
    ),
    "import.cause_first": "从第一步起分布就不同：",
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
    "live.empty": "文本是空的：请粘贴文本、上传 .txt 文件或选一篇教学文本",
    "live.text_big": "文本有 {mb:.1f} MB；实时训练最多接受 {limit:g} MB：请用其中一部分",
    "live.file_big": "文件有 {mb:.1f} MB；实时训练最多接受 {limit:g} MB 文本：请上传其中一部分",
    "live.not_utf8": (
        "文件不是 UTF-8 文本：偏移 {offset:,}（第 {line} 行）的字节是 0x{byte}。"
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
