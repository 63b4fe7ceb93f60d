# The hub with the example modules. Production images install pinned module
# distributions instead: COPY requirements.txt and `pip install -r requirements.txt`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md CHANGELOG.md ./
COPY src ./src
COPY cookiecutter-bmc-module ./cookiecutter-bmc-module
COPY plugins ./plugins
RUN pip install --no-cache-dir . ./plugins/bmc-hub-hello

RUN useradd --system --home /app hub
USER hub
EXPOSE 8000
CMD ["bmc-hub", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
