"""Expected chat-template renderings from transformers' own apply_chat_template.

Usage: python Fixtures/text/chat_templates/make_chat_template_fixtures.py LLAMA_CPP_TEMPLATES_DIR

Copies every llama.cpp `models/templates/*.jinja` into templates/, then renders each one
with `PreTrainedTokenizerFast.apply_chat_template(tokenize=False)` on every conversation of
conversations.json, with and without add_generation_prompt. The tokenizer is a one-token
WordLevel model with bos/eos/unk/pad set, so the template sees the same special tokens a
real config gives. `datetime.now()` is pinned to NOW so `strftime_now` is reproducible.
Writes expected/NAME.json: for each case either {"text": ...} or {"error": ...}.
"""
import datetime as real_datetime
import json
import pathlib
import shutil
import sys

import transformers
from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast
from transformers.utils import chat_template_utils

HERE = pathlib.Path(__file__).resolve().parent
NOW = real_datetime.datetime(2026, 3, 14, 15, 9, 26)
SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}


class PinnedDatetime(real_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW


def main() -> None:
    source = pathlib.Path(sys.argv[1])
    chat_template_utils.datetime = PinnedDatetime
    conversations = json.loads((HERE / "conversations.json").read_text())
    vocab = {token: i for i, token in enumerate(SPECIAL.values())}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, **SPECIAL)
    (HERE / "templates").mkdir(exist_ok=True)
    (HERE / "expected").mkdir(exist_ok=True)
    summary = {"ok": 0, "error": 0}
    for path in sorted(source.glob("*.jinja")):
        shutil.copyfile(path, HERE / "templates" / path.name)
        tokenizer.chat_template = path.read_text(encoding="utf-8")
        cases = {}
        for conversation in conversations:
            for generation in (False, True):
                key = f"{conversation['name']}/{'gen' if generation else 'nogen'}"
                try:
                    text = tokenizer.apply_chat_template(conversation["messages"], tokenize=False,
                                                         add_generation_prompt=generation)
                    cases[key] = {"text": text}
                    summary["ok"] += 1
                except Exception as error:  # the template itself refuses (raise_exception, bad syntax …)
                    cases[key] = {"error": f"{type(error).__name__}: {error}"[:300]}
                    summary["error"] += 1
        out = {"template": path.name, "special_tokens": SPECIAL, "now": NOW.isoformat(),
               "transformers": transformers.__version__, "cases": cases}
        (HERE / "expected" / (path.stem + ".json")).write_text(
            json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()
