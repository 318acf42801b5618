#!/usr/bin/env python3
"""A loopback npm registry for wormsign's tests (python3 stdlib only).

    server.py --port 0 --root DIR [--tls CERT KEY] [--latency MS] [--idle-timeout S]

Prints the port it bound (on 127.0.0.1 only) as the first line of stdout,
then serves:

  GET /<name>, /@scope%2fname   DIR/<name with '/' as '%2f'>.json, with an
                                ETag (If-None-Match -> 304) and Last-Modified
  GET /-/npm/v1/attestations/<name>@<version>  (scoped: @scope%2fname@1.0.0)
                                DIR/_attestations/<name with '/' as
                                '%2f'>@<version>.json, 404 when absent
  GET /-/npm/v1/keys            DIR/_keys.json, 404 when absent
  GET /-/stats                  {"requests": N, "log": [...]}: one entry per
                                package or document request with path,
                                status and the request's Authorization,
                                Accept, Accept-Encoding and If-None-Match
                                headers (documents also have "kind":
                                "attestations" or "keys")
  GET /-/reset                  clears the counters and the log

Behaviours come from DIR/_control.json, read on every request, so a test can
change them between batches:

  {"auth": {"@private": "Bearer s3cret"},      # 401 without that header
   "packages": {"name": {
       "delay_ms": 500,                         # slow response
       "status": [429, 500],                     # served before success, once each
       "retry_after": "1",                      # Retry-After sent with them
       "truncate": true,                        # Content-Length larger than sent
       "stall": 100,                            # the full Content-Length and the
                                                # first 100 bytes of the body, then
                                                # nothing: the connection is held
                                                # open until the client goes away
                                                # (at most "stall_max_s", 600)
       "oversize": 100000,                      # a valid body of this many bytes
       "oversize_chunked": 100000,              # the same without Content-Length
       "invalid": true,                         # not JSON
       "gzip": true}}}                          # gzip when the client accepts it

The server exits on SIGTERM and after --idle-timeout seconds without a
request (default 60), so a crashed test never leaves it running.
"""

import argparse
import gzip
import hashlib
import http.server
import json
import os
import select
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse


class State:
    def __init__(self, root):
        self.root = root
        self.lock = threading.Lock()
        self.requests = 0
        self.log = []
        self.served = {}  # name -> how many scripted statuses were used
        self.last = time.monotonic()


