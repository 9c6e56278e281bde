// Streams that authenticated with a token, so that rotating the token (POST /v1/token/regenerate) also ends
// the streams opened with the old one: a leaked token stops working for connections already open, not only
// for new ones. Streams opened without a token (native loopback clients where the token is optional) are not
// bound: rotation does not change whether they may connect.
export class TokenBoundStreams {
  private readonly bound = new Map<symbol, { token: string; revoke: () => void }>();

  /** Number of streams bound now (bounded by the stream slots: each live stream binds at most once). */
  get size(): number {
    return this.bound.size;
  }

  /** Bind a stream to the token it presented; `revoke` ends it. Returns the unbind function (idempotent). */
  bind(token: string, revoke: () => void): () => void {
    const key = Symbol('stream');
    this.bound.set(key, { token, revoke });
    return () => void this.bound.delete(key);
  }

  /** After a rotation: end every stream bound to a token other than `current`. Returns how many were ended. */
  revokeAllBut(current: string): number {
    let n = 0;
    for (const [key, b] of [...this.bound]) {
      if (b.token === current) continue;
      this.bound.delete(key);
      n++;
      try {
        b.revoke();
      } catch {
        // A stream that is already gone cannot be ended twice.
      }
    }
    return n;
  }
}
