"""Real HTTP for the stand-in client: http.client (sync) and asyncio streams (async).

Requests ask for `Connection: close`, so a body ends at Content-Length or EOF and
server-sent events are simply read line by line.
"""
import asyncio
import http.client
import json
import urllib.parse

from ._exceptions import APIConnectionError, APITimeoutError, status_error


class HttpResponse:
    """What errors and streams keep as `.response`: status and headers (lower-cased names).

    Like httpx.Response, closing it releases the connection; openai's `.stream()` helpers
    close a stream this way (`self._response.close()`), not through `Stream.close()`.
    """

    def __init__(self, status, headers):
        self.status = status
        self.status_code = status
        self.headers = {k.lower(): v for k, v in headers}
        self.is_closed = False
        self._on_close = None

    def close(self):
        if not self.is_closed:
            self.is_closed = True
            if self._on_close is not None:
                self._on_close()

    async def aclose(self):
        self.close()


def _target(base_url, path, query=None):
    url = urllib.parse.urlsplit(base_url.rstrip("/") + path)
    full_path = url.path + ("?" + urllib.parse.urlencode(query) if query else "")
    return url.hostname, url.port or (443 if url.scheme == "https" else 80), full_path, url.scheme


def _headers(api_key, body, stream):
    return {
        "Authorization": "Bearer " + api_key,
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        "User-Agent": "OpenAI/Python standin",
    }


class SyncHttp:
    def __init__(self, base_url, api_key, timeout):
        self.base_url, self.api_key, self.timeout = base_url, api_key, timeout

    def request(self, method, path, payload, stream, query=None):
        """Returns (HttpResponse, line iterator) when streaming, else (HttpResponse, parsed JSON)."""
        host, port, full_path, scheme = _target(self.base_url, path, query)
        body = json.dumps(payload).encode("utf-8") if method == "POST" else b""
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        conn = cls(host, port, timeout=self.timeout)
        try:
            conn.request(method, full_path, body=body, headers=_headers(self.api_key, body, stream))
            raw = conn.getresponse()
        except TimeoutError:
            conn.close()
            raise APITimeoutError()
        except OSError as error:
            conn.close()
            raise APIConnectionError(message="Connection error: %s" % error)
        response = HttpResponse(raw.status, raw.getheaders())
        if raw.status >= 400:
            text = raw.read().decode("utf-8", "replace")
            conn.close()
            raise status_error(response, text)
        if stream:
            lines = _SyncLines(raw, conn)
            response._on_close = lines.close
            return response, lines
        data = json.loads(raw.read().decode("utf-8"))
        conn.close()
        return response, data


class _SyncLines:
    def __init__(self, raw, conn):
        self._raw, self._conn = raw, conn

    def __iter__(self):
        while True:
            line = self._raw.readline()
            if not line:
                return
            yield line.decode("utf-8").rstrip("\r\n")

    def close(self):
        self._raw.close()
        self._conn.close()


class AsyncHttp:
    def __init__(self, base_url, api_key, timeout):
        self.base_url, self.api_key, self.timeout = base_url, api_key, timeout

    async def request(self, method, path, payload, stream, query=None):
        host, port, full_path, _ = _target(self.base_url, path, query)
        body = json.dumps(payload).encode("utf-8") if method == "POST" else b""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), self.timeout)
            head = method + " %s HTTP/1.1\r\nHost: %s:%d\r\n" % (full_path, host, port)
            head += "".join("%s: %s\r\n" % kv for kv in _headers(self.api_key, body, stream).items())
            writer.write(head.encode("latin-1") + b"\r\n" + body)
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), self.timeout)
            headers = []
            while True:
                line = (await reader.readline()).decode("latin-1").rstrip("\r\n")
                if not line:
                    break
                name, _, value = line.partition(":")
                headers.append((name.strip(), value.strip()))
        except asyncio.TimeoutError:
            raise APITimeoutError()
        except OSError as error:
            raise APIConnectionError(message="Connection error: %s" % error)
        response = HttpResponse(int(status_line.split()[1]), headers)
        if response.status >= 400 or not stream:
            text = (await _read_body(reader, response)).decode("utf-8", "replace")
            writer.close()
            if response.status >= 400:
                raise status_error(response, text)
            return response, json.loads(text)
        lines = _AsyncLines(reader, writer)
        response._on_close = writer.close
        return response, lines


async def _read_body(reader, response):
    length = response.headers.get("content-length")
    if length is not None:
        return await reader.readexactly(int(length))
    return await reader.read()


class _AsyncLines:
    def __init__(self, reader, writer):
        self._reader, self._writer = reader, writer

    async def __aiter__(self):
        while True:
            line = await self._reader.readline()
            if not line:
                return
            yield line.decode("utf-8").rstrip("\r\n")

    async def aclose(self):
        self._writer.close()
