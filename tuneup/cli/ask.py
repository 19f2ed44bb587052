"""`tuneup ask` (grounded answers) and `tuneup config` (settings, keys masked)."""

from __future__ import annotations

import json

import click

from tuneup.cli import main, settings_from


@main.command(name="ask")
@click.argument("question", nargs=-1, required=True)
@click.option(
    "--style",
    type=click.Choice(["simpler", "deeper", "example"]),
    help="Shape the answer: simpler, deeper, or with an example.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print {answer, mode, sources: [{id, title, score}]} as JSON.",
)
@click.option("--plain", is_flag=True, help="ASCII only: no colour, box drawing or emoji.")
@click.pass_context
def ask_command(
    ctx: click.Context, question: tuple[str, ...], style: str | None, as_json: bool, plain: bool
) -> None:
    """Answer QUESTION from tuneup's guide, citing its sections as [§id].

    With OPENAI_API_KEY / OPENAI_BASE_URL or Azure configured, a model writes the answer
    from the retrieved sections (streamed); otherwise, or if the call fails, the best
    passages are shown, labelled offline. Off-topic questions get a one-line redirect."""
    from tuneup.ask.answer import answer
    from tuneup.render.answer import render_answer
    from tuneup.render.console import Glyphs, make_console

    settings = settings_from(ctx)
    text = " ".join(question)
    if as_json:
        result = answer(text, settings=settings, style=style)
        if result.notice:
            click.echo(result.notice, err=True)
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    plain = plain or bool((ctx.find_root().obj or {}).get("plain"))
    console = make_console(plain=plain)
    streamed: list[str] = []

    def show(piece: str) -> None:
        streamed.append(piece)
        console.print(piece, end="", markup=False, highlight=False, soft_wrap=True)

    result = answer(text, settings=settings, style=style, on_text=show)
    if streamed:
        console.print()
    render_answer(console, result, Glyphs(plain), streamed=bool(streamed) and result.mode == "llm")


@main.command(name="config")
@click.option("--path", "show_path", is_flag=True, help="Print the config file's path only.")
@click.option("--init", is_flag=True, help="Write the commented default config if none exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON (keys masked).")
@click.pass_context
def config_command(ctx: click.Context, show_path: bool, init: bool, as_json: bool) -> None:
    """Show the settings tuneup uses and where each came from; API keys are masked."""
    from tuneup.config import ensure_config_file
    from tuneup.home import config_path

    if show_path:
        click.echo(str(config_path()))
        return
    if init:
        path = ensure_config_file()
        click.echo(f"Config file: {path} (edit it; environment variables still win).")
        return
    settings = settings_from(ctx)
    shown = settings.as_display()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    azure = settings.provider == "azure"
    origin_of = {  # displayed name -> the setting it shows
        "endpoint": "azure_endpoint" if azure else "base_url",
        "api_key": "azure_api_key" if azure else "api_key",
    }
    width = max(map(len, shown))
    for key, value in shown.items():
        origin = settings.sources.get(origin_of.get(key, key))
        suffix = f"  (from {origin})" if origin else ""
        click.echo(f"{key.ljust(width)}  {value}{suffix}")
