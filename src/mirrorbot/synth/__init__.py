"""The synthetic person: body, labelled gestures, noise, reaches and its drawn view."""
