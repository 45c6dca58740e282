"""Measuring: ``mirrorbot eval`` (with the assignments' scores), ``mirrorbot bench``, lead time."""
