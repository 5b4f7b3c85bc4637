"""The use case's application: command line, configuration, demo and documents."""
