// Minimal N-API binding to the system pocketsphinx (Debian 12: 0.8+5prealpha, the old API).
// One decoder per handle; every call is synchronous and must run on a worker thread, never the event loop.
// The JS side (../worker.ts) owns endpointing, resampling and timing; this file only wraps the C calls.
#include <node_api.h>
#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/feat.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define CMN_PRIOR_FRAMES 100

typedef struct {
  ps_decoder_t *ps;
  cmd_ln_t *config;
  int in_utt;
  /* The cepstral mean the model starts with (-cmninit). Live CMN adapts to whatever a decoder has heard, so
   * a reused decoder would decode the same audio differently; startStream puts this back. */
  mfcc_t *cmn_initial;
  int32 cmn_veclen;
  /* Update the live cepstral mean after every processRaw call instead of every ~8 s, so a fresh stream
   * converges on its speaker and channel quickly (streaming decodes; see processRaw). */
  int live_cmn_updates;
} decoder_t;

#define CHECK(call)                                                                            \
  do {                                                                                         \
    if ((call) != napi_ok) {                                                                   \
      napi_throw_error(env, "EPOCKETSPHINX", "pocketsphinx addon: N-API call failed: " #call); \
      return NULL;                                                                             \
    }                                                                                          \
  } while (0)

static void decoder_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  decoder_t *d = (decoder_t *)data;
  if (d->ps) ps_free(d->ps);
  if (d->config) cmd_ln_free_r(d->config);
  free(d->cmn_initial);
  free(d);
}

/** The decoder behind argument 0; throws when it is not one or was freed. */
static decoder_t *get_decoder(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  CHECK(napi_get_cb_info(env, info, argc, argv, NULL, NULL));
  if (*argc < 1) {
    napi_throw_type_error(env, NULL, "pocketsphinx: decoder handle expected");
    return NULL;
  }
  void *data = NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || !data) {
    napi_throw_type_error(env, NULL, "pocketsphinx: argument is not a decoder handle");
    return NULL;
  }
  decoder_t *d = (decoder_t *)data;
  if (!d->ps) {
    napi_throw_error(env, NULL, "pocketsphinx: decoder was freed");
    return NULL;
  }
  return d;
}

/**
 * create(args: string[], liveCmn = false) -> handle. `args` are pocketsphinx command-line options:
 * ["-hmm", dir, "-lm", file, ...]. liveCmn (streaming decoders) forces live cepstral mean normalisation (the
 * model's feat.params asks for batch CMN and overrides a "-cmn" option) and updates the live mean after every
 * processRaw call rather than every ~8 s, so a fresh stream adapts to its speaker and channel quickly.
 */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_array = false;
  if (argc < 1 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "pocketsphinx.create needs an array of option strings");
    return NULL;
  }
  uint32_t n = 0;
  CHECK(napi_get_array_length(env, argv[0], &n));
  if (n > 256) {
    napi_throw_range_error(env, NULL, "pocketsphinx.create: too many options");
    return NULL;
  }
  char **args = calloc(n + 1, sizeof(char *));
  napi_value result = NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    size_t len = 0;
    if (napi_get_element(env, argv[0], i, &item) != napi_ok ||
        napi_get_value_string_utf8(env, item, NULL, 0, &len) != napi_ok || len > 4096) {
      napi_throw_type_error(env, NULL, "pocketsphinx.create: every option must be a string of at most 4096 bytes");
      goto done;
    }
    args[i] = malloc(len + 1);
    napi_get_value_string_utf8(env, item, args[i], len + 1, &len);
  }
  cmd_ln_t *config = cmd_ln_parse_r(NULL, ps_args(), (int32)n, args, TRUE);
  if (!config) {
    napi_throw_error(env, NULL, "pocketsphinx: bad decoder options (cmd_ln_parse_r failed)");
    goto done;
  }
  ps_decoder_t *ps = ps_init(config);
  if (!ps) {
    cmd_ln_free_r(config);
    napi_throw_error(env, NULL, "pocketsphinx: ps_init failed (model files missing or unreadable?)");
    goto done;
  }
  decoder_t *d = calloc(1, sizeof(decoder_t));
  d->ps = ps;
  d->config = config;
  feat_t *feat = ps_get_feat(ps);
  bool live_cmn = false;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &live_cmn);
  if (live_cmn && feat) feat->cmn = CMN_LIVE;
  d->live_cmn_updates = live_cmn;
  if (feat && feat->cmn_struct && feat->cmn_struct->cmn_mean) {
    d->cmn_veclen = feat->cmn_struct->veclen;
    d->cmn_initial = malloc(sizeof(mfcc_t) * d->cmn_veclen);
    memcpy(d->cmn_initial, feat->cmn_struct->cmn_mean, sizeof(mfcc_t) * d->cmn_veclen);
  }
  if (napi_create_external(env, d, decoder_finalize, NULL, &result) != napi_ok) {
    decoder_finalize(env, d, NULL);
    napi_throw_error(env, NULL, "pocketsphinx: cannot create handle");
    result = NULL;
  }
