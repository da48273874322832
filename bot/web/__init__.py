"""The Sanic web app on 8080: the visitor page (and, with the staff issue, the dashboard)."""
