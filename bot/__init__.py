"""The outside world and the composition root: the only package that imports a platform."""
