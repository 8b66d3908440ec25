"""Live Lab: train a small model on a text you bring in seconds, and watch it (see `run`).

The room's modules: `settings` (the text and settings, checked), `texts` (the teaching texts), `run`
(`train_live`: the corpus, the configs, the training, the zipped model), `command` (the cut of the text and
the `lstmlm train` command that repeats a run), `watcher` (samples and snapshots between steps),
`snapshots` (what they hold, and what changed between two). All is importable from here.
"""

from lstmlm.training.live.command import (
    LAB_THREADS,
    MIN_SPLIT_LINES,
    VALID_FRACTION,
    LiveSplit,
    live_command,
    split_text,
)
from lstmlm.training.live.run import (
    MAX_WORD_VOCAB,
    MIN_TOKENS,
    command_record,
    lab_batch_size,
    live_configs,
    live_corpus,
    live_split,
    max_vocab,
    probe_text,
    split_corpus,
    train_live,
    zip_model,
)
from lstmlm.training.live.settings import (
    MAX_TEXT_BYTES,
    TOKENIZERS,
    LiveSettings,
    LiveSettingsError,
    LiveTextError,
    check_text,
    read_upload,
)
from lstmlm.training.live.snapshots import (
    Sample,
    Snapshot,
    SnapshotData,
    UnitChange,
    load_snapshot,
    snapshot_changes,
)
from lstmlm.training.live.texts import (
    IN_CLONE,
    PACKAGED_TEXTS,
    SOURCE_TEXTS,
    TEACHING_TEXTS,
    TeachingText,
    planted_track,
    teaching_root,
    teaching_source,
)
from lstmlm.training.live.watcher import (
    MAX_FLOAT32_SNAPSHOT_PARAMS,
    MAX_PROBE_TOKENS,
    MAX_STATS_TOKENS,
    SATURATED,
    STATS_COLUMNS,
    LiveWatcher,
)

__all__ = [
    "IN_CLONE",
    "LAB_THREADS",
    "MAX_FLOAT32_SNAPSHOT_PARAMS",
    "MAX_PROBE_TOKENS",
    "MAX_STATS_TOKENS",
    "MAX_TEXT_BYTES",
    "MAX_WORD_VOCAB",
    "MIN_SPLIT_LINES",
    "MIN_TOKENS",
    "PACKAGED_TEXTS",
    "SATURATED",
    "SOURCE_TEXTS",
    "STATS_COLUMNS",
    "TEACHING_TEXTS",
    "TOKENIZERS",
    "VALID_FRACTION",
    "LiveSettings",
    "LiveSettingsError",
    "LiveSplit",
    "LiveTextError",
    "LiveWatcher",
    "Sample",
    "Snapshot",
    "SnapshotData",
    "TeachingText",
    "UnitChange",
    "check_text",
    "command_record",
    "lab_batch_size",
    "live_command",
    "live_configs",
    "live_corpus",
    "live_split",
    "load_snapshot",
    "max_vocab",
    "probe_text",
    "planted_track",
    "read_upload",
    "snapshot_changes",
    "split_corpus",
    "split_text",
    "teaching_root",
    "teaching_source",
    "train_live",
    "zip_model",
]
