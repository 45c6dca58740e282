"""The course kit: example scenarios in sims/, the assignments and their scores."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli
from mirrorbot.eval.eval_intent import run_eval_intent
from mirrorbot.eval.eval_retarget import run_eval_retarget

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "sims" / "assignments"
STARTER_RETARGETER = f"{ASSIGNMENTS / 'write_a_retargeter' / 'my_retargeter.py'}:MyRetargeter"
STARTER_PREDICTOR = f"{ASSIGNMENTS / 'goal_predictor' / 'my_predictor.py'}:MyPredictor"


def _scenario(name: str, tmp_path: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "sims" / f"{name}.py"), "--out",
                             str(tmp_path / name), *args], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    print(result.stdout)
    return result.stdout


@pytest.mark.parametrize("name", ["wave_back", "handover", "pointing_game", "learn_gesture"])
def test_each_scenario_is_one_short_file(name: str) -> None:
    assert len((ROOT / "sims" / f"{name}.py").read_text().splitlines()) < 100


@pytest.mark.parametrize("name", ["wave_back", "handover", "pointing_game", "learn_gesture"])
def test_each_scenario_describes_every_option(name: str) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "sims" / f"{name}.py"), "--help"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    bare = re.findall(r"^ +(--\S+(?: [A-Z_]+)?) *$", result.stdout, re.MULTILINE)
    assert not bare, f"{name}.py --help lists {bare} without a description"
    assert f"(default out/sims/{name})" in " ".join(result.stdout.split())


def test_pointing_game_says_what_was_seen_in_plain_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "the robot looked at the nothing"."""
    monkeypatch.syspath_prepend(str(ROOT / "sims"))
    game = importlib.import_module("pointing_game")
    assert [game._the(n) for n in ("cup", "nothing", "far away")] == [
        "the cup", "nothing", "something far away"]


@pytest.mark.slow
def test_wave_back_scenario(tmp_path: Path) -> None:
    out = _scenario("wave_back", tmp_path, "--seed", "3")
    assert "the robot recognised the wave at" in out and "it waved back with its left hand" in out
    assert (tmp_path / "wave_back" / "session.jsonl").is_file()


@pytest.mark.slow
def test_handover_scenario(tmp_path: Path) -> None:
    out = _scenario("handover", tmp_path, "--seed", "2")
    assert "the robot recognised the offer and reached out" in out
    assert "only mirroring, it would have come within" in out


@pytest.mark.slow
def test_pointing_game_scenario(tmp_path: Path) -> None:
    out = _scenario("pointing_game", tmp_path, "--seed", "2", "--rounds", "3")
    rounds = [line for line in out.splitlines() if line.startswith("round ")]
    assert len(rounds) == 3
    assert sum("(hit;" in line for line in rounds) >= 2
    assert "the nothing" not in out and "the far away" not in out
    assert "score: " in out


@pytest.mark.slow
def test_learn_gesture_scenario(tmp_path: Path) -> None:
    out = _scenario("learn_gesture", tmp_path)  # the default seed, as a user runs it
    assert "learned 'heart' from 3 demonstrations" in out
    assert "the robot recognised 'heart' at" in out and "completed it with its own arm" in out
    assert (tmp_path / "learn_gesture" / "repertoire" / "heart.json").is_file()


@pytest.mark.slow
def test_retargeter_assignment_scores_starter_below_and_ours_above_the_pass_mark() -> None:
    seeds = (1001,)
    starter = run_eval_retarget(seeds=seeds, progress=False, retargeter=STARTER_RETARGETER)
    ours = run_eval_retarget(seeds=seeds, progress=False)
    print(starter["score"], ours["score"])
    assert not starter["score"]["passed"] and ours["score"]["passed"]
    assert starter["score"]["points"] < ours["score"]["points"]
    assert starter["name"] == "MyRetargeter" and "MyRetargeter" in starter


@pytest.mark.slow
def test_goal_predictor_assignment_scores_starter_below_and_ours_above_the_pass_mark() -> None:
    seeds = (3001, 3002, 3003)
    starter = run_eval_intent(progress=False, intent=STARTER_PREDICTOR, seeds=seeds,
                              lead_time=False)
    ours = run_eval_intent(progress=False, seeds=seeds, lead_time=False)
    print(starter["score"], ours["score"])
    assert not starter["score"]["passed"] and ours["score"]["passed"]


