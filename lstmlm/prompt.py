"""Reading a prompt, in one place: the caps, the memo of states after recent prompts, and the traces of
recent prompts. `reader(model)` is the model's one `PromptReader`; the playground's views, the CLI and the
studies read prompts through it. The model's steps themselves are `lstmlm.stepping`'s.

`PrefixStates.read(ids)` returns exactly what `advance(model, ids, start)` returns, bit for bit:

    prompt ids:    [w1, w2, w3, w4]            cached: (w1, w2, w3) -> state after w3 (and after w1, w1 w2)
    advance:       start -> w1 -> w2 -> w3 -> w4      (one single step per word, below FUSED_MIN_STEPS words)
    read:                         cached state -> w4  (the same single step, on the same state tensors)

`advance` reads a prompt on CPU in fused chunks of FUSED_MIN_STEPS words counted from its first word, then
single steps (`lstmlm.stepping`). So a prompt one word longer than one read before continues from the cached
state with one single step, at any length, and a prompt that completes a chunk runs that chunk from the state
cached at the chunk's start: the very same operations on the very same numbers as a fresh `advance`.
(On a GPU, and in training, `advance` reads the whole prompt in one fused call; the memo then reuses a prompt
only whole.)
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from lstmlm.messages import Message
from lstmlm.model import FUSED_MIN_STEPS, LanguageModel, State
from lstmlm.stepping import advance, read_ids, start_state, step, top_h  # noqa: F401 - advance: old import path
from lstmlm.trace import Trace, trace
from lstmlm.vocab import Vocab

MAX_PROMPT_WORDS = 300  # the model reads at most the last 300 words of a prompt; `Prompt.notice` says so
MAX_PROMPT_CHARS = 30_000  # only the last 30k characters are tokenized, so a pasted book stays fast
MAX_ENTRIES = 1024  # states kept; ~10 KB each for 2 layers of 512 units (h, c and the top layer's output)
MAX_TRACES = 4  # traces kept per model; ~12 MB each for 300 words through 2 layers of 512 units


@dataclass
class Prompt:
    """A prompt as the model reads it; `cut` says earlier words were left out (see `notice`)."""

    tokens: list[str]
    ids: list[int]
    unknown: list[int]  # positions in `tokens` the vocabulary lacks (read as <unk>)
    cut: bool = False
    unit: str = "word"  # what one step is: "word" or "character" (the model's tokenizer)
    limit: int = MAX_PROMPT_WORDS  # the most tokens it was read with (a view may read fewer)

    @property
    def notice(self) -> str:
        """Empty for a whole prompt; else a `Message` (key "prompt.cut") saying how many of the last tokens
        the model reads and the cap it was read with, which an app may show in its language."""
        if not self.cut:
            return ""
        return Message(
            "prompt.cut",
            "Your text is long: the model reads only its last {n} {unit}s (the limit is {limit}).",
            n=len(self.tokens),
            unit=self.unit,
            limit=self.limit,
        )


def read_prompt(vocab: Vocab, text: str | None, max_words: int = MAX_PROMPT_WORDS) -> Prompt:
    """Tokenize the last MAX_PROMPT_CHARS characters of `text` and keep its last `max_words` tokens."""
    text = text or ""
    cut_chars = len(text) > MAX_PROMPT_CHARS
    if cut_chars:
        text = text[-MAX_PROMPT_CHARS:]
    enc = vocab.encode_text(text)
    start = max(0, len(enc.tokens) - max_words)
    if cut_chars and start == 0 and len(enc.tokens) > 1:
        start = 1  # the first token may be half a word
    return Prompt(
        tokens=enc.tokens[start:],
        ids=enc.ids[start:],
        unknown=[p - start for p in enc.unknown if p >= start],
        cut=cut_chars or start > 0,
        unit=vocab.tokenizer.unit,
        limit=max_words,
    )


class PrefixStates:
    """An LRU memo of `advance(model, ids, start)`: ids -> (state, top-layer output), thread-safe.

    The model and `start` are read-only (nothing writes into their tensors), so one memo serves every user.
    """

    def __init__(self, model: LanguageModel, start: State, max_entries: int = MAX_ENTRIES):
        self.model = model
        self.start = start
        self.max_entries = max(1, int(max_entries))
        self._states: OrderedDict[tuple[int, ...], tuple[State, torch.Tensor]] = OrderedDict()
        self._lock = threading.Lock()
        self.steps_run = 0  # single steps computed so far (what the memo did not save)
        self.chunks_run = 0  # fused chunks of FUSED_MIN_STEPS words computed so far

    def __len__(self) -> int:
        return len(self._states)

    def _get(self, key: tuple[int, ...]) -> tuple[State, torch.Tensor] | None:
        with self._lock:
            entry = self._states.get(key)
            if entry is not None:
                self._states.move_to_end(key)
            return entry

    def _put(self, key: tuple[int, ...], entry: tuple[State, torch.Tensor]) -> None:
        with self._lock:
            self._states[key] = entry
            self._states.move_to_end(key)
            while len(self._states) > self.max_entries:
                self._states.popitem(last=False)

    @torch.no_grad()
    def read(self, ids: Sequence[int]) -> tuple[torch.Tensor, State]:
        """Log-probabilities (V,) after the last of `ids` and the state, as `advance(model, ids, start)`."""
        key = tuple(int(i) for i in ids)
        if not key:
            raise ValueError("read needs at least one word")
        model = self.model
        hit = self._get(key)
        if hit is not None:
            state, top = hit
            return model.log_probs(top), state
        if model.training or model.embedding.weight.device.type != "cpu":  # one fused call: reused only whole
            top, state = read_ids(model, key, self.start)
            self._put(key, (state, top))
            return model.log_probs(top), state
        K = FUSED_MIN_STEPS
        whole = len(key) - len(key) % K  # advance reads key[:whole] in fused chunks of K, then single steps
        done, state = 0, self.start
        for n in range(len(key) - 1, 0, -1):  # the longest prefix already read that advance passes through
            entry = self._get(key[:n]) if n >= whole or n % K == 0 else None  # not from inside a chunk
            if entry is not None:
                done, state = n, entry[0]
                break
        while done < whole:  # the chunks still to read, one fused call each (as advance)
            top, state = read_ids(model, key[done : done + K], state)
            done += K
            self._put(key[:done], (state, top))
            self.chunks_run += 1
        device = model.embedding.weight.device
        for n in range(done, len(key)):
            h, state = step(model, torch.tensor([key[n]], device=device), state)  # (1, H)
            top = h[0]
            self._put(key[: n + 1], (state, top))
            self.steps_run += 1
        return model.log_probs(top), state


class PromptReader:
    """How a model reads prompts, from the start of a line: the caps (`prompt`), the line-start state
    (`start`), one step (`step`), the memo of states after recent prompts (`read`, `next_log_probs`) and
    the instrumented trace of the last MAX_TRACES prompts (`trace`). Thread-safe; every tensor it returns
    is shared by every caller and read-only. For a model in eval mode whose weights do not change (a reader
    keeps what it computed)."""

    def __init__(self, model: LanguageModel, max_entries: int = MAX_ENTRIES, max_traces: int = MAX_TRACES):
        self.model = model
        self.start: State = start_state(model)  # after a line break: where every view starts reading
        self.prefixes = PrefixStates(model, self.start, max_entries)
        self.max_traces = max(1, int(max_traces))
        self._traces: OrderedDict[tuple[int, ...], Trace] = OrderedDict()
        self._lock = threading.Lock()
        self.traces_run = 0  # traces computed so far (what the memo did not save)

    @property
    def traces_kept(self) -> int:
        """How many traces the memo holds now (at most `max_traces`)."""
        return len(self._traces)

    def prompt(self, text: str | None, max_words: int = MAX_PROMPT_WORDS) -> Prompt:
        """`text` cut by the model's tokenizer and capped (`read_prompt`). ValueError for a model without a
        vocabulary (one built by hand): it reads ids only (`read`, `trace`)."""
        vocab = getattr(self.model, "vocab", None)
        if vocab is None:
            raise ValueError(
                Message(
                    "prompt.no_vocab",
                    "this model has no vocabulary to read text with: give it token ids instead",
                )
            )
        return read_prompt(vocab, text, max_words)

    @torch.no_grad()
    def step(
        self, ids: torch.Tensor | Sequence[int], state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        """One word per row, ids (B,), from `state` (None: the line start, batch of one): the top layer's
        h (B, H) and the new state, as `step` (the single-step kernels)."""
        ids = torch.as_tensor(ids, dtype=torch.long, device=self.model.embedding.weight.device).reshape(-1)
        return step(self.model, ids, self.start if state is None else state)

    def read(self, ids: Sequence[int]) -> tuple[torch.Tensor, State]:
        """Log-probabilities (V,) after the last of `ids` and the state, as `advance` from the line start,
        bit for bit (the memo: one step per word added to a prompt read before). ValueError for no ids."""
        return self.prefixes.read(ids)

    @torch.no_grad()
    def next_log_probs(self, ids: Sequence[int]) -> torch.Tensor:
        """Log-probabilities (V,) of the word after `ids`; no ids: after the line start itself."""
        if len(ids):
            return self.read(ids)[0]
        return self.model.log_probs(top_h(self.start))

    def trace(self, ids: Sequence[int]) -> Trace:
        """`trace(model, ids, start, log_probs=False)`: every layer's gates, cell and hidden state over the
        prompt read from the line start, the same object again for a prompt among the last MAX_TRACES.
        ValueError for no ids (`lstmlm.trace.trace`)."""
        key = tuple(int(i) for i in ids)
        with self._lock:
            found = self._traces.get(key)
            if found is not None:
                self._traces.move_to_end(key)
                return found
        traced = trace(self.model, key, self.start, log_probs=False)  # outside the lock: others keep reading
        with self._lock:
            self.traces_run += 1
            self._traces[key] = traced
            while len(self._traces) > self.max_traces:
                self._traces.popitem(last=False)
        return traced


_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> its PromptReader
_READERS_LOCK = threading.Lock()


def reader(model: LanguageModel) -> PromptReader:
    """The model's one PromptReader, made on first use and shared by every caller and thread (the model is
    read-only, so what it computed stays right). It holds the model weakly: it goes when the model does."""
    found = _READERS.get(model)
    if found is None:
        with _READERS_LOCK:
            found = _READERS.get(model)
            if found is None:
                # a proxy: a reader that held the model itself would keep its own weak key alive forever
                found = _READERS[model] = PromptReader(weakref.proxy(model))
    return found
