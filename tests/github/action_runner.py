"""Run the shell steps of the repository's action.yml as GitHub's runner would.

The composite action's `run:` steps go through `bash --noprofile --norc -eo pipefail` with their
`env:` and the `${{ ... }}` expressions evaluated from the inputs, the runner's context and the
outputs of earlier steps; an expression this runner does not know fails the test. Steps that
`uses:` another action (setup-python, upload-artifact) are returned for the test to check and
emulate; the install step is skipped (the tool under test is already installed: the install
itself is what .ci/checks/wheel exercises on a built wheel).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
BIN = str(Path(sys.executable).parent)


@dataclass
class ActionRun:
    exit_code: int
    outputs: dict[str, str]
    log: str
    uses: list[dict] = field(default_factory=list)  # the `uses:` steps, `with` evaluated


def evaluate(text: str, context: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        expression = match.group(1)
        if expression not in context:
            raise KeyError(f"the test runner does not know ${{{{ {expression} }}}}")
        return context[expression]

    return EXPRESSION.sub(one, text)


def run_action(inputs: dict[str, str], env: dict[str, str], cwd: Path, tmp: Path) -> ActionRun:
    context = {"github.action_path": str(REPO), "github.token": env["GITHUB_TOKEN"]}
    context["github.run_id"] = env.get("GITHUB_RUN_ID", "1")
    context["github.run_attempt"] = env.get("GITHUB_RUN_ATTEMPT", "1")
    for name, spec in ACTION["inputs"].items():
        value = inputs.get(name, spec.get("default", ""))
        context[f"inputs.{name}"] = evaluate(str(value), context)
    unknown = set(inputs) - set(ACTION["inputs"])
    assert not unknown, f"action.yml has no input {unknown}"
    output_file = tmp / "github_output"
    output_file.write_text("")
    base = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp)),
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "RUNNER_TEMP": str(tmp / "runner"),
        **env,
    }
    log, uses, outputs, code = [], [], {}, 0
    for step in ACTION["runs"]["steps"]:
        if "uses" in step:
            with_ = {k: str(v) for k, v in step.get("with", {}).items()}  # evaluated at the end
            uses.append({"uses": step["uses"], "if": step.get("if", ""), "with": with_})
            continue
        if step.get("id") == "install":
            continue
        assert step["shell"] == "bash"
        step_env = {k: evaluate(str(v), context) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env={**base, **step_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        log.append(done.stdout + done.stderr)
        outputs = _outputs(output_file)
        for key, value in outputs.items():
            context[f"steps.{step['id']}.outputs.{key}"] = value
        code = done.returncode
        if code:
            break
    for name in ACTION["outputs"]:  # outputs not set evaluate to "" on GitHub
        context.setdefault(f"steps.run.outputs.{name}", "")
    for key in ("key", "plan", "plan_hash"):
        context.setdefault(f"steps.run.outputs.{key}", "")
    uses = [{**u, "with": {k: evaluate(v, context) for k, v in u["with"].items()}} for u in uses]
    return ActionRun(code, outputs, "\n".join(log), uses)


def _outputs(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            found[key] = value
    return found
