//! Fragments to decoder-ready samples, and decoder configuration from the manifest.
