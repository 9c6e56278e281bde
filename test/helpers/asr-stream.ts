// Driving an engine's AsrStream directly (below the API), for tests of the engine's workers.
import type { AsrFinal, AsrStream } from '../../src-main/core/engine/index.js';

/** Write 16 kHz `audio` in 100 ms pieces, then close: every final the stream gave, joined. */
export async function transcribeStream(stream: AsrStream, audio: Float32Array): Promise<string> {
  const finals: AsrFinal[] = [];
  stream.on('final', (f) => finals.push(f));
  for (let i = 0; i < audio.length; i += 1600) {
    stream.write(audio.subarray(i, i + 1600));
    await new Promise((r) => setImmediate(r));
  }
  const last = await stream.close();
  if (last && !finals.includes(last)) finals.push(last);
  return finals.map((f) => f.text).join(' ');
}
