"""The person as the robot sees them: landmarks, torso frame, tracker, filters, recordings.

The lowest stage package: it imports only the top-level helpers. Only ``tracker`` imports
mediapipe.
"""
