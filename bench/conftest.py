# Benchmark helpers (the generator) are imported as top-level packages from bench/.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
