"""The classroom bar's words (playground/classroom/bar.py), as (English, Chinese) pairs."""

PAIRS: dict[str, tuple[str, str]] = {
    "classroom.link": ("Link to this screen", "本页面的链接"),
    "classroom.link_label": (
        "Share this link: it opens the same text, view and settings",
        "分享这个链接：它会打开同样的文本、视图和设置",
    ),
    "classroom.present": ("Presenter mode", "演示模式"),
    "classroom.lang": ("中文", "English"),
}
