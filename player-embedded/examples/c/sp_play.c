/*
 * sp_play: plays a Smooth Streaming presentation headless through smoothplay's C ABI,
 * counts the pictures and audio it receives, seeks once, and prints statistics.
 *
 *   sp_play [--fast] [--pull] [--s16] [--seek-at S] [--seek-to S] URL
 *
 * --fast      run unpaced (as fast as decoding allows) instead of in real time
 * --pull      pull pictures with sp_player_next_video_frame instead of on_video
 * --s16       receive 16-bit audio instead of float
 * --seek-at   seek when the first picture at or after S seconds arrives (default 10)
 * --seek-to   where to seek, seconds (default 4)
 *
 * Build:  cc -std=c11 sp_play.c $(pkg-config --cflags --libs smoothplay) -o sp_play
 * Exit code 0 when playback reached the end after the seek.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smoothplay.h"

typedef struct app {
  sp_player *player;
  int64_t seek_at_us;
  int64_t seek_to_us;
  /* Video: written on the video thread (or main in pull mode), read by main. */
  atomic_ullong frames;
  atomic_ullong frames_after_seek;
  atomic_llong first_pts_after_seek; /* -1 until the first picture after the seek */
  atomic_int seek_requested;
  atomic_int bad_frames;             /* pictures with missing planes or a bad size */
  int64_t last_pts;                  /* touched by one thread only (video or main) */
  /* Audio: written on the audio thread. */
  atomic_ullong audio_frames;
  atomic_ullong audio_frames_after_seek;
  atomic_uint audio_rate;
  atomic_uint audio_channels;
  atomic_int audio_flushes;
  atomic_int audio_counting_after_seek;
  /* Events: written on the event thread. */
  atomic_int seek_events;
  atomic_int fatal_errors;
} app;

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* One picture, from on_video or from sp_player_next_video_frame. */
static void on_picture(app *a, const sp_frame *f) {
  if (f->y == NULL || f->u == NULL || f->v == NULL || f->width == 0 || f->height == 0 ||
      f->y_stride < f->width || f->uv_stride < (f->width + 1) / 2) {
    atomic_fetch_add(&a->bad_frames, 1);
  }
  atomic_fetch_add(&a->frames, 1);
  if (atomic_load(&a->seek_requested)) {
    /* The first picture that goes back in time is the first one after the seek. */
    if (atomic_load(&a->first_pts_after_seek) < 0 && f->pts_us < a->last_pts) {
      atomic_store(&a->first_pts_after_seek, f->pts_us);
    }
    if (atomic_load(&a->first_pts_after_seek) >= 0) {
      atomic_fetch_add(&a->frames_after_seek, 1);
    }
  } else if (f->pts_us >= a->seek_at_us) {
    atomic_store(&a->seek_requested, 1);
    sp_status s = sp_player_seek(a->player, (uint64_t)(a->seek_to_us / 1000));
    printf("seek at %.3f s to %.3f s: %s\n", f->pts_us / 1e6, a->seek_to_us / 1e6,
           sp_status_str(s));
  }
  a->last_pts = f->pts_us;
}

static void on_video(void *user, const sp_frame *frame) { on_picture((app *)user, frame); }

static uint32_t on_audio(void *user, const sp_audio *audio) {
  app *a = (app *)user;
  if (audio->kind == SP_AUDIO_FLUSH) {
    /* Queued audio is to be dropped: after the seek, what follows starts at the new spot. */
    atomic_fetch_add(&a->audio_flushes, 1);
    if (atomic_load(&a->seek_requested)) {
      atomic_store(&a->audio_frames_after_seek, 0);
      atomic_store(&a->audio_counting_after_seek, 1);
    }
    return 0;
  }
  if (audio->kind != SP_AUDIO_SAMPLES) return 0;
  atomic_store(&a->audio_rate, audio->sample_rate);
  atomic_store(&a->audio_channels, audio->channels);
  atomic_fetch_add(&a->audio_frames, audio->frames);
  if (atomic_load(&a->audio_counting_after_seek)) {
    atomic_fetch_add(&a->audio_frames_after_seek, audio->frames);
  }
  return audio->frames; /* a real host copies into its device buffer here */
}

