"""The simulated world: the scene files, the offscreen camera and the simulator.

Only ``simulator`` imports pybullet.
"""