@pytest.mark.slow  # end to end through the CLI, a few seconds
def test_filter_assignment_through_the_cli(tmp_path: Path) -> None:
    starter = run_cli("eval", "filter", "--filter",
                      str(ASSIGNMENTS / "tune_the_filter" / "filter.json"), "--json")
    assert starter.returncode == 0, starter.stderr
    report = json.loads(starter.stdout)
    assert not report["score"]["passed"] and report["lag_frames"] > 3
    tuned = tmp_path / "filter.json"
    tuned.write_text(json.dumps({"min_cutoff_hz": 0.1, "beta": 5.0}))
    report = json.loads(run_cli("eval", "filter", "--filter", str(tuned), "--json").stdout)
    assert report["score"]["passed"] and report["settings"]["beta"] == 5.0
    text = run_cli("eval", "filter").stdout
    assert "pass mark 75.0: PASS" in text.splitlines()[-1]
    # The defaults are labelled so (not "yours"), the reduction is a factor, and the report
    # prints its grading criteria as the other assignments' do.
    rows = [line.split()[0] for line in text.splitlines()[2:] if not line.startswith(
        ("grading:", "score "))]
    assert rows == ["defaults"], text
    assert "still jitter reduced" in text and "still jitter /" not in text
    assert [line.split()[1] for line in text.splitlines() if line.startswith("grading:")] == [
        "lag", "stillness", "movement"]
    assert set(report["score"]["criteria"]) == {"lag", "stillness", "movement"}


@pytest.mark.slow
def test_students_mistakes_get_one_line_messages(tmp_path: Path) -> None:
    broken = tmp_path / "mine.py"
    broken.write_text("class Mine:\n    def __init__(self, context):\n        pass\n")
    result = run_cli("eval", "retarget", "--retargeter", f"{broken}:Mine")
    assert result.returncode == 2
    assert "missing the method __call__" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("eval", "intent", "--intent", f"{tmp_path / 'nope.py'}:Mine")
    assert result.returncode == 2 and "no file" in result.stderr
    result = run_cli("eval", "intent", "--intent", f"{broken}:Other")
    assert result.returncode == 2 and "has no 'Other'" in result.stderr and "Mine" in result.stderr
    bad = tmp_path / "f.json"
    bad.write_text('{"betta": 2}')
    result = run_cli("eval", "filter", "--filter", str(bad))
    assert result.returncode == 2 and "unknown setting" in result.stderr
    result = run_cli("eval", "retarget", "--intent", "ours")
    assert result.returncode == 2 and "takes no --intent" in result.stderr
    result = run_cli("eval", "filter", "--wander")
    assert result.returncode == 2 and "takes no --wander" in result.stderr


@pytest.mark.parametrize("stage", ["retargeter", "intent"])
def test_stage_errors_name_every_form_of_spec_in_plain_english(stage: str) -> None:
    from mirrorbot.errors import ConfigError
    from mirrorbot.run.registry import load_stage

    with pytest.raises(ConfigError, match=re.escape(
            "or module:Class or path/to/file.py:Class for your own")):
        load_stage(stage, "nope")
    needs = {"retargeter": "__call__(self, pose) that a retargeter needs",
             "intent": "__call__(self, pose, t_s) that an intent model needs"}[stage]
    with pytest.raises(ConfigError, match=re.escape(f"is missing the method {needs}")):
        load_stage(stage, "mirrorbot:RunConfig")


FLIP_RETARGETER = '''
import numpy as np
from mirrorbot.retarget.retarget import DirectionRetargeter


class OneFlip:
    """Ours, except for a frame now and then where the upper arm flips (as a first attempt's)."""

    def __init__(self, context):
        self.inner, self.model, self.calls = DirectionRetargeter(context), context.model, 0

    def __call__(self, pose):
        q = np.array(self.inner(pose), dtype=float)
        self.calls += 1
        if self.calls % 250 == 0:
            i = self.model.index("left_shoulder_flex")
            q[i] = np.clip(q[i] + 2.5, self.model.lower_rad[i], self.model.upper_rad[i])
        return q
'''


