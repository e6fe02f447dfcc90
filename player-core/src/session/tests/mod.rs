//! Scripted tests of the session state machine: inputs and a fake clock in, actions out;
//! no threads, no sockets.

mod captions;
mod commands;
mod failover;
mod harness;
mod live;
mod vod;
