//! Namespace ids (placeholder, being written).
