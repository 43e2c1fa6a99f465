"""The web dashboard (server-rendered Jinja2 templates and a local stylesheet)."""
