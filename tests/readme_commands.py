"""The README's shell commands, run as written by bash and the AWS CLI against the offline cloud.

`commands` reads the fenced `bash` blocks of one README section. `run` runs a script with the
AWS CLI of `.venv-awscli/` (`make setup` builds it) first on the PATH, the fake credentials
and region, and each service's endpoint set by its environment variable
(`AWS_ENDPOINT_URL_<SERVICE>`): nothing in the commands is rewritten for the offline cloud.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

from make_release import write_checksum
from offline_cloud.fake_aws import client_environment
from tests.support import ROOT

README = ROOT / "README.md"
AWS_CLI_BIN = ROOT / ".venv-awscli" / "bin"


def commands(heading: str, document: Path = README) -> list[str]:
    """The `bash` blocks between `heading` and the next heading of any level, in order (a block
    indented in a list item comes without its indentation)."""
    blocks: list[str] = []
    lines: list[str] = []
    in_section, fence, indent = False, None, 0
    for line in document.read_text().splitlines():
        stripped = line.lstrip(" ")
        if stripped.startswith("```"):
            if fence is None:
                fence, indent, lines = stripped[3:], len(line) - len(stripped), []
            else:
                if in_section and fence == "bash":
                    blocks.append("\n".join(lines) + "\n")
                fence = None
        elif fence is not None:
            lines.append(line[indent:])
        elif line.startswith("#"):
            in_section = line == heading
    return blocks


def run(script: str, cwd: Path, endpoints: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `script` with bash (stopping at the first failing command) in `cwd`; `endpoints`:
    service name (as in AWS_ENDPOINT_URL_<NAME>) -> URL. Raises with the output if it fails."""
    if not (AWS_CLI_BIN / "aws").exists():
        raise RuntimeError(f"{AWS_CLI_BIN / 'aws'} is missing: run `make setup`")
    environment = {
        "PATH": f"{AWS_CLI_BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(cwd),  # no ~/.aws of the machine's
        **client_environment(),
        **{f"AWS_ENDPOINT_URL_{name.upper()}": url for name, url in endpoints.items()},
    }
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{script}\n{result.stdout}{result.stderr}")
    return result


def release_folder(folder: Path, template: str, zip_name: str, code: Path) -> Path:
    """A folder holding `dist/` as `make release` leaves it: the template, the code zip (the
    files under `code`) and its sha256. Returns `folder`."""
    dist = folder / "dist"
    dist.mkdir(parents=True)
    (dist / "provider.yaml").write_text(template)
    with zipfile.ZipFile(dist / zip_name, "w") as archive:
        for path in sorted(code.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(code).as_posix())
    write_checksum(dist / zip_name)
    return folder
