"""config/gunicorn.conf.py, the production server's settings (scripts/serve)."""

import datetime
from pathlib import Path
from types import SimpleNamespace

from gunicorn.app.base import Application
from gunicorn.glogging import Logger

CONF = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"


class ConfiguredApp(Application):
    """Gunicorn's own loading of the configuration file, without a command line."""

    def load_config(self) -> None:
        self.load_config_from_file(str(CONF))

    def load(self) -> None:  # never served
        raise NotImplementedError


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "20")

    cfg = ConfiguredApp().cfg

    assert (cfg.bind, cfg.workers, cfg.timeout) == (["127.0.0.1:9001"], 5, 20)


def test_defaults_are_three_workers_on_port_8000(monkeypatch):
    for name in ("HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)

    cfg = ConfiguredApp().cfg

    assert (cfg.bind, cfg.workers, cfg.timeout) == (["0.0.0.0:8000"], 3, 30)


def test_access_log_holds_no_query_string_referrer_or_body(capsys):
    logger = Logger(ConfiguredApp().cfg)  # logs to stdout
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/api/v1/practitioners/?condition=sciatica&near=49.28,-123.12",
        "PATH_INFO": "/api/v1/practitioners/",
        "QUERY_STRING": "condition=sciatica&near=49.28,-123.12",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": "https://ims.example.org/search?condition=fibromyalgia",
        "HTTP_USER_AGENT": "curl/8.0",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", headers=[], sent=512)

    logger.access(response, request, environ, datetime.timedelta(milliseconds=42))

    line = capsys.readouterr().out.strip()
    assert '"GET /api/v1/practitioners/ HTTP/1.1" 200 512 42ms "curl/8.0"' in line
    assert line.startswith("203.0.113.9 ")
    for secret in ("?", "sciatica", "fibromyalgia", "49.28", "search"):
        assert secret not in line


def test_a_loaded_worker_freezes_its_long_lived_objects():
    import gc

    cfg = ConfiguredApp().cfg
    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        cfg.post_worker_init(SimpleNamespace())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
