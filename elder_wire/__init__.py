"""The wire between kiosks and the service platform, shared by both and owned by neither.

No Qt and no database code: statuses and codes (`codes`), operation payloads (`operations`),
the service catalogue (`catalogue`), meal times (`meals`), slot state (`slots`) and what a
shared screen may show of an elder (`privacy`); Python's cycle collector paused while a
large document is made or read (`collector`); which time zone names exist (`time_zones`).
docs/protocol.md describes the same wire.
"""
