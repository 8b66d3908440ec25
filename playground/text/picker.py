"""The model picker's and the model upload's words (playground/picker.py), as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "picker.model": ("Model", "模型"),
    "picker.open": ("Open a model", "打开一个模型"),
    "picker.about": (
        "A **.zip of a model folder** (config.json, model.safetensors, vocab.txt), or a **Keras** (.keras, "
        ".h5), **TensorFlow.js** (model.json with its .bin files) or **PyTorch** (.pt) file, with its token "
        "list when the file holds none. It opens in this tab; others keep their model.",
        "一个**模型文件夹的 .zip**（config.json、model.safetensors、vocab.txt），或一个 **Keras**（.keras、"
        ".h5）、**TensorFlow.js**（model.json 和它的 .bin 文件）或 **PyTorch**（.pt）文件；文件里没有词表时"
        "再加上它的词表。模型在这个标签页中打开；其他标签页保留各自的模型。",
    ),
    "picker.files": ("Model file(s)", "模型文件"),
    "picker.txt_is": ("A .txt file beside it is", "旁边的 .txt 文件是"),
    "picker.list_vocab": ("the token list (one token per line, or JSON)", "词表（每行一个词元，或 JSON）"),
    "picker.text_vocab": (
        "a text: its sorted characters are the vocabulary",
        "一段文本：它排序后的字符就是词表",
    ),
    "picker.open_button": ("Open", "打开"),
    "picker.cannot": ("Cannot open this model", "无法打开这个模型"),
    "picker.could_not": ("could not open {names}: {error}", "无法打开 {names}：{error}"),
}
