"""The PyBullet adapter: the only module that imports pybullet.

It loads the humanoid (fixed base, self-collision on) and a scene, steps physics at a fixed
240 Hz, drives the joints with position control within their velocity and torque limits, and
returns joint states, link positions, contacts and offscreen camera images. Quaternions stay
inside this module.
"""

from __future__ import annotations

import contextlib
import enum
import math
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from mirrorbot.arrays import FloatArray, ImageRGB, ImageRGBA, Vec3
from mirrorbot.errors import ConfigError, ModelError
from mirrorbot.paths import robot_urdf_path
from mirrorbot.quiet import quiet_c_output
from mirrorbot.robot.urdf import RobotModel, load_robot_model
from mirrorbot.sim.camera_view import CameraConfig, floor_picture
from mirrorbot.sim.scene import Scene

with quiet_c_output():  # PyBullet prints its build time on import
    import pybullet as pb
    import pybullet_data

PHYSICS_RATE_HZ = 240.0
GUI_CAMERA_DISTANCE_M = 1.45  # the window's field of view is 90 deg high: this frames the robot
GUI_WINDOW_PX = (640, 480)  # PyBullet's window; the video window opens to its right
GUI_OFF = (pb.COV_ENABLE_GUI, pb.COV_ENABLE_SHADOWS, pb.COV_ENABLE_RGB_BUFFER_PREVIEW,
           pb.COV_ENABLE_DEPTH_BUFFER_PREVIEW, pb.COV_ENABLE_SEGMENTATION_MARK_PREVIEW)

# Links joined by one anatomical joint overlap by design (the elbow and wrist caps): never
# collide them with each other. Every other pair of links collides, arms with torso included.
ADJACENT_LINK_PAIRS = tuple(
    pair for side in ("left", "right")
    for pair in ((f"{side}_upper_arm", f"{side}_forearm"), (f"{side}_forearm", f"{side}_hand"))
)


class SimMode(enum.Enum):
    """How PyBullet runs: without a window, or in its own GUI window."""

    DIRECT = "direct"
    GUI = "gui"


@dataclass(frozen=True, kw_only=True)
class SimConfig:
    """Simulator settings.

    Attributes:
        mode: DIRECT (headless) or GUI.
        urdf_path: The robot; None means the humanoid in ``models/``.
        gravity_m_s2: Gravity along -z [m/s^2].
        position_gain: PyBullet's position-control gain (0, 1].
        camera: The offscreen camera for videos.
    """

    mode: SimMode = SimMode.DIRECT
    urdf_path: Path | None = None
    gravity_m_s2: float = 9.81
    position_gain: float = 0.35
    camera: CameraConfig = field(default_factory=CameraConfig)

    def __post_init__(self) -> None:
        if not 0.0 < self.position_gain <= 1.0:
            raise ConfigError(f"position_gain must be in (0, 1], got {self.position_gain}")
        if self.gravity_m_s2 < 0:
            raise ConfigError(f"gravity_m_s2 must be >= 0, got {self.gravity_m_s2}")


