"""Running a session: the per-frame pipeline, the loop, the stages, live keys, the registry."""
