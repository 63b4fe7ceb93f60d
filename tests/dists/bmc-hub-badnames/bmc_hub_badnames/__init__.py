"""Declares an invalid and a reserved module name."""
