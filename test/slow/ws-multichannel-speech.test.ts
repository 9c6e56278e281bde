// In test/slow (the complete gate, not test:quick): real speech through pocketsphinx on two channels and two CLI runs, heavy.
// Multichannel live input with real speech (the tone fixtures' exact text per channel: test/integration/ws-multichannel.test.ts):
// a stereo stream whose left and right carry different LibriSpeech utterances — through pocketsphinx over a raw WS
// client and the unchanged `@deepgram/sdk` (Results `channel_index: [i, 2]`), each channel held to `earshot transcribe`
// of its own file (within 2 WER points) and far from the other channel's words.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { DeepgramClient } from '@deepgram/sdk';
import { decodeWav, float32ToS16le } from '../../src-main/core/audio/index.js';
import { finalsOf, interleave } from '../helpers/multichannel.js';
import { LIBRISPEECH, librispeechRefs } from '../helpers/shared.js';
import { wordErrorRate } from '../helpers/wer.js';
import { connect, startTestServer, streamPcm, TOKEN, wsUrl } from '../integration/ws-harness.js';

const run = promisify(execFile);

describe('pocketsphinx: different LibriSpeech utterances left and right', () => {
  const LEFT = '1272-135031-0001';
  const RIGHT = '251-118436-0019';
  let h: Awaited<ReturnType<typeof startTestServer>>;
  const cli = new Map<string, string>();
  let stereoPcm: Buffer;

  before(async () => {
    // Both lanes are admitted whatever capacity a busy machine measures.
    h = await startTestServer({ asr: [{ backend: 'pocketsphinx' }], tts: [] }, { limits: { minLiveStreams: 2 } });
    for (const id of [LEFT, RIGHT]) {
      const out = await run(process.execPath, [
        'bin/earshot.mjs',
        'transcribe',
        join(LIBRISPEECH, `${id}.wav`),
        '--engine',
        'pocketsphinx',
      ]);
      cli.set(id, out.stdout.trim());
    }
    const l = decodeWav(readFileSync(join(LIBRISPEECH, `${LEFT}.wav`))).channelData[0]!;
    const r = decodeWav(readFileSync(join(LIBRISPEECH, `${RIGHT}.wav`))).channelData[0]!;
    stereoPcm = float32ToS16le(interleave(l, r));
  });
  after(async () => h?.close());

  /** Each channel's words are its own file's: within 2 WER points of the CLI, and nowhere near the other file. */
  function checkChannels(texts: [string, string], label: string): void {
    const refs = librispeechRefs();
    for (const [i, id] of [LEFT, RIGHT].entries()) {
      const other = i === 0 ? RIGHT : LEFT;
      const ours = wordErrorRate(refs.get(id)!, texts[i]!);
      const base = wordErrorRate(refs.get(id)!, cli.get(id)!);
      const cross = wordErrorRate(refs.get(other)!, texts[i]!);
      process.stderr.write(`  ${label} ch${i} (${id}): WER ${(ours * 100).toFixed(1)}% (earshot transcribe ${(base * 100).toFixed(1)}%)\n`);
      assert.ok(Math.abs(ours - base) <= 0.02, `${label} channel ${i}: WER ${ours} vs CLI ${base}: "${texts[i]}"`);
      assert.ok(cross > 0.8, `${label} channel ${i} is not the other channel's speech (WER against it ${cross})`);
    }
  }

  test('raw WebSocket client: channels=2&multichannel=true', async () => {
    const c = connect(
      wsUrl(h.server, 'asr', '/v1/audio/stream', { sample_rate: 16000, channels: 2, multichannel: true, interim_results: false }),
    );
    await c.waitFor((m) => m.type === 'ready');
    await streamPcm(c.ws, stereoPcm, 32000, 100, 25);
    c.send({ type: 'end' });
    await c.waitFor((m) => m.type === 'session_complete', 120_000);
    checkChannels([finalsOf(c.messages, 0).join(' '), finalsOf(c.messages, 1).join(' ')], 'ws');
  });

  test('@deepgram/sdk live socket: Results carry channel_index [i, 2], Metadata says 2 channels', async () => {
    const base = h.server.asrUrl;
    const client = new DeepgramClient({
      apiKey: TOKEN,
      environment: { base, production: base.replace(/^http/, 'ws'), agent: base, agentRest: base },
    });
    const socket = await client.listen.v1.connect({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: 16000,
      channels: 2,
      multichannel: 'true',
    } as any);
    const messages: any[] = [];
    socket.on('message', (m: any) => messages.push(m));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.connect();
    await socket.waitForOpen();
    for (let o = 0; o < stereoPcm.length; o += 6400) {
      socket.sendMedia(stereoPcm.subarray(o, o + 6400));
      await new Promise((r) => setTimeout(r, 25));
    }
    socket.sendCloseStream({ type: 'CloseStream' });
    await closed;
    const finals = messages.filter((m) => m.type === 'Results' && m.is_final);
    for (const f of finals) assert.ok([0, 1].includes(f.channel_index[0]) && f.channel_index[1] === 2, JSON.stringify(f.channel_index));
    const text = (i: number) =>
      finals
        .filter((f) => f.channel_index[0] === i)
        .map((f) => f.channel.alternatives[0].transcript)
        .join(' ');
    checkChannels([text(0), text(1)], 'deepgram');
    const meta = messages.at(-1);
    assert.equal(meta.type, 'Metadata');
    assert.equal(meta.channels, 2);
  });
});
