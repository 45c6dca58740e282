"""The course kit: example scenarios in sims/, the assignments and their scores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli
from mirrorbot.eval_intent import run_eval_intent
from mirrorbot.eval_retarget import run_eval_retarget

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


def test_wave_back_scenario(tmp_path: Path) -> None:
    out = _scenario("wave_back", tmp_path, "--seed", "3")
    assert "the robot recognised the wave at" in out and "it waved back with its left hand" in out
    assert (tmp_path / "wave_back" / "session.jsonl").is_file()


def test_handover_scenario(tmp_path: Path) -> None:
    out = _scenario("handover", tmp_path, "--seed", "2")
    assert "the robot recognised the offer and reached out" in out
    assert "only mirroring, it would have come within" in out


def test_pointing_game_scenario(tmp_path: Path) -> None:
    out = _scenario("pointing_game", tmp_path, "--seed", "2", "--rounds", "3")
    rounds = [line for line in out.splitlines() if line.startswith("round ")]
    assert len(rounds) == 3
    assert sum("(hit;" in line for line in rounds) >= 2
    assert "score: " in out


def test_learn_gesture_scenario(tmp_path: Path) -> None:
    out = _scenario("learn_gesture", tmp_path, "--seed", "2")
    assert "learned 'heart' from 3 demonstrations" in out
    assert "the robot recognised 'heart' at" in out and "completed it with its own arm" in out
    assert (tmp_path / "learn_gesture" / "repertoire" / "heart.json").is_file()


def test_retargeter_assignment_scores_starter_below_and_ours_above_the_pass_mark() -> None:
    seeds = (1001,)
    starter = run_eval_retarget(seeds=seeds, progress=False, retargeter=STARTER_RETARGETER)
    ours = run_eval_retarget(seeds=seeds, progress=False)
    print(starter["score"], ours["score"])
    assert not starter["score"]["passed"] and ours["score"]["passed"]
    assert starter["score"]["points"] < ours["score"]["points"]
    assert starter["name"] == "MyRetargeter" and "MyRetargeter" in starter


def test_goal_predictor_assignment_scores_starter_below_and_ours_above_the_pass_mark() -> None:
    seeds = (3001, 3002, 3003)
    starter = run_eval_intent(progress=False, intent=STARTER_PREDICTOR, seeds=seeds, lead=False)
    ours = run_eval_intent(progress=False, seeds=seeds, lead=False)
    print(starter["score"], ours["score"])
    assert not starter["score"]["passed"] and ours["score"]["passed"]


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
