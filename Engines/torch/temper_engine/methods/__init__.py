"""One module per transform; `operations.txt` beside the package lists what is here.

A method module defines `OPERATION` (the Temper operation name) and
`build(transform, job) -> step_loss`, where `step_loss(model, batch, step, noise)` returns
`(total, parts)`: the global loss tensor (the same on every rank) and a dict of its parts
as floats, named as Temper's metrics. Unlearn jobs pass the step's forget batch
(ids, attention, labels) instead of a paired batch. A step_loss with
`takes_retain = True` (RMU) is called with `retain=` the step's retain batch and train.py adds
no retain CE of its own. Adding a method is one module here plus its line in operations.txt.
"""

import importlib
import os

MODULES = {
    "harden repnoise": "repnoise",
    "harden adversarial": "adversarial",
    "unlearn ga": "unlearn",
    "unlearn graddiff": "unlearn",
    "unlearn npo": "unlearn",
    "unlearn simnpo": "unlearn",
    "unlearn rmu": "rmu",
    "attack finetune": "attack",
    "harden lat": "lat",
}


def listed_operations():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "operations.txt")
    if not os.path.exists(path):  # inside a job folder: engine/operations.txt
        path = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "operations.txt")
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def method(operation):
    if operation not in MODULES:
        raise ValueError(f"'{operation}' is not implemented in the torch engine (have: {', '.join(MODULES)})")
    return importlib.import_module(f".{MODULES[operation]}", __name__)
