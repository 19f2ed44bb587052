"""The one place that builds an openai SDK client, for whichever provider is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tuneup.config import Settings
from tuneup.errors import ConfigError

if TYPE_CHECKING:
    import openai


def build_client(
    settings: Settings, *, max_retries: int = 2, timeout: float | None = None
) -> openai.OpenAI:
    """Build the SDK client. ``timeout`` bounds each request; connecting is bounded by
    ``settings.connect_timeout`` so an unreachable endpoint never hangs the tutor."""
    import openai

    t = openai.Timeout(timeout if timeout is not None else 60.0, connect=settings.connect_timeout)
    if settings.provider == "azure":
        if not settings.azure_endpoint:
            raise ConfigError("Azure OpenAI is selected but AZURE_OPENAI_ENDPOINT is not set.")
        return openai.AzureOpenAI(
            azure_endpoint=settings.azure_endpoint,
            api_key=settings.azure_api_key,
            api_version=settings.azure_api_version,
            timeout=t,
            max_retries=max_retries,
        )
    if settings.provider == "room":  # the joined room's lab, with the attendee's own key
        return openai.OpenAI(
            api_key=settings.room_key,
            base_url=f"{settings.room_url}/v1",
            timeout=t,
            max_retries=max_retries,
        )
    if settings.provider == "lab":
        from tuneup.lab.embed import ensure_running

        base_url, key = ensure_running(settings)  # this process's embedded lab, its own key
        return openai.OpenAI(api_key=key, base_url=base_url, timeout=t, max_retries=max_retries)
    if not settings.api_key and not settings.base_url:
        raise ConfigError("No API key: set OPENAI_API_KEY, or use the local lab (--provider lab).")
    return openai.OpenAI(
        api_key=settings.api_key or "not-needed",
        base_url=settings.base_url or None,
        organization=settings.organization,
        project=settings.project,
        timeout=t,
        max_retries=max_retries,
    )
