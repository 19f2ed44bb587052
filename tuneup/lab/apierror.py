"""OpenAI-shaped API errors: ``{"error": {"message", "type", "param", "code"}}`` + HTTP status."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        from tuneup.lab.text import strip_control

        return {
            "error": {
                "message": strip_control(self.message),  # it may quote what was sent
                "type": self.type,
                "param": strip_control(self.param) if self.param else self.param,
                "code": self.code,
            }
        }


def not_found(what: str, ident: str, param: str | None = None) -> ApiError:
    return ApiError(404, f"No such {what}: {ident}", param=param, code=None)


def bad_request(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)
