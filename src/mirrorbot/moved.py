"""Old module paths that students' code and the course's docs import: they still load.

Before the stage packages every module sat at the top of the package. The ones the assignments'
starters and task sheets named load from their new place under the old name (the same module
object, not a copy). New code imports from :mod:`mirrorbot` or from the new place.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

MOVED = {
    "mirrorbot.arm_kinematics": "mirrorbot.robot.arm_kinematics",  # write_a_retargeter/TASK.md
    "mirrorbot.intent": "mirrorbot.mind.intent",  # GoalBelief, IntentModel: goal_predictor
    "mirrorbot.landmarks": "mirrorbot.perception.landmarks",  # PoseFrame, Side: both starters
    "mirrorbot.person_arm_frames": "mirrorbot.mind.person_arm_frames",  # goal_predictor
}
# mirrorbot.retarget (the write_a_retargeter starter) is the retarget package: its names are
# re-exported there. mirrorbot.labels has not moved.


class _OldPath:
    """Finds an old path in :data:`MOVED` and puts the moved module in its place.

    A meta path finder and its loader (the protocols of ``importlib.abc``, not imported: that
    costs ``import mirrorbot`` several milliseconds).
    """

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        """A spec for an old path (None for every other name)."""
        if fullname not in MOVED:
            return None
        return ModuleSpec(fullname, self)  # type: ignore[arg-type] # a Loader by its methods

    def create_module(self, spec: ModuleSpec) -> None:
        """The default placeholder module: :meth:`exec_module` replaces it."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Import the new module and register it under the old name."""
        sys.modules[module.__name__] = importlib.import_module(MOVED[module.__name__])


def install() -> None:
    """Let the old paths load (once; after every other finder)."""
    if not any(isinstance(finder, _OldPath) for finder in sys.meta_path):
        sys.meta_path.append(_OldPath())
