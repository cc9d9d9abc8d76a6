#!/usr/bin/env python3
"""A minimal HTTP CONNECT proxy for ccr's proxy tests.

Every CONNECT host:port is logged to --log (one line each) and tunnelled to 127.0.0.1:port,
whatever the host name, so a test can point a provider at a name that does not resolve and still
reach a mock on loopback. Plain (non-CONNECT) requests get 405. Prints the port it listens on.
"""
import argparse
import socket
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(client, log):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(4096)
        if not chunk:
            client.close()
            return
        head += chunk
    first = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = first.split(" ")
    if len(parts) < 2 or parts[0] != "CONNECT":
        client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        client.close()
        return
    target = parts[1]
    auth = next((l for l in head.decode("latin-1").split("\r\n") if l.lower().startswith("proxy-authorization:")), "")
    with open(log, "a") as f:
        f.write(f"CONNECT {target} {auth}\n")
    port = int(target.rsplit(":", 1)[1])
    upstream = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    rest = head.split(b"\r\n\r\n", 1)[1]
    if rest:
        upstream.sendall(rest)
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    with open(args.port_file + ".part", "w") as f:
        f.write(str(server.getsockname()[1]))
    import os
    os.replace(args.port_file + ".part", args.port_file)
    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client, args.log), daemon=True).start()


if __name__ == "__main__":
    main()
