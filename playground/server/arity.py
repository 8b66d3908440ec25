"""The number of values a call sends (raw HTTP: `{"data": [...]}`, parameters in order).

Too few: the parameters left out that have a default get it, as gradio_client does (so a script written
before a parameter was added keeps working); if one without a default is missing, the call ends in an
error event naming the missing parameters, instead of Gradio's anonymous `{"error": null}`.
Too many: an error event that says so (Gradio drops the extras, so a value in the wrong place would go
unnoticed).
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from gradio.utils import get_function_params


def parameters(block_fn) -> list[tuple[str, bool, Any]]:
    """(name, has_default, default) of each value an endpoint takes, in the order `data` lists them:
    the names /gradio_api/info shows (the handler's own parameter names), else `value_<n>`."""
    params = get_function_params(block_fn.fn) if block_fn.fn is not None else []
    configured = list(getattr(block_fn, "input_parameter_names", None) or [])
    out = []
    for n in range(len(block_fn.inputs)):
        name = configured[n] if n < len(configured) and configured[n] else None
        has_default, default = False, None
        if n < len(params):
            name = name or params[n][0]
            has_default, default = params[n][1], params[n][2]
        out.append((name or f"value_{n}", has_default, default))
    return out


def arity_message(block_fn, sent: int) -> str | None:
    """What to tell a caller who sent `sent` values to `block_fn`; None when the count is right, or when
    every parameter left out has a default."""
    params = parameters(block_fn)
    names = [name for name, _, _ in params]
    endpoint = f"/{block_fn.api_name}" if block_fn.api_name else (block_fn.name or "this endpoint")
    takes = f"{endpoint} takes {len(names)}, in this order: {', '.join(names)}"
    if sent > len(params):
        return f'{sent} values sent, {sent - len(params)} too many ({takes}). Send exactly these in "data".'
    missing = [name for name, has_default, _ in params[sent:] if not has_default]
    if not missing:
        return None
    return (
        f"missing parameter{'s' * (len(missing) != 1)}: {', '.join(missing)} ({sent} sent; {takes}). "
        'Send them in "data", in this order (the ones after them may be left out: they have defaults).'
    )


def install(demo: gr.Blocks) -> gr.Blocks:
    """Make `demo` check the values of every call to a named endpoint: trailing parameters left out get
    their defaults, a missing one without a default or extra values raise gr.Error naming the
    parameters. Calls to unnamed listeners keep Gradio's own check. Returns `demo`."""
    gradio_check = demo.validate_inputs

    def validate_inputs(block_fn, inputs: list) -> None:
        if block_fn.api_name and block_fn.fn is not None:
            message = arity_message(block_fn, len(inputs))
            if message:
                raise gr.Error(message, title="Wrong number of values", print_exception=False)
            # Blocks.preprocess_data reads this same list next: the defaults gradio_client would send
            inputs.extend(default for _, _, default in parameters(block_fn)[len(inputs) :])
        gradio_check(block_fn, inputs)

    demo.validate_inputs = validate_inputs  # Blocks.preprocess_data calls self.validate_inputs
    return demo
