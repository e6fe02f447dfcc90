//! Scripted tests of the session state machine: inputs and a fake clock in, actions out;
//! no threads, no sockets.

mod captions;
mod commands;
mod cpu;
mod failover;
mod harness;
mod latency;
mod live;
mod live_origin;
mod markers;
mod trick;
mod vod;
mod watchdog;
