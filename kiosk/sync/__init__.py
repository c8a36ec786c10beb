"""Sync with the service platform (docs/protocol.md): push the outbox, pull changes, leases."""
