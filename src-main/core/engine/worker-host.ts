// Inference runs in worker_threads (the event loop never runs a model). This module starts a worker from a
// module URL and gives both sides a small typed request/response RPC over postMessage, with transferable
// ArrayBuffers, plus one-way messages (audio writes) and worker-to-host events (partials, finals...).
//
// Host side:    const w = spawnWorker(new URL('./my-worker.js', import.meta.url), initData);
//               const rpc = new RpcClient<MyHandlers, MyEvents>(w);
//               await rpc.call('load', { path }); rpc.send('write', { id, samples }, [samples.buffer]);
// Worker side:  const server = serveRpc<MyEvents>({ load: (a) => ..., write: (a) => ... });
//               server.emit('partial', { id, text });
//
// Stopping a worker is a request, not a kill: `RpcClient.terminate()` asks the worker to stop; a worker with only
// synchronous native calls exits as soon as it reads the request (between two pieces of work); one with async native
// work lets it finish, cut short where it can (ServeOptions.beforeStop), then exits; only a worker that has not
// exited within STOP_GRACE_MS is ended from outside. Ending a thread from outside while a
// sherpa-onnx async call is running (generateAsync, decodeAsync, createAsync) aborts the whole process: the
// addon's thread calls back into the dead thread and throws a C++ exception nothing catches (measured: closing a
// voice mid-sentence killed `earshot serve` with SIGABRT, "terminate called after throwing an instance of
// 'Napi::Error'").
import { CodedError, type ErrorCode } from '../errors.js';
import { Worker, isMainThread, parentPort, type Transferable, type WorkerOptions } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a worker asked to stop has to finish its native work and exit before it is ended from outside. */
export const STOP_GRACE_MS = 5000;

/**
 * Start a worker from a module URL, whether the module is TypeScript source (run through tsx) or built JS. With
 * `nice` (1..19, Linux), the worker's thread lowers its CPU priority before it loads anything: loading a worker
 * (tsx compiling its modules, the native addon, a model) is seconds of CPU that must not compete with live work
 * either (measured in the soak: a batch worker started beside 28 live streams made them ~2 s late while it loaded).
 */
export function spawnWorker(
  moduleUrl: URL,
  workerData?: unknown,
  options: Omit<WorkerOptions, 'workerData' | 'eval'> = {},
  nice?: number,
): Worker {
  if (!isTypeScript(moduleUrl) && nice === undefined) return new Worker(moduleUrl, { ...options, workerData });
  const load = isTypeScript(moduleUrl) ? tsxBootstrap(moduleUrl) : `import(${JSON.stringify(moduleUrl.href)});`;
  return new Worker((nice === undefined ? '' : lowerPriorityPrelude(nice)) + load, { ...options, workerData, eval: true });
}

/**
 * Code that lowers the calling thread's nice value to `nice` (what thread-self.ts's lowerThisThreadPriority does,
 * inlined: it runs before any module of the worker is loaded). Silently nothing where threads cannot be told apart.
 */
function lowerPriorityPrelude(nice: number): string {
  if (!Number.isInteger(nice) || nice < 1 || nice > 19) throw new RangeError(`nice must be an integer 1..19, got ${nice}`);
  return (
    `try { const os = require('node:os'); const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());` +
    ` if (tid > 0 && os.getPriority(tid) < ${nice}) os.setPriority(tid, ${nice}); } catch {}\n`
  );
}

function isTypeScript(url: URL): boolean {
  const path = url.protocol === 'file:' ? fileURLToPath(url) : url.pathname;
  return /\.[cm]?ts$/.test(path);
}

/**
 * A `.ts` worker needs tsx inside the worker. Node 20 ignores `--import` in a Worker's execArgv (measured on
 * 20.20: the preload never runs), and bin/earshot.mjs uses tsx's register() API, which workers do not inherit
 * either. So the worker starts from a one-line bootstrap that registers tsx itself, then imports the module.
 */
function tsxBootstrap(moduleUrl: URL): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
}

// ---- wire format ----

