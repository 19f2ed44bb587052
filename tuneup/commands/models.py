"""`models` and `chat`: what the provider serves, and a streamed conversation with one."""

from __future__ import annotations

import click
from rich.text import Text

from tuneup.commands.action import action, json_option
from tuneup.commands.money import confirm_billable
from tuneup.commands.session import Session
from tuneup.errors import NotFoundError

EXIT_WORDS = ("/exit", "/quit", "/back")


def newest_model(session: Session) -> str | None:
    """The newest fine-tuned model from the learner's own jobs at this provider."""
    from tuneup.live.jobs import newest_fine_tuned_model

    return newest_fine_tuned_model(session.client, session.ledger)


@action(summary="List the models the provider serves", usage="models", steps=(3,))
@json_option
def models(session: Session, as_json: bool) -> None:
    """List the models the current provider serves (fine-tuned ones first)."""
    from tuneup.live.jobs import list_models

    with session.json_mode(as_json):
        found = list_models(session.client)
    if as_json:
        session.emit_json([m.__dict__ for m in found])
    else:
        from tuneup.views.live import render_models

        render_models(session.console, session.glyphs, found)


@action(
    summary="Chat with your fine-tuned model, streamed (/exit to come back)",
    usage="chat [MODEL]",
    steps=(3,),
)
@click.argument("model", required=False)
@click.option(
    "--system",
    help="A system message to start with (default: the one your training data used; "
    '--system "" for none).',
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask before billed chat calls.")
def chat(session: Session, model: str | None, system: str | None, yes: bool) -> None:
    """Chat with MODEL (default: your newest fine-tuned model), streamed. /exit ends."""
    from tuneup.live.chat import Conversation, stream_reply
    from tuneup.views.console import StreamWrap, printable
    from tuneup.views.live import render_chat_intro, say

    if not model:
        model = newest_model(session)
        if not model:
            raise NotFoundError(
                "No fine-tuned model yet.",
                hint="Train one in step 2, or name a model: `chat MODEL`.",
            )
        say(session.console, "Your newest fine-tuned model: ", (model, "bold"))
    _check_model(session, model)
    confirm_billable(session, f"Chatting with {model} (each reply)", yes=yes, once_as="chat")
    if system is None:
        system = _system_from_training(session, model)
    from tuneup.live.jobs import model_trainer

    render_chat_intro(session.console, model, model_trainer(session.client, model))
    conv = Conversation(model=model, system=system or None)
    while True:
        line = session.read_line("you> ")
        if line is None:
            return
        text = line.strip()
        if not text:
            continue
        if text in EXIT_WORDS:
            return
        session.console.print(Text("model> ", style="bold"), end="")
        wrap = StreamWrap.for_console(session.console, column=len("model> "))
        started = False  # a reply starts at its first word, after "model> "
        try:
            for piece in stream_reply(session.client, conv, text):
                if not started:
                    piece = piece.lstrip()
                    started = bool(piece)
                shown = wrap.feed(printable(piece))
                session.console.print(Text(shown), end="", soft_wrap=True)
        except KeyboardInterrupt:
            session.console.print(Text(f"{wrap.close()} [stopped]", "dim"))
            continue
        session.console.print(Text(wrap.close()))


def _check_model(session: Session, model: str) -> None:
    """A model the provider says it does not serve is one line now, not a 404 after the
    first message. Not on Azure, where chat names a deployment, which is not a model, nor
    for another provider's checkpoint names, which its models endpoint may not know."""
    from tuneup.live.jobs import model_exists

    provider = session.settings.provider
    if provider == "azure" or (provider == "openai" and ":ckpt-step-" in model):
        return
    if model_exists(session.client, model) is False:
        raise NotFoundError(
            f"{model}: no such model at {session.settings.endpoint_label}.",
            hint=f"`{session.command('models')}` lists the models it serves.",
        )


def _system_from_training(session: Session, model: str) -> str | None:
    """The system message of the training data behind ``model``, if it is one of the
    learner's jobs and its examples share one; said on screen when used."""
    from tuneup.live.chat import training_system_prompt
    from tuneup.views.live import dim

    base_name = model.split(":ckpt-step-")[0]
    job = next((j for j in session.ledger.current.jobs if j.fine_tuned_model == base_name), None)
    if job is None or not job.training_file:
        return None
    system = training_system_prompt(session.client, job.training_file)
    if system:
        dim(session.console, f'Using the system message it was trained with: "{system}"')
        again = session.command('chat --system "..."')
        dim(session.console, f'Start with `{again}` to try another, or "" for none.')
    return system
