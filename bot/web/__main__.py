"""`python -m bot.web`: serve the web app on WEB_HOST:WEB_PORT (127.0.0.1:8080)."""

from bot.settings import Settings
from bot.web.app import create_app


def main() -> None:
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.web_host, port=settings.ports.web, access_log=False, workers=1, motd=False)


if __name__ == "__main__":
    main()
