"""Dialog scripts: the conversations the skill is held to (see docs/dialog-scripts.md)."""
