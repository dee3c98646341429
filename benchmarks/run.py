"""Time guardrails, Checkov and Trivy as whole processes on the same files, in the same run.

Each command runs under hyperfine (``--export-json``: several runs, median) wrapped in
``/usr/bin/time -f %M`` so every run also records its peak RSS (the largest single process
of the tree). Peers are looked up on PATH unless ``--checkov``/``--trivy`` name them, and
are skipped with a message when missing; they run with their offline flags
(../shared/PEERS.md). ``--dry-run`` runs every command once without hyperfine: a smoke test
of the harness, not a measurement.

    python benchmarks/run.py --checkov /tmp/peers-venv/bin/checkov --trivy /tmp/peers-venv/bin/trivy
    python benchmarks/run.py --cases single,terraform --runs 10 --json results.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import compose, dockerfile, generate, shell, tf_main

REPO = Path(__file__).resolve().parents[1]
# ../shared/corpus next to the repository (two levels up from a git worktree under wt/).
CORPUS = next((p / "shared" / "corpus" for p in REPO.parents[:2] if (p / "shared" / "corpus").is_dir()), None)
CASES = ("single", "terraform", "scaling", "corpus", "components")
TIME = "/usr/bin/time"


@dataclass
class Measure:
    command: str
    median_s: float | None = None
    cpu_s: float | None = None
    runs: int = 0
    peak_rss_mib: float | None = None
    exit_codes: list[int] = field(default_factory=list)


@dataclass
class Case:
    name: str
    files: int
    results: dict[str, Measure] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


class Tools:
    def __init__(self, guardrails: list[str], checkov: str | None, trivy: str | None) -> None:
        self.guardrails = guardrails
        self.checkov = checkov
        self.trivy = trivy

    @staticmethod
    def find(given: str | None, name: str) -> str | None:
        """An explicit path (``''``/``none``: skip), else the tool on PATH."""
        if given is not None:
            return given if given not in ("", "none") and Path(given).exists() else None
        return shutil.which(name)

    def checkov_cmd(self, target: Path, framework: str | None) -> list[str] | None:
        if self.checkov is None:
            return None
        flag = ["-f", str(target)] if target.is_file() else ["-d", str(target)]
        frame = ["--framework", framework] if framework else []
        return [self.checkov, *flag, "--quiet", "--compact", "-o", "json", "--skip-download", *frame]

    def trivy_cmd(self, target: Path) -> list[str] | None:
        if self.trivy is None:
            return None
        offline = ["--skip-check-update", "--skip-version-check", "--disable-telemetry", "-q"]
        # Trivy downloads the remote modules a repository calls, and no flag turns that off:
        # without a network each download waits for its timeout (276 s instead of ~40 s on
        # terraform-aws-components). A proxy on a closed local port makes every download fail
        # at once, which is Trivy offline as ../shared/PEERS.md measures it.
        refused = "http://127.0.0.1:9"
        proxies = [f"{name}={refused}" for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")]
        return ["env", *proxies, self.trivy, "config", str(target), "--format", "json", *offline]


def measure(argv: list[str], runs: int, warmup: int, dry: bool, workdir: Path) -> Measure:
    """Median wall time and peak RSS of ``argv`` run as a whole process."""
    rss_file = Path(tempfile.mkstemp(dir=workdir, suffix=".rss")[1])
    wrapped = [TIME, "-a", "-o", str(rss_file), "-f", "%M", *argv] if Path(TIME).exists() else argv
    out = Measure(shlex.join(argv))
    if dry or shutil.which("hyperfine") is None:
        start = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out.median_s, out.runs, out.exit_codes = time.perf_counter() - start, 1, [proc.returncode]
    else:
        export = workdir / "hyperfine.json"
        hyperfine = ["hyperfine", "-N", "-i", "--style", "none", "--runs", str(runs), "--warmup", str(warmup)]
        proc = subprocess.run(
            [*hyperfine, "--export-json", str(export), shlex.join(wrapped)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise SystemExit(f"hyperfine failed on {out.command}:\n{proc.stderr}")
        result = json.loads(export.read_text())["results"][0]
        out.median_s, out.runs, out.exit_codes = result["median"], len(result["times"]), result["exit_codes"]
        out.cpu_s = round(result["user"] + result["system"], 4)
    # One line of %M per run; /usr/bin/time adds "Command exited with non-zero status N" lines.
    values = [int(line) for line in rss_file.read_text().splitlines() if line.strip().isdigit()]
    out.peak_rss_mib = round(statistics.median(values) / 1024, 1) if values else None
    rss_file.unlink()
    return out


def single_files(root: Path) -> dict[str, Path]:
    """One small file per format, each in its own directory (the pre-commit case)."""
    import random

    rng = random.Random(11)
    made = {
        "compose": ("docker-compose.yml", compose(rng, "orders", True)),
        "dockerfile": ("Dockerfile", dockerfile(rng, "orders", False)),
        "terraform": ("main.tf", tf_main(rng, "orders", True)),
        "shell": ("backup.sh", shell(rng, "orders", True)),
    }
    paths: dict[str, Path] = {}
    for label, (name, text) in made.items():
        path = root / "single" / label / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths[label] = path
    return paths


def ratios(case: Case, base: str) -> None:
    reference = case.results.get(base)
    if reference is None or not reference.median_s:
        return
    for tool, result in case.results.items():
        if tool != base and result.median_s:
            case.ratios[f"{tool} / {base}"] = round(result.median_s / reference.median_s, 1)


class Runner:
    def __init__(self, args: argparse.Namespace, tools: Tools, work: Path) -> None:
        self.args = args
        self.tools = tools
        self.work = work
        self.cases: list[Case] = []

    def run(self, case: Case, commands: dict[str, list[str] | None], peer: bool = True) -> None:
        for tool, argv in commands.items():
            if argv is None:
                case.skipped.append(f"{tool}: not installed (give --{tool.split()[0]} PATH; see benchmarks/README.md)")
                continue
            is_peer = not tool.startswith("guardrails")
            runs = self.args.peer_runs if is_peer else self.args.runs
            warmup = 0 if is_peer else 1
            print(f"  {case.name}: {tool} ({runs} runs) ...", file=sys.stderr, flush=True)
            case.results[tool] = measure(argv, runs, warmup, self.args.dry_run, self.work)
        ratios(case, "guardrails" if "guardrails" in case.results else "guardrails cold")
        self.cases.append(case)

    def guardrails(self, *args: str) -> list[str]:
        return [*self.tools.guardrails, "scan", *args, "-f", "json", "-o", os.devnull]

    def single(self) -> None:
        frameworks = {"terraform": "terraform", "dockerfile": "dockerfile", "compose": None, "shell": None}
        for label, path in single_files(self.work).items():
            case = Case(f"single file: {label} ({path.stat().st_size} B)", 1)
            self.run(
                case,
                {
                    "guardrails": self.guardrails(str(path), "--no-cache"),
                    "checkov": self.tools.checkov_cmd(path, frameworks[label]),
                    "trivy": self.tools.trivy_cmd(path),
                },
            )

    def terraform(self) -> None:
        root = self.work / f"terraform-{self.args.tf_files}"
        count = generate(root, self.args.tf_files, "terraform", seed=7)
        case = Case(f"Terraform repository ({count} .tf files)", count)
        self.run(
            case,
            {
                "guardrails cold": self.guardrails(str(root), "--no-cache"),
                "guardrails warm": self.guardrails(str(root)),
                "guardrails cold -j1": self.guardrails(str(root), "--no-cache", "-j", "1"),
                "checkov": self.tools.checkov_cmd(root, "terraform"),
                "trivy": self.tools.trivy_cmd(root),
            },
        )

    def scaling(self) -> None:
        for size in self.args.sizes:
            root = self.work / f"mixed-{size}"
            count = generate(root, size, "mixed", seed=7)
            case = Case(f"mixed repository, {count} files", count)
            self.run(
                case,
                {
                    "guardrails cold": self.guardrails(str(root), "--no-cache"),
                    "guardrails warm": self.guardrails(str(root)),
                },
            )
            shutil.rmtree(root)

    def corpus(self) -> None:
        root = self._copy("corpus", "")
        if root is not None:
            count = sum(1 for p in root.rglob("*") if p.is_file())
            self._real(Case(f"real-world corpus (../shared/corpus, {count} files)", count), root, None)

    def components(self) -> None:
        """cloudposse/terraform-aws-components as the shared corpus holds it (issue 17's target)."""
        root = self._copy("terraform-aws-components", "realworld/terraform-aws-components")
        if root is not None:
            count = sum(1 for _ in root.rglob("*.tf"))
            self._real(Case(f"terraform-aws-components ({count} .tf files)", count), root, "terraform")

    def _copy(self, name: str, inside: str) -> Path | None:
        """A scratch copy of ``../shared/corpus/<inside>``: the warm run writes its cache at the
        scanned root. None (and a message) when the corpus is not there."""
        source = CORPUS / inside if CORPUS is not None else None
        if source is None or not source.is_dir():
            print(f"{name}: ../shared/corpus/{inside} not found, skipped", file=sys.stderr)
            return None
        root = self.work / name
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(source, root)
        return root

    def _real(self, case: Case, root: Path, framework: str | None) -> None:
        self.run(
            case,
            {
                "guardrails cold": self.guardrails(str(root), "--no-cache"),
                "guardrails warm": self.guardrails(str(root)),
                "checkov": self.tools.checkov_cmd(root, framework),
                "trivy": self.tools.trivy_cmd(root),
            },
        )


def compile_bytecode() -> None:
    """Byte-compile guardrails as an installation does: with PYTHONDONTWRITEBYTECODE set,
    a source checkout would otherwise be compiled again on every run (~70 ms)."""
    import guardrails.rules

    import guardrails

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    dirs = [*guardrails.__path__, *guardrails.rules.__path__]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], stdout=subprocess.DEVNULL, check=False)


