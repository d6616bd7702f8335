"""The benchmark's HTTP client: one keep-alive connection with the launches' token."""

import http.client
import json

# The request floor: authenticated (the launches' token), no work beyond that.
REQUEST_FLOOR_PATH = "/api/bonding/modes/"


class ApiClient:
    """One keep-alive HTTP connection (reopened when the server closes it)."""

    def __init__(self, port: int, token: str, timeout: float = 60):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def _send(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = self.headers if body is None else {**self.headers,
                                                     "Content-Type": "application/json"}
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise

    def launch(self, name: str, networks: list[str]) -> tuple[int, bytes]:
        body = json.dumps({"name": name, "nics": [{"network_id": n} for n in networks]})
        return self._send("POST", "/api/instances/", body)

    def get(self, path: str) -> tuple[int, bytes]:
        return self._send("GET", path)

    def close(self) -> None:
        self.connection.close()
