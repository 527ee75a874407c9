#!/usr/bin/python3
"""A fake desktop notification server (org.freedesktop.Notifications) in dbus-python, for the Notifications sample.

Usage: /usr/bin/python3 notification_service.py ADDRESS

Owns org.freedesktop.Notifications on the bus at ADDRESS, prints "READY" once it does, prints one line
"NOTIFY app|replaces_id|icon|summary|body|urgency|timeout" per Notify call (answering ids 1, 2, ...),
and serves until stdin closes.
"""

import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

INTERFACE = "org.freedesktop.Notifications"


class Notifications(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/org/freedesktop/Notifications")
        self.next_id = 1

    @dbus.service.method(INTERFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces_id, icon, summary, body, actions, hints, timeout):
        urgency = int(hints["urgency"]) if "urgency" in hints else -1
        print(f"NOTIFY {app}|{replaces_id}|{icon}|{summary}|{body}|{urgency}|{timeout}", flush=True)
        notification_id = self.next_id
        self.next_id += 1
        return dbus.UInt32(notification_id)

    @dbus.service.method(INTERFACE, in_signature="u", out_signature="")
    def CloseNotification(self, notification_id):
        self.NotificationClosed(notification_id, 3)

    @dbus.service.method(INTERFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body"]

    @dbus.service.method(INTERFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("fake-notifications", "dbusgen-tests", "1.0", "1.2")

    @dbus.service.signal(INTERFACE, signature="uu")
    def NotificationClosed(self, notification_id, reason):
        pass


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(sys.argv[1])
    name = dbus.service.BusName(INTERFACE, bus, do_not_queue=True)
    service = Notifications(bus)
    loop = GLib.MainLoop()

    # Quit when the test that started us closes our stdin.
    def on_stdin(source, condition):
        if condition & (GLib.IO_HUP | GLib.IO_ERR) or not os.read(source, 4096):
            loop.quit()
            return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    print("READY", flush=True)
    loop.run()
    del name, service


if __name__ == "__main__":
    main()
