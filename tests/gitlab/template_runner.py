"""Run the jobs of templates/catalog.yml as a GitLab runner would.

The component's inputs are interpolated (`$[[ inputs.x ]]`, defaults from its `spec`; an
unknown input fails the test), the job's variables set, and its `script` lines run by bash with
`-eo pipefail`, as the runner's bash shell does. The `before_script` (pip install of the tool)
is checked, not run: the tool under test is installed already, and .ci/checks/wheel installs a
built wheel. Artifacts are the files the job leaves; the test hands them to the stand-in.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.ci_repo import BIN

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "templates" / "catalog.yml"
INPUT = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")


@dataclass
class JobRun:
    exit_code: int
    log: str


def component(inputs: dict[str, str]) -> dict:
    """The template's jobs with these inputs interpolated."""
    spec_text, jobs_text = TEMPLATE.read_text(encoding="utf-8").split("\n---\n", 1)
    spec = yaml.safe_load(spec_text)["spec"]["inputs"]
    assert set(inputs) <= set(spec), f"the component has no input {set(inputs) - set(spec)}"
    values = {name: inputs.get(name, spec[name].get("default")) for name in spec}
    missing = [name for name, value in values.items() if value is None]
    assert not missing, f"inputs without a default must be given: {missing}"
    return yaml.safe_load(INPUT.sub(lambda m: str(values[m.group(1)]), jobs_text))


def run_job(jobs: dict, name: str, env: dict[str, str], repo: Path) -> JobRun:
    job = jobs[name]
    base = jobs[job["extends"]] if "extends" in job else {}
    merged = {**base, **job}
    assert merged["variables"]["GIT_DEPTH"] == "0"
    variables = {"CI_PROJECT_DIR": str(repo), "CI_JOB_NAME": name, **env}
    for key, value in merged["variables"].items():
        variables[key] = (
            os.path.expandvars(str(value))
            if "$" not in str(value)
            else str(value).replace("$CI_PROJECT_DIR", str(repo))
        )
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(merged["script"])],
        cwd=repo,
        env={"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(repo), **variables},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return JobRun(done.returncode, done.stdout + done.stderr)