@pytest.mark.slow
def test_eval_retarget_scores_the_mode_it_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    """``eval retarget --mode anatomical`` without --data: honoured, and the report says so."""
    from mirrorbot.retarget.retarget import Mapping

    r = run_eval_retarget(seeds=(1001,), progress=False, mode=Mapping.ANATOMICAL)
    assert r["mode"] == "anatomical" and r["score"]["passed"]
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("retargeting in anatomical mode on 1 synthetic session with "
                            "pose-model noise: ") and first.endswith("within the robot's reach")


def test_one_flip_costs_the_retargeter_marks(tmp_path: Path) -> None:
    (tmp_path / "flip.py").write_text(FLIP_RETARGETER)
    flip = run_eval_retarget(seeds=(1001,), progress=False,
                             retargeter=f"{tmp_path / 'flip.py'}:OneFlip")
    assert flip["flips"] >= 1 and flip["accuracy_noise_free_deg"]["max"] > 90
    assert flip["score"]["parts"]["worst_frame"] == 0.0
    assert flip["score"]["points"] <= 90.0
    assert "worst_frame" in flip["score"]["criteria"]


def test_the_singularity_step_is_graded() -> None:
    """Straight arms held still: a rotation solved afresh each frame spins and scores 0."""
    import math

    import numpy as np

    from mirrorbot.eval.eval_retarget import FLIP_DEG
    from mirrorbot.eval.retarget_checks import default_context, singular_holds
    from mirrorbot.eval.scoring import ramp
    from mirrorbot.perception.landmarks import Side
    from mirrorbot.retarget.retarget import DirectionRetargeter, driving_side, person_arm_directions

    class Spinner:
        """The humeral rotation from the forearm's bend, every frame afresh."""

        def __init__(self, context):  # type: ignore[no-untyped-def]
            self.inner, self.c = DirectionRetargeter(context), context
            self.rot = {s: context.model.index(f"{s.value}_shoulder_rot") for s in Side}

        def __call__(self, pose):  # type: ignore[no-untyped-def]
            q = self.inner(pose).copy()
            for side in Side:
                d = person_arm_directions(pose, driving_side(side, self.c.mode), side,
                                          self.c.mode)
                bend = d.fore - float(np.dot(d.fore, d.upper)) * d.upper
                i = self.rot[side]
                q[i] = np.clip(math.atan2(bend[1], bend[0]), self.c.model.lower_rad[i],
                               self.c.model.upper_rad[i])
            return q

    context = default_context()
    steady = singular_holds(context, DirectionRetargeter)
    spinning = singular_holds(context, Spinner)
    assert steady["max_step_deg"] < 5.0, steady  # ours: full points
    assert spinning["max_step_deg"] > FLIP_DEG, spinning
    assert ramp(spinning["max_step_deg"], 5.0, 30.0) == 0.0


NEVER_COMMITS = '''
from dataclasses import replace

from mirrorbot.run.session import build_intent


class NeverCommits:
    """Ours, but it never commits to a goal."""

    def __init__(self):
        self.inner = build_intent("ours")

    def __call__(self, pose, t_s):
        return replace(self.inner(pose, t_s), committed=None)
'''


@pytest.mark.slow
def test_a_predictor_that_never_commits_gets_no_commitment_points(tmp_path: Path) -> None:
    (tmp_path / "never.py").write_text(NEVER_COMMITS)
    never = run_eval_intent(progress=False, intent=f"{tmp_path / 'never.py'}:NeverCommits",
                            seeds=(3001, 3002))
    assert never["NeverCommits"]["false_commitments_per_min"] == 0.0
    assert never["score"]["parts"]["commitments"] == 0.0
    assert "lead_time" not in never  # the loop that is not graded runs only with --lead
    assert "commitments" in never["score"]["criteria"]


