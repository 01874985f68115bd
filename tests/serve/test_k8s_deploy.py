"""The Kubernetes deployment in deploy/k8s/ is one Dagster accepts and one that keeps the rules.

`values.yaml` is what a city hands Dagster's Helm chart, and `dagster.yaml` the instance those
values render. No cluster is needed: Dagster validates the instance, and the values are read as
data and held to what the platform needs (one writer on the DuckDB file, the warehouse volume
in every pod that opens it, no secret in the file, no telemetry).

The instance's run launcher (K8sRunLauncher) comes from dagster-k8s, which the image installs
and the project's dev environment too (pyproject.toml), so Dagster validates it here as well;
the values' `runLauncher` is rendered as the chart renders it and must be the instance's.
"""

from __future__ import annotations

import ast
import importlib
import logging
import re
import shutil
from pathlib import Path, PurePosixPath

import dagster
import pytest
import yaml
from dagster._config import validate_config
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dagster_postgres import DagsterPostgresStorage

from tooling.launcher.event_recording import RANGE_RUN_RECORDING

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = REPO_ROOT / "deploy" / "k8s"
CREDENTIAL = re.compile(r"(PASSWORD|USERNAME|TOKEN|SECRET|WEBHOOK)")


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values() -> dict:
    return read_yaml(K8S / "values.yaml")


@pytest.fixture(scope="module")
def code_location(values) -> dict:
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    return deployment


@pytest.fixture(scope="module")
def run_launcher(values) -> dict:
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    return values["runLauncher"]["config"]["k8sRunLauncher"]


@pytest.fixture
def instance(tmp_path) -> dict:
    shutil.copy(K8S / "dagster.yaml", tmp_path / "dagster.yaml")
    config, custom_class = dagster_instance_config(str(tmp_path))
    assert custom_class is None
    return dict(config)


def test_dagster_accepts_the_kubernetes_instance_configuration(instance):
    assert set(instance) >= {"storage", "run_coordinator", "run_monitoring", "telemetry"}


def imported(module: str):
    """`module`, imported without leaving its side effects on logging behind: importing
    dagster-k8s has the kubernetes client set urllib3's logger to WARNING for the process."""
    urllib3_logger = logging.getLogger("urllib3")
    level = urllib3_logger.level
    try:
        return importlib.import_module(module)
    finally:
        urllib3_logger.setLevel(level)


@pytest.mark.parametrize("section", ["scheduler", "run_coordinator", "run_launcher"])
def test_each_class_the_instance_names_exists_and_accepts_its_config(instance, section):
    named = instance[section]
    klass = getattr(imported(named["module"]), named["class"])
    checked = validate_config(klass.config_type(), named.get("config") or {})
    assert checked.success, checked.errors


def test_dagsters_storage_is_the_postgresql_the_values_name_with_the_password_from_a_secret(
    values, instance
):
    storage = instance["storage"]
    assert set(storage) == {"postgres"}
    checked = validate_config(DagsterPostgresStorage.config_type(), storage["postgres"])
    assert checked.success, checked.errors
    database = storage["postgres"]["postgres_db"]
    postgresql = values["postgresql"]
    assert postgresql["enabled"] is False  # the city's managed PostgreSQL, not one in the chart
    assert database["hostname"] == postgresql["postgresqlHost"]
    assert database["username"] == postgresql["postgresqlUsername"]
    assert database["db_name"] == postgresql["postgresqlDatabase"]
    assert database["port"] == postgresql["service"]["port"]
    assert database["params"] == postgresql["postgresqlParams"]
    assert database["scheme"] == postgresql["postgresqlScheme"] == "postgresql+psycopg2"
    # The chart hands every Dagster pod the Secret's `postgresql-password` under this name.
    assert database["password"] == {"env": "DAGSTER_PG_PASSWORD"}


