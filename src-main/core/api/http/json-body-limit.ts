// The body limit of the JSON TTS routes (OpenAI speech, the TTS stream, the cloud protocols' speech routes).
/**
 * Body limit for the JSON TTS routes: the server's default body limit is sized for audio uploads, but a JSON
 * body only needs room for the longest text allowed (4 bytes per character at worst) plus its options.
 */
export function jsonBodyLimit(ctx: { limits: { maxTtsTextChars: number } }): number {
  return ctx.limits.maxTtsTextChars * 4 + 64 * 1024;
}
