"""Live Lab: train a small model on a text you bring in seconds, and watch it (see `run`).

The room's modules: `settings` (the text and settings, checked), `texts` (the teaching texts), `run`
(`train_live`: the corpus, the configs, the training, the zipped model), `watcher` (samples and snapshots
between steps), `snapshots` (what they hold, and what changed between two). All is importable from here.
"""

from lstmlm.training.live.run import (
    MAX_WORD_VOCAB,
    MIN_TOKENS,
    VALID_FRACTION,
    live_configs,
    live_corpus,
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
    PACKAGED_TEXTS,
    SOURCE_TEXTS,
    TEACHING_TEXTS,
    TeachingText,
    planted_track,
    teaching_root,
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
    "MAX_FLOAT32_SNAPSHOT_PARAMS",
    "MAX_PROBE_TOKENS",
    "MAX_STATS_TOKENS",
    "MAX_TEXT_BYTES",
    "MAX_WORD_VOCAB",
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
    "LiveTextError",
    "LiveWatcher",
    "Sample",
    "Snapshot",
    "SnapshotData",
    "TeachingText",
    "UnitChange",
    "check_text",
    "live_configs",
    "live_corpus",
    "load_snapshot",
    "planted_track",
    "read_upload",
    "snapshot_changes",
    "teaching_root",
    "train_live",
    "zip_model",
]
