import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RpcClient, WorkerCallError, spawnWorker } from '../../src-main/core/engine/worker-host.js';

type Handlers = {
  echo: (a: { text: string }) => { text: string; data: unknown };
  double: (a: { samples: Float32Array }) => { samples: Float32Array };
  fail: (a: undefined) => never;
  ticks: (a: { count: number }) => void;
  nope: (a: undefined) => void;
  slow: (a: { ms: number; done: string }) => Promise<void>;
  spin: (a: { ms: number }) => void;
  markStops: (a: { path: string }) => void;
};
const FIXTURE = new URL('./engine-worker-host.fixture.ts', import.meta.url);

test('worker-host: typed calls, transferred buffers, errors with code, events', async () => {
  const rpc = new RpcClient<Handlers, { tick: { n: number }; hello: string }>(spawnWorker(FIXTURE, { answer: 42 }));
  try {
    assert.deepEqual(await rpc.call('echo', { text: 'hi' }), { text: 'hi', data: { answer: 42 } });

    const samples = Float32Array.from([0.25, -0.5, 1]);
    const doubled = await rpc.call('double', { samples }, [samples.buffer]);
    assert.equal(samples.length, 0, 'the input buffer was transferred, not copied');
    assert.deepEqual([...doubled.samples], [0.5, -1, 2]);

    await assert.rejects(rpc.call('fail', undefined), (err: unknown) => {
      assert.ok(err instanceof WorkerCallError);
      assert.equal(err.message, 'asked to fail');
      assert.equal(err.code, 'bad_thing');
      return true;
    });
    await assert.rejects(rpc.call('nope', undefined), /unknown worker method "nope"/);

    const seen: number[] = [];
    rpc.on('tick', (t) => seen.push(t.n));
    await rpc.call('ticks', { count: 3 });
    assert.deepEqual(seen, [0, 1, 2], 'events posted before the reply arrive before it');

    const rpcErrors: string[] = [];
    rpc.on('rpcError', (e) => rpcErrors.push(`${e.method}: ${e.message}`));
    rpc.send('fail', undefined);
    await rpc.call('echo', { text: 'sync' });
    assert.deepEqual(rpcErrors, ['fail: asked to fail']);
  } finally {
    await rpc.terminate();
  }
  await assert.rejects(rpc.call('echo', { text: 'after' }), /terminated/);
});

test('worker-host: a .ts worker starts under tsx register() (as bin/earshot.mjs runs), where execArgv has no tsx', () => {
  const hostUrl = new URL('../../src-main/core/engine/worker-host.ts', import.meta.url).href;
  const script = `
    import { register } from 'tsx/esm/api';
    register();
    const { spawnWorker, RpcClient } = await import(${JSON.stringify(hostUrl)});
    const rpc = new RpcClient(spawnWorker(new URL(${JSON.stringify(FIXTURE.href)}), 'from-register'));
    const r = await rpc.call('echo', { text: 'ok' });
    console.log(JSON.stringify(r));
    await rpc.terminate();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { text: 'ok', data: 'from-register' });
});

test('worker-host: terminate() asks a worker with async native work to stop; that work finishes first, then it exits by itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-worker-stop-'));
  try {
    const worker = spawnWorker(FIXTURE, { graceful: true });
    const exitCode = new Promise<number>((resolve) => worker.once('exit', resolve));
    const rpc = new RpcClient<Handlers>(worker);
    await rpc.call('markStops', { path: join(dir, 'before-stop') });
    const done = join(dir, 'slow-done');
    const toldAtOnce = assert.rejects(rpc.call('slow', { ms: 300, done }), /inference worker terminated/, 'the host is told at once');
    await rpc.terminate();
    await toldAtOnce;
    assert.equal(await exitCode, 0, 'it exited by itself, not ended from outside');
    assert.equal(readFileSync(done, 'utf8'), 'finished', 'the work in flight ran to its end first');
    assert.equal(readFileSync(join(dir, 'before-stop'), 'utf8'), 'beforeStop ran');
    await assert.rejects(rpc.call('echo', { text: 'after' }), /inference worker terminated/);
    await rpc.terminate(); // twice is harmless
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('worker-host: a worker without beforeStop exits as soon as it reads the stop, without waiting for its calls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-worker-stop-'));
  try {
    const worker = spawnWorker(FIXTURE, {});
    const exitCode = new Promise<number>((resolve) => worker.once('exit', resolve));
    const rpc = new RpcClient<Handlers>(worker);
    await rpc.call('markStops', { path: join(dir, 'before-stop') });
    const done = join(dir, 'slow-done');
    const toldAtOnce = assert.rejects(rpc.call('slow', { ms: 2000, done }), /inference worker terminated/);
    await rpc.terminate();
    await toldAtOnce;
    assert.equal(await exitCode, 0, 'it exited by itself');
    assert.equal(existsSync(done), false, 'the call in flight was not waited for');
    assert.equal(existsSync(join(dir, 'before-stop')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('worker-host: a worker that does not stop within the grace time is ended from outside', async () => {
  const worker = spawnWorker(FIXTURE, {});
  const exitCode = new Promise<number>((resolve) => worker.once('exit', resolve));
  const rpc = new RpcClient<Handlers>(worker);
  await rpc.call('echo', { text: 'ready' });
  const spinning = assert.rejects(rpc.call('spin', { ms: 20_000 }), /inference worker terminated/);
  await rpc.terminate(200);
  await spinning;
  assert.equal(await exitCode, 1, 'ended by Worker.terminate() (exit code 1), not by itself');
  assert.equal(existsSync(fileURLToPath(FIXTURE)), true);
});
