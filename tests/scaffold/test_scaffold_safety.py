"""RELIABILITY.md "Scaffolding" (items 17-21), through the command line.

Each test checks the exit code, the message, and what is on disk afterwards: nothing written
outside the destination, nothing of the user's changed, no scratch folder left behind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from assessor.scaffold import render

PACKAGE = "src/refund_policy_assistant"


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its content (None for folders and links)."""
    out: dict[str, bytes | None] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(folder))
            out[rel] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return out


# ------------------------------------------------------------------------------------------
# 17. names


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../x", "project name '../x' is a path; give a plain name"),
        ("/abs", "project name '/abs' is a path"),
        ("C:\\x", "is a path"),
        ("x/../../y", "project name 'x/../../y' is a path"),
        ("", "project name is empty"),
        (".", "project name '.' is a path"),
        ("a\x07b", "control character U+0007"),
        ("é" * 130, "project name is longer than 255 bytes"),
        ("My Service", "for example 'my-service'"),
    ],
)
def test_given_project_names_are_refused_before_any_write(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    name: str,
    message: str,
) -> None:
    case = assessment()
    before = snapshot(tmp_path)
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input", "--name", name)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("package", ["../x", "/abs", "x.y", "", "a-b", "os", "class"])
def test_given_package_names_are_refused_before_any_write(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path, package: str
) -> None:
    case = assessment()
    before = snapshot(tmp_path)
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input", "--package", package)
    assert result.exit_code == 2, result.output
    assert "error: package name" in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("use_case_name", "slug"),
    [
        ("../x", "x"),
        ("/abs", "abs"),
        ("C:\\x", "c-x"),
        ("x/../../y", "x-y"),
        (".", "ai-service"),
        ("é" * 200, "e" * 40),
    ],
)
def test_use_case_names_are_slugified_by_the_documented_rule(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    use_case_name: str,
    slug: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    case = assessment(use_case={"name": use_case_name})
    result = cli("scaffold", case, "-o", work / "out", "--no-input")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in work.iterdir()) == ["out"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "work"]
    assert f'name = "{slug}"' in (work / "out/pyproject.toml").read_text()
    assert (work / "out/src" / slug.replace("-", "_")).is_dir()
    # the display name stays what the user wrote
    use_case = json.loads(next((work / "out/src").glob("*/use_case.json")).read_text())
    assert use_case["project_name"] == use_case_name


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "use_case.name"),
        ("name", "bad\x1bname", "control character U+001B"),
        ("name", "two\nlines", "control character U+000A"),
        ("owner", "team\x00", "control character U+0000"),
    ],
)
def test_use_case_text_that_cannot_be_a_name_is_refused_with_its_location(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    field: str,
    value: str,
    message: str,
) -> None:
    case = assessment(use_case={field: value})
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input")
    assert result.exit_code == 2, result.output
    assert "case.yaml:" in result.stderr and message in result.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------
# 18. template syntax in user text

INJECTIONS = [
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}slow{% endfor %}",
    "{{ cycler.__init__.__globals__.os.getcwd() }}",
    "{# comment #}{{ cycler.__init__ }}",
    "{%raw%}{{ 7*7 }}{%endraw%}",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_template_syntax_in_user_text_appears_literally(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path, text: str
) -> None:
    case = assessment(
        use_case={"name": f"Name {text}", "description": f"Desc {text}\nline two", "owner": text}
    )
    out = tmp_path / "out"
    result = cli("scaffold", case, "-o", out, "--no-input")
    assert result.exit_code == 0, result.output
    use_case = json.loads(next((out / "src").glob("*/use_case.json")).read_text())
    assert use_case["project_name"] == f"Name {text}"
    assert use_case["use_case"] == {
        "name": f"Name {text}",
        "description": f"Desc {text}\nline two",
        "owner": text,
    }
    readme = (out / "README.md").read_text()
    assert f"# Name {text}\n" in readme
    assert f"Desc {text}" in readme
    assert "49" not in readme and str(Path.cwd()) not in readme
    assert f"Name {text}" in result.stderr  # the summary shows it literally too


