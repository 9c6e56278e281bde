// Worker used by engine-worker-host.test.ts: echoes, doubles transferred buffers, fails on request, emits events,
// and for the stop protocol: slow async work that leaves a file when done, a busy loop, and a beforeStop marker.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerData } from 'node:worker_threads';
import { serveRpc, withTransfer } from '../../src-main/core/engine/worker-host.js';

/** Where beforeStop leaves its mark (set by `markStops`). */
let stopMarker: string | null = null;

const { emit } = serveRpc<{ tick: { n: number }; hello: string }>(
  {
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
    slow: async (arg: { ms: number; done: string }) => {
      await sleep(arg.ms);
      writeFileSync(arg.done, 'finished');
    },
    spin: (arg: { ms: number }) => {
      const end = Date.now() + arg.ms;
      while (Date.now() < end); // a native call that cannot be interrupted, as far as the stop message can tell
    },
    markStops: (arg: { path: string }) => void (stopMarker = arg.path),
  },
  // As a worker with async native work declares it (workerData.graceful); without it the worker exits on the stop.
  (workerData as { graceful?: boolean } | undefined)?.graceful
    ? { beforeStop: () => void (stopMarker && writeFileSync(stopMarker, 'beforeStop ran')) }
    : {},
);
emit('hello', 'ready');
