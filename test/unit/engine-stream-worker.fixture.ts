// Worker for engine-stream-worker.test.ts: a stream worker whose "decoding" counts samples. A stream id starting
// with "bad" cannot be opened; audio with a NaN fails its stream.
import { serveStreamWorker, type StreamWorkerEvents } from '../../src-main/core/engine/stream-worker.js';

interface Counting {
  readonly id: string;
  samples: number;
  closed: boolean;
}
const streams = new Map<string, Counting>();
const forgotten: string[] = [];

serveStreamWorker<StreamWorkerEvents, Counting, { id: string }, { id: string; samples: number }>(
  {
    streams,
    open: (arg) => {
      if (arg.id.startsWith('bad')) throw new Error(`stream "${arg.id}" cannot be opened`);
      streams.set(arg.id, { id: arg.id, samples: 0, closed: false });
    },
    write: (s, samples) => {
      if (samples.some(Number.isNaN)) throw new Error('audio with NaN');
      s.samples += samples.length;
    },
    flush: (s) => ({ id: s.id, samples: s.samples }),
    close: async (s) => {
      s.closed = true;
      await new Promise((r) => setImmediate(r));
      return { id: s.id, samples: s.samples };
    },
    accepts: (s) => !s.closed,
    forget: (s) => void forgotten.push(s.id),
  },
  {
    open: () => [...streams.keys()],
    forgotten: () => forgotten,
  },
);