def render(cases: list[Case]) -> str:
    lines = []
    for case in cases:
        lines.append(f"\n## {case.name}")
        for tool, m in case.results.items():
            median = f"{m.median_s:8.3f} s" if m.median_s is not None else "       - "
            rss = f"{m.peak_rss_mib:7.1f} MiB" if m.peak_rss_mib is not None else "        -"
            cpu = f"{m.cpu_s:8.3f} s" if m.cpu_s is not None else "       - "
            lines.append(f"  {tool:<22} median {median}  CPU {cpu}  peak RSS {rss}  ({m.runs} runs)")
        for name, value in case.ratios.items():
            lines.append(f"  {name:<32} {value:6.1f}x")
        for message in case.skipped:
            lines.append(f"  skipped {message}")
    return "\n".join(lines) + "\n"


def machine() -> dict[str, object]:
    return {
        "date": datetime.date.today().isoformat(),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--runs", type=int, default=10, help="runs per guardrails command")
    parser.add_argument("--peer-runs", type=int, default=3, help="runs per Checkov/Trivy command")
    parser.add_argument("--checkov", help="Checkov executable ('none' to skip); default: on PATH")
    parser.add_argument("--trivy", help="Trivy executable ('none' to skip); default: on PATH")
    parser.add_argument("--guardrails", default=f"{sys.executable} -m guardrails", help="guardrails command")
    parser.add_argument("--tf-files", type=int, default=1800)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000, 50000])
    parser.add_argument("--work", type=Path, help="where repositories are generated (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--dry-run", action="store_true", help="one run per command, no hyperfine")
    args = parser.parse_args(argv)

    guardrails_cmd = shlex.split(args.guardrails)
    if guardrails_cmd[0] == "guardrails" and shutil.which("guardrails"):
        guardrails_cmd[0] = shutil.which("guardrails") or "guardrails"
    tools = Tools(guardrails_cmd, Tools.find(args.checkov, "checkov"), Tools.find(args.trivy, "trivy"))
    compile_bytecode()
    work = args.work or Path(tempfile.mkdtemp(prefix="guardrails-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runner = Runner(args, tools, work)
    for name in args.cases.split(","):
        if name not in CASES:
            parser.error(f"unknown case {name!r}")
        getattr(runner, name)()
    report = {"machine": machine(), "dry_run": args.dry_run, "cases": [asdict(c) for c in runner.cases]}
    print(render(runner.cases))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
