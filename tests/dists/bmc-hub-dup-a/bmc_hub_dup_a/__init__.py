"""One of two distributions claiming the entry-point name dupmod."""

MARK = "a"
