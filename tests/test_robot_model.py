"""The humanoid URDF: generated, valid for an independent parser, loadable, human-sized."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pybullet as pb
import pytest

from mirrorbot.errors import ModelError
from mirrorbot.paths import project_root, robot_urdf_path
from mirrorbot.robot.kinematics import link_positions
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel, load_robot_model
from mirrorbot.robot.urdf_builder import build_urdf, joint_table_markdown
from mirrorbot.sim.simulator import Simulator

LENGTH_TOL_M = 1e-6


def test_committed_urdf_is_what_the_builder_writes() -> None:
    assert robot_urdf_path().read_text() == build_urdf(), (
        "models/mirrorbot_humanoid.urdf is stale: run "
        "`python -m mirrorbot.robot.urdf_builder models/mirrorbot_humanoid.urdf`")


def test_urdf_passes_check_urdf() -> None:
    tool = shutil.which("check_urdf")
    if tool is None:
        pytest.skip("check_urdf not installed (Debian liburdfdom-tools; .ci/run installs it)")
    result = subprocess.run([tool, str(robot_urdf_path())], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully Parsed XML" in result.stdout


def test_joint_table_in_docs_matches_the_model() -> None:
    doc = (project_root() / "docs" / "robot.md").read_text()
    assert joint_table_markdown() in doc, "docs/robot.md joint table is stale"


def test_model_has_head_and_two_seven_joint_arms(model: RobotModel) -> None:
    assert model.actuated[:2] == ("head_pan", "head_tilt")
    for side in ("left", "right"):
        arm = [j for j in model.actuated if j.startswith(side)]
        assert len(arm) == 7
    assert np.all(model.lower_rad < model.upper_rad)
    assert np.all(model.velocity_rad_s > 0)


def test_proportions_are_adult_human(model: RobotModel) -> None:
    q = np.zeros(len(model.actuated))
    names = ["left_upper_arm", "left_forearm", "left_hand", "right_upper_arm"]
    shoulder, elbow, wrist, r_shoulder = link_positions(model, q, names)
    assert np.linalg.norm(elbow - shoulder) == pytest.approx(0.28, abs=LENGTH_TOL_M)
    assert np.linalg.norm(wrist - elbow) == pytest.approx(0.26, abs=LENGTH_TOL_M)
    assert np.linalg.norm(shoulder - r_shoulder) == pytest.approx(0.36, abs=LENGTH_TOL_M)
    # Seated adult: shoulders about 1 m above the floor, left shoulder on the robot's left (+y).
    assert 0.95 < shoulder[2] < 1.2
    assert shoulder[1] > 0 > r_shoulder[1]


def test_masses_and_inertias_are_plausible() -> None:
    with Simulator() as sim:
        masses = {}
        for i in range(pb.getNumJoints(sim._robot, physicsClientId=sim._client)):
            info = pb.getJointInfo(sim._robot, i, physicsClientId=sim._client)
            dyn = pb.getDynamicsInfo(sim._robot, i, physicsClientId=sim._client)
            masses[info[12].decode()] = dyn[0]
            assert all(v > 0 for v in dyn[2]), f"{info[12]} has a non-positive inertia"
    arm = sum(masses[f"left_{k}"] for k in ("upper_arm", "forearm", "hand"))
    assert 3.0 < arm < 5.0  # an adult arm is about 5% of body mass
    assert 3.0 < masses["head"] < 6.0


def test_loads_with_self_collision_and_no_contact_at_rest(model: RobotModel) -> None:
    with Simulator() as sim:
        for q in (np.zeros(len(model.actuated)), rest_pose(model)):
            sim.reset(q)
            sim.step(1)
            assert sim.self_contacts() == []


def test_arm_into_torso_is_a_self_contact(model: RobotModel) -> None:
    with Simulator() as sim:
        q = np.zeros(len(model.actuated))
        q[model.index("left_shoulder_abd")] = model.lower_rad[model.index("left_shoulder_abd")]
        sim.reset(q)
        sim.step(1)
        pairs = {frozenset(p[:2]) for p in sim.self_contacts()}
        assert any("base_link" in p for p in pairs), pairs


def test_missing_or_broken_urdf_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        load_robot_model(tmp_path / "nope.urdf")
    bad = tmp_path / "bad.urdf"
    bad.write_text("<robot><link name='a'>")
    with pytest.raises(ModelError, match="not valid XML"):
        load_robot_model(bad)


def test_unknown_joint_name_lists_the_valid_ones(model: RobotModel) -> None:
    with pytest.raises(ModelError, match="Available joints: .*left_elbow"):
        model.index("left_knee")


def test_the_model_carries_its_dimensions_and_arm_joints() -> None:
    """The loaded model's dimensions are the builder's numbers exactly; its arms' indices."""
    from mirrorbot.perception.landmarks import Side
    from mirrorbot.robot import urdf_builder as b
    from mirrorbot.robot.urdf import ARM_JOINTS, HAND_JOINTS

    model = load_robot_model(robot_urdf_path())
    d = model.dimensions
    assert (d.upper_arm_m, d.forearm_m) == (b.UPPER_ARM_LENGTH_M, b.FOREARM_LENGTH_M)
    assert (d.shoulder_half_width_m, d.shoulder_height_m) == (b.SHOULDER_HALF_WIDTH_M,
                                                              b.SHOULDER_HEIGHT_M)
    assert d.head_pivot_m[2] == b.NECK_HEIGHT_M + b.HEAD_TILT_OFFSET_M
    assert d.p_base_shoulder(Side.RIGHT)[1] == -b.SHOULDER_HALF_WIDTH_M
    for side in Side:
        assert [model.actuated[i] for i in model.arm_indices(side)] == \
            [f"{side.value}_{j}" for j in ARM_JOINTS]
    assert sorted(model.actuated[i].split("_", 1)[1] for i in model.hand_indices()) == \
        sorted(HAND_JOINTS * 2)
