"""Keep the README honest: every documented command and variable exists, and back."""

import re

from search_api.cli.main import COMMANDS
from search_api.config import ENV_VARS, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_every_make_target_in_the_readme_exists():
    targets = set(re.findall(r"^([a-z-]+):", MAKEFILE, re.M))
    documented = set(re.findall(r"`make ([a-z-]+)`", README)) | set(re.findall(r"^make ([a-z-]+)", README, re.M))
    assert {"run", "test"} <= documented
    assert documented <= targets, documented - targets


def test_every_variable_is_documented_and_every_documented_one_is_read():
    documented = set(re.findall(r"`(SOP_[A-Z_]+)`", README))
    assert documented == set(ENV_VARS), documented ^ set(ENV_VARS)


def test_every_sophub_command_is_documented():
    for name in COMMANDS:
        assert f"`{name}`" in README, f"README does not mention sophub {name}"


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
