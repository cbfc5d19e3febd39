"""Turn the packaged Gemma 3 270M GGUF into a Hugging Face model directory that vLLM serves.

Run with the vLLM venv's python (it has transformers, gguf and accelerate):

    .venv-vllm/bin/python tests/vllm/gguf_to_hf.py MODEL.gguf data/vllm/gemma3-270m

transformers reads the GGUF and dequantizes every weight (GgufConfig(dequantize=True)); the
dense model is saved in bfloat16 with save_pretrained, next to the tokenizer read from the same
file. The GGUF has no chat template, so tests/vllm/gemma_chat_template.jinja is put in the
tokenizer (run.sh also hands it to vLLM with --chat-template). Nothing is fetched from a model
hub: the script sets HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE itself.

A finished directory holds a `.complete` file naming the GGUF's size; with it in place (and
the same GGUF) the script does nothing. The work is done in a sibling temporary directory that
is renamed into place at the end, so an interrupted run leaves no half-made model behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TEMPLATE = Path(__file__).with_name("gemma_chat_template.jinja")
MARKER = ".complete"
# What the directory must hold besides the marker for vLLM to serve it.
NEEDED = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def _stamp(gguf: Path) -> dict[str, object]:
    return {"gguf": gguf.name, "gguf_bytes": gguf.stat().st_size}


def is_complete(out_dir: Path, gguf: Path) -> bool:
    marker = out_dir / MARKER
    if not marker.is_file() or not all((out_dir / name).is_file() for name in NEEDED):
        return False
    try:
        return json.loads(marker.read_text()) == _stamp(gguf)
    except ValueError:
        return False


def convert(gguf: Path, out_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    tmp_dir = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp_dir, ignore_errors=True)

    started = time.monotonic()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tokenizer.chat_template = TEMPLATE.read_text()
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent),
        gguf_file=gguf.name,
        quantization_config=GgufConfig(dequantize=True),
        dtype=torch.bfloat16,
    )
    print(
        f"loaded {type(model).__name__} ({sum(p.numel() for p in model.parameters()) / 1e6:.0f}M"
        f" parameters) in {time.monotonic() - started:.0f} s",
        flush=True,
    )

    # A chat turn ends with <end_of_turn>: stop there as well as at <eos>.
    stops = [tokenizer.eos_token_id]
    end_of_turn = tokenizer.convert_tokens_to_ids("<end_of_turn>")
    if isinstance(end_of_turn, int) and end_of_turn != tokenizer.unk_token_id:
        stops.append(end_of_turn)
    model.generation_config.eos_token_id = stops

    # The weights are dense now: the saved config must not claim GGUF quantization.
    for holder in (model.config, getattr(model, "hf_quantizer", None)):
        if holder is not None and hasattr(holder, "quantization_config"):
            with contextlib.suppress(AttributeError):
                delattr(holder, "quantization_config")
    model.save_pretrained(tmp_dir)
    tokenizer.save_pretrained(tmp_dir)

    config = json.loads((tmp_dir / "config.json").read_text())
    if "quantization_config" in config:
        del config["quantization_config"]
        (tmp_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    missing = [name for name in NEEDED if not (tmp_dir / name).is_file()]
    if missing:
        raise SystemExit(f"conversion left out {', '.join(missing)} in {tmp_dir}")

    (tmp_dir / MARKER).write_text(json.dumps(_stamp(gguf)) + "\n")
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp_dir.rename(out_dir)
    print(f"converted in {time.monotonic() - started:.0f} s", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} MODEL.gguf OUT_DIR", file=sys.stderr)
        return 2
    gguf, out_dir = Path(argv[1]).resolve(), Path(argv[2]).resolve()
    if not gguf.is_file():
        print(f"no GGUF at {gguf}", file=sys.stderr)
        return 2
    if is_complete(out_dir, gguf):
        print(f"{out_dir} is already complete: nothing to do", flush=True)
        return 0
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    convert(gguf, out_dir)
    size = sum(f.stat().st_size for f in out_dir.iterdir() if f.is_file())
    print(f"{out_dir}: {size / 2**20:.0f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
