"""Unit tests of the serving component."""
