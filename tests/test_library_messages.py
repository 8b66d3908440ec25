"""Issue 17 item 5: what lstmlm says to a person (lstmlm/messages.py) reaches a Chinese page in Chinese, with
the library's numbers, through the playground's table (playground/text/library.py); a message the table
lacks stays English. The table is checked against the library's source, read as code (ast)."""

from __future__ import annotations

import ast
import pickle
import re
import string
from pathlib import Path

import pytest

from lstmlm.checkpoint import load_model
from lstmlm.messages import Message, message_of
from lstmlm.prompt import MAX_PROMPT_WORDS, read_prompt
from lstmlm.sampling import check_settings
from lstmlm.studies.intervene import parse_units
from lstmlm.training.live.settings import LiveTextError, check_text, read_upload
from playground import markup
from playground.page_language import shown
from playground.text.library import CHINESE

ROOT = Path(__file__).resolve().parents[1]
SAYERS = [
    ROOT / "lstmlm",
    *(ROOT / "playground" / d for d in ("server", "views")),
]  # where Messages are written
MODELS = Path(__file__).resolve().parents[1] / "assets" / "models"
CHAR_MODEL = MODELS / "warpeace-char-lstm"


def library_messages() -> dict[str, list[tuple[str, set[str] | None]]]:
    """Every `Message(key, template, ...)` written in lstmlm's source: key -> [(template, keyword names or
    None when the call passes **values)], read from the code, not from the running library."""
    found: dict[str, list[tuple[str, set[str] | None]]] = {}
    for path in (p for folder in SAYERS for p in folder.rglob("*.py")):
        if path.name == "messages.py":  # the class itself (its _rebuilt passes names, not texts)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message"):
                continue
            key, template = node.args[0], node.args[1]
            if getattr(key, "attr", None) == "key" and getattr(template, "attr", None) == "template":
                continue  # Message(said.key, said.template, **values): a message written elsewhere, rebuilt
            assert isinstance(key, ast.Constant) and isinstance(template, ast.Constant), path
            names = {k.arg for k in node.keywords}
            assert not names & {"cls", "key", "template"}, (path, node.lineno)  # Message.__new__ takes these
            found.setdefault(key.value, []).append((template.value, None if None in names else names))
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_chinese_text_has_its_library_message_and_only_its_fields():
    messages = library_messages()
    assert "prompt.cut" in messages and len(messages) >= len(CHINESE)
    for key, chinese in CHINESE.items():
        assert key in messages, f"{key} is in text/library.py but lstmlm never says it"
        for template, names in messages[key]:
            given = fields(template) if names is None else names
            assert fields(chinese) <= given, (key, fields(chinese) - given)
    for key, uses in messages.items():  # one key, one English text: a reused key must mean one message
        assert len({template for template, _ in uses}) == 1, key


def test_the_prompt_length_notice_in_chinese_names_the_characters_read():
    model = load_model(CHAR_MODEL)
    text = "Moscow burned. " * 40  # 600 characters, each one a token of the character model
    prompt = read_prompt(model.vocab, text)
    assert len(text) > MAX_PROMPT_WORDS and len(prompt.tokens) == MAX_PROMPT_WORDS == 300
    assert "".join(prompt.tokens) == text[-300:]  # the characters kept are the text's last 300
    assert (
        prompt.notice == "Your text is long: the model reads only its last 300 characters (the limit is 300)."
    )
    assert shown(prompt.notice, "zh") == "文本太长：模型只读最后 300 个字符（上限是 300）。"
    assert shown(prompt.notice, "en") == prompt.notice  # English pages read the library's own text
    # markup.notice, the yellow line every view shows it in, outside a request is English
    assert markup.notice(prompt.notice) == f'<div class="lp-notice">{prompt.notice}</div>'


def test_a_word_models_notice_says_words():
    model = load_model(MODELS / "storybooks-lstm")
    prompt = read_prompt(model.vocab, "the " * 350)
    assert prompt.unit == "word" and len(prompt.tokens) == 300
    assert shown(prompt.notice, "zh") == "文本太长：模型只读最后 300 个词（上限是 300）。"


