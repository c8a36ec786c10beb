"""Why the kiosk is silent, in words staff understand: the speech service reports its reasons
in plain English for logs and support (kiosk.speech, kiosk.speech_output); screens show the
message this module picks for each."""
from __future__ import annotations

# How a reason begins, and the message that says it; the first match wins.
PROBLEMS = (
    ("no audio output device", "speech.problem.no_device"),
    ("no audio player", "speech.problem.no_player"),
    ("audio player", "speech.problem.player_failed"),
    ("no voice for language", "speech.problem.no_voice"),
    ("speech is turned off", "speech.problem.turned_off"),
    ("speech engine is starting", "speech.problem.starting"),
    ("pyttsx3 is not installed", "speech.problem.not_installed"),
    ("espeak-ng is not installed", "speech.problem.not_installed"),
    ("no speech engine", "speech.problem.not_installed"),
    ("speech driver", "speech.problem.not_installed"),
    ("speech service closed", "speech.problem.closed"),
)
OTHER = "speech.problem.other"


def problem_key(reason: str) -> str:
    """The message key for a reason the speech service gave (anything else: OTHER)."""
    lowered = reason.strip().lower()
    return next((key for start, key in PROBLEMS if lowered.startswith(start)), OTHER)
