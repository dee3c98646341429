"""Generate a realistic repository of N files for benchmarks, deterministically (seeded).

Two profiles:

* ``terraform``: a Terraform monorepo shaped like cloudposse/terraform-aws-components
  (one directory per component with main/variables/outputs/versions/context/locals .tf
  files, about 2.8 KB each), with variables, locals, modules and data sources, and a few
  findings (an ``aws_db_instance`` whose ``skip_final_snapshot`` comes from a variable
  default of ``true``, a security group open to 0.0.0.0/0 on 5432, short DNS TTLs).
* ``mixed``: every supported format, service by service: Terraform, compose files with
  ``.env`` files, Dockerfiles, shell scripts, Kubernetes manifests, GitHub workflows,
  DNS zone files, SQL migrations and Python scripts, some with findings.

Usage: ``python benchmarks/generate.py OUT --files 1800 --profile terraform --seed 7``.
The same arguments always produce the same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from collections.abc import Callable
from pathlib import Path

WORDS = (
    "alpha",
    "billing",
    "catalog",
    "checkout",
    "dashboard",
    "edge",
    "events",
    "gateway",
    "identity",
    "inventory",
    "ledger",
    "metrics",
    "notify",
    "orders",
    "payments",
    "profile",
    "search",
    "session",
    "shipping",
    "storage",
    "tenant",
    "vault",
    "audit",
    "backup",
    "cache",
    "cluster",
    "config",
    "deploy",
    "dns",
    "ingest",
    "queue",
    "report",
    "stream",
    "worker",
)
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
ENGINES = (("postgres", "15.4", 5432), ("mysql", "8.0.35", 3306), ("postgres", "16.1", 5432))


class Writer:
    """Collects files until the requested count is reached."""

    def __init__(self, out: Path, limit: int) -> None:
        self.out = out
        self.limit = limit
        self.count = 0

    @property
    def full(self) -> bool:
        return self.count >= self.limit

    def write(self, rel: str, text: str) -> None:
        if self.full:
            return
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.count += 1


def _name(rng: random.Random, parts: int = 2) -> str:
    return "-".join(rng.choice(WORDS) for _ in range(parts))


def _ident(name: str) -> str:
    return name.replace("-", "_")


# --------------------------------------------------------------------------- Terraform


def tf_variables(rng: random.Random, component: str, risky: bool) -> str:
    blocks = [
        'variable "region" {\n  type        = string\n  description = "AWS Region"\n'
        f'  default     = "{rng.choice(REGIONS)}"\n}}\n',
        'variable "enabled" {\n  type        = bool\n  description = "Set to false to prevent the module from '
        'creating any resources"\n  default     = true\n}\n',
        f'variable "name" {{\n  type        = string\n  description = "Name of the {component} component"\n'
        f'  default     = "{component}"\n}}\n',
        'variable "tags" {\n  type        = map(string)\n  description = "Additional tags"\n  default     = {}\n}\n',
        f'variable "instance_class" {{\n  type    = string\n  default = "db.{rng.choice(["t3", "r6g", "m6g"])}.'
        f'{rng.choice(["medium", "large", "xlarge"])}"\n}}\n',
        f'variable "allocated_storage" {{\n  type    = number\n  default = {rng.choice([20, 50, 100, 200])}\n}}\n',
        f'variable "skip_final_snapshot" {{\n  type        = bool\n  description = "Skip the final snapshot on '
        f'destroy"\n  default     = {"true" if risky else "false"}\n}}\n',
        'variable "allowed_cidr_blocks" {\n  type    = list(string)\n  default = ["10.0.0.0/8"]\n}\n',
        f'variable "dns_ttl" {{\n  type    = number\n  default = {rng.choice([300, 3600, 60 if risky else 900])}\n}}\n',
    ]
    for index in range(rng.randint(2, 6)):
        blocks.append(
            f'variable "{_ident(_name(rng))}_{index}" {{\n  type        = string\n'
            f'  description = "Setting {index} for {component}"\n  default     = null\n}}\n'
        )
    return "\n".join(blocks)


def tf_main(rng: random.Random, component: str, risky: bool) -> str:
    engine, version, port = rng.choice(ENGINES)
    ident = _ident(component)
    cidr = '["0.0.0.0/0"]' if risky else "var.allowed_cidr_blocks"
    parts = [
        f'module "{ident}_label" {{\n  source = "../../shared/label"\n\n'
        f"  name    = var.name\n  context = module.this.context\n}}\n",
        f'resource "aws_security_group" "{ident}" {{\n  count       = local.enabled ? 1 : 0\n'
        f'  name        = "${{module.{ident}_label.id}}-db"\n  description = "Database access for {component}"\n'
        f'  vpc_id      = local.vpc_id\n\n  ingress {{\n    description = "{engine}"\n'
        f'    from_port   = {port}\n    to_port     = {port}\n    protocol    = "tcp"\n'
        f"    cidr_blocks = {cidr}\n  }}\n\n  egress {{\n    from_port   = 0\n    to_port     = 0\n"
        f'    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n\n  tags = module.{ident}_label.tags\n}}\n',
        f'resource "aws_db_instance" "{ident}" {{\n  count                   = local.enabled ? 1 : 0\n'
        f'  identifier              = module.{ident}_label.id\n  engine                  = "{engine}"\n'
        f'  engine_version          = "{version}"\n  instance_class          = var.instance_class\n'
        f"  allocated_storage       = var.allocated_storage\n  db_subnet_group_name    = local.subnet_group\n"
        f"  vpc_security_group_ids  = [one(aws_security_group.{ident}[*].id)]\n"
        f"  backup_retention_period = {0 if risky and rng.random() < 0.3 else rng.choice([7, 14, 30])}\n"
        f"  skip_final_snapshot     = var.skip_final_snapshot\n"
        f"  deletion_protection     = {'false' if risky else 'true'}\n"
        f"  storage_encrypted       = true\n  tags                    = module.{ident}_label.tags\n}}\n",
        f'resource "aws_route53_record" "{ident}" {{\n  count   = local.enabled ? 1 : 0\n'
        f'  zone_id = local.zone_id\n  name    = "{component}.${{local.domain}}"\n  type    = "CNAME"\n'
        f"  ttl     = var.dns_ttl\n  records = [one(aws_db_instance.{ident}[*].address)]\n}}\n",
        f'resource "aws_s3_bucket" "{ident}_logs" {{\n  count         = local.enabled ? 1 : 0\n'
        f'  bucket        = "${{module.{ident}_label.id}}-logs"\n  force_destroy = false\n'
        f"  tags          = module.{ident}_label.tags\n}}\n",
        f'data "aws_iam_policy_document" "{ident}" {{\n  statement {{\n    sid       = "ReadLogs"\n'
        f'    effect    = "Allow"\n    actions   = ["s3:GetObject", "s3:ListBucket"]\n'
        f"    resources = [one(aws_s3_bucket.{ident}_logs[*].arn)]\n  }}\n}}\n",
    ]
    if rng.random() < 0.5:
        parts.append(
            f'resource "aws_elasticache_cluster" "{ident}" {{\n  count           = local.enabled ? 1 : 0\n'
            f'  cluster_id      = module.{ident}_label.id\n  engine          = "redis"\n'
            f'  node_type       = "cache.t3.micro"\n  num_cache_nodes = 1\n  port            = 6379\n}}\n'
        )
    return "\n".join(parts)


def tf_locals(rng: random.Random, component: str) -> str:
    return (
        "locals {\n  enabled      = module.this.enabled && var.enabled\n"
        f'  vpc_id       = module.vpc.outputs.vpc_id\n  subnet_group = "{component}-subnets"\n'
        "  zone_id      = module.dns_delegated.outputs.default_dns_zone_id\n"
        f'  domain       = "{rng.choice(WORDS)}.example.com"\n'
        '  tags = merge(module.this.tags, {\n    Component = "' + component + '"\n  })\n}\n\n'
        'module "vpc" {\n  source = "../../shared/remote-state"\n\n'
        '  component = "vpc"\n  context   = module.this.context\n}\n\n'
        'module "dns_delegated" {\n  source = "../../shared/remote-state"\n\n'
        '  component   = "dns-delegated"\n  environment = "gbl"\n'
        "  context     = module.this.context\n}\n"
    )


def tf_outputs(rng: random.Random, component: str) -> str:
    ident = _ident(component)
    return (
        f'output "{ident}_endpoint" {{\n  value       = one(aws_db_instance.{ident}[*].endpoint)\n'
        f'  description = "Database endpoint"\n}}\n\noutput "{ident}_security_group_id" {{\n'
        f'  value       = one(aws_security_group.{ident}[*].id)\n  description = "Security group"\n}}\n\n'
        f'output "{ident}_fqdn" {{\n  value = one(aws_route53_record.{ident}[*].fqdn)\n}}\n'
    )


def tf_versions(rng: random.Random) -> str:
    return (
        'terraform {\n  required_version = ">= 1.3.0"\n\n  required_providers {\n    aws = {\n'
        f'      source  = "hashicorp/aws"\n      version = ">= {rng.choice(["4.9.0", "5.0.0", "5.32.0"])}"\n    }}\n'
        "  }\n}\n\n"
        'provider "aws" {\n  region = var.region\n}\n'
    )


def tf_context() -> str:
    fields = ("enabled", "namespace", "tenant", "environment", "stage", "name", "delimiter", "attributes")
    body = "\n".join(f"  {f} = var.{f}_label" for f in fields)
    variables = "\n".join(
        f'variable "{f}_label" {{\n  type        = any\n  default     = null\n  description = "Label {f}"\n}}\n'
        for f in fields
    )
    return f'module "this" {{\n  source = "../../shared/label"\n\n{body}\n}}\n\n{variables}'


def terraform_component(w: Writer, rng: random.Random, base: str, risky: bool) -> None:
    component = base.rsplit("/", 1)[-1]
    files: list[tuple[str, Callable[[], str]]] = [
        ("main.tf", lambda: tf_main(rng, component, risky)),
        ("variables.tf", lambda: tf_variables(rng, component, risky)),
        ("outputs.tf", lambda: tf_outputs(rng, component)),
        ("versions.tf", lambda: tf_versions(rng)),
        ("context.tf", tf_context),
        ("locals.tf", lambda: tf_locals(rng, component)),
    ]
    for name, make in files:
        w.write(f"{base}/{name}", make())


# --------------------------------------------------------------------------- other formats


def compose(rng: random.Random, service: str, risky: bool) -> str:
    engine, version, port = rng.choice(ENGINES)
    published = f'"{port}:{port}"' if risky else f'"127.0.0.1:{port}:{port}"'
    return (
        f"services:\n  {service}:\n    build: .\n    image: registry.example.com/{service}:1.4.2\n"
        f"    environment:\n      DATABASE_URL: {engine}://app:${{DB_PASSWORD}}@db:{port}/{_ident(service)}\n"
        f'      LOG_LEVEL: info\n    depends_on:\n      - db\n    ports:\n      - "8080:8080"\n'
        f"  db:\n    image: {engine}:{version.split('.')[0]}\n    environment:\n"
        f"      {'POSTGRES' if engine == 'postgres' else 'MYSQL'}_PASSWORD: ${{DB_PASSWORD}}\n"
        f"    volumes:\n      - db-data:/var/lib/{engine}\n    ports:\n      - {published}\n"
        f"volumes:\n  db-data: {{}}\n"
    )


def dotenv(rng: random.Random, env: str, shared: str) -> str:
    password = shared if env in ("dev", "prod") and rng.random() < 0.2 else f"{env}-{rng.getrandbits(64):016x}"
    return (
        f"# {env} settings\nAPP_ENV={env}\nLOG_LEVEL={'debug' if env == 'dev' else 'info'}\n"
        f"DB_HOST=db.{env}.internal\nDB_PASSWORD={password}\nFEATURE_FLAGS=search,checkout\n"
    )


def dockerfile(rng: random.Random, service: str, risky: bool) -> str:
    cleanup = "rm -rf /var/lib/apt/lists/*" if not risky else "rm -rf /var/lib/postgresql/data/*"
    return (
        f"# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS build\nWORKDIR /src\n"
        f"COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n\n"
        f"FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl \\\n"
        f"    && {cleanup}\nCOPY --from=build /usr/local /usr/local\nCOPY . /app\nWORKDIR /app\n"
        f'USER 1000\nEXPOSE 8080\nCMD ["python", "-m", "{_ident(service)}"]\n'
    )


def shell(rng: random.Random, service: str, risky: bool) -> str:
    drop = (
        f'psql "$DATABASE_URL" -c "DROP DATABASE {_ident(service)}"\n'
        if risky
        else f'if [ "$APP_ENV" = "dev" ]; then\n  dropdb --if-exists {_ident(service)}_test\nfi\n'
    )
    return (
        "#!/usr/bin/env bash\nset -euo pipefail\n\n"
        f'SERVICE="{service}"\nBACKUP_DIR="/var/backups/$SERVICE"\n\n'
        'log() { printf "%s %s\\n" "$(date -u +%FT%TZ)" "$*" >&2; }\n\n'
        'mkdir -p "$BACKUP_DIR"\nlog "backing up $SERVICE"\n'
        'pg_dump --format=custom "$DATABASE_URL" > "$BACKUP_DIR/$(date +%F).dump"\n'
        f"{drop}"
        'find "$BACKUP_DIR" -name "*.dump" -mtime +14 -delete\nlog "done"\n'
    )


def k8s(rng: random.Random, service: str, risky: bool) -> str:
    engine, _, port = rng.choice(ENGINES)
    service_type = "LoadBalancer" if risky else "ClusterIP"
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {service}\n  labels:\n    app: {service}\n"
        f"spec:\n  replicas: {rng.randint(1, 4)}\n  selector:\n    matchLabels:\n      app: {service}\n"
        f"  template:\n    metadata:\n      labels:\n        app: {service}\n    spec:\n      containers:\n"
        f"        - name: {service}\n          image: registry.example.com/{service}:1.4.2\n"
        f"          ports:\n            - containerPort: 8080\n          resources:\n"
        f"            limits:\n              memory: 256Mi\n---\n"
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {service}-db\nspec:\n  type: {service_type}\n"
        f"  selector:\n    app: {service}-{engine}\n  ports:\n    - port: {port}\n      targetPort: {port}\n"
    )


def workflow(rng: random.Random, service: str, risky: bool) -> str:
    apply = "terraform apply -auto-approve" if risky else "terraform plan -out=tfplan"
    return (
        f"name: {service} deploy\non:\n  push:\n    branches: [main]\n  pull_request:\n\n"
        "permissions:\n  contents: read\n  id-token: write\n\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - uses: hashicorp/setup-terraform@v3\n"
        f"      - name: Init\n        run: terraform -chdir=infra/{service} init -input=false\n"
        f"      - name: Apply\n        working-directory: infra/{service}\n        run: |\n"
        f"          terraform validate\n          {apply}\n"
    )


def zone(rng: random.Random, domain: str, risky: bool) -> str:
    ttl = 30 if risky else 3600
    return (
        f"$ORIGIN {domain}.\n$TTL {ttl}\n"
        f"@   IN SOA ns1.{domain}. hostmaster.{domain}. (\n        2024010101 ; serial\n"
        "        7200       ; refresh\n        3600       ; retry\n        1209600    ; expire\n"
        "        300 )      ; minimum\n"
        f"@   IN NS ns1.{domain}.\n@   IN NS ns2.{domain}.\n"
        f"ns1 IN A 192.0.2.{rng.randint(1, 254)}\nns2 IN A 198.51.100.{rng.randint(1, 254)}\n"
        f"www IN CNAME lb.{domain}.\napi {ttl} IN A 203.0.113.{rng.randint(1, 254)}\n"
    )


def migration(rng: random.Random, service: str, index: int, risky: bool) -> str:
    table = _ident(service)
    if risky:
        return f"-- reset {service}\nDROP TABLE IF EXISTS {table}_events;\nDELETE FROM {table}_sessions;\n"
    return (
        f"-- {index:04d}: {service} schema\nCREATE TABLE IF NOT EXISTS {table}_{index} (\n"
        "    id BIGSERIAL PRIMARY KEY,\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n"
        "    payload JSONB NOT NULL\n);\n"
        f"CREATE INDEX IF NOT EXISTS {table}_{index}_created ON {table}_{index} (created_at);\n"
        f"DELETE FROM {table}_{index} WHERE created_at < now() - interval '90 days';\n"
    )


def python_script(rng: random.Random, service: str, risky: bool) -> str:
    action = (
        '    subprocess.run(["terraform", "destroy", "-auto-approve"], check=True)\n'
        if risky
        else '    subprocess.run(["terraform", "plan", "-detailed-exitcode"], check=False)\n'
    )
    return (
        f'"""Maintenance helpers for {service}."""\n\nimport os\nimport subprocess\nimport sys\n\n\n'
        "def main() -> int:\n"
        '    env = os.environ.get("APP_ENV", "dev")\n'
        '    print(f"running in {env}")\n'
        f"{action}"
        "    return 0\n\n\n"
        'if __name__ == "__main__":\n    sys.exit(main())\n'
    )


def service_dir(w: Writer, rng: random.Random, base: str, risky: bool) -> None:
    service = base.rsplit("/", 1)[-1]
    shared = f"{rng.getrandbits(96):024x}"
    w.write(f"{base}/docker-compose.yml", compose(rng, service, risky))
    w.write(f"{base}/Dockerfile", dockerfile(rng, service, risky and rng.random() < 0.5))
    for env in ("dev", "prod"):
        w.write(f"{base}/.env.{env}", dotenv(rng, env, shared))
    w.write(f"{base}/.env", dotenv(rng, "local", shared))
    w.write(f"{base}/scripts/backup.sh", shell(rng, service, risky and rng.random() < 0.5))
    w.write(f"{base}/scripts/maintenance.py", python_script(rng, service, risky and rng.random() < 0.5))
    w.write(f"{base}/k8s/deployment.yaml", k8s(rng, service, risky))
    for index in range(1, 3):
        w.write(f"{base}/migrations/{index:04d}_init.sql", migration(rng, service, index, risky and index == 2))
    w.write(f".github/workflows/{service}.yml", workflow(rng, service, risky))
    w.write(f"dns/{service}.example.com.zone", zone(rng, f"{service}.example.com", risky))
    terraform_component(w, rng, f"infra/{service}", risky)


def shared_modules(w: Writer) -> None:
    """Local modules every component uses (no registry source: scanners stay offline)."""
    fields = ("enabled", "namespace", "tenant", "environment", "stage", "name", "delimiter", "attributes")
    variables = "\n".join(f'variable "{f}" {{\n  type    = any\n  default = null\n}}\n' for f in fields)
    w.write("shared/label/variables.tf", variables + 'variable "context" {\n  type    = any\n  default = {}\n}\n')
    w.write(
        "shared/label/main.tf",
        "locals {\n  enabled = var.enabled == null ? true : var.enabled\n"
        '  id      = join("-", compact([var.namespace, var.environment, var.stage, var.name]))\n'
        '  tags    = { Name = local.id, Stage = coalesce(var.stage, "dev") }\n}\n',
    )
    w.write(
        "shared/label/outputs.tf",
        'output "id" {\n  value = local.id\n}\n\noutput "tags" {\n  value = local.tags\n}\n\n'
        'output "enabled" {\n  value = local.enabled\n}\n\noutput "context" {\n  value = var.context\n}\n',
    )
    w.write(
        "shared/remote-state/main.tf",
        'variable "component" {\n  type = string\n}\n\nvariable "environment" {\n  type    = string\n'
        '  default = null\n}\n\nvariable "context" {\n  type    = any\n  default = {}\n}\n\n'
        'output "outputs" {\n  value = {\n    vpc_id              = "vpc-0123456789abcdef0"\n'
        '    default_dns_zone_id = "Z0123456789ABCDEFGHIJ"\n  }\n}\n',
    )


def generate(out: Path, files: int, profile: str = "mixed", seed: int = 7, risky_share: float = 0.1) -> int:
    """Write ``files`` files under ``out`` (emptied first); returns the number written."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(seed)
    w = Writer(out, files)
    shared_modules(w)
    seen: set[str] = set()
    index = 0
    while not w.full:
        name = f"{_name(rng)}-{index}"
        index += 1
        if name in seen:
            continue
        seen.add(name)
        risky = rng.random() < risky_share
        if profile == "terraform":
            terraform_component(w, rng, f"modules/{name}", risky)
        else:
            service_dir(w, rng, f"services/{name}", risky)
    return w.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--profile", choices=["mixed", "terraform"], default="mixed")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    count = generate(args.out, args.files, args.profile, args.seed)
    print(f"wrote {count} files to {args.out}")


if __name__ == "__main__":
    main()