def test_user_text_in_the_generated_readme_is_quoted_and_has_no_raw_html(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    description = "First line\n# second line\n<script>alert(1)</script> & <img onerror=x>"
    case = assessment(
        use_case={"name": "Refund <b>bot</b> *x*", "description": description, "owner": "Ops <i>"}
    )
    out = tmp_path / "out"
    result = cli("scaffold", case, "-o", out, "--no-input")
    assert result.exit_code == 0, result.output
    readme = (out / "README.md").read_text()
    for raw in ("<script>", "<b>", "<img", "<i>"):
        assert raw not in readme, raw
    assert "**Refund &lt;b&gt;bot&lt;/b&gt; \\*x\\***" in readme
    assert "(owner: Ops &lt;i&gt;)" in readme
    quoted = [
        "> First line",
        "> # second line",
        "> &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img onerror=x&gt;",
    ]
    assert "\n".join(quoted) in readme


def test_template_syntax_in_the_destination_path_is_not_rendered(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "{{ 7*7 }}" / "{% if true %}x{% endif %}"
    result = cli("scaffold", assessment(), "-o", out, "--no-input")
    assert result.exit_code == 0, result.output
    assert (out / PACKAGE / "app.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "{{ 7*7 }}"]
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(".assessor-scaffold-*"))


# ------------------------------------------------------------------------------------------
# 19. existing destination


def test_a_non_empty_destination_is_refused_without_force(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    case = assessment()
    before = snapshot(tmp_path)
    result = cli("scaffold", case, "-o", out, "--no-input")
    assert result.exit_code == 2
    assert "is not empty (1 entries)" in result.stderr and "--force" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_file_as_destination_is_refused_even_with_force(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.write_text("mine")
    result = cli("scaffold", assessment(), "-o", out, "--no-input", "--force")
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr
    assert out.read_text() == "mine"


def test_a_file_in_the_destination_path_is_refused(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "file.txt").write_text("mine")
    result = cli("scaffold", assessment(), "-o", tmp_path / "file.txt/sub/out", "--no-input")
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr or "a parent of this path is a file" in (
        result.stderr
    )
    assert (tmp_path / "file.txt").read_text() == "mine"


def test_force_adds_the_project_and_keeps_the_users_files(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / ".git").mkdir(parents=True)
    (out / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (out / "notes.txt").write_text("mine")
    (out / "src").mkdir()
    (out / "src/legacy.py").write_text("print('mine')\n")
    result = cli("scaffold", assessment(), "-o", out, "--no-input", "--force")
    assert result.exit_code == 0, result.output
    assert (out / ".git/HEAD").read_text() == "ref: refs/heads/main\n"
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "src/legacy.py").read_text() == "print('mine')\n"
    assert (out / PACKAGE / "app.py").is_file()


def test_force_never_overwrites_a_file_and_writes_nothing_on_conflict(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("my readme")
    (out / "Dockerfile").write_text("FROM scratch")
    case = assessment()
    before = snapshot(tmp_path)
    result = cli("scaffold", case, "-o", out, "--no-input", "--force")
    assert result.exit_code == 2
    assert "2 file(s) of the project already exist and differ; nothing was written" in (
        result.stderr
    )
    assert "  Dockerfile (exists with other content)" in result.stderr
    assert "  README.md (exists with other content)" in result.stderr
    assert snapshot(tmp_path) == before


def test_force_again_with_the_same_result_keeps_identical_files(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    case, out = assessment(), tmp_path / "out"
    assert cli("scaffold", case, "-o", out, "--no-input").exit_code == 0
    before = snapshot(out)
    result = cli("scaffold", case, "-o", out, "--no-input", "--force")
    assert result.exit_code == 0, result.output
    assert "were already there with the same content and were left as they are" in (result.stderr)
    assert snapshot(out) == before


def test_force_does_not_write_through_a_symlink(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "src").symlink_to(outside, target_is_directory=True)
    result = cli("scaffold", assessment(), "-o", out, "--no-input", "--force")
    assert result.exit_code == 2
    assert "src (a symlink is there)" in result.stderr
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["src"]


# ------------------------------------------------------------------------------------------
# 20. failure half-way


class Boom(OSError):
    pass


def fail_after(monkeypatch: pytest.MonkeyPatch, count: int, exc: BaseException) -> None:
    real = render._place_file
    calls = {"n": 0}

    def place(src: Path, target: Path, *rest: object) -> None:
        calls["n"] += 1
        if calls["n"] > count:
            raise exc
        real(src, target, *rest)

    monkeypatch.setattr(render, "_place_file", place)


def test_a_failure_half_way_removes_the_destination_it_created(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = assessment()
    fail_after(monkeypatch, 10, Boom(28, "No space left on device"))
    result = cli("scaffold", case, "-o", tmp_path / "new/deeper/out", "--no-input")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


def test_a_failure_half_way_keeps_a_destination_it_did_not_create(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "src").mkdir()
    case = assessment()
    before = snapshot(tmp_path)
    fail_after(monkeypatch, 10, Boom(5, "Input/output error"))
    result = cli("scaffold", case, "-o", out, "--no-input", "--force")
    assert result.exit_code == 1
    assert "Input/output error" in result.stderr
    assert snapshot(tmp_path) == before


def test_an_interrupt_half_way_cleans_up_too(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fail_after(monkeypatch, 3, KeyboardInterrupt())
    result = cli("scaffold", assessment(), "-o", tmp_path / "out", "--no-input")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


# ------------------------------------------------------------------------------------------
# 21. bidirectional control characters


@pytest.mark.parametrize("field", ["name", "description", "owner"])
@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f"])
def test_bidi_controls_in_user_text_are_refused_with_their_location(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    field: str,
    char: str,
) -> None:
    case = assessment(use_case={field: f"refund {char}tnemyap"})
    result = cli("scaffold", case, "-o", tmp_path / "out", "--no-input")
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if "case.yaml:" in line]
    assert len(lines) == 1  # one problem, one line
    line = 4 if field == "name" else 5 if field == "description" else 6
    assert lines[0].startswith(f"{case}:{line}:")
    assert (
        f"use_case.{field}: contains the bidirectional control character U+{ord(char):04X}"
        in (lines[0])
    )
    assert char not in result.output
    assert not (tmp_path / "out").exists()


def test_bidi_controls_in_given_names_are_refused(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    for option in ("--name", "--package"):
        result = cli(
            "scaffold", assessment(), "-o", tmp_path / "out", "--no-input", option, "ab\u202ecd"
        )
        assert result.exit_code == 2
        assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in result.stderr
        assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------
# hostile timing: a folder swapped for a symlink, signals, temp files, compiled files


def test_a_folder_swapped_for_a_symlink_after_the_checks_gets_nothing(
    cli: Callable[..., object],
    assessment: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "src").mkdir()
    (out / "notes.txt").write_text("mine")
    real = render._placement

    def placement_then_swap(project: Path, dest: Path) -> object:
        decided = real(project, dest)
        # The race: after the destination was checked, DEST/src becomes a symlink.
        (dest / "src").rmdir()
        (dest / "src").symlink_to(outside, target_is_directory=True)
        return decided

    monkeypatch.setattr(render, "_placement", placement_then_swap)
    result = cli("scaffold", assessment(), "-o", out, "--no-input", "--force")
    assert result.exit_code == 1
    assert "src is no longer a folder" in result.stderr
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "src"]
    assert (out / "notes.txt").read_text() == "mine"
    assert not list(tmp_path.glob(".assessor-scaffold-*"))


SLOW_PLACE = """
import signal, sys
from pathlib import Path
from assessor.scaffold import render

real = render._open_below
calls = 0

def open_below(fds, rel, dest):
    global calls
    calls += 1
    if calls == 8:  # a few files and folders are placed by now
        Path(sys.argv[1]).write_text("placing")
        signal.pause()  # until SIGTERM arrives
    return real(fds, rel, dest)

render._open_below = open_below
from assessor.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize("existing", [False, True])
def test_sigterm_mid_scaffold_leaves_nothing_behind(
    assessment: Callable[..., Path], tmp_path: Path, existing: bool
) -> None:
    import signal
    import subprocess
    import sys
    import time

    case = assessment()
    out = tmp_path / "work" / "out"
    out.parent.mkdir()
    if existing:
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    temp = tmp_path / "tmp"
    temp.mkdir()
    before = snapshot(tmp_path / "work")
    marker = tmp_path / "marker"
    script = tmp_path / "slow_place.py"
    script.write_text(SLOW_PLACE)
    args = [sys.executable, script, marker, "scaffold", case, "-o", out, "--no-input"]
    if existing:
        args.append("--force")
    proc = subprocess.Popen(
        [str(a) for a in args],
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the scaffold never reached the placing step"
        time.sleep(0.05)
    assert len(list(out.rglob("*"))) > (2 if existing else 1)  # really mid-placement
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert snapshot(tmp_path / "work") == before
    assert list(temp.iterdir()) == []


def test_a_scaffold_leaves_nothing_in_the_temp_folder(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    import subprocess
    import sys

    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "assessor", "scaffold", str(assessment()), "-o", str(out),
         "--no-input"],
        env={**os.environ, "TMPDIR": str(temp)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "out", "tmp"]


def test_compiled_files_of_the_template_are_never_copied(
    cli: Callable[..., object], assessment: Callable[..., Path], tmp_path: Path
) -> None:
    import shutil

    from scaffold_support import REAL_TEMPLATE

    template = tmp_path / "template"
    shutil.copytree(REAL_TEMPLATE, template)
    project = next(template.glob("{{*"))
    # Stale bytecode, as an installed (and once imported) template can hold, in a module
    # that is kept and in one a pattern that is off removes.
    for folder in [project / "src" / "{{cookiecutter.package_name}}", project / "tests", project]:
        cache = folder / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / "stale.cpython-311.pyc").write_bytes(b"\x00bytecode")
    (project / "stray.pyc").write_bytes(b"\x00bytecode")
    from assessor.scaffold import render_file

    out = tmp_path / "out"
    render_file(assessment(), out, template=template)
    assert (out / "pyproject.toml").is_file()
    compiled = [
        p for p in out.rglob("*") if p.name == "__pycache__" or p.suffix in (".pyc", ".pyo")
    ]
    assert compiled == []