interface CallMessage {
  kind: 'call';
  id: number;
  method: string;
  arg: unknown;
}
interface SendMessage {
  kind: 'send';
  method: string;
  arg: unknown;
}
interface ReplyMessage {
  kind: 'reply';
  id: number;
  ok: boolean;
  value?: unknown;
  error?: SerializedError;
}
interface EventMessage {
  kind: 'event';
  event: string;
  payload: unknown;
}
/** Host to worker: finish what is in flight and exit (see the top of this file). */
interface StopMessage {
  kind: 'stop';
}
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  /** A CodedError's transport code (core/errors.ts), so it survives the thread boundary. */
  errorCode?: ErrorCode;
}

/** A handler's result when it should move buffers back instead of copying them. */
export class WithTransfer<T> {
  constructor(
    readonly value: T,
    readonly transfer: Transferable[],
  ) {}
}
export function withTransfer<T>(value: T, transfer: Transferable[]): WithTransfer<T> {
  return new WithTransfer(value, transfer);
}

/**
 * Worker-side handlers: one argument in, a value (or promise, or WithTransfer) out. The argument is `never` here
 * so that a handler of any argument type fits; RpcArg recovers each handler's own argument type.
 */
export type RpcHandlers = Record<string, (arg: never) => unknown>;
type Unwrap<T> = T extends WithTransfer<infer V> ? V : T;
export type RpcResult<H extends RpcHandlers, M extends keyof H> = Unwrap<Awaited<ReturnType<H[M]>>>;
export type RpcArg<H extends RpcHandlers, M extends keyof H> = Parameters<H[M]>[0];

/** An error raised inside the worker, re-thrown on the host with the worker's name, message and code. */
export class WorkerCallError extends CodedError {
  readonly code?: string;
  constructor(err: SerializedError, method: string) {
    super(err.errorCode ?? 'internal', err.message);
    this.name = err.name || 'Error';
    if (err.code) this.code = err.code;
    this.stack = `${this.name}: ${this.message}\n    at worker ${method}()`;
  }
}

function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(err instanceof CodedError ? { errorCode: err.errorCode } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** Host side of the RPC: calls into the worker, and receives its events. */
export class RpcClient<H extends RpcHandlers, E extends Record<string, unknown> = Record<string, unknown>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private failure: Error | null = null;
  private readonly exited: Promise<void>;
  private hasExited = false;

  constructor(readonly worker: Worker) {
    worker.on('message', (msg: ReplyMessage | EventMessage) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(err instanceof Error ? err : new Error(String(err))));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.hasExited = true;
        // Not asked to stop (terminate() fails first with its own reason): a crash. The engines replace a dead
        // worker (worker-recycler.ts, batch-worker-slot.ts), so the next request works.
        this.fail(new Error(`inference worker stopped unexpectedly (exit code ${code}); a fresh one is started for the next request`));
        resolve();
      }),
    );
  }

  /** Set once the worker has died; every later call rejects with it. */
  get dead(): Error | null {
    return this.failure;
  }

  call<M extends keyof H & string>(method: M, arg: RpcArg<H, M>, transfer: Transferable[] = []): Promise<RpcResult<H, M>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.worker.postMessage({ kind: 'call', id, method, arg } satisfies CallMessage, transfer);
    });
  }

  /** One-way message (no reply): for hot paths such as audio writes. Failures come back as the 'rpcError' event. */
  send<M extends keyof H & string>(method: M, arg: RpcArg<H, M>, transfer: Transferable[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage({ kind: 'send', method, arg } satisfies SendMessage, transfer);
  }

  on<K extends keyof E & string>(event: K, listener: (payload: E[K]) => void): this;
  on(event: 'rpcError', listener: (payload: SerializedError & { method: string }) => void): this;
  /** The worker died (crash, exit, terminate); the client is unusable afterwards. */
  on(event: 'workerError', listener: (err: Error) => void): this;
  on(event: string, listener: (payload: never) => void): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: (payload: never) => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  /**
   * Stop the worker: pending calls reject now; the worker finishes its native work in flight and exits, or is ended
   * from outside after `graceMs` (see the top of this file).
   */
  async terminate(graceMs = STOP_GRACE_MS): Promise<void> {
    this.fail(new Error('inference worker terminated'));
    if (this.hasExited) return;
    this.worker.postMessage({ kind: 'stop' } satisfies StopMessage);
    // The grace timer is ref'd: whoever awaits the stop gets its answer even when the worker is unref'd (an idle voice).
    const grace = new AbortController();
    const inTime = await Promise.race([this.exited.then(() => true), sleep(graceMs, false, { signal: grace.signal }).catch(() => false)]);
    grace.abort();
    if (!inTime) await this.worker.terminate();
  }

  private onMessage(msg: ReplyMessage | EventMessage): void {
    if (msg.kind === 'reply') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new WorkerCallError(msg.error ?? { name: 'Error', message: 'unknown worker error' }, p.method));
    } else if (msg.kind === 'event') {
      for (const l of this.listeners.get(msg.event) ?? []) (l as (p: unknown) => void)(msg.payload);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const l of this.listeners.get('workerError') ?? []) (l as (p: unknown) => void)(err);
  }
}