def test_the_queue_starts_one_run_at_a_time_in_the_values_and_the_instance(values, instance):
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] is True
    assert coordinator["type"] == "QueuedRunCoordinator"
    assert coordinator["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] == 1
    assert instance["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert instance["run_coordinator"]["config"]["max_concurrent_runs"] == 1


def test_the_run_limit_is_set_in_the_queue_only_since_dagster_refuses_it_twice(
    values, instance, tmp_path
):
    """The chart's `concurrency` section would render `concurrency: pools/runs` beside the
    queue's `max_concurrent_runs`, and the daemon would not start."""
    assert not values.get("concurrency", {}).get("enabled")
    assert "concurrency" not in instance
    both = {**instance, "concurrency": {"pools": {"default_limit": 1}}}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(both))
    with pytest.raises(DagsterInvalidConfigError, match="incompatible"):
        dagster_instance_config(str(tmp_path))


def test_every_run_pod_and_the_code_location_mount_the_same_warehouse_claim(
    code_location, run_launcher
):
    assert run_launcher["volumes"] == code_location["volumes"]
    assert run_launcher["volumeMounts"] == code_location["volumeMounts"]
    (volume,) = code_location["volumes"]
    (mount,) = code_location["volumeMounts"]
    assert mount["name"] == volume["name"]
    claim = read_yaml(K8S / "warehouse-pvc.yaml")
    assert claim["kind"] == "PersistentVolumeClaim"
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    # The code location hands its volumes to the runs it launches, too.
    assert code_location["includeConfigInLaunchedRuns"]["enabled"] is True


def test_the_warehouse_file_lies_inside_that_mount(code_location):
    (mount,) = code_location["volumeMounts"]
    warehouse = PurePosixPath(code_location["env"]["WAREHOUSE_PATH"])
    assert warehouse.is_absolute()
    assert warehouse.is_relative_to(mount["mountPath"])
    assert warehouse != PurePosixPath(mount["mountPath"])


def test_the_run_pods_are_pinned_to_the_node_the_code_location_is_pinned_to(
    code_location, run_launcher
):
    """A ReadWriteOnce claim is mounted by one node at a time: every pod opening the
    warehouse must be on it, and write to it as the same group."""
    pod = run_launcher["runK8sConfig"]["podSpecConfig"]
    assert code_location["nodeSelector"]
    assert pod["nodeSelector"] == code_location["nodeSelector"]
    assert pod["securityContext"]["fsGroup"] == code_location["podSecurityContext"]["fsGroup"]


def test_the_code_location_loads_the_module_the_local_workspace_loads(code_location):
    (location,) = read_yaml(REPO_ROOT / "workspace.yaml")["load_from"]
    local = PurePosixPath(location["python_file"]["relative_path"])
    args = code_location["dagsterApiGrpcArgs"]
    module = args[args.index("-m") + 1]
    assert PurePosixPath(*module.split(".")).with_suffix(".py") == local
    assert args[args.index("-a") + 1] == "defs"
    # ... from the folder the image installs the project in (beside dbt_project/).
    workdir = re.search(r"^WORKDIR (\S+)$", (K8S / "Dockerfile").read_text(), re.M)
    assert workdir and args[args.index("-d") + 1] == workdir.group(1)
    assert code_location["port"] == 3030


def test_a_run_whose_pod_died_is_marked_failed_and_never_resumed(values, instance):
    monitoring = values["dagsterDaemon"]["runMonitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["maxResumeRunAttempts"] == 0
    rendered = instance["run_monitoring"]
    assert rendered["enabled"] is True
    assert rendered["max_resume_run_attempts"] == 0
    assert rendered["start_timeout_seconds"] == monitoring["startTimeoutSeconds"]
    assert rendered["poll_interval_seconds"] == monitoring["pollIntervalSeconds"]
    assert rendered["free_slots_after_run_end_seconds"] == monitoring["freeSlotsAfterRunEndSeconds"]


def every_key(node):
    """Every mapping key in a YAML tree, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from every_key(value)
    elif isinstance(node, list):
        for value in node:
            yield from every_key(value)


def test_the_values_hold_no_secret_only_the_names_of_secrets(values, code_location):
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in values["postgresql"]
    # No key names a password or token: a Secret's name, or a list of them, is fine, and so is
    # the database user, which the chart writes into the instance ConfigMap anyway.
    allowed = {
        "postgresqlSecretName",
        "envSecrets",
        "generatePostgresqlPasswordSecret",
        "postgresqlUsername",
    }
    suspicious = [
        key for key in every_key(values) if key not in allowed and CREDENTIAL.search(key.upper())
    ]
    assert suspicious == []
    # The portal credentials and the webhook come from a Secret, never the env map.
    assert code_location["envSecrets"]
    assert [name for name in code_location["env"] if CREDENTIAL.search(name)] == []


def variables_the_code_location_reads() -> set[str]:
    """Each variable orchestration/definitions.py reads, through EnvVar or os.environ, with the
    portal prefixes it calls `portal_from_environment` with filled in."""
    tree = ast.parse((REPO_ROOT / "orchestration" / "definitions.py").read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    prefixes = {
        call.args[0].value
        for call in calls
        if getattr(call.func, "id", None) == "portal_from_environment"
        and isinstance(call.args[0], ast.Constant)
    }
    names: set[str] = set()
    for call in calls:
        reads = getattr(call.func, "attr", None) in {"EnvVar", "get"} and call.args
        if not reads:
            continue
        argument = call.args[0]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            names.add(argument.value)
        elif isinstance(argument, ast.JoinedStr):
            suffix = "".join(
                part.value for part in argument.values if isinstance(part, ast.Constant)
            )
            names |= {prefix + suffix for prefix in prefixes}
    return {name for name in names if name.isupper()}


def test_every_variable_the_code_location_reads_is_set_or_named_for_the_city_to_create(
    code_location,
):
    """Set in the values' env, or named in this folder's README among the keys of the
    ConfigMap and Secret the values draw from."""
    wanted = variables_the_code_location_reads()
    assert {"WAREHOUSE_PATH", "SOURCE_SOCRATA_PASSWORD", "PUBLIC_SOCRATA_DOMAIN"} <= wanted
    readme = (K8S / "README.md").read_text(encoding="utf-8")
    named = set(code_location["env"]) | set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    assert sorted(wanted - named) == []


def test_no_telemetry_from_dagster_dbt_or_soda(values, instance, code_location):
    assert values["telemetry"]["enabled"] is False
    assert instance["telemetry"]["enabled"] is False
    quiet = {
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SODA_CORE_TELEMETRY_ENABLED": "false",
    }
    assert {name: code_location["env"].get(name) for name in quiet} == quiet
    image = (K8S / "Dockerfile").read_text(encoding="utf-8")
    assert all(f"{name}={value}" in image for name, value in quiet.items())


def test_the_run_pods_record_a_backfills_events_as_the_launcher_has_them_recorded(code_location):
    """The run pods get the code location's env (includeConfigInLaunchedRuns); a backfill on
    the cluster records in batches, as on one machine."""
    recording = {name: code_location["env"].get(name) for name in RANGE_RUN_RECORDING}
    assert recording == RANGE_RUN_RECORDING


def test_the_chart_and_the_run_launcher_match_the_installed_dagster():
    """The chart's version is dagster's; dagster-k8s ships in lockstep with dagster-postgres."""
    version = dagster.__version__
    assert f"--version {version}" in (K8S / "README.md").read_text(encoding="utf-8")
    assert f"version {version}" in (K8S / "values.yaml").read_text(encoding="utf-8")
    postgres_release = importlib.import_module("dagster_postgres.version").__version__
    assert f'"dagster-k8s=={postgres_release}"' in (K8S / "Dockerfile").read_text()


def rendered_run_launcher_config(values: dict, release: str = "civic") -> dict:
    """The run launcher's config as the chart's `dagsterYaml.runLauncher.k8s` template writes
    it from the values (the chart's defaults for what the values leave out)."""
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    raw_keys = {
        "containerConfig": "container_config",
        "podSpecConfig": "pod_spec_config",
        "podTemplateSpecMetadata": "pod_template_spec_metadata",
        "jobSpecConfig": "job_spec_config",
        "jobMetadata": "job_metadata",
    }
    return {
        "load_incluster_config": launcher.get("loadInclusterConfig", True),
        "job_namespace": launcher.get("jobNamespace") or release,
        "image_pull_policy": launcher.get("imagePullPolicy", "Always"),
        "service_account_name": f"{release}-dagster",
        "dagster_home": values.get("global", {}).get("dagsterHome", "/opt/dagster/dagster_home"),
        "instance_config_map": f"{release}-dagster-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
        "volume_mounts": launcher["volumeMounts"],
        "volumes": launcher["volumes"],
        "resources": launcher["resources"],
        "run_k8s_config": {raw_keys[key]: value for key, value in launcher["runK8sConfig"].items()},
    }


def test_the_instances_run_launcher_is_the_one_the_chart_renders_from_the_values(values, instance):
    assert instance["run_launcher"]["config"] == rendered_run_launcher_config(values)
