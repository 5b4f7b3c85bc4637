"""Test kit: workspaces, sample data, a trained model and a live server for tests."""
