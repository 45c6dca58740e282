"""The command shaper: velocity and acceleration limits and collision avoidance."""
