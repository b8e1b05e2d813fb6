"""`make test` on a fresh machine: the browser tests need Debian's Chromium, so the target
installs it with apt-get (as root or through sudo) when it is missing, or says how in one line;
leaving the browser tests out needs none. apt-get, sudo and id are stand-ins here."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
MAKE = shutil.which("make") or "make"

APT_GET = """#!/bin/sh
echo "apt-get $*" >> "$CALLS"
case "$*" in
  *"install -y -q chromium"*) printf '#!/bin/sh\\n' > "$CHROMIUM"; /bin/chmod +x "$CHROMIUM";;
esac
"""
SUDO = """#!/bin/sh
echo "sudo $*" >> "$CALLS"
exec "$@"
"""


@pytest.fixture
def machine(tmp_path):
    """A PATH of stand-ins: `id` says `uid`, apt-get records its calls and installs chromium."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "env").symlink_to(shutil.which("env"))

    def make(*, uid: int, tools: tuple[str, ...] = ("apt-get",), args: tuple[str, ...] = ()):
        for name, text in (
            ("apt-get", APT_GET),
            ("sudo", SUDO),
            ("id", f"#!/bin/sh\necho {uid}\n"),
        ):
            if name in tools or name == "id":
                (bin_dir / name).write_text(text)
                (bin_dir / name).chmod(0o755)
        chromium = tmp_path / "chromium"
        env = {"PATH": str(bin_dir), "CALLS": str(tmp_path / "calls"), "CHROMIUM": str(chromium)}
        result = subprocess.run(
            [MAKE, "--no-print-directory", "-C", str(ROOT), *args, f"CHROMIUM={chromium}"],
            env=env,
            capture_output=True,
            text=True,
        )
        calls = (
            (tmp_path / "calls").read_text().splitlines() if (tmp_path / "calls").exists() else []
        )
        return result, calls, chromium

    return make


def test_as_root_it_installs_chromium_and_says_so(machine):
    result, calls, chromium = machine(uid=0, args=("chromium",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "make: installing Debian's chromium for the browser tests (apt-get install chromium)"
    )
    assert calls == ["apt-get update -q", "apt-get install -y -q chromium"]
    assert os.access(chromium, os.X_OK)


def test_a_user_with_sudo_installs_it_through_sudo(machine):
    result, calls, chromium = machine(uid=1000, tools=("apt-get", "sudo"), args=("chromium",))
    assert result.returncode == 0, result.stderr
    assert calls[0] == "sudo apt-get update -q"
    assert "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium" in calls


def test_without_root_or_sudo_it_says_how_in_one_line(machine):
    result, calls, chromium = machine(uid=1000, args=("chromium",))
    assert result.returncode != 0 and calls == []
    message = result.stderr.splitlines()[0]
    assert message.startswith(f"make: the browser tests need Chromium at {chromium}: install it")
    assert "apt-get install chromium" in message and "not e2e" in message


def test_nothing_happens_when_chromium_is_there(machine, tmp_path):
    (tmp_path / "chromium").write_text("#!/bin/sh\n")
    (tmp_path / "chromium").chmod(0o755)
    result, calls, _ = machine(uid=1000, args=("chromium",))
    assert result.returncode == 0 and calls == [] and result.stdout == ""


def test_make_test_installs_it_unless_the_browser_tests_are_left_out(tmp_path):
    missing = tmp_path / "no-chromium"

    def plan(*args):
        return subprocess.run(
            [MAKE, "--no-print-directory", "-n", "-C", str(ROOT), "test", f"CHROMIUM={missing}",
             *args],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    assert "apt-get install -y -q chromium" in plan()
    assert "apt-get" not in plan("PYTEST_ARGS=-m 'not e2e'")


def test_the_browser_tests_say_how_to_get_chromium(tmp_path):
    from tests.e2e.conftest import require_chromium

    with pytest.raises(pytest.fail.Exception) as failed:
        require_chromium(str(tmp_path / "chromium"))
    assert str(failed.value) == (
        f"Chromium is not at {tmp_path / 'chromium'}: `make test` installs it (Debian's chromium "
        "package, apt-get install chromium), or leave the browser tests out with -m 'not e2e'."
    )
