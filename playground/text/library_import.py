"""The Chinese of what `lstmlm.importing` says when a model file from another framework is refused (the
upload shows it; {path} is the file's name, {error} quotes Python's or the framework's own reason, which
stays English). Part of text/library.py's table (`CHINESE`), kept apart for its length; the same rules
apply (tests/test_library_messages.py checks every key against the source that says it)."""

from __future__ import annotations

IMPORTING: dict[str, str] = {
    "import.no_file": "{path}：没有这个文件",
    "import.folder": "{path}：这个文件夹里没有 model.json（TF.js）；请给出模型文件本身",
    "import.saved_model": (
        "{path}：这是 TensorFlow SavedModel，里面是 lstmlm 不会运行的 TensorFlow 程序："
        '请用 model.save("model.keras") 保存 Keras 模型，再导入那个文件'
    ),
    "import.nested_model": (
        "{where}：这是当作一层用的模型；lstmlm 只读一层层级的层。请把它展平成由同样的层组成的一个 Sequential"
        "（权重随层保留）：keras.Sequential([inner for layer in model.layers for inner in "
        "getattr(layer, 'layers', [layer])])，保存后导入它"
    ),
    "import.text_to_ids": (
        "{where}：lstmlm 只把 {kind} 层当作模型的第一层、输出词元编号（output_mode='int'）来读；这一层不是。"
        "请保存去掉它的模型（它之后的各层），"
        "再用 --vocab 给出它的词表（json.dump(layer.get_vocabulary(), f)）"
    ),
    "import.tf_checkpoint": (
        "{path}：这是 TensorFlow 检查点（不带 .h5 的 model.save_weights，或 tf.train.Checkpoint）：只有权重，"
        '没有模型结构。请用 model.save("model.keras")（或 .h5）保存整个模型，再导入那个文件'
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
    "import.vocab_size_num_words": (
        "词表有 {tokens:,} 个词元，而模型有 {classes:,} 个输出类别。Keras 的 Tokenizer(num_words={classes}) "
        "只读编号小于 {classes} 的词：请把 tokenizer.to_json() 保存的文件作为 --vocab 给出（它记着这一点）"
    ),
    "import.not_tied": "--tied：输出权重和嵌入不同，所以它们没有绑定",
    "import.tensors": "这些张量组不成一个这种大小的模型：{error}",
    "import.token_type": "词表里有 {token!r}，它不是字符串",
    "import.token_alike": "词表里同时有 {token!r} 和 {same!r}，lstmlm 把它们读成同一个",
    "import.token_break": "词表里有 {token!r}：不支持内部带换行的词元",
    "import.token_twice": "词表里有两个 {token!r}（编号 {first} 和 {second}）",
    "import.unreadable": "{path}：无法读取（{error}）",
    "import.not_a_model": (
        "{path}：不是 lstmlm 能读取的模型文件（Keras 的 .keras 或 .h5 文件、TF.js 的 model.json、"
        "用 torch.save 或 safetensors 保存的 PyTorch 状态字典）；请给出模型文件本身"
        "（词元列表用 --vocab，文本用 --chars-from）"
    ),
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
        "{where}：mask_zero=True（Keras 会跳过编号为 0 的每一步并保持状态）：nn.LSTM 没有掩码，所以拒绝导入。"
        "用 mask_zero=False 搭一个同样的模型，把权重复制过去（new_model.set_weights(model.get_weights())），"
        "保存后导入那个：对不含编号 0（填充编号）的任何文本，它的预测完全相同"
    ),
    "import.recurrent_late": "{where}：不支持输出层之后的循环层",
    "import.one_dense": (
        "{where}：lstmlm 读一个 Dense 层，位于循环层之后（不支持线性 + softmax 以外的输出头）"
    ),
    "import.dense_activation": "{where}：激活函数是 {activation!r}；输出层必须是线性 + softmax",
    "import.softmax_only": "{where}：Dense 输出层之后只支持一个 softmax",
    "import.mismatch_precision": (
        "{mismatch}。这个模型用 Keras 的 {policy} 数据类型策略：Keras 用 16 位浮点数计算它，"
        "lstmlm 用同样的权重以 float32 计算，所以 Keras 自己的输出会有 16 位舍入的差别（约 1e-3）；"
        "如果差别就这么小，请加上 --tolerance 1e-2 重新导入"
    ),
    "import.keras_feature": (
        "{where}：{feature}不是 lstmlm 能精确计算的；拒绝导入。lstmlm 导入由 Embedding（或 one-hot 输入）、"
        "LSTM / GRU / SimpleRNN 层、Dropout 和一个 Dense 输出层搭成的模型：请用这些层重新搭建并训练模型"
    ),
    "import.feature.attention": "注意力",
    "import.feature.conv_lstm": "卷积 LSTM",
    "import.feature.bidirectional": "双向层（它也倒着读文本，而预测下一个词元的模型不能这样做）",
    "import.feature.layer_norm": "层归一化",
    "import.feature.batch_norm": "批归一化",
    "import.feature.conv": "卷积",
    "import.feature.custom_rnn": "自定义的 RNN 细胞",
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
}
