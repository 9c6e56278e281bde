// Worker side of an ASR worker that owns audio streams by id (the sherpa streaming and offline workers): the
// stream half of its RPC table, served through serveRpc. The host opens a stream, sends its audio one way
// (`write`, no reply), and asks for a final on `flush` and `close`. What every such worker must get right is here
// once: a stream that cannot be created, or whose audio fails, is reported as that stream's `streamError` event
// (the call that carried it has no reply to fail) and forgotten; audio for an unknown or closing stream is dropped;
// `flush`/`close` of an unknown stream answer null.
import type { Transferable } from 'node:worker_threads';
import { serveRpc, type RpcHandlers, type ServeOptions } from './worker-host.js';

/** The event every stream worker sends when one stream fails (the others go on). */
export type StreamWorkerEvents = { streamError: { id: string; message: string } };

/** What a worker does with its streams; the table and the error handling are serveStreamWorker's. */
export interface StreamWorker<S extends { readonly id: string }, C extends { id: string }, F> {
  /** The open streams, by id. */
  readonly streams: Map<string, S>;
  /** Open the stream `arg.id` and add it to `streams`; a throw becomes its streamError. */
  open(arg: C): void;
  /** Audio for a stream (moved, not copied); a throw fails the stream. */
  write(s: S, samples: Float32Array): void;
  /** End the current utterance: its final, or null. */
  flush(s: S): F | null | Promise<F | null>;
  /** The last flush, then release what the stream holds; it leaves `streams` afterwards. */
  close(s: S): F | null | Promise<F | null>;
  /** Whether the stream still takes audio (default: while it is open). */
  accepts?(s: S): boolean;
  /** Release what a failed stream holds beyond the table (a scheduler slot, a flag). */
  forget?(s: S): void;
}

/**
 * Serve a stream worker plus its other `handlers` (load, stats…) on parentPort. Returns `emit` for its events
 * and `fail`, which reports a stream's failure found outside a call (a decode in the background) the same way.
 */
export function serveStreamWorker<
  E extends StreamWorkerEvents & Record<string, unknown>,
  S extends { readonly id: string },
  C extends { id: string },
  F,
>(
  worker: StreamWorker<S, C, F>,
  handlers: RpcHandlers,
  opts: ServeOptions = {},
): {
  emit<K extends keyof E & string>(event: K, payload: E[K], transfer?: Transferable[]): void;
  fail(s: S, err: unknown): void;
} {
  const { streams } = worker;
  const report = (id: string, err: unknown) => {
    const streamError: StreamWorkerEvents['streamError'] = { id, message: err instanceof Error ? err.message : String(err) };
    server.emit('streamError', streamError as E['streamError']); // E extends StreamWorkerEvents: the same shape
  };
  const fail = (s: S, err: unknown) => {
    streams.delete(s.id);
    worker.forget?.(s);
    report(s.id, err);
  };
  const server = serveRpc<E>(
    {
      ...handlers,
      createStream: (arg: C) => {
        try {
          worker.open(arg);
        } catch (err) {
          report(arg.id, err);
        }
      },
      write: (arg: { id: string; samples: Float32Array }) => {
        const s = streams.get(arg.id);
        if (!s || worker.accepts?.(s) === false) return; // closed meanwhile, or failed (already reported)
        try {
          worker.write(s, arg.samples);
        } catch (err) {
          fail(s, err);
        }
      },
      flush: (arg: { id: string }) => {
        const s = streams.get(arg.id);
        return s ? worker.flush(s) : null;
      },
      close: async (arg: { id: string }) => {
        const s = streams.get(arg.id);
        if (!s) return null;
        const last = await worker.close(s);
        streams.delete(s.id);
        return last;
      },
    },
    opts,
  );
  return { emit: server.emit, fail };
}

/** A model that would not load, with the model and the library's reason. */
export function modelLoadError(engine: string, model: { id: string; path: string }, err: unknown): Error {
  return new Error(`${engine} could not load model "${model.id}" from ${model.path}: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}
