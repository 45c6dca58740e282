"""The recogniser's thresholds (:class:`IntentConfig`): segmentation, likelihood, commitment."""

from __future__ import annotations

from dataclasses import dataclass

from mirrorbot.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class IntentConfig:
    """Recognition and commitment parameters.

    Attributes:
        onset_speed_m_s: Wrist speed that starts a movement [m/s] (at least; more with a
            noisier tracker, see ``FLOOR_MARGIN``).
        onset_displacement_m: Or a hand this far from where it rested [m] (at least; more
            when the resting hand wanders, see ``SPREAD_MARGIN``).
        direction_weight: Weight of the heading (cosine between the hand's and the
            prediction's current direction) in the log likelihood.
        pause_fraction: A slow-down below this fraction of the movement's peak speed, held for
            ``offset_hold_s``, also ends it (a reach, a grasp, then a lift are three).
        offset_speed_m_s: Below this for ``offset_hold_s`` a movement has ended [m/s] (at most;
            less readily with a noisier tracker).
        offset_hold_s: [s].
        sigma_m: Spread of the observed path around a primitive's prediction [m].
        max_samples: Samples of the path used (evenly spread), which also caps the evidence.
        prior_none: Prior probability of ``none``; goals share the rest.
        commit_p: Probability a goal must keep for ``commit_frames`` frames to be committed.
        commit_frames: [frames].
        release_p: Below this the commitment is released.
        min_travel_m: The hand must have moved this far before anything is committed [m].
        floor_p: Every goal keeps at least this probability (the belief never locks).
        onset_offsets_s: How long before it was seen to start a movement may have begun [s]:
            phase hypotheses, marginalised like the durations. The filtered hand leaves its
            rest place late (a 1 s raise is seen to start 0.1 s in); judged from the wrong
            phase, early in a movement the robot's own raise read as a wave.
        forecast_s: How far ahead the moving hand is forecast [s] (:attr:`GoalBelief.forecast_m`):
            the robot mirrors where the hand is going, not where it was (0: no forecast).
        evidence_window_s: A swing's reads are averaged over one spacing of the path's samples,
            at most this long [s] (:func:`mirrorbot.mind.intent.smoothed_evidence`: read
            alone, a long swing flipped between goals as its samples aliased).
    """

    onset_speed_m_s: float = 0.12
    onset_displacement_m: float = 0.015
    pause_fraction: float = 0.15
    direction_weight: float = 4.0
    offset_speed_m_s: float = 0.06
    offset_hold_s: float = 0.15
    sigma_m: float = 0.045
    max_samples: int = 10
    prior_none: float = 0.125
    commit_p: float = 0.9
    commit_frames: int = 6
    release_p: float = 0.4
    min_travel_m: float = 0.1
    floor_p: float = 0.002
    onset_offsets_s: tuple[float, ...] = (0.0, 0.05, 0.1)
    forecast_s: float = 0.5
    evidence_window_s: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.release_p < self.commit_p < 1:
            raise ConfigError(f"need 0 < release_p < commit_p < 1, got {self.release_p}, "
                              f"{self.commit_p}")
        if not self.sigma_m > 0:
            raise ConfigError(f"sigma_m must be > 0, got {self.sigma_m}")
        if not self.onset_offsets_s or min(self.onset_offsets_s) < 0:
            raise ConfigError("onset_offsets_s must be one or more times >= 0 [s], got "
                              f"{self.onset_offsets_s}")
        if not 0.0 <= self.forecast_s <= 1.0:
            raise ConfigError(f"forecast_s must be in [0, 1] s, got {self.forecast_s}")
        if self.evidence_window_s < 0:
            raise ConfigError(f"evidence_window_s must be >= 0 s, got {self.evidence_window_s}")
