#!/usr/bin/env python3
"""Run the composite GitHub Action (action.yml) here, step by step, as the runner would.

    python scripts/action-smoke.py WORKDIR [INPUT=VALUE...]

Needs PyYAML (scripts/npm-smoke.sh runs it with pre-commit's venv, which has it). Each `run:` step of
action.yml runs with `bash -eo pipefail` in WORKDIR, its `env:` with `${{ inputs.NAME }}` replaced by the
given inputs or their defaults, and GITHUB_ACTION_PATH (this checkout), RUNNER_TEMP and
GITHUB_PATH set; directories a step appends to GITHUB_PATH come first on PATH in the next steps,
as on GitHub. Any other `${{ }}` expression is an error (this runner does not know it). Exits
with the first failing step's code. The npm registry comes from the environment
(npm_config_registry: scripts/npm-mirror.py in CI).
"""

import os
import re
import subprocess
import sys
import tempfile
import time

import yaml

EXPR = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    workdir = os.path.abspath(sys.argv[1])
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(repo, "action.yml")) as f:
        action = yaml.safe_load(f)
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    for arg in sys.argv[2:]:
        name, _, value = arg.partition("=")
        if name not in inputs:
            raise SystemExit(f"action-smoke: action.yml has no input {name!r}")
        inputs[name] = value

    def expand(text):
        if "${{" in EXPR.sub("", text):
            raise SystemExit(f"action-smoke: an expression this runner does not know: {text!r}")
        return EXPR.sub(lambda m: inputs[m.group(1)], text)

    with tempfile.TemporaryDirectory() as runner_temp:
        github_path = os.path.join(runner_temp, "github_path")
        open(github_path, "w").close()
        for step in action["runs"]["steps"]:
            with open(github_path) as f:
                added = [line.strip() for line in f if line.strip()]
            env = dict(os.environ)
            env.update(
                GITHUB_ACTION_PATH=repo,
                RUNNER_TEMP=runner_temp,
                GITHUB_PATH=github_path,
                PATH=os.pathsep.join([*reversed(added), os.environ["PATH"]]),
            )
            env.update({k: expand(str(v)) for k, v in (step.get("env") or {}).items()})
            start = time.monotonic()
            code = subprocess.run(
                # GitHub's `shell: bash`
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=workdir,
                env=env,
            ).returncode
            took = time.monotonic() - start
            print(f"action-smoke: step {step['name']!r}: exit {code} in {took:.2f} s", flush=True)
            if code != 0:
                sys.exit(code)


if __name__ == "__main__":
    main()
