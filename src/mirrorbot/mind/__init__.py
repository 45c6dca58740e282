"""The robot's mind: its primitives, goal recognition, learning, anticipation, gaze and echo."""
