"""The demo sandbox: a real git/DVC/GTO repository, live logs and training configs."""
