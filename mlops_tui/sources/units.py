"""Human units for values shown on screen and in CLI lines: KiB/MiB/GiB, rates, percentages, durations."""

from __future__ import annotations


_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(value: float | None) -> str:
    """1536 -> '1.5 KiB'; None -> '-'."""
    if value is None:
        return "-"
    value = float(value)
    for unit in _BYTE_UNITS:
        if abs(value) < 1024 or unit == _BYTE_UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"


def human_rate(value: float | None) -> str:
    return "-" if value is None else f"{human_bytes(value)}/s"


def human_percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def human_duration(seconds: float | None) -> str:
    """Uptime as '3d 05:12' or '05:12:09'."""
    if seconds is None:
        return "-"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}d {hours:02d}:{minutes:02d}" if days else f"{hours:02d}:{minutes:02d}:{secs:02d}"
