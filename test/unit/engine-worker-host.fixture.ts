// Worker used by engine-worker-host.test.ts: echoes, doubles transferred buffers, fails on request, emits events.
import { workerData } from 'node:worker_threads';
import { serveRpc, withTransfer } from '../../src-main/core/engine/worker-host.js';

const { emit } = serveRpc<{ tick: { n: number }; hello: string }>({
  echo: (arg: { text: string }) => ({ text: arg.text, data: workerData as unknown }),
  double: (arg: { samples: Float32Array }) => {
    const out = arg.samples.map((x) => x * 2);
    return withTransfer({ samples: out, inputDetached: false }, [out.buffer]);
  },
  fail: () => {
    const err = new Error('asked to fail') as Error & { code: string };
    err.code = 'bad_thing';
    throw err;
  },
  ticks: (arg: { count: number }) => {
    for (let n = 0; n < arg.count; n++) emit('tick', { n });
  },
});
emit('hello', 'ready');
