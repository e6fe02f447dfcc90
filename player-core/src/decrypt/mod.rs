//! PIFF / CENC sample decryption and content keys.
