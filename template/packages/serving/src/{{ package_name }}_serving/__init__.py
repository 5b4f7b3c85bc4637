"""Serving component: API contracts, model loading, inference, health and metrics."""
