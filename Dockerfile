# guardrails in a container: `docker run --rm -v "$PWD:/src" IMAGE scan` (docs/ci.md).
# Two stages: the wheel is built from this checkout in the first, and only guardrails and its
# dependencies reach the second, which runs as an unprivileged user.
FROM python:3.12-slim-bookworm AS build
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY guardrails/ guardrails/
COPY rules/ rules/
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim-bookworm
LABEL org.opencontainers.image.title="guardrails" \
      org.opencontainers.image.description="Infrastructure safety pre-flight linter" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/guardrails-lint/guardrails"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/guardrails_lint-*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 --user-group guardrails
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["guardrails"]
CMD ["scan", "."]
