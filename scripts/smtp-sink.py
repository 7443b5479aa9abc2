#!/usr/bin/python3
"""A real SMTP listener for tests (Debian: apt-get install python3-aiosmtpd).

Accepts every message and writes it, as received, to DIR/<n>.eml (atomically: a reader
never sees half a file). Optional STARTTLS with a self-signed certificate generated at
start, and AUTH PLAIN/LOGIN with one user. Recipients whose address contains "reject" are
refused with a permanent 550, so tests can see a permanent failure.

    /usr/bin/python3 scripts/smtp-sink.py --port 2525 --dir /tmp/mail [--starttls] [--auth user:pass]

Prints "READY <port>" on stdout once it accepts connections; stops on SIGTERM/SIGINT.
"""

import argparse
import itertools
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address.lower():
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        tmp = os.path.join(self.directory, ".%06d.tmp" % n)
        final = os.path.join(self.directory, "%06d.eml" % n)
        with open(tmp, "wb") as f:
            f.write(("X-Sink-Rcpt: %s\r\n" % ", ".join(envelope.rcpt_tos)).encode())
            f.write(("X-Sink-Auth: %s\r\n" % ("yes" if session.authenticated else "no")).encode())
            f.write(("X-Sink-Tls: %s\r\n" % ("yes" if session.ssl else "no")).encode())
            content = envelope.original_content or envelope.content
            if isinstance(content, str):
                content = content.encode("utf-8")
            f.write(content)
        os.replace(tmp, final)
        return "250 OK: queued as %d" % n


def self_signed(workdir):
    cert = os.path.join(workdir, "cert.pem")
    key = os.path.join(workdir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--auth", help="user:password that AUTH must present")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    kwargs = {}
    if args.starttls:
        # The key is only needed to load the context; nothing is left on disk.
        with tempfile.TemporaryDirectory(prefix="smtp-sink-") as workdir:
            kwargs["tls_context"] = self_signed(workdir)
        kwargs["require_starttls"] = True
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = bool(args.starttls)

    controller = Controller(Sink(args.dir), hostname=args.host, port=args.port, **kwargs)
    controller.start()
    print("READY %d" % args.port, flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
