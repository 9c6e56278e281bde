// Installing an upstream piper voice the way users do: `pull` fetches <voice>.onnx + <voice>.onnx.json (here the
// joe voice's upstream files, served by a loopback server in rhasspy/piper-voices' layout; never the internet),
// checks their size and sha256, and converts them for sherpa-onnx. The conversion must give exactly the bytes
// sherpa-onnx's own Python conversion gives (build/voices/convert_piper.py, pinned in the catalog's joe entry),
// and sherpa-onnx must load and speak the result.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadSherpaTts } from '../../src-main/core/engine/backends/sherpa/tts.js';
import { catalogModel, parseCatalog, resolveModel } from '../../src-main/core/engine/models/catalog.js';
import { pullModel, sha256File } from '../../src-main/core/engine/models/download.js';
import { requestSentences } from '../../src-main/core/engine/text/tts-request.js';
import { joePackageFiles } from '../helpers/voices.js';

const tmp = mkdtempSync(join(tmpdir(), 'earshot-piper-pull-'));
let server: Server;
let baseUrl: string;
const joe = joePackageFiles();

before(async () => {
  // <base>/<model dir>/<file> -> the package's upstream files.
  server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url!, 'http://x').pathname).split('/').pop()!;
    const path = join(joe.dir, name);
    if (!/^en_US-joe-medium\.onnx(\.json)?$/.test(name) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': statSync(path).size });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function upstreamEntry() {
  const file = async (role: string, path: string) => ({
    role,
    path,
    size: statSync(join(joe.dir, path)).size,
    sha256: await sha256File(join(joe.dir, path)),
  });
  return parseCatalog({
    version: 1,
    models: [
      {
        id: 'piper-en-us-joe-medium-upstream',
        name: 'Piper en_US joe (medium), upstream layout',
        kind: 'tts',
        backend: 'sherpa',
        language: 'en',
        languages: ['en'],
        type: 'vits',
        dir: 'vits-piper-en_US-joe-medium-upstream',
        license: 'CC0-1.0',
        sampleRate: 22050,
        convert: 'piper',
        files: [await file('piper_model', 'en_US-joe-medium.onnx'), await file('piper_config', 'en_US-joe-medium.onnx.json')],
      },
    ],
  })[0]!;
}

test('pull + convert: verified upstream files become model.onnx + tokens.txt identical to sherpa-onnx’s conversion, and the voice speaks', async () => {
  const entry = await upstreamEntry();
  const into = join(tmp, 'models');
  assert.equal(resolveModel(entry, [into]), null);
  const dir = await pullModel(entry, { into, baseUrl });
  const python = catalogModel('piper-en-us-joe-medium'); // converted by build/voices/convert_piper.py (onnx.save)
  for (const role of ['model', 'tokens']) {
    const want = python.files.find((f) => f.role === role)!;
    const got = join(dir, role === 'model' ? 'model.onnx' : 'tokens.txt');
    assert.equal(statSync(got).size, want.size, `${role}: size`);
    assert.equal(await sha256File(got), want.sha256, `${role}: the same bytes as the Python conversion`);
  }
  const resolved = resolveModel(entry, [into]);
  assert.ok(resolved, 'resolved once converted');
  assert.equal(resolved.paths.model, join(dir, 'model.onnx'));
  assert.equal(resolved.paths.tokens, join(dir, 'tokens.txt'));
  const tts = await loadSherpaTts(resolved, { threads: 1 });
  assert.equal(tts.sampleRate, 22050);
  let samples = 0;
  let peak = 0;
  for await (const c of tts.synthesize({ pieces: requestSentences('Installed and speaking.', undefined, { quickStart: true }) })) {
    samples += c.samples.length;
    for (const x of c.samples) peak = Math.max(peak, Math.abs(x));
  }
  assert.ok(samples > 22050 * 0.8 && samples < 22050 * 5, `${samples} samples`);
  assert.ok(peak > 0.1, `peak ${peak}`);
  // A second pull fetches and converts nothing new.
  const before = statSync(join(dir, 'model.onnx')).mtimeMs;
  await pullModel(entry, { into, baseUrl });
  assert.equal(statSync(join(dir, 'model.onnx')).mtimeMs, before);
});

test('a piper config that is not a piper voice is refused with a clear message, and nothing is derived', async () => {
  const entry = await upstreamEntry();
  // The model file passed where the config should be: right size and sha256 in this (test) catalog, wrong content.
  const swapped = {
    ...entry,
    files: entry.files.map((f) => (f.role === 'piper_config' ? { ...entry.files[0]!, role: 'piper_config' } : f)),
  };
  swapped.files[1] = { ...swapped.files[1]!, path: 'en_US-joe-medium.onnx' };
  const into = join(tmp, 'bad');
  await assert.rejects(pullModel(swapped, { into, baseUrl }), /en_US-joe-medium\.onnx: not JSON/);
  assert.equal(existsSync(join(into, entry.dir, 'model.onnx')), false);
  assert.equal(resolveModel(swapped, [into]), null);
});