export interface ServeOptions {
  /**
   * For a worker that runs native work asynchronously (sherpa's generateAsync, decodeAsync, createAsync), called
   * when the host asks it to stop: cut that work short (a voice stops at its next progress callback) and resolve
   * once none is running that a call does not already wait on (a decode started by one-way messages). The worker
   * exits after this and after every call in flight has settled. A worker without it exits as soon as the stop
   * message is read.
   */
  beforeStop?: () => Promise<void> | void;
}

/** Worker side: serve `handlers` on parentPort. Returns `emit` for events to the host. */
export function serveRpc<E extends Record<string, unknown> = Record<string, unknown>>(
  handlers: RpcHandlers,
  opts: ServeOptions = {},
): { emit<K extends keyof E & string>(event: K, payload: E[K], transfer?: Transferable[]): void } {
  if (isMainThread || !parentPort) throw new Error('serveRpc() must run inside a worker thread');
  const port = parentPort;
  const emit = (event: string, payload: unknown, transfer: Transferable[] = []) =>
    port.postMessage({ kind: 'event', event, payload } satisfies EventMessage, transfer);
  /** Calls being answered: the worker exits only once they have settled (their native work is done). */
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // A worker whose native calls are all synchronous (no beforeStop) exits at once: this runs between two pieces
    // of its work, so no native call is in progress, and nothing of it is worth waiting for (a stream's backlog the
    // host has given up on). Waiting for its calls would let a long backlog hold the stop for the whole grace time.
    if (!opts.beforeStop) process.exit(0);
    try {
      await opts.beforeStop?.();
    } finally {
      await Promise.allSettled([...inFlight]);
      // Not process.exit(): sherpa's async calls resolve before the progress callbacks they queued have all run,
      // and a thread torn down with callbacks still queued aborts the process. Closing the port ends the thread
      // once its event loop is empty, which is after those callbacks.
      port.close();
    }
  };

  port.on('message', (msg: CallMessage | SendMessage | StopMessage) => {
    if (msg.kind === 'stop') {
      void stop();
      return;
    }
    const handler = Object.hasOwn(handlers, msg.method) ? handlers[msg.method] : undefined;
    if (msg.kind === 'send') {
      try {
        if (!handler) throw new Error(`unknown worker method "${msg.method}"`);
        const r = handler(msg.arg as never); // typed on the host side: RpcClient.send takes RpcArg<H, M>
        if (r instanceof Promise) r.catch((err) => emit('rpcError', { ...serializeError(err), method: msg.method }));
      } catch (err) {
        emit('rpcError', { ...serializeError(err), method: msg.method });
      }
      return;
    }
    const reply = (r: Omit<ReplyMessage, 'kind' | 'id'>, transfer: Transferable[] = []) =>
      port.postMessage({ kind: 'reply', id: msg.id, ...r } satisfies ReplyMessage, transfer);
    const answered = Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown worker method "${msg.method}"`);
        return handler(msg.arg as never); // typed on the host side: RpcClient.call takes RpcArg<H, M>
      })
      .then((value) => {
        // Work that beforeStop cut short did not finish: never a success (a sentence with its end missing).
        if (stopping) throw new Error(`inference worker stopped before ${msg.method}() finished`);
        return value instanceof WithTransfer ? reply({ ok: true, value: value.value }, value.transfer) : reply({ ok: true, value });
      })
      .catch((err: unknown) => reply({ ok: false, error: serializeError(err) }));
    inFlight.add(answered);
    void answered.finally(() => inFlight.delete(answered));
  });
  return { emit };
}
