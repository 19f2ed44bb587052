"""`config`: the settings in force and where each came from; keys masked."""

from __future__ import annotations

import click

from tuneup.commands.action import action
from tuneup.commands.session import Session


@action(
    summary="Show the settings in force (keys masked) and where each came from",
    usage="config [--path] [--init]",
    group="setup",
)
@click.option("--path", "show_path", is_flag=True, help="Print the config file's path only.")
@click.option("--init", is_flag=True, help="Write the commented default config if none exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON (keys masked).")
def config(session: Session, show_path: bool, init: bool, as_json: bool) -> None:
    """Show the settings tuneup uses and where each came from; API keys are masked."""
    from tuneup.config import ensure_config_file
    from tuneup.home import config_path

    say = session.say
    if show_path:
        say(str(config_path()))
        return
    if init:
        path = ensure_config_file()
        say(f"Config file: {path} (edit it; environment variables still win).")
        return
    settings = session.settings
    shown = settings.as_display()
    if as_json:
        session.emit_json(shown)
        return
    shown_from = {"azure": ("azure_endpoint", "azure_api_key"), "room": ("room", "room")}
    endpoint, key = shown_from.get(settings.provider, ("base_url", "api_key"))
    origin_of = {"endpoint": endpoint, "api_key": key}  # displayed name -> its setting
    width = max(map(len, shown))
    for key, value in shown.items():
        origin = settings.sources.get(origin_of.get(key, key))
        suffix = f"  (from {origin})" if origin else ""
        say(f"{key.ljust(width)}  {value}{suffix}")
