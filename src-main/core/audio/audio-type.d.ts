// Types for the npm `audio-type` package (magic-byte audio format detection), which ships none.
declare module 'audio-type' {
  /** The format's short name (`wav`, `mp3`, `flac`, `opus`, `oga`, `m4a`, `webm`, `aac`, …) or undefined. */
  export default function audioType(buf: Uint8Array | ArrayBuffer): string | undefined;
}
