import sys
from pathlib import Path

# Make `tests/builders.py` and `tests/services.py` importable from every test package.
sys.path.insert(0, str(Path(__file__).parent))

pytest_plugins = ["services"]
