#!/usr/bin/env python3
"""Convert an upstream piper voice (<voice>.onnx + <voice>.onnx.json) into the layout sherpa-onnx loads.

This is what sherpa-onnx's scripts/piper/add_meta_data.py does for its vits-piper-* packages:
- tokens.txt from the config's `phoneme_id_map` ("<symbol> <first id>" per line, the newline symbol left out,
  because it cannot be written on a line of its own);
- the ONNX metadata sherpa's VITS loader reads (model_type=vits, comment=piper so it phonemizes with espeak-ng
  and interleaves blanks as piper does, language, voice = the espeak voice, has_espeak, n_speakers,
  sample_rate), replacing any metadata the model had.
The graph and weights are not touched. Usage: convert_piper.py <voice.onnx> <voice.onnx.json> <out dir>
"""
import json
import shutil
import sys
from pathlib import Path

import onnx


def tokens_txt(config: dict) -> str:
    lines = []
    for symbol, ids in config["phoneme_id_map"].items():
        if symbol == "\n":
            continue
        first = ids[0] if isinstance(ids, list) else ids
        lines.append(f"{symbol} {first}\n")
    return "".join(lines)


def metadata(config: dict) -> dict:
    rate = config["audio"]["sample_rate"]
    if rate == 22500:  # a known typo in a few upstream configs (sherpa corrects it the same way)
        rate = 22050
    voice = config.get("lang_code") or config["espeak"]["voice"]
    return {
        "model_type": "vits",
        "comment": "piper",
        "language": config["language"]["name_english"],
        "voice": voice,
        "has_espeak": 1,
        "n_speakers": config["num_speakers"],
        "sample_rate": rate,
    }


def convert(model_path: Path, config_path: Path, out_dir: Path) -> None:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("phoneme_type", "espeak") != "espeak":
        sys.exit(f"{config_path}: phoneme_type {config.get('phoneme_type')!r} is not supported (espeak voices only)")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "tokens.txt").write_text(tokens_txt(config), encoding="utf-8", newline="\n")
    model = onnx.load(str(model_path))
    while len(model.metadata_props):
        model.metadata_props.pop()
    for key, value in metadata(config).items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = str(value)
    tmp = out_dir / (model_path.name + ".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(out_dir / model_path.name)
    # Kept beside the model for the upstream piper runtime (the bench's reference) and for the record.
    shutil.copyfile(config_path, out_dir / config_path.name)
    card = model_path.parent / "MODEL_CARD"
    if card.exists():
        shutil.copyfile(card, out_dir / "MODEL_CARD")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: convert_piper.py <voice.onnx> <voice.onnx.json> <out dir>")
    convert(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
