"""A datastore is given a default or guessable credential."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

from guardrails.facts.ansible_keywords import may_start_container
from guardrails.facts.ci_runners import hosted_runner
from guardrails.facts.datastores import (
    DATASTORES_OPTION_HELP,
    NEWSBLUR,
    Datastore,
    auth_state,
    command_credentials,
    configured,
    describe_password,
    find_by_command,
    find_datastore,
    server_programs,
    weak_credentials,
)
from guardrails.facts.shells import names_any
from guardrails.model import Category, Document, Finding, Kind, Severity, Span
from guardrails.rule import Bad, Good, Option, Rule, RuleContext

if TYPE_CHECKING:
    from guardrails.documents import Block, DockerfileDocument, ShellDocument, TerraformDocument, TreeDocument
    from guardrails.facts.container_start import ContainerStart
    from guardrails.facts.docker_run import ComposeCommand
    from guardrails.facts.terraform import Module

# Managed databases: resource type -> (password attribute, user attribute, the engine's default user).
_TERRAFORM_PASSWORDS: dict[str, tuple[str, str, str]] = {
    "aws_db_instance": ("password", "username", ""),
    "aws_rds_cluster": ("master_password", "master_username", ""),
    "aws_docdb_cluster": ("master_password", "master_username", ""),
    "aws_redshift_cluster": ("master_password", "master_username", ""),
    "aws_neptune_cluster": ("master_password", "master_username", ""),
    "google_sql_user": ("password", "name", ""),
    "azurerm_mssql_server": ("administrator_login_password", "administrator_login", ""),
    "azurerm_sql_server": ("administrator_login_password", "administrator_login", ""),
    "azurerm_postgresql_flexible_server": ("administrator_password", "administrator_login", ""),
    "azurerm_mysql_flexible_server": ("administrator_password", "administrator_login", ""),
    "azurerm_postgresql_server": ("administrator_login_password", "administrator_login", ""),
    "azurerm_mysql_server": ("administrator_login_password", "administrator_login", ""),
}

# Embedded shell of these hosts is judged with the service or container that runs it.
_HOSTS_ELSEWHERE = frozenset({Kind.COMPOSE, Kind.KUBERNETES})


class DatastoreDefaultCredentials(Rule):
    id = "ED002"
    name = "datastore-default-credentials"
    title = "Datastore configured with a default or guessable credential"
    category = Category.EXPOSED_DATASTORE
    severity = Severity.HIGH
    kinds = frozenset(
        {
            Kind.COMPOSE,
            Kind.DOCKERFILE,
            Kind.SHELL,
            Kind.KUBERNETES,
            Kind.TERRAFORM,
            Kind.HELM_VALUES,
            Kind.YAML,
            Kind.ANSIBLE,
        }
    )
    incidents = (NEWSBLUR,)
    rationale = (
        "Bots that sweep the internet for datastores try the published defaults first: admin/admin, "
        "guest/guest, root/root, postgres/postgres, the image's documented default and `changeme` from vendor "
        "examples. A datastore protected by one of them is as open as one with no password at all; NewsBlur's "
        "remediation was real authentication on every database, not a firewall. In compose the finding is "
        "critical when the port is published on all interfaces and medium on an internal network; an "
        "unpublished datastore of a compose file for a test run (`docker-compose.test.yml`, `compose.ci.yaml`, "
        "a file under `tests/`, `e2e/` or `cypress/`) lives only in that run's network and is left out. A "
        "container started by `docker run` or by an Ansible `docker_container`/`podman_container` task is read "
        "the same way, its variables and command line."
    )
    remediation = (
        "Generate a random password per environment and pass it as a secret (`*_FILE` variables with compose "
        "secrets, a Kubernetes Secret, `manage_master_user_password` or a secrets manager in Terraform); never "
        "commit it, and never reuse the user name or an example value."
    )
    options = {"datastores": Option([], DATASTORES_OPTION_HELP)}
    bad = (
        Bad(
            "docker-compose.yml",
            "services:\n  mq:\n    image: rabbitmq:3-management\n    environment:\n"
            "      RABBITMQ_DEFAULT_USER: admin\n      RABBITMQ_DEFAULT_PASS: admin\n",
            6,
        ),
        Bad(
            "db.tf",
            'resource "aws_db_instance" "main" {\n  engine   = "postgres"\n  username = "app"\n'
            '  password = var.db_password\n}\n\nvariable "db_password" {\n  default = "changeme"\n}\n',
            4,
        ),
    )
    good = (
        Good(
            "docker-compose.yml",
            "services:\n  db:\n    image: postgres:16\n    environment:\n"
            "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n",
            note="required from the environment",
        ),
        Good(
            "docker-compose.yml",
            "services:\n  web:\n    image: grafana/grafana\n    environment:\n"
            "      GF_SECURITY_ADMIN_PASSWORD: admin\n",
            note="not a datastore",
        ),
    )

    # One rule over four kinds: each kind's facts are imported when a document of that kind
    # comes, so that a scan of one shell script does not load the compose and Kubernetes models.
    def check(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        extra = configured(ctx.options)
        if doc.kind is Kind.COMPOSE:
            yield from self._compose(cast("TreeDocument", doc), ctx, extra)
        elif doc.kind is Kind.KUBERNETES:
            yield from self._kubernetes(cast("TreeDocument", doc), ctx, extra)
        elif doc.kind is Kind.SHELL:
            yield from self._shell(cast("ShellDocument", doc), ctx, extra)
        elif doc.kind is Kind.DOCKERFILE:
            for ins in cast("DockerfileDocument", doc).instructions:
                if ins.keyword in ("CMD", "ENTRYPOINT") and ins.exec_form:
                    yield from self._server(doc, list(ins.exec_form), lambda _, span=ins.span: span, ctx, extra)
        elif doc.kind is Kind.ANSIBLE and may_start_container(doc.text):
            from guardrails.facts.ansible_containers import container_starts

            for start in container_starts(doc, ctx.project):
                yield from self._container(doc, start, ctx, extra)
        elif doc.kind in (Kind.HELM_VALUES, Kind.YAML):
            yield from self._helm(doc, ctx)
        elif doc.kind is Kind.TERRAFORM:
            from guardrails.facts.terraform import module_for

            tf = cast("TerraformDocument", doc)
            module = module_for(tf, ctx.project)
            for block in tf.resources(*_TERRAFORM_PASSWORDS):
                yield from self._terraform(tf, block, module, ctx)
            if tf.resources("helm_release"):
                yield from self._helm(tf, ctx)

    def _kubernetes(self, doc: TreeDocument, ctx: RuleContext, extra: tuple[Datastore, ...]) -> Iterator[Finding]:
        from guardrails.facts.kubernetes import datastore_containers
        from guardrails.facts.kustomize import manifests

        for manifest in manifests(doc, ctx.project):
            for container in datastore_containers(manifest, extra):
                values = {k: v.value for k, v in container.env.items()}
                for weak in weak_credentials(container.store, values):
                    place = manifest.place(container.env[weak.key].node, within=container.node)
                    if place is None:
                        continue
                    yield self.finding_at(
                        place,
                        f"{container.label} container '{container.name}' ({container.image}, {container.store.name})"
                        f" sets {weak.key} to {weak.description}{manifest.via}",
                        anchor=f"{container.label}/{container.name}/env/{weak.key}",
                        ctx=ctx,
                    )
                nodes = container.word_nodes()
                for index, flag, description in command_credentials(container.store, container.words):
                    place = manifest.place(nodes[index], within=container.node)
                    if place is None:
                        continue
                    yield self.finding_at(
                        place,
                        f"{container.label} container '{container.name}' ({container.image}, {container.store.name})"
                        f" starts with {flag} set to {description}{manifest.via}",
                        anchor=f"{container.label}/{container.name}/args/{flag}",
                        ctx=ctx,
                    )

    def _helm(self, doc: Document, ctx: RuleContext) -> Iterator[Finding]:
        """Passwords in the values of a datastore chart (a values file beside Chart.yaml, the
        values a helmfile release lists, a ``helm install`` command's files and ``--set``), on
        the line that sets them."""
        from guardrails.facts import helm

        for deployment in helm.deployments_of(doc, ctx.project):
            store = find_datastore(deployment.chart.image_name)
            defaults = store.default_credentials if store is not None else ()
            for path, value, user in helm.passwords(deployment):
                place = helm.report_at(value, doc)
                description = describe_password(user, value.text, defaults) if place is not None else None
                if place is not None and description is not None:
                    yield self.finding(
                        place[0],
                        place[1],
                        f"{deployment.chart.family} chart '{deployment.label}'{deployment.origin} sets {path}"
                        f"{place[2]} to {description}",
                        anchor=f"helm/{deployment.label}/{path}",
                        ctx=ctx,
                    )

    def _compose(self, doc: TreeDocument, ctx: RuleContext, extra: tuple[Datastore, ...]) -> Iterator[Finding]:
        from guardrails.facts.compose import datastore_services, is_test_compose, written_command

        test_run = is_test_compose(doc, ctx.project)
        for svc in datastore_services(doc, ctx.project, extra):
            if test_run and not svc.exposures:
                continue  # a test run's own database, unreachable from outside it
            for weak in weak_credentials(svc.store, svc.env_values):
                value = svc.env[weak.key]
                if value.compose_path != doc.path:
                    continue  # reported in the compose file that sets it
                source = "" if value.source == doc.path else f" (from {value.source})"
                if "$" in value.raw:
                    source = f" ({value.raw} with the project's .env)"
                exposed = bool(svc.exposures)
                yield self.finding(
                    doc,
                    value.node.span if value.node is not None else svc.node.span,
                    f"service '{svc.name}' ({svc.image}, {svc.store.name}) sets {weak.key}{source} to "
                    f"{weak.description}" + ("; its port is published on all interfaces" if exposed else ""),
                    anchor=f"services.{svc.name}.environment.{weak.key}",
                    ctx=ctx,
                    severity=Severity.CRITICAL if exposed else Severity.MEDIUM,
                )
            written = written_command(svc.model)
            for index, flag, description in command_credentials(svc.store, [word for word, _, _ in written]):
                _, item, node = written[index]
                if item.path != doc.path:
                    continue  # reported in the compose file that sets it
                exposed = bool(svc.exposures)
                yield self.finding(
                    doc,
                    node.span,
                    f"service '{svc.name}' ({svc.image}, {svc.store.name}) starts with {flag} set to {description}"
                    + ("; its port is published on all interfaces" if exposed else ""),
                    anchor=f"services.{svc.name}.command.{flag}",
                    ctx=ctx,
                    severity=Severity.CRITICAL if exposed else Severity.MEDIUM,
                )

    def _shell(self, doc: ShellDocument, ctx: RuleContext, extra: tuple[Datastore, ...]) -> Iterator[Finding]:
        from guardrails.facts.docker_run import (
            CONTAINER_PROGRAMS,
            compose_command,
            container_start,
            docker_run,
            environment,
        )

        if not names_any(doc.text, CONTAINER_PROGRAMS | server_programs(extra) | {"helm"}):
            return  # runs no container, server or chart: the script is not even walked
        if any(cmd.command == "helm" for cmd in doc.commands):
            yield from self._helm(doc, ctx)
        if hosted_runner(doc):
            return  # containers and servers on a GitHub-hosted job's machine are gone with the job
        if doc.parent is None or doc.host.kind not in _HOSTS_ELSEWHERE:
            yield from self._servers(doc, ctx, extra)
        for cmd in doc.commands:
            compose_run = compose_command(cmd)
            if compose_run is not None:
                yield from self._compose_cli(doc, compose_run, ctx, extra)
                continue
            run = docker_run(cmd)
            if run is not None and run.image.static:
                yield from self._container(doc, container_start(run, environment(run, doc, ctx.project)), ctx, extra)

    def _container(
        self, doc: Document, start: ContainerStart, ctx: RuleContext, extra: tuple[Datastore, ...]
    ) -> Iterator[Finding]:
        """A datastore container (``docker run``, an Ansible task) given a guessable password in
        its variables or on its command line, where the start writes it."""
        store = start.datastore(extra)
        if store is None or auth_state(store, start.env, start.args, start.image).explicit:
            return
        for index, flag, description in command_credentials(store, start.args):
            span = start.arg_spans[index] if index < len(start.arg_spans) else None
            source = f" (the command is rendered with {start.command_source})" if start.command_source else ""
            if span is not None:
                yield self.finding(
                    doc,
                    span,
                    f"{start.what} ({store.name}) starts it with {flag} set to {description}{source}",
                    anchor=f"{start.key}:{start.image}:{flag}",
                    ctx=ctx,
                )
        for weak in weak_credentials(store, start.env):
            source = f" (from {start.env_sources[weak.key]})" if weak.key in start.env_sources else ""
            yield self.finding(
                doc,
                start.env_spans[weak.key],
                f"{start.what} ({store.name}) sets {weak.key} to {weak.description}{source}",
                anchor=f"{start.key}:{start.image}:{weak.key}",
                ctx=ctx,
            )

    def _servers(self, doc: ShellDocument, ctx: RuleContext, extra: tuple[Datastore, ...]) -> Iterator[Finding]:
        """A server started by the script itself (``redis-server --requirepass changeme``, also
        behind ``exec``/``nohup``/``sudo -u``), on the word that holds the password."""
        for cmd in doc.commands:
            if cmd.command:
                spoken = [cmd.name, *cmd.args]
                yield from self._server(
                    doc, [w.value for w in spoken], lambda i, s=spoken: s[i].span if s[i].static else None, ctx, extra
                )

    def _server(
        self,
        doc: Document,
        words: list[str],
        span_of: Callable[[int], Span | None],
        ctx: RuleContext,
        extra: tuple[Datastore, ...],
    ) -> Iterator[Finding]:
        """A server command line's password flags; ``span_of`` says where word ``i`` is written
        (None: not literally)."""
        from guardrails.facts.docker_run import unwrap

        server = unwrap(words)
        store = find_by_command(server[0], extra) if server else None
        if store is None:
            return
        offset = len(words) - len(server)
        for index, flag, description in command_credentials(store, server):
            span = span_of(offset + index)
            if span is not None:
                yield self.finding(
                    doc,
                    span,
                    f"`{server[0]}` starts {store.name} with {flag} set to {description}",
                    anchor=f"server:{server[0]}:{flag}",
                    ctx=ctx,
                )

    def _compose_cli(
        self, doc: ShellDocument, run: ComposeCommand, ctx: RuleContext, extra: tuple[Datastore, ...]
    ) -> Iterator[Finding]:
        """A password that ``docker compose --env-file`` interpolates from the env file."""
        from guardrails.facts.compose import cli_services

        for svc in cli_services(run, doc, ctx.project, extra):
            values = {k: v.value for k, v in svc.env.items()}
            for weak in weak_credentials(svc.store, values):
                if not svc.from_file(weak.key):
                    continue  # not from the env file: the compose file reports it
                yield self.finding(
                    doc,
                    run.env_files[-1].span,
                    f"`docker compose --env-file` runs service '{svc.name}' ({svc.image}, {svc.store.name}) with "
                    f"{weak.key} ({svc.env[weak.key].raw}) set to {weak.description}",
                    anchor=f"compose-cli:{svc.name}:{weak.key}",
                    ctx=ctx,
                )

    def _terraform(self, doc: TerraformDocument, block: Block, module: Module, ctx: RuleContext) -> Iterator[Finding]:
        from guardrails.facts.terraform import attribute_value

        password_attr, user_attr, default_user = _TERRAFORM_PASSWORDS[block.labels[0]]
        attr, password = attribute_value(block, password_attr, module)
        if attr is None or not password.known or not isinstance(password.value, str) or not password.value:
            return
        _, user = attribute_value(block, user_attr, module)
        user_name = user.value if user.known and isinstance(user.value, str) else default_user
        description = describe_password(user_name, password.value)
        if description is None:
            return
        yield self.finding(
            doc,
            attr.span,
            f"{block.address} sets {password_attr} to {description}{password.via}",
            anchor=f"{block.address}.{password_attr}",
            ctx=ctx,
        )
