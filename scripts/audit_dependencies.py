"""`make audit`, second half: pip-audit over the packages installed in .venv, said plainly.

pip-audit asks a vulnerability database (PyPI's JSON API unless told `-s osv`) about each
installed package. Where that cannot be reached (offline, or behind a mirror that serves
only the package index) every package comes back "not found", yet pip-audit still prints
"No known vulnerabilities found": nothing was checked. This says so instead, and exits 0,
since an unreachable database is not a finding. It exits 1 when a vulnerability is found.

Extra pip-audit options may follow: `python scripts/audit_dependencies.py -s osv`.
"""

from __future__ import annotations

import json
import subprocess
import sys

NETWORK_WORDS = ("connection", "resolve", "timed out", "max retries", "proxy", "ssl")


def _unreachable(why: str) -> int:
    print(
        "pip-audit: the vulnerability database could not be reached from here, so no "
        f"dependency was checked ({why}).\n"
        "Run `make audit` on a machine with full internet access, or try another database: "
        "make audit PIP_AUDIT_ARGS='-s osv'."
    )
    return 0


def main(extra: list[str]) -> int:
    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"]
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [*command, "--skip-editable", *extra], capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        if any(word in done.stderr.lower() for word in NETWORK_WORDS):
            return _unreachable(last)
        print(f"pip-audit failed: {last}", file=sys.stderr)
        return done.returncode or 1
    dependencies = report.get("dependencies", [])
    checked = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if not checked:
        reason = skipped[0]["skip_reason"] if skipped else "no packages listed"
        return _unreachable(f"{len(skipped)} packages skipped, e.g. {reason}")
    vulnerable = [d for d in checked if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    print(
        f"pip-audit: {len(checked)} packages checked, {len(vulnerable)} with a known vulnerability."
    )
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        print(f"Not checked ({len(skipped)}): {names}.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