@pytest.mark.parametrize(
    ("refuse", "chinese"),
    [
        (lambda: check_settings(-0.5, 0, 1.0), "温度必须是 >= 0 的数（0 = 总是选最可能的词），现在是 -0.5"),
        (lambda: check_settings(1.0, 0, 1.5), "top_p 必须在 (0, 1] 之间（1 = 不限制），现在是 1.5"),
        (lambda: parse_units("3,9-4", 64), "范围 9-4 是倒着写的：请写成 4-9"),
        (lambda: parse_units("70", 64), "单元 70 不存在：这一层的单元是 0..63"),
        (
            lambda: read_upload(b"x" * 2_500_000, "a.txt"),
            "文件 a.txt 有 2.5 MB；实时训练最多接受 2 MB 文本：请上传其中一部分",
        ),
        (
            lambda: read_upload(b"\x89PNG\r\n\x00\x00", "photo.txt"),
            "文件 photo.txt 含有二进制数据（NUL 字符），不是文本：请用纯文本 .txt 文件",
        ),
        (lambda: check_text("a\x00b"), "它含有二进制数据（NUL 字符），不是文本：请用纯文本 .txt 文件"),
    ],
)
def test_a_refusal_in_chinese_keeps_the_librarys_numbers(refuse, chinese):
    with pytest.raises(ValueError) as raised:
        refuse()
    assert message_of(raised.value) is not None
    assert shown(raised.value, "zh") == chinese
    assert shown(raised.value, "en") == str(raised.value)


def test_an_unknown_message_falls_back_to_english():
    assert shown(ValueError("something only English knows"), "zh") == "something only English knows"
    assert shown("a plain notice", "zh") == "a plain notice"
    unlisted = Message("nowhere.listed", "{n} things went wrong", n=3)
    assert shown(unlisted, "zh") == "3 things went wrong"
    assert shown(LiveTextError(unlisted), "zh") == "3 things went wrong"


def test_a_message_survives_pickling_with_its_key():
    said = Message("live.text_big", "the text is {mb:.1f} MB; at most {limit:g}", mb=2.25, limit=2.0)
    back = pickle.loads(pickle.dumps(LiveTextError(said)))
    assert type(back) is LiveTextError and str(back) == "the text is 2.2 MB; at most 2"
    assert message_of(back).key == "live.text_big" and message_of(back).values == {"mb": 2.25, "limit": 2.0}
    assert shown(back, "zh") == "文本有 2.2 MB；实时训练最多接受 2 MB：请用其中一部分"


def test_an_upload_refusal_in_chinese_keeps_its_numbers(tmp_path, monkeypatch):
    from playground.server.model_upload import UploadError, open_upload

    with pytest.raises(UploadError) as none:
        open_upload([], tmp_path / "m")
    assert (
        shown(none.value, "zh")
        == "请先选择模型文件（并等它上传完）：模型文件夹的 .zip，或 .keras、.h5、.pt 文件"
    )
    text = tmp_path / "notes.txt"
    text.write_bytes(b"x" * (3 * 1024 * 1024))  # 3 MB (of 1024 * 1024 bytes), over a 2 MB limit
    monkeypatch.setattr("playground.server.model_upload.UPLOAD_MB", 2)
    with pytest.raises(UploadError) as big:
        open_upload([text], tmp_path / "m")
    assert str(big.value) == "the files hold 3 MB; the limit is 2 MB for one upload"
    assert shown(big.value, "zh") == "这些文件共 3 MB；一次上传的上限是 2 MB"


