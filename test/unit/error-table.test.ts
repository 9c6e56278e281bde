// The one error model (src-main/core/errors.ts): every code has one REST status, one gRPC status, one WebSocket
// error code and one close code, and every transport reads them from that table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ERROR_CODES } from '../../proto/ws-messages.js';
import {
  CodedError,
  ERROR_TABLE,
  errorCodeOf,
  httpStatusOf,
  isErrorCode,
  wsCloseCodeOf,
  wsErrorCodeOf,
} from '../../src-main/core/errors.js';
import { AudioFormatError } from '../../src-main/core/audio/index.js';
import { EngineUnavailableError } from '../../src-main/core/engine/index.js';
import { TtsRequestError } from '../../src-main/core/engine/text/tts-request.js';
import { StoreError } from '../../src-main/core/store/index.js';
import { OverloadedError, SessionError } from '../../src-main/core/sessions/index.js';
import { ShuttingDownError } from '../../src-main/core/api/work-in-progress.js';
import { grpcStatusFor, toGrpcError } from '../../src-main/core/api/grpc/call-guard.js';
import { toRestError } from '../../src-main/core/api/http/rest-errors.js';
import { WorkerCallError } from '../../src-main/core/engine/worker-host.js';

test('the table: each code once, with a real gRPC status, a WS protocol code and a close code', () => {
  assert.deepEqual(Object.fromEntries(Object.entries(ERROR_TABLE).map(([code, m]) => [code, [m.http, m.grpc, m.ws, m.wsClose]])), {
    bad_audio: [400, 'INVALID_ARGUMENT', 'bad_audio', 1008],
    bad_json: [400, 'INVALID_ARGUMENT', 'bad_json', 1008],
    bad_config: [400, 'INVALID_ARGUMENT', 'bad_config', 1008],
    too_large: [413, 'RESOURCE_EXHAUSTED', 'too_large', 1009],
    rate_limited: [429, 'RESOURCE_EXHAUSTED', 'rate_limited', 1013],
    model_unavailable: [404, 'NOT_FOUND', 'model_unavailable', 1011],
    not_ready: [503, 'UNAVAILABLE', 'internal', 1013],
    unauthorized: [401, 'UNAUTHENTICATED', 'bad_config', 4401],
    forbidden: [403, 'PERMISSION_DENIED', 'bad_config', 4403],
    not_found: [404, 'NOT_FOUND', 'bad_config', 1008],
    store_disabled: [503, 'FAILED_PRECONDITION', 'internal', 1011],
    unavailable: [503, 'UNAVAILABLE', 'unavailable', 1001],
    internal: [500, 'INTERNAL', 'internal', 1011],
  });
  for (const [code, m] of Object.entries(ERROR_TABLE)) {
    assert.equal(typeof grpc.status[m.grpc], 'number', `${code}: ${m.grpc} is a grpc-js status`);
    assert.ok((ERROR_CODES as readonly string[]).includes(m.ws), `${code}: ${m.ws} is a WebSocket protocol code`);
  }
  // Every WebSocket protocol code is a table code that maps to itself.
  for (const code of ERROR_CODES) {
    assert.ok(isErrorCode(code), code);
    assert.equal(ERROR_TABLE[code].ws, code);
  }
});

test('every error class a client hears about carries its code; anything else is internal', () => {
  const cases: [unknown, string][] = [
    [new AudioFormatError('odd bytes'), 'bad_audio'],
    [new EngineUnavailableError('no model'), 'model_unavailable'],
    [new TtsRequestError('text is 100001 characters', 'too_large'), 'too_large'],
    [new TtsRequestError('text is empty'), 'bad_config'],
    [new StoreError('not_found', 'no session'), 'not_found'],
    [new StoreError('bad_input', 'bad title'), 'bad_config'],
    [new StoreError('closed', 'store closed'), 'unavailable'],
    [new SessionError('bad_json', 'not JSON'), 'bad_json'],
    [new OverloadedError('busy', 3), 'rate_limited'],
    [new ShuttingDownError('stopping'), 'unavailable'],
    // An error thrown inside an inference worker keeps its code across the thread boundary.
    [
      new WorkerCallError({ name: 'TtsRequestError', message: 'too long', code: 'too_large', errorCode: 'too_large' }, 'synthesize'),
      'too_large',
    ],
    [new WorkerCallError({ name: 'Error', message: 'boom' }, 'decode'), 'internal'],
    [Object.assign(new Error('duck'), { code: 'bad_config' }), 'internal'],
    [new Error('plain'), 'internal'],
    ['a string', 'internal'],
  ];
  for (const [err, code] of cases) assert.equal(errorCodeOf(err), code, String(err));
});

test('REST, gRPC and WebSocket answers all come from the table', () => {
  const tooLarge = new TtsRequestError('text is 100001 characters', 'too_large');
  assert.equal(toRestError(tooLarge).status, 413);
  assert.equal(toRestError(tooLarge).code, 'too_large');
  assert.deepEqual(toGrpcError(tooLarge), { code: grpc.status.RESOURCE_EXHAUSTED, details: tooLarge.message });
  assert.equal(wsErrorCodeOf(tooLarge), 'too_large');
  assert.equal(wsCloseCodeOf(tooLarge), 1009);

  // Over capacity is the server's state: REST 503 with Retry-After, gRPC RESOURCE_EXHAUSTED, WS 1013.
  const busy = new OverloadedError('over capacity', 2);
  assert.equal(httpStatusOf(busy), 503);
  const rest = toRestError(busy);
  assert.equal(rest.status, 503);
  assert.equal(rest.retryAfterS, 2);
  assert.equal(toGrpcError(busy).code, grpc.status.RESOURCE_EXHAUSTED);
  assert.equal(wsCloseCodeOf(busy), 1013);

  // An unexpected failure says nothing of itself to clients.
  const boom = new Error('/home/me/secret path exploded');
  assert.deepEqual([toRestError(boom).status, toRestError(boom).message], [500, 'internal error']);
  assert.deepEqual(toGrpcError(boom), { code: grpc.status.INTERNAL, details: 'internal error' });
  assert.equal(wsCloseCodeOf(boom), 1011);

  for (const code of Object.keys(ERROR_TABLE) as (keyof typeof ERROR_TABLE)[]) {
    const err = new CodedError(code, 'x');
    assert.equal(toRestError(err).status, ERROR_TABLE[code].http, code);
    assert.equal(toGrpcError(err).code, grpcStatusFor(code), code);
  }
});