class Simulator:
    """A PyBullet world with the humanoid and an optional scene.

    Use as a context manager, or call :meth:`close`.

    Args:
        config: Simulator settings.
        scene: Objects to load around the robot.
    """

    def __init__(self, config: SimConfig | None = None, scene: Scene | None = None, *,
                 _window: bool = False) -> None:
        # _window: this instance is only the GUI window of another (it shows that one's state).
        self.config = config or SimConfig()
        urdf = self.config.urdf_path or robot_urdf_path()
        self.model: RobotModel = load_robot_model(urdf)
        options = f"--width={GUI_WINDOW_PX[0]} --height={GUI_WINDOW_PX[1]}" if _window else ""
        mode = pb.GUI if _window else pb.DIRECT
        with quiet_c_output():
            self._client = pb.connect(mode, options=options)
        if self._client < 0:
            raise ModelError("PyBullet could not open its GUI window; is a display available? "
                             "Use --headless, or run under xvfb-run")
        cid = self._client
        pb.resetSimulation(physicsClientId=cid)
        pb.setTimeStep(1.0 / PHYSICS_RATE_HZ, physicsClientId=cid)
        pb.setGravity(0, 0, -self.config.gravity_m_s2, physicsClientId=cid)
        pb.setAdditionalSearchPath(pybullet_data.getDataPath(), physicsClientId=cid)
        plane = pb.loadURDF("plane.urdf", physicsClientId=cid)
        if not _window:  # offscreen pictures draw the floor themselves
            pb.changeVisualShape(plane, -1, rgbaColor=(1, 1, 1, 0), physicsClientId=cid)
        try:
            self._robot = pb.loadURDF(
                str(urdf), basePosition=(0, 0, 0), useFixedBase=True,
                flags=pb.URDF_USE_SELF_COLLISION | pb.URDF_USE_INERTIA_FROM_FILE,
                physicsClientId=cid)
        except pb.error as exc:
            pb.disconnect(physicsClientId=cid)
            raise ModelError(f"PyBullet could not load {urdf} ({exc})") from None
        self._joint_index: dict[str, int] = {}
        self._link_index: dict[str, int] = {self.model.root: -1}
        for i in range(pb.getNumJoints(self._robot, physicsClientId=cid)):
            info = pb.getJointInfo(self._robot, i, physicsClientId=cid)
            self._joint_index[info[1].decode()] = i
            self._link_index[info[12].decode()] = i
        self._indices = [self._joint_index[name] for name in self.model.actuated]
        movable = [i for i in range(pb.getNumJoints(self._robot, physicsClientId=cid))
                   if pb.getJointInfo(self._robot, i, physicsClientId=cid)[2] != pb.JOINT_FIXED]
        self._ik_column = [movable.index(i) for i in self._indices]
        self._efforts = [pb.getJointInfo(self._robot, i, physicsClientId=cid)[10]
                         for i in self._indices]
        for a, b in ADJACENT_LINK_PAIRS:
            pb.setCollisionFilterPair(self._robot, self._robot, self._link_index[a],
                                      self._link_index[b], 0, physicsClientId=cid)
        self.objects: dict[str, list[int]] = {}
        if scene is not None:
            self._load_scene(scene)
        self._steps = 0
        self.q_target_rad = np.zeros(len(self.model.actuated))
        self._ramp_from = self.q_target_rad  # targets of the previous command (a ramp's start)
        self._ramp_steps = 0  # physics steps the pending ramp spans (0: none pending)
        self._ramp_done = 0
        # GUI mode: physics and offscreen pictures stay in this headless client, and PyBullet's
        # window, in a process of its own, is sent the state once a frame. Inside a GUI client
        # every call can wait on the window's drawing: a TinyRenderer picture took 133 ms there
        # and a frame's physics up to seconds under Xvfb (docs/performance.md).
        self._window: _WindowProcess | None = None
        self._shown_poses: dict[int, Pose] = {}  # bodies' poses shown (in the window's client)
        self.reset(np.zeros(len(self.model.actuated)))
        if _window:
            for flag in GUI_OFF:  # the side panels and the shadows' second pass
                pb.configureDebugVisualizer(flag, 0, physicsClientId=cid)
            self._frame_gui_camera()
        elif self.config.mode is SimMode.GUI:
            try:
                self._window = _WindowProcess(self.config, scene)
            except BaseException:
                self.close()
                raise
            self._window.show(*self._state())

    # --- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Disconnect from PyBullet (idempotent)."""
        if self._window is not None:
            self._window.close()
            self._window = None
        if self._client >= 0:
            with quiet_c_output():  # the GUI's threads say goodbye on stdout
                pb.disconnect(physicsClientId=self._client)
            self._client = -1

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _load_scene(self, scene: Scene) -> None:
        cid = self._client
        for obj in scene.objects:
            bodies = []
            for part in obj.parts:
                if part.shape == "box":
                    half = [s / 2 for s in part.size_m]
                    col = pb.createCollisionShape(pb.GEOM_BOX, halfExtents=half,
                                                  physicsClientId=cid)
                    vis = pb.createVisualShape(pb.GEOM_BOX, halfExtents=half, rgbaColor=obj.rgba,
                                               physicsClientId=cid)
                elif part.shape == "cylinder":
                    r, h = part.size_m
                    col = pb.createCollisionShape(pb.GEOM_CYLINDER, radius=r, height=h,
                                                  physicsClientId=cid)
                    vis = pb.createVisualShape(pb.GEOM_CYLINDER, radius=r, length=h,
                                               rgbaColor=obj.rgba, physicsClientId=cid)
                else:
                    col = pb.createCollisionShape(pb.GEOM_SPHERE, radius=part.size_m[0],
                                                  physicsClientId=cid)
                    vis = pb.createVisualShape(pb.GEOM_SPHERE, radius=part.size_m[0],
                                               rgbaColor=obj.rgba, physicsClientId=cid)
                mass = 0.0 if obj.fixed else obj.mass_kg / len(obj.parts)
                bodies.append(pb.createMultiBody(
                    baseMass=mass, baseCollisionShapeIndex=col, baseVisualShapeIndex=vis,
                    basePosition=part.position_m.tolist(), physicsClientId=cid))
            self.objects[obj.name] = bodies

    # --- state -------------------------------------------------------------------------------
    @property
    def time_s(self) -> float:
        """Simulated time since the last reset [s]."""
        return self._steps / PHYSICS_RATE_HZ

    def reset(self, q_rad: FloatArray) -> None:
        """Teleport the joints to ``q_rad`` (clamped), at rest, and hold them there."""
        q = self.model.clamp(np.asarray(q_rad, dtype=float))
        for idx, value in zip(self._indices, q, strict=True):
            pb.resetJointState(self._robot, idx, float(value), 0.0, physicsClientId=self._client)
        self._steps = 0
        self.command(q)
        if self._window is not None:
            self._window.show(*self._state())

    def command(self, q_target_rad: FloatArray, ramp_steps: int = 0) -> FloatArray:
        """Set joint position targets, clamped into the limits; returns the clamped targets.

        Each joint moves toward its target no faster than its velocity limit and with no more
        than its torque limit. ``ramp_steps`` > 0: the targets move in a straight line from the
        previous command to these over the next that many physics steps, as a servo
        controller interpolates between two control periods. A joint sent the whole way at
        once runs there at full speed and stops hard in one period; at the shoulders' 6 rad/s
        those starts and stops shook the elbow 0.5 rad off its command in a fast wave
        (0.05 rad with the ramp).
        """
        q = np.asarray(q_target_rad, dtype=float)
        if not np.all(np.isfinite(q)):  # the last line of defence: PyBullet never sees NaN
            q = np.where(np.isfinite(q), q, self.q_target_rad)
        q = self.model.clamp(q)
        self._ramp_from = self.q_target_rad
        self.q_target_rad = q
        self._ramp_steps, self._ramp_done = max(int(ramp_steps), 0), 0
        if self._ramp_steps == 0:
            self._send_targets(q)
        return q

    def _send_targets(self, q_rad: FloatArray) -> None:
        """Hand position targets (n,) [rad] to PyBullet's joint motors."""
        for idx, value, vmax, effort in zip(self._indices, q_rad, self.model.velocity_rad_s,
                                            self._efforts, strict=True):
            pb.setJointMotorControl2(
                self._robot, idx, pb.POSITION_CONTROL, targetPosition=float(value),
                force=effort, maxVelocity=float(vmax), positionGain=self.config.position_gain,
                physicsClientId=self._client)

    def inverse_kinematics(self, link: str, p_base_target_m: Vec3,
                           max_iterations: int = 20) -> FloatArray:
        """PyBullet's damped-least-squares IK for one link's origin, from the current state.

        No joint limits are given (what a basic webcam-to-arm script does); the result is the
        full joint vector (n,) [rad] in ``model.actuated`` order.
        """
        if link not in self._link_index:
            raise ModelError(f"link {link!r} does not exist. "
                             f"Available links: {sorted(self._link_index)}")
        solution = pb.calculateInverseKinematics(
            self._robot, self._link_index[link], [float(v) for v in p_base_target_m],
            maxNumIterations=max_iterations, physicsClientId=self._client)
        return np.array([solution[c] for c in self._ik_column])

    def step(self, n_steps: int = 1) -> None:
        """Advance physics by ``n_steps`` fixed steps of 1/240 s (moving along a ramp)."""
        for _ in range(n_steps):
            if self._ramp_done < self._ramp_steps:
                self._ramp_done += 1
                share = self._ramp_done / self._ramp_steps
                self._send_targets(self._ramp_from + share * (self.q_target_rad - self._ramp_from))
            pb.stepSimulation(physicsClientId=self._client)
        self._steps += n_steps
        if self._window is not None:
            self._window.show(*self._state())

    def joint_positions(self) -> FloatArray:
        """Measured joint positions, (n,) [rad], in ``model.actuated`` order."""
        states = pb.getJointStates(self._robot, self._indices, physicsClientId=self._client)
        return np.array([s[0] for s in states])

    def joint_velocities(self) -> FloatArray:
        """Measured joint velocities, (n,) [rad/s]."""
        states = pb.getJointStates(self._robot, self._indices, physicsClientId=self._client)
        return np.array([s[1] for s in states])

    def link_positions(self, links: list[str]) -> FloatArray:
        """Origins of the named link frames in the base frame, (k, 3) [m]."""
        missing = [n for n in links if n not in self._link_index]
        if missing:
            raise ModelError(f"links {missing} do not exist. "
                             f"Available links: {sorted(self._link_index)}")
        out = np.zeros((len(links), 3))
        for row, name in enumerate(links):
            idx = self._link_index[name]
            if idx < 0:
                pos, _ = pb.getBasePositionAndOrientation(self._robot,
                                                          physicsClientId=self._client)
            else:
                pos = pb.getLinkState(self._robot, idx, computeForwardKinematics=True,
                                      physicsClientId=self._client)[4]
            out[row] = pos
        return out

    def self_contacts(self) -> list[tuple[str, str, float]]:
        """Pairs of robot links in contact or penetrating now: (link_a, link_b, distance [m])."""
        names = {i: n for n, i in self._link_index.items()}
        pb.performCollisionDetection(physicsClientId=self._client)
        pts = pb.getContactPoints(self._robot, self._robot, physicsClientId=self._client)
        return [(names[p[3]], names[p[4]], float(p[8])) for p in pts]

    def scene_contacts(self) -> list[tuple[str, str, float]]:
        """Robot links touching scene objects after the last step: (link, object, distance [m]).

        Reads the contacts PyBullet found in its last ``stepSimulation`` (no new query).
        """
        names = {i: n for n, i in self._link_index.items()}
        out = []
        for obj, bodies in self.objects.items():
            for body in bodies:
                for p in pb.getContactPoints(self._robot, body, physicsClientId=self._client):
                    out.append((names[p[3]], obj, float(p[8])))
        return out

    def object_position(self, name: str) -> Vec3:
        """Centre of a scene object's first part, (3,) [m]."""
        if name not in self.objects:
            raise ModelError(f"object {name!r} is not in the scene. "
                             f"Available objects: {sorted(self.objects)}")
        pos, _ = pb.getBasePositionAndOrientation(self.objects[name][0],
                                                  physicsClientId=self._client)
        return np.array(pos)

    # --- cameras -----------------------------------------------------------------------------
    def render(self, camera: CameraConfig | None = None) -> ImageRGB:
        """An offscreen image from the person's side of the table, (H, W, 3) uint8 RGB."""
        return np.ascontiguousarray(self.render_rgba(camera)[:, :, :3])

    def render_with_mask(self, camera: CameraConfig | None = None,
                         ) -> tuple[ImageRGB, npt.NDArray[np.bool_]]:
        """:meth:`render`'s image and the mask (H, W) of the robot's pixels."""
        rgba, seg_ids = self._render(camera or self.config.camera)
        # The segmentation buffer holds body id + (link index + 1) << 24 per pixel.
        return np.ascontiguousarray(rgba[:, :, :3]), (seg_ids & 0xFFFFFF) == self._robot

    def render_rgba(self, camera: CameraConfig | None = None) -> ImageRGBA:
        """:meth:`render`'s image with an opaque alpha channel, (H, W, 4) uint8 RGBA.

        The video's frames use this one: dropping the alpha channel costs 1 ms in numpy and
        0.1 ms in the OpenCV conversion to BGR that the frame needs anyway.
        """
        return self._render(camera or self.config.camera)[0]

    def _render(self, cam: CameraConfig) -> tuple[ImageRGBA, npt.NDArray[np.int32]]:
        """The picture (H, W, 4) uint8 RGBA and the segmentation ids (H, W), -1 for no body.

        TinyRenderer draws the bodies; where it draws none, the floor and sky of
        :func:`mirrorbot.sim.camera_view.floor_picture` show (the floor's own mesh is not drawn:
        it cost two thirds of each picture).
        """
        view = pb.computeViewMatrix(cam.eye_m, cam.target_m, (0, 0, 1),
                                    physicsClientId=self._client)
        proj = pb.computeProjectionMatrixFOV(cam.fov_deg, cam.width_px / cam.height_px, 0.05,
                                             8.0, physicsClientId=self._client)
        light = (math.cos(0.6), 0.6, 1.6)
        _, _, rgba, _, seg = pb.getCameraImage(
            cam.width_px, cam.height_px, view, proj, renderer=pb.ER_TINY_RENDERER,
            lightDirection=light, shadow=0, physicsClientId=self._client)
        h, w = cam.height_px, cam.width_px
        seg_ids = np.asarray(seg, dtype=np.int32).reshape(h, w)
        # One 32-bit word per RGBA pixel: compositing whole pixels is 3x faster than bytes.
        drawn = np.ascontiguousarray(rgba, dtype=np.uint8).reshape(h, w, 4).view(np.uint32)
        floor = floor_picture(cam).view(np.uint32)
        picture = np.where((seg_ids < 0)[:, :, None], floor, drawn)
        return picture.view(np.uint8).reshape(h, w, 4), seg_ids

    def _state(self) -> tuple[FloatArray, list[Pose]]:
        """The joint positions (n,) [rad] and every scene body's pose, for the window."""
        poses = [pb.getBasePositionAndOrientation(b, physicsClientId=self._client)
                 for bodies in self.objects.values() for b in bodies]
        return self.joint_positions(), poses

    def _show(self, q_rad: FloatArray, poses: list[Pose]) -> None:
        """Put the joints and the scene's bodies where :meth:`_state` says (window only).

        For pictures only (velocities zero, no physics): one call for the joints, and one for
        each body that moved since the last time, since every call may wait on the window.
        """
        pb.resetJointStatesMultiDof(self._robot, self._indices, [[float(v)] for v in q_rad],
                                    physicsClientId=self._client)
        bodies = [b for group in self.objects.values() for b in group]
        for body, pose in zip(bodies, poses, strict=True):
            if self._shown_poses.get(body) != pose:
                pb.resetBasePositionAndOrientation(body, *pose, physicsClientId=self._client)
                self._shown_poses[body] = pose

    def _frame_gui_camera(self) -> None:
        """Point the GUI's camera (and its light) at the robot from the person's side."""
        pb.configureDebugVisualizer(lightPosition=(-4.0, -1.5, 5.0), physicsClientId=self._client)
        pb.resetDebugVisualizerCamera(cameraDistance=GUI_CAMERA_DISTANCE_M, cameraYaw=75.0,
                                      cameraPitch=-15.0, cameraTargetPosition=(0.1, 0.0, 1.1),
                                      physicsClientId=self._client)
        # The GUI thread applies the camera asynchronously; wait (at most 2 s) until it has.
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            cam = pb.getDebugVisualizerCamera(physicsClientId=self._client)
            if abs(cam[10] - GUI_CAMERA_DISTANCE_M) < 1e-3:
                break
            time.sleep(0.02)

    def gui_screenshot(self) -> tuple[ImageRGB, npt.NDArray[np.bool_]]:
        """What the GUI window shows, (H, W, 3) uint8 RGB, and the robot's pixel mask (H, W).

        Rendered by the GUI's OpenGL renderer from its current camera; GUI mode only.
        """
        if self._window is not None:
            return self._window.screenshot()
        if self.config.mode is not SimMode.GUI:
            raise ConfigError("gui_screenshot needs SimMode.GUI")
        cam = pb.getDebugVisualizerCamera(physicsClientId=self._client)
        width, height, view, proj = cam[0], cam[1], cam[2], cam[3]
        _, _, rgba, _, seg = pb.getCameraImage(
            width, height, view, proj, renderer=pb.ER_BULLET_HARDWARE_OPENGL,
            physicsClientId=self._client)
        image = np.asarray(rgba, dtype=np.uint8).reshape(height, width, 4)
        body = np.asarray(seg, dtype=np.int64).reshape(height, width) & 0xFFFFFF
        return np.ascontiguousarray(image[:, :, :3]), body == self._robot


