"""Data access: plain Python over psutil, files, git and remote backends. Never imports textual."""
