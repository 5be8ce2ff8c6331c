#!/usr/bin/env python3
"""Two HTTP/1.1 upstreams on loopback that answer 200 "OK" after a fixed delay: handlers as slow as real ones.

Usage: slow_upstream.py PORT_A PORT_B DELAY_MS LAG_LOG
Each queued delivery (it carries X-Cutover-Attempt) is logged as "<unix seconds> <X-Correlation-ID>" in LAG_LOG, the
format bench/queued/common.sh's lag_of reads (as the nginx upstreams log it). Keep-alive; no TLS; loopback only.
"""
import asyncio
import sys
import time

PORT_A, PORT_B, DELAY = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0
LAG = open(sys.argv[4], "a", buffering=1 << 16)
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK"


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length, attempt, correlation = 0, False, b""
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"x-cutover-attempt":
                    attempt = True
                elif name == b"x-correlation-id":
                    correlation = value.strip()
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(DELAY)
            if attempt:
                LAG.write("%.3f %s\n" % (time.time(), correlation.decode("ascii", "replace")))
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    servers = [await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024) for port in (PORT_A, PORT_B)]
    while True:
        await asyncio.sleep(1)
        LAG.flush()


asyncio.run(main())
