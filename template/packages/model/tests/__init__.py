"""Unit tests of the model component."""
