//! The C ABI behind `include/smoothplay.h` (generated from these files by cbindgen).
//!
//! The header's preamble (in `cbindgen.toml`) states the contract: which calls may come from
//! which threads, which thread runs each callback, and who owns every buffer for how long.
//! Every entry point catches panics and reports `SP_ERR_INTERNAL` instead of unwinding into
//! C; every pointer is checked for NULL and every string for UTF-8.
#![allow(non_camel_case_types)]

mod audio;
mod callbacks;
mod commands;
mod config;
mod events;
mod handle;
mod pull;
mod pull_queue;
mod stats;
mod status;

pub use audio::{
    SP_AUDIO_F32, SP_AUDIO_FLUSH, SP_AUDIO_PAUSE, SP_AUDIO_RESUME, SP_AUDIO_S16, SP_AUDIO_SAMPLES,
    sp_audio, sp_audio_cb, sp_audio_format, sp_audio_kind, sp_audio_played_cb,
};
pub use callbacks::{sp_event_cb, sp_frame, sp_key_cb, sp_video_cb};
pub use commands::{
    SP_STREAM_AUDIO, SP_STREAM_VIDEO, sp_player_go_live, sp_player_pause, sp_player_play,
    sp_player_position, sp_player_replay, sp_player_seek, sp_player_select_stream,
    sp_player_set_captions, sp_player_set_max_bitrate, sp_player_set_rate, sp_player_stop,
    sp_stream_type,
};
pub use config::{
    SP_DECODER_AUTO, SP_DECODER_LIBAV, SP_DECODER_OPENH264, SP_FLAG_ALL_CHANNELS, SP_FLAG_CAPTIONS,
    SP_FLAG_FAST, SP_FLAG_PULL_VIDEO, SP_FLAG_START_PAUSED, sp_config, sp_decoder,
};
pub use events::{
    SP_EVENT_BUFFERING, SP_EVENT_CAPTION, SP_EVENT_COMMAND, SP_EVENT_ENDED, SP_EVENT_ERROR,
    SP_EVENT_FAILOVER, SP_EVENT_MARKER, SP_EVENT_QUALITY, SP_EVENT_RATE, SP_EVENT_RETRY,
    SP_EVENT_SEEK, SP_EVENT_STATE, SP_EVENT_STATS, SP_EVENT_TRACK, sp_event_type,
};
pub use handle::{sp_player, sp_player_free, sp_player_last_error, sp_player_new, sp_player_open};
pub use pull::{sp_frame_release, sp_player_next_video_frame};
pub use stats::{
    SP_STATE_BUFFERING, SP_STATE_ENDED, SP_STATE_FAILED, SP_STATE_IDLE, SP_STATE_PAUSED,
    SP_STATE_PLAYING, SP_STATE_STOPPED, sp_player_stats, sp_state, sp_stats,
};
pub use status::{sp_status, sp_status_str};
