"""A small client of Scrapyd's JSON API (Scrapyd 1.6): daemonstatus, addversion, listversions,
listspiders, schedule, listjobs, cancel, and the job files it serves (items and logs).

Every call has a timeout. A server that cannot be reached raises `ServerDown`; a server that
answers with an error (`"status": "error"`, a refused login) raises `ScrapydError` with its
message, so the caller can tell a dead worker from a wrong request.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen


class ScrapydError(Exception):
    """A Scrapyd server refused or failed a request; the message says which and why."""


class ServerDown(ScrapydError):
    """A Scrapyd server could not be reached (refused, reset, timed out)."""


class ScrapydServer:
    def __init__(self, url: str, *, username: str = "", password: str | None = None,
                 timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._auth = None
        if username:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode("ascii")
            self._auth = f"Basic {token}"
        self._asked_password = bool(username) and password is None

    def __repr__(self) -> str:
        return f"ScrapydServer({self.url})"

    # -- the API ---------------------------------------------------------------------------

    def daemon_status(self) -> dict:
        """{"pending": n, "running": n, "finished": n, "node_name": ...}"""
        return self._json("GET", "daemonstatus.json")

    def add_version(self, project: str, version: str, egg: bytes) -> dict:
        body, content_type = _multipart({"project": project, "version": version},
                                        {"egg": ("chipwatch.egg", egg)})
        return self._json("POST", "addversion.json", body=body, content_type=content_type,
                          timeout=max(self.timeout, 120))  # Scrapyd lists the spiders first

    def list_versions(self, project: str) -> list[str]:
        return self._json("GET", "listversions.json", {"project": project})["versions"]

    def list_spiders(self, project: str, version: str | None = None) -> list[str]:
        params = {"project": project, **({"_version": version} if version else {})}
        return self._json("GET", "listspiders.json", params)["spiders"]

    def schedule(self, project: str, spider: str, *, job_id: str, version: str | None = None,
                 settings: dict | None = None, arguments: dict | None = None) -> str:
        fields = [("project", project), ("spider", spider), ("jobid", job_id)]
        if version:
            fields.append(("_version", version))
        fields += [("setting", f"{key}={value}") for key, value in (settings or {}).items()]
        fields += list((arguments or {}).items())
        body = urlencode(fields).encode("ascii")
        answer = self._json("POST", "schedule.json", body=body,
                            content_type="application/x-www-form-urlencoded",
                            timeout=max(self.timeout, 60))  # may list the spiders first
        return answer["jobid"]

    def list_jobs(self, project: str) -> dict:
        """{"pending": [...], "running": [...], "finished": [...]}, each job a dict with
        its `id` and `spider`."""
        return self._json("GET", "listjobs.json", {"project": project})

    def cancel(self, project: str, job_id: str, *, signal: str = "INT") -> str | None:
        """The job's state before the cancel ("pending", "running" or None: not found)."""
        body = urlencode({"project": project, "job": job_id, "signal": signal}).encode()
        return self._json("POST", "cancel.json", body=body,
                          content_type="application/x-www-form-urlencoded")["prevstate"]

    def fetch(self, path: str, *, start: int = 0) -> bytes | None:
        """A file Scrapyd serves (`items/...`, `logs/...`) from byte `start` on; None when it
        is not there."""
        headers = {"Range": f"bytes={start}-"} if start else {}
        try:
            status, body = self._call("GET", path.lstrip("/"), headers=headers)
        except ScrapydError as exc:
            if getattr(exc, "status", None) == 416:  # nothing past `start` yet
                return b""
            if getattr(exc, "status", None) == 404:
                return None
            raise
        return body[start:] if start and status == 200 else body

    # -- transport -------------------------------------------------------------------------

    def _json(self, method: str, endpoint: str, params: dict | None = None, *,
              body: bytes | None = None, content_type: str | None = None,
              timeout: float | None = None) -> dict:
        path = endpoint + (f"?{urlencode(params)}" if params else "")
        headers = {"Content-Type": content_type} if content_type else {}
        _, raw = self._call(method, path, body=body, headers=headers, timeout=timeout)
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ScrapydError(f"{self.url}/{endpoint}: the answer is not JSON (is this a "
                               f"Scrapyd server?)") from None
        if answer.get("status") != "ok":
            raise ScrapydError(f"{self.url}/{endpoint}: "
                               f"{answer.get('message') or 'the server answered an error'}")
        return answer

    def _call(self, method: str, path: str, *, body: bytes | None = None,
              headers: dict | None = None, timeout: float | None = None) -> tuple[int, bytes]:
        request = Request(f"{self.url}/{path}", data=body, method=method,
                          headers={**(headers or {}), "Accept": "application/json"})
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urlopen(request, timeout=timeout or self.timeout) as response:
                return response.status, response.read()
        except HTTPError as exc:
            error = ScrapydError(f"{self.url}/{path.split('?')[0]}: {self._http_reason(exc)}")
            error.status = exc.code
            raise error from None
        except (URLError, HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, socket.timeout) or isinstance(exc, TimeoutError):
                reason = f"no answer within {timeout or self.timeout:.0f} s"
            elif isinstance(reason, OSError) and reason.strerror:
                reason = reason.strerror.lower()
            raise ServerDown(f"{self.url}: cannot be reached ({reason})") from None

    def _http_reason(self, exc: HTTPError) -> str:
        if exc.code == 401:
            if not self._auth:
                return ("HTTP 401: the server asks for a login; set scrapyd_username and "
                        "scrapyd_password_env in [crawl]")
            if self._asked_password:
                return ("HTTP 401: the login was refused and no password was given (the "
                        "environment variable named by scrapyd_password_env is not set)")
            return "HTTP 401: the login was refused; check scrapyd_username and the password"
        return f"HTTP {exc.code} {exc.reason}"


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f'{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