@pytest.mark.slow
def test_eval_intent_names_the_learned_gestures_it_scored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A learned gesture changes the graded score, so the report names it; columns explained."""
    import numpy as np

    from mirrorbot.mind.repertoire import builtin_primitives, save_primitive

    base = builtin_primitives()[0]
    template = np.linspace([0, 0, 0], [0.1, 0.2, 0.3], 11)
    save_primitive(type(base)("nod", template[-1:], template_m=template, learned=True),
                   tmp_path / "nod.json", demos=3, duration_s=1.2)
    monkeypatch.setenv("MIRRORBOT_REPERTOIRE", str(tmp_path))
    report = run_eval_intent(seeds=(3001,), lead_time=False)
    out, err = capsys.readouterr()
    assert report["learned"] == ["nod"] and report["repertoire"] == str(tmp_path)
    assert f"learned gestures: nod (in {tmp_path}; " in out.splitlines()[1]
    assert "decision: the mean fraction" in out and "wrong/min: commitments to a goal" in out
    assert "1 session x 2 models (ours, velocity)" in err  # what the progress bar counts


def test_retargeter_task_names_everything_the_starter_gets_wrong() -> None:
    """The starter ignores the 45 deg shoulder plane as well as the humeral rotation."""
    task = " ".join((ASSIGNMENTS / "write_a_retargeter" / "TASK.md").read_text().split())
    assert "**The shoulder plane.**" in task and "docs/robot.md" in task
    assert "**The humeral rotation.**" in task and "The starter scores 16" in task


def test_tasks_give_commands_that_work_without_an_active_venv() -> None:
    for task in ASSIGNMENTS.glob("*/TASK.md"):
        commands = [line for line in task.read_text().splitlines()
                    if "mirrorbot " in line and not line.startswith(("#", "`mirrorbot"))]
        blocks = [line for line in commands if line.lstrip().startswith(("mirrorbot", ".venv"))]
        assert blocks and all(line.lstrip().startswith(".venv/bin/mirrorbot") for line in blocks), (
            task, blocks)


@pytest.mark.parametrize("settings, says", [
    ({"method": "none"}, "its \"method\" is 'none'"),
    ({"method": "tracker", "beta": 1.0}, "its \"method\" is 'tracker'"),
    ({}, "it sets none of min_cutoff_hz, beta, d_cutoff_hz"),
    ({"hold_s": 0.1}, "it sets none of min_cutoff_hz, beta, d_cutoff_hz"),
])
def test_eval_filter_refuses_a_file_that_is_not_one_euro_settings(
        tmp_path: Path, settings: dict[str, object], says: str) -> None:
    """Such a file was scored as the defaults (94.6, PASS) while naming another filter."""
    from mirrorbot.errors import ConfigError
    from mirrorbot.eval.eval_filter import run_eval_filter

    path = tmp_path / "filter.json"
    path.write_text(json.dumps(settings))
    with pytest.raises(ConfigError, match=re.escape(says)) as info:
        run_eval_filter(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_eval_filter_names_settings_it_does_not_score(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mirrorbot.eval.eval_filter import run_eval_filter

    path = tmp_path / "filter.json"
    path.write_text(json.dumps({"beta": 3.0, "hold_s": 0.1}))
    run_eval_filter(path)
    err = capsys.readouterr().err
    assert "hold_s: not scored by `eval filter`" in err and len(err.splitlines()) == 1


def test_a_filter_value_out_of_range_names_its_file(tmp_path: Path) -> None:
    from mirrorbot.errors import ConfigError
    from mirrorbot.perception.pose_filter import load_filter_config

    path = tmp_path / "filter.json"
    path.write_text(json.dumps({"min_cutoff_hz": -1.0, "beta": 3.0}))
    with pytest.raises(ConfigError, match=re.escape(f"{path}: min_cutoff_hz must be > 0")):
        load_filter_config(path)
    with pytest.raises(ConfigError, match="relative to the current folder"):
        load_filter_config(tmp_path / "nope.json")


def _still_pose(t_s: float = 0.0):  # type: ignore[no-untyped-def]
    import numpy as np

    from mirrorbot.perception.landmarks import NUM_LANDMARKS, PoseFrame

    return PoseFrame(t_s, np.zeros((NUM_LANDMARKS, 3)), np.ones(NUM_LANDMARKS), None)


def test_a_retargeter_in_degrees_is_named_once(capsys: pytest.CaptureFixture[str]) -> None:
    """Degrees for radians scored 15 with no word (the joint limits clamp them silently)."""
    import numpy as np

    from mirrorbot.run.plugin_guard import GuardedRetargeter

    class Degrees:
        def __call__(self, pose):  # type: ignore[no-untyped-def]
            return np.full(16, 10.0 + 10.0 * pose.t_s)  # a figure that changes every frame

    for _ in range(2):  # eval builds the plugin once a session
        guarded = GuardedRetargeter(Degrees(), "deg.py:Degrees", np.zeros(16))
        for k in range(5):
            guarded(_still_pose(k / 30))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "more than a full turn" in err[0] and "np.radians" in err[0], err


def test_a_retargeters_nan_is_said_once_not_once_a_session(
        capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from mirrorbot.run.plugin_guard import GuardedRetargeter

    class NaN:
        def __call__(self, pose):  # type: ignore[no-untyped-def]
            return np.full(16, np.nan)

    for _ in range(3):
        GuardedRetargeter(NaN(), "nan.py:NaN", np.zeros(16))(_still_pose())
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_a_slow_plugin_is_named_once(capsys: pytest.CaptureFixture[str]) -> None:
    """A 50 ms retargeter made `eval retarget` take 5 minutes without a word why."""
    import time

    import numpy as np

    from mirrorbot.run.plugin_guard import TIMED_CALLS, GuardedRetargeter

    class Slow:
        """Quick at first (a person at rest), slow once they move."""

        def __init__(self) -> None:
            self.calls = 0

        def __call__(self, pose):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls > TIMED_CALLS + 5:
                time.sleep(0.012)
            return np.zeros(16)

    guarded = GuardedRetargeter(Slow(), "slow.py:Slow", np.zeros(16))
    for _ in range(4 * TIMED_CALLS):
        guarded(_still_pose())
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "ms a call" in err[0] and "slow.py:Slow" in err[0], err


@pytest.mark.parametrize("probs, says", [
    ({"wav": 0.5, "none": 0.5}, "'wav', which is not a goal (did you mean 'wave'?"),
    ({"wave": 1.0, "none": 1.0}, "GoalBelief.probs sum to 2, not 1"),
])
def test_a_belief_over_a_misspelt_goal_or_not_summing_to_1_is_named(
        probs: dict[str, float], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Both scored 0 without a word."""
    from mirrorbot.mind.intent import GoalBelief
    from mirrorbot.run.plugin_guard import GuardedIntent

    class Odd:
        def __call__(self, pose, t_s):  # type: ignore[no-untyped-def]
            return GoalBelief(dict(probs))

    guarded = GuardedIntent(Odd(), f"odd_{len(says)}.py:Odd")
    for k in range(3):
        guarded(None, k / 30)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and says in err[0], err


