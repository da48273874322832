"""`python -m bot.web`: serve the web app on 127.0.0.1:WEB_PORT (8080)."""

from bot.settings import Settings
from bot.web.app import create_app


def main() -> None:
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host="127.0.0.1", port=settings.web_port, access_log=False, workers=1, motd=False)


if __name__ == "__main__":
    main()