def test_a_class_game_refusal_in_chinese(monkeypatch):
    from playground.server.room import MAX_SENTENCE_WORDS, RoomError, normalize_guess, split_sentence
    from playground.server.rooms import RoomStore

    with pytest.raises(RoomError) as two:
        normalize_guess("the cat")
    assert shown(two.value, "zh") == "只猜一个词（不要空格）：接下来的那个词"
    long = " ".join(["word"] * (MAX_SENTENCE_WORDS + 5))
    with pytest.raises(RoomError) as too_long:
        split_sentence(long, str.split)
    assert (
        shown(too_long.value, "zh") == f"这句话有 {MAX_SENTENCE_WORDS + 5} 个词：最多 {MAX_SENTENCE_WORDS} 个"
    )
    store = RoomStore()
    with pytest.raises(RoomError) as missing:
        store.join("ZZZZ9")
    hours = store.idle_expiry_s / 3600
    assert str(missing.value).startswith("no open room has the code ZZZZ9")
    assert shown(missing.value, "zh").startswith("没有代码为 ZZZZ9 的开着的房间")
    assert f"最后一次变化 {hours:g} 小时后关闭" in shown(missing.value, "zh")


def test_a_views_refusal_in_chinese():
    from playground.views.units import parse_span

    assert parse_span("7-3", 9) == (3, 8)  # a range written backwards is read as 3-7
    with pytest.raises(ValueError) as outside:
        parse_span("4-12", 9)
    assert str(outside.value) == "the range must lie within words 0..8 of the prompt, got 4-12"
    assert shown(outside.value, "zh") == "范围必须在文本的第 0..8 个词之内，现在是 4-12"