static void on_event(void *user, uint32_t type, const char *json, size_t len) {
  app *a = (app *)user;
  (void)len;
  if (type == SP_EVENT_SEEK) {
    atomic_fetch_add(&a->seek_events, 1);
    printf("event %s\n", json);
  } else if (type == SP_EVENT_ERROR && strstr(json, "\"fatal\":true") != NULL) {
    atomic_fetch_add(&a->fatal_errors, 1);
    printf("event %s\n", json);
  } else if (type == SP_EVENT_ENDED) {
    printf("event %s\n", json);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  int fast = 0, pull = 0, s16 = 0;
  double seek_at = 10.0, seek_to = 4.0;
  const char *url = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--fast") == 0) fast = 1;
    else if (strcmp(argv[i], "--pull") == 0) pull = 1;
    else if (strcmp(argv[i], "--s16") == 0) s16 = 1;
    else if (strcmp(argv[i], "--seek-at") == 0 && i + 1 < argc) seek_at = atof(argv[++i]);
    else if (strcmp(argv[i], "--seek-to") == 0 && i + 1 < argc) seek_to = atof(argv[++i]);
    else url = argv[i];
  }
  if (url == NULL) {
    fprintf(stderr, "usage: sp_play [--fast] [--pull] [--s16] [--seek-at S] [--seek-to S] URL\n");
    return 2;
  }

  app a;
  memset(&a, 0, sizeof a);
  a.seek_at_us = (int64_t)(seek_at * 1e6);
  a.seek_to_us = (int64_t)(seek_to * 1e6);
  a.last_pts = -1;
  atomic_init(&a.first_pts_after_seek, -1);

  const char *headers[] = {"X-Client: sp_play"};
  sp_config cfg = {0}; /* zero = defaults */
  cfg.user_agent = "sp_play/1.0";
  cfg.headers = headers;
  cfg.header_count = 1;
  cfg.buffer_bytes = 16u * 1024 * 1024;
  cfg.flags = (fast ? SP_FLAG_FAST : 0) | (pull ? SP_FLAG_PULL_VIDEO : 0);
  cfg.audio_format = s16 ? SP_AUDIO_S16 : SP_AUDIO_F32;
  cfg.on_video = pull ? NULL : on_video;
  cfg.on_audio = on_audio;
  cfg.on_event = on_event;
  cfg.user_data = &a;

  sp_player *p = sp_player_new(&cfg);
  if (p == NULL) {
    fprintf(stderr, "sp_play: out of memory\n");
    return 1;
  }
  a.player = p;
  char message[512];
  sp_status s = sp_player_open(p, url);
  if (s != SP_OK) {
    sp_player_last_error(p, message, sizeof message);
    fprintf(stderr, "sp_play: cannot open %s: %s: %s\n", url, sp_status_str(s), message);
    sp_player_free(p);
    return 1;
  }
  printf("opened %s\n", url);
  s = sp_player_go_live(p);
  sp_player_last_error(p, message, sizeof message);
  printf("go_live: %s (%s)\n", sp_status_str(s), message);

  /* Wait for the end after the seek (or a fatal error); give up after 10 minutes. */
  int ended = 0;
  for (int waited_ms = 0; waited_ms < 600000 && !ended; ) {
    if (pull) {
      sp_frame f;
      s = sp_player_next_video_frame(p, 100, &f);
      if (s == SP_OK) {
        on_picture(&a, &f);
        sp_frame_release(&f);
        continue;
      }
      waited_ms += 100;
      if (s == SP_ERR_ENDED && atomic_load(&a.first_pts_after_seek) >= 0) ended = 1;
      else if (s != SP_ERR_TIMEOUT && s != SP_ERR_ENDED) {
        fprintf(stderr, "sp_play: next_video_frame: %s\n", sp_status_str(s));
        break;
      }
    } else {
      sleep_ms(50);
      waited_ms += 50;
      sp_stats st;
      sp_player_stats(p, &st);
      if (st.state == SP_STATE_ENDED && atomic_load(&a.first_pts_after_seek) >= 0) ended = 1;
    }
    if (atomic_load(&a.fatal_errors) > 0) break;
  }

  sp_stats st;
  sp_player_stats(p, &st);
  printf("frames %llu\n", (unsigned long long)atomic_load(&a.frames));
  printf("frames after seek %llu\n", (unsigned long long)atomic_load(&a.frames_after_seek));
  printf("first frame after seek %.3f s\n", atomic_load(&a.first_pts_after_seek) / 1e6);
  printf("bad frames %d\n", atomic_load(&a.bad_frames));
  printf("audio frames %llu (%u Hz, %u channels, %s)\n",
         (unsigned long long)atomic_load(&a.audio_frames), atomic_load(&a.audio_rate),
         atomic_load(&a.audio_channels), s16 ? "s16" : "f32");
  printf("audio frames after seek %llu\n",
         (unsigned long long)atomic_load(&a.audio_frames_after_seek));
  printf("seek events %d\n", atomic_load(&a.seek_events));
  printf("stats state %u position %llu ms duration %llu ms size %ux%u bitrate %llu "
         "avg %llu decoded %llu dropped %llu switches %llu rebuffers %llu startup %lld ms\n",
         st.state, (unsigned long long)st.position_ms, (unsigned long long)st.duration_ms,
         st.width, st.height, (unsigned long long)st.bitrate, (unsigned long long)st.avg_bitrate,
         (unsigned long long)st.frames_decoded, (unsigned long long)st.frames_dropped,
         (unsigned long long)st.switches, (unsigned long long)st.rebuffers,
         (long long)st.startup_ms);
  sp_player_free(p);
  if (!ended) {
    fprintf(stderr, "sp_play: playback did not reach the end after the seek\n");
    return 1;
  }
  return 0;
}
