"""Human units for values shown on screen and in CLI lines: KiB/MiB/GiB, rates, percentages, durations.

The one formatter of the Local and Remote views and the CLI: bytes are counted in base 1024 and so named
with IEC prefixes (KiB, MiB), never KB.
"""

from __future__ import annotations

import math


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


def human_cpu_time(seconds: float | None) -> str:
    """CPU time as htop's TIME+: '4:07.32' (minutes:seconds.hundredths), '12h05:09' from an hour on."""
    if seconds is None:
        return "-"
    hundredths = int(round(max(0.0, seconds) * 100))
    minutes, rest = divmod(hundredths, 6000)
    if minutes < 60:
        return f"{minutes}:{rest // 100:02d}.{rest % 100:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}:{rest // 100:02d}"


def format_value(value: float | None, unit: str = "") -> str:
    """A compact human value of a remote series: 12.3%, 1.5 MiB/s, 0.250 s, 1,234 req/s; '-' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "B":
        return human_bytes(value)
    if unit == "B/s":
        return human_rate(value)
    if unit == "%":
        return human_percent(value)
    if abs(value) >= 1000 or value == int(value):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.0f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".rstrip()