def test_a_commitment_to_none_is_refused() -> None:
    """committed='none' was counted as a false commitment on every idle movement."""
    from mirrorbot.errors import ConfigError
    from mirrorbot.labels import GOALS
    from mirrorbot.mind.intent import GoalBelief
    from mirrorbot.run.plugin_guard import GuardedIntent

    class AtRest:
        def __call__(self, pose, t_s):  # type: ignore[no-untyped-def]
            return GoalBelief({g: float(g == "none") for g in GOALS}, committed="none")

    with pytest.raises(ConfigError, match=re.escape("committed to 'none', which is not a goal; "
                                                    "to commit to nothing give committed=None")):
        GuardedIntent(AtRest(), "rest.py:AtRest")(None, 0.0)


def test_a_plugin_file_imports_a_helper_module_beside_it(tmp_path: Path) -> None:
    """A student's helper beside their file was taken for a package to `pip install`."""
    from mirrorbot.run.registry import load_stage

    folder = tmp_path / "helper_beside"
    folder.mkdir()
    (folder / "my_features_helper.py").write_text("SCALE = 2.0\n")
    (folder / "mine.py").write_text(
        "from my_features_helper import SCALE\n\n\n"
        "class Mine:\n    def __call__(self, pose, t_s):\n        return SCALE\n")
    assert load_stage("intent", f"{folder / 'mine.py'}:Mine")()(None, 0.0) == 2.0


SWAPPED_RETARGETER = '''
from mirrorbot.perception.landmarks import Side
from mirrorbot.retarget.retarget import DirectionRetargeter, _ArmPlan, driving_side


class Swapped:
    """Ours, with each robot arm driven by the person's other arm (left and right swapped)."""

    def __init__(self, context):
        self.inner = DirectionRetargeter(context)
        other = {Side.LEFT: Side.RIGHT, Side.RIGHT: Side.LEFT}
        self.inner._plans = {side: _ArmPlan.of(other[driving_side(side, context.mode)], side,
                                               context.mode) for side in Side}

    def __call__(self, pose):
        return self.inner(pose)
'''