Pose = tuple[tuple[float, float, float], tuple[float, float, float, float]]
"""A body's position [m] and orientation (quaternion, x y z w), as PyBullet gives them."""


class _WindowProcess:
    """PyBullet's window in a process of its own, sent the simulator's state once a frame.

    Sending never waits on the window's drawing (only on the socket's buffer, which the window
    drains, keeping the latest state). The process is a fresh interpreter started with
    ``-c`` (not multiprocessing, which would re-run a user's script without a main guard).
    Raises ModelError when the window cannot open.
    """

    START_TIMEOUT_S = 60.0

    def __init__(self, config: SimConfig, scene: Scene | None) -> None:
        mine, theirs = socket.socketpair()
        code = ("import sys; from mirrorbot.sim.simulator import window_main; "
                "window_main(sys.argv[1])")
        self._proc = subprocess.Popen([sys.executable, "-c", code, str(theirs.fileno())],
                                      pass_fds=(theirs.fileno(),), stdout=subprocess.DEVNULL)
        theirs.close()
        self._conn = Connection(mine.detach())
        try:
            self._conn.send((config, scene))
            ready = self._conn.recv() if self._conn.poll(self.START_TIMEOUT_S) else "no answer"
        except (EOFError, OSError):  # it died at once (a DISPLAY that does not answer)
            ready = self._exit_reason()
        if ready != "ok":
            self.close()
            raise ModelError(f"PyBullet could not open its GUI window ({ready}); is a display "
                             "available? Use --headless, or run under xvfb-run")

    def _exit_reason(self) -> str:
        """Why the window's process ended before it answered, for the message."""
        try:
            status = self._proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            return "its process stopped answering"
        return f"its process ended with status {status}"

    def show(self, q_rad: FloatArray, poses: list[Pose]) -> None:
        """Show this state (joint positions (n,) [rad], the scene bodies' poses)."""
        with contextlib.suppress(OSError):  # a window closed by its user shows nothing
            self._conn.send(("show", q_rad, poses))

    def screenshot(self) -> tuple[ImageRGB, npt.NDArray[np.bool_]]:
        """What the window shows now: :meth:`Simulator.gui_screenshot` in its process."""
        self._conn.send(("screenshot",))
        image, mask = self._conn.recv()
        return image, mask

    def close(self) -> None:
        """Close the window and end its process (idempotent)."""
        with contextlib.suppress(OSError):
            self._conn.send(None)
        try:
            self._proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._conn.close()


def window_main(fd: str) -> None:
    """The window's process (``fd``: its end of the socket): show the latest state sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    conn = Connection(int(fd))
    config, scene = conn.recv()
    try:
        window = Simulator(config, scene, _window=True)
    except Exception as exc:  # noqa: BLE001 - any failure is reported to the main process
        conn.send(f"{type(exc).__name__}: {exc}")
        return
    conn.send("ok")
    pending = None  # a state not shown yet
    with window:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            if message[0] == "show":
                pending = message
                if conn.poll():
                    continue  # a newer message waits: only the latest state matters
            if pending is not None:
                window._show(pending[1], pending[2])
                pending = None
            if message[0] == "screenshot":
                conn.send(window.gui_screenshot())
