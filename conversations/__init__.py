"""Flows as data and the pure engine. Standard library only."""
