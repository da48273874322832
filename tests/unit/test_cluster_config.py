"""The cluster profile's rendered configs (nginx, supervisor, endpoints, deploy/): no servers. The running
cluster is tests/stack/test_cluster.py (`make test-cluster`)."""

from __future__ import annotations

import pytest

from bot.cluster import ClusterSettings, render_endpoints, render_nginx, render_supervisor


def test_rendered_configs_follow_the_settings(tmp_path):
    s = ClusterSettings.from_env(
        {
            "CLUSTER_RASA_REPLICAS": "3",
            "CLUSTER_WEB_PORT": "18080",
            "CLUSTER_PORT_BASE": "20000",
            "CLUSTER_DATABASE_URL": "postgresql://bot:p%40ss@db.local:5433/chat",
            "CLUSTER_DIR": str(tmp_path),
        }
    )
    assert s.rasa_ports == (20000, 20001, 20002) and s.action_ports == (20020, 20021) and s.web_ports == (20040, 20041)
    nginx = render_nginx(s)
    for port in s.rasa_ports + s.action_ports + s.web_ports:
        assert f"server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" in nginx
    assert "listen 127.0.0.1:18080;" in nginx and "listen 127.0.0.1:5005;" in nginx
    assert "proxy_next_upstream error timeout;" in nginx and "non_idempotent" not in nginx.split("#")[0]
    assert f"pid {tmp_path}/nginx.pid;" in nginx and "/var/log" not in nginx
    sup = render_supervisor(s)
    for name in ("nginx", "rasa-1", "rasa-2", "rasa-3", "actions-1", "actions-2", "web-1", "web-2", "worker-1"):
        assert f"[program:{name}]" in sup and f"stdout_logfile={tmp_path}/logs/{name}.log" in sup
    assert sup.count("autorestart=true") == 9 and f"file={tmp_path}/supervisor.sock" in sup
    actions = sup.split("[program:actions-1]")[1].split("[program:")[0]
    assert 'SANIC_KEEP_ALIVE_TIMEOUT="120"' in actions
    assert "%(ENV_RASA_AUTH_TOKEN)s" in sup  # the token is never written into the file
    ep = render_endpoints(s)
    assert 'url: "db.local"' in ep and 'port: "5433"' in ep and 'db: "chat"' in ep and 'password: "p@ss"' in ep
    assert "type: rasa_plugins.lock_store.AtomicRedisLockStore" in ep and "LeanSQLTrackerStore" in ep
    assert "${ACTION_SERVER_TOKEN}" in ep and 'url: "http://127.0.0.1:5055/webhook"' in ep


@pytest.mark.parametrize("placeholders", [False, True])
def test_rasa_reads_the_rendered_endpoints_with_the_secrets_filled_in(tmp_path, monkeypatch, placeholders):
    """Rasa substitutes ${VAR} only in unquoted YAML values: a quoted secret reached the action server
    literally, and every action call of the cluster was refused."""
    from rasa.utils.endpoints import read_endpoint_config

    values = {
        "ACTION_SERVER_TOKEN": "s3cret",
        "ACTION_ENDPOINT_URL": "http://actions:5055/webhook",
        "DB_HOST": "db",
        "DB_PORT": "5432",
        "DB_NAME": "chat",
        "DB_USER": "bot",
        "DB_PASSWORD": "p@ss:w",
        "REDIS_HOST": "redis",
        "REDIS_PORT": "6379",
        "REDIS_DB": "0",
        "TICKET_LOCK_LIFETIME": "20",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    settings = ClusterSettings.from_env(
        {"CLUSTER_DATABASE_URL": "postgresql://bot:p%40ss%3Aw@db:5432/chat", "CLUSTER_DIR": str(tmp_path)}
    )
    path = tmp_path / "endpoints.yml"
    path.write_text(render_endpoints(settings, placeholders=placeholders))
    action = read_endpoint_config(str(path), "action_endpoint")
    tracker = read_endpoint_config(str(path), "tracker_store")
    assert action.token == "s3cret" and "$" not in str(action.kwargs) + str(tracker.kwargs) + action.url
    assert tracker.kwargs["password"] == "p@ss:w" and tracker.kwargs["db"] == "chat"


def test_deploy_files_are_the_same_renderings():
    from bot.cluster import deploy_files

    for path, text in deploy_files().items():
        assert path.read_text() == text, f"{path.name} is out of date: python -m bot.cluster render-deploy"