def load_control(root):
    try:
        with open(os.path.join(root, "_control.json"), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wormsign-test-registry"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle
        # and delayed ACKs add 40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        pass

    def send_body(self, status, body, headers=None, gz=False):
        if gz:
            body = gzip.compress(body)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        st = self.server.state
        st.last = time.monotonic()
        path = self.path.split("?", 1)[0]
        if path == "/-/stats":
            with st.lock:
                body = json.dumps({"requests": st.requests, "log": st.log})
            self.send_body(200, body.encode())
            return
        if path == "/-/reset":
            with st.lock:
                st.requests = 0
                st.log = []
                st.served = {}
            self.send_body(200, b"{}")
            return
        if path.startswith("/-/npm/v1/attestations/") or path == "/-/npm/v1/keys":
            self.serve_document(st, path)
            return
        name = urllib.parse.unquote(path[1:])
        ctl = load_control(st.root)
        beh = ctl.get("packages", {}).get(name, {})
        entry = {
            "path": path,
            "name": name,
            "authorization": self.headers.get("Authorization"),
            "accept": self.headers.get("Accept"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
            "if_none_match": self.headers.get("If-None-Match"),
            "user_agent": self.headers.get("User-Agent"),
        }
        with st.lock:
            st.requests += 1
            st.log.append(entry)
            used = st.served.get(name, 0)
            st.served[name] = used + 1

        def done(status):
            entry["status"] = status

        if beh.get("delay_ms"):
            time.sleep(beh["delay_ms"] / 1000.0)
        if self.server.latency:
            time.sleep(self.server.latency / 1000.0)

        for scope, want in ctl.get("auth", {}).items():
            if name.startswith(scope + "/") and self.headers.get("Authorization") != want:
                done(401)
                self.send_body(401, b'{"error":"authentication required"}')
                return

        script = beh.get("status", [])
        if used < len(script):
            status = script[used]
            done(status)
            headers = {}
            if "retry_after" in beh:
                headers["Retry-After"] = str(beh["retry_after"])
            self.send_body(status, b'{"error":"scripted"}', headers)
            return

        if beh.get("invalid"):
            done(200)
            self.send_body(200, b'{"name": "' + name.encode() + b'", "time": {')
            return
        if beh.get("oversize"):
            pad = max(0, beh["oversize"] - 64)
            body = json.dumps({"name": name, "time": {}, "pad": "x" * pad}).encode()
            done(200)
            self.send_body(200, body)
            return
        if beh.get("oversize_chunked"):
            done(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"x" * 16384
            left = beh["oversize_chunked"]
            try:
                self.wfile.write(b'%x\r\n{"pad":"\r\n' % 8)
                while left > 0:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    left -= len(chunk)
                self.wfile.write(b'2\r\n"}\r\n0\r\n\r\n')
            except OSError:
                pass
            self.close_connection = True
            return

        fname = os.path.join(st.root, name.replace("/", "%2f") + ".json")
        if "/" in name and not name.startswith("@") or ".." in name:
            fname = None
        try:
            with open(fname, "rb") as f:
                body = f.read()
            mtime = os.stat(fname).st_mtime
        except (OSError, TypeError):
            done(404)
            self.send_body(404, b'{"error":"not found"}')
            return
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        headers = {
            "ETag": etag,
            "Last-Modified": self.date_time_string(mtime),
        }
        if self.headers.get("If-None-Match") == etag:
            done(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if beh.get("truncate"):
            done(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if "stall" in beh:
            done(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: beh["stall"]])
            self.wfile.flush()
            self.hold(st, beh.get("stall_max_s", 600))
            self.close_connection = True
            return
        gz = bool(beh.get("gzip")) and "gzip" in (self.headers.get("Accept-Encoding") or "")
        entry["gzip"] = gz
        done(200)
        self.send_body(200, body, headers, gz)

    def hold(self, st, limit):
        """Sends nothing more until the client hangs up or limit seconds
        pass; a held connection counts as activity for --idle-timeout."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            st.last = time.monotonic()
            try:
                ready, _, _ = select.select([self.connection], [], [], 0.2)
                if ready and not self.connection.recv(4096):
                    return
            except OSError:
                return

    def serve_document(self, st, path):
        """Attestations and keys: plain files, counted like packuments."""
        if path == "/-/npm/v1/keys":
            kind, fname = "keys", "_keys.json"
        else:
            kind = "attestations"
            spec = urllib.parse.unquote(path[len("/-/npm/v1/attestations/"):])
            fname = "_attestations/" + spec.replace("/", "%2f") + ".json"
            if ".." in spec or spec.startswith("."):
                fname = None
        entry = {
            "path": path,
            "kind": kind,
            "authorization": self.headers.get("Authorization"),
            "accept": self.headers.get("Accept"),
            "user_agent": self.headers.get("User-Agent"),
        }
        with st.lock:
            st.requests += 1
            st.log.append(entry)
        if self.server.latency:
            time.sleep(self.server.latency / 1000.0)
        try:
            with open(os.path.join(st.root, fname), "rb") as f:
                body = f.read()
        except (OSError, TypeError):
            entry["status"] = 404
            self.send_body(404, b'{"error":"not found"}')
            return
        entry["status"] = 200
        self.send_body(200, body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # clients that hang up on purpose (size caps, timeouts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--root", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--latency", type=int, default=0, help="ms added to every package request")
    ap.add_argument("--idle-timeout", type=float, default=60.0)
    args = ap.parse_args()

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args.root)
    srv.latency = args.latency
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)

    def stop(*_):
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    parent = os.getppid()

    def watchdog():
        while True:
            time.sleep(0.5)
            if time.monotonic() - srv.state.last > args.idle_timeout:
                os._exit(0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
