//! Live edge, DVR window and manifest refresh policy.
