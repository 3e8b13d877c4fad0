"""Core: settings, typed records and text utilities. Imports nothing else of the project."""
