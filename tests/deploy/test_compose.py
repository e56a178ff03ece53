"""docker-compose.yml agrees with the code: commands, ports, settings variables, image contents.

Nothing here needs Docker: the compose file is parsed, `${VAR}` references are filled from
.env.example, and each service is checked against the `mlm-siem` parser and its settings class.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from collector.kafka_ingest import KafkaIngestSettings
from collector.settings import CollectorSettings
from dashboard.settings import DashboardSettings
from detectors.settings import DetectorSettings
from mlm_app.settings import AppSettings
from mlm_siem.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
# service -> (settings classes whose env prefixes and fields it may use, what gives its port)
SERVICES = {
    "app": ([AppSettings], "--port"),
    "collector": ([CollectorSettings, KafkaIngestSettings], "port"),
    "detectors": ([DetectorSettings], "health_port"),
    "detectors-global": ([DetectorSettings], "health_port"),
    "dashboard": ([DashboardSettings], "port"),
}
_VAR = re.compile(r"\$\{(\w+)(?::?[-?]([^}]*))?\}")


def dotenv() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; `$$` is a literal `$`."""
    def fill(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None and "?" not in match.group(0).split(name, 1)[1][:2]:
            return default
        raise AssertionError(f"${{{name}}} is used in docker-compose.yml but not set in .env.example")
    return _VAR.sub(fill, text).replace("$$", "$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(interpolate((ROOT / "docker-compose.yml").read_text(), dotenv()))


def prefixes(classes) -> list[tuple[str, set[str]]]:
    return [(c.model_config["env_prefix"], set(c.model_fields)) for c in classes]


def test_infrastructure_is_kraft_kafka_secured_elasticsearch_and_postgres(compose):
    services = compose["services"]
    kafka = services["kafka"]["environment"]
    assert "controller" in kafka["KAFKA_PROCESS_ROLES"] and "KAFKA_ZOOKEEPER_CONNECT" not in kafka
    es = services["elasticsearch"]
    assert es["image"].split(":")[-1].startswith("8.")
    assert es["environment"]["xpack.security.enabled"] == "true"
    assert services["postgres"]["image"].startswith("postgres:")
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("name", list(SERVICES))
def test_service_command_exists_in_the_cli(compose, name):
    command = compose["services"][name]["command"]
    try:
        args = build_parser().parse_args(command)
    except SystemExit:
        pytest.fail(f"{name}: `mlm-siem {' '.join(command)}` is not accepted by the CLI parser")
    assert args.command == command[0] and callable(args.func)


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_variable_is_a_settings_field_and_validates(compose, name, monkeypatch):
    classes, _ = SERVICES[name]
    env = {k: str(v) for k, v in compose["services"][name]["environment"].items()}
    known = prefixes(classes)
    for var in env:
        # the longest matching prefix decides (MLM_SIEM_COLLECTOR_KAFKA_ before MLM_SIEM_COLLECTOR_)
        matches = sorted((p for p in known if var.startswith(p[0])), key=lambda p: -len(p[0]))
        assert matches, f"{name}: {var} has none of the prefixes {[p for p, _ in known]}"
        prefix, fields = matches[0]
        assert var[len(prefix):].lower() in fields, f"{name}: {var} is not a field of its settings class"
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    for cls in classes:
        cls()  # raises when a value does not validate


def listening_port(compose, name) -> int:
    classes, source = SERVICES[name]
    service = compose["services"][name]
    if source.startswith("--"):
        command = service["command"]
        return int(command[command.index(source) + 1])
    prefix = classes[0].model_config["env_prefix"]
    value = service["environment"].get(prefix + source.upper())
    return int(value) if value is not None else classes[0].model_fields[source].default


@pytest.mark.parametrize("name", list(SERVICES))
def test_ports_and_healthchecks_match_the_listening_port(compose, name):
    service = compose["services"][name]
    port = listening_port(compose, name)
    published = [int(str(p).rsplit(":", 1)[-1]) for p in service.get("ports", [])]
    exposed = [int(p) for p in service.get("expose", [])]
    assert published + exposed == [port], f"{name} listens on {port}"
    probe = " ".join(service["healthcheck"]["test"])
    url = re.search(r"http://[^'\" ]+", probe).group(0)
    assert urlsplit(url).port == port and urlsplit(url).path == "/health"
    host = service["environment"].get(SERVICES[name][0][0].model_config["env_prefix"] + "HOST")
    if host is None and "--host" in service["command"]:
        host = service["command"][service["command"].index("--host") + 1]
    assert host == "0.0.0.0", f"{name} must listen on all interfaces inside its container"


def test_distributed_wiring(compose):
    services = compose["services"]
    assert services["detectors"]["deploy"]["replicas"] == 2
    assert services["detectors-global"]["deploy"]["replicas"] == 1
    for name, prefix in (("collector", "MLM_SIEM_COLLECTOR_"), ("detectors", "MLM_SIEM_DETECTORS_"),
                         ("detectors-global", "MLM_SIEM_DETECTORS_"), ("dashboard", "MLM_SIEM_DASHBOARD_")):
        store = urlsplit(services[name]["environment"][prefix + "STORE_URL"])
        assert (store.hostname, store.port, store.username) == ("elasticsearch", 9200, "elastic")
    for name, prefix in (("collector", "MLM_SIEM_COLLECTOR_"), ("detectors", "MLM_SIEM_DETECTORS_"),
                         ("detectors-global", "MLM_SIEM_DETECTORS_")):
        assert services[name]["environment"][prefix + "BUS_URL"] == "kafka://kafka:9092"
    app = services["app"]["environment"]
    assert app["MLM_APP_KAFKA_TOPIC"] == services["collector"]["environment"]["MLM_SIEM_COLLECTOR_KAFKA_RAW_TOPIC"]
    assert app["MLM_APP_DATABASE_URL"].startswith("postgresql+psycopg://")


def detector_settings(service: dict, monkeypatch) -> DetectorSettings:
    for var, value in service["environment"].items():
        monkeypatch.setenv(var, str(value))
    overrides = vars(build_parser().parse_args(service["command"]))
    return DetectorSettings(**{k: overrides[k] for k in ("scope", "group") if overrides.get(k) is not None})


def test_detection_is_split_into_a_scaled_entity_group_and_one_global_member(compose, monkeypatch):
    """Each detector runs in exactly one place: the two services take complementary scopes in
    consumer groups of their own (sharing one would hand each half the stream)."""
    entity = detector_settings(compose["services"]["detectors"], monkeypatch)
    monkeypatch.delenv("MLM_SIEM_DETECTORS_SCOPE", raising=False)
    monkeypatch.delenv("MLM_SIEM_DETECTORS_GROUP", raising=False)
    whole = detector_settings(compose["services"]["detectors-global"], monkeypatch)
    assert (entity.scope, whole.scope) == ("entity", "global")
    assert entity.resolved_group() != whole.resolved_group()
    detector_services = [n for n, s in compose["services"].items() if s.get("command", [None])[0] == "serve-detectors"]
    assert sorted(detector_services) == ["detectors", "detectors-global"]


def test_detectors_read_the_rule_state_the_dashboard_writes(compose, monkeypatch):
    """Rules disabled in the dashboard reach every detector service: one file on a volume that
    the dashboard mounts writable and the detectors read-only (the image creates its mount point)."""
    services = compose["services"]
    for var, value in services["dashboard"]["environment"].items():
        monkeypatch.setenv(var, str(value))
    written = DashboardSettings().resolved_rule_state_file()
    mounts = {name: {v.split(":")[1]: v.split(":")[0] for v in s.get("volumes", [])} for name, s in services.items()}
    volume = mounts["dashboard"][str(written.parent)]
    assert volume in compose["volumes"] and not services["dashboard"]["volumes"][-1].endswith(":ro")
    for name in ("detectors", "detectors-global"):
        read = detector_settings(services[name], monkeypatch).resolved_rule_state_file()
        assert read == written and mounts[name][str(read.parent)] == volume
        assert f"{volume}:{read.parent}:ro" in services[name]["volumes"], f"{name} needs the rule state read-only"
    assert f"mkdir {written.parent} && chown mlm {written.parent}" in (ROOT / "deploy" / "Dockerfile").read_text()


def test_image_holds_every_package_and_runs_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert f"COPY {package} ./{package}" in dockerfile, f"deploy/Dockerfile misses package {package}"
    assert "mlm-siem" in project["project"]["scripts"]
    assert 'ENTRYPOINT ["mlm-siem"]' in dockerfile and "USER mlm" in dockerfile
