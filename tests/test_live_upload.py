"""Train your own's file box hands the handler gradio's copy of the file, under the file's own name: what it
refuses is said with that name (it once said "the uploaded file"), a file over the size cap is refused
from its size without being read whole, and a copy gone from gradio's cache gets a message, not a
traceback."""

from __future__ import annotations

import warnings

from lstmlm.training.live import MAX_TEXT_BYTES
from playground.tabs.live import read_uploaded


def warned(path) -> tuple[tuple, list[str]]:
    """read_uploaded(path) and the warnings it showed (gr.Warning outside an event is a Python warning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = read_uploaded(str(path))
    return out, [str(w.message) for w in caught]


def test_a_refused_file_is_named_and_the_box_cleared(tmp_path):
    path = tmp_path / "café notes.txt"
    path.write_bytes("ab\ncaf\u00e9".encode("cp1252"))
    (text, box), said = warned(path)
    assert box is None and text == {"__type__": "update"}  # the text box left as it was
    assert said == [
        "café notes.txt is not UTF-8 text: the byte at offset 6 (line 2) is 0xe9. Save it as UTF-8 in your "
        "editor (or iconv -f cp1252 -t utf-8) and upload it again"
    ]
    path.write_bytes("Two roads\n".encode("utf-16"))
    assert warned(path)[1] == [
        "café notes.txt is UTF-16 text, not UTF-8: save it as UTF-8 in your editor (or iconv -f utf-16 -t "
        "utf-8) and upload it again"
    ]


def test_a_big_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "war.txt"
    path.write_bytes(b"a" * (3 * 10**6))  # 3.0 MB; only the cap's worth is read
    (_, box), said = warned(path)
    assert box is None and said == [
        f"war.txt is 3.0 MB; the Live Lab takes at most {MAX_TEXT_BYTES / 1e6:g} MB of text: "
        "upload a part of it"
    ]


def test_a_good_file_fills_the_text_box_and_a_lost_copy_is_said(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_bytes("\ufeffTwo roads diverged in a yellow wood\n".encode())
    (text, box), said = warned(path)
    assert text == "Two roads diverged in a yellow wood\n" and box == {"__type__": "update"} and said == []
    (text, box), said = warned(tmp_path / "gone.txt")
    assert box is None and said == [
        "the uploaded copy could not be read (No such file or directory): upload the file again"
    ]
