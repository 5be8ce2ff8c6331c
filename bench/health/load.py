#!/usr/bin/env python3
"""A steady load of webhooks signed as Meta signs them (X-Hub-Signature-256, HMAC-SHA256 of the body with the app
secret), each a text message from a new user to a routable domain, at RATE a second for SECONDS, over keep-alive
connections to 127.0.0.1. Every 20 ms it sends what the rate owes since the start, so a slow moment is caught up.
Prints one line at the end: sent, answered 200, other answers. Stdlib only.

Usage: load.py URL APP_SECRET RATE SECONDS
"""
import asyncio
import hashlib
import hmac
import json
import sys
import time
from urllib.parse import urlparse

URL, SECRET, RATE, SECONDS = urlparse(sys.argv[1]), sys.argv[2].encode(), float(sys.argv[3]), float(sys.argv[4])
TEXTS = ["a job please", "apartment for rent", "sell my phone"]
CONNECTIONS = 32
counts = {"sent": 0, "ok": 0, "other": 0}


def body(n):
    user = "2507%08d" % n
    message = {"from": user, "id": "wamid.bench%012d" % n, "timestamp": str(int(time.time())), "type": "text",
               "text": {"body": TEXTS[n % len(TEXTS)]}}
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
             "contacts": [{"profile": {"name": "Bench"}, "wa_id": user}], "messages": [message]}
    return json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}]}).encode()


async def worker(queue):
    reader, writer = await asyncio.open_connection(URL.hostname, URL.port)
    try:
        while True:
            n = await queue.get()
            if n is None:
                return
            payload = body(n)
            signature = "sha256=" + hmac.new(SECRET, payload, hashlib.sha256).hexdigest()
            writer.write(b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                         b"X-Hub-Signature-256: %s\r\n\r\n%s"
                         % (URL.path.encode(), URL.netloc.encode(), len(payload), signature.encode(), payload))
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            counts["sent"] += 1
            counts["ok" if head.split(b" ")[1] == b"200" else "other"] += 1
    finally:
        writer.close()


async def main():
    queue = asyncio.Queue()
    workers = [asyncio.create_task(worker(queue)) for _ in range(CONNECTIONS)]
    start, queued = time.monotonic(), 0
    while (elapsed := time.monotonic() - start) < SECONDS:
        for n in range(queued, int(elapsed * RATE)):
            queue.put_nowait(n)
        queued = max(queued, int(elapsed * RATE))
        await asyncio.sleep(0.02)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    print("LOAD sent=%d ok=%d other=%d seconds=%.1f" % (counts["sent"], counts["ok"], counts["other"], time.monotonic() - start))


asyncio.run(main())
