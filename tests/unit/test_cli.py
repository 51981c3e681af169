import subprocess
import sys

import pytest

from search_api.cli.main import COMMANDS, main


def test_every_command_has_help(capsys):
    main_ok = []
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert COMMANDS[name][0].split(".")[0][:20] in out
        main_ok.append(name)
    assert {"serve", "build-index"} <= set(main_ok)


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "search_api.cli.main", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "build-index" in out.stdout


def test_build_index_without_site_says_what_to_do(tmp_path, capsys):
    code = main(["build-index", "--site", str(tmp_path / "nosite"), "--index", str(tmp_path / "i"), "--quiet"])
    assert code == 2
    assert "make site" in capsys.readouterr().err
