"""The API's schemas for learning, a module for each feature."""
