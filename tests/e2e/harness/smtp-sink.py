"""A real SMTP server for the e2e suites (aiosmtpd, installed by scripts/test into
.petitio/tools-venv from tests/tools/requirements.txt).

Usage: smtp-sink.py PORT DIR. Listens on 127.0.0.1:PORT and writes each message it
receives to DIR/<n>.eml as received, and DIR/<n>.json with what a test reads: the
envelope's recipients, the subject, and the decoded text and HTML parts (Python's own
MIME parser undoes the transfer encoding). Prints "ready" once listening; stops on
SIGTERM or when its input closes.
"""

import email
import itertools
import json
import os
import signal
import sys
import threading
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path):
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.numbers)
        raw = envelope.original_content or envelope.content
        (self.folder / f"{n}.eml").write_bytes(raw)
        message = email.message_from_bytes(raw, policy=policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        summary = {
            "to": envelope.rcpt_tos,
            "from": envelope.mail_from,
            "subject": str(message["subject"]),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
        }
        partial = self.folder / f"{n}.json.partial"
        partial.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, self.folder / f"{n}.json")
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