def english_run(text: str) -> int:
    """The longest run of English words (2+ letters, separated by single spaces) in `text`."""
    return max((len(run.split()) for run in re.findall(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})*", text)), default=0)


def test_every_importer_refusal_is_a_message_with_its_chinese():
    said = {key for key in library_messages() if key.startswith("import.")}
    assert len(said) >= 100 and sorted(said - set(CHINESE)) == []  # each one an upload can show, in Chinese
    raises = []  # every `raise ImportModelError(...)` / CertificateError(...) in lstmlm/importing
    for path in (ROOT / "lstmlm" / "importing").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                if getattr(node.exc.func, "id", "") in ("ImportModelError", "CertificateError"):
                    raises.append((path.name, node.lineno, node.exc.args[0]))
    assert len(raises) >= 95, len(raises)
    text = [(name, line) for name, line, arg in raises if isinstance(arg, (ast.Constant, ast.JoinedStr))]
    assert text == []  # a Message (or a function returning one), never a plain or f-string


def test_a_model_file_without_its_vocabulary_is_refused_in_chinese(tmp_path):
    import torch
    from torch import nn

    from playground.server.model_upload import UploadError, import_files

    net = nn.ModuleDict({"embedding": nn.Embedding(12, 8), "lstm": nn.LSTM(8, 8), "fc": nn.Linear(8, 12)})
    torch.save(net.state_dict(), tmp_path / "m.pt")  # a PyTorch LSTM language model, no token list
    with pytest.raises(UploadError) as refused:
        import_files([tmp_path / "m.pt"], tmp_path / "out")
    english, chinese = str(refused.value), shown(refused.value, "zh")
    assert english.startswith("m.pt: the file holds no vocabulary (12 output classes)")
    assert english.endswith(
        "or choose 'a text: its sorted characters are the vocabulary' under 'A .txt file beside it is'"
    )
    assert chinese.startswith(
        "m.pt：文件里没有词表（12 个输出类别），旁边也没有找到（找过 vocab.json, vocab.txt"
    )
    assert chinese.endswith("在应用里：请把词表（.txt，每行一个词元，或 .json）和模型文件一起上传，"
                            "或在“旁边的 .txt 文件是”下选择“一段文本：它排序后的字符就是词表”")  # fmt: skip
    assert str(tmp_path) not in english and str(tmp_path) not in chinese  # the file's name, not the folder
    assert english_run(english) >= 8 and english_run(chinese) <= 2, chinese  # "vocab FILE", no sentence


def test_a_token_list_of_another_size_asks_for_the_right_one_in_chinese(tmp_path):
    import torch
    from torch import nn

    from playground.server.model_upload import UploadError, import_files

    net = nn.ModuleDict({"embedding": nn.Embedding(5, 4), "lstm": nn.LSTM(4, 4), "fc": nn.Linear(4, 5)})
    torch.save(net.state_dict(), tmp_path / "m.pt")
    (tmp_path / "tokens.txt").write_text("a\nb\nc\n", encoding="utf-8")  # 3 tokens for 5 classes
    with pytest.raises(UploadError) as refused:
        import_files([tmp_path / "m.pt", tmp_path / "tokens.txt"], tmp_path / "out")
    assert message_of(refused.value).key == "upload.needs_vocab"  # found by the importer's key, not its text
    assert str(refused.value).startswith("the vocabulary has 3 tokens but the model has 5 output classes")
    assert shown(refused.value, "zh").startswith(
        "词表有 3 个词元，而模型有 5 个输出类别："
        "请给出它训练时用的词表（--vocab FILE，或 --chars-from TEXT）。在应用里：请把词表"
    )


def test_a_refused_keras_file_and_a_pickled_model_are_refused_in_chinese(tmp_path):
    pytest.importorskip("h5py", reason="the Keras readers need h5py")
    import numpy as np
    import torch
    from keras_reference import Layer, random_layers, write_keras2_h5

    from playground.server.model_upload import UploadError, import_files

    layers = random_layers(np.random.default_rng(0), 7, 8, "LSTM", 2, False)
    layers.insert(2, Layer("LayerNormalization", "norm"))  # between the two LSTMs: not an LSTM's part
    keras_file = write_keras2_h5(tmp_path / "m.h5", layers)
    torch.save(torch.nn.Linear(3, 3), tmp_path / "whole.pt")  # a whole module: pickled code, never loaded
    corrupt = tmp_path / "broken.h5"
    corrupt.write_bytes(b"\x89HDF\r\n\x1a\n" + b"not an HDF5 file" * 4)
    said = {}
    for path in (keras_file, tmp_path / "whole.pt", corrupt):
        with pytest.raises(UploadError) as refused:
            import_files([path], tmp_path / "out")
        said[path.name] = (str(refused.value), shown(refused.value, "zh"))
    assert said["m.h5"] == (
        "LayerNormalization layer 'norm': layer normalization is not something lstmlm can compute exactly; "
        "refused. lstmlm imports models built from Embedding (or one-hot input), LSTM / GRU / SimpleRNN "
        "layers, Dropout and one Dense output layer: rebuild and retrain the model from those",
        "无法导入这个文件：LayerNormalization 层 'norm'：层归一化不是 lstmlm 能精确计算的；拒绝导入。"
        "lstmlm 导入由 Embedding（或 one-hot 输入）、LSTM / GRU / SimpleRNN 层、Dropout 和一个 Dense "
        "输出层搭成的模型：请用这些层重新搭建并训练模型",
    )
    english, chinese = said["whole.pt"]
    assert english.startswith("whole.pt: not a plain state dict: it holds a pickled torch.nn.modules.linear.")
    assert chinese.startswith(
        "无法导入这个文件：whole.pt：不是普通的 state dict：它含有一个 pickle 的 torch.nn.modules.linear."
    )
    assert "这永远不会被加载（加载它会运行文件里的代码）" in chinese
    english, chinese = said.pop("broken.h5")
    reason = english.removeprefix("broken.h5: not a readable HDF5 file (").removesuffix(")")  # h5py's
    assert reason != english and chinese == f"无法导入这个文件：broken.h5：不是可读的 HDF5 文件（{reason}）"
    assert str(tmp_path) not in english
    for english, chinese in said.values():
        assert str(tmp_path) not in english and str(tmp_path) not in chinese
        assert english_run(chinese) <= 2, chinese  # technical names only ("state dict")


def test_an_importer_refusal_keeps_its_key_without_escape_codes():
    from lstmlm.importing import ImportModelError

    error = ImportModelError(Message("import.no_file", "{path}: no such file", path="/x/a\x1b[31mb.pt"))
    assert str(error) == "/x/ab.pt: no such file" and "\x1b" not in shown(error, "zh")
    assert message_of(error).key == "import.no_file" and message_of(error).values == {"path": "/x/ab.pt"}
    assert shown(error, "zh") == "/x/ab.pt：没有这个文件"
    assert str(ImportModelError("plain \x1b[2Jtext")) == "plain text"  # plain text is cleaned too
