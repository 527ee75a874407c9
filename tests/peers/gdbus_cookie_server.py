#!/usr/bin/python3
"""A GDBus peer-to-peer server on TCP, so only DBUS_COOKIE_SHA1 (or ANONYMOUS, not allowed here) can authenticate.

Usage: G_DBUS_COOKIE_SHA1_KEYRING_DIR=DIR /usr/bin/python3 gdbus_cookie_server.py

GDBus keeps its cookies in G_DBUS_COOKIE_SHA1_KEYRING_DIR (mode 700) instead of ~/.dbus-keyrings. Prints
"READY <client address>" and serves (GDBus answers org.freedesktop.DBus.Peer itself) until stdin closes.
"""

import sys

from gi.repository import Gio, GLib

connections = []


def on_new_connection(_server, connection):
    connections.append(connection)
    return True


server = Gio.DBusServer.new_sync("tcp:host=127.0.0.1", Gio.DBusServerFlags.NONE, Gio.dbus_generate_guid(), None, None)
server.connect("new-connection", on_new_connection)
server.start()
print("READY " + server.get_client_address(), flush=True)

loop = GLib.MainLoop()
GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP,
                  lambda *_: (loop.quit(), False)[1])
loop.run()
