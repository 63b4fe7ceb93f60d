"""The other distribution claiming dupmod."""

MARK = "b"
