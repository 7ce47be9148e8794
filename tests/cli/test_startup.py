"""cyberdiag/cli/startup.py and the start-up of the command line: no pydantic plugin is shown the
data, and `--help` loads neither pydantic nor the models (benchmarks/commands.py and
benchmarks/startup.py give the times)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SPY = """\
from pathlib import Path
import os

Path(os.environ["SPY_MARK"]).write_text("loaded", encoding="utf-8")


class Plugin:
    def new_schema_validator(self, *args, **kwargs):
        return None, None, None


plugin = Plugin()
"""


def spy_environment(tmp_path: Path) -> dict[str, str]:
    """An environment where a pydantic plugin is installed (an entry point of the `pydantic`
    group) that leaves a mark when pydantic loads it."""
    site = tmp_path / "site"
    dist = site / "spy_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spy-plugin\nVersion: 1.0\n",
                                   encoding="utf-8")
    (dist / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n",
                                           encoding="utf-8")
    (site / "spy_plugin.py").write_text(SPY, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["SPY_MARK"] = str(tmp_path / "mark")
    return env


def test_no_pydantic_plugin_sees_the_data(tmp_path: Path) -> None:
    env = spy_environment(tmp_path)
    mark = tmp_path / "mark"
    # The spy works: any other program using pydantic in this environment loads it.
    code = "import pydantic\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert mark.read_text(encoding="utf-8") == "loaded"
    mark.unlink()
    # cyberdiag validates every shipped file without loading it.
    out = subprocess.run([sys.executable, "-m", "cyberdiag", "validate"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert not mark.exists()


@pytest.mark.parametrize("args", [["--help"], ["report", "--help"], ["--version"]])
def test_help_loads_neither_pydantic_nor_the_models(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from cyberdiag.cli import main\n"
        f"main({args!r})\n"
        "print([m for m in ('pydantic', 'cyberdiag.models') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
