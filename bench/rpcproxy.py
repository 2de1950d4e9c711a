"""A loopback JSON-RPC proxy in front of a local node, with pluggable behaviours.

The suites use it to make Anvil answer as a consortium engine would (tests/sdk/engines.py), and a
benchmark can use it to put a WAN between the SDK and the node. It listens on 127.0.0.1 only.

A behaviour is any object with some of these methods; each is optional, and they run in the
order the behaviours were given:

- ``request(proxy, body) -> body | None`` sees the decoded HTTP body (one call, or a list for a
  batch) before anything else; returning a body answers with it and nothing is forwarded (a node
  that refuses batches, a connection reset, a delay before answering);
- ``rewrite(proxy, call) -> call`` may change one call before it goes upstream (narrow a range);
- ``intercept(proxy, call) -> answer | None`` may answer one call itself (refuse a transaction);
- ``answer(proxy, call, answer) -> answer`` may change the upstream answer to one call;
- ``respond(proxy, body, reply) -> reply`` sees the whole reply before it is written (a delay on
  the way back).

Any hook may raise :class:`ConnectionReset`: the proxy then drops the client's connection with a
TCP reset instead of answering — before the node saw the request if raised in ``request``, after
the node answered if raised in ``respond``.

Calls that no behaviour answered are forwarded to the upstream node in one request, a batch if
the client sent a batch.

``RpcProxy(..., decode=False)`` relays the bytes as they are, as a TCP-level proxy on a WAN would:
nothing is parsed, only ``request`` and ``respond`` run, and they see (and return) the raw bytes. ``proxy.upstream(method, params)`` lets a behaviour ask the node
something of its own (the latest block, a balance). ``proxy.bodies`` records every decoded body
the proxy received, for tests that check what a client sent.
"""

from __future__ import annotations

import http.server
import itertools
import json
import socket
import struct
import threading
from typing import Any, Sequence

import requests

Call = dict[str, Any]


class ConnectionReset(Exception):
    """Raised by a behaviour's hook: the client's connection is reset instead of answered."""


def error(call: Call | None, code: int, message: str, data: Any = None) -> Call:
    """A JSON-RPC error answer to `call` (None: to a request the node could not read)."""
    body: Call = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return {"jsonrpc": "2.0", "id": None if call is None else call.get("id"), "error": body}


def result(call: Call, value: Any) -> Call:
    return {"jsonrpc": "2.0", "id": call.get("id"), "result": value}


class RpcProxy:
    """`RpcProxy(upstream_url, behaviours).start()`; its `url` is what the client connects to."""

    def __init__(self, upstream: str, behaviours: Sequence[Any] = (), record: bool = False, decode: bool = True) -> None:
        self.upstream_url = upstream
        self.behaviours = list(behaviours)
        self.record = record
        self.decode = decode
        self.bodies: list[Any] = []
        self._ids = itertools.count(1 << 40)
        self._local = threading.local()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave in two writes: no 40 ms ACK wait

            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    encoded = proxy.relay(raw) if not proxy.decode else self._exchange(raw)
                except ConnectionReset:
                    # SO_LINGER with a zero timeout: close() sends RST, not FIN.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def _exchange(self, raw: bytes) -> bytes:
                try:
                    body = json.loads(raw)
                except ValueError:
                    return json.dumps(error(None, -32700, "Parse error")).encode()
                return json.dumps(proxy.handle(body)).encode()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="rpcproxy", daemon=True)

    def start(self) -> "RpcProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "RpcProxy":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the exchange ---------------------------------------------------------------------------

    def handle(self, body: Any) -> Any:
        if self.record:
            self.bodies.append(body)
        reply = self._reply(body)
        for behaviour in self._having("respond"):
            reply = behaviour.respond(self, body, reply)
        return reply

    def _reply(self, body: Any) -> Any:
        for behaviour in self._having("request"):
            replaced = behaviour.request(self, body)
            if replaced is not None:
                return replaced
        calls = body if isinstance(body, list) else [body]
        answers: list[Call | None] = []
        forward: list[tuple[int, Call]] = []
        for index, call in enumerate(calls):
            for behaviour in self._having("rewrite"):
                call = behaviour.rewrite(self, call)
            answer = next((a for b in self._having("intercept") if (a := b.intercept(self, call)) is not None), None)
            answers.append(answer)
            if answer is None:
                forward.append((index, call))
        if forward:
            sent = [call for _, call in forward]
            upstream = self._post(sent if isinstance(body, list) else sent[0])
            if isinstance(upstream, list):  # a batch's answers may come in any order
                by_id = {answer.get("id"): answer for answer in upstream}
                for index, call in forward:
                    answers[index] = by_id.get(call.get("id"), error(call, -32603, "no answer upstream"))
            else:
                answers[forward[0][0]] = upstream
        final = []
        for call, answer in zip(calls, answers):
            for behaviour in self._having("answer"):
                answer = behaviour.answer(self, call, answer)
            final.append(answer)
        return final if isinstance(body, list) else final[0]

    def relay(self, raw: bytes) -> bytes:
        """The node's reply to the bytes `raw`, relayed unparsed (``decode=False``)."""
        for behaviour in self._having("request"):
            replaced = behaviour.request(self, raw)
            if replaced is not None:
                return replaced
        reply = self._session().post(self.upstream_url, data=raw, headers={"Content-Type": "application/json"},
                                     timeout=120).content
        for behaviour in self._having("respond"):
            reply = behaviour.respond(self, raw, reply)
        return reply

    def upstream(self, method: str, params: list[Any]) -> Any:
        """The upstream node's result for one call of the proxy's own; its error raises."""
        answer = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def _post(self, body: Any) -> Any:
        return self._session().post(self.upstream_url, json=body, timeout=120).json()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _having(self, hook: str) -> list[Any]:
        return [b for b in self.behaviours if hasattr(b, hook)]