REST_RETARGETER = '''
class AtRest:
    """Never moves: the rest pose, every frame."""

    def __init__(self, context):
        self.q = context.q_rest_rad.copy()

    def __call__(self, pose):
        return self.q.copy()
'''


def test_a_robot_that_does_not_follow_earns_no_smoothness_or_steadiness(tmp_path: Path) -> None:
    """Held at rest it was perfectly smooth and steady: 25 points for doing nothing."""
    (tmp_path / "rest.py").write_text(REST_RETARGETER)
    rest = run_eval_retarget(seeds=(1001,), progress=False,
                             retargeter=f"{tmp_path / 'rest.py'}:AtRest")
    assert rest["score"]["points"] == 0.0, rest["score"]
    assert "times following" in rest["score"]["criteria"]["smoothness"]


def test_left_and_right_swapped_gets_a_hint(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Swapped sides scored 25 with no word of why; now a hint line names driving_side."""
    (tmp_path / "swapped.py").write_text(SWAPPED_RETARGETER)
    r = run_eval_retarget(seeds=(1001,), progress=False,
                          retargeter=f"{tmp_path / 'swapped.py'}:Swapped")
    assert r["swapped_sides_mean_deg"] < 5.0 < r["accuracy_noise_free_deg"]["mean"]
    hints = [line for line in capsys.readouterr().out.splitlines() if line.startswith("hint:")]
    assert len(hints) == 1 and "driving_side(robot_side, context.mode)" in hints[0], hints


def test_a_report_piped_into_head_is_no_internal_error() -> None:
    """`mirrorbot eval filter | head -1` said "internal error: BrokenPipeError ... report it"."""
    script = Path(sys.executable).with_name("mirrorbot")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "mirrorbot"]
    proc = subprocess.Popen([*cmd, "eval", "filter"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the report is printed
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141 and err == "", err


def test_the_goal_predictor_tasks_code_runs() -> None:
    """The snippet that shows students the labelled data names only what exists."""
    task = (ASSIGNMENTS / "goal_predictor" / "TASK.md").read_text()
    code = task.split("```python\n", 1)[1].split("```", 1)[0]
    assert "synthetic_sessions(seeds=(1, 2))" in code
    namespace: dict[str, object] = {}
    exec(code.replace("seeds=(1, 2)", "seeds=(1,)"), namespace)  # noqa: S102 - our own doc
    assert namespace["goal"] in {"none", "wave", "point", "raise", "reach", "drink", "offer",
                                 "clear"} and namespace["wrist"].shape == (3,)  # type: ignore[union-attr]


def test_progress_of_slow_items_gives_their_time_each() -> None:
    """An eval's sessions (a few seconds, or minutes, each) were counted at "(0.0/s)"."""
    import io

    from mirrorbot.progress import Progress

    stream = io.StringIO()
    bar = Progress(3, "sessions", stream=stream)
    bar._start -= 40.0  # 40 s into the first session
    bar.update()
    assert "1/3 (40 s each)" in stream.getvalue(), stream.getvalue()
    fast = Progress(None, "frames", stream=stream)
    fast.done = 99
    assert fast._line(fast._start + 3.0).endswith("99 (33.0/s)")


def test_a_plugin_file_without_its_class_is_told_to_name_it() -> None:
    """`--retargeter mine.py` was an "unknown retargeter 'mine.py'" among the built-ins."""
    from mirrorbot.errors import ConfigError
    from mirrorbot.run.registry import load_stage

    with pytest.raises(ConfigError, match=re.escape(
            "--retargeter sims/mine.py: name the class in it after a ':', e.g. "
            "sims/mine.py:MyRetargeter")):
        load_stage("retargeter", "sims/mine.py")


def test_a_retargeter_returning_integers_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """q.astype(int) truncated every angle to whole radians and scored 25 without a word."""
    import numpy as np

    from mirrorbot.run.plugin_guard import GuardedRetargeter

    class Whole:
        def __call__(self, pose):  # type: ignore[no-untyped-def]
            return np.full(16, 1.4).astype(int)

    GuardedRetargeter(Whole(), "whole.py:Whole", np.zeros(16))(_still_pose())
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "returned whole numbers (dtype int64)" in err[0], err
