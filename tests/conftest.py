import sys
from pathlib import Path

# Test modules are imported with --import-mode=importlib (several folders hold a test_auth.py), so
# helper modules are found through sys.path: tests/ itself and every test folder under it.
_here = Path(__file__).parent
for folder in [_here, *sorted(p for p in _here.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
    sys.path.insert(0, str(folder))

pytest_plugins = ["services"]
