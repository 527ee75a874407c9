#!/usr/bin/python3
"""A hostile D-Bus client: authenticates with EXTERNAL and NEGOTIATE_UNIX_FD, then sends method calls that carry
more descriptors (SCM_RIGHTS) than their UNIX_FDS header field declares.

usage: fd_flood_client.py ADDRESS_PATH FDS DECLARED MESSAGES
  ADDRESS_PATH  the socket path ("@name" for an abstract socket)
  FDS           descriptors sent with each message (pipe ends)
  DECLARED      the UNIX_FDS value in each message's header
  MESSAGES      how many such messages to send

Prints SENT n after sending, then DROPPED when the server closed the connection, or REPLIED when it answered.
"""
import os
import socket
import struct
import sys


def pad(data, alignment):
    return data + b"\0" * (-len(data) % alignment)


def string_value(text):
    data = text.encode()
    return struct.pack("<I", len(data)) + data + b"\0"


def ping(serial, declared):
    # Header fields (yv): code, signature, value; each starts 8-aligned. The variant's signature takes 3 bytes, so a
    # 4-aligned value ('s', 'o', 'u') starts right after it (offset 4 within the field).
    fields = [(1, "o", string_value("/")), (2, "s", string_value("org.freedesktop.DBus.Peer")), (3, "s", string_value("Ping"))]
    if declared:
        fields.append((9, "u", struct.pack("<I", declared)))
    array = b""
    for code, signature, value in fields:
        array = pad(array, 8) + bytes([code, len(signature)]) + signature.encode() + b"\0" + value
    header = b"l" + bytes([1, 0, 1]) + struct.pack("<III", 0, serial, len(array))
    return pad(header + array, 8)


def main():
    path, fds, declared, messages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect("\0" + path[1:] if path.startswith("@") else path)
    sock.sendall(b"\0AUTH EXTERNAL " + str(os.geteuid()).encode().hex().encode() + b"\r\n")
    reply = sock.recv(4096)
    assert reply.startswith(b"OK "), reply
    sock.sendall(b"NEGOTIATE_UNIX_FD\r\n")
    reply = sock.recv(4096)
    assert reply.startswith(b"AGREE_UNIX_FD"), reply
    sock.sendall(b"BEGIN\r\n")

    pipes = [os.pipe() for _ in range((fds + 1) // 2)]
    payload = [fd for pair in pipes for fd in pair][:fds]
    sent = 0
    try:
        for serial in range(1, messages + 1):
            sock.sendmsg([ping(serial, declared)], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack(f"<{len(payload)}i", *payload))])
            sent += 1
    except (BrokenPipeError, ConnectionResetError):
        pass
    print(f"SENT {sent}", flush=True)
    for pair in pipes:
        for fd in pair:
            os.close(fd)
    sock.settimeout(15)
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        data = b""
    print("DROPPED" if not data else "REPLIED", flush=True)


main()
