"""The robot: its URDF (written by ``urdf_builder``), kinematics, the arm in closed form.

Also the capsule model of its links (``collision_model``) and the minimum-jerk and rest-pose
helpers (``scripted``).
"""
