#!/usr/bin/env python3
"""Every upstream of the health bench on one loopback port: POST /<name> answers 200, except that /unified answers 503
to a share of its requests, spread evenly by arrival (as tests/Cutover.Testing/RecordingUpstreams.FailShare does).
GET /_fail?share=0.3 sets the share (0 to 1) and answers 200; GET /_fail answers the share now. Loopback only, stdlib only.

Usage: upstream.py PORT
"""
import asyncio
import sys

PORT = int(sys.argv[1])
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Handled-By: %s\r\n\r\nOK"
FAIL = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nFAIL"
state = {"share": 0.0, "owed": 0.0}


def unified_fails():
    # Evenly spread: each request adds the share, and one fails whenever a whole failure is owed.
    state["owed"] += state["share"]
    if state["owed"] >= 1.0:
        state["owed"] -= 1.0
        return True
    return False


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, path = lines[0].split(b" ")[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            if path.startswith(b"/_fail"):
                if b"share=" in path:
                    share = float(path.split(b"share=")[1].split(b"&")[0])
                    if not 0.0 <= share <= 1.0:
                        raise ValueError("share outside 0..1")
                    state["share"], state["owed"] = share, 0.0
                body = repr(state["share"]).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            else:
                name = path.strip(b"/").split(b"/")[0][:32]
                writer.write(FAIL if name == b"unified" and method == b"POST" and unified_fails() else OK % (name or b"none"))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT, backlog=512)
    async with server:
        await server.serve_forever()


asyncio.run(main())
