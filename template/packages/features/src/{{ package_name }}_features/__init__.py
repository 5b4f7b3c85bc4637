"""Features of the use case: declared once, computed alike for training and serving."""
