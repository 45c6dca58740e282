"""The outputs: the session log, summary, plot, video, drawn frame and skeleton view."""
