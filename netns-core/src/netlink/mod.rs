//! rtnetlink sockets (placeholder, being written).
