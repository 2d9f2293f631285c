import os
from pathlib import Path

# The repository's root, wherever a test file sits under tests/.
REPO = Path(__file__).resolve().parents[1]

# No background work in the apps tests open: each test settles what it needs itself
# (tests/ui/test_background.py tests the background step; the browser tests turn it on).
os.environ["CONSOLE_BACKGROUND_SECONDS"] = "0"
