// serveStreamWorker (engine/stream-worker.ts), the stream half shared by the sherpa ASR workers, in a real worker
// thread: a stream that cannot open and audio that fails are that stream's streamError (the others go on), a
// failed stream is forgotten, audio for an unknown stream is dropped, flush/close answer the stream's final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient, spawnWorker } from '../../src-main/core/engine/worker-host.js';
import type { StreamWorkerEvents } from '../../src-main/core/engine/stream-worker.js';

type Final = { id: string; samples: number } | null;
type Handlers = {
  createStream: (a: { id: string }) => void;
  write: (a: { id: string; samples: Float32Array }) => void;
  flush: (a: { id: string }) => Final;
  close: (a: { id: string }) => Final;
  open: (a: undefined) => string[];
  forgotten: (a: undefined) => string[];
};

test("stream worker: open, write, flush, close; failures are the stream's streamError; unknown streams are ignored", async () => {
  const rpc = new RpcClient<Handlers, StreamWorkerEvents>(spawnWorker(new URL('./engine-stream-worker.fixture.ts', import.meta.url)));
  const errors: StreamWorkerEvents['streamError'][] = [];
  rpc.on('streamError', (e) => errors.push(e));
  try {
    await rpc.call('createStream', { id: 'a' });
    await rpc.call('createStream', { id: 'b' });
    await rpc.call('createStream', { id: 'bad1' });
    assert.deepEqual(errors, [{ id: 'bad1', message: 'stream "bad1" cannot be opened' }]);

    rpc.send('write', { id: 'a', samples: new Float32Array(100) });
    rpc.send('write', { id: 'nobody', samples: new Float32Array(5) }); // dropped, no error
    rpc.send('write', { id: 'b', samples: Float32Array.from([0, NaN]) });
    assert.deepEqual(await rpc.call('flush', { id: 'a' }), { id: 'a', samples: 100 });
    assert.deepEqual(errors[1], { id: 'b', message: 'audio with NaN' });
    assert.equal(errors.length, 2);
    assert.deepEqual(await rpc.call('forgotten', undefined), ['b']);
    assert.deepEqual(await rpc.call('open', undefined), ['a'], 'the failed stream left the table');
    assert.equal(await rpc.call('flush', { id: 'b' }), null);

    assert.deepEqual(await rpc.call('close', { id: 'a' }), { id: 'a', samples: 100 });
    assert.deepEqual(await rpc.call('open', undefined), []);
    assert.equal(await rpc.call('close', { id: 'a' }), null, 'closing twice answers null');
    rpc.send('write', { id: 'a', samples: new Float32Array(5) });
    assert.equal(await rpc.call('flush', { id: 'a' }), null);
    assert.equal(errors.length, 2);
  } finally {
    await rpc.terminate();
  }
});
