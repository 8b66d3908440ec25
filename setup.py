"""Build hook: every model folder of assets/models/ becomes package data lstmlm/_models/<name>/ in the wheel,
and the Live Lab's teaching texts (assets/teaching_texts/*.txt) lstmlm/_teaching_texts/*.txt.

The models stay in the top-level assets/ folder of the source tree; `lstmlm.bundled` finds them there in a
clone and in lstmlm/_models/ once installed. Only a folder's own files are copied (config.json, vocab.txt,
model.safetensors, its card, atlas, gradient flow...), not sub-folders such as a training run's resume/,
and no hidden or *.tmp files; the folders of CLONE_ONLY stay out of the wheel. All other settings are in
pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "assets" / "models"
TARGET = Path("lstmlm") / "_models"
TEXTS = Path(__file__).resolve().parent / "assets" / "teaching_texts"  # the Live Lab's built-in texts
TEXTS_TARGET = Path("lstmlm") / "_teaching_texts"
# Kept out of the wheel so that it stays under 100 MB (tests/test_wheel_install.py; ARCHITECTURE.md, "Size"):
# the WikiText-2 models (54 MB), for comparison with published figures. The wheel carries the default model
# with its Compare line-up (storybooks-gru, storybooks-rnn) and the character model; to use these from an
# installed wheel, copy their folders from a clone's assets/models/ into a $LSTMLM_MODELS_PATH folder.
CLONE_ONLY = frozenset({"wikitext2-lstm", "wikitext2-gru", "wikitext2-rnn"})


def model_files() -> list[tuple[Path, Path]]:
    """(file in assets/models, path inside the package tree) for every file the wheel carries."""
    pairs = []
    for folder in sorted(SOURCE.iterdir()) if SOURCE.is_dir() else []:
        if not (folder / "config.json").is_file() or folder.name in CLONE_ONLY:
            continue
        for f in sorted(folder.iterdir()):
            if f.is_file() and not f.name.startswith(".") and not f.name.endswith(".tmp"):
                pairs.append((f, TARGET / folder.name / f.name))
    return pairs


def teaching_text_files() -> list[tuple[Path, Path]]:
    """(file in assets/teaching_texts, path inside the package tree): the Live Lab's *.txt texts."""
    return [(f, TEXTS_TARGET / f.name) for f in sorted(TEXTS.glob("*.txt"))] if TEXTS.is_dir() else []


class build_py_with_models(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads assets/models/ in the clone itself
        for src, rel in model_files() + teaching_text_files():
            dest = Path(self.build_lib) / rel
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = [] if getattr(self, "editable_mode", False) else model_files() + teaching_text_files()
        return super().get_outputs(include_bytecode) + [str(Path(self.build_lib) / rel) for _, rel in extra]


if __name__ == "__main__":  # as every build frontend runs it; tests import model_files() alone
    setup(cmdclass={"build_py": build_py_with_models})
