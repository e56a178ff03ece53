import sys
from pathlib import Path

# Make `tests.builders` importable as `builders` from every test package.
sys.path.insert(0, str(Path(__file__).parent))
