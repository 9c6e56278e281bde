// A failure a stream's client should hear about as `{"type":"error","code":…}`: a CodedError (core/errors.ts)
// whose code is one the WebSocket protocol has, so every transport maps it through the one table.
import { CodedError, type WsErrorCode } from '../errors.js';

export class SessionError extends CodedError {
  constructor(
    readonly code: WsErrorCode,
    message: string,
    options?: ErrorOptions & { retryAfterS?: number },
  ) {
    super(code, message, options);
    this.name = 'SessionError';
  }
}
