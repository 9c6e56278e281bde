// REST shapes of file transcription jobs (docs/PROTOCOL.md "File transcription jobs"): `POST /v1/transcription-jobs`
// (the file as the body) creates one, `GET /v1/transcription-jobs/:id` reports it, `DELETE` cancels it. Shared by
// the server (which builds these objects) and the renderer (which parses them); imports nothing but zod.
import { z } from 'zod';

export const TRANSCRIPTION_JOB_STATES = ['queued', 'running', 'done', 'error', 'cancelled'] as const;

export const TranscriptionJob = z.object({
  id: z.string(),
  object: z.literal('transcription.job'),
  state: z.enum(TRANSCRIPTION_JOB_STATES),
  /** The file name the client gave (the stored session's title is made from it). */
  filename: z.string(),
  /** Size of the uploaded file in bytes. */
  bytes: z.number().int().nonnegative(),
  created_at: z.string(),
  /** 0..1: audio decoded by the recognizer over the file's audio length. */
  progress: z.number().min(0).max(1),
  /** Audio decoded so far (ms). */
  decoded_ms: z.number().nonnegative(),
  /** The file's audio length (ms), as far as the bytes decoded so far tell; null before decoding starts. */
  duration_ms: z.number().nonnegative().nullable(),
  /** Estimated time left (ms) from the pace so far; null until there is a pace to go by. */
  eta_ms: z.number().nonnegative().nullable(),
  /** Jobs ahead of this one while it is queued (0 once it runs). */
  queue_position: z.number().int().nonnegative(),
  /** The stored session holding the transcript (set once the job runs; removed again when it is cancelled). */
  session_id: z.string().nullable(),
  /** Final segments recognized so far. */
  segments: z.number().int().nonnegative(),
  /** The whole transcript, once the job is done (also without a transcript store); null before. */
  text: z.string().nullable(),
  /** Why the job failed or stopped (state error / cancelled). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type TranscriptionJob = z.infer<typeof TranscriptionJob>;

export const TranscriptionJobList = z.object({ object: z.literal('list'), data: z.array(TranscriptionJob) });
export type TranscriptionJobList = z.infer<typeof TranscriptionJobList>;