done:
  for (uint32_t i = 0; i < n; i++) free(args[i]);
  free(args);
  return result;
}

static napi_value make_bool(napi_env env, int v) {
  napi_value out;
  napi_get_boolean(env, v != 0, &out);
  return out;
}

/** startStream(h): a fresh stream: frame numbers (word times) count from here, CMN back to its initial value. */
static napi_value start_stream(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  if (d->in_utt) {
    ps_end_utt(d->ps);
    d->in_utt = 0;
  }
  if (ps_start_stream(d->ps) < 0) {
    napi_throw_error(env, NULL, "pocketsphinx: ps_start_stream failed");
    return NULL;
  }
  feat_t *feat = ps_get_feat(d->ps);
  if (d->cmn_initial && feat && feat->cmn_struct) {
    cmn_t *cmn = feat->cmn_struct;
    cmn_live_set(cmn, d->cmn_initial);
    if (d->live_cmn_updates) {
      /* Weigh the model's initial mean as 1 s of audio (sphinxbase uses 5 s), so a stream's own speaker and
       * channel dominate after a second or two. */
      for (int32 i = 0; i < cmn->veclen; i++) cmn->sum[i] = cmn->cmn_mean[i] * CMN_PRIOR_FRAMES;
      cmn->nframe = CMN_PRIOR_FRAMES;
    }
  }
  return NULL;
}

/** startUtt(h) */
static napi_value start_utt(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  if (d->in_utt) ps_end_utt(d->ps);
  if (ps_start_utt(d->ps) < 0) {
    napi_throw_error(env, NULL, "pocketsphinx: ps_start_utt failed");
    return NULL;
  }
  d->in_utt = 1;
  return NULL;
}

