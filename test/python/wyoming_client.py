"""Home Assistant's side of the Wyoming protocol, with the `wyoming` package from PyPI as its client.

usage: wyoming_client.py <port> describe
       wyoming_client.py <port> transcribe <file.wav> [language]
       wyoming_client.py <port> synthesize <text> <out.wav> [voice]
Prints one JSON line with what the server answered.
"""
import asyncio
import json
import sys
import wave

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize, SynthesizeVoice


async def main() -> None:
    port = int(sys.argv[1])
    cmd = sys.argv[2]
    async with AsyncTcpClient("127.0.0.1", port) as client:
        if cmd == "describe":
            await client.write_event(Describe().event())
            info = Info.from_event(await client.read_event())
            print(json.dumps({
                "asr": [{"name": p.name, "models": [{"name": m.name, "languages": m.languages} for m in p.models]} for p in info.asr],
                "tts": [{"name": p.name, "voices": [{"name": v.name, "languages": v.languages} for v in p.voices]} for p in info.tts],
            }))
        elif cmd == "transcribe":
            language = sys.argv[4] if len(sys.argv) > 4 else None
            await client.write_event(Transcribe(language=language).event())
            with wave.open(sys.argv[3], "rb") as w:
                rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
                await client.write_event(AudioStart(rate=rate, width=width, channels=channels).event())
                while True:
                    frames = w.readframes(1024)
                    if not frames:
                        break
                    await client.write_event(AudioChunk(rate=rate, width=width, channels=channels, audio=frames).event())
            await client.write_event(AudioStop().event())
            while True:
                event = await client.read_event()
                if event is None:
                    raise SystemExit("connection closed before a transcript")
                if Transcript.is_type(event.type):
                    print(json.dumps({"text": Transcript.from_event(event).text}))
                    return
                if event.type == "error":
                    raise SystemExit(f"server error: {event.data}")
        elif cmd == "synthesize":
            voice = SynthesizeVoice(name=sys.argv[5]) if len(sys.argv) > 5 else None
            await client.write_event(Synthesize(text=sys.argv[3], voice=voice).event())
            audio = bytearray()
            start = None
            chunks = 0
            while True:
                event = await client.read_event()
                if event is None:
                    raise SystemExit("connection closed before audio-stop")
                if AudioStart.is_type(event.type):
                    start = AudioStart.from_event(event)
                elif AudioChunk.is_type(event.type):
                    audio.extend(AudioChunk.from_event(event).audio)
                    chunks += 1
                elif AudioStop.is_type(event.type):
                    break
                elif event.type == "error":
                    raise SystemExit(f"server error: {event.data}")
            with wave.open(sys.argv[4], "wb") as out:
                out.setnchannels(start.channels)
                out.setsampwidth(start.width)
                out.setframerate(start.rate)
                out.writeframes(bytes(audio))
            print(json.dumps({"rate": start.rate, "width": start.width, "channels": start.channels, "chunks": chunks, "bytes": len(audio)}))


asyncio.run(main())
