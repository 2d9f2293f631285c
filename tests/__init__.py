from pathlib import Path

# The repository's root, wherever a test file sits under tests/.
REPO = Path(__file__).resolve().parents[1]