/** processRaw(h, samples: Int16Array, fullUtt: boolean) -> inSpeech */
static napi_value process_raw(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (argc < 2 || napi_is_typedarray(env, argv[1], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int16_array) {
    napi_throw_type_error(env, NULL, "pocketsphinx.processRaw needs an Int16Array of 16 kHz samples");
    return NULL;
  }
  bool full = false;
  if (argc >= 3) napi_get_value_bool(env, argv[2], &full);
  if (!d->in_utt) {
    napi_throw_error(env, NULL, "pocketsphinx: processRaw outside an utterance (call startUtt first)");
    return NULL;
  }
  if (length > 0 && ps_process_raw(d->ps, (int16 const *)data, length, FALSE, full ? TRUE : FALSE) < 0) {
    napi_throw_error(env, NULL, "pocketsphinx: ps_process_raw failed");
    return NULL;
  }
  if (d->live_cmn_updates && !full) {
    feat_t *feat = ps_get_feat(d->ps);
    if (feat && feat->cmn_struct && feat->cmn_struct->nframe > 0) cmn_live_update(feat->cmn_struct);
  }
  return make_bool(env, ps_get_in_speech(d->ps));
}

/** getHyp(h) -> string | null (the best hypothesis so far, or after endUtt the final one) */
static napi_value get_hyp(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  int32 score = 0;
  char const *hyp = ps_get_hyp(d->ps, &score);
  napi_value out;
  if (!hyp) {
    napi_get_null(env, &out);
    return out;
  }
  napi_create_string_utf8(env, hyp, NAPI_AUTO_LENGTH, &out);
  return out;
}

/**
 * endUtt(h, withProb = true) -> { text, prob, frames, words: [{ word, startFrame, endFrame, prob }] }, every segment
 * (fillers included). prob: posterior (0..1) of the utterance / each word, -1 when not computed.
 */
static napi_value end_utt(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  bool want_prob = true;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &want_prob);
  if (!d->in_utt) {
    napi_throw_error(env, NULL, "pocketsphinx: endUtt outside an utterance");
    return NULL;
  }
  d->in_utt = 0;
  if (ps_end_utt(d->ps) < 0) {
    napi_throw_error(env, NULL, "pocketsphinx: ps_end_utt failed");
    return NULL;
  }
  napi_value out, words, v;
  CHECK(napi_create_object(env, &out));
  int32 score = 0;
  char const *hyp = ps_get_hyp(d->ps, &score);
  CHECK(napi_create_string_utf8(env, hyp ? hyp : "", NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, out, "text", v));
  double prob = -1;
  if (hyp && *hyp && want_prob) prob = logmath_exp(ps_get_logmath(d->ps), ps_get_prob(d->ps));
  CHECK(napi_create_double(env, prob, &v));
  CHECK(napi_set_named_property(env, out, "prob", v));
  CHECK(napi_create_int32(env, ps_get_n_frames(d->ps), &v));
  CHECK(napi_set_named_property(env, out, "frames", v));
  CHECK(napi_create_array(env, &words));
  uint32_t i = 0;
  for (ps_seg_t *seg = hyp ? ps_seg_iter(d->ps) : NULL; seg; seg = ps_seg_next(seg)) {
    int sf = 0, ef = 0;
    ps_seg_frames(seg, &sf, &ef);
    napi_value w, s;
    CHECK(napi_create_object(env, &w));
    CHECK(napi_create_string_utf8(env, ps_seg_word(seg), NAPI_AUTO_LENGTH, &s));
    CHECK(napi_set_named_property(env, w, "word", s));
    CHECK(napi_create_int32(env, sf, &s));
    CHECK(napi_set_named_property(env, w, "startFrame", s));
    CHECK(napi_create_int32(env, ef, &s));
    CHECK(napi_set_named_property(env, w, "endFrame", s));
    int32 ascr = 0, lscr = 0, lback = 0;
    CHECK(napi_create_double(env, want_prob ? logmath_exp(ps_get_logmath(d->ps), ps_seg_prob(seg, &ascr, &lscr, &lback)) : -1, &s));
    CHECK(napi_set_named_property(env, w, "prob", s));
    CHECK(napi_set_element(env, words, i++, w));
  }
  CHECK(napi_set_named_property(env, out, "words", words));
  return out;
}

/** frameRate(h) -> frames per second (-frate) */
static napi_value frame_rate(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  napi_value out;
  napi_create_int32(env, cmd_ln_int32_r(d->config, "-frate"), &out);
  return out;
}

/* A decoder is ~85 MB of many small allocations; glibc keeps freed memory in the thread's arena, so without
 * a trim a process that once ran 60 streams stays at their peak RSS after they all close. */
static void return_memory_to_os(void) {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

/** free(h): release the decoder now rather than at garbage collection, and give the memory back. */
static napi_value free_decoder(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  decoder_t *d = get_decoder(env, info, &argc, argv);
  if (!d) return NULL;
  ps_free(d->ps);
  d->ps = NULL;
  cmd_ln_free_r(d->config);
  d->config = NULL;
  return_memory_to_os();
  return NULL;
}

/** trim(): give freed heap memory back to the OS, process-wide (every thread's arena). Returns whether any
 * was. The main thread calls it after streams close: buffers freed there (a large upload, audio queues) and
 * in other native libraries (ONNX Runtime) stay in glibc's arenas otherwise. */
static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value out;
  napi_get_boolean(env, released != 0, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"startStream", NULL, start_stream, NULL, NULL, NULL, napi_default, NULL},
      {"startUtt", NULL, start_utt, NULL, NULL, NULL, napi_default, NULL},
      {"processRaw", NULL, process_raw, NULL, NULL, NULL, napi_default, NULL},
      {"getHyp", NULL, get_hyp, NULL, NULL, NULL, napi_default, NULL},
      {"endUtt", NULL, end_utt, NULL, NULL, NULL, napi_default, NULL},
      {"frameRate", NULL, frame_rate, NULL, NULL, NULL, napi_default, NULL},
      {"free", NULL, free_decoder, NULL, NULL, NULL, napi_default, NULL},
      {"trim", NULL, trim, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
