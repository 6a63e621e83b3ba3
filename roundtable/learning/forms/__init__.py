"""The forms of the learning pages, a module for each feature."""
